"""What an automation's e-mail says, decided at send time (A4, A6).

The send pipeline asks `cart_reminder_content` / `welcome_content` for each delivery right
before it leaves: the cart is read again then, items no longer available are left out,
prices come from the catalogue, and a notice says so when anything changed. A cart with
nothing left to show is not sent (None). Subjects and bodies left blank by the merchant
are the defaults below, in the contact's own language.
"""

import re
import threading
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from comptoir.automations.models import Automation, ScheduledSend
from comptoir.commerce.models import Cart, Product
from comptoir.consent.tokens import unsubscribe_url
from comptoir.core.scoping import scoped
from comptoir.mail.models import Delivery
from comptoir.mail.pipeline import Content
from comptoir.mail.rendering import Rendered, language_of, render_message

CART_ORIGIN = "abandoned_cart"
WELCOME_ORIGIN = "welcome"
DESCRIPTION_CHARS = 160
# Symbols a customer recognises; any other currency shows its ISO code.
SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CHF": "CHF", "CAD": "CA$"}
NBSP = "\u00a0"
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]()#+\-.!<>|~])")


def default_subject(kind: str) -> str:
    if kind == ScheduledSend.Kind.SECOND_REMINDER:
        return _("Your cart is still waiting for you")
    if kind == ScheduledSend.Kind.WELCOME:
        return _("Welcome to {{ business_name }}!")
    return _("You left something in your cart")


def default_body(kind: str) -> str:
    if kind == ScheduledSend.Kind.WELCOME:
        return _(
            'Hello {{ first_name|default:"there" }},\n\n'
            "Thank you for joining us! You will be the first to hear about our new "
            "products and offers.\n\nSee you soon,\n\n{{ business_name }}"
        )
    return _(
        'Hello {{ first_name|default:"there" }},\n\n'
        "You left a few things in your cart. We kept them for you: you can finish your "
        "order whenever you like.\n\nSee you soon,\n\n{{ business_name }}"
    )


def subject_of(automation: Automation, kind: str) -> str:
    return automation.subject or default_subject(kind)


def body_of(automation: Automation, kind: str) -> str:
    return automation.body_markdown or default_body(kind)


def money(amount: Decimal, currency: str) -> str:
    """12.5, "EUR" → "12,50 €" in French, "€12.50" in English (the active language)."""
    shown = number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)
    symbol = SYMBOLS.get(currency, currency)
    if (translation.get_language() or "en").startswith("fr") or symbol.isalpha():
        return f"{shown}{NBSP}{symbol}"
    return f"{symbol}{shown}"


def plain(text: str) -> str:
    """Text from the store, shown literally: no Markdown, no personalisation tag."""
    text = " ".join((text or "").split()).replace("{{", "{ {").replace("}}", "} }")
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)


@dataclass(frozen=True)
class CartLine:
    name: str
    description: str
    image_url: str
    quantity: int
    price: Decimal
    # The price in the cart when it differs from the catalogue's now.
    was: Decimal | None


@dataclass(frozen=True)
class CartNow:
    lines: list[CartLine]
    changed: bool
    currency: str

    @property
    def total(self) -> Decimal:
        return sum((line.price * line.quantity for line in self.lines), Decimal("0.00"))


def available_products(workspace, carts) -> dict[str, Product]:
    ids = {
        i.product_external_id for cart in carts for i in cart.items.all() if i.product_external_id
    }
    return {
        p.external_id: p
        for p in scoped(Product, workspace).filter(external_id__in=ids, available=True)
    }


def cart_now(cart: Cart, products: dict[str, Product] | None = None) -> CartNow:
    """The cart as it can be bought now: available products at their catalogue price
    (`products`: the available ones, when the caller read them for several carts)."""
    items = list(cart.items.all())
    if products is None:
        products = available_products(cart.workspace, [cart])
    lines, changed = [], False
    for item in items:
        product = products.get(item.product_external_id)
        if product is None:
            changed = True  # gone from the catalogue, or no longer available
            continue
        was = item.price if item.price != product.price else None
        changed = changed or was is not None
        lines.append(
            CartLine(
                name=product.name or item.name,
                description=product.description[:DESCRIPTION_CHARS],
                image_url=product.image_url,
                quantity=item.quantity,
                price=product.price,
                was=was,
            )
        )
    return CartNow(lines=lines, changed=changed, currency=cart.currency or cart.workspace.currency)


def cart_markdown(now: CartNow, recovery_url: str) -> str:
    """The cart's block of the reminder: the notice, each item, the total, the button."""
    parts = []
    if now.changed:
        parts.append(
            "> **"
            + _("Your cart has changed since your visit.")
            + "** "
            + _(
                "Some items are no longer available or their price has changed: "
                "here it is as it stands now."
            )
        )
    for line in now.lines:
        price = money(line.price, now.currency)
        if line.was is not None:
            price += " " + _("(was %(price)s)") % {"price": money(line.was, now.currency)}
        row = f"{line.quantity} × **{plain(line.name)}** — {price}"
        if line.image_url:
            row = f"![{plain(line.name)}](<{line.image_url}>)  \n{row}"
        if line.description:
            row += f"  \n{plain(line.description)}"
        parts.append(row)
    parts.append("**" + _("Total: %(total)s") % {"total": money(now.total, now.currency)} + "**")
    if recovery_url:
        label = _("Return to my cart")
        parts.append(f"[{label} →](<{recovery_url}>)")
    return "\n\n".join(parts)


def reminder_for(send: ScheduledSend, contact, products=None) -> Content | None:
    """The reminder `send` would be for `contact` now; None when nothing is left to show."""
    cart = send.cart
    if cart is None or cart.converted_at is not None or cart.completed_at is not None:
        return None
    with translation.override(language_of(contact)):
        now = cart_now(cart, products)
        if not now.lines:
            return None
        body = body_of(send.automation, send.kind).rstrip()
        return Content(
            subject=subject_of(send.automation, send.kind),
            body_markdown=f"{body}\n\n{cart_markdown(now, cart.recovery_url)}\n",
        )


def welcome_for(automation: Automation, contact, coupon_code: str = "") -> Content:
    with translation.override(language_of(contact)):
        body = body_of(automation, ScheduledSend.Kind.WELCOME).rstrip()
        code = coupon_code or automation.coupon_code
        if code:
            offer = _("Your welcome code: %(code)s") % {"code": f"**{plain(code)}**"}
            body = f"{body}\n\n> {offer}"
        return Content(
            subject=subject_of(automation, ScheduledSend.Kind.WELCOME), body_markdown=body + "\n"
        )


@dataclass
class _Batch:
    claim: str
    sends: dict[int, ScheduledSend]
    products: dict[str, Product]


# The batch whose messages the pipeline is making in this thread.
_current = threading.local()


def _batch_of(delivery: Delivery) -> _Batch:
    """The scheduled sends of the delivery's whole batch (the pipeline's claim), with their
    carts, items and products, read when its first message is made: the moment the pipeline
    re-checks consent for the batch, and four queries for the batch instead of three per
    message."""
    batch = getattr(_current, "batch", None)
    if batch is not None and delivery.claim and batch.claim == delivery.claim:
        return batch
    mine = Q(delivery__claim=delivery.claim) if delivery.claim else Q(delivery=delivery)
    sends = list(
        ScheduledSend.objects.filter(mine, workspace_id=delivery.workspace_id)
        .select_related("automation", "cart__workspace")
        .prefetch_related("cart__items")
    )
    carts = [send.cart for send in sends if send.cart is not None]
    batch = _Batch(
        claim=delivery.claim,
        sends={send.delivery_id: send for send in sends},
        products=available_products(carts[0].workspace, carts) if carts else {},
    )
    _current.batch = batch
    return batch


def cart_reminder_content(delivery: Delivery) -> Content | None:
    batch = _batch_of(delivery)
    send = batch.sends.get(delivery.pk)
    return reminder_for(send, delivery.contact, batch.products) if send is not None else None


def welcome_content(delivery: Delivery) -> Content | None:
    send = _batch_of(delivery).sends.get(delivery.pk)
    if send is None:
        return None
    return welcome_for(send.automation, delivery.contact, send.coupon_code)


def reminder_preview(*, automation: Automation, cart: Cart) -> tuple[Content, Rendered] | None:
    """The first reminder of `cart` as its owner would get it now (no tracking, and an
    unsubscribe link that unsubscribes nobody); None when the cart has nothing to show."""
    send = ScheduledSend(automation=automation, kind=ScheduledSend.Kind.FIRST_REMINDER, cart=cart)
    message = reminder_for(send, cart.contact)
    if message is None:
        return None
    return message, render_preview(cart.contact, message)


def render_preview(contact, message: Content) -> Rendered:
    return render_message(
        contact=contact,
        subject=message.subject,
        body_markdown=message.body_markdown,
        unsubscribe_url=unsubscribe_url(workspace_id=contact.workspace_id, contact_id=0),
    )
