from django.apps import AppConfig


class CollectConfig(AppConfig):
    name = "comptoir.collect"
    label = "collect"
