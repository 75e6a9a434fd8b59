"""GET /warnings, GET /warnings/{id}, POST /warnings/{id}/acknowledge: scope, filters, roles."""

import pytest
from sqlalchemy import delete, select

from services.models import Enterprise, EarlyWarning


@pytest.fixture
def warnings(db_session, demo):
    """Our own warnings on demo enterprises (the demo's own are cleared so the demo may grow)."""
    db_session.execute(delete(EarlyWarning))
    made = {}
    for key, name, type_, severity, state in (
            ("qhy", "临夏县清河源", "halted", "orange", "open"),
            ("jl", "临夏县俊林", "no_visit", "yellow", "acknowledged"),
            ("ma", "临夏县马家", "employment_drop", "red", "open"),
            ("bs", "康乐县百盛", "halted", "orange", "open"),
            ("ld", "永靖县燎原", "halted", "yellow", "closed")):
        firm = db_session.get(Enterprise, demo.enterprise_id(name))
        warning = EarlyWarning(type=type_, severity=severity, state=state, subject=f"enterprise:{firm.id}",
                          enterprise_id=firm.id, region_id=firm.region_id)
        db_session.add(warning)
        db_session.flush()
        made[key] = warning.id
    db_session.commit()
    return made


def _ids(response):
    assert response.status_code == 200, response.get_json()
    return {item["id"] for item in response.get_json()["items"]}


def test_a_county_coordinator_lists_the_warnings_of_its_county(login_as, warnings):
    assert _ids(login_as("lxx_coord").get("warnings")) == {warnings["qhy"], warnings["jl"], warnings["ma"]}


def test_a_prefecture_viewer_lists_its_subtree(login_as, warnings):
    assert _ids(login_as("lx_viewer").get("warnings?limit=100")) == set(warnings.values())


def test_a_liaison_lists_the_warnings_of_its_enterprises_only(login_as, warnings):
    assert _ids(login_as("liaison_ma").get("warnings")) == {warnings["qhy"], warnings["jl"]}


def test_an_enterprise_user_may_not_list_warnings(login_as, warnings):
    assert login_as("ent_qhy").get("warnings").status_code == 403
    assert login_as("ent_qhy").get(f"warnings/{warnings['qhy']}").status_code == 403


@pytest.mark.parametrize(("query", "keys"), [
    ("state=open", {"qhy", "ma", "bs"}), ("state=closed", {"ld"}), ("severity=orange", {"qhy", "bs"}),
    ("type=no_visit", {"jl"}), ("state=open&severity=red", {"ma"}),
])
def test_warnings_filter_by_state_severity_and_type(login_as, warnings, query, keys):
    assert _ids(login_as("lx_coord").get(f"warnings?{query}")) == {warnings[k] for k in keys}


def test_warnings_filter_by_region_subtree(login_as, warnings, demo):
    coordinator = login_as("lx_coord")
    assert _ids(coordinator.get(f"warnings?region={demo.region_id('622922')}")) == {warnings["bs"]}
    assert len(_ids(coordinator.get(f"warnings?region={demo.region_id('622900')}&limit=100"))) == 5


@pytest.mark.parametrize("query", ["state=gone", "severity=blue", "type=x", "region=0", "limit=101"])
def test_bad_warning_filters_are_refused(login_as, query):
    assert login_as("lx_coord").get(f"warnings?{query}").status_code == 422


def test_a_warning_outside_the_scope_is_not_found(login_as, warnings):
    assert login_as("kl_coord").get(f"warnings/{warnings['qhy']}").status_code == 404
    assert login_as("kl_coord").get("warnings/2147483647").status_code == 404


def test_a_warning_is_read_with_its_etag(login_as, warnings):
    response = login_as("lxx_coord").get(f"warnings/{warnings['qhy']}")
    assert response.status_code == 200
    assert response.get_json()["type"] == "halted" and response.headers["ETag"] == '"1"'


def test_a_coordinator_acknowledges_an_open_warning(login_as, warnings, db_session, demo):
    response = login_as("lxx_coord").post(f"warnings/{warnings['qhy']}/acknowledge", json={"note": "已电话联系企业"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["state"] == "acknowledged" and body["acknowledge_note"] == "已电话联系企业"
    assert body["acknowledged_by_id"] == demo.user_id("lxx_coord") and body["acknowledged_at"]


def test_acknowledging_twice_is_an_invalid_transition(login_as, warnings):
    coordinator = login_as("lxx_coord")
    assert coordinator.post(f"warnings/{warnings['qhy']}/acknowledge", json={"note": "知悉"}).status_code == 200
    again = coordinator.post(f"warnings/{warnings['qhy']}/acknowledge", json={"note": "知悉"})
    assert again.status_code == 409
    assert again.get_json()["code"] == "invalid_transition" and again.get_json()["current_status"] == "acknowledged"


def test_a_closed_warning_cannot_be_acknowledged(login_as, warnings):
    assert login_as("lx_coord").post(f"warnings/{warnings['ld']}/acknowledge", json={"note": "知悉"}).status_code == 409


@pytest.mark.parametrize("username", ["lx_viewer", "liaison_ma"])
def test_viewers_and_liaisons_may_not_acknowledge(login_as, warnings, username):
    response = login_as(username).post(f"warnings/{warnings['qhy']}/acknowledge", json={"note": "知悉"})
    assert response.status_code == 403


def test_a_coordinator_cannot_acknowledge_another_countys_warning(login_as, warnings):
    assert login_as("kl_coord").post(f"warnings/{warnings['qhy']}/acknowledge", json={"note": "x"}).status_code == 404


@pytest.mark.parametrize("body", [{}, {"note": "  "}, {"note": "x" * 501}, {"note": "好", "state": "closed"}])
def test_an_acknowledgement_needs_a_note_and_nothing_else(login_as, warnings, body):
    assert login_as("lxx_coord").post(f"warnings/{warnings['qhy']}/acknowledge", json=body).status_code == 422


def test_a_stale_if_match_on_acknowledge_is_refused(login_as, warnings):
    response = login_as("lxx_coord").post(f"warnings/{warnings['qhy']}/acknowledge", json={"note": "知悉"},
                                          headers={"If-Match": '"7"'})
    assert response.status_code == 412


def test_acknowledging_is_audited(login_as, warnings, db_session):
    from services.models import AuditLog

    login_as("lxx_coord").post(f"warnings/{warnings['qhy']}/acknowledge", json={"note": "知悉"})
    row = db_session.scalar(select(AuditLog).where(AuditLog.action == "warning.acknowledged"))
    assert row is not None and row.object_id == str(warnings["qhy"])


def test_the_demo_has_warnings_after_its_scan(db_session):
    assert db_session.scalar(select(EarlyWarning.id).limit(1)) is not None
