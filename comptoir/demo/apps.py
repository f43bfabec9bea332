from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Installed for its management command (`comptoir demo`); it has no models."""

    name = "comptoir.demo"
    label = "demo"
