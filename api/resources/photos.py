"""Photos of problems, and serving photos to those who may see them."""

from flask import current_app, send_from_directory
from flask_smorest import Blueprint

from api.auth import current_actor
from api.schemas.common import ProblemDetailSchema
from api.schemas.photos import PhotoSchema, UploadSchema
from services import photos

blp = Blueprint("photos", __name__, url_prefix="/api/v1", description="照片")


@blp.route("/problems/<int(max=2147483647):problem_id>/photos", methods=["POST"])
@blp.arguments(UploadSchema, location="files")
@blp.response(201, PhotoSchema)
@blp.alt_response(413, schema=ProblemDetailSchema, description="超过 10 MB")
@blp.alt_response(415, schema=ProblemDetailSchema, description="不是 JPEG 或 PNG")
def upload_problem_photo(files, problem_id):
    """为问题上传照片（JPEG 或 PNG，≤ 10 MB）"""
    return photos.save_photo(actor=current_actor(), data=files["file"].read(photos.MAX_BYTES + 1),
                             problem_id=problem_id, upload_dir=current_app.config["UPLOAD_DIR"])


def _send(photo_id: int, thumbnail: bool):
    photo = photos.get_photo_or_raise(actor=current_actor(), photo_id=photo_id)
    name, mimetype = (photo.thumbnail_name, "image/jpeg") if thumbnail else (photo.stored_name, photo.content_type)
    response = send_from_directory(current_app.config["UPLOAD_DIR"], name, mimetype=mimetype)
    # Photos are scoped personal data: no shared cache may keep them, nor the browser after sign-out.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Vary"] = "Authorization"
    return response


@blp.route("/photos/<int(max=2147483647):photo_id>")
@blp.response(200, {"type": "string", "format": "binary"}, content_type="image/jpeg", description="原图（JPEG 或 PNG）")
@blp.doc(responses={"200": {"description": "原图（JPEG 或 PNG）", "content": {
    "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
    "image/png": {"schema": {"type": "string", "format": "binary"}}}}})
@blp.alt_response(404, schema=ProblemDetailSchema)
def get_photo(photo_id):
    """下载照片"""
    return _send(photo_id, thumbnail=False)


@blp.route("/photos/<int(max=2147483647):photo_id>/thumbnail")
@blp.response(200, {"type": "string", "format": "binary"}, content_type="image/jpeg", description="缩略图")
@blp.alt_response(404, schema=ProblemDetailSchema)
def get_thumbnail(photo_id):
    """下载照片缩略图（供手机使用）"""
    return _send(photo_id, thumbnail=True)
