"""The `comptoir` commands of CONTRACT.md, run as an operator would (in-process)."""

import pytest

from comptoir.cli import main
from comptoir.core.models import ApiToken, Membership, User, Workspace
from comptoir.core.roles import Role
from comptoir.core.services import token_authenticate
from tests.conftest import make_user


@pytest.fixture(autouse=True)
def keep_the_test_connection(monkeypatch):
    """Django closes every connection when a command ends; the test's own must survive."""
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)


def comptoir(*args) -> None:
    main(["comptoir", *args])


def last_line(capsys) -> str:
    return capsys.readouterr().out.strip().splitlines()[-1]


def test_workspace_create_prints_the_slug_last_and_makes_an_owner(db, capsys):
    comptoir(
        "workspace",
        "create",
        "--name",
        "Chez Zoé",
        "--owner-email",
        "zoe@example.com",
        "--password",
        "s3cret-pass",
    )
    slug = last_line(capsys)
    workspace = Workspace.objects.get(slug=slug)
    assert workspace.name == "Chez Zoé"
    owner = User.objects.get(email="zoe@example.com")
    assert owner.check_password("s3cret-pass")
    assert Membership.objects.get(workspace=workspace, user=owner).role == Role.OWNER


def test_workspace_create_for_an_existing_user_keeps_their_password(db, capsys):
    existing = make_user("zoe@example.com")
    comptoir(
        "workspace",
        "create",
        "--name",
        "Second shop",
        "--owner-email",
        "ZOE@example.com",
        "--password",
        "another-one",
    )
    output = capsys.readouterr().out
    assert "password is unchanged" in output
    existing.refresh_from_db()
    assert not existing.check_password("another-one")
    assert (
        Workspace.objects.get(slug=output.strip().splitlines()[-1]).memberships.get().user
        == existing
    )


def test_workspace_create_refuses_a_bad_email(db, capsys):
    with pytest.raises(SystemExit) as stopped:
        comptoir("workspace", "create", "--name", "X", "--owner-email", "nope", "--password", "p")
    assert stopped.value.code == 1
    assert "is not an e-mail address" in capsys.readouterr().err
    assert not Workspace.objects.exists()


def test_token_create_prints_a_working_token_last(workspace, capsys):
    comptoir("token", "create", "--workspace", workspace.slug)
    secret = last_line(capsys)
    token = token_authenticate(secret)
    assert token is not None and token.workspace == workspace
    assert token.role == Role.ADMIN
    assert ApiToken.objects.get(pk=token.pk).digest != secret


def test_token_create_for_an_unknown_workspace_fails_clearly(db, capsys):
    with pytest.raises(SystemExit):
        comptoir("token", "create", "--workspace", "nowhere")
    assert "no workspace with the slug 'nowhere'" in capsys.readouterr().err


def test_demo_creates_a_workspace_to_log_into_and_is_idempotent(db, capsys):
    comptoir("demo", "--contacts", "20")
    output = capsys.readouterr().out
    assert "demo@comptoir.test" in output
    workspace = Workspace.objects.get(slug="demo")
    assert workspace.postal_address and workspace.contact_email
    roles = set(workspace.memberships.values_list("role", flat=True))
    assert roles == {Role.OWNER, Role.ADMIN, Role.MARKETER, Role.VIEWER}
    comptoir("demo", "--contacts", "20")
    assert Workspace.objects.filter(slug="demo").count() == 1


def test_demo_if_empty_leaves_an_existing_installation_alone(workspace, capsys):
    comptoir("demo", "--if-empty")
    assert "no demo data added" in capsys.readouterr().out
    assert not Workspace.objects.filter(slug="demo").exists()
