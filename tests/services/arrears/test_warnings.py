"""A month that ended with less repaid than planned opens a warning (yellow; two months behind, orange), kept by
the scan, closed when the repayments catch up."""

from sqlalchemy import select

from services import monitoring
from services.db import db
from services.models import EarlyWarning
from tests.services.arrears.helpers import QHY, file_case, first_of, put_plan, repay


def _warning(app, case_id):
    with app.app_context():
        return db.session.scalar(select(EarlyWarning).where(EarlyWarning.subject == f"arrears:{case_id}",
                                                       EarlyWarning.state != "closed"))


def test_one_ended_month_behind_plan_is_a_yellow_warning(app, login_as, demo):
    coord = login_as("lxx_coord")
    case = file_case(coord, demo.enterprise_id(QHY), amount_10k="300.00")
    put_plan(coord, case, [(-1, "100.00"), (0, "100.00"), (1, "100.00")])
    warning = _warning(app, case["id"])
    assert warning.severity == "yellow" and warning.type == "arrears_behind"
    assert warning.detail["months_behind"] == 1 and warning.detail["shortfall_10k"] == "100.00"


def test_two_months_behind_is_orange_and_listed_for_the_county(app, login_as, demo):
    coord = login_as("lxx_coord")
    case = file_case(coord, demo.enterprise_id(QHY), amount_10k="300.00")
    put_plan(coord, case, [(-2, "100.00"), (-1, "100.00"), (0, "100.00")])
    assert _warning(app, case["id"]).severity == "orange"
    items = coord.get("warnings?type=arrears_behind&state=open&limit=100").get_json()["items"]
    assert case["id"] in [w["detail"]["arrears_case_id"] for w in items]


def test_the_month_now_running_is_not_behind_yet(app, login_as, demo):
    coord = login_as("lxx_coord")
    case = file_case(coord, demo.enterprise_id(QHY), amount_10k="300.00")
    put_plan(coord, case, [(0, "100.00"), (1, "200.00")])
    assert _warning(app, case["id"]) is None


def test_catching_up_closes_the_warning(app, login_as, demo):
    coord = login_as("lxx_coord")
    case = file_case(coord, demo.enterprise_id(QHY), amount_10k="300.00")
    put_plan(coord, case, [(-2, "100.00"), (-1, "100.00"), (0, "100.00")])
    repay(coord, case["id"], "150.00", paid_on=first_of(-1))
    assert _warning(app, case["id"]).detail["months_behind"] == 1
    repay(coord, case["id"], "50.00")
    assert _warning(app, case["id"]) is None


def test_the_scan_opens_what_the_writer_missed_and_changes_nothing_twice(app, login_as, demo):
    coord = login_as("lxx_coord")
    case = file_case(coord, demo.enterprise_id(QHY), amount_10k="300.00")
    put_plan(coord, case, [(-1, "100.00"), (0, "200.00")])
    with app.app_context():
        db.session.execute(EarlyWarning.__table__.delete().where(EarlyWarning.subject == f"arrears:{case['id']}"))
        db.session.commit()
        assert monitoring.scan().opened
        assert not monitoring.scan().changed
    assert _warning(app, case["id"]) is not None


def test_the_demo_case_behind_plan_has_an_orange_warning(app):
    with app.app_context():
        warnings = db.session.scalars(select(EarlyWarning).where(EarlyWarning.type == "arrears_behind",
                                                            EarlyWarning.state == "open")).all()
    assert [w.severity for w in warnings] == ["orange"]
