from django.urls import path

from comptoir.commerce import webhooks

urlpatterns = [
    path("shopify/<str:token>/", webhooks.shopify_webhook, name="webhook_shopify"),
    path("woocommerce/<str:token>/", webhooks.woocommerce_webhook, name="webhook_woocommerce"),
]
