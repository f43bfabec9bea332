"""What one contact's e-mail looks like: tags, blocks, the brand layout and the text part.

Assertions read the HTML as a tree (tests/mail/dom.py), never compare it with a snapshot."""

from decimal import Decimal

import pytest

from comptoir.commerce.models import Product
from comptoir.core.services import workspace_update
from comptoir.mail.rendering import render_message, render_preview
from tests.contacts.helpers import make_contact
from tests.mail.dom import parse


@pytest.fixture
def business(workspace, settings):
    settings.COMPTOIR_BASE_URL = "https://comptoir.example"
    return workspace_update(
        workspace=workspace,
        name="L'Épicerie",
        postal_address="12 rue des Martyrs\n75009 Paris",
        brand_color="#ffd500",
        accent_color="#0b6e4f",
        currency="EUR",
        language="fr",
    )


@pytest.fixture
def zoe(business):
    return make_contact(business, "zoe@example.com", first_name="Zoé", language="fr")


@pytest.fixture
def comte(business):
    return Product.objects.create(
        workspace=business,
        external_id="COMTE-24",
        name="Comté 24 mois",
        description="<p>Affiné <b>24 mois</b> dans le Jura.</p>",
        image_url="https://img.example/comte.jpg",
        price=Decimal("1234.50"),
    )


def render(contact, body, subject="Bonjour", **options):
    return render_message(contact=contact, subject=subject, body_markdown=body, **options)


def content(rendered):
    return parse(rendered.html).find(class_="content")


# Personalisation tags


def test_tags_take_the_contacts_value_or_their_fallback_in_subject_preheader_and_body(
    business, zoe
):
    nameless = make_contact(business, "anon@example.com")
    template = {
        "subject": 'Pour {{ first_name|default:"vous" }}',
        "preheader": "{{ first_name | cher client }}, du nouveau",
        "body_markdown": 'Bonjour {{ first_name|default:"ami" }} ({{ email }})',
    }

    mine = render_message(contact=zoe, **template)
    theirs = render_message(contact=nameless, **template)

    assert mine.subject == "Pour Zoé"
    assert theirs.subject == "Pour vous"
    assert parse(mine.html).find(class_="preheader").text.startswith("Zoé, du nouveau")
    assert parse(theirs.html).find(class_="preheader").text.startswith("cher client, du nouveau")
    assert content(mine).find("p").text == "Bonjour Zoé (zoe@example.com)"
    assert content(theirs).find("p").text == "Bonjour ami (anon@example.com)"
    assert "Bonjour ami (anon@example.com)" in theirs.text


def test_a_contacts_value_is_text_never_markdown_or_html_and_is_encoded_in_a_link(business):
    contact = make_contact(business, "x@example.com", first_name="*Zoé* <b>&")

    rendered = render(
        contact, "Salut {{ first_name }} [ici](https://shop.example/?n={{ first_name }})"
    )

    paragraph = content(rendered).find("p")
    assert paragraph.text == "Salut *Zoé* <b>& ici"
    assert not paragraph.find_all("em") and not paragraph.find_all("b")
    assert rendered.links == ["https://shop.example/?n=%2AZo%C3%A9%2A%20%3Cb%3E%26"]


def test_a_single_line_break_stays_a_line_break(zoe):
    rendered = render(zoe, "Ligne un\nligne deux")

    paragraph = content(rendered).find("p")
    assert paragraph.find_all("br")
    assert "Ligne un\nligne deux" in rendered.text


# Blocks


def test_headings_text_and_images_with_the_width_of_the_column(zoe):
    rendered = render(
        zoe,
        "# Nouveautés\n\n## Ce mois-ci\n\nDu **comté**.\n\n![Le rayon](https://img.example/r.jpg)",
    )

    body = content(rendered)
    assert body.find("h1").text == "Nouveautés"
    assert body.find("h2").text == "Ce mois-ci"
    assert body.find("strong").text == "comté"
    image = body.find("img")
    assert image.attrs["src"] == "https://img.example/r.jpg"
    assert image.attrs["alt"] == "Le rayon"
    assert image.attrs["width"] == "544"  # Outlook ignores max-width
    assert image.style("max-width") == "100%" and image.style("height") == "auto"


def test_a_button_is_a_table_in_the_brand_colour_with_readable_text_and_a_tracked_link(zoe):
    rendered = render(
        zoe,
        'Venez voir :\n[[button "Voir la boutique de {{ first_name }}" https://shop.example/?a=1&b=2]]',
        track_link=lambda url: "https://t.example/c?u=" + url,
    )

    body = content(rendered)
    assert body.find("p").text == "Venez voir :"
    button = body.find("table", class_="button")
    cell = button.find("td")
    assert cell.attrs["bgcolor"] == "#ffd500"
    link = cell.find("a")
    assert link.text == "Voir la boutique de Zoé"
    assert link.attrs["href"] == "https://t.example/c?u=https://shop.example/?a=1&b=2"
    assert link.style("color") == "#1d1d1f"  # dark text on a yellow button
    assert rendered.links == ["https://shop.example/?a=1&b=2"]
    assert "Voir la boutique de Zoé : https://shop.example/?a=1&b=2" in rendered.text


def test_a_button_on_a_dark_brand_colour_has_white_text(business, zoe):
    workspace_update(workspace=business, brand_color="#1f2e4f")
    zoe.refresh_from_db()

    link = content(render(zoe, '[[button "Go" https://shop.example/]]')).find("a")

    assert link.style("color") == "#ffffff"


def test_a_product_block_shows_the_catalogue_product_in_the_workspace_currency(zoe, comte):
    rendered = render(
        zoe,
        "[[product COMTE-24 https://shop.example/comte]]",
        track_link=lambda url: "https://t.example/c?u=" + url,
    )

    product = content(rendered).find("table", class_="product")
    assert product.find("img").attrs["src"] == "https://img.example/comte.jpg"
    assert product.find("img").attrs["alt"] == "Comté 24 mois"
    assert product.find(class_="product-name").text == "Comté 24 mois"
    assert product.find(class_="product-description").text == "Affiné 24 mois dans le Jura."
    assert product.find(class_="product-price").text == "1\u00a0234,50\u00a0€"
    button = product.find("table", class_="button").find("a")
    assert button.attrs["href"] == "https://t.example/c?u=https://shop.example/comte"
    assert rendered.links == ["https://shop.example/comte"]
    assert "Comté 24 mois — 1\u00a0234,50\u00a0€" in rendered.text
    assert "Affiné 24 mois dans le Jura." in rendered.text
    assert "https://shop.example/comte" in rendered.text


def test_a_product_price_follows_the_contacts_language(business, comte):
    paul = make_contact(business, "paul@example.com", first_name="Paul", language="en")

    rendered = render(paul, "[[product COMTE-24]]")

    product = content(rendered).find("table", class_="product")
    assert product.find(class_="product-price").text == "€1,234.50"
    assert not product.find_all("table", class_="button")  # no page given, no button


def test_another_workspaces_product_is_never_shown(zoe, other_workspace):
    Product.objects.create(
        workspace=other_workspace, external_id="SECRET", name="Leur produit", price=Decimal(1)
    )

    rendered = render(zoe, "Avant\n\n[[product SECRET]]\n\nAprès")

    assert "Leur produit" not in rendered.html and "Leur produit" not in rendered.text
    assert [p.text for p in content(rendered).find_all("p")] == ["Avant", "Après"]


def test_raw_html_is_shown_as_text(zoe):
    rendered = render(zoe, '<script>alert("x")</script> <img src=x onerror=alert(1)>')

    body = content(rendered)
    assert not body.find_all("script") and not body.find_all("img")
    assert "<script>" in body.text


# Layout


def test_the_layout_has_the_brand_a_centred_column_the_footer_and_an_unsubscribe_link(zoe):
    rendered = render(
        zoe,
        "Bonjour",
        preheader="Les nouveautés",
        unsubscribe_url="https://comptoir.example/u/abc/",
        open_pixel_url="https://comptoir.example/o/1.gif",
    )

    page = parse(rendered.html)
    header = page.find(class_="header")
    assert header.text.strip() == "L'Épicerie"
    assert header.style("background") == "#ffd500"
    column = page.find(class_="column")
    assert column.style("max-width") == "600px" and column.style("width") == "100%"
    assert "max-width: 620px" in page.find("style").text  # the phone rules stay in a block
    preheader = page.find(class_="preheader")
    assert preheader.style("display") == "none"
    footer = page.find(class_="footer")
    assert "12 rue des Martyrs" in footer.text and "75009 Paris" in footer.text
    unsubscribe = [a for a in footer.find_all("a") if "/u/abc/" in a.attrs["href"]]
    assert unsubscribe and unsubscribe[0].text == "Me désinscrire"
    assert page.find("html").attrs["lang"] == "fr"
    pixels = [i for i in page.find_all("img") if i.attrs["src"].endswith("/o/1.gif")]
    assert pixels

    assert rendered.text.startswith("Bonjour\n")
    assert "L'Épicerie\n12 rue des Martyrs\n75009 Paris" in rendered.text
    assert "https://comptoir.example/u/abc/" in rendered.text


def test_the_logo_replaces_the_name_in_the_header(business, zoe):
    business.logo.name = "logos/epicerie.png"
    business.save()
    zoe.refresh_from_db()

    header = parse(render(zoe, "Bonjour").html).find(class_="header")

    assert header.find("img").attrs["src"] == "https://comptoir.example/media/logos/epicerie.png"
    assert header.find("img").attrs["alt"] == "L'Épicerie"


def test_a_transactional_email_has_no_unsubscribe_link(zoe):
    rendered = render(zoe, "Votre commande")

    assert "désinscri" not in rendered.html.lower() and "désinscri" not in rendered.text.lower()


def test_a_heading_of_the_text_part_is_underlined_to_its_length_once_filled(zoe):
    rendered = render(zoe, "# Bonjour {{ first_name }}\n\n## {{ email }}")

    assert rendered.text.startswith(
        "Bonjour Zoé\n===========\n\nzoe@example.com\n---------------\n"
    )


def test_the_text_part_reads_like_a_letter(zoe):
    rendered = render(
        zoe,
        "# Titre\n\nDu **gras** et [un lien](https://shop.example/a).\n\n"
        "- un\n- deux\n\n1. premier\n2. second\n\n> Une citation\n\n"
        "![Bannière](https://img.example/b.jpg)",
    )

    assert rendered.text.startswith(
        "Titre\n=====\n\n"
        "Du gras et un lien (https://shop.example/a).\n\n"
        "- un\n- deux\n\n"
        "1. premier\n2. second\n\n"
        "> Une citation\n\n"
        "[Bannière]\n"
    )


# Preview


def test_a_preview_without_contact_uses_a_sample_person_and_tracks_nothing(business, comte):
    rendered = render_preview(
        workspace=business,
        subject="Pour {{ first_name }}",
        preheader="",
        body_markdown="[Voir](https://shop.example/) [[product COMTE-24]]\n\n[[product COMTE-24]]",
    )

    assert rendered.subject == "Pour Camille"
    page = parse(rendered.html)
    assert all(
        a.attrs["href"].startswith(("https://shop.example/", "mailto:", "#"))
        for a in page.find_all("a")
    )
    assert page.find(class_="product-name").text == "Comté 24 mois"
    assert "comptoir.example/o/" not in rendered.html  # no open pixel


def test_a_preview_for_a_real_contact_uses_their_details(business, zoe):
    rendered = render_preview(
        workspace=business, contact=zoe, subject="Pour {{ first_name }}", body_markdown="x"
    )

    assert rendered.subject == "Pour Zoé"


# One layout for a whole campaign


def test_contacts_of_one_campaign_each_get_their_own_details_and_links(business):
    body = 'Bonjour {{ first_name|default:"ami" }} [ici](https://shop.example/?e={{ email }})'
    people = [
        make_contact(business, "zoe@example.com", first_name="Zoé"),
        make_contact(business, "paul@example.com", first_name="Paul & <Co>"),
        make_contact(business, "anon@example.com"),
    ]

    rendered = [
        render(
            person,
            body,
            subject="Pour {{ first_name }}",
            unsubscribe_url=f"https://comptoir.example/u/{person.pk}/",
            track_link=lambda url, pk=person.pk: f"https://t.example/{pk}?u={url}",
            open_pixel_url=f"https://comptoir.example/o/{person.pk}.gif",
        )
        for person in people
    ]

    for person, message in zip(people, rendered, strict=True):
        page = parse(message.html)
        link = content(message).find("a")
        address = person.email.replace("@", "%40")
        assert message.links == [f"https://shop.example/?e={address}"]
        assert link.attrs["href"] == f"https://t.example/{person.pk}?u={message.links[0]}"
        footer_links = [a.attrs["href"] for a in page.find(class_="footer").find_all("a")]
        assert f"https://comptoir.example/u/{person.pk}/" in footer_links
        assert f"https://comptoir.example/u/{person.pk}/" in message.text
        assert any(i.attrs["src"].endswith(f"/o/{person.pk}.gif") for i in page.find_all("img"))
    assert [content(m).find("p").text for m in rendered] == [
        "Bonjour Zoé ici",
        "Bonjour Paul & <Co> ici",
        "Bonjour ami ici",
    ]
    assert parse(rendered[1].html).find("title").text == "Pour Paul & <Co>"


def test_a_product_changed_during_a_campaign_shows_its_new_price(zoe, comte):
    before = render(zoe, "[[product COMTE-24]]")
    comte.price = Decimal("9.90")
    comte.save()

    after = render(zoe, "[[product COMTE-24]]")

    assert "1\u00a0234,50" in before.text
    assert "9,90\u00a0€" in after.text and "1\u00a0234,50" not in after.text


def test_a_change_of_brand_shows_in_the_next_message(business, zoe):
    render(zoe, "Bonjour")
    workspace_update(workspace=business, brand_color="#123456")
    zoe.refresh_from_db()

    header = parse(render(zoe, "Bonjour").html).find(class_="header")

    assert header.style("background") == "#123456"


def test_a_line_break_in_a_contacts_details_stays_out_of_the_subject(business):
    contact = make_contact(business, "x@example.com", company="ACME")
    contact.first_name = "Zoé\r\nBcc: victim@example.com"

    rendered = render(contact, "Bonjour", subject="Pour {{ first_name }}")

    assert rendered.subject == "Pour Zoé Bcc: victim@example.com"


def test_a_preview_never_shows_another_workspaces_contact(business, other_workspace):
    stranger = make_contact(other_workspace, "x@example.com", first_name="Secret")

    with pytest.raises(ValueError):
        render_preview(workspace=business, contact=stranger, subject="x", body_markdown="x")
