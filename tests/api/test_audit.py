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

        audit.seal()  # what the delivery worker does within a second: the rows are chained
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


def test_refusals_are_audited(login_as, client, db_session):
    login_as("lx_viewer").post("enterprises", json={"name": "x", "credit_code": "91350100M000100Y43",
                                                    "entity_type": "enterprise", "scale": "small", "industry": "C",
                                                    "region_id": 4})
    client.get("enterprises")
    actions = set(db_session.scalars(select(AuditLog.action)))
    assert {"http.403", "http.401"} <= actions


def test_the_checkpoint_catches_a_truncated_tail(login_as, demo, app):
    session = login_as("lxx_coord")
    for n in range(3):
        _patch_address(session, demo.enterprise_id("清河源"), f"地址{n}")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["audit-checkpoint"]).exit_code == 0
    with app.app_context():
        from services.db import db
        from services.models import AuditHead

        last = db.session.scalar(select(AuditLog).order_by(AuditLog.seq.desc()))
        db.session.execute(AuditLog.__table__.delete().where(AuditLog.seq == last.seq))
        head = db.session.get(AuditHead, 1)
        head.seq, head.hash = last.seq - 1, last.prev_hash  # a careful attacker fixes the head too
        db.session.commit()
        assert audit.verify().ok, "the chain alone cannot tell"
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 1 and "截断" in result.output


def test_the_checkpoint_catches_a_consistently_rewritten_chain(login_as, demo, app):
    _patch_address(login_as("lxx_coord"), demo.enterprise_id("清河源"))
    runner = app.test_cli_runner()
    runner.invoke(args=["audit-checkpoint"])
    with app.app_context():
        from services.db import db
        from services.models import AuditHead

        prev = audit.GENESIS
        for row in db.session.scalars(select(AuditLog).order_by(AuditLog.seq)):
            row.data = {**row.data, "rewritten": True}
            row.prev_hash = prev
            row.hash = audit.row_hash(row)
            prev = row.hash
        db.session.get(AuditHead, 1).hash = prev
        db.session.commit()
        assert audit.verify().ok
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 1 and "改写" in result.output


def test_a_forged_checkpoint_is_caught(login_as, demo, app):
    _patch_address(login_as("lxx_coord"), demo.enterprise_id("清河源"))
    runner = app.test_cli_runner()
    runner.invoke(args=["audit-checkpoint"])
    from pathlib import Path

    path = Path(app.config["INSTANCE_DIR"]) / "audit-checkpoint.jsonl"
    import json

    entry = json.loads(path.read_text().splitlines()[-1])
    path.write_text(json.dumps({**entry, "seq": entry["seq"] - 1}) + "\n")
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 1 and "伪造" in result.output


def test_failed_logins_are_audited(client, db_session):
    client.post("auth/login", json={"username": "lxx_coord", "password": "Wrong@2026"})
    row = db_session.scalar(select(AuditLog).where(AuditLog.action == "auth.login_failed"))
    assert row is not None and row.actor_username == "lxx_coord"


def test_only_the_auditor_reads_the_audit_log(login_as):
    assert login_as("auditor").get("audit").status_code == 200
    for username in ("admin", "lx_coord", "ent_qhy"):
        assert login_as(username).get("audit").status_code == 403


def test_deleting_the_chain_head_row_is_detected(login_as, demo, app):
    _patch_address(login_as("lxx_coord"), demo.enterprise_id("清河源"))
    with app.app_context():
        from services.db import db
        from services.models import AuditHead

        db.session.execute(AuditHead.__table__.delete())
        db.session.commit()
        result = audit.verify()
    assert not result.ok and "audit_head" in result.reason


def test_verifying_without_a_checkpoint_fails_once_rows_outlive_the_interval(make_app):
    overdue = make_app(AUDIT_CHECKPOINT_MINUTES=0)  # every row is older than the interval
    result = overdue.test_cli_runner().invoke(args=["audit-verify"])
    assert result.exit_code == 1 and "尚无检查点" in result.output


def test_verifying_without_a_checkpoint_passes_while_the_chain_is_young(app):
    result = app.test_cli_runner().invoke(args=["audit-verify"])
    assert result.exit_code == 0 and "尚无检查点" in result.output


def test_rows_left_unsealed_after_the_last_checkpoint_fail_the_verification(login_as, demo, make_app):
    overdue = make_app(AUDIT_CHECKPOINT_MINUTES=0)
    runner = overdue.test_cli_runner()
    runner.invoke(args=["audit-checkpoint"])
    assert runner.invoke(args=["audit-verify"]).exit_code == 0  # everything sealed
    _patch_address(login_as("lxx_coord"), demo.enterprise_id("清河源"))
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 1 and "未封存" in result.output
