import logging
import os
import signal
import subprocess
import sys
import threading
import time

from django.core.management.base import BaseCommand, CommandError
from gunicorn.app.base import BaseApplication

logger = logging.getLogger("comptoir.serve")

# Seconds before starting a worker again after it died: doubled after each quick death (up
# to the maximum) so that a worker that cannot start does not spin, reset after a long run.
FIRST_DELAY = 1.0
MAX_DELAY = 60.0
LONG_RUN = 30.0
STOP_TIMEOUT = 10.0


def how_it_ended(code: int) -> str:
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with status {code}"


class WorkerChild:
    """The jobs worker as a child process, started again whenever it dies."""

    def __init__(self, command: list[str]):
        self.command = command
        self.owner = os.getpid()
        self.process: subprocess.Popen | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._watcher = threading.Thread(target=self._watch, name="comptoir-worker-watch")
        self._watcher.daemon = True

    def start(self) -> None:
        self._spawn()
        self._watcher.start()

    def _spawn(self) -> None:
        with self._lock:
            if self._stopping.is_set():
                return
            self.process = subprocess.Popen(self.command)  # noqa: S603 - our own interpreter
            self.started = time.monotonic()
        logger.info("started the jobs worker (pid %s)", self.process.pid)

    def _watch(self) -> None:
        delay = FIRST_DELAY
        while not self._stopping.is_set():
            # A blocking wait reaps the child the moment it ends, before gunicorn's arbiter
            # (which reaps every child it is told about) can take its exit status from us.
            code = self.process.wait()
            if self._stopping.is_set():
                return
            lived = time.monotonic() - self.started
            delay = FIRST_DELAY if lived >= LONG_RUN else delay
            logger.error(
                "the jobs worker (pid %s) %s; starting a new one in %g s",
                self.process.pid,
                how_it_ended(code),
                delay,
            )
            if self._stopping.wait(delay):
                return
            self._spawn()
            delay = min(MAX_DELAY, delay * 2)

    def stop(self) -> None:
        if os.getpid() != self.owner:
            # A web worker that gunicorn forked, leaving through the same `finally`: the
            # jobs worker is the arbiter's to stop.
            return
        with self._lock:
            self._stopping.set()
            process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class ComptoirServer(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from comptoir.wsgi import application

        return application


class Command(BaseCommand):
    help = "Serve the dashboard, the API and the public pages (and run a worker beside them)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-worker", action="store_true", help="do not start a worker")
        parser.add_argument(
            "--workers",
            type=int,
            default=min(4, 2 * (os.cpu_count() or 1)),
            help="web worker processes",
        )
        parser.add_argument("--threads", type=int, default=4, help="threads per web worker")

    def handle(self, *args, host, port, no_worker, workers, threads, **options):
        if not 0 < port < 65536:
            raise CommandError(f"--port {port} is not a TCP port")
        worker = None
        if not no_worker:
            # The jobs worker runs as a child process: gunicorn forks its web workers, which
            # must not inherit a running worker loop and its database connections.
            worker = WorkerChild([sys.executable, "-m", "comptoir", "worker"])
            worker.start()
        self.stdout.write(f"Comptoir is serving on http://{host}:{port}/", ending="\n")
        self.stdout.flush()
        try:
            ComptoirServer(
                {
                    "bind": f"{host}:{port}",
                    "workers": workers,
                    "worker_class": "gthread",
                    "threads": threads,
                    "accesslog": "-",
                    "timeout": 60,
                    "graceful_timeout": 10,
                    # gunicorn's control socket has one path per user: two Comptoir servers
                    # on a machine would take it from each other.
                    "control_socket_disable": True,
                }
            ).run()
        finally:
            if worker is not None:
                worker.stop()
