"""The background worker behind `comptoir worker`.

Each tick first takes back the tasks of lost workers (core.leases), then runs the
dispatchers (COMPTOIR_DISPATCHERS: functions that claim due rows of our own tables, such as
scheduled sends) and then every Django task that is due. "Due" is judged against
`comptoir.core.clock.now()`, which `--at` moves.

A task of the database backend is claimed together with a TaskLease row that a heartbeat
thread renews while it runs. A task whose lease expired runs again (`leases.DEFAULT_RETRIES`
times at most, or what its `when_worker_lost` says) or fails with the reason, and the job's
own handler undoes what it had begun. With RQ, RQ finds such jobs itself: a killed
work-horse at once, a lost worker once its heartbeat expires; the same handlers run.
"""

import datetime as dt
import logging
import os
import threading
import time

from django.conf import settings
from django.db import close_old_connections, connections, transaction
from django.db.models import Q
from django.db.utils import OperationalError
from django.utils import timezone
from django.utils.module_loading import import_string

from comptoir.core import clock, leases
from comptoir.core.models import TaskLease

logger = logging.getLogger("comptoir.worker")

LOST_EXCEPTION = "comptoir.core.leases.WorkerLost"


def worker_id() -> str:
    return leases.holder()


def run_dispatchers() -> int:
    done = 0
    for path in getattr(settings, "COMPTOIR_DISPATCHERS", []):
        done += import_string(path)(now=clock.now()) or 0
    return done


def run_due_tasks(*, identity: str, limit: int | None = None) -> int:
    """Run database-backend tasks that are due at `clock.now()`, one claim at a time."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult, get_date_max
    from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

    runner = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=identity,
        excluded_queue_names=[],
    )
    ran = 0
    while limit is None or ran < limit:
        close_old_connections()
        due = DBTaskResult.objects.filter(
            status=TaskResultStatus.READY, backend_name="default"
        ).filter(Q(run_after=get_date_max()) | Q(run_after__lte=clock.now()))
        with exclusive_transaction(due.db):
            try:
                claimed = due.get_locked()
                if claimed is not None:
                    claimed.claim(identity)
                    TaskLease.objects.create(
                        task_id=claimed.id,
                        holder=identity,
                        claimed_at=claimed.started_at,
                        heartbeat_at=claimed.started_at,
                    )
            except OperationalError as error:
                if not is_locked_database_exception(error):
                    raise
                claimed = None
                # Another process holds the SQLite write lock: come back on the next tick.
                break
        if claimed is None:
            break
        lease = TaskLease.objects.filter(task_id=claimed.id, holder=identity)
        with leases.Heartbeat(lambda lease=lease: lease.update(heartbeat_at=timezone.now()) > 0):
            runner.run_task(claimed)
        lease.delete()
        ran += 1
    return ran


def recover_lost_tasks(*, unleased: bool = False) -> int:
    """Take back the running tasks whose worker is lost; `unleased` also looks for tasks
    left running by a worker that kept no lease (an older Comptoir), once at start."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    taken = 0
    try:
        for lease in list(TaskLease.objects.all()):
            if leases.lease_expired(holder=lease.holder, heartbeat_at=lease.heartbeat_at):
                taken += _take_back(lease.task_id, lease.holder, lease.heartbeat_at, lease=True)
        if unleased:
            cutoff = timezone.now() - dt.timedelta(seconds=leases.lease_seconds())
            stuck = (
                DBTaskResult.objects.filter(
                    status=TaskResultStatus.RUNNING, backend_name="default", started_at__lt=cutoff
                )
                .exclude(id__in=TaskLease.objects.values("task_id"))
                .values_list("id", "worker_ids", "started_at")
            )
            for task_id, worker_ids, started_at in stuck:
                holder = worker_ids[-1] if worker_ids else ""
                if leases.lease_expired(holder=holder, heartbeat_at=started_at):
                    taken += _take_back(task_id, holder, started_at, lease=False)
    except OperationalError as error:
        from django_tasks_db.utils import is_locked_database_exception

        if not is_locked_database_exception(error):
            raise
        # SQLite: another process holds the write lock (a long import); next tick.
    return taken


def _take_back(task_id, holder: str, heartbeat_at: dt.datetime, *, lease: bool) -> int:
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult
    from django_tasks_db.utils import exclusive_transaction

    with exclusive_transaction():
        result = DBTaskResult.objects.select_for_update().filter(pk=task_id).first()
        current = TaskLease.objects.filter(task_id=task_id).first()
        if lease and (
            current is None or (current.holder, current.heartbeat_at) != (holder, heartbeat_at)
        ):
            return 0  # another worker took it back first, or its holder renewed it
        TaskLease.objects.filter(task_id=task_id).delete()
        if result is None or result.status != TaskResultStatus.RUNNING:
            return 0  # it ended, but its worker stopped before removing the lease
        policy = leases.lost_policy(result.task_path)
        attempts = len(result.worker_ids)
        retrying = attempts <= policy.retries
        reason = (
            f"the worker running this job stopped ({holder or 'unknown worker'}, "
            f"last heard of at {heartbeat_at.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S} UTC)"
        )
        if retrying:
            result.status = TaskResultStatus.READY
            result.save(update_fields=["status"])
            logger.warning(
                "task %s (%s): %s; running it again (attempt %d of %d)",
                task_id,
                result.task_path,
                reason,
                attempts + 1,
                policy.retries + 1,
            )
        else:
            result.status = TaskResultStatus.FAILED
            result.finished_at = timezone.now()
            result.return_value = None
            result.exception_class_path = LOST_EXCEPTION
            result.traceback = (
                f"{reason}; it ran {attempts} time(s) and is not run again automatically.\n"
            )
            result.save(
                update_fields=[
                    "status",
                    "finished_at",
                    "return_value",
                    "exception_class_path",
                    "traceback",
                ]
            )
            logger.warning("task %s (%s) failed: %s", task_id, result.task_path, reason)
        _tell_the_job(
            result.task_path,
            result.args_kwargs["args"],
            result.args_kwargs["kwargs"],
            retrying=retrying,
            reason=reason,
        )
    return 1


def _tell_the_job(task_path: str, args, kwargs, *, retrying: bool, reason: str) -> None:
    try:
        with transaction.atomic():
            leases.worker_lost(task_path, args, kwargs, retrying=retrying, reason=reason)
    except Exception:  # noqa: BLE001 - the task's own state is settled: the job's is best effort
        logger.exception("the handler of %s for a lost worker failed", task_path)


def run_once() -> int:
    """Everything due now, then return: `comptoir worker --once`."""
    identity = worker_id()
    if settings.COMPTOIR_REDIS_URL:
        return run_dispatchers() + _run_rq(burst=True)
    recover_lost_tasks(unleased=True)
    done = 0
    # Dispatchers may enqueue tasks, tasks may make rows due, and a dispatcher works for a
    # while at a time (a long campaign): loop until nothing is left to do.
    while True:
        ran = run_dispatchers() + run_due_tasks(identity=identity)
        done += ran
        if not ran:
            return done


def run_forever(*, interval: float = 1.0, stop: threading.Event | None = None) -> None:
    stop = stop or threading.Event()
    identity = worker_id()
    logger.info("worker %s started", identity)
    if settings.COMPTOIR_REDIS_URL:
        # RQ blocks on Redis, so our dispatchers tick in a thread beside it.
        threading.Thread(target=_dispatch_forever, args=(interval, stop), daemon=True).start()
        _run_rq(burst=False)
        return
    first = True
    while not stop.is_set():
        try:
            recover_lost_tasks(unleased=first)
            first = False
            busy = run_dispatchers() + run_due_tasks(identity=identity, limit=100)
        except OperationalError:
            logger.exception("database unavailable; retrying")
            busy = 0
        if not busy:
            stop.wait(interval)


def _dispatch_forever(interval: float, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            run_dispatchers()
        except Exception:  # noqa: BLE001 - a failing dispatcher must not stop the worker
            logger.exception("dispatcher failed")
        close_old_connections()
        time.sleep(interval)


def rq_worker():
    """The RQ worker of `comptoir worker`, with our handlers for lost jobs."""
    from django_rq import get_worker
    from django_tasks_rq.backend import Job

    queues = settings.TASKS["default"].get("QUEUES", ["default"])
    worker = get_worker(
        *queues,
        job_class=Job,
        work_horse_killed_handler=_rq_work_horse_killed,
        # RQ renews a running job's heartbeat at this pace (its registry entry expires 60 s
        # after the last one) and looks for abandoned jobs at each maintenance.
        job_monitoring_interval=max(1, round(leases.heartbeat_seconds())),
        maintenance_interval=max(1, round(leases.lease_seconds())),
    )
    worker.push_exc_handler(_rq_abandoned)
    return worker


def _run_rq(*, burst: bool) -> int:
    worker = rq_worker()

    def finished() -> int:
        # RQ keeps its counters in Redis, not on the worker object: count finished jobs.
        return sum(queue.finished_job_registry.count for queue in worker.queues)

    before = finished()
    worker.work(burst=burst, with_scheduler=True)
    return finished() - before


def _rq_work_horse_killed(job, pid, status, rusage) -> None:
    """The process running `job` died (SIGKILL, out of memory): RQ fails the job next."""
    how = f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else f"status {status}"
    reason = f"the worker process running this job stopped (pid {pid}, {how})"
    _tell_the_rq_job(job, reason)


def _rq_abandoned(job, exc_type, exc_value, traceback):
    """RQ's maintenance found `job` started by a worker that stopped sending heartbeats."""
    from rq.exceptions import AbandonedJobError

    if exc_type is AbandonedJobError:
        _tell_the_rq_job(job, f"the worker running this job stopped ({job.worker_name or '?'})")
    return None  # let RQ's other handlers run


def _tell_the_rq_job(job, reason: str) -> None:
    logger.warning("job %s (%s) failed: %s", job.id, job.func_name, reason)
    try:
        _tell_the_job(job.func_name, list(job.args), job.kwargs, retrying=False, reason=reason)
    finally:
        # RQ forks its work-horses from this process: none may inherit an open connection.
        connections.close_all()
