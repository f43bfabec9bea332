from django.core.management.base import BaseCommand, CommandError

from comptoir.core.models import Workspace
from comptoir.core.roles import TOKEN_ROLES
from comptoir.core.services import token_create


class Command(BaseCommand):
    help = "Manage API tokens. `token create` prints the new token on its last line."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="create an API token for a workspace")
        create.add_argument("--workspace", required=True, help="the workspace's slug")
        create.add_argument("--name", default="CLI token")
        create.add_argument("--role", default="admin", choices=[r.value for r in TOKEN_ROLES])

    def handle(self, *args, action, **options):
        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"no workspace with the slug {options['workspace']!r}")
        token, secret = token_create(
            workspace=workspace, name=options["name"], role=options["role"]
        )
        self.stdout.write(f"Token {token.name!r} ({token.role}) created for {workspace.slug}.")
        self.stdout.write(secret)
