"""problem stints (办理段), backfilled from the problem events; problems.referred_to

Revision ID: 0004_stints
Revises: 0003
Create Date: 2026-12-01 10:00:00

Every existing problem gets its stints by replaying its events: `create` opens the county's stint,
`escalate` / `return` / `reclassify` end the holder's stint and open the next one, `accept` sets the
stint's accepted and due times (the due time from the event), approved extensions and the working days
paused by `supply_info` move the deadlines, and a closing, rejecting or withdrawing event ends the last
one. The last stint still running takes the problem row's own deadlines, which are authoritative.
"""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0004_stints'
down_revision = '0003'
branch_labels = None
depends_on = None

MOVES = ("escalate", "return", "reclassify")
ENDS = {"close": "close", "reject": "reject", "withdraw": "withdraw"}


def upgrade():
    op.create_table('problem_stints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('problem_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('arrived_at', sa.DateTime(), nullable=False),
    sa.Column('acceptance_due_at', sa.DateTime(), nullable=True),
    sa.Column('accepted_at', sa.DateTime(), nullable=True),
    sa.Column('due_at', sa.DateTime(), nullable=True),
    sa.Column('left_at', sa.DateTime(), nullable=True),
    sa.Column('left_by', sa.String(length=32), nullable=True),
    sa.Column('paused_seconds', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['problem_id'], ['problems.id'], name=op.f('fk_problem_stints_problem_id_problems'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_problem_stints_region_id_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_problem_stints'))
    )
    with op.batch_alter_table('problem_stints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_problem_stints_left_at'), ['left_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_problem_stints_problem_id'), ['problem_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_problem_stints_region_id'), ['region_id'], unique=False)
    with op.batch_alter_table('problems', schema=None) as batch_op:
        batch_op.add_column(sa.Column('referred_to', sa.String(length=200), nullable=True))
    _backfill(op.get_bind())


def downgrade():
    with op.batch_alter_table('problem_stints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_problem_stints_region_id'))
        batch_op.drop_index(batch_op.f('ix_problem_stints_problem_id'))
        batch_op.drop_index(batch_op.f('ix_problem_stints_left_at'))
    op.drop_table('problem_stints')
    # A plain ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35, PostgreSQL): a batch copy of `problems` would fail
    # on SQLite with foreign keys on, since other tables reference it.
    op.drop_column('problems', 'referred_to')


# ------------------------------------------------------------------------------------ data migration

def _settings():
    """Acceptance days and time zone as the running app is configured (defaults without an app)."""
    try:
        from flask import current_app
        return int(current_app.config.get("ACCEPTANCE_DAYS", 2)), ZoneInfo(current_app.config.get("TIMEZONE") or "Asia/Shanghai")
    except RuntimeError:
        return 2, ZoneInfo("Asia/Shanghai")


def _naive_utc(value):
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


class _Calendar:
    def __init__(self, bind, zone):
        self.zone = zone
        self.exceptions = {(d if isinstance(d, date) else date.fromisoformat(str(d))): bool(w)
                           for d, w in bind.execute(sa.text("SELECT day, is_workday FROM calendar_days"))}

    def _workday(self, day: date) -> bool:
        return self.exceptions.get(day, day.weekday() < 5)

    def add(self, start: datetime, days: int) -> datetime:
        """Same rule as services/problems/deadlines.add_working_days, on naive UTC values."""
        if start is None or days <= 0:
            return start
        local = start.replace(tzinfo=timezone.utc).astimezone(self.zone)
        day, counted = local.date(), 0
        while counted < days:
            day += timedelta(days=1)
            if self._workday(day):
                counted += 1
        return local.replace(year=day.year, month=day.month, day=day.day).astimezone(timezone.utc).replace(tzinfo=None)


def _backfill(bind):
    acceptance_days, zone = _settings()
    calendar = _Calendar(bind, zone)
    regions = {row.id: row for row in bind.execute(sa.text("SELECT id, parent_id, level FROM regions"))}
    problems = list(bind.execute(sa.text(
        "SELECT p.id, p.status, p.level, p.owning_region_id, p.arrived_at, p.created_at, p.acceptance_due_at, "
        "p.accepted_at, p.due_at, p.closed_at, p.rejected_at, p.withdrawn_at, e.region_id AS county_id "
        "FROM problems p JOIN enterprises e ON e.id = p.enterprise_id ORDER BY p.id")))
    events: dict[int, list] = {}
    for row in bind.execute(sa.text("SELECT problem_id, action, to_status, to_level, data, at FROM problem_events "
                                    "ORDER BY problem_id, id")):
        events.setdefault(row.problem_id, []).append(row)
    stints = sa.table("problem_stints", *[sa.column(n) for n in (
        "problem_id", "region_id", "level", "arrived_at", "acceptance_due_at", "accepted_at", "due_at", "left_at",
        "left_by", "paused_seconds")])
    rows = []
    for problem in problems:
        rows.extend(_replay(problem, events.get(problem.id, []), regions, calendar, acceptance_days))
    if rows:
        bind.execute(stints.insert(), rows)


def _ancestor_at(regions, county_id, level):
    region = regions.get(county_id)
    while region is not None and region.level != level:
        region = regions.get(region.parent_id)
    return region.id if region is not None else None


def _data(value) -> dict:
    if isinstance(value, str):
        import json
        value = json.loads(value or "{}")
    return value or {}


def _replay(problem, events, regions, calendar, acceptance_days) -> list[dict]:
    done: list[dict] = []
    current = None
    paused_from = None

    def start(region_id, level, at, carry=None):
        return {"problem_id": problem.id, "region_id": region_id, "level": level, "arrived_at": at,
                "acceptance_due_at": carry["acceptance_due_at"] if carry else calendar.add(at, acceptance_days),
                "accepted_at": carry["accepted_at"] if carry else None,
                "due_at": carry["due_at"] if carry else None,
                "left_at": None, "left_by": None, "paused_seconds": 0}

    for event in events:
        at = _naive_utc(event.at)
        data = _data(event.data)
        if event.action == "create" or current is None:
            current = start(problem.county_id, "county", at)
            if event.action == "create":
                continue
        if event.action == "accept":
            current["accepted_at"] = at
            current["due_at"] = _naive_utc(data.get("due_at")) or current["due_at"]
        elif event.action in MOVES:
            current["left_at"], current["left_by"] = at, event.action
            done.append(current)
            level = event.to_level or current["level"]
            region_id = _ancestor_at(regions, problem.county_id, level) or current["region_id"]
            carry = current if event.action == "reclassify" else None
            current = start(region_id, level, at, carry)
        elif event.action == "request_info":
            paused_from = at
        elif event.action == "supply_info":
            if paused_from is not None:
                current["paused_seconds"] += max(0, int((at - paused_from).total_seconds()))
            paused = int(data.get("paused_working_days") or 0)
            if paused:
                if current["due_at"] is not None:
                    current["due_at"] = calendar.add(current["due_at"], paused)
                if current["accepted_at"] is None and current["acceptance_due_at"] is not None:
                    current["acceptance_due_at"] = calendar.add(current["acceptance_due_at"], paused)
            paused_from = None
        elif event.action == "decide_extension" and data.get("approve"):
            current["due_at"] = _naive_utc(data.get("due_at")) or current["due_at"]
        if event.action in ENDS or (event.action == "feedback" and event.to_status == "closed"):
            current["left_at"], current["left_by"] = at, ENDS.get(event.action, "feedback")
            done.append(current)
            current = None

    if current is None and not done:  # a row written without events: its current fields are all there is
        current = start(problem.owning_region_id, problem.level, _naive_utc(problem.arrived_at or problem.created_at))
    if current is not None:
        if current["region_id"] == problem.owning_region_id:
            current["acceptance_due_at"] = _naive_utc(problem.acceptance_due_at)
            current["accepted_at"] = _naive_utc(problem.accepted_at)
            current["due_at"] = _naive_utc(problem.due_at)
        end = problem.closed_at or problem.rejected_at or problem.withdrawn_at
        if problem.status in ("closed", "rejected", "withdrawn") and end is not None:
            current["left_at"] = _naive_utc(end)
            current["left_by"] = {"closed": "close", "rejected": "reject", "withdrawn": "withdraw"}[problem.status]
        done.append(current)
    return done
