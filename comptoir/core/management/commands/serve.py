import os
import signal
import subprocess
import sys

from django.core.management.base import BaseCommand, CommandError
from gunicorn.app.base import BaseApplication


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
            # The jobs worker runs as a child process: gunicorn forks its web workers, and a
            # thread in the arbiter would be copied into every one of them.
            worker = subprocess.Popen([sys.executable, "-m", "comptoir", "worker"])
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
            if worker is not None and worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                try:
                    worker.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    worker.kill()
