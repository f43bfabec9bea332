"""Builders for import tests: upload a file through the service and run its job, as the
worker would."""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from comptoir.contacts.models import Contact
from comptoir.core.scoping import scoped
from comptoir.transfer.imports import import_create, import_run
from comptoir.transfer.models import ImportJob

FIXTURES = Path(__file__).parent / "fixtures"


def upload(content: bytes | str, name: str = "contacts.csv") -> SimpleUploadedFile:
    if isinstance(content, str):
        content = content.encode()
    return SimpleUploadedFile(name, content, content_type="text/csv")


def fixture(name: str) -> SimpleUploadedFile:
    return upload((FIXTURES / name).read_bytes(), name)


def run_import(workspace, file, *, actor=None, **options) -> ImportJob:
    """Upload `file` (bytes, text or an uploaded file) and run its job to the end."""
    if not isinstance(file, SimpleUploadedFile):
        file = upload(file)
    job = import_create(workspace=workspace, upload=file, actor=actor, **options)
    import_run(job_id=job.pk)
    job.refresh_from_db()
    return job


def contact(workspace, email: str) -> Contact:
    return scoped(Contact, workspace).prefetch_related("tags").get(email_key=email.lower())


def tag_names(contact: Contact) -> list[str]:
    return sorted(tag.name for tag in contact.tags.all())
