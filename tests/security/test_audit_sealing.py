"""The audit chain sealed after the fact: writers append unchained rows, the sealer chains them once each, in
order, one sealer at a time; a row altered before it is sealed stops the sealer and fails verification."""

import os
import threading

import pytest
from sqlalchemy import func, select, update

from services import audit
from services.db import db, unit_of_work
from services.delivery import worker
from services.models import AuditHead, AuditLog

on_postgres = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL (make test-pg)")


def _append(action: str, n: int = 1) -> None:
    with unit_of_work():
        for _ in range(n):
            audit.record(None, action, "test", None, {"n": n})


def _row(action: str) -> AuditLog:
    db.session.rollback()
    return db.session.scalar(select(AuditLog).where(AuditLog.action == action))


def test_a_write_appends_an_unsealed_row_that_the_sealer_chains_after_the_head(app):
    with app.app_context():
        before = db.session.get(AuditHead, 1).seq
        _append("test.appended")
        row = _row("test.appended")
        assert (row.seq, row.prev_hash) == (None, None)
        assert audit.seal().sealed >= 1
        row = _row("test.appended")
        head = db.session.get(AuditHead, 1)
        assert row.seq > before and (head.seq, head.hash) == (row.seq, row.hash)
        assert audit.verify().ok


def test_sealing_again_chains_no_row_twice(app):
    with app.app_context():
        _append("test.once", 3)
        audit.seal()
        head = db.session.get(AuditHead, 1)
        seq, head_hash = head.seq, head.hash
        assert audit.seal().sealed == 0
        db.session.rollback()
        head = db.session.get(AuditHead, 1)
        assert (head.seq, head.hash) == (seq, head_hash)
        assert audit.verify().checked == seq


def test_rows_are_chained_in_the_order_they_were_written(app):
    with app.app_context():
        for n in range(4):
            _append(f"test.order{n}")
        audit.seal()
        seqs = [_row(f"test.order{n}").seq for n in range(4)]
        assert seqs == sorted(seqs) and seqs[-1] - seqs[0] == 3


def test_an_unsealed_row_altered_before_sealing_stops_the_sealer_and_is_named(app):
    with app.app_context():
        _append("test.victim")
        _append("test.after")
        victim = _row("test.victim")
        db.session.execute(update(AuditLog).where(AuditLog.id == victim.id).values(actor_username="someone_else"))
        db.session.commit()
        sealed = audit.seal()
        assert sealed.stalled_id == victim.id
        assert _row("test.after").seq is None, "nothing after the altered row is chained"
        result = audit.verify()
    assert not result.ok and result.broken_id == victim.id and "封存前" in result.reason


def test_an_unsealed_row_given_a_false_chain_position_is_refused(app):
    with app.app_context():
        _append("test.forged")
        forged = _row("test.forged")
        db.session.execute(update(AuditLog).where(AuditLog.id == forged.id).values(prev_hash="f" * 64))
        db.session.commit()
        assert audit.seal().stalled_id == forged.id
        assert not audit.verify(seal_first=False).ok


def test_an_altered_unsealed_row_fails_the_cli_verification(app):
    with app.app_context():
        _append("test.cli_victim")
        db.session.execute(update(AuditLog).where(AuditLog.action == "test.cli_victim").values(data={"x": 1}))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["audit-verify"])
    assert result.exit_code == 1 and "封存前被篡改" in result.output


def test_a_missing_head_stops_the_sealer(app):
    with app.app_context():
        _append("test.headless")
        db.session.execute(AuditHead.__table__.delete())
        db.session.commit()
        assert audit.seal().reason == "链尾记录（audit_head）被删除"
        assert _row("test.headless").seq is None
        assert not audit.verify().ok


def test_the_checkpoint_signs_the_head_after_sealing_every_committed_row(app):
    with app.app_context():
        _append("test.checkpointed", 2)
        from pathlib import Path

        entry = audit.checkpoint(key=app.config["AUDIT_HMAC_KEY"], path=Path(app.config["INSTANCE_DIR"]) / "cp.jsonl")
        db.session.rollback()
        unsealed = db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.seq.is_(None)))
        assert unsealed == 0 and entry["seq"] == db.session.scalar(select(func.max(AuditLog.seq)))


def test_the_delivery_worker_loop_seals_the_chain(app):
    with app.app_context():
        _append("test.worker")
        worker.run(stop=threading.Event(), worker="test-sealer", drain=True)
        assert _row("test.worker").seq is not None


def test_over_http_the_audit_page_shows_a_row_unsealed_then_chained(app, live_server):
    coordinator = live_server.login("lxx_coord")
    enterprise = coordinator.get(live_server.url + "enterprises?limit=1").json()["items"][0]
    path = live_server.url + f"enterprises/{enterprise['id']}"
    etag = coordinator.get(path).headers["ETag"]
    assert coordinator.patch(path, json={"address": "封存测试地址"}, headers={"If-Match": etag}).status_code == 200
    auditor = live_server.login("auditor")

    def entry():
        page = auditor.get(live_server.url + "audit?action=enterprise.updated").json()
        return page["items"][0]

    assert (entry()["seq"], entry()["prev_hash"]) == (None, None)
    with app.app_context():
        audit.seal()
    sealed = entry()
    assert sealed["seq"] is not None and len(sealed["prev_hash"]) == 64


@on_postgres
def test_a_row_committed_late_by_a_slow_transaction_is_chained_exactly_once(app):
    flushed, release = threading.Event(), threading.Event()

    def slow_writer():
        with app.app_context():
            audit.record(None, "test.slow")
            audit.write_pending()  # the row is inserted, its transaction still open
            flushed.set()
            release.wait(30)
            db.session.commit()
            db.session.remove()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    try:
        assert flushed.wait(30)
        with app.app_context():
            _append("test.fast")
            audit.seal()
            assert _row("test.fast").seq is not None, "a committed row is not held back by a running transaction"
            assert _row("test.slow") is None, "a row its transaction has not committed is not seen, let alone sealed"
    finally:
        release.set()
        thread.join(30)
    with app.app_context():
        audit.seal()
        audit.seal()
        slow, fast = _row("test.slow"), _row("test.fast")
        assert slow.seq is not None and slow.seq > fast.seq
        assert db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.seq == slow.seq)) == 1
        total = db.session.scalar(select(func.count()).select_from(AuditLog))
        result = audit.verify()
        assert result.ok and result.checked == total


@on_postgres
def test_two_sealers_at_once_do_not_fork_the_chain(app):
    writers_done = threading.Event()
    errors: list[BaseException] = []

    def write(n):
        try:
            with app.app_context():
                for i in range(40):
                    _append(f"test.concurrent{n}", 1 + i % 3)
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    def seal_until_done():
        try:
            with app.app_context():
                while not writers_done.is_set():
                    audit.seal(batch=7)
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    writers = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    sealers = [threading.Thread(target=seal_until_done) for _ in range(2)]
    for thread in writers + sealers:
        thread.start()
    for thread in writers:
        thread.join(120)
    writers_done.set()
    for thread in sealers:
        thread.join(120)
    assert not errors, errors
    with app.app_context():
        audit.seal()
        seqs = list(db.session.scalars(select(AuditLog.seq).order_by(AuditLog.seq)))
        assert None not in seqs and seqs == list(range(1, len(seqs) + 1))
        assert audit.verify().ok


def test_a_row_recorded_before_a_savepoint_that_rolls_back_is_still_written(app):
    with app.app_context():
        with unit_of_work():
            audit.record(None, "test.before_savepoint")
            try:
                with db.session.begin_nested():
                    audit.record(None, "test.inside_savepoint")
                    db.session.add(AuditHead(id=1, seq=0, hash=audit.GENESIS))  # a duplicate key: rolls back
            except Exception:  # noqa: BLE001 - the savepoint's IntegrityError, as scan._open() meets it
                pass
        assert _row("test.before_savepoint") is not None


def test_rows_recorded_in_a_rolled_back_transaction_are_not_written(app):
    with app.app_context():
        audit.record(None, "test.rolled_back")
        db.session.rollback()
        with unit_of_work():
            audit.record(None, "test.committed")
        assert _row("test.rolled_back") is None and _row("test.committed") is not None
