"""What the store sends (O1–O4): idempotent upserts keyed by the store's own ids, the
profile's orders and subscriptions, draft orders (C13) and store connections for webhooks.

`PUT` answers 201 when it created the object and 200 otherwise — also when the body was
the same as before and nothing changed.
"""

from ninja import Router, Status
from pydantic import ValidationError

from comptoir.api.auth import require
from comptoir.api.commerce_schemas import (
    CartIn,
    CartOut,
    DraftOrderIn,
    OrderBatchIn,
    OrderBatchItemIn,
    OrderBatchOut,
    OrderIn,
    OrderList,
    OrderOut,
    ProductIn,
    ProductOut,
    StoreConnectionIn,
    StoreConnectionList,
    StoreConnectionOut,
    SubscriptionIn,
    SubscriptionList,
    SubscriptionOut,
    batch_error_detail,
    cart_out,
    order_out,
    page_out,
    product_out,
    store_connection_out,
    subscription_out,
)
from comptoir.api.pagination import PageQuery, paginate
from comptoir.commerce import selectors, services
from comptoir.commerce.models import StoreConnection
from comptoir.contacts.models import Contact
from comptoir.core.roles import Action
from comptoir.core.scoping import get_scoped

products = Router(tags=["commerce"])
orders = Router(tags=["commerce"])
carts = Router(tags=["commerce"])
subscriptions = Router(tags=["commerce"])
contacts = Router(tags=["commerce"])
store_connections = Router(tags=["store connections"])


def _actor(request):
    return request.auth.created_by


def _upserted(result, serialize):
    return Status(201 if result.created else 200, serialize(result.obj))


@products.put("/{external_id}", response={200: ProductOut, 201: ProductOut})
def product_put(request, external_id: str, payload: ProductIn):
    """Create or update a product (O2) by the store's id."""
    workspace = require(request, Action.EDIT)
    result = services.product_upsert(
        workspace=workspace, external_id=external_id, data=payload.model_dump()
    )
    return _upserted(result, product_out)


@products.get("/{external_id}", response=ProductOut)
def product_read(request, external_id: str):
    workspace = require(request, Action.VIEW)
    return product_out(selectors.product_get(workspace=workspace, external_id=external_id))


@orders.post("/batch", response={200: OrderBatchOut})
def order_batch(request, payload: OrderBatchIn):
    """Create or update up to 1,000 orders at once (a shop's history), each by the rules of
    `PUT /orders/{external_id}`. Every order gets its own result, in the batch's order:
    `created`, `updated`, `unchanged` (the same body again) or `error` with the `code` and
    `detail` the PUT would answer; a bad order fails alone. Sending the batch again changes
    nothing. Each contact's figures are recomputed once for the batch."""
    workspace = require(request, Action.EDIT)
    if len(payload.orders) > services.BATCH_MAX:
        raise services.batch_too_large()
    results, sendable = {}, []
    for index, raw in enumerate(payload.orders):
        try:
            order = OrderBatchItemIn.model_validate(raw)
        except ValidationError as error:
            external_id = raw.get("external_id") if isinstance(raw, dict) else None
            results[index] = {
                "index": index,
                "external_id": external_id if isinstance(external_id, str) else None,
                "status": "error",
                "id": None,
                "code": "validation_error",
                "detail": batch_error_detail(error),
            }
            continue
        data = order.model_dump()
        sendable.append((index, data.pop("external_id"), data))
    outcomes = services.orders_batch_upsert(
        workspace=workspace, orders=[(external_id, data) for _i, external_id, data in sendable]
    )
    for (index, _external_id, _data), outcome in zip(sendable, outcomes, strict=True):
        results[index] = {
            "index": index,
            "external_id": outcome.external_id,
            "status": outcome.status,
            "id": outcome.order_id,
            "code": outcome.code or None,
            "detail": outcome.detail or None,
        }
    ordered = [results[index] for index in range(len(payload.orders))]
    counts = {status: 0 for status in ("created", "updated", "unchanged", "error")}
    for result in ordered:
        counts[result["status"]] += 1
    return {
        "results": ordered,
        "created": counts["created"],
        "updated": counts["updated"],
        "unchanged": counts["unchanged"],
        "errors": counts["error"],
    }


# `/orders/batch` is matched before `/orders/{external_id}`, so the order whose store id is
# "batch" is written and read here, by the same views; documented, so that the schema lists
# every method this path answers.
@orders.put("/batch", response={200: OrderOut, 201: OrderOut})
def order_put_batch_id(request, payload: OrderIn):
    """`PUT /orders/{external_id}` for the order whose store id is `batch`."""
    return order_put(request, "batch", payload)


@orders.get("/batch", response=OrderOut)
def order_read_batch_id(request):
    """`GET /orders/{external_id}` for the order whose store id is `batch`."""
    return order_read(request, "batch")


@orders.put("/{external_id}", response={200: OrderOut, 201: OrderOut})
def order_put(request, external_id: str, payload: OrderIn):
    """Create or update an order (O1) by the store's id. An unknown address creates the
    contact, a known one (in any case) gets the order (C2); the contact's figures follow
    (C5), and its name, phone and addresses too unless staff locked them (C6)."""
    workspace = require(request, Action.EDIT)
    result = services.order_upsert(
        workspace=workspace, external_id=external_id, data=payload.model_dump()
    )
    return _upserted(result, order_out)


@orders.get("/{external_id}", response=OrderOut)
def order_read(request, external_id: str):
    workspace = require(request, Action.VIEW)
    return order_out(selectors.order_get(workspace=workspace, external_id=external_id))


@orders.post("/{external_id}/complete", response=OrderOut)
def order_complete(request, external_id: str):
    """Complete a draft order (C13): placed now, it counts, and a prospect becomes a
    customer. 409 `not_draft` for an order that is not a draft."""
    workspace = require(request, Action.EDIT)
    order = selectors.order_get(workspace=workspace, external_id=external_id)
    services.draft_order_complete(order=order, actor=_actor(request))
    return order_out(selectors.order_get(workspace=workspace, external_id=external_id))


@carts.put("/{token}", response={200: CartOut, 201: CartOut})
def cart_put(request, token: str, payload: CartIn):
    """Create or update a cart (O2) by its token. A cart completed by the store, or
    followed by an order of the same person, is converted (never reminded, A3)."""
    workspace = require(request, Action.EDIT)
    result = services.cart_upsert(workspace=workspace, token=token, data=payload.model_dump())
    return _upserted(result, cart_out)


@carts.get("/{token}", response=CartOut)
def cart_read(request, token: str):
    workspace = require(request, Action.VIEW)
    return cart_out(selectors.cart_get(workspace=workspace, token=token))


@subscriptions.put("/{external_id}", response={200: SubscriptionOut, 201: SubscriptionOut})
def subscription_put(request, external_id: str, payload: SubscriptionIn):
    """Create or update a recurring subscription (O3) by the store's id."""
    workspace = require(request, Action.EDIT)
    result = services.subscription_upsert(
        workspace=workspace, external_id=external_id, data=payload.model_dump()
    )
    return _upserted(result, subscription_out)


@subscriptions.get("/{external_id}", response=SubscriptionOut)
def subscription_read(request, external_id: str):
    workspace = require(request, Action.VIEW)
    subscription = selectors.subscription_get(workspace=workspace, external_id=external_id)
    return subscription_out(subscription)


def _contact(workspace, contact_id: int) -> Contact:
    return get_scoped(Contact, workspace, pk=contact_id)


@contacts.get("/{contact_id}/orders", response=OrderList)
def contact_orders(request, contact_id: int, page: PageQuery):
    """The contact's orders with their items, newest first (C4). Canceled orders and
    drafts are listed too, with `counted: false`."""
    workspace = require(request, Action.VIEW)
    contact = _contact(workspace, contact_id)
    queryset = selectors.contact_orders(workspace=workspace, contact=contact)
    return page_out(paginate(queryset, page, ["-placed_at", "-id"]), order_out)


@contacts.get("/{contact_id}/subscriptions", response=SubscriptionList)
def contact_subscriptions(request, contact_id: int, page: PageQuery):
    """The contact's recurring subscriptions (O3), newest first."""
    workspace = require(request, Action.VIEW)
    contact = _contact(workspace, contact_id)
    queryset = selectors.contact_subscriptions(workspace=workspace, contact=contact)
    return page_out(paginate(queryset, page, ["-id"]), subscription_out)


@contacts.post("/{contact_id}/draft-orders", response={201: OrderOut})
def draft_order_post(request, contact_id: int, payload: DraftOrderIn):
    """A draft order for the contact (C13): totals are computed from the items; it counts
    nowhere until `POST /orders/{external_id}/complete`."""
    workspace = require(request, Action.EDIT)
    contact = _contact(workspace, contact_id)
    contact.workspace = workspace
    values = payload.model_dump()
    order = services.draft_order_create(
        contact=contact,
        actor=_actor(request),
        items=values.pop("items"),
        coupon_code=values.pop("coupon_code") or "",
        **values,
    )
    order = selectors.order_get(workspace=workspace, external_id=order.external_id)
    return Status(201, order_out(order))


@store_connections.get("", response=StoreConnectionList)
def store_connection_list(request, page: PageQuery):
    """The workspace's store connections and their webhook URLs (owners and admins)."""
    workspace = require(request, Action.MANAGE_TOKENS)
    connections = paginate(selectors.store_connections(workspace=workspace), page, ["-id"])
    return page_out(connections, store_connection_out)


@store_connections.post("", response={201: StoreConnectionOut})
def store_connection_post(request, payload: StoreConnectionIn):
    """Connect a Shopify or WooCommerce store (O4): configure the returned `webhook_url`
    in the store with the same secret. Its webhooks are accepted only with a valid
    signature (HMAC-SHA256 of the body with the secret)."""
    workspace = require(request, Action.MANAGE_TOKENS)
    connection = services.store_connection_create(
        workspace=workspace,
        platform=payload.platform,
        secret=payload.secret,
        actor=_actor(request),
    )
    return Status(201, store_connection_out(connection))


@store_connections.delete("/{connection_id}", response={204: None})
def store_connection_delete(request, connection_id: int):
    workspace = require(request, Action.MANAGE_TOKENS)
    connection = get_scoped(StoreConnection, workspace, pk=connection_id)
    services.store_connection_delete(connection=connection, actor=_actor(request))
    return Status(204, None)
