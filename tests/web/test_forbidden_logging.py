"""Issue 10: a 403 is an answer, not a bug: it is logged in one line, without a traceback."""

import logging

from comptoir.core.roles import Role
from tests.conftest import login


def test_a_refused_dashboard_page_logs_no_traceback(staff, workspace, caplog):
    viewer = login(staff[Role.VIEWER])
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = viewer.post(f"/w/{workspace.slug}/settings/tokens/", {"name": "x"})
    assert response.status_code == 403
    refused = [record for record in caplog.records if record.name == "django.request"]
    assert refused, "the 403 is still logged"
    assert all(record.exc_info is None for record in refused)
    assert "Traceback" not in caplog.text
