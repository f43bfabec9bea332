"""Leases: how work that a process claimed is taken back when that process is gone.

Whoever claims a piece of work (a task of the database backend, a batch of a send, …)
records a *holder* (`holder()`, this process) and a heartbeat it renews while it works
(`Heartbeat`). Another process may take the work back once `lease_expired()` says so:

- the holder ran on this machine and its process is no longer there: at once (a SIGKILL,
  the kernel's out-of-memory killer, a crash);
- the holder is alive on this machine: never, however old its heartbeat (on SQLite a long
  transaction of the holder, such as an import's merge, holds the write lock its heartbeat
  waits for);
- otherwise (another machine): when its heartbeat is older than COMPTOIR_TASK_LEASE_SECONDS.

Leases are judged in real time (`timezone.now()`), never by `clock.now()`: `worker --at`
moves the business clock, not the liveness of other workers.

Jobs say what happens to them when their worker is lost with `when_worker_lost`; the worker
(core.worker) calls that for tasks of the database backend, and for RQ jobs whose work-horse
died or that RQ found abandoned.
"""

import contextlib
import dataclasses
import datetime as dt
import hashlib
import logging
import os
import socket
import threading
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connections
from django.utils import timezone

logger = logging.getLogger("comptoir.worker")

# How many times a task whose worker was lost runs again, unless it says otherwise.
DEFAULT_RETRIES = 2


def lease_seconds() -> float:
    return float(settings.COMPTOIR_TASK_LEASE_SECONDS)


def heartbeat_seconds() -> float:
    """Six heartbeats a lease: a holder must miss several before another machine takes over."""
    return lease_seconds() / 6


# ------------------------------------------------------------------------ holders


def _machine() -> str:
    """This kernel and process-id namespace: where a pid names the same process as ours.
    Empty where that cannot be told (not Linux)."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        return ""
    return hashlib.sha256(f"{boot} {namespace}".encode()).hexdigest()[:8]


def _started(pid: int) -> str | None:
    """When process `pid` started (clock ticks since boot): a reused pid has another."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses; the rest follows its ")".
    fields = stat.rsplit(")", 1)[-1].split()
    state, started = fields[0], fields[19]
    return None if state in {"Z", "X"} else started


def holder(pid: int | None = None) -> str:
    """This process as the holder of a lease: "host:pid:machine:started", at most 64
    characters (the worker ids of django-tasks-db)."""
    pid = pid or os.getpid()
    host = socket.gethostname().replace(":", "-")[:30]
    return f"{host}:{pid}:{_machine()}:{_started(pid) or ''}"


def holder_alive(name: str) -> bool | None:
    """Whether the holder `name` still runs: None when this machine cannot tell."""
    parts = name.rsplit(":", 3)
    if len(parts) != 4 or not parts[2] or parts[2] != _machine() or not parts[1].isdigit():
        return None
    started = _started(int(parts[1]))
    return started is not None and started == parts[3]


def lease_expired(
    *, holder: str, heartbeat_at: dt.datetime, now: dt.datetime | None = None
) -> bool:
    """Whether work held by `holder`, last renewed at `heartbeat_at`, may be taken back."""
    alive = holder_alive(holder)
    if alive is not None:
        return not alive
    cutoff = (now or timezone.now()) - dt.timedelta(seconds=lease_seconds())
    return heartbeat_at < cutoff


class Heartbeat:
    """Calls `beat()` every `every` seconds in a thread while the `with` block runs.

    `beat()` renews the lease and returns False once the lease is no longer ours (another
    process took the work back): the beating stops and `lost` is set, for the work to check.
    """

    def __init__(self, beat: Callable[[], bool], *, every: float | None = None):
        self.beat = beat
        self.every = every or heartbeat_seconds()
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="comptoir-heartbeat", daemon=True)

    def __enter__(self) -> "Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.every):
                try:
                    if self.beat() is False:
                        self.lost.set()
                        return
                except DatabaseError as error:
                    # SQLite: the work's own long transaction holds the write lock. The
                    # holder is alive, which is what other processes on this machine check.
                    logger.debug("heartbeat not written: %s", error)
        finally:
            # The thread's own database connections.
            connections.close_all()


# ---------------------------------------------------------------- when a worker is lost


@dataclasses.dataclass(frozen=True)
class LostPolicy:
    retries: int
    # handler(*args, retrying=bool, reason=str, **kwargs): the task's own arguments.
    handler: Callable[..., None] | None


_policies: dict[str, LostPolicy] = {}


def when_worker_lost(task, *, retries: int = DEFAULT_RETRIES):
    """Decorator: `handler(*task_args, retrying, reason, **task_kwargs)` runs when the worker
    running `task` is lost, in the transaction that puts the task back (`retrying`) or fails
    it. A task runs again at most `retries` times; 0 fails it at once."""

    def register(handler):
        _policies[task.module_path] = LostPolicy(retries=retries, handler=handler)
        return handler

    return register


def lost_policy(task_path: str) -> LostPolicy:
    """The policy of the task at `task_path`; importing the task registers its handler."""
    from django.utils.module_loading import import_string

    if task_path not in _policies:
        with contextlib.suppress(ImportError):
            import_string(task_path)
    return _policies.get(task_path, LostPolicy(retries=DEFAULT_RETRIES, handler=None))


def worker_lost(task_path: str, args, kwargs, *, retrying: bool, reason: str) -> None:
    handler = lost_policy(task_path).handler
    if handler is not None:
        handler(*args, retrying=retrying, reason=reason, **kwargs)
