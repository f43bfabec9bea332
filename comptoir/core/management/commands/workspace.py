from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from comptoir.core.models import User
from comptoir.core.services import ServiceError, user_get_or_create, workspace_create


class Command(BaseCommand):
    help = "Manage workspaces. `workspace create` prints the new slug on its last line."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="create a workspace and its owner")
        create.add_argument("--name", required=True)
        create.add_argument("--owner-email", required=True)
        create.add_argument("--password", required=True)

    def handle(self, *args, action, **options):
        if action == "create":
            self.create(options["name"], options["owner_email"], options["password"])

    def create(self, name: str, email: str, password: str) -> None:
        try:
            validate_email(email.strip())
        except ValidationError:
            raise CommandError(f"--owner-email {email!r} is not an e-mail address") from None
        if not password:
            raise CommandError("--password must not be empty")
        existing = User.objects.filter(email__iexact=email.strip()).exists()
        try:
            with transaction.atomic():
                owner = user_get_or_create(email=email, password=password)
                workspace = workspace_create(name=name, owner=owner)
        except ServiceError as error:
            raise CommandError(error.message) from None
        if existing:
            self.stdout.write(f"{owner.email} already had an account: its password is unchanged.")
        self.stdout.write(f"Workspace {workspace.name!r} created, owned by {owner.email}.")
        self.stdout.write(workspace.slug)
