"""The consent ledger's part of `comptoir demo` (K1).

Demo contacts arrive "not subscribed"; every other state is then written through the
consent services, as the customer or staff would have given it — at the till, on the
sign-up page with its wording, in an imported file… — so that each contact's state is its
ledger's latest entry, exactly as for real contacts (`selectors.consent_mismatches` finds
none). Texts are data of the French demo shop, not interface text.
"""

import random
from collections.abc import Callable

from django.db.models import QuerySet

from comptoir.consent import services
from comptoir.consent.models import CUSTOMER_LABEL, ConsentEvent
from comptoir.contacts.models import Contact
from comptoir.core.models import User, Workspace
from comptoir.demo.fakedata import CONSENTS

Source = ConsentEvent.Source
DEMO_SEED = 2026

SIGNUP_WORDING = (
    "Je souhaite recevoir les nouveautés et les offres de {shop} par e-mail. "
    "Je peux me désinscrire à tout moment."
)
CHECKOUT_WORDING = "Recevoir les offres de {shop} par e-mail (désinscription en un clic)."
STAFF_WORDING = "La cliente ou le client a accepté de recevoir les offres de {shop} par e-mail."
BROWSERS = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0",
)
# Where a contact came from decides how it said yes.
CUSTOMER_SOURCES = {
    Contact.Source.SIGNUP_PAGE: Source.SIGNUP_PAGE,
    Contact.Source.QR_CODE: Source.SIGNUP_PAGE,
    Contact.Source.CONTACT_FORM: Source.SIGNUP_PAGE,
    Contact.Source.WIDGET: Source.WIDGET,
}
STAFF_SOURCES = {Contact.Source.POS: Source.POS, Contact.Source.MANUAL: Source.DASHBOARD}


def _as_customer(rng: random.Random) -> dict:
    """Where the customer acted themselves: an address of the documentation ranges."""
    return {
        "actor_label": CUSTOMER_LABEL,
        "ip": f"198.51.100.{rng.randrange(1, 255)}",
        "user_agent": rng.choice(BROWSERS),
    }


def _subscribe(contact: Contact, shop: str, staff: list[User], rng: random.Random) -> None:
    origin = contact.source
    if origin in CUSTOMER_SOURCES:
        how = {"source": CUSTOMER_SOURCES[origin], "wording": SIGNUP_WORDING, **_as_customer(rng)}
    elif origin in STAFF_SOURCES:
        # K3: staff record a yes only while confirming the customer gave it.
        how = {"source": STAFF_SOURCES[origin], "wording": STAFF_WORDING}
        how["actor"] = rng.choice(staff) if staff else None
    elif origin == Contact.Source.IMPORT:
        how = {"source": Source.IMPORT, "actor_label": "import of the former mailing list"}
    elif origin == Contact.Source.API:
        how = {"source": Source.API, "actor_label": "API token Caisse"}
    else:  # an order: the box ticked at the online checkout
        how = {"source": Source.STORE, "wording": CHECKOUT_WORDING, "actor_label": CUSTOMER_LABEL}
    if "wording" in how:
        how["wording"] = how["wording"].format(shop=shop)
    services.consent_subscribe(contact=contact, explicit_consent_confirmed=True, **how)


def consent_fill(
    *,
    workspace: Workspace,
    contacts: QuerySet[Contact],
    staff: list[User],
    progress: Callable[[str], None] = print,
    seed: int = DEMO_SEED,
) -> int:
    """Give `contacts` (new demo contacts, not subscribed) their consent through the ledger,
    in the proportions of demo/fakedata.py; returns how many got a ledger entry."""
    states, weights = zip(*CONSENTS, strict=True)
    recorded = 0
    for contact in contacts.exclude(email_key="").order_by("pk").iterator():
        rng = random.Random(f"{seed}:{contact.email_key}")
        state = rng.choices(states, weights)[0]
        if state == Contact.Consent.NOT_SUBSCRIBED:
            continue
        if state == Contact.Consent.PENDING:
            # A sign-up waiting for its confirmation e-mail to be clicked (K7).
            how = {"source": Source.SIGNUP_PAGE, "wording": SIGNUP_WORDING, **_as_customer(rng)}
            how["wording"] = how["wording"].format(shop=workspace.name)
            how.pop("actor_label")
            services.consent_pending(contact=contact, **how)
        else:
            _subscribe(contact, workspace.name, staff, rng)
        if state == Contact.Consent.UNSUBSCRIBED:
            if rng.random() < 0.7:
                services.consent_withdraw(
                    contact=contact, source=Source.UNSUBSCRIBE_LINK, **_as_customer(rng)
                )
            else:
                services.consent_withdraw(
                    contact=contact, source=Source.DASHBOARD, actor=rng.choice(staff or [None])
                )
        recorded += 1
    progress(f"Consent recorded in the ledger for {recorded} contacts.")
    return recorded
