"""州直部门考核: the quarterly assessment of every department under a region, from its tasks and the feedback
on the problems it led — sign-in timeliness, on-time reports, refusals, satisfaction, reopens, a weighted
score and the rank."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case, func, or_, select

from services import audit
from services.actors import Actor
from services.assessment import Quarter
from services.db import db, unit_of_work, utcnow
from services.models import Department, ProblemEvent, Region, Task
from services.models.tasks import LEAD
from services.reporting import ratio, region_brief, report_region

METRICS = ("sign_on_time_rate", "report_on_time_rate", "refusal_rate", "satisfaction_rate", "reopen_rate")
# Lower is better: they count as 1 − rate in the score.
INVERSE = ("refusal_rate", "reopen_rate")
SATISFIED = ("satisfied", "basically_satisfied")
COUNT_NAMES = ("dispatched", "lead_tasks", "sign_counted", "signed_on_time", "report_counted", "reported_on_time",
               "refused", "rated", "satisfied", "led_rated_problems", "led_reopened_problems")


def _sum_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _task_counts(sink: dict, department_ids: list[int], q: Quarter, as_of: datetime) -> None:
    """Tasks dispatched in the quarter. Sign-in: signed by its deadline ÷ (signed + still unsigned past it while
    on the desk); a refused task answered and is counted as a refusal only. Report: reported by the due date ÷
    (reported + past due while still open, or ended past due without a report); refused and recalled
    tasks are not the department's late work."""
    left = func.coalesce(Task.ended_at, as_of)
    stmt = (select(Task.department_id, func.count(Task.id), _sum_if(Task.role == LEAD),
                   _sum_if(or_(Task.signed_at.is_not(None),
                               and_(Task.refusal_reason.is_(None), Task.sign_due_at < left))),
                   _sum_if(Task.signed_on_time.is_(True)),
                   _sum_if(or_(Task.reported_at.is_not(None),
                               and_(Task.refusal_reason.is_(None), Task.recall_reason.is_(None),
                                    Task.due_at < left))),
                   _sum_if(and_(Task.reported_at.is_not(None), Task.reported_at <= Task.due_at)),
                   _sum_if(Task.refusal_reason.is_not(None)))
            .where(Task.department_id.in_(department_ids), Task.dispatched_at >= q.start_utc,
                   Task.dispatched_at < q.end_utc, Task.dispatched_at < as_of)
            .group_by(Task.department_id))
    for department_id, *values in db.session.execute(stmt):
        for name, value in zip(COUNT_NAMES[:7], values, strict=True):
            sink[department_id][name] += int(value or 0)


def _feedback_counts(sink: dict, department_ids: list[int], q: Quarter) -> None:
    """Feedback given in the quarter on problems a department led: the lead task that had reported before
    the verdict (and was not refused or recalled) is the department's."""
    rating = ProblemEvent.data["rating"].as_string()
    stmt = (select(Task.department_id, ProblemEvent.id, ProblemEvent.problem_id, rating)
            .join(Task, and_(Task.problem_id == ProblemEvent.problem_id, Task.role == LEAD,
                             Task.reported_at.is_not(None), Task.signed_at <= ProblemEvent.at,
                             Task.status.not_in(("refused", "recalled"))))
            .where(ProblemEvent.action == "feedback", ProblemEvent.at >= q.start_utc, ProblemEvent.at < q.end_utc,
                   Task.department_id.in_(department_ids))
            .distinct())
    rated: dict = {}
    for department_id, event_id, problem_id, verdict in db.session.execute(stmt):
        rated.setdefault(department_id, {})[event_id] = (problem_id, verdict)
    for department_id, events in rated.items():
        counts = sink[department_id]
        counts["rated"] += len(events)
        counts["satisfied"] += sum(1 for _, v in events.values() if v in SATISFIED)
        counts["led_rated_problems"] += len({p for p, _ in events.values()})
        counts["led_reopened_problems"] += len({p for p, v in events.values() if v == "unsatisfied"})


def metrics(c: dict) -> dict:
    """The rates of one department from its counts."""
    return {
        "sign_on_time_rate": ratio(c["signed_on_time"], c["sign_counted"]),
        "report_on_time_rate": ratio(c["reported_on_time"], c["report_counted"]),
        "refusal_rate": ratio(c["refused"], c["dispatched"]),
        "satisfaction_rate": ratio(c["satisfied"], c["rated"]),
        "reopen_rate": ratio(c["led_reopened_problems"], c["led_rated_problems"]),
    }


def score_rows(rows: list[dict], weights: dict[str, float]) -> None:
    """Score 0–100 as the county assessment: rates as they are, refusal and reopen rates as 1 − rate; an
    indicator with nothing to measure (None) earns no points and keeps its weight. Ties share a rank."""
    for row in rows:
        total = weight_sum = 0.0
        for name in METRICS:
            weight = float(weights.get(name, 0) or 0)
            if weight <= 0:
                continue
            weight_sum += weight
            value = row[name]
            if value is not None:
                total += weight * ((1.0 - value) if name in INVERSE else value)
        row["score"] = round(100 * total / weight_sum, 1) if weight_sum else 0.0
    scored = sorted((r["score"] for r in rows), reverse=True)
    for row in rows:
        row["rank"] = scored.index(row["score"]) + 1


def assess(*, actor: Actor, weights: dict[str, float], region: int | None = None, quarter: str | None = None,
           now: datetime | None = None) -> dict:
    """Every department of a region ranked for a quarter. Raises Forbidden, NotFound (region out of scope), ValidationFailed."""
    root = report_region(actor, region)
    q = Quarter.parse(quarter)
    as_of = min(now or utcnow(), q.end_utc)
    departments = list(db.session.execute(
        select(Department, Region).join(Region, Region.id == Department.region_id)
        .where(Region.path.startswith(root.path, autoescape=True)).order_by(Region.path, Department.id)))
    ids = [d.id for d, _ in departments]
    sink: dict = {i: dict.fromkeys(COUNT_NAMES, 0) for i in ids}
    _task_counts(sink, ids, q, as_of)
    _feedback_counts(sink, ids, q)
    rows = [{"department_id": d.id, "department_name": d.name, "region_id": r.id, "region_name": r.name,
             "dispatched": sink[d.id]["dispatched"], "lead_tasks": sink[d.id]["lead_tasks"],
             **metrics(sink[d.id]), "counts": sink[d.id]} for d, r in departments]
    score_rows(rows, weights)
    rows.sort(key=lambda r: (r["rank"], r["department_id"]))
    return {"quarter": str(q), "region": region_brief(root),
            "weights": {name: float(weights.get(name, 0) or 0) for name in METRICS}, "rows": rows}


EXPORT_HEADERS = {"sign_on_time_rate": "按时签收率", "report_on_time_rate": "按期反馈率", "refusal_rate": "退单率",
                  "satisfaction_rate": "满意率", "reopen_rate": "重办率"}


def export(*, actor: Actor, weights: dict[str, float], region: int | None = None,
           quarter: str | None = None) -> tuple[str, str, bytes]:
    """The department assessment as an .xlsx: (file name, ASCII file name, content)."""
    from services.exports import Column, columns, xlsx_bytes

    result = assess(actor=actor, weights=weights, region=region, quarter=quarter)
    with unit_of_work():
        audit.record(actor, "department_assessment.exported", "region", result["region"]["id"],
                     {"format": "xlsx", "quarter": result["quarter"]})
    cols = [*columns(("排名", "int"), "部门", "所属区划", ("交办任务数", "int"), ("主办任务数", "int")),
            *[Column(EXPORT_HEADERS[m], "percent") for m in METRICS], *columns(("综合得分", "number"))]
    rows = [[r["rank"], r["department_name"], r["region_name"], r["dispatched"], r["lead_tasks"],
             *[r[m] for m in METRICS], r["score"]] for r in result["rows"]]
    base = f"department-assessment-{result['region']['code']}-{result['quarter']}.xlsx"
    name = f"部门考核-{result['region']['name']}-{result['quarter']}.xlsx"
    return name, base, xlsx_bytes([("部门考核", cols, rows)])
