"""Every write is audited in its own transaction, hash-chained and verifiable."""

from sqlalchemy import select, update

from services import audit
from services.models import AuditLog


def _patch_address(session, enterprise_id, address="新地址"):
    path = f"enterprises/{enterprise_id}"
    etag = session.get(path).headers["ETag"]
    return session.patch(path, json={"address": address}, headers={"If-Match": etag, "X-Request-ID": "req-audit-1"})


def test_a_write_appends_an_audit_row_with_actor_ip_and_request_id(login_as, demo, db_session):
    assert _patch_address(login_as("lxx_coord"), demo.enterprise_id("清河源")).status_code == 200
    row = db_session.scalar(select(AuditLog).where(AuditLog.action == "enterprise.updated"))
    assert row.actor_username == "lxx_coord"
    assert row.object_type == "enterprise" and row.object_id == str(demo.enterprise_id("清河源"))
    assert row.ip == "127.0.0.1" and row.request_id == "req-audit-1"
    assert row.data == {"fields": ["address"]}


def test_a_refused_write_leaves_no_audit_row(login_as, demo, db_session):
    session = login_as("lxx_coord")
    path = f"enterprises/{demo.enterprise_id('清河源')}"
    assert session.patch(path, json={"address": "x"}, headers={"If-Match": '"9"'}).status_code == 412
    assert db_session.scalar(select(AuditLog.id).where(AuditLog.action == "enterprise.updated")) is None


def test_the_chain_verifies_after_many_writes(login_as, demo, app):
    session = login_as("lxx_coord")
    for n in range(5):
        _patch_address(session, demo.enterprise_id("清河源"), f"地址{n}")
    with app.app_context():
        result = audit.verify()
    assert result.ok and result.checked >= 6


def test_a_tampered_row_is_caught_and_named(login_as, demo, app):
    session = login_as("lxx_coord")
    for n in range(3):
        _patch_address(session, demo.enterprise_id("清河源"), f"地址{n}")
    with app.app_context():
        from services.db import db

        victim = db.session.scalar(select(AuditLog).where(AuditLog.action == "enterprise.updated").order_by(AuditLog.seq))
        db.session.execute(update(AuditLog).where(AuditLog.id == victim.id).values(actor_username="someone_else"))
        db.session.commit()
        result = audit.verify()
    assert not result.ok
    assert result.broken_id == victim.id


def test_a_deleted_middle_row_is_caught(login_as, demo, app):
    session = login_as("lxx_coord")
    for n in range(3):
        _patch_address(session, demo.enterprise_id("清河源"), f"地址{n}")
    with app.app_context():
        from services.db import db

        seqs = list(db.session.scalars(select(AuditLog.seq).order_by(AuditLog.seq)))
        db.session.execute(AuditLog.__table__.delete().where(AuditLog.seq == seqs[1]))
        db.session.commit()
        result = audit.verify()
    assert not result.ok and result.broken_seq == seqs[2]


def test_the_cli_reports_a_sound_chain_and_fails_on_a_broken_one(login_as, demo, app):
    _patch_address(login_as("lxx_coord"), demo.enterprise_id("清河源"))
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["audit-verify"])
    assert ok.exit_code == 0 and "审计链完整" in ok.output
    with app.app_context():
        from services.db import db

        db.session.execute(update(AuditLog).values(data={"forged": True}))
        db.session.commit()
    broken = runner.invoke(args=["audit-verify"])
    assert broken.exit_code == 1
    assert "审计链断裂" in broken.output


def test_failed_logins_are_audited(client, db_session):
    client.post("auth/login", json={"username": "lxx_coord", "password": "Wrong@2026"})
    row = db_session.scalar(select(AuditLog).where(AuditLog.action == "auth.login_failed"))
    assert row is not None and row.actor_username == "lxx_coord"


def test_only_admins_read_the_audit_log(login_as):
    assert login_as("lx_coord").get("audit").status_code == 403
    assert login_as("admin").get("audit").status_code == 200
