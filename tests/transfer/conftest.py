import pytest


@pytest.fixture(autouse=True)
def imports_in_a_temporary_var_dir(settings, tmp_path):
    """Uploaded files go under VAR_DIR/imports/: a directory of each test's own."""
    settings.VAR_DIR = tmp_path
