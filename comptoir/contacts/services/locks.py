"""Row locks taken before a write about a contact, so that it and an erasure (X5) queue."""

from django.utils.translation import gettext as _

from comptoir.contacts.models import (
    Contact,
)
from comptoir.core.models import Workspace
from comptoir.core.scoping import scoped
from comptoir.core.services import ServiceError


def contact_lock(contact: Contact) -> Contact:
    """Lock the contact's row for this transaction, or say it is gone.

    A write about a contact and its erasure (X5) take this lock first, so they queue: a note
    added while the person is being erased finds them gone (404), never a foreign-key error
    that would also stop the erasure."""
    locked = Contact.objects.select_for_update().filter(pk=contact.pk).first()
    if locked is None:
        raise ServiceError(_("This contact no longer exists."), code="not_found", status=404)
    return locked


def _lock_contacts(workspace: Workspace, ids: list[int]) -> list[int]:
    """`contact_lock` for a batch: the ids among `ids` whose contacts still exist, their rows
    locked (in id order, as every batch takes them) until the end of the transaction."""
    locked = scoped(Contact, workspace).select_for_update().filter(pk__in=ids).order_by("pk")
    return list(locked.values_list("pk", flat=True))
