"""`comptoir serve` runs a jobs worker beside the web server and starts a new one when it
dies (P2): SIGKILL the worker child, see it logged, see a new worker run jobs."""

import contextlib
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import (
    ChildDatabase,
    children_of,
    comptoir_env,
    free_port,
    python_in_comptoir,
    run_comptoir,
    wait_for,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

STARTED = re.compile(r"started the jobs worker \(pid (\d+)\)")


def started_workers(logs: Path) -> list[int]:
    return [int(pid) for pid in STARTED.findall(logs.read_text())] if logs.exists() else []


def test_serve_starts_a_new_worker_when_its_worker_is_killed(tmp_path):
    var = tmp_path / "var"
    logs = tmp_path / "serve.log"
    with ChildDatabase(tmp_path) as database:
        env = {"COMPTOIR_DATABASE_URL": database.url}
        assert run_comptoir(var, "migrate", "-v0", **env).returncode == 0
        with logs.open("wb") as log:
            serve = subprocess.Popen(
                [sys.executable, "-m", "comptoir", "serve", "--port", str(free_port())]
                + ["--workers", "1", "--threads", "1"],
                env=comptoir_env(var, **env),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            first = wait_for(
                lambda: started_workers(logs), what="a worker", process=serve, logs=logs
            )[0]
            assert first in children_of(serve.pid)

            os.kill(first, signal.SIGKILL)

            second = wait_for(
                lambda: started_workers(logs)[1:], what="a new worker", process=serve, logs=logs
            )[0]
            assert f"the jobs worker (pid {first}) was killed by SIGKILL" in logs.read_text()
            assert second != first
            assert second in children_of(serve.pid)
            assert first not in children_of(serve.pid)  # reaped, not left a zombie

            # The new worker runs jobs.
            task_id = python_in_comptoir(
                var, "from comptoir.core.tasks import ping; print(ping.enqueue('x').id)", **env
            )
            if database.vendor == "sqlite":
                task_id = task_id.replace("-", "")  # how Django stores a UUID there
            wait_for(
                lambda: (
                    database.one(
                        "SELECT status FROM django_tasks_database_dbtaskresult WHERE id = %s",
                        task_id,
                    )
                    == ("SUCCESSFUL",)
                ),
                what="the ping job done by the new worker",
                process=serve,
                logs=logs,
            )
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.kill(serve.pid, signal.SIGTERM)
            try:
                serve.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(serve.pid, signal.SIGKILL)
                serve.wait()
        # Stopping serve stopped its worker too.
        assert not Path(f"/proc/{second}").exists()


def test_a_worker_that_keeps_dying_is_started_again_less_and_less_often(monkeypatch, caplog):
    from comptoir.core.management.commands import serve

    monkeypatch.setattr(serve, "FIRST_DELAY", 0.05)
    monkeypatch.setattr(serve, "MAX_DELAY", 0.2)
    caplog.set_level("INFO", logger="comptoir.serve")
    child = serve.WorkerChild([sys.executable, "-c", "raise SystemExit(3)"])
    child.start()

    def restarts() -> list[str]:
        return [message for message in caplog.messages if "starting a new one" in message]

    try:
        wait_for(lambda: len(restarts()) >= 5, what="five restarts")
    finally:
        child.stop()
    assert restarts()[0].endswith("exited with status 3; starting a new one in 0.05 s")
    delays = [message.rsplit(" in ", 1)[1] for message in restarts()[:5]]
    assert delays == ["0.05 s", "0.1 s", "0.2 s", "0.2 s", "0.2 s"]
