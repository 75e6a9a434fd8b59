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


def test_readyz_is_503_when_the_database_is_unreachable(make_app):
    app = make_app(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://nobody@127.0.0.1:1/none",
                   SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 1}})
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["code"] == "service_unavailable"


def test_api_requests_are_503_not_500_when_the_database_is_down(make_app):
    app = make_app(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://nobody@127.0.0.1:1/none",
                   SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 1}})
    response = app.test_client().post("/api/v1/auth/login", json={"username": "a", "password": "b"})
    assert response.status_code == 503
    assert response.get_json()["code"] == "service_unavailable"
