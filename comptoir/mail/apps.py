from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "comptoir.mail"
    label = "mail"

    def ready(self):
        from anymail.signals import tracking

        from comptoir.mail import (
            checks,  # noqa: F401 - registers the deploy check
            staff,  # noqa: F401 - hooks the invitation e-mail
        )
        from comptoir.mail.bounces import esp_event_received

        tracking.connect(esp_event_received, dispatch_uid="comptoir.mail.bounces")
