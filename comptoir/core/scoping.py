"""The one way to read customer data: always through a workspace (W1, house rule 6).

API handlers and dashboard views never touch `Model.objects` of a workspace-scoped model
directly (tests/core/test_scoping_rule.py checks it); they call `scoped()` or `get_scoped()`,
so a query that forgot its workspace cannot be written by accident.
"""

from typing import TypeVar

from django.db import models
from django.http import Http404

from comptoir.core.models import Workspace

M = TypeVar("M", bound=models.Model)


def scoped(model: type[M] | models.QuerySet, workspace: Workspace) -> models.QuerySet:
    """The rows of `model` (a model class or a queryset) that belong to `workspace`."""
    if workspace is None or workspace.pk is None:
        raise ValueError("a workspace is required to read customer data")
    queryset = model if isinstance(model, models.QuerySet) else model._default_manager.all()
    if queryset.model is Workspace:
        return queryset.filter(pk=workspace.pk)
    return queryset.filter(workspace=workspace)


def get_scoped(model: type[M] | models.QuerySet, workspace: Workspace, **lookup) -> M:
    """One row of this workspace, or Http404 — also when the row exists in another one."""
    try:
        return scoped(model, workspace).get(**lookup)
    except (models.ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None
