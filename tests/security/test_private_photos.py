"""Photos are scoped personal data: no shared cache or browser keeps them, seen through a real server."""

import io

import pytest
import requests
from PIL import Image

from tests.conftest import PASSWORD


@pytest.fixture
def photo(login_as, demo):
    liaison = login_as("liaison_ma")
    problem = liaison.get(f"problems?enterprise={demo.enterprise_id('清河源')}").get_json()["items"][0]
    out = io.BytesIO()
    Image.new("RGB", (400, 300), (10, 120, 200)).save(out, "JPEG")
    response = liaison.post(f"problems/{problem['id']}/photos", data={"file": (io.BytesIO(out.getvalue()), "a.jpg",
                                                                               "image/jpeg")},
                            content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    return response.get_json()


@pytest.mark.parametrize("which", ["url", "thumbnail_url"])
def test_a_photo_is_served_private_and_not_stored(live_server, photo, which):
    with requests.Session() as http:
        token = http.post(f"{live_server.url}auth/login",
                          json={"username": "liaison_ma", "password": PASSWORD}).json()["access_token"]
        response = http.get(live_server.base + photo[which], headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "public" not in response.headers["Cache-Control"]
    assert "Authorization" in response.headers["Vary"]
