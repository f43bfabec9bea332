from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "comptoir.consent"
    label = "consent"

    def ready(self):
        from comptoir.consent import checks  # noqa: F401 - registers the ledger check
