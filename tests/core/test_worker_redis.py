"""P2 scale-out: with COMPTOIR_REDIS_URL, jobs go through Redis (RQ) and still run."""

import os
import signal
import socket
import subprocess
import sys

import pytest
from django.db import connection

from tests.core.test_worker_killed import GOOD_ROWS
from tests.processes import (
    ChildDatabase,
    children_of,
    comptoir_env,
    python_in_comptoir,
    run_comptoir,
    wait_for,
)

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


# ------------------------------------------------------------- RQ jobs whose worker is lost

LOST_REDIS_URL = "redis://127.0.0.1:6379/14"  # this section's own database


def redis_env(tmp_path, database) -> dict:
    if not redis_answers():
        if os.environ.get("CI") == "true":
            pytest.fail("Redis at 127.0.0.1:6379 is unreachable")
        pytest.skip("Redis at 127.0.0.1:6379 is unreachable")
    import redis

    redis.Redis.from_url(LOST_REDIS_URL).flushdb()
    env = {"COMPTOIR_DATABASE_URL": database.url, "COMPTOIR_REDIS_URL": LOST_REDIS_URL}
    assert run_comptoir(tmp_path / "var", "migrate", "-v0", **env).returncode == 0
    return env


def queue_big_import(tmp_path, env) -> int:
    from tests.core.test_worker_killed import upload, write_big_file

    var = tmp_path / "var"
    created = run_comptoir(
        var, "workspace", "create", "--name", "Chez Zoé", "--owner-email",
        "zoe@example.com", "--password", "a long enough password", **env,
    )  # fmt: skip
    big = tmp_path / "big.csv"
    write_big_file(big)
    return upload(var, env, created.stdout.strip().splitlines()[-1], big)


def start_rq_worker(tmp_path, env, logs):
    with logs.open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "comptoir", "worker"],
            env=comptoir_env(tmp_path / "var", **env),
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def work_horse_of(worker) -> int:
    # RQ runs each job in a forked work-horse that leads its own process group.
    horses = [pid for pid in children_of(worker.pid) if os.getpgid(pid) == pid]
    assert len(horses) == 1, horses
    return horses[0]


def job_state(database, job_id):
    return database.one(
        "SELECT status, stop_reason, errors_total FROM transfer_importjob WHERE id = %s", job_id
    )


def row_errors(database, job_id) -> int:
    return database.one("SELECT COUNT(*) FROM transfer_importrowerror WHERE job_id = %s", job_id)[0]


def stop(process) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def reading(database, job_id, worker, logs):
    wait_for(
        lambda: database.one(
            "SELECT COUNT(*) FROM transfer_importjob "
            "WHERE id = %s AND status = 'running' AND errors_total > 0",
            job_id,
        )[0],
        what="the import running",
        process=worker,
        logs=logs,
    )


def test_an_rq_job_whose_work_horse_was_killed_fails_its_import_which_runs_again(tmp_path):
    with ChildDatabase(tmp_path) as database:
        env = redis_env(tmp_path, database)
        job_id = queue_big_import(tmp_path, env)
        logs = tmp_path / "worker.log"
        worker = start_rq_worker(tmp_path, env, logs)
        try:
            reading(database, job_id, worker, logs)
            os.kill(work_horse_of(worker), signal.SIGKILL)  # as the out-of-memory killer does
            wait_for(
                lambda: job_state(database, job_id)[0] == "failed",
                what="the import failed",
                process=worker,
                logs=logs,
            )
        finally:
            stop(worker)
        assert job_state(database, job_id) == ("failed", "worker_lost", 0)
        assert row_errors(database, job_id) == 0
        assert database.one("SELECT COUNT(*) FROM contacts_contact") == (0,)

        var = tmp_path / "var"
        again = python_in_comptoir(
            var,
            "from comptoir.transfer.imports import import_run_again\n"
            "from comptoir.transfer.models import ImportJob\n"
            f"print(import_run_again(job=ImportJob.objects.get(pk={job_id}), actor=None).pk)",
            **env,
        )
        assert run_comptoir(var, "worker", "--once", **env).returncode == 0
        assert database.one(
            "SELECT status, created FROM transfer_importjob WHERE id = %s", int(again)
        ) == ("completed", GOOD_ROWS)


def test_an_rq_job_whose_whole_worker_was_killed_fails_at_rqs_next_maintenance(tmp_path):
    with ChildDatabase(tmp_path) as database:
        env = redis_env(tmp_path, database)
        job_id = queue_big_import(tmp_path, env)
        logs = tmp_path / "worker.log"
        worker = start_rq_worker(tmp_path, env, logs)
        try:
            reading(database, job_id, worker, logs)
            work_horse_of(worker)  # the job is in its horse
            # The machine went away: the worker and every process it forked (the horse, and
            # RQ's scheduler, which would otherwise live on, orphaned, polling Redis).
            family = children_of(worker.pid)
            os.kill(worker.pid, signal.SIGKILL)
            for pid in family:
                os.kill(pid, signal.SIGKILL)
            worker.wait(timeout=30)
        finally:
            stop(worker)
        assert job_state(database, job_id)[0] == "running"

        # RQ fails a started job once its heartbeat is 60 s old, at a worker's maintenance:
        # run that maintenance as it will run two minutes from now.
        maintenance = run_comptoir(
            tmp_path / "var",
            "shell",
            "-c",
            "import rq.registry\n"
            "from comptoir.core.worker import rq_worker\n"
            "now = rq.registry.current_timestamp\n"
            "rq.registry.current_timestamp = lambda: now() + 120\n"
            "rq_worker().clean_registries()",
            **env,
        )
        assert maintenance.returncode == 0, maintenance.stderr
        assert "the worker running this job stopped" in maintenance.stderr
        assert job_state(database, job_id) == ("failed", "worker_lost", 0)
        assert row_errors(database, job_id) == 0
