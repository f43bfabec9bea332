"""Every write of commerce (house rule 1): keyword-only, typed, atomic.

Orders, carts, products and subscriptions are **upserts keyed by the store's own ids**:

- the same payload again changes nothing and writes no timeline entry (O1) — recognised by
  a digest of the cleaned payload, from one indexed read, without a lock;
- when the store sends its own modification time (`updated_at`), an older version arriving
  after a newer one is ignored; without it, the last write wins;
- each order change recomputes the contact's figures (C5) and type (C3) from its orders in
  the same transaction, with the contact row locked, so concurrent orders for one person
  queue up instead of losing each other's figures;
- a race on a unique key (two requests creating the same order or contact at once) is
  retried: the second attempt reads what the first wrote.

One module per noun; the public names are re-exported here.
"""

from comptoir.commerce.services.base import (
    ATTEMPTS,
    COUNTED,
    Upserted,
)
from comptoir.commerce.services.carts import (
    cart_upsert,
)
from comptoir.commerce.services.contact_figures import (
    contact_figures_refresh,
)
from comptoir.commerce.services.customers import (
    customer_upsert,
)
from comptoir.commerce.services.draft_orders import (
    DRAFT_NOTE_MAX,
    draft_order_complete,
    draft_order_create,
)
from comptoir.commerce.services.orders import (
    order_cancel,
    order_upsert,
)
from comptoir.commerce.services.orders_batch import (
    BATCH_MAX,
    BatchOutcome,
    batch_too_large,
    orders_batch_upsert,
)
from comptoir.commerce.services.products import (
    product_upsert,
)
from comptoir.commerce.services.store_connections import (
    store_connection_create,
    store_connection_delete,
    store_connection_record,
    store_connection_secret_regenerate,
    store_connection_secret_set,
)
from comptoir.commerce.services.store_contacts import (
    STORE_DETAIL_FIELDS,
    contact_details_sync,
    contact_figures_set,
    contact_for_store,
    contacts_for_store,
)
from comptoir.commerce.services.subscriptions import (
    subscription_upsert,
)

__all__ = [
    "ATTEMPTS",
    "BATCH_MAX",
    "BatchOutcome",
    "COUNTED",
    "DRAFT_NOTE_MAX",
    "STORE_DETAIL_FIELDS",
    "Upserted",
    "batch_too_large",
    "cart_upsert",
    "contact_details_sync",
    "contact_figures_refresh",
    "contact_figures_set",
    "contact_for_store",
    "contacts_for_store",
    "customer_upsert",
    "draft_order_complete",
    "draft_order_create",
    "order_cancel",
    "order_upsert",
    "orders_batch_upsert",
    "product_upsert",
    "store_connection_create",
    "store_connection_delete",
    "store_connection_record",
    "store_connection_secret_regenerate",
    "store_connection_secret_set",
    "subscription_upsert",
]
