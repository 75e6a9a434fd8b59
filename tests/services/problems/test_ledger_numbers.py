"""Ledger numbers (LX-<year>-<six digits>): one yearly sequence, never a duplicate, even when filers race;
on PostgreSQL filers do not wait for each other (a per-year sequence), on SQLite an upserted counter."""

import os
import re
import threading

import pytest
from sqlalchemy import insert

from services.db import db, unit_of_work
from services.models import LedgerCounter
from services.problems.commands import next_number

on_postgres = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL (make test-pg)")
on_sqlite = pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")), reason="SQLite's behaviour")


def _take(year: int) -> str:
    with unit_of_work():
        return next_number(year)


def _serial(number: str) -> int:
    return int(number.rsplit("-", 1)[1])


def _race(app, year: int, threads: int = 8, each: int = 15) -> list[str]:
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock, start = threading.Lock(), threading.Barrier(threads)

    def filer():
        try:
            with app.app_context():
                start.wait(30)
                for _ in range(each):
                    number = _take(year)
                    with lock:
                        numbers.append(number)
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    pool = [threading.Thread(target=filer) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(120)
    assert not errors, errors
    return numbers


def test_a_number_names_its_year_with_six_digits_and_the_next_is_one_more(app):
    with app.app_context():
        first, second = _take(2030), _take(2030)
    assert re.fullmatch(r"LX-2030-\d{6}", first)
    assert _serial(second) == _serial(first) + 1


def test_a_year_goes_on_after_the_highest_number_its_counter_gave(app):
    with app.app_context():
        with unit_of_work():
            db.session.execute(insert(LedgerCounter).values(year=2031, last=41))
        assert _take(2031) == "LX-2031-000042"


def test_a_year_already_in_use_goes_on_after_its_highest_number(app, login_as, demo):
    from tests.services.problems.helpers import file

    filed = file(login_as("lxx_coord"), demo)
    year = int(filed["number"].split("-")[1])
    with app.app_context():
        assert _serial(_take(year)) == _serial(filed["number"]) + 1


def test_eight_racing_filers_never_get_the_same_number(app):
    numbers = _race(app, 2032)
    assert len(numbers) == 8 * 15 and len(set(numbers)) == len(numbers)


@on_postgres
def test_on_postgresql_the_first_filers_of_a_new_year_race_to_one_sequence(app):
    numbers = _race(app, 2033, threads=8, each=2)
    assert sorted(map(_serial, numbers)) == list(range(1, 17))


@on_postgres
def test_on_postgresql_a_rolled_back_filing_leaves_a_gap_that_is_never_reused(app):
    with app.app_context():
        first = _take(2034)
        next_number(2034)
        db.session.rollback()
        assert _serial(_take(2034)) == _serial(first) + 2


@on_sqlite
def test_on_sqlite_a_rolled_back_filing_gives_its_number_back(app):
    with app.app_context():
        first = _take(2034)
        next_number(2034)
        db.session.rollback()
        assert _serial(_take(2034)) == _serial(first) + 1


def test_problems_filed_at_once_over_http_get_distinct_numbers(live_server, demo):
    sessions = [live_server.login("lxx_coord") for _ in range(4)]
    enterprise_id = demo.enterprise_id("清河源")
    numbers: list[str] = []
    statuses: list[int] = []

    def post(session, n):
        for i in range(3):
            response = session.post(live_server.url + "problems", json={
                "enterprise_id": enterprise_id, "category": "financing", "title": f"并发登记 {n}-{i}",
                "scope": "county"})
            statuses.append(response.status_code)
            if response.status_code == 201:
                numbers.append(response.json()["number"])

    pool = [threading.Thread(target=post, args=(session, n)) for n, session in enumerate(sessions)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(120)
    assert statuses == [201] * 12
    assert len(set(numbers)) == 12
