"""Issue 10: a deployment on an https base URL passes `comptoir check --deploy` cleanly."""

import secrets

import pytest

from tests.processes import run_comptoir

pytestmark = pytest.mark.slow


def test_check_deploy_is_clean_for_an_https_base_url(tmp_path):
    checked = run_comptoir(
        tmp_path,
        "check",
        "--deploy",
        COMPTOIR_BASE_URL="https://shop.example.com",
        COMPTOIR_SECRET_KEY=secrets.token_urlsafe(50),
    )
    assert checked.returncode == 0, checked.stderr
    assert "WARNINGS" not in checked.stderr + checked.stdout
    assert "no issues" in checked.stdout


def test_https_redirects_plain_requests_except_the_health_probe(tmp_path):
    script = (
        "from django.test import Client\n"
        "c = Client()\n"
        "print(c.get('/accounts/login/').status_code, c.get('/healthz').status_code)\n"
        "print(c.get('/accounts/login/', headers={'X-Forwarded-Proto': 'https'}).status_code)\n"
    )
    shell = run_comptoir(
        tmp_path,
        "shell",
        "-c",
        script,
        COMPTOIR_BASE_URL="https://shop.example.com",
        COMPTOIR_ALLOWED_HOSTS="testserver",
    )
    assert shell.returncode == 0, shell.stderr
    redirected, health, forwarded = shell.stdout.split()[-3:]
    assert redirected == "301"
    assert health in {"200", "503"}  # no database migrated here: what matters is no redirect
    assert forwarded == "200"
