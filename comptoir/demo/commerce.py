"""Commerce's part of `comptoir demo`: a small épicerie's catalogue, and orders, carts,
drafts and subscriptions for the demo contacts, so that every figure on a profile is what
its orders give (C3, C5).

The directory's part (demo/contacts.py) leaves on each new buyer the figures the generator
planned for them — how many orders, how much, since when, last when. Here those plans become
orders, then each buyer's figures are recomputed from its order rows by the service function
that order ingestion uses (`contact_figures_refresh`): afterwards no figure comes from
anywhere else, and canceled orders (added on top of the plan) count nowhere.

Orders are written in bulk, like the contacts: `order_upsert` costs about 5 ms an order on
SQLite, and the default demo has some 7,000 orders. The bulk path keeps what the service
guarantees — each order is cleaned by the same `inputs.order()` (so its columns and digest
are what a store sending the same payload would store, and a replay is recognised), gets the
same timeline entry (dated when the order was placed), and the figures come from the same
aggregate. Drafts, carts and subscriptions are few: they go through their services.
"""

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet
from django.utils import timezone

from comptoir.commerce import inputs, services
from comptoir.commerce.events import CommerceEvent, order_event_data
from comptoir.commerce.models import Order, OrderItem, Product
from comptoir.contacts.models import Contact, ContactEvent
from comptoir.core.models import User, Workspace
from comptoir.core.scoping import scoped

BATCH = 1000
CENT = Decimal("0.01")
VAT = Decimal("0.055")  # France's reduced rate on food
FREE_SHIPPING_FROM = Decimal("60.00")
SHIPPING = Decimal("5.90")

# (id, name, price, description): what a small fine-food shop sells. Shop data, not
# interface text: it stays French in every language, like the contacts' names.
CATALOGUE = (
    ("comte-24", "Comté AOP 24 mois (250 g)", "8.90", "Affiné 24 mois dans le Jura."),
    ("brie-meaux", "Brie de Meaux AOP (300 g)", "7.50", "Au lait cru."),
    ("miel-lavande", "Miel de lavande de Provence (500 g)", "12.50", "Récolte de l’été."),
    ("huile-olive", "Huile d’olive vierge extra (75 cl)", "18.00", "Moulin de Haute-Provence."),
    ("tapenade", "Tapenade noire (180 g)", "6.20", "Olives de Nyons."),
    ("confiture-abricot", "Confiture d’abricot (350 g)", "5.80", "Cuite au chaudron."),
    ("terrine-canard", "Terrine de canard au poivre (180 g)", "7.90", "Du Sud-Ouest."),
    ("sel-guerande", "Fleur de sel de Guérande (125 g)", "4.90", "Récoltée à la main."),
    ("the-vert", "Thé vert jasmin (100 g)", "9.50", "En vrac."),
    ("cafe-moka", "Café moka d'Éthiopie (250 g)", "11.00", "Torréfié à Paris."),
    ("chocolat-noir", "Tablette chocolat noir 70 % (100 g)", "4.50", "Pure origine Pérou."),
    ("biscuits-sable", "Sablés bretons au beurre (200 g)", "5.20", "Beurre AOP."),
    ("vin-cotes-rhone", "Côtes-du-Rhône rouge 2022 (75 cl)", "14.50", "Domaine familial."),
    ("champagne", "Champagne brut (75 cl)", "34.00", "Petit vigneron de la Marne."),
    ("foie-gras", "Foie gras de canard entier (180 g)", "29.00", "Mi-cuit."),
    ("panier-garni", "Panier garni « Découverte »", "45.00", "Sept spécialités de la boutique."),
    ("coffret-cadeau", "Coffret cadeau « Gourmet »", "75.00", "Pour les grandes occasions."),
    ("box-mensuelle", "Box gourmande mensuelle", "29.90", "Une sélection chaque mois."),
    ("box-fromages", "Box fromages du mois", "34.90", "Trois fromages affinés."),
)
BOXES = ("box-mensuelle", "box-fromages")  # what subscriptions are to
COUPONS = (("BIENVENUE10", Decimal("0.10")), ("FIDELE15", Decimal("0.15")))
CART_SHARE = 0.05  # of the new contacts, with a cart not converted
DRAFT_SHARE = 0.01  # of the new contacts, with a draft order
SUBSCRIPTION_SHARE = 0.05  # of the new buyers
CANCELED_SHARE = 0.08  # of the new buyers, with one canceled order besides their plan
REFUNDED_SHARE = 0.06  # of the orders


@dataclass
class Filled:
    orders: int = 0
    drafts: int = 0
    carts: int = 0
    subscriptions: int = 0


def _money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def catalogue_ensure(*, workspace: Workspace) -> dict[str, Product]:
    """The demo catalogue, through the product service (an unchanged product is no write)."""
    for external_id, name, price, description in CATALOGUE:
        services.product_upsert(
            workspace=workspace,
            external_id=external_id,
            data={"name": name, "price": price, "description": description},
        )
    products = scoped(Product, workspace).filter(external_id__in=[c[0] for c in CATALOGUE])
    return {product.external_id: product for product in products}


class _Shop:
    """Makes the order payloads of one demo run (CONTRACT's `PUT /orders` body)."""

    def __init__(self, products: dict[str, Product], rng: random.Random, now: dt.datetime):
        self.rng = rng
        self.now = now
        self.shelf = [p for key, p in products.items() if key not in BOXES]
        # Cheap everyday items sell more often than gift boxes.
        self.weights = [1 / float(p.price) ** 0.5 for p in self.shelf]

    def lines(self, target: Decimal) -> list[dict]:
        """Lines from the shelf worth about `target`."""
        chosen: dict[str, list] = {}
        subtotal = Decimal("0.00")
        while subtotal < target and len(chosen) < 8:
            product = self.rng.choices(self.shelf, self.weights)[0]
            quantity = 1 if product.price > 20 else self.rng.choice((1, 1, 1, 2, 2, 3))
            line = chosen.setdefault(product.external_id, [product, 0])
            line[1] += quantity
            subtotal += product.price * quantity
        return [
            {
                "product_id": product.external_id,
                "name": product.name,
                "quantity": quantity,
                "price": str(product.price),
            }
            for product, quantity in chosen.values()
        ]

    def order(self, contact: Contact, placed: dt.datetime, target: Decimal, **extra) -> dict:
        rng = self.rng
        pos = contact.source == Contact.Source.POS or rng.random() < 0.12
        items = self.lines(target)
        subtotal = sum((Decimal(i["price"]) * i["quantity"] for i in items), Decimal("0.00"))
        coupon, discount = "", Decimal("0.00")
        if not pos and rng.random() < 0.12:
            coupon, rate = rng.choice(COUPONS)
            discount = _money(subtotal * rate)
        shipping = Decimal("0.00") if pos or subtotal >= FREE_SHIPPING_FROM else SHIPPING
        tax = _money((subtotal - discount) * VAT)
        total = subtotal + shipping + tax - discount
        # The last two days' orders are still being prepared.
        recent = self.now - placed < dt.timedelta(days=2)
        status = Order.Status.OPEN if recent else Order.Status.COMPLETED
        refunded = Decimal("0.00")
        if rng.random() < REFUNDED_SHARE:
            refunded = total if rng.random() < 0.4 else _money(total * Decimal("0.3"))
        address = contact.shipping_address or {}
        return {
            "email": contact.email,
            "first_name": contact.first_name,
            "last_name": contact.last_name,
            "phone": contact.phone,
            "status": status,
            "placed_at": placed.isoformat(),
            "currency": "EUR",
            "subtotal": str(subtotal),
            "shipping": str(shipping),
            "tax": str(tax),
            "discount": str(discount),
            "total": str(total),
            "refunded": str(refunded),
            "coupon_code": coupon,
            "channel": Order.Channel.POS if pos else Order.Channel.ONLINE,
            "shipping_address": {} if pos else address,
            "billing_address": contact.billing_address or address,
            "items": items,
            **extra,
        }

    def plan(self, contact: Contact) -> list[dict]:
        """The orders that give `contact` about the figures the generator planned: as many
        as planned, from its first to its last order date, worth about the planned total;
        sometimes one more that was canceled."""
        count = contact.order_count
        first, last = contact.customer_since, contact.last_order_at
        dates = [first]
        if count > 1:
            span = (last - first).total_seconds()
            between = (self.rng.uniform(0, span) for _ in range(count - 2))
            dates += [first + dt.timedelta(seconds=seconds) for seconds in between]
            dates.append(last)
        each = contact.total_spent / count
        orders = [
            self.order(contact, placed, _money(each * Decimal(self.rng.uniform(0.6, 1.2))))
            for placed in dates
        ]
        if self.rng.random() < CANCELED_SHARE:
            span = max((self.now - first).total_seconds(), 1)
            placed = first + dt.timedelta(seconds=self.rng.uniform(0, span))
            orders.append(self.order(contact, placed, each, status="canceled", refunded="0"))
        return orders


DRAFT_NOTES = (
    "Commande téléphonique, à retirer en boutique samedi.",
    "Coffret pour le comité d’entreprise : facture au nom de la société.",
    "À livrer avant Noël, emballage cadeau.",
    "",
)


def _orders_write(workspace: Workspace, planned: list[tuple[Contact, dict]], first: int) -> int:
    """Insert the planned orders, numbered by date from `first`, with their lines and
    timeline entries; then recompute each buyer's figures from its rows."""
    planned.sort(key=lambda pair: pair[1]["placed_at"])
    rows, items, lines, events = [], [], [], []
    for serial, (contact, data) in enumerate(planned, first):
        data["number"] = f"#{serial}"
        clean = inputs.order(data, workspace=workspace)
        order = Order(
            workspace=workspace,
            external_id=f"demo-{serial}",
            contact=contact,
            digest=clean.digest(),
            **clean.order_fields(),
        )
        rows.append(order)
        items.append(clean.items)
    Order.objects.bulk_create(rows, batch_size=BATCH)
    for order, order_items in zip(rows, items, strict=True):
        lines += [
            OrderItem(
                order=order,
                position=position,
                product_external_id=item.product_id,
                name=item.name,
                quantity=item.quantity,
                price=item.price,
            )
            for position, item in enumerate(order_items)
        ]
        canceled = order.status == Order.Status.CANCELED
        events.append(
            ContactEvent(
                workspace=workspace,
                contact=order.contact,
                kind=CommerceEvent.ORDER_CANCELED if canceled else CommerceEvent.ORDER_PLACED,
                # The very entry the order service writes, dated when the order was placed.
                data=order_event_data(order),
                created_at=order.placed_at,
            )
        )
    OrderItem.objects.bulk_create(lines, batch_size=BATCH)
    ContactEvent.objects.bulk_create(events, batch_size=BATCH)
    buyers = {contact.pk for contact, _data in planned}
    for contact in scoped(Contact, workspace).select_for_update().filter(pk__in=buyers):
        contact.workspace = workspace
        services.contact_figures_refresh(contact=contact)
    return len(rows)


def _draft_write(shop: _Shop, workspace, contact: Contact, authors: list[User]) -> None:
    rng = shop.rng
    author = rng.choice(authors) if authors else None
    draft = services.draft_order_create(
        contact=contact,
        actor=author,
        items=shop.lines(Decimal(rng.randint(30, 150))),
        shipping=rng.choice(("0", "5.90")),
        note=rng.choice(DRAFT_NOTES),
    )
    if rng.random() < 0.3:  # the customer paid since
        services.draft_order_complete(order=draft, actor=author)


def _cart_write(shop: _Shop, workspace, contact: Contact) -> None:
    """A cart not converted when the person left it after their last order; one they
    left before an order is converted by the service, as the store's would be (A3)."""
    rng = shop.rng
    token = f"demo-cart-{contact.pk}"
    hours = rng.choice((rng.uniform(0.2, 6), rng.uniform(24, 20 * 24)))
    services.cart_upsert(
        workspace=workspace,
        token=token,
        data={
            "email": contact.email,
            "currency": "EUR",
            "items": shop.lines(Decimal(rng.randint(15, 80))),
            "updated_at": (shop.now - dt.timedelta(hours=hours)).isoformat(),
            "recovery_url": f"https://epicerie-martyrs.test/panier/{token}",
        },
    )


SUBSCRIPTION_STATUSES = (("active", 70), ("paused", 10), ("past_due", 5), ("canceled", 15))


def _subscription_write(shop: _Shop, workspace, contact: Contact) -> None:
    rng = shop.rng
    statuses, weights = zip(*SUBSCRIPTION_STATUSES, strict=True)
    status = rng.choices(statuses, weights)[0]
    next_billing = None
    if status != "canceled":
        next_billing = (shop.now + dt.timedelta(days=rng.uniform(1, 30))).isoformat()
    services.subscription_upsert(
        workspace=workspace,
        external_id=f"demo-sub-{contact.pk}",
        data={
            "email": contact.email,
            "product_id": rng.choice(BOXES),
            "status": status,
            "next_billing_at": next_billing,
        },
    )


def commerce_fill(
    *,
    workspace: Workspace,
    contacts: QuerySet[Contact],
    authors: list[User],
    progress: Callable[[str], None] = print,
    seed: int = 2026,
    now: dt.datetime | None = None,
) -> Filled:
    """Give `contacts` (the ones the directory's demo just added) their commerce: orders for
    those planned as buyers, and for some a draft (written by one of `authors`), a cart or
    a subscription. Run inside the caller's transaction; contacts given again would get a
    second set, so the caller passes only new ones."""
    now = now or timezone.now()
    products = catalogue_ensure(workspace=workspace)
    shop = _Shop(products, random.Random(seed), now)
    filled = Filled()
    contacts = list(contacts.order_by("pk"))
    if not contacts:
        return filled
    existing = scoped(Order, workspace).filter(is_draft=False).count()
    buyers = [contact for contact in contacts if contact.order_count and contact.email]
    progress(f"Adding the orders of {len(buyers)} customers…")
    for start in range(0, len(buyers), BATCH):
        batch = buyers[start : start + BATCH]
        planned = [(contact, data) for contact in batch for data in shop.plan(contact)]
        filled.orders += _orders_write(workspace, planned, 1001 + existing + filled.orders)
        progress(f"  {filled.orders} orders for {start + len(batch)} customers")
    for contact in contacts:
        if not contact.email:
            continue
        if shop.rng.random() < DRAFT_SHARE:
            _draft_write(shop, workspace, contact, authors)
            filled.drafts += 1
        if shop.rng.random() < CART_SHARE:
            _cart_write(shop, workspace, contact)
            filled.carts += 1
        if contact.order_count and shop.rng.random() < SUBSCRIPTION_SHARE:
            _subscription_write(shop, workspace, contact)
            filled.subscriptions += 1
    progress(
        f"  {filled.drafts} draft orders, {filled.carts} carts, "
        f"{filled.subscriptions} subscriptions"
    )
    return filled
