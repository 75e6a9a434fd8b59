"""Each role sees exactly its scope: outside it an object does not exist (404); inside it,
an action the role may not take is 403."""

import pytest

# demo enterprise name parts and the accounts that can see them
QHY = "清河源"          # 临夏县, liaison_ma, ent_qhy
BAISHENG = "百盛超市"   # 康乐县, liaison_li, ent_bs
LIAORUAN = "燎原乳业"   # 永靖县, nobody's liaison
LANZHOU = "金城智造"    # 兰州城关区

VISIBLE = {
    "admin": {QHY, BAISHENG, LIAORUAN, LANZHOU},
    "gs_coord": {QHY, BAISHENG, LIAORUAN, LANZHOU},
    "lx_coord": {QHY, BAISHENG, LIAORUAN},
    "lz_coord": {LANZHOU},
    "lxx_coord": {QHY},
    "kl_coord": {BAISHENG},
    "lx_viewer": {QHY, BAISHENG, LIAORUAN},
    "liaison_ma": {QHY},
    "liaison_li": {BAISHENG},
    "ent_qhy": {QHY},
    "ent_bs": {BAISHENG},
}
MATRIX = [(user, name, name in seen) for user, seen in VISIBLE.items() for name in (QHY, BAISHENG, LIAORUAN, LANZHOU)]


@pytest.mark.parametrize(("username", "name", "visible"), MATRIX)
def test_enterprise_is_visible_exactly_in_scope(login_as, demo, username, name, visible):
    response = login_as(username).get(f"enterprises/{demo.enterprise_id(name)}")
    assert response.status_code == (200 if visible else 404)


@pytest.mark.parametrize("username", list(VISIBLE))
def test_out_of_scope_404_is_the_same_as_a_missing_id(login_as, demo, username):
    session = login_as(username)
    hidden = [n for n in (QHY, BAISHENG, LIAORUAN, LANZHOU) if n not in VISIBLE[username]]
    missing = session.get("enterprises/999999").get_json()
    for name in hidden:
        assert session.get(f"enterprises/{demo.enterprise_id(name)}").get_json() == missing


def _all_names(session):
    names, cursor = [], None
    while True:
        body = session.get("enterprises", query_string={"limit": 100, **({"cursor": cursor} if cursor else {})}).get_json()
        names += [item["name"] for item in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            return names


def test_a_liaison_lists_only_current_assignments(login_as):
    names = _all_names(login_as("liaison_ma"))
    assert len(names) == 4
    assert any(QHY in n for n in names)
    assert not any("马家牛肉面馆" in n for n in names), "an ended assignment grants nothing"


def test_an_enterprise_user_lists_only_itself(login_as):
    names = _all_names(login_as("ent_bs"))
    assert len(names) == 1 and BAISHENG in names[0]


def test_a_county_coordinator_lists_only_its_county(login_as):
    names = _all_names(login_as("kl_coord"))
    assert names and all(n.startswith("康乐县") for n in names)


def test_a_prefecture_sees_its_whole_subtree_and_nothing_else(login_as):
    names = _all_names(login_as("lx_coord"))
    assert len(names) == 38
    assert not any(n.startswith("兰州") for n in names)


@pytest.mark.parametrize("username", ["lx_viewer", "ent_bs", "liaison_li"])
def test_roles_that_may_not_edit_an_enterprise_get_403_in_scope(login_as, demo, username):
    session = login_as(username)
    target = demo.enterprise_id(BAISHENG)
    etag = session.get(f"enterprises/{target}").headers["ETag"]
    response = session.patch(f"enterprises/{target}", json={"tags": ["key"]}, headers={"If-Match": etag})
    assert response.status_code == 403
    assert response.get_json()["code"] == "forbidden"


def test_a_viewer_is_404_not_403_outside_its_region(login_as, demo):
    response = login_as("lx_viewer").patch(f"enterprises/{demo.enterprise_id(LANZHOU)}", json={"address": "x"},
                                           headers={"If-Match": '"1"'})
    assert response.status_code == 404


def test_an_enterprise_user_corrects_its_own_contact(login_as, demo):
    session = login_as("ent_bs")
    target = demo.enterprise_id(BAISHENG)
    etag = session.get(f"enterprises/{target}").headers["ETag"]
    response = session.patch(f"enterprises/{target}", json={"contact_phone": "13800001111"}, headers={"If-Match": etag})
    assert response.status_code == 200
    assert response.get_json()["contact_phone"] == "13800001111"


@pytest.mark.parametrize(("username", "masked"), [
    ("admin", False), ("lxx_coord", False), ("lx_coord", False), ("liaison_ma", False), ("ent_qhy", False),
    ("lx_viewer", True),
])
def test_contact_phones_are_masked_for_viewers(login_as, demo, username, masked):
    phone = login_as(username).get(f"enterprises/{demo.enterprise_id(QHY)}").get_json()["contact_phone"]
    assert ("****" in phone) is masked
    assert len(phone) == 11


def test_viewer_lists_are_masked_too(login_as):
    items = login_as("lx_viewer").get("enterprises").get_json()["items"]
    assert items and all("****" in item["contact_phone"] for item in items)


def test_assignments_of_a_liaison_are_its_own(login_as, demo):
    items = login_as("liaison_li").get("assignments").get_json()["items"]
    assert items and {i["user_id"] for i in items} == {demo.user_id("liaison_li")}


def test_a_county_coordinator_sees_only_assignments_in_its_county(login_as, demo):
    items = login_as("kl_coord").get("assignments", query_string={"limit": 100}).get_json()["items"]
    allowed = {demo.enterprise_id(n) for n in ("百盛超市", "康美", "莲麓")}
    assert items and {i["enterprise_id"] for i in items} <= allowed
