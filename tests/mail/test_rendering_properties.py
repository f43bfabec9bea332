"""Whatever a merchant types, rendering never fails, never leaks a placeholder, and a text
that template_errors accepts renders every tag."""

import re
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from comptoir.commerce.models import Product
from comptoir.mail.rendering import render_message, template_errors
from tests.contacts.helpers import make_contact

MARKER = re.compile(r"Q[0-9a-f]{8}[TVLUP]\d+E")
PIECES = [
    "{{",
    "}}",
    "{{ first_name }}",
    '{{ first_name|default:"ami" }}',
    "{{ email | toi }}",
    "|",
    '"',
    "'",
    ":",
    "[[",
    "]]",
    '[[button "Go" https://a.example/?x={{ first_name }}]]',
    "[[product P1]]",
    "[[product P1 https://a.example/p]]",
    "[lien](https://a.example/{{ email }})",
    "![img](https://i.example/{{ first_name }}.png)",
    "\n",
    "\n\n",
    "# ",
    "- ",
    "> ",
    "*",
    "<b>",
    "&",
    "Zoé",
]
texts = st.lists(st.sampled_from(PIECES) | st.text(max_size=5), max_size=25).map("".join)


@pytest.fixture
def contact(workspace):
    Product.objects.create(workspace=workspace, external_id="P1", name="P & 1", price=Decimal(2))
    return make_contact(workspace, "zoe@example.com", first_name="*Zoé* <&>")


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=texts, subject=texts)
@example(body="- \n{{", subject="")  # an empty list item, then a paragraph
def test_any_text_renders_without_a_placeholder_left(contact, body, subject):
    subject = subject.replace("\n", " ")
    problems = template_errors(workspace=contact.workspace, subject=subject, body_markdown=body)
    assert all(isinstance(p, str) and p for p in problems)

    rendered = render_message(
        contact=contact,
        subject=subject,
        body_markdown=body,
        preheader=subject,
        unsubscribe_url="https://c.example/u/1/",
        track_link=lambda url: "https://c.example/t/?u=" + url,
        open_pixel_url="https://c.example/o.gif",
    )

    for part in (rendered.subject, rendered.html, rendered.text):
        assert not MARKER.search(part)
    assert "<b>" not in rendered.html.split('class="content"')[1].split('class="footer"')[0]
    if not problems:
        assert "{{ first_name" not in rendered.html and "{{ email" not in rendered.text
