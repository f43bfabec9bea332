"""What the bulk actions of the directory share: their batch size and their result."""

from dataclasses import dataclass

BATCH = 1000


@dataclass(frozen=True)
class BulkResult:
    matched: int  # contacts selected (of this workspace)
    changed: int  # contacts the action changed
