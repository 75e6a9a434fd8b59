"""Probe every GET of the OpenAPI document as every demo account, against objects of 清河源 (临夏县)."""

import re

from sqlalchemy import select

from services.db import db
from services.models import (
    ArrearsCase, CommonProblem, Department, EarlyWarning, Enterprise, ExportJob, Match, MatchingSession, Need, OutboxMessage,
    Problem, Region, StatusReport, Task, User, Visit,
)

ACCOUNTS = ["admin", "auditor", "gs_coord", "lx_coord", "lz_coord", "lxx_coord", "kl_coord", "lx_viewer",
            "liaison_ma", "liaison_li", "ent_qhy", "ent_bs", "dept_lxx_gxj", "dept_lx_jrb", "dept_lx_rsj", "bank_lxns"]
SKIP = {"/healthz", "/readyz", "/api/v1/openapi.json"}


def targets(app) -> dict:
    """Path parameters: objects that belong to 清河源's side of the demo."""
    with app.app_context():
        qhy = db.session.scalar(select(Enterprise.id).where(Enterprise.name.contains("清河源")))
        return {
            "enterprise_id": qhy,
            "problem_id": db.session.scalar(select(Problem.id).where(Problem.enterprise_id == qhy).order_by(Problem.id)),
            # 清河源's task at 临夏县工信局 (dept_lxx_gxj): the first one dispatched to it.
            "task_id": db.session.scalar(select(Task.id).join(Problem, Problem.id == Task.problem_id).where(
                Problem.enterprise_id == qhy, Task.department_id == select(Department.id).where(
                    Department.name == "临夏县工业和信息化局").scalar_subquery()).order_by(Task.id)),
            "visit_id": db.session.scalar(select(Visit.id).where(Visit.enterprise_id == qhy).order_by(Visit.id)),
            "warning_id": db.session.scalar(select(EarlyWarning.id).where(EarlyWarning.region_id == select(Region.id).where(
                Region.code == "622921").scalar_subquery()).order_by(EarlyWarning.id)),
            "case_id": db.session.scalar(select(ArrearsCase.id).where(ArrearsCase.creditor_enterprise_id == qhy)
                                         .order_by(ArrearsCase.id)),
            "common_id": db.session.scalar(select(CommonProblem.id).order_by(CommonProblem.id)),
            "user_id": db.session.scalar(select(User.id).where(User.username == "liaison_ma")),
            "region_id": db.session.scalar(select(Region.id).where(Region.code == "622921")),
            # 清河源's sales need (清真牛羊肉), its signed match with 百盛超市, the 银企对接会 held by the prefecture.
            "need_id": db.session.scalar(select(Need.id).where(Need.enterprise_id == qhy, Need.kind == "sales")
                                         .order_by(Need.id)),
            "match_id": db.session.scalar(select(Match.id).where(Match.status == "signed").order_by(Match.id)),
            "session_id": db.session.scalar(select(MatchingSession.id).order_by(MatchingSession.id)),
            # lx_coord's export job of the demo (queued): its requester's alone.
            "job_id": db.session.scalar(select(ExportJob.id).where(ExportJob.state == "queued").order_by(ExportJob.id)),
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
