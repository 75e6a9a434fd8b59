"""The demo data loads once and matches API.md."""

from sqlalchemy import func, select

from services.demo import load
from services.models import Assignment, Enterprise, Region, User


def test_loading_twice_creates_nothing_new(db_session):
    before = {m.__name__: db_session.scalar(select(func.count()).select_from(m)) for m in (Region, Enterprise, User)}
    assert load() is False
    after = {m.__name__: db_session.scalar(select(func.count()).select_from(m)) for m in (Region, Enterprise, User)}
    assert before == after


def test_the_demo_has_the_regions_of_api_md(db_session):
    codes = set(db_session.scalars(select(Region.code)))
    assert {"620000", "622900", "622901", "622921", "622922", "622923", "622924", "622925", "622926", "622927",
            "620100", "620102"} <= codes
    assert db_session.scalar(select(Region.level).where(Region.name == "临夏经济开发区")) == "county"


def test_the_demo_has_about_forty_enterprises_with_valid_codes(db_session):
    from services.credit_code import is_valid

    codes = list(db_session.scalars(select(Enterprise.credit_code)))
    assert 35 <= len(codes) <= 50
    assert all(is_valid(code) for code in codes)


def test_the_demo_liaisons_have_their_enterprises(db_session):
    def names(username):
        return list(db_session.scalars(select(Enterprise.name).join(Assignment, Assignment.enterprise_id == Enterprise.id)
                                       .join(User, User.id == Assignment.user_id)
                                       .where(User.username == username, Assignment.ended_on.is_(None))))

    assert len(names("liaison_ma")) >= 3 and any("清河源" in n for n in names("liaison_ma"))
    assert len(names("liaison_li")) >= 2 and any("百盛超市" in n for n in names("liaison_li"))


def test_a_demo_problem_lists_its_visits_photo_and_its_own(login_as):
    session = login_as("ent_qhy")
    item = session.get("problems", query_string={"q": "熟练工招不到"}).get_json()["items"][0]
    photos = session.get(f"problems/{item['id']}").get_json()["photos"]
    assert len(photos) == 2
    for photo in photos:
        served = session.get(photo["thumbnail_url"])
        assert served.status_code == 200 and served.mimetype == "image/jpeg"
    staff = login_as("liaison_ma").get("visits").get_json()["items"][0]
    assert staff["photos"] and staff["problem_ids"] == [item["id"]]
