"""Configuration: secrets from the environment, generated once in development."""

import pytest

from api import create_app
from api.config import load_secrets


def test_production_refuses_to_start_without_secrets(tmp_path):
    with pytest.raises(RuntimeError, match="JWT_SECRET_KEY"):
        load_secrets({"APP_ENV": "production", "INSTANCE_DIR": tmp_path, "JWT_SECRET_KEY": None,
                      "AUDIT_HMAC_KEY": None})


def test_development_generates_secrets_once_and_keeps_them(tmp_path):
    first = {"APP_ENV": "development", "INSTANCE_DIR": tmp_path, "JWT_SECRET_KEY": None, "AUDIT_HMAC_KEY": None}
    second = dict(first)
    load_secrets(first)
    load_secrets(second)
    assert first["JWT_SECRET_KEY"] == second["JWT_SECRET_KEY"]
    assert len(first["JWT_SECRET_KEY"]) >= 32
    assert (tmp_path / "jwt_secret_key.txt").stat().st_mode & 0o777 == 0o600


def test_sqlite_runs_in_wal_mode_with_foreign_keys(app):
    from services.db import db

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite only")
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_the_app_factory_accepts_overrides(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db", "INSTANCE_DIR": tmp_path,
                      "UPLOAD_DIR": tmp_path / "up", "TIMEZONE": "Asia/Urumqi", "JWT_SECRET_KEY": "k" * 40,
                      "AUDIT_HMAC_KEY": "h" * 40})
    assert app.config["TIMEZONE"] == "Asia/Urumqi"
    from services.timeutil import set_zone

    set_zone("Asia/Shanghai")
