"""办理段 (stints): each time a task force holds a problem is one row, ended and never rewritten.

A stint is *overdue* when its acceptance deadline passed before it was accepted, or its due deadline
passed before it ended, counting only the time its clock ran: while the problem awaits info the clock
stands still (and the deadlines move by the working days it waited once the info comes back). An ended
stint that was overdue stays overdue for good: sending a problem up, down or sideways never clears it.

`overdue_clause` (SQL) and `is_overdue` (Python) are the same rule; lists, the dashboard, warnings,
exports and the assessment all read it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import aliased

from services.models import Problem, ProblemStint
from services.models.problems import FINAL

# Actions that end the holding task force's stint although the problem stays open.
MOVES = ("escalate", "return", "reclassify")


def open_stint(problem: Problem, at: datetime) -> ProblemStint:
    """A new stint at the problem's current holder, with the problem's current deadlines. No flush."""
    stint = ProblemStint(problem_id=problem.id, region_id=problem.owning_region_id, level=problem.level,
                         arrived_at=at, acceptance_due_at=problem.acceptance_due_at,
                         accepted_at=problem.accepted_at, due_at=problem.due_at, paused_seconds=0)
    problem.stints.append(stint)
    return stint


def current(problem: Problem) -> ProblemStint | None:
    """The stint still running (none once the problem is closed, rejected or withdrawn)."""
    running = [s for s in problem.stints if s.left_at is None]
    return running[-1] if running else None


def _end(stint: ProblemStint, at: datetime, action: str) -> None:
    stint.left_at, stint.left_by = at, action


def _copy_deadlines(stint: ProblemStint, problem: Problem) -> None:
    stint.acceptance_due_at = problem.acceptance_due_at
    stint.accepted_at = problem.accepted_at
    stint.due_at = problem.due_at


def after_action(problem: Problem, action: str, *, at: datetime, paused_since: datetime | None,
                 previous: tuple[int, str, datetime | None, datetime | None, datetime | None]) -> None:
    """Bring the stints in line with what an action just did to the problem.

    `previous` is the holder's (region id, level, acceptance due, accepted, due) before the action:
    the stint that ends keeps the deadlines it had, the next one starts from the problem's new ones."""
    stint = current(problem)
    if stint is None:
        if problem.stints:  # ended for good (closed, rejected, withdrawn): comments and the like change nothing
            return
        stint = record_current(problem)  # a row written without the workflow: its record starts now
        if stint.left_at is not None:
            return
    if action == "supply_info" and paused_since is not None:
        stint.paused_seconds = (stint.paused_seconds or 0) + max(0, int((at - paused_since).total_seconds()))
    if action in MOVES:
        region_id, level, acceptance_due_at, accepted_at, due_at = previous
        stint.region_id, stint.level = region_id, level
        stint.acceptance_due_at, stint.accepted_at, stint.due_at = acceptance_due_at, accepted_at, due_at
        _end(stint, at, action)
        open_stint(problem, at)
        return
    _copy_deadlines(stint, problem)
    if problem.status in FINAL:
        _end(stint, at, action)


def record_current(problem: Problem) -> ProblemStint:
    """One stint from a problem's current fields (for rows written without the workflow)."""
    stint = open_stint(problem, problem.arrived_at or problem.created_at)
    end = problem.closed_at or problem.rejected_at or problem.withdrawn_at
    if problem.status in FINAL and end is not None:
        _end(stint, end, {"closed": "close", "rejected": "reject", "withdrawn": "withdraw"}[problem.status])
    return stint


# --------------------------------------------------------------------------- the overdue rule

def is_overdue(stint: ProblemStint, problem: Problem, at: datetime) -> bool:
    """Did this stint pass a deadline while its clock ran, as of `at`?"""
    end = clock_end(stint, problem, at)
    if stint.due_at is not None and stint.due_at < end:
        return True
    if stint.acceptance_due_at is not None:
        accepted = stint.accepted_at if stint.accepted_at is not None and stint.accepted_at < end else end
        if stint.acceptance_due_at < accepted:
            return True
    return False


def clock_end(stint: ProblemStint, problem: Problem, at: datetime) -> datetime:
    """Where the stint's clock stands at `at`: its leaving, or the moment it began awaiting info."""
    end = stint.left_at if stint.left_at is not None and stint.left_at < at else at
    if stint.left_at is None and problem.status == "awaiting_info" and problem.info_requested_at is not None:
        end = min(end, problem.info_requested_at)
    return end


def due_overdue(stint: ProblemStint, problem: Problem, at: datetime) -> bool:
    """Only the due deadline (办理超期), same clock as is_overdue."""
    return stint.due_at is not None and stint.due_at < clock_end(stint, problem, at)


def overdue_clause(stint, problem, at: datetime):
    """SQL: the stint (an aliased ProblemStint) of `problem` was overdue as of `at` (see is_overdue)."""
    running = stint.left_at.is_(None)
    stopped = and_(running, problem.status == "awaiting_info", problem.info_requested_at.is_not(None))
    due_late = and_(stint.due_at.is_not(None), stint.due_at < at, or_(running, stint.due_at < stint.left_at),
                    ~and_(stopped, problem.info_requested_at <= stint.due_at))
    acceptance_late = and_(stint.acceptance_due_at.is_not(None), stint.acceptance_due_at < at,
                           or_(running, stint.acceptance_due_at < stint.left_at),
                           or_(stint.accepted_at.is_(None), stint.acceptance_due_at < stint.accepted_at),
                           ~and_(stopped, problem.info_requested_at <= stint.acceptance_due_at))
    return or_(due_late, acceptance_late)


def has_overdue_stint(at: datetime, *, problem=Problem, region_ids=None, region_column=None):
    """SQL EXISTS: the problem has a stint overdue as of `at` (held by one of `region_ids`, or by the
    region in `region_column`, when given)."""
    stint = aliased(ProblemStint)
    conditions = [stint.problem_id == problem.id, overdue_clause(stint, problem, at)]
    if region_ids is not None:
        conditions.append(stint.region_id.in_(region_ids))
    if region_column is not None:
        conditions.append(stint.region_id == region_column)
    return exists(select(stint.id).where(*conditions))

