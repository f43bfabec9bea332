"""Settings → Store: connect Shopify or WooCommerce (webhook address, secret, step-by-step
instructions, the last webhook's verdict, a test), or any other shop through the API.

Everyone of the workspace sees whether the store is connected and how its last webhook
fared; only owners and admins (MANAGE_TOKENS, as in the API) see webhook addresses and
secrets, and connect, change or disconnect a store — the address and the secret together
let anyone write orders.
"""

import json
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from comptoir.commerce import deliveries, selectors, services
from comptoir.commerce.models import StoreConnection
from comptoir.core.roles import Action
from comptoir.core.scoping import get_scoped
from comptoir.core.services import ServiceError
from comptoir.web.access import workspace_view
from comptoir.web.store_forms import StoreConnectForm, StoreSecretForm

# The names the platforms' admin pages give each topic.
EVENT_NAMES = {
    "orders/create": gettext_lazy("Order creation"),
    "orders/updated": gettext_lazy("Order update"),
    "orders/cancelled": gettext_lazy("Order cancellation"),
    "orders/paid": gettext_lazy("Order payment"),
    "checkouts/create": gettext_lazy("Checkout creation"),
    "checkouts/update": gettext_lazy("Checkout update"),
    "customers/create": gettext_lazy("Customer creation"),
    "customers/update": gettext_lazy("Customer update"),
    "order.created": gettext_lazy("Order created"),
    "order.updated": gettext_lazy("Order updated"),
    "order.restored": gettext_lazy("Order restored"),
    "order.deleted": gettext_lazy("Order deleted"),
}


@dataclass
class ConnectionView:
    """One connection as the page shows it."""

    connection: StoreConnection
    secret_form: StoreSecretForm
    new_secret: str = ""
    verdict: deliveries.Verdict | None = None  # the result of "send a test", just now

    @property
    def topics(self) -> list[tuple[str, str]]:
        return [
            (topic, EVENT_NAMES[topic]) for topic in deliveries.TOPICS[self.connection.platform]
        ]

    @property
    def last_reason(self):
        connection = self.connection
        return deliveries.reason_text(connection.last_reason, connection.last_detail)

    @property
    def is_shopify(self) -> bool:
        return self.connection.platform == StoreConnection.Platform.SHOPIFY


def _sample_order(workspace, number: str) -> dict:
    return {
        "email": "zoe.martin@example.com",
        "first_name": "Zoé",
        "last_name": "Martin",
        "number": number,
        "status": "completed",
        "placed_at": "2026-11-28T10:30:00+01:00",
        "currency": workspace.currency,
        "subtotal": "42.00",
        "shipping": "4.90",
        "tax": "0.00",
        "discount": "0.00",
        "total": "46.90",
        "items": [{"product_id": "CAFE-1KG", "name": "Café 1 kg", "quantity": 2, "price": "21.00"}],
    }


def _curl(method: str, url: str, body: dict) -> str:
    # The body has no apostrophe, so it fits between the shell's single quotes.
    data = json.dumps(body, ensure_ascii=False, indent=2)
    return (
        f'curl -X {method} "{url}" \\\n'
        '  -H "Authorization: Bearer $COMPTOIR_TOKEN" \\\n'
        '  -H "Content-Type: application/json" \\\n'
        f"  -d '{data}'"
    )


def api_examples(workspace) -> dict:
    """`curl` calls for a shop that is neither Shopify nor WooCommerce, ready to run with
    this workspace's address and a token in $COMPTOIR_TOKEN."""
    base = settings.COMPTOIR_BASE_URL.rstrip("/") + "/api/v1"
    batch = {
        "orders": [
            {"external_id": "1001", **_sample_order(workspace, "1001")},
            {"external_id": "1002", **_sample_order(workspace, "1002")},
        ]
    }
    return {
        "base": base,
        "put": _curl("PUT", f"{base}/orders/1001", _sample_order(workspace, "1001")),
        "batch": _curl("POST", f"{base}/orders/batch", batch),
    }


def _render(request, *, connect_form=None, shown=None, status=200):
    """The page; `shown` maps a connection id to what this answer shows once for it (a new
    secret, a test's verdict)."""
    shown = shown or {}
    rows = []
    for connection in selectors.store_connections(workspace=request.workspace):
        extra = shown.get(connection.pk, {})
        rows.append(
            ConnectionView(
                connection=connection,
                secret_form=extra.get("secret_form") or StoreSecretForm(connection=connection),
                new_secret=extra.get("new_secret", ""),
                verdict=extra.get("verdict"),
            )
        )
    context = {
        "connections": rows,
        "connect_form": connect_form or StoreConnectForm(),
        "api": api_examples(request.workspace),
        "shopify_topics": [
            (topic, EVENT_NAMES[topic])
            for topic in deliveries.TOPICS[StoreConnection.Platform.SHOPIFY]
        ],
        "woocommerce_topics": [
            (topic, EVENT_NAMES[topic])
            for topic in deliveries.TOPICS[StoreConnection.Platform.WOOCOMMERCE]
        ],
    }
    response = render(request, "web/settings/store.html", context, status=status)
    if any("new_secret" in extra for extra in shown.values()):
        response["Cache-Control"] = "no-store"  # a secret shown once stays out of caches
    return response


@workspace_view(read=Action.VIEW, write=Action.MANAGE_TOKENS)
def store_settings(request):
    if request.method != "POST":
        return _render(request)
    form = StoreConnectForm(request.POST)
    if not form.is_valid():
        return _render(request, connect_form=form, status=422)
    try:
        connection = services.store_connection_create(
            workspace=request.workspace,
            platform=form.cleaned_data["platform"],
            secret=form.cleaned_data["secret"] or None,
            actor=request.user,
        )
    except ServiceError as error:
        form.add_error(None, error.message)
        return _render(request, connect_form=form, status=422)
    if not form.cleaned_data["secret"] and connection.secret:
        # Made here: the only time it is shown.
        return _render(request, shown={connection.pk: {"new_secret": connection.secret}})
    messages.success(request, _("Store connected."))
    return redirect("settings_store", slug=request.workspace.slug)


def _connection(request, connection_id: int) -> StoreConnection:
    return get_scoped(StoreConnection, request.workspace, pk=connection_id)


@require_POST
@workspace_view(write=Action.MANAGE_TOKENS)
def store_secret(request, connection_id: int):
    connection = _connection(request, connection_id)
    form = StoreSecretForm(request.POST, connection=connection)
    if form.is_valid():
        try:
            services.store_connection_secret_set(
                connection=connection, secret=form.cleaned_data["secret"], actor=request.user
            )
        except ServiceError as error:
            form.add_error("secret", error.message)
        else:
            messages.success(request, _("Secret saved."))
            return redirect("settings_store", slug=request.workspace.slug)
    return _render(request, shown={connection.pk: {"secret_form": form}}, status=422)


def _confirm(request, connection: StoreConnection, *, title: str, text: str, button: str):
    return render(
        request,
        "web/settings/store_confirm.html",
        {"connection": connection, "title": title, "text": text, "button": button},
    )


@require_POST
@workspace_view(write=Action.MANAGE_TOKENS)
def store_regenerate(request, connection_id: int):
    connection = _connection(request, connection_id)
    if request.POST.get("confirm") != "yes":
        return _confirm(
            request,
            connection,
            title=_("Make a new secret?"),
            text=_(
                "The current secret stops working at once: the store’s webhooks are refused "
                "until you paste the new secret into each of them."
            ),
            button=_("Make a new secret"),
        )
    try:
        secret = services.store_connection_secret_regenerate(
            connection=connection, actor=request.user
        )
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("settings_store", slug=request.workspace.slug)
    return _render(request, shown={connection.pk: {"new_secret": secret}})


@require_POST
@workspace_view(write=Action.MANAGE_TOKENS)
def store_delete(request, connection_id: int):
    connection = _connection(request, connection_id)
    if request.POST.get("confirm") != "yes":
        return _confirm(
            request,
            connection,
            title=_("Disconnect this store?"),
            text=_(
                "Its webhook address stops working at once: orders the store sends from now "
                "on are lost to Comptoir. Orders already received stay."
            ),
            button=_("Disconnect"),
        )
    services.store_connection_delete(connection=connection, actor=request.user)
    messages.success(request, _("Store disconnected."))
    return redirect("settings_store", slug=request.workspace.slug)


@require_POST
@workspace_view(write=Action.MANAGE_TOKENS)
def store_test(request, connection_id: int):
    connection = _connection(request, connection_id)
    verdict = deliveries.store_connection_test(connection=connection)
    return _render(request, shown={connection.pk: {"verdict": verdict}})
