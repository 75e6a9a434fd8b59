"""The ledger's scope columns: every problem carries its enterprise's county, prefecture and province
(problems.county_id / prefecture_id / province_id), so a regional actor's list is one equality on its level's
column and walks an index in order (services/actors.py problem_clause). Filing copies them
(services/models/problems.py, before insert); an enterprise that moves carries its problems along
(follow_enterprise); bulk loaders fill them afterwards in one statement (fill_problem_regions).

The exact counts per (county, status, category) that `?count=true` sums live in `problem_counts`, kept by
database triggers on `problems` (migration 0010_problem_scope) in the transaction that writes the problem:
problem_total() answers from them when the filters allow, else returns None and the caller counts rows."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import aliased

from services.db import db
from services.filters import one_of
from services.models import Enterprise, Problem, ProblemCount, Region
from services.models.problems import SCOPE_LEVELS, region_ancestry

# The filters problem_counts can answer (every other filter needs the rows counted).
COUNTED_FILTERS = ("status", "category")


def scope_column(level: str | None):
    """The problems column that holds the id of the enterprise's region at `level` (None: no such level)."""
    return getattr(Problem, f"{level}_id") if level in SCOPE_LEVELS else None


def follow_enterprise(enterprise_id: int, region: Region) -> int:
    """The enterprise moved to `region`: its problems' scope columns follow it (one UPDATE; the triggers move
    their counts). No commit: the enterprise's edit commits. Returns the number of problems moved."""
    result = db.session.execute(update(Problem).where(Problem.enterprise_id == enterprise_id)
                                .values(**region_ancestry(region.path))
                                .execution_options(synchronize_session="evaluate"))
    return result.rowcount


def missing_regions_update(*, only_missing: bool = True):
    """The UPDATE … FROM fill_problem_regions runs (by default only on the problems still without a county), for
    callers holding a bare connection (services.figures.rebuild)."""
    county, prefecture = aliased(Region), aliased(Region)
    stmt = (update(Problem)
            .where(Enterprise.id == Problem.enterprise_id, county.id == Enterprise.region_id,
                   prefecture.id == county.parent_id)
            .values(county_id=county.id, prefecture_id=prefecture.id, province_id=prefecture.parent_id)
            .execution_options(synchronize_session=False))
    if only_missing:
        stmt = stmt.where(Problem.county_id.is_(None))
    return stmt


def fill_problem_regions(*, only_missing: bool = True) -> int:
    """Set the scope columns of every problem (by default only those still NULL, e.g. after a bulk INSERT) from
    its enterprise's county and the regions above it, in one UPDATE … FROM. No commit (the caller's
    transaction: a loader calls it after inserting and commits both). Returns the number of rows set."""
    return db.session.execute(missing_regions_update(only_missing=only_missing)).rowcount


def recount_problem_counts() -> None:
    """Rebuild problem_counts from the problems (a loader that bypassed the triggers; the migration). No commit."""
    db.session.execute(ProblemCount.__table__.delete())
    keys = [func.coalesce(Problem.province_id, 0), func.coalesce(Problem.prefecture_id, 0),
            func.coalesce(Problem.county_id, 0), Problem.status, Problem.category]
    db.session.execute(ProblemCount.__table__.insert().from_select(
        ["province_id", "prefecture_id", "county_id", "status", "category", "n"],
        select(*keys, func.count()).group_by(*keys)))


def _given(value) -> bool:
    return value is not None and value != "" and value != []


def problem_total(actor, filters: dict) -> int | None:
    """The exact number of problems `list_problems(actor=actor, **filters)` selects, summed from problem_counts,
    or None when the filters or the actor's scope are not what the counts are kept by (count the rows then).
    Admins (every problem) and coordinators/viewers (their region's subtree) with no filters or only `status`
    and `category` are answered here."""
    if any(_given(value) for key, value in filters.items() if key not in COUNTED_FILTERS):
        return None
    stmt = select(func.coalesce(func.sum(ProblemCount.n), 0))
    if actor.is_regional:
        if actor.region_level not in SCOPE_LEVELS or actor.region_id is None:
            return None
        stmt = stmt.where(getattr(ProblemCount, f"{actor.region_level}_id") == actor.region_id)
    elif not actor.is_admin:
        return None
    for key in COUNTED_FILTERS:
        clause = one_of(getattr(ProblemCount, key), filters.get(key))
        if clause is not None:
            stmt = stmt.where(clause)
    return int(db.session.scalar(stmt))
