from django.apps import AppConfig


class AutomationsConfig(AppConfig):
    name = "comptoir.automations"
    label = "automations"
    verbose_name = "Automations"

    def ready(self):
        from comptoir.automations import content, services
        from comptoir.commerce import followers
        from comptoir.mail import pipeline

        # The pipeline asks these for each message at send time (A4): no import of ours there.
        pipeline.register_content(content.CART_ORIGIN, content.cart_reminder_content)
        pipeline.register_content(content.WELCOME_ORIGIN, content.welcome_content)
        # Commerce tells of every order and cart after commit (A1, A3, A6): no import of ours.
        followers.on_order_written(services.order_written)
        followers.on_cart_changed(services.cart_changed)
