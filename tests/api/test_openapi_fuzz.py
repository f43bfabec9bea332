"""schemathesis on the OpenAPI schema against a live `comptoir serve` (issue 10, point 7).

Every check, a few examples per operation, a fixed seed (tests/api/fuzz/schemathesis.toml):
no 5xx, no status or content type the schema does not document, no request the schema
allows refused, no request it forbids accepted, responses that match their schemas.
"""

import contextlib
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.processes import (
    ChildDatabase,
    comptoir_env,
    free_port,
    python_in_comptoir,
    run_comptoir,
    wait_for,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

FUZZ = Path(__file__).with_name("fuzz")
REPOSITORY = Path(__file__).parents[2]

# A workspace with a few contacts, tags, a saved segment and a product, so that reads find
# something; prints the admin token's secret.
SEED = """
from comptoir.contacts import services as contacts
from comptoir.core import services as core
owner = core.user_get_or_create(email="owner@example.com", password="fuzz-fuzz-fuzz")
workspace = core.workspace_create(name="Fuzz", owner=owner)
for n in range(3):
    contact = contacts.contact_create(
        workspace=workspace, actor=owner, email=f"c{n}@example.com", first_name=f"C{n}"
    )
    contacts.contact_tags_add(contact=contact, names=["vip", f"t{n}"], actor=owner)
contacts.segment_create(workspace=workspace, actor=owner, name="Saved", filter={"tag": ["vip"]})
token, secret = core.token_create(workspace=workspace, name="fuzz", role="admin")
print(secret)
"""


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def test_the_api_keeps_to_its_openapi_schema(tmp_path):
    var = tmp_path / "var"
    logs = tmp_path / "serve.log"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with ChildDatabase(tmp_path) as database:
        env = {"COMPTOIR_DATABASE_URL": database.url}
        assert run_comptoir(var, "migrate", "-v0", **env).returncode == 0
        secret = python_in_comptoir(var, SEED, **env)
        with logs.open("wb") as log:
            serve = subprocess.Popen(
                [sys.executable, "-m", "comptoir", "serve", "--port", str(port)]
                + ["--workers", "1", "--threads", "1"],
                env=comptoir_env(var, COMPTOIR_BASE_URL=base, **env),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            wait_for(
                lambda: _healthy(f"{base}/healthz"), what="the server", process=serve, logs=logs
            )
            run = subprocess.run(
                [Path(sys.executable).with_name("schemathesis"), "--no-color"]
                + ["--config-file", FUZZ / "schemathesis.toml", "run"]
                + ["-H", f"Authorization: Bearer {secret}"]
                + [f"{base}/api/v1/openapi.json"],
                cwd=REPOSITORY,  # where the hooks module imports from
                capture_output=True,
                text=True,
                timeout=600,
            )
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.kill(serve.pid, signal.SIGTERM)
            try:
                serve.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(serve.pid, signal.SIGKILL)
                serve.wait()
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-5000:]
