"""The default limiter storage under gthread: several threads of one worker hitting a limit at once.

The stock `memory://` storage restarts its expiry timer without a lock; two threads racing there raised
"threads can only be started once", answered 500 by the production line."""

import sys
import threading
import time

from limits.storage import storage_from_string

import api.extensions  # noqa: F401 - registers the thread-safe storage for memory://


def test_memory_storage_survives_threads_racing_to_restart_its_timer():
    storage = storage_from_string("memory://")
    errors, barrier = [], threading.Barrier(8)

    def hammer():
        for _ in range(200):
            barrier.wait()  # all at once, just after the expiry timer has finished
            try:
                storage.incr("login:127.0.0.1", 60)
            except RuntimeError as error:
                errors.append(error)
            time.sleep(0.012)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as a loaded server does, so the race shows
    try:
        threads = [threading.Thread(target=hammer) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert not errors
    assert storage.get("login:127.0.0.1") == 8 * 200


def _hammer_file(path: str, times: int) -> None:
    storage = storage_from_string(f"sqlite-file://{path}")
    for _ in range(times):
        storage.incr("login:127.0.0.1", 60)


def test_the_file_storage_counts_exactly_across_processes(tmp_path):
    import multiprocessing

    path = str(tmp_path / "ratelimit.db")
    storage_from_string(f"sqlite-file://{path}")  # creates the table before the race
    context = multiprocessing.get_context("spawn")  # like gunicorn workers: no connection inherited
    workers = [context.Process(target=_hammer_file, args=(path, 300)) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert [worker.exitcode for worker in workers] == [0, 0, 0]
    assert storage_from_string(f"sqlite-file://{path}").get("login:127.0.0.1") == 900


def test_a_window_of_the_file_storage_starts_again_when_it_expires(tmp_path):
    storage = storage_from_string(f"sqlite-file://{tmp_path / 'ratelimit.db'}")
    storage.incr("k", 60)
    storage.incr("k", 60)
    assert storage.get("k") == 2
    storage.incr("gone", -1)  # a window that has already ended
    assert storage.get("gone") == 0
    assert storage.incr("gone", 60) == 1


def test_within_a_request_the_file_storage_answers_from_its_own_hit(tmp_path, app):
    import sqlite3

    path = tmp_path / "ratelimit.db"
    storage = storage_from_string(f"sqlite-file://{path}")
    with app.test_request_context():
        assert storage.incr("user:5", 60) == 1
        sqlite3.connect(path).execute("UPDATE counters SET value = 40").connection.commit()
        assert storage.get("user:5") == 1  # the headers of this answer: after this request's own hit
        assert storage.get_expiry("user:5") > time.time()
    with app.test_request_context():
        assert storage.get("user:5") == 40  # the next request reads the file
    assert storage.get("user:5") == 40  # and so does anything outside a request


def test_the_rate_limit_headers_count_down_with_the_file_storage(make_app, tmp_path):
    import sqlite3

    from tests.conftest import login

    path = tmp_path / "ratelimit.db"
    limited = make_app(RATELIMIT_STORAGE_URI=f"sqlite-file://{path}")
    officer = login(limited.test_client(), "lxx_coord")
    answers = [officer.get("problems?limit=1") for _ in range(4)]
    assert [a.status_code for a in answers] == [200] * 4
    remaining = [int(a.headers["X-RateLimit-Remaining"]) for a in answers]
    limit = int(answers[0].headers["X-RateLimit-Limit"])
    assert remaining == [limit - 1, limit - 2, limit - 3, limit - 4]
    assert all(int(a.headers["X-RateLimit-Reset"]) > time.time() for a in answers)
    stored = dict(sqlite3.connect(path).execute("SELECT key, value FROM counters").fetchall())
    mine = [n for key, n in stored.items() if f"/user:{officer.user['id']}/" in key]
    assert mine == [4]  # the file is what counted
