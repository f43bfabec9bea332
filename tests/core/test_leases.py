"""Leases on running tasks: `comptoir worker` takes back the tasks of a lost worker (P2)."""

import datetime as dt
import subprocess
import sys

import pytest
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from comptoir.cli import main
from comptoir.core import leases
from comptoir.core.models import TaskLease
from comptoir.core.tasks import ping

pytestmark = pytest.mark.django_db(transaction=True)

ELSEWHERE = "another-host:4242:0badcafe:123456"  # a worker on another machine


@pytest.fixture
def dead_holder() -> str:
    """The holder name of a process of this machine that was killed."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    name = leases.holder(process.pid)
    process.kill()
    process.wait()
    return name


def running(task_result, *holders: str, heartbeat_at=None, lease: bool = True):
    """Make `task_result` look claimed by `holders` (one claim each), the last one running it."""
    heartbeat_at = heartbeat_at or timezone.now()
    DBTaskResult.objects.filter(pk=task_result.id).update(
        status=TaskResultStatus.RUNNING, started_at=heartbeat_at, worker_ids=list(holders)
    )
    if lease:
        TaskLease.objects.create(
            task_id=task_result.id,
            holder=holders[-1],
            claimed_at=heartbeat_at,
            heartbeat_at=heartbeat_at,
        )


def test_a_killed_process_of_this_machine_is_seen_gone_and_a_live_one_is_not(dead_holder):
    assert leases.holder_alive(leases.holder()) is True
    assert leases.holder_alive(dead_holder) is False
    assert leases.holder_alive(ELSEWHERE) is None  # another machine: only heartbeats tell
    now = timezone.now()
    assert leases.lease_expired(holder=dead_holder, heartbeat_at=now)
    assert not leases.lease_expired(holder=leases.holder(), heartbeat_at=now - dt.timedelta(days=1))


def test_a_task_whose_worker_was_killed_runs_again_under_worker_once(dead_holder, capsys):
    result = ping.enqueue("again")
    running(result, dead_holder)

    main(["comptoir", "worker", "--once"])

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == "pong again"
    assert not TaskLease.objects.exists()


def test_a_task_that_lost_its_worker_too_often_fails_with_the_reason(dead_holder, capsys):
    result = ping.enqueue("unlucky")
    running(result, *[dead_holder] * (leases.DEFAULT_RETRIES + 1))

    main(["comptoir", "worker", "--once"])

    result.refresh()
    assert result.status == TaskResultStatus.FAILED
    error = result.errors[-1]
    assert error.exception_class_path == "comptoir.core.leases.WorkerLost"
    assert "the worker running this job stopped" in error.traceback
    assert dead_holder in error.traceback
    assert not TaskLease.objects.exists()


def test_a_worker_elsewhere_keeps_its_task_until_its_heartbeat_is_older_than_the_lease(
    settings, capsys
):
    settings.COMPTOIR_TASK_LEASE_SECONDS = 60
    result = ping.enqueue("far away")
    running(result, ELSEWHERE, heartbeat_at=timezone.now() - dt.timedelta(seconds=30))
    main(["comptoir", "worker", "--once"])
    result.refresh()
    assert result.status == TaskResultStatus.RUNNING

    TaskLease.objects.update(heartbeat_at=timezone.now() - dt.timedelta(seconds=61))
    main(["comptoir", "worker", "--once"])
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL


def test_a_live_worker_of_this_machine_keeps_its_task_however_old_its_heartbeat(capsys):
    # On SQLite a long merge of an import holds the write lock its heartbeat waits for.
    result = ping.enqueue("busy")
    running(result, leases.holder(), heartbeat_at=timezone.now() - dt.timedelta(hours=1))

    main(["comptoir", "worker", "--once"])

    result.refresh()
    assert result.status == TaskResultStatus.RUNNING


def test_a_task_left_running_by_a_worker_without_leases_is_taken_back(capsys):
    """Tasks an older Comptoir left RUNNING for ever (no lease, old worker names)."""
    result = ping.enqueue("stuck")
    running(
        result, "vm-1234-abcdef", heartbeat_at=timezone.now() - dt.timedelta(hours=2), lease=False
    )

    main(["comptoir", "worker", "--once"])

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL


def test_a_task_run_by_the_worker_holds_a_lease_only_while_it_runs(capsys):
    result = ping.enqueue("leased")
    main(["comptoir", "worker", "--once"])
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.worker_ids == [leases.holder()]
    assert not TaskLease.objects.exists()


def test_a_heartbeat_beats_until_the_lease_is_lost():
    beats = []
    lost_after = 3

    def beat() -> bool:
        beats.append(1)
        return len(beats) < lost_after

    with leases.Heartbeat(beat, every=0.01) as heartbeat:
        assert heartbeat.lost.wait(timeout=30)
    assert len(beats) == lost_after


def test_a_heartbeat_stops_with_its_block_without_waiting_for_its_next_beat():
    with leases.Heartbeat(lambda: True, every=3600) as heartbeat:
        pass
    assert not heartbeat.lost.is_set()
