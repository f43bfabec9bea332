"""`comptoir check --deploy`: an e-mail service whose bounce webhook cannot be trusted."""

from django.conf import settings
from django.core.checks import Warning, register

from comptoir.mail.webhooks import webhook_secret_configured


@register("mail", deploy=True)
def esp_webhook_secret_check(app_configs, **kwargs):
    if not settings.EMAIL_BACKEND.startswith("anymail.") or webhook_secret_configured():
        return []
    return [
        Warning(
            "Mail goes through an e-mail service but COMPTOIR_ESP_WEBHOOK_SECRET is unset: "
            "its bounce and complaint webhooks are refused, so bounced addresses are not "
            "suppressed.",
            hint="Set COMPTOIR_ESP_WEBHOOK_SECRET=user:password and give the service the "
            "webhook URL https://user:password@<host>/webhooks/esp/<service>/tracking/.",
            id="comptoir.W001",
        )
    ]
