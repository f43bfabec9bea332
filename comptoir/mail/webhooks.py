"""The door in front of anymail's tracking webhooks (K6): bounces and complaints stop all
marketing to an address, so a forged one is an attack on a merchant's list.

Nothing is accepted unless the operator set COMPTOIR_ESP_WEBHOOK_SECRET (HTTP basic auth),
and a provider's own signature is checked on top wherever anymail can (Mailgun, Mandrill).
A provider that is not configured answers 404, never a 500 the provider would retry.
"""

import logging

from anymail.exceptions import AnymailWebhookValidationFailure
from anymail.webhooks.amazon_ses import AmazonSESTrackingWebhookView
from anymail.webhooks.brevo import BrevoTrackingWebhookView
from anymail.webhooks.mailgun import MailgunTrackingWebhookView
from anymail.webhooks.mandrill import MandrillCombinedWebhookView
from anymail.webhooks.postmark import PostmarkTrackingWebhookView
from anymail.webhooks.sendgrid import SendGridTrackingWebhookView
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from comptoir.core.json_errors import error_response

logger = logging.getLogger("comptoir.mail")

TRACKING_VIEWS = {
    "amazon_ses": AmazonSESTrackingWebhookView,
    "brevo": BrevoTrackingWebhookView,
    "mailgun": MailgunTrackingWebhookView,
    "mandrill": MandrillCombinedWebhookView,
    "postmark": PostmarkTrackingWebhookView,
    "sendgrid": SendGridTrackingWebhookView,
    # Brevo's former name: providers keep posting to URLs set up years ago.
    "sendinblue": BrevoTrackingWebhookView,
}


def webhook_secret_configured() -> bool:
    return bool(settings.ANYMAIL.get("WEBHOOK_SECRET"))


@csrf_exempt
def esp_tracking(request, esp: str):
    view_class = TRACKING_VIEWS.get(esp)
    if view_class is None or not webhook_secret_configured():
        # Without a shared secret anyone could post a "bounce": refuse rather than trust.
        return error_response(
            404, "not_configured", _("This e-mail service webhook is not configured.")
        )
    try:
        return view_class.as_view()(request)
    except AnymailWebhookValidationFailure as failure:
        logger.warning("%s webhook refused: %s", esp, failure)
        return error_response(
            401, "unauthorized", _("The webhook's credentials or signature are wrong.")
        )
    except ImproperlyConfigured as error:
        # e.g. Mailgun without its signing key: the operator's mistake, not the caller's.
        logger.error("%s webhook is not configured: %s", esp, error)
        return error_response(
            404, "not_configured", _("This e-mail service webhook is not configured.")
        )
