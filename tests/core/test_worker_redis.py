"""P2 scale-out: with COMPTOIR_REDIS_URL, jobs go through Redis (RQ) and still run."""

import os
import socket

import pytest
from django.db import connection

from tests.processes import run_comptoir

pytestmark = pytest.mark.slow
REDIS_URL = "redis://127.0.0.1:6379/15"


def redis_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


def test_a_job_goes_through_redis_and_runs_under_worker_once(tmp_path, db):
    if connection.vendor != "sqlite":
        pytest.skip("engine-independent; runs in the SQLite pass")
    if not redis_answers():
        if os.environ.get("CI") == "true":
            pytest.fail("Redis at 127.0.0.1:6379 is unreachable")
        pytest.skip("Redis at 127.0.0.1:6379 is unreachable")
    import redis

    # Database 15 belongs to this test: start from an empty queue.
    redis.Redis.from_url(REDIS_URL).flushdb()
    env = {"COMPTOIR_REDIS_URL": REDIS_URL}
    assert run_comptoir(tmp_path, "migrate", "-v0", **env).returncode == 0
    enqueued = run_comptoir(
        tmp_path,
        "shell",
        "-c",
        "from comptoir.core.tasks import ping; print(ping.enqueue('via redis').id)",
        **env,
    )
    job_id = enqueued.stdout.strip().splitlines()[-1]

    worked = run_comptoir(tmp_path, "worker", "--once", **env)
    assert worked.returncode == 0, worked.stderr
    assert worked.stdout.strip().splitlines()[-1] == "1 job(s) done"

    read = run_comptoir(
        tmp_path,
        "shell",
        "-c",
        f"from comptoir.core.tasks import ping; r = ping.get_result({job_id!r}); "
        "print(r.status, r.return_value)",
        **env,
    )
    assert read.stdout.strip().splitlines()[-1] == "SUCCESSFUL pong via redis"
