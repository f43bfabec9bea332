"""The campaigns of the demo workspace: two sent ones with their results, one scheduled.

The sent ones are history: their deliveries are written as the pipeline leaves them
(sent, some opened and clicked over the following hours), without an SMTP round trip.
"""

import datetime as dt
import random
from collections.abc import Callable

from django.utils import timezone

from comptoir.campaigns.models import Campaign
from comptoir.campaigns.selectors import campaign_audience
from comptoir.campaigns.services import ORIGIN, campaign_create, campaign_schedule
from comptoir.contacts.models import ContactEvent
from comptoir.core.models import User, Workspace
from comptoir.core.scoping import scoped
from comptoir.mail import pipeline
from comptoir.mail.events import MailEvent
from comptoir.mail.models import Delivery, DeliveryClick

SHOP_LINK = "https://epicerie-martyrs.test/boutique"
FESTIVE_LINK = "https://epicerie-martyrs.test/coffrets"

SENT = (
    {
        "name": "Arrivage d’automne",
        "subject": '{{ first_name|default:"Bonjour" }}, les fromages d’automne sont là',
        "preheader": "Mont d’Or, comté 24 mois et vacherin",
        "body_markdown": (
            "# Les fromages d’automne sont arrivés\n\n"
            'Bonjour {{ first_name|default:"à vous" }},\n\n'
            "Le **Mont d’Or** est de retour, avec un comté 24 mois exceptionnel.\n\n"
            f"[Découvrir la sélection]({SHOP_LINK})\n"
        ),
        "coupon_code": "FIDELE15",
        "links": [SHOP_LINK],
        "days_ago": 20,
        "opens": 0.46,
        "clicks": 0.11,
    },
    {
        "name": "Coffrets de fêtes",
        "subject": "Vos coffrets de fêtes, prêts à offrir",
        "preheader": "Commandez avant le 15 décembre",
        "body_markdown": (
            "# Nos coffrets de fêtes\n\n"
            'Bonjour {{ first_name|default:"à vous" }},\n\n'
            "Trois coffrets composés à la boutique, à offrir ou à partager.\n\n"
            f"[Voir les coffrets]({FESTIVE_LINK}) · [Toute la boutique]({SHOP_LINK})\n"
        ),
        "coupon_code": "",
        "links": [FESTIVE_LINK, SHOP_LINK],
        "days_ago": 4,
        "opens": 0.38,
        "clicks": 0.07,
    },
)


def campaigns_fill(
    *,
    workspace: Workspace,
    author: User | None = None,
    progress: Callable[[str], None] = print,
    seed: int = 2026,
) -> int:
    """Add the demo campaigns once, written and scheduled by `author` (the activity log
    says who); a second run adds nothing. Returns how many."""
    if scoped(Campaign, workspace).exists():
        return 0
    rng = random.Random(seed)
    now = timezone.now()
    for plan in SENT:
        _sent_campaign(workspace, plan, rng, now, author)
    scheduled = campaign_create(
        workspace=workspace,
        actor=author,
        name="Galette des rois",
        subject="La galette des rois est en boutique",
        preheader="Frangipane maison, dès le 2 janvier",
        body_markdown=(
            "# La galette des rois\n\n"
            'Bonjour {{ first_name|default:"à vous" }},\n\n'
            "Frangipane maison et fève en céramique : réservez la vôtre.\n\n"
            f"[Réserver]({SHOP_LINK})\n"
        ),
        segment_ids=["subscribers"],
    )
    campaign_schedule(campaign=scheduled, send_at=now + dt.timedelta(days=7), actor=author)
    progress("Added 2 sent campaigns with their results and 1 scheduled campaign.")
    return 3


def _sent_campaign(
    workspace: Workspace, plan: dict, rng: random.Random, now: dt.datetime, author: User | None
):
    campaign = campaign_create(
        workspace=workspace,
        actor=author,
        name=plan["name"],
        subject=plan["subject"],
        preheader=plan["preheader"],
        body_markdown=plan["body_markdown"],
        segment_ids=["subscribers"],
        coupon_code=plan["coupon_code"],
    )
    started = now - dt.timedelta(days=plan["days_ago"])
    mailing = pipeline.mailing_create(
        workspace=workspace,
        origin=ORIGIN,
        subject=campaign.subject,
        preheader=campaign.preheader,
        body_markdown=campaign.body_markdown,
    )
    pipeline.mailing_freeze(mailing=mailing, contacts=campaign_audience(campaign=campaign))
    links = plan["links"]
    deliveries = list(Delivery.objects.filter(mailing=mailing).order_by("pk"))
    events, clicks = [], []
    for delivery in deliveries:
        delivery.status = Delivery.Status.SENT
        delivery.sent_at = started + dt.timedelta(seconds=rng.randint(0, 900))
        delivery.links = links
        events.append((delivery, MailEvent.SENT, delivery.sent_at, {}))
        if rng.random() < plan["opens"]:
            # Most opens come in the first hours, then fewer and fewer.
            delivery.opened_at = delivery.sent_at + dt.timedelta(hours=rng.expovariate(1 / 6))
            events.append((delivery, MailEvent.OPENED, delivery.opened_at, {}))
            if rng.random() < plan["clicks"] / plan["opens"]:
                delivery.clicked_at = delivery.opened_at + dt.timedelta(seconds=rng.randint(5, 90))
                url = rng.choice(links)
                clicks.append(
                    DeliveryClick(delivery=delivery, url=url, clicked_at=delivery.clicked_at)
                )
                events.append((delivery, MailEvent.CLICKED, delivery.clicked_at, {"url": url}))
    Delivery.objects.bulk_update(
        deliveries, ["status", "sent_at", "links", "opened_at", "clicked_at"], batch_size=500
    )
    DeliveryClick.objects.bulk_create(clicks)
    ContactEvent.objects.bulk_create(
        [
            ContactEvent(
                workspace_id=workspace.pk,
                contact_id=delivery.contact_id,
                kind=kind.value,
                data={"delivery": delivery.pk, "subject": delivery.subject, **data},
                created_at=when,
            )
            for delivery, kind, when, data in events
        ],
        batch_size=1000,
    )
    mailing.status = mailing.Status.DONE
    mailing.finished_at = started + dt.timedelta(minutes=15)
    mailing.save(update_fields=["status", "finished_at"])
    Campaign.objects.filter(pk=campaign.pk).update(
        status=Campaign.Status.SENT,
        mailing=mailing,
        send_at=started,
        started_at=started,
        finished_at=mailing.finished_at,
        created_at=started - dt.timedelta(days=1),
    )
