"""Where the contact-form notice job lived before it moved beside its service
(collect.services): jobs queued under this path by an older release still find it."""

from comptoir.collect.services import contact_message_notify_task

__all__ = ["contact_message_notify_task"]
