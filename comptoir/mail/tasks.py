"""Where the delivery job lived before it moved beside its service (mail.services): jobs
queued under this path by an older release still find it."""

from comptoir.mail.services import delivery_send_task

__all__ = ["delivery_send_task"]
