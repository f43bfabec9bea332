"""The background worker behind `comptoir worker`.

Each tick first runs the dispatchers (COMPTOIR_DISPATCHERS: functions that claim due rows of
our own tables, such as scheduled sends) and then every Django task that is due. "Due" is
judged against `comptoir.core.clock.now()`, which `--at` moves.
"""

import logging
import os
import socket
import threading
import time
import uuid

from django.conf import settings
from django.db import close_old_connections
from django.db.models import Q
from django.db.utils import OperationalError
from django.utils.module_loading import import_string

from comptoir.core import clock

logger = logging.getLogger("comptoir.worker")


def worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"[:64]


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
            except OperationalError as error:
                if not is_locked_database_exception(error):
                    raise
                claimed = None
                # Another process holds the SQLite write lock: come back on the next tick.
                break
        if claimed is None:
            break
        runner.run_task(claimed)
        ran += 1
    return ran


def run_once() -> int:
    """Everything due now, then return: `comptoir worker --once`."""
    identity = worker_id()
    if settings.COMPTOIR_REDIS_URL:
        return run_dispatchers() + _run_rq(burst=True)
    done = run_dispatchers()
    # Dispatchers may enqueue tasks, and tasks may make rows due: loop until quiet.
    while True:
        ran = run_due_tasks(identity=identity)
        done += ran
        if not ran:
            return done
        done += run_dispatchers()


def run_forever(*, interval: float = 1.0, stop: threading.Event | None = None) -> None:
    stop = stop or threading.Event()
    identity = worker_id()
    logger.info("worker %s started", identity)
    if settings.COMPTOIR_REDIS_URL:
        # RQ blocks on Redis, so our dispatchers tick in a thread beside it.
        threading.Thread(target=_dispatch_forever, args=(interval, stop), daemon=True).start()
        _run_rq(burst=False)
        return
    while not stop.is_set():
        try:
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


def _run_rq(*, burst: bool) -> int:
    from django_rq import get_worker
    from django_tasks_rq.backend import Job

    queues = settings.TASKS["default"].get("QUEUES", ["default"])
    worker = get_worker(*queues, job_class=Job)

    def finished() -> int:
        # RQ keeps its counters in Redis, not on the worker object: count finished jobs.
        return sum(queue.finished_job_registry.count for queue in worker.queues)

    before = finished()
    worker.work(burst=burst, with_scheduler=True)
    return finished() - before
