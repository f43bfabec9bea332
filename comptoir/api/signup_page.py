from ninja import Router, Schema

from comptoir.api.auth import require
from comptoir.collect.selectors import public_urls
from comptoir.collect.services import signup_settings_get
from comptoir.core.roles import Action

router = Router(tags=["sign-ups"])


class SignupPageOut(Schema):
    url: str
    qr_svg_url: str
    qr_png_url: str
    poster_pdf_url: str


@router.get("", response=SignupPageOut)
def signup_page_read(request):
    """The public sign-up page of the workspace, its QR code and its printable poster."""
    workspace = require(request, Action.VIEW)
    return public_urls(signup_settings_get(workspace=workspace))
