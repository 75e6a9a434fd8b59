"""Demo step 40: visits by the liaisons over the past weeks (with photos), and three months of status reports."""

import io
from datetime import timedelta

from PIL import Image, ImageDraw
from sqlalchemy import select

from services import location, observations, photos
from services.actors import Actor
from services.db import db, utcnow
from services.enterprises import observe
from services.models import Problem, StatusReport, Visit
from services.timeutil import local_today

STEP_ORDER = 40

VISITS = [
    # liaison, enterprise prefix, days ago, method, summary, status, employees, where the phone was
    ("liaison_ma", "临夏县清河源", 0.25, "on_site", "察看屠宰分割车间，了解用工缺口。", "resumed", 320, "site"),
    ("liaison_ma", "临夏县俊林", 2, "phone", "电话了解续贷进展。", None, None, None),
    ("liaison_ma", "临夏县清源", 5, "wechat", "微信沟通原料调运情况。", "full_capacity", 140, None),
    ("liaison_ma", "临夏县北塬农机", 12, "on_site", "走访合作社，了解农机外运需求。", "resumed", 12, "far"),
    ("liaison_ma", "临夏县清河源", 35, "on_site", "上月例行走访。", "resumed", 330, "site"),
    ("liaison_li", "康乐县百盛超市", 0.2, "on_site", "了解节日促销备案办理情况。", "resumed", 60, "poor"),
    ("liaison_li", "康乐县康美", 3, "on_site", "察看温室增容工程进度。", "resumed", 210, None),
    ("liaison_li", "康乐县莲麓", 8, "phone", "提醒合作社补充贷款材料。", "halted", 9, None),
]
# Phone positions (lat/lon offset in degrees, accuracy in metres) giving every location_check value:
# at the site → ok; 0.05° (about 5.6 km) away → far; at the site with a coarse fix → poor_accuracy;
# none (GPS off) → missing.
POSITIONS = {"site": (0.0003, 0.0002, 15.0), "far": (0.05, 0.0, 20.0), "poor": (0.001, 0.0, 800.0)}


def _months_back(n: int) -> str:
    today = local_today().replace(day=1)
    for _ in range(n):
        today = (today - timedelta(days=1)).replace(day=1)
    return today.strftime("%Y-%m")


def run(ctx: dict) -> None:
    users, find = ctx["users"], ctx["find"]
    now = utcnow()
    filed = []
    for username, prefix, days, method, summary, status, employees, where in VISITS:
        actor = Actor.for_user(users[username])
        enterprise = find(prefix)
        latitude = longitude = accuracy = None
        if where:
            dlat, dlon, accuracy = POSITIONS[where]
            latitude, longitude = enterprise.latitude + dlat, enterprise.longitude + dlon
        filed.append(Visit(enterprise_id=enterprise.id, liaison_id=actor.user_id, method=method,
                             visited_at=now - timedelta(days=days), summary=summary, operating_status=status,
                             employees=employees, latitude=latitude, longitude=longitude, accuracy_m=accuracy,
                             location_check=location.check(method=method, latitude=latitude, longitude=longitude,
                                                           accuracy_m=accuracy, site_latitude=enterprise.latitude,
                                                           site_longitude=enterprise.longitude)))
        db.session.add(filed[-1])
        if days < 30:
            observe(enterprise, actor=actor, source="visit", operating_status=status, employees=employees)
    _photos(ctx, filed[0])

    # Three months of reports; 和政县啤特果 lost a third of its workforce last month (用工异常).
    series = {
        "临夏县清河源": [("resumed", 335, 820), ("resumed", 330, 760), ("resumed", 320, 700)],
        "康乐县百盛超市": [("resumed", 62, 310), ("resumed", 61, 295), ("resumed", 60, 330)],
        "永靖县燎原乳业": [("full_capacity", 415, 2600), ("resumed", 410, 2400), ("resumed", 410, 2350)],
        "和政县啤特果": [("resumed", 150, 420), ("resumed", 148, 400), ("partial", 98, 260)],
    }
    for prefix, months in series.items():
        enterprise = find(prefix)
        for back, (status, employees, revenue) in zip((3, 2, 1), months, strict=True):
            db.session.add(StatusReport(enterprise_id=enterprise.id, period=_months_back(back),
                                        operating_status=status, employees=employees, revenue_10k=revenue,
                                        capacity_pct=min(100.0, employees / 4), note=""))
        last_status, last_employees, _ = months[-1]
        db.session.flush()
        fresh = observations.newest_first(enterprise.id, observations.report_as_of(_months_back(1), now),
                                          {"operating_status": last_status, "employees": last_employees},
                                          period=_months_back(1))
        if fresh:  # a visit this month is newer than last month's report: it stays
            observe(enterprise, actor=Actor.system("demo"), source="status_report", **fresh)


def _scene(size: tuple[int, int], colour: tuple[int, int, int]) -> bytes:
    """A small drawn picture (a workshop with a door and windows) standing in for a phone photo."""
    image = Image.new("RGB", size, (186, 214, 235))
    draw = ImageDraw.Draw(image)
    w, h = size
    draw.rectangle([0, int(h * 0.7), w, h], fill=(120, 110, 90))
    draw.rectangle([int(w * 0.15), int(h * 0.3), int(w * 0.85), int(h * 0.75)], fill=colour)
    draw.rectangle([int(w * 0.45), int(h * 0.5), int(w * 0.55), int(h * 0.75)], fill=(60, 50, 40))
    for left in (0.22, 0.65):
        draw.rectangle([int(w * left), int(h * 0.4), int(w * (left + 0.1)), int(h * 0.5)], fill=(230, 240, 250))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _photos(ctx: dict, visit: Visit) -> None:
    """清河源's labour problem was raised during the latest visit: the visit has a photo of the workshop and
    the problem one of its own (uploaded by the enterprise), so the problem lists both."""
    db.session.flush()
    problem = db.session.scalar(select(Problem).where(Problem.title == "熟练工招不到，生产线开工不足"))
    problem.visit_id = visit.id
    if ctx.get("upload_dir") is None:
        return
    users = ctx["users"]
    photos.store(_scene((800, 600), (205, 92, 72)), upload_dir=ctx["upload_dir"],
                 uploader_id=users["liaison_ma"].id, visit_id=visit.id)
    photos.store(_scene((640, 480), (96, 140, 110)), upload_dir=ctx["upload_dir"],
                 uploader_id=users["ent_qhy"].id, problem_id=problem.id)
