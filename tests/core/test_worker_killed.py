"""P2: a `comptoir worker` killed with SIGKILL in the middle of an import leaves no job
running forever. The next worker takes the job back: the import ends `failed` with a
message that says it can be run again, what it had staged is gone, and running it again
imports the file. Real processes, on the engine of the test run."""

import os
import signal
import subprocess
import sys

import pytest

from tests.processes import (
    ChildDatabase,
    comptoir_env,
    python_in_comptoir,
    run_comptoir,
    wait_for,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


BAD_ROWS = 1_500  # the first chunk of refused rows is written at 1,000
GOOD_ROWS = 150_000  # a few seconds of reading: the kill lands in the middle


def write_big_file(path) -> None:
    with path.open("w") as out:
        out.write("Email,First name,Last name\n")
        out.writelines(f"not-an-address-{n},Bad,Row\n" for n in range(BAD_ROWS))
        out.writelines(f"person{n}@example.com,Prénom,Nom\n" for n in range(GOOD_ROWS))


def upload(var, env, slug: str, path) -> int:
    return int(
        python_in_comptoir(
            var,
            "from django.core.files import File\n"
            "from comptoir.core.models import Workspace\n"
            "from comptoir.transfer.imports import import_create\n"
            f"workspace = Workspace.objects.get(slug={slug!r})\n"
            f"with open({str(path)!r}, 'rb') as file:\n"
            "    job = import_create(workspace=workspace, upload=File(file, name='big.csv'),"
            " actor=None)\n"
            "print(job.pk)",
            **env,
        )
    )


def test_an_import_whose_worker_was_killed_fails_undone_and_runs_again(tmp_path):
    var = tmp_path / "var"
    with ChildDatabase(tmp_path) as database:
        # A short lease, so that the heartbeat is seen renewed before the kill.
        env = {"COMPTOIR_DATABASE_URL": database.url, "COMPTOIR_TASK_LEASE_SECONDS": "3"}
        assert run_comptoir(var, "migrate", "-v0", **env).returncode == 0
        created = run_comptoir(
            var, "workspace", "create", "--name", "Chez Zoé", "--owner-email",
            "zoe@example.com", "--password", "a long enough password", **env,
        )  # fmt: skip
        slug = created.stdout.strip().splitlines()[-1]
        big = tmp_path / "big.csv"
        write_big_file(big)
        job_id = upload(var, env, slug, big)

        logs = tmp_path / "worker.log"
        with logs.open("wb") as log:
            worker = subprocess.Popen(
                [sys.executable, "-m", "comptoir", "worker", "--interval", "0.2"],
                env=comptoir_env(var, **env),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            # Reading: refused rows staged, and the lease renewed by the heartbeat.
            wait_for(
                lambda: database.one(
                    "SELECT COUNT(*) FROM transfer_importjob j, core_tasklease l "
                    "WHERE j.id = %s AND j.status = 'running' AND j.errors_total > 0 "
                    "AND l.heartbeat_at > l.claimed_at",
                    job_id,
                )[0],
                what="the import running with a renewed heartbeat",
                process=worker,
                logs=logs,
            )
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
        assert worker.returncode == -signal.SIGKILL

        status = database.one("SELECT status FROM transfer_importjob WHERE id = %s", job_id)[0]
        if status == "completed":
            pytest.fail("the import ended before the worker was killed: make the file larger")
        assert status == "running"
        assert database.one(
            "SELECT COUNT(*) FROM transfer_importrowerror WHERE job_id = %s", job_id
        )[0]

        # The next worker (here `worker --once`) takes the job back before anything else.
        recovered = run_comptoir(var, "worker", "--once", **env)
        assert recovered.returncode == 0, recovered.stderr
        assert "the worker running this job stopped" in recovered.stderr

        status, stop_reason, failure, errors_total = database.one(
            "SELECT status, stop_reason, failure, errors_total FROM transfer_importjob "
            "WHERE id = %s",
            job_id,
        )
        assert (status, stop_reason, errors_total) == ("failed", "worker_lost", 0)
        assert "the worker running this job stopped" in failure
        assert "it can be run again" in failure
        assert database.one(
            "SELECT COUNT(*) FROM transfer_importrowerror WHERE job_id = %s", job_id
        ) == (0,)
        assert database.one("SELECT COUNT(*) FROM contacts_contact") == (0,)
        assert database.one("SELECT COUNT(*) FROM core_tasklease") == (0,)
        task_status, traceback = database.one(
            "SELECT status, traceback FROM django_tasks_database_dbtaskresult"
        )
        assert task_status == "FAILED"
        assert "the worker running this job stopped" in traceback

        # The dashboard's "Run it again": a new job of the same file, which imports it.
        again = int(
            python_in_comptoir(
                var,
                "from comptoir.transfer.imports import import_run_again\n"
                "from comptoir.transfer.models import ImportJob\n"
                f"job = import_run_again(job=ImportJob.objects.get(pk={job_id}), actor=None)\n"
                "print(job.pk)",
                **env,
            )
        )
        done = run_comptoir(var, "worker", "--once", **env)
        assert done.returncode == 0, done.stderr
        assert database.one(
            "SELECT status, created, errors_total FROM transfer_importjob WHERE id = %s", again
        ) == ("completed", GOOD_ROWS, BAD_ROWS)
        assert database.one("SELECT COUNT(*) FROM contacts_contact") == (GOOD_ROWS,)
