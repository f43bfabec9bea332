"""template_errors: what the composer refuses at save, in words a merchant understands."""

from decimal import Decimal

import pytest
from django.utils import translation

from comptoir.commerce.models import Product
from comptoir.mail.rendering import template_errors

KNOWN = "first_name, last_name, full_name, email, company, business_name"


def errors(workspace, body="", subject="Bonjour", preheader=""):
    return template_errors(
        workspace=workspace, subject=subject, body_markdown=body, preheader=preheader
    )


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    "text",
    [
        "Bonjour {{ first_name }}",
        'Bonjour {{ first_name|default:"ami" }}',
        "Bonjour {{ first_name|default:'ami' }}",
        "Bonjour {{ first_name | cher client }}",
        "Bonjour {{ first_name | l'ami }}",
        'Bonjour {{ first_name|default:"ami"|upper }} de {{ business_name }}',
        "Bonjour {{ company|capfirst }}",
        'Un "devis" ? L\'offre tient.',
    ],
)
def test_valid_tags_raise_nothing(workspace, text):
    assert errors(workspace, body=text, subject=text, preheader=text) == []


def test_an_unknown_tag_is_named_with_the_known_ones(workspace):
    assert errors(workspace, subject="Bonjour {{ prenom }}") == [
        f"Subject: Unknown tag {{{{ prenom }}}}. Known tags: {KNOWN}."
    ]


def test_the_line_of_a_body_error_is_given(workspace):
    assert errors(workspace, body="Bonjour,\n\nà bientôt {{ frist_name }}") == [
        f"Body, line 3: Unknown tag {{{{ frist_name }}}}. Known tags: {KNOWN}."
    ]


def test_broken_braces(workspace):
    assert errors(workspace, preheader="Bonjour {{ first_name, à bientôt") == [
        "Preheader: “{{ first_name, à bientôt” opens a tag with {{ but never closes it with }}."
    ]
    assert errors(workspace, body="Bonjour first_name }}") == [
        "Body, line 1: “}}” closes no tag in “Bonjour first_name }}”."
    ]


def test_an_unknown_filter(workspace):
    (error,) = errors(workspace, body='{{ first_name|defaut:"ami" }}')
    assert error.startswith(
        'Body, line 1: Unknown filter “defaut” in {{ first_name|defaut:"ami" }}. '
        "Known filters: default, upper, lower, capfirst, title."
    )


def test_unbalanced_quotes(workspace):
    (error,) = errors(workspace, body='Bonjour {{ first_name|default:"ami }} !')
    assert error.startswith('Body, line 1: Unbalanced quotes in “{{ first_name|default:"ami }} !”')


def test_a_fallback_needs_quotes(workspace):
    (error,) = errors(workspace, body="{{ first_name|default:ami }}")
    assert "needs its fallback text in quotes" in error


def test_blocks_are_checked(workspace):
    Product.objects.create(workspace=workspace, external_id="P1", name="P", price=Decimal(1))

    assert errors(workspace, body='[[product P1]]\n\n[[button "Go" https://shop.example/]]') == []
    assert errors(workspace, body="[[product NOPE]]") == [
        "Body: no product with the id “NOPE” in your catalogue ([[product NOPE]])."
    ]
    assert errors(workspace, body="[[button Go https://shop.example/]]") == [
        'Body: A button is written [[button "Label" https://…]]: [[button Go https://shop.example/]]'
    ]
    assert errors(workspace, body='[[button "Go" javascript:alert(1)]]') == [
        'Body: The address in [[button "Go" javascript:alert(1)]] must be a full web address'
        " starting with https://."
    ]
    assert errors(workspace, body="[[video x]]") == [
        'Body: Unknown block [[video x]]. The blocks are [[button "Label" https://…]] and '
        "[[product PRODUCT-ID]]."
    ]
    assert errors(workspace, body="![logo](/static/logo.png)") == [
        "Body: the image “/static/logo.png” needs a full web address starting with https://."
    ]


def test_a_tag_inside_a_button_label_is_fine(workspace):
    assert (
        errors(
            workspace, body='[[button "Pour {{ first_name|default:"vous" }}" https://a.example/]]'
        )
        == []
    )


def test_another_workspaces_product_is_unknown(workspace, other_workspace):
    Product.objects.create(workspace=other_workspace, external_id="P1", name="P", price=Decimal(1))

    assert len(errors(workspace, body="[[product P1]]")) == 1


def test_a_block_inside_a_code_block_is_text(workspace):
    assert errors(workspace, body="```\n[[video x]]\n```") == []


def test_messages_are_in_french_for_a_french_merchant(workspace):
    with translation.override("fr"):
        assert errors(workspace, subject="{{ prenom }}") == [
            f"Objet : Balise inconnue {{{{ prenom }}}}. Balises possibles : {KNOWN}."
        ]


def test_a_flood_of_errors_is_summed_up(workspace):
    found = errors(workspace, body="}} " * 5000)

    assert len(found) == 21
    assert found[-1] == "… and 4980 more problems."
