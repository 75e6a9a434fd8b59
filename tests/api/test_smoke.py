"""The app starts, serves its docs and answers a signed-in user."""


def test_healthz_answers_without_a_token(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_reports_the_database_reachable(client):
    assert client.get("/readyz").status_code == 200


def test_me_describes_the_signed_in_user(login_as):
    me = login_as("lxx_coord").get("me")
    assert me.status_code == 200
    assert me.get_json()["role"] == "coordinator"
    assert me.get_json()["region"]["code"] == "622921"
