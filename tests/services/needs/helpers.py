"""Shared bodies and look-ups of the 对接 tests."""

import sqlalchemy as sa

FINANCING = {"amount_10k": 120, "term_months": 12, "purpose": "购置冷库设备", "guarantee": "credit"}
LABOR = {"posts": [{"title": "分拣工", "count": 3}, {"title": "叉车司机", "count": 1, "wage_from": 4000,
                                                     "wage_to": 5000}], "start_by": "2099-01-01"}


def trade(product: str, **extra) -> dict:
    return {"product": product, "quantity": 10, "unit": "吨", **extra}


def publish(session, kind: str, details: dict, **extra):
    response = session.post("needs", json={"kind": kind, "details": details, **extra})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def need_id(demo, *, enterprise: str, kind: str, status: str | None = None) -> int:
    from services.models import Enterprise, Need

    stmt = sa.select(Need.id).join(Enterprise, Enterprise.id == Need.enterprise_id).where(
        Enterprise.name.contains(enterprise), Need.kind == kind)
    if status:
        stmt = stmt.where(Need.status == status)
    return demo._one(stmt.order_by(Need.id))


def notified(demo, username: str, kind: str) -> list[str]:
    from services.db import db
    from services.models import Notification, User

    with demo.app.app_context():
        return list(db.session.scalars(sa.select(Notification.title).join(User, User.id == Notification.user_id)
                                       .where(User.username == username, Notification.kind == kind)
                                       .order_by(Notification.id)))
