"""`comptoir check --deploy` tells an operator that bounces cannot reach Comptoir."""

import pytest

from tests.processes import run_comptoir

pytestmark = pytest.mark.slow


def test_check_deploy_warns_when_an_e_mail_service_has_no_webhook_secret(tmp_path):
    checked = run_comptoir(
        tmp_path, "check", "--deploy", "--tag", "mail", COMPTOIR_EMAIL_URL="postmark://TOKEN@"
    )
    assert "comptoir.W001" in checked.stderr + checked.stdout
    assert "COMPTOIR_ESP_WEBHOOK_SECRET" in checked.stderr + checked.stdout


def test_check_deploy_is_quiet_about_webhooks_once_the_secret_is_set(tmp_path):
    checked = run_comptoir(
        tmp_path,
        "check",
        "--deploy",
        "--tag",
        "mail",
        COMPTOIR_EMAIL_URL="postmark://TOKEN@",
        COMPTOIR_ESP_WEBHOOK_SECRET="hook:a-long-secret",
    )
    assert checked.returncode == 0, checked.stderr
    assert "comptoir.W001" not in checked.stderr + checked.stdout
