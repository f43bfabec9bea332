"""What the bulk actions of the directory share: their batch size and their result."""

from dataclasses import dataclass

from comptoir.contacts.events import BATCH

__all__ = ["BATCH", "BulkResult"]


@dataclass(frozen=True)
class BulkResult:
    matched: int  # contacts selected (of this workspace)
    changed: int  # contacts the action changed
