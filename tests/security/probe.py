"""Probe every GET of the OpenAPI document as every demo account, against objects of 清河源 (临夏县)."""

import re

from sqlalchemy import select

from services.db import db
from services.models import (
    CommonProblem, Enterprise, OutboxMessage, Problem, Region, StatusReport, User, Visit, Warning,
)

ACCOUNTS = ["admin", "auditor", "gs_coord", "lx_coord", "lz_coord", "lxx_coord", "kl_coord", "lx_viewer",
            "liaison_ma", "liaison_li", "ent_qhy", "ent_bs"]
SKIP = {"/healthz", "/readyz", "/api/v1/openapi.json"}


def targets(app) -> dict:
    """Path parameters: objects that belong to 清河源's side of the demo."""
    with app.app_context():
        qhy = db.session.scalar(select(Enterprise.id).where(Enterprise.name.contains("清河源")))
        return {
            "enterprise_id": qhy,
            "problem_id": db.session.scalar(select(Problem.id).where(Problem.enterprise_id == qhy).order_by(Problem.id)),
            "visit_id": db.session.scalar(select(Visit.id).where(Visit.enterprise_id == qhy).order_by(Visit.id)),
            "warning_id": db.session.scalar(select(Warning.id).where(Warning.region_id == select(Region.id).where(
                Region.code == "622921").scalar_subquery()).order_by(Warning.id)),
            "common_id": db.session.scalar(select(CommonProblem.id).order_by(CommonProblem.id)),
            "user_id": db.session.scalar(select(User.id).where(User.username == "liaison_ma")),
            "region_id": db.session.scalar(select(Region.id).where(Region.code == "622921")),
            "department_id": 1, "policy_id": 1, "version": 1, "photo_id": 999999,
            "message_id": db.session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id)) or 1,
            "token": "1.forged-token-that-no-one-signed",
            "period": db.session.scalar(select(StatusReport.period).where(StatusReport.enterprise_id == qhy)
                                        .order_by(StatusReport.period.desc())),
        }


def get_paths(spec: dict, params: dict) -> list[str]:
    paths = []
    for path, operations in spec["paths"].items():
        if "get" in operations and path not in SKIP and not path.startswith("/api/v1/docs"):
            paths.append(re.sub(r"\{(\w+)\}", lambda m: str(params[m.group(1)]), path))
    return sorted(paths)
