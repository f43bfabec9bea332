from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "comptoir.consent"
    label = "consent"
