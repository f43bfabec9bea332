"""The printable poster (S2): one template, shown as HTML in the dashboard's editor and
printed to PDF by WeasyPrint, A4 or A5."""

import base64
import mimetypes
from pathlib import Path

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from comptoir.collect.models import SignupSettings
from comptoir.collect.qr import qr_svg
from comptoir.collect.selectors import qr_target

STYLESHEET = Path(__file__).parent / "static" / "collect" / "poster.css"


def _data_uri(content: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(content).decode()}"


def _logo_uri(settings: SignupSettings) -> str:
    logo = settings.workspace.logo
    if not logo:
        return ""
    try:
        with logo.open("rb") as handle:
            content = handle.read()
    except OSError:  # the file went missing from the media directory: print without it
        return ""
    mime = mimetypes.guess_type(logo.name)[0] or "image/png"
    return _data_uri(content, mime)


def poster_context(settings: SignupSettings, *, size: str, qr_src: str, logo_src: str) -> dict:
    return {
        "business": settings.workspace,
        "settings": settings,
        "size": size,
        "slogan": settings.slogan or _("Join our mailing list"),
        "discount_offer": settings.discount_offer,
        "qr_src": qr_src,
        "logo_src": logo_src,
    }


def poster_pdf(settings: SignupSettings, *, size: str) -> bytes:
    from weasyprint import CSS, HTML  # heavy import (Pango): only when printing
    from weasyprint.urls import URLFetcher

    context = poster_context(
        settings,
        size=size,
        qr_src=_data_uri(qr_svg(qr_target(settings)), "image/svg+xml"),
        logo_src=_logo_uri(settings),
    )
    html = render_to_string("collect/poster_pdf.html", context)
    # Everything the poster shows is inlined as data: URIs; nothing else may be fetched
    # while printing (no file of the server, no address of the network).
    document = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"}))
    return document.write_pdf(stylesheets=[CSS(filename=str(STYLESHEET))])
