"""Reads of the sign-up flow: a page by its secret, public URLs, counts for the dashboard."""

import datetime

from django.conf import settings as django_settings
from django.db.models import Count
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from comptoir.collect.models import Signup, SignupSettings
from comptoir.core.models import Workspace
from comptoir.core.scoping import scoped

COUNT_DAYS = 30


def settings_by_token(token: str) -> SignupSettings:
    """The sign-up settings behind a public URL; Http404 for a retired or made-up one."""
    if len(token) > 64:
        raise Http404
    found = SignupSettings.objects.select_related("workspace").filter(token=token).first()
    if found is None:
        raise Http404
    return found


def public_urls(settings: SignupSettings) -> dict[str, str]:
    """The CONTRACT's `GET /api/v1/signup-page`, absolute under COMPTOIR_BASE_URL."""
    base = django_settings.COMPTOIR_BASE_URL
    token = settings.token
    return {
        "url": base + reverse("signup_page", args=[token]),
        "qr_svg_url": base + reverse("signup_qr", args=[token, "svg"]),
        "qr_png_url": base + reverse("signup_qr", args=[token, "png"]),
        "poster_pdf_url": base + reverse("signup_poster", args=[token]),
    }


def qr_target(settings: SignupSettings) -> str:
    """What the QR code encodes: the page, marked so that its sign-ups count as `qr_code`."""
    return public_urls(settings)["url"] + "?via=qr"


def signup_counts(*, workspace: Workspace, days: int = COUNT_DAYS) -> dict[str, int]:
    """Sign-ups per source over the last `days` days, every source present (S5)."""
    since = timezone.now() - datetime.timedelta(days=days)
    rows = (
        scoped(Signup, workspace)
        .filter(created_at__gte=since)
        .values("source")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = dict.fromkeys(Signup.Source.values, 0)
    counts.update({row["source"]: row["n"] for row in rows})
    return counts
