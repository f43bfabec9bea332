"""`make run` as the README tells a merchant to use it: a real server on a fresh SQLite file."""

import contextlib
import html
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from django.db import connection

from comptoir.demo.fill import DEMO_EMAIL, DEMO_PASSWORD, DEMO_SLUG

pytestmark = pytest.mark.slow

REPOSITORY = Path(__file__).resolve().parent.parent
# Seconds. `make run` may first have to refresh the virtualenv, then fills the demo shop
# (about 20 s of CPU for 5,000 contacts and their orders, bench/demo_fill.py): on a machine
# shared with other test runs, several times that.
START_TIMEOUT = 180
STOP_TIMEOUT = 15


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def clean_environment(var_dir: Path) -> dict[str, str]:
    """The caller's environment without its Comptoir configuration, as on a fresh machine."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("COMPTOIR_")
        # Under `make test` these carry the outer make's options and jobserver into ours.
        and name not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"}
    }
    env["COMPTOIR_VAR_DIR"] = str(var_dir)
    return env


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def stop(process: subprocess.Popen) -> None:
    """End make and everything it started (comptoir serve, gunicorn's workers, the worker)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    while time.monotonic() < deadline:
        process.poll()  # reaps make, so that a dead group really is gone
        if not group_alive(process.pid):
            break
        time.sleep(0.2)
    else:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=STOP_TIMEOUT)


def output_of(logs: Path) -> str:
    return "\n".join(f"--- {path.name}\n{path.read_text()}" for path in sorted(logs.iterdir()))


def wait_for_login_page(process: subprocess.Popen, url: str, logs: Path):
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"make run exited with {process.returncode}:\n{output_of(logs)}")
        try:
            return urllib.request.urlopen(url, timeout=5)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    pytest.fail(f"nothing answered at {url} after {START_TIMEOUT} s:\n{output_of(logs)}")


def test_make_run_serves_the_dashboard_with_a_demo_workspace_one_can_log_in_to(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("engine-independent; runs in the SQLite pass")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    logs = tmp_path / "logs"
    logs.mkdir()
    stdout, stderr = logs / "stdout", logs / "stderr"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(
            ["make", "run", f"PORT={port}"],
            cwd=REPOSITORY,
            env=clean_environment(tmp_path / "var"),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
    try:
        with wait_for_login_page(process, f"{base}/accounts/login/", logs) as login_page:
            assert login_page.status == 200
            body = login_page.read().decode()
        assert re.search(r'<form method="post"[^>]*>', body)
        assert 'name="username"' in body and 'name="password"' in body

        with urllib.request.urlopen(f"{base}/healthz", timeout=10) as health:
            assert health.status == 200

        printed = stdout.read_text()
        assert f"as {DEMO_EMAIL}" in printed and DEMO_PASSWORD in printed, output_of(logs)
        assert f"{base}/" in printed
        assert (tmp_path / "var" / "comptoir.sqlite3").is_file()

        cookies = CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies))
        with browser.open(f"{base}/accounts/login/", timeout=10) as response:
            response.read()
        csrf_token = next(cookie.value for cookie in cookies if cookie.name == "csrftoken")
        form = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": csrf_token,
                "username": DEMO_EMAIL,
                "password": DEMO_PASSWORD,
            }
        ).encode()
        with browser.open(f"{base}/accounts/login/", data=form, timeout=10) as response:
            assert response.status == 200
            assert response.url == f"{base}/w/{DEMO_SLUG}/contacts/"
            page = html.unescape(response.read().decode())
        assert re.search(r"<h1[^>]*>\s*Contacts\s*</h1>", page)
        assert "L’Épicerie des Martyrs" in page
        assert DEMO_EMAIL in page
    finally:
        stop(process)
