"""Bench data (`flask bench-data`): a province's worth of enterprises and problems on top of the demo data.

The demo accounts keep their scopes (their regions gain enterprises and problems; no demo row changes); the
rest of 甘肃省 (services/benchdata/regions.py) gets regions, departments, one coordinator per task force and
liaisons (`bench_coord_<code>`, `bench_liaison_<code>_<n>`, the demo password). Rows are written in bulk
(services/benchdata/writer.py) in chunks, one transaction each; ids are given explicitly and the PostgreSQL
sequences moved past them at the end.

POST_LOAD_HOOKS is where denormalised data other parts of the app keep is filled for the bulk rows (the
problems' region columns, the dashboard's daily figures): each hook is called once, in its own transaction,
with the Loaded summary, after every row is in and before ANALYZE."""

from __future__ import annotations

import math
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, text

from services import figures, passwords
from services.benchdata import regions as province
from services.benchdata import rows as make
from services.benchdata.writer import BulkWriter, create_indexes, drop_indexes, fast_sqlite, secondary_indexes
from services.db import db, unit_of_work, utcnow
from services.errors import Conflict, NotFound, ValidationFailed
from services.models import Department, LedgerCounter, Problem, Region, User
from services.problems.commands import NUMBER_PREFIX
from services.reference import add_region
from services.roles import Role

BENCH_PREFIX = "bench_"
PASSWORD = "Demo@2026"  # the demo's (services/demo/base.py): the bench accounts log in like the demo's
ENTERPRISES_PER_LIAISON = 60
ENTERPRISE_CHUNK = 50_000
PROBLEM_CHUNK = 20_000
# From this many problems on, the secondary indexes of the bulk tables are dropped and built again afterwards.
REBUILD_INDEXES_FROM = 200_000
BULK_TABLES = ("enterprises", "enterprise_tags", "assignments", "visits", "problems", "problem_events",
               "problem_stints", "tasks")


@dataclass
class Loaded:
    """What one run wrote: id ranges (first, last; inclusive) and row counts per table."""

    problems: tuple[int, int]
    enterprises: tuple[int, int]
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def _rebuild_dashboard_figures(_loaded: Loaded) -> None:
    """The 日调度 figures the write path keeps (services.figures): bulk rows bypass its session hooks."""
    figures.rebuild(db.session.connection())


# Called after the load as hook(loaded) inside its own unit of work: the fill functions of denormalised tables
# that the bulk rows bypass. The problems' scope columns need none: the rows carry them (rows.PROBLEM_COLUMNS)
# and the triggers of problem_counts count them as they go in.
POST_LOAD_HOOKS: list[Callable[[Loaded], None]] = [_rebuild_dashboard_figures]


def has_bench_data() -> bool:
    """Whether an earlier run left bench accounts in the database."""
    return db.session.scalar(select(User.id).where(User.username.startswith(BENCH_PREFIX)).limit(1)) is not None


def _ledger_lasts() -> dict[int, int]:
    """The last ledger number taken per year: the counters' and the problems' own (on PostgreSQL the numbers
    come from a sequence per year and the counter row stays behind)."""
    lasts = {c.year: c.last for c in db.session.scalars(select(LedgerCounter))}
    for number in db.session.scalars(select(Problem.number)):
        prefix, year, serial = number.split("-")
        if prefix == NUMBER_PREFIX and year.isdigit() and serial.isdigit():
            lasts[int(year)] = max(lasts.get(int(year), 0), int(serial))
    return lasts


def _advance_ledger_sequences(lasts: dict[int, int]) -> None:
    """PostgreSQL: move each year's ledger sequence that already exists past the numbers written in bulk (one
    not yet made starts after them by itself: ledger_next_number())."""
    if db.engine.dialect.name != "postgresql":
        return
    for year, last in lasts.items():
        name = f"ledger_number_{year}"
        if db.session.scalar(text("SELECT to_regclass(:name)"), {"name": name}) is not None:
            db.session.execute(text("SELECT setval(CAST(:name AS regclass), GREATEST(:last, "
                                    "(SELECT last_value FROM " + name + ")))"), {"name": name, "last": last})


def generate(*, problems: int, enterprises: int, append: bool = False, seed: int = 18,
             log: Callable[[str], None] = lambda _line: None) -> Loaded:
    """Write `enterprises` enterprises and `problems` problems with their history over the province; returns
    what was written. Raises ValidationFailed (a negative count, or problems without enterprises), NotFound
    (no demo data: `flask seed-demo` first), Conflict (bench data already there and `append` not given)."""
    if problems < 0 or enterprises < 0 or (problems and not enterprises):
        raise ValidationFailed("问题数与企业数须为非负整数，且有问题时须有企业")
    started = time.monotonic()
    rng = random.Random(seed if not append else seed + int(time.time()))
    now = utcnow().replace(tzinfo=None)
    with fast_sqlite():
        with unit_of_work():
            if db.session.scalar(select(Region.id).where(Region.code == "620000")) is None:
                raise NotFound("数据库中没有演示数据：请先运行 flask seed-demo")
            if has_bench_data() and not append:
                raise Conflict("数据库中已有压测数据；如需追加请加 --append")
            writer = BulkWriter()
            counties, drawn = _province(writer, rng, enterprises, now)
        log(f"区划与账号就绪：{len(counties)} 个县区")
        first_enterprise, firms = _enterprises(writer, rng, counties, drawn, now, log)
        first_problem = _problems(writer, rng, firms, problems, now, log)
        with unit_of_work():
            writer.sync_sequences(("users", "departments", *[t for t in BULK_TABLES if t != "enterprise_tags"]))
        loaded = Loaded(problems=(first_problem, first_problem + problems - 1),
                        enterprises=(first_enterprise, first_enterprise + enterprises - 1),
                        counts=dict(writer.written))
        for hook in POST_LOAD_HOOKS:
            with unit_of_work():
                hook(loaded)
            log(f"已运行装载后处理：{getattr(hook, '__name__', hook)}")
        with unit_of_work():
            writer.analyze()
    loaded.seconds = time.monotonic() - started
    return loaded


def _province(writer: BulkWriter, rng: random.Random, enterprises: int,
              now: datetime) -> tuple[list[make.County], list[int]]:
    """Regions, departments and accounts of every county (created where missing); the counties with their
    liaisons for this run's enterprises, and the county (an index into them) of each enterprise to write."""
    by_code = {r.code: r for r in db.session.scalars(select(Region))}
    top = by_code["620000"]
    for code, name, _ in province.PREFECTURES:
        if code not in by_code:
            by_code[code] = add_region(code=code, name=name, level="prefecture", parent=top)
    for code, name, parent in province.COUNTIES:
        if code not in by_code:
            by_code[code] = add_region(code=code, name=name, level="county", parent=by_code[parent])
    db.session.flush()
    names = {d.name for d in db.session.scalars(select(Department))}
    for code in [c for c, _, _ in province.PREFECTURES] + [c for c, _, _ in province.COUNTIES]:
        region = by_code[code]
        for suffix, industries in province.DEPARTMENT_KINDS:
            name = province.short_name(region.name) + suffix
            if name not in names:
                db.session.add(Department(name=name, region_id=region.id, industries=industries))
                names.add(name)
    db.session.flush()
    departments: dict[int, list[tuple[int, list[str]]]] = {}
    for d in db.session.scalars(select(Department).order_by(Department.id)):
        departments.setdefault(d.region_id, []).append((d.id, list(d.industries or [])))

    existing = {u.username: u for u in db.session.scalars(select(User).where(User.username.startswith(BENCH_PREFIX)))}
    hashed = passwords.hash_password(PASSWORD)
    stamp = make.ts(now)
    user_id = writer.next_id("users")
    users = []

    def account(username: str, name: str, role: str, region: Region, department_id: int | None) -> int:
        nonlocal user_id
        if username in existing:
            return existing[username].id
        users.append((user_id, username, name, role, region.id, department_id, hashed, True, 0, stamp, "[]",
                      False, stamp, stamp, 1))
        user_id += 1
        return user_id - 1

    coordinators = {top.id: account(f"{BENCH_PREFIX}coord_620000", "省专班 压测", Role.COORDINATOR, top, None)}
    for code, name, _ in province.PREFECTURES:
        region = by_code[code]
        coordinators[region.id] = account(f"{BENCH_PREFIX}coord_{code}", f"{province.short_name(name)}专班 压测",
                                          Role.COORDINATOR, region, None)
    weights = {code: weight for code, _, weight in province.PREFECTURES}
    per_prefecture = Counter(parent for _, _, parent in province.COUNTIES)
    counties, county_weights = [], []
    for code, name, parent in province.COUNTIES:
        region, prefecture = by_code[code], by_code[parent]
        coordinators[region.id] = account(f"{BENCH_PREFIX}coord_{code}", f"{name}专班 压测", Role.COORDINATOR,
                                          region, None)
        lat, lon = province.CENTRES[parent]
        counties.append(make.County(region.id, code, name, prefecture.id, top.id,
                                    {region.id: coordinators[region.id], prefecture.id: coordinators[prefecture.id],
                                     top.id: coordinators[top.id]}, departments,
                                    lat=lat + rng.uniform(-0.4, 0.4), lon=lon + rng.uniform(-0.4, 0.4)))
        district = 1.6 if name.endswith(("区", "市")) else 1.0
        county_weights.append(weights[parent] / per_prefecture[parent] * district * rng.lognormvariate(0, 0.4))
    picker = make.Picker(list(zip(range(len(counties)), county_weights, strict=True)))
    drawn = [picker(rng) for _ in range(enterprises)]
    for index, count in sorted(Counter(drawn).items()):
        county = counties[index]
        department = next((d for d, _ in departments.get(county.region_id, [])), None)
        have = sum(1 for u in existing if u.startswith(f"{BENCH_PREFIX}liaison_{county.code}_"))
        for n in range(have + 1, have + 1 + math.ceil(count / ENTERPRISES_PER_LIAISON)):
            county.liaisons.append(account(f"{BENCH_PREFIX}liaison_{county.code}_{n}", f"{county.name}联络员{n}",
                                           Role.LIAISON, by_code[county.code], department))
    writer.write("users", ("id", "username", "name", "role", "region_id", "department_id", "password_hash",
                           "is_active", "failed_logins", "password_changed_at", "password_history", "mfa_enabled",
                           "created_at", "updated_at", "version"), users)
    return counties, drawn


def _enterprises(writer: BulkWriter, rng: random.Random, counties: list[make.County], drawn: list[int],
                 now: datetime, log) -> tuple[int, list[make.Firm]]:
    """The enterprises, their tags and liaison assignments, in chunks; returns the first id and the firms."""
    count = len(drawn)
    with unit_of_work():
        first = writer.next_id("enterprises")
        assignment_id = writer.next_id("assignments")
    firms: list[make.Firm] = []
    started_on = (now.date().replace(day=1)).isoformat()
    stamp = make.ts(now)
    for offset in range(0, count, ENTERPRISE_CHUNK):
        with unit_of_work():
            rows, tags, chunk = make.enterprise_rows(rng, first + offset, counties,
                                                     drawn[offset:offset + ENTERPRISE_CHUNK], now)
            writer.write("enterprises", make.ENTERPRISE_COLUMNS, rows)
            writer.write("enterprise_tags", ("enterprise_id", "tag"), tags)
            assignments = []
            for firm in chunk:
                department = next((d for d, _ in firm.county.departments.get(firm.county.region_id, [])), None)
                assignments.append((assignment_id, "liaison", firm.liaison_id, firm.id, department, started_on,
                                    stamp, stamp))
                assignment_id += 1
            writer.write("assignments", ("id", "kind", "user_id", "enterprise_id", "department_id", "started_on",
                                         "created_at", "updated_at"), assignments)
            firms += chunk
        log(f"企业 {min(offset + ENTERPRISE_CHUNK, count)}/{count}")
    return first, firms


def _problems(writer: BulkWriter, rng: random.Random, firms: list[make.Firm], count: int, now: datetime,
              log) -> int:
    """The problems and their history, in chunks (secondary indexes dropped and rebuilt for large loads);
    the ledger counters continue past the numbers taken. Returns the first problem id."""
    if not count:
        with unit_of_work():
            return writer.next_id("problems")
    with unit_of_work():
        ids = {t: writer.next_id(t) for t in ("problems", "problem_events", "problem_stints", "tasks", "visits")}
        counters = _ledger_lasts()
        indexes = secondary_indexes(BULK_TABLES) if count >= REBUILD_INDEXES_FROM else []
        drop_indexes(indexes)
    first = ids["problems"]
    maker = make.ProblemMaker(rng, firms, now, ids=ids, counters=counters)
    draws = maker.draws(count)
    for offset in range(0, count, PROBLEM_CHUNK):
        with unit_of_work():
            batch = maker.batch(draws[offset:offset + PROBLEM_CHUNK])
            writer.write("visits", make.VISIT_COLUMNS, batch.visits)
            writer.write("problems", make.PROBLEM_COLUMNS, batch.problems)
            writer.write("problem_events", make.EVENT_COLUMNS, batch.events)
            writer.write("problem_stints", make.STINT_COLUMNS, batch.stints)
            writer.write("tasks", make.TASK_COLUMNS, batch.tasks)
        log(f"问题 {min(offset + PROBLEM_CHUNK, count)}/{count}")
    with unit_of_work():
        for year, last in counters.items():
            counter = db.session.get(LedgerCounter, year)
            if counter is None:
                db.session.add(LedgerCounter(year=year, last=last))
            else:
                counter.last = max(counter.last, last)
        _advance_ledger_sequences(counters)
        if indexes:
            log(f"重建 {len(indexes)} 个索引")
            create_indexes(indexes)
    return first
