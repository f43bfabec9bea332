"""The double opt-in e-mail (K7): transactional, so it goes out without marketing consent,
through mail's one send pipeline (queued here, sent by the worker after commit)."""

from django.utils import translation
from django.utils.translation import gettext as _

from comptoir.collect.models import Signup
from comptoir.collect.tokens import CONFIRMATION_MAX_AGE, confirmation_url
from comptoir.mail.models import Delivery
from comptoir.mail.services import delivery_create


def confirmation_send(*, signup: Signup, language: str) -> Delivery:
    link = confirmation_url(workspace_id=signup.workspace_id, signup_id=signup.pk)
    with translation.override(language):
        subject = _("Confirm your subscription to %(business)s") % {
            "business": signup.contact.workspace.name
        }
        body = _(
            "Hello,\n\n"
            "To receive the e-mails of %(business)s, confirm your address:\n\n"
            "[Confirm my subscription](%(link)s)\n\n"
            "This link works for %(days)d days. If you did not sign up, ignore this e-mail: "
            "you will receive nothing else."
        ) % {
            "business": signup.contact.workspace.name,
            "link": link,
            "days": CONFIRMATION_MAX_AGE // 86400,
        }
    return delivery_create(
        contact=signup.contact,
        kind=Delivery.Kind.TRANSACTIONAL,
        subject=subject,
        body_markdown=body,
    )
