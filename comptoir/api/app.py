"""The JSON API under /api/v1/ (W4, P1): one router module per resource."""

from comptoir.api import (
    automations,
    campaigns,
    commerce,
    consent,
    contacts,
    errors,
    exports,
    imports,
    notes,
    privacy,
    segments,
    signup_page,
    staff,
    tags,
    tokens,
    workspace,
)
from comptoir.api.auth import TokenAuth
from comptoir.api.openapi import ComptoirApi, Utf8JsonRenderer

api = ComptoirApi(
    title="Comptoir API",
    version="1",
    description=(
        "Every request carries `Authorization: Bearer <token>` and sees only the token's "
        "workspace. Errors are `{detail, code}`; lists are `{items, next_cursor}` with "
        "`limit` (≤ 500) and `cursor`."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
    docs_url="/docs",
    renderer=Utf8JsonRenderer(),
)
errors.install(api)

api.add_router("/workspace", workspace.router)
api.add_router("/tokens", tokens.router)
api.add_router("/staff", staff.router)
# Fixed paths first: "/contacts/{contact_id}" would take "export.csv" for an id.
api.add_router("/contacts", exports.contacts)
api.add_router("/contacts", contacts.router)
api.add_router("/contacts", consent.router)
api.add_router("/contacts", privacy.router)
api.add_router("/notes", notes.router)
api.add_router("/tags", tags.router)
api.add_router("/segments", segments.router)
api.add_router("/suppressions", exports.suppressions)
api.add_router("/products", commerce.products)
api.add_router("/orders", commerce.orders)
api.add_router("/carts", commerce.carts)
api.add_router("/subscriptions", commerce.subscriptions)
api.add_router("/contacts", commerce.contacts)
api.add_router("/store-connections", commerce.store_connections)
api.add_router("/imports", imports.router)
api.add_router("/campaigns", campaigns.router)
api.add_router("/signup-page", signup_page.router)
api.add_router("/automations", automations.router)
