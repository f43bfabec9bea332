"""Running `comptoir` as a separate process, the way an operator or a deployment does."""

import os
import subprocess
import sys


def comptoir_env(var_dir, **overrides) -> dict:
    """The environment of a fresh installation in `var_dir`: no COMPTOIR_* from the tests."""
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("COMPTOIR_")
    }
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    # Set by the browser tests for their own process only (tests/e2e/conftest.py).
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    environment.update(COMPTOIR_VAR_DIR=str(var_dir), **overrides)
    return environment


def run_comptoir(var_dir, *args, timeout: int = 120, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "comptoir", *args],
        env=comptoir_env(var_dir, **env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
