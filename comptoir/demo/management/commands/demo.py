import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from comptoir.core.models import Workspace
from comptoir.demo.fill import DEMO_EMAIL, DEMO_PASSWORD, demo_fill


class Command(BaseCommand):
    help = "Fill a demo workspace with realistic generated data, and say how to log in."

    def add_arguments(self, parser):
        parser.add_argument(
            "--contacts",
            type=int,
            default=5000,
            help="top the demo directory up to this many contacts (default 5000); "
            "running the command again never duplicates a contact",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the database already holds a workspace (first start)",
        )

    def handle(self, *args, contacts, if_empty, **options):
        if if_empty and Workspace.objects.exists():
            self.stdout.write("A workspace exists already: no demo data added.")
            return
        if contacts < 0:
            raise CommandError("--contacts must be 0 or more")
        started = time.monotonic()
        workspace = demo_fill(contacts=contacts, progress=self.stdout.write)
        self.stdout.write(f"Done in {time.monotonic() - started:.1f} s.")
        self.stdout.write(
            f"Demo workspace {workspace.name!r} ({workspace.slug}) is ready.\n"
            f"Log in at {settings.COMPTOIR_BASE_URL}/ as {DEMO_EMAIL} "
            f"with the password {DEMO_PASSWORD}"
        )
