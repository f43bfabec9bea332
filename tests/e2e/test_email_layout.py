"""The campaign layout in a real browser: a 600 px column on a computer that shrinks on a
phone with nothing wider than the screen, a big image included."""

import io
from decimal import Decimal

import pytest
from PIL import Image

from comptoir.commerce.models import Product
from comptoir.mail.rendering import render_message
from tests.contacts.helpers import make_contact

BODY = """# Bonjour {{ first_name|default:"ami" }}

Le **comté 24 mois** est arrivé.

![Le rayon](https://img.example/rayon.png)

[[button "Voir la boutique" https://shop.example/]]

[[product COMTE https://shop.example/comte]]
"""


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "#c49a3a").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def message(workspace):
    Product.objects.create(
        workspace=workspace,
        external_id="COMTE",
        name="Comté 24 mois",
        image_url="https://img.example/comte.png",
        price=Decimal("24.90"),
    )
    contact = make_contact(workspace, "zoe@example.com", first_name="Zoé")
    return render_message(
        contact=contact,
        subject="Du nouveau",
        body_markdown=BODY,
        unsubscribe_url="https://comptoir.example/u/x/",
    ).html


@pytest.mark.parametrize("width", [390, 1366])
def test_the_email_fits_the_screen_and_its_column_is_at_most_600px(page, message, width):
    image = png(1600, 500)  # wider than any column
    page.route(
        "https://img.example/**", lambda route: route.fulfill(body=image, content_type="image/png")
    )
    page.set_viewport_size({"width": width, "height": 900})
    page.set_content(message)
    page.wait_for_load_state("networkidle")

    assert page.evaluate("document.documentElement.scrollWidth") <= width
    column = page.locator(".column").bounding_box()
    assert column["width"] == min(600, width)
    for selector in (".content img", ".product img"):
        box = page.locator(selector).first.bounding_box()
        assert box["x"] >= column["x"] and box["x"] + box["width"] <= column["x"] + column["width"]
    button = page.get_by_role("link", name="Voir la boutique")
    assert button.is_visible()
    assert button.bounding_box()["height"] >= 40  # a finger-sized target
