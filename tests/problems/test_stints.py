"""办理段 (stints): moving a problem never erases the holding task force's record."""

import csv
import io

from tests.problems.helpers import do

REOPENED = "LX-2026-000013"  # demo: 康乐县康美, accepted 44 days ago at the county, reopened twice, red overdue
KANGLE = "622922"


def _find(session, number):
    (item,) = session.get("problems", query_string={"q": number}).get_json()["items"]
    return item


def _county_figures(session, demo):
    region = demo.region_id(KANGLE)
    dashboard = session.get(f"dashboard?region={region}").get_json()
    rows = session.get(f"assessments?region={demo.region_id('622900')}").get_json()["rows"]
    (county,) = [r for r in rows if r["region"]["code"] == KANGLE]
    return dashboard["problems"]["overdue"], county["on_time_rate"], county["counts"]["open_overdue"]


def _export_row(session, number):
    text = session.get("problems/export.csv", query_string={"q": number}).get_data(as_text=True).lstrip("\ufeff")
    header, row = list(csv.reader(io.StringIO(text)))
    return dict(zip(header, row, strict=True))


def test_reclassifying_and_escalating_an_overdue_problem_keeps_it_on_the_countys_record(login_as, demo):
    kl, lx = login_as("kl_coord"), login_as("lx_coord")
    problem = _find(kl, REOPENED)
    before = _county_figures(lx, demo)
    accepted_before = _export_row(kl, REOPENED)["受理时间"]
    (red,) = [w for w in lx.get("warnings", query_string={"state": "open"}).get_json()["items"]
              if w["problem_id"] == problem["id"] and w["type"] == "overdue"]
    assert red["severity"] == "red" and accepted_before

    do(kl, problem["id"], "reclassify", {"scope": "cross_county", "reason": "涉及多个县的供电线路"})
    moved = do(kl, problem["id"], "escalate", {"reason": "提请州专班协调"})
    assert moved["level"] == "prefecture" and moved["status"] == "pending"

    assert _county_figures(lx, demo) == before
    assert _export_row(kl, REOPENED)["受理时间"] == accepted_before
    warning = lx.get(f"warnings/{red['id']}").get_json()
    assert warning["state"] != "closed" and warning["severity"] == "red"
