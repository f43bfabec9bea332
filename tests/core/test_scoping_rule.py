"""House rule 6: API handlers and dashboard views read customer data only through a scope."""

import re
from pathlib import Path

import pytest
from django.apps import apps

from comptoir.core.models import WorkspaceScoped
from comptoir.core.scoping import get_scoped, scoped

ADAPTERS = [Path("comptoir/api"), Path("comptoir/web")]


def scoped_models():
    return [model for model in apps.get_models() if issubclass(model, WorkspaceScoped)]


def test_adapters_never_query_a_workspace_scoped_model_directly():
    offences = []
    for model in scoped_models():
        pattern = re.compile(rf"\b{model.__name__}\.(objects|_default_manager)\b")
        for folder in ADAPTERS:
            for source in folder.rglob("*.py"):
                for number, line in enumerate(source.read_text().splitlines(), 1):
                    if pattern.search(line):
                        offences.append(f"{source}:{number}: {line.strip()}")
    assert not offences, "use comptoir.core.scoping.scoped()/get_scoped():\n" + "\n".join(offences)


def test_scoped_refuses_to_run_without_a_workspace():
    from comptoir.core.models import ApiToken

    with pytest.raises(ValueError, match="workspace is required"):
        scoped(ApiToken, None)


def test_get_scoped_hides_other_workspaces_rows_as_404(workspace, other_workspace):
    from django.http import Http404

    from comptoir.core.models import ApiToken
    from comptoir.core.services import token_create

    theirs, _secret = token_create(workspace=other_workspace, name="theirs")
    with pytest.raises(Http404):
        get_scoped(ApiToken, workspace, pk=theirs.pk)
    with pytest.raises(Http404):
        get_scoped(ApiToken, workspace, pk="not a number")
    assert get_scoped(ApiToken, other_workspace, pk=theirs.pk) == theirs
