"""Photos of visits and problems: type decided by content, EXIF stripped, thumbnails, scoped reads."""

from __future__ import annotations

import io
import uuid
import warnings
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import or_, select

from services import audit
from services.actors import Actor, enterprise_clause, is_assigned_liaison
from services.db import db, unit_of_work
from services.errors import Forbidden, NotFound, PayloadTooLarge, UnsupportedMediaType
from services.models import Photo, Problem, Visit
from services.visits import visit_clause
from services.roles import Role

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 50_000_000
THUMBNAIL = (320, 320)
FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png")}
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


def _decode(data: bytes) -> Image.Image:
    """Open and fully decode the image, refusing anything that is not a sane JPEG or PNG."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in FORMATS:
                raise UnsupportedMediaType("只接受 JPEG 或 PNG 图片")
            probe.verify()
            image = Image.open(io.BytesIO(data))
            image.load()
    except UnsupportedMediaType:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError,
            SyntaxError, ValueError) as error:
        raise UnsupportedMediaType("文件不是有效的 JPEG 或 PNG 图片") from error
    return image


def _encode(image: Image.Image, fmt: str) -> bytes:
    """Re-encode from pixels: EXIF (GPS, device) and other metadata are not carried over."""
    out = io.BytesIO()
    if fmt == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    else:
        image.save(out, "PNG", optimize=True)
    return out.getvalue()


def _target(actor: Actor, *, visit_id: int | None, problem_id: int | None):
    if visit_id is not None:
        visit = db.session.scalar(select(Visit).where(Visit.id == visit_id, visit_clause(actor)))
        if visit is None:
            raise NotFound("走访记录不存在")
        return visit.enterprise_id
    problem = db.session.scalar(select(Problem).where(Problem.id == problem_id,
                                                      enterprise_clause(actor, Problem.enterprise_id)))
    if problem is None:
        raise NotFound("问题不存在")
    return problem.enterprise_id


@unit_of_work()
def save_photo(*, actor: Actor, data: bytes, upload_dir: Path, visit_id: int | None = None,
               problem_id: int | None = None) -> Photo:
    enterprise_id = _target(actor, visit_id=visit_id, problem_id=problem_id)
    own = actor.role == Role.ENTERPRISE and actor.enterprise_id == enterprise_id
    if not (actor.role == Role.COORDINATOR or is_assigned_liaison(actor, enterprise_id) or (own and problem_id)):
        raise Forbidden("无权上传照片")
    if len(data) > MAX_BYTES:
        raise PayloadTooLarge("照片不能超过 10 MB")
    photo = store(data, upload_dir=upload_dir, uploader_id=actor.user_id, visit_id=visit_id, problem_id=problem_id)
    audit.record(actor, "photo.uploaded", "photo", photo.id, {"visit_id": visit_id, "problem_id": problem_id})
    return photo


def store(data: bytes, *, upload_dir: Path, uploader_id: int | None, visit_id: int | None = None,
          problem_id: int | None = None) -> Photo:
    """Decode (JPEG or PNG only), strip metadata by re-encoding, write the copy and a thumbnail under
    server-made names, and add the Photo row (flushed, not committed)."""
    image = _decode(data)
    fmt = image.format
    content_type, extension = FORMATS[fmt]
    image = ImageOps.exif_transpose(image)
    stored, thumb = f"{uuid.uuid4().hex}.{extension}", f"{uuid.uuid4().hex}.jpg"
    upload_dir.mkdir(parents=True, exist_ok=True)
    (upload_dir / stored).write_bytes(_encode(image, fmt))
    small = image.copy()
    small.thumbnail(THUMBNAIL)
    (upload_dir / thumb).write_bytes(_encode(small, "JPEG"))
    photo = Photo(visit_id=visit_id, problem_id=problem_id, uploader_id=uploader_id, stored_name=stored,
                  thumbnail_name=thumb, content_type=content_type, size=len(data), width=image.width,
                  height=image.height)
    db.session.add(photo)
    db.session.flush()
    return photo


def get_photo_or_raise(*, actor: Actor, photo_id: int) -> Photo:
    """A photo is visible to whoever may see its visit or problem, and a visit's photo also to whoever may
    see a problem raised during that visit (the problem lists it): the enterprise sees the photos on its
    problem, never the visit's notes."""
    visible_visits = select(Visit.id).where(visit_clause(actor))
    visible_problems = select(Problem.id).where(enterprise_clause(actor, Problem.enterprise_id))
    visits_of_visible_problems = select(Problem.visit_id).where(enterprise_clause(actor, Problem.enterprise_id),
                                                                Problem.visit_id.is_not(None))
    photo = db.session.scalar(select(Photo).where(Photo.id == photo_id, or_(
        Photo.visit_id.in_(visible_visits), Photo.problem_id.in_(visible_problems),
        Photo.visit_id.in_(visits_of_visible_problems))))
    if photo is None:
        raise NotFound("照片不存在")
    return photo
