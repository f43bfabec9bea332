from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from comptoir.collect.events import Kind
from comptoir.collect.services import staff_recipients
from comptoir.contacts.models import ContactEvent


@task()
def contact_message_notify_task(event_id: int) -> int:
    """Tell the business about a contact-form message (S4), from the worker: no SMTP
    conversation ever holds a visitor's request."""
    event = (
        ContactEvent.objects.select_related("contact__workspace")
        .filter(pk=event_id, kind=Kind.CONTACT_MESSAGE)
        .first()
    )
    if event is None:
        return 0
    contact = event.contact
    workspace = contact.workspace
    recipients = staff_recipients(workspace)
    if not recipients:
        return 0
    link = settings.COMPTOIR_BASE_URL + f"/w/{workspace.slug}/contacts/{contact.pk}/"
    with translation.override(workspace.language):
        subject = _("New message from %(name)s") % {"name": event.data.get("name") or contact.email}
        body = _(
            "%(name)s <%(email)s> wrote through your contact form:\n\n%(message)s\n\n"
            "Phone: %(phone)s\nProfile: %(link)s\n"
        ) % {
            "name": event.data.get("name") or "",
            "email": contact.email,
            "message": event.data.get("message", ""),
            "phone": event.data.get("phone") or "-",
            "link": link,
        }
    return send_mail(subject, body, None, recipients, fail_silently=False)
