"""The dashboard fits the screen it is read on: a phone (390 px) and a laptop (1366 px), in
French. Nothing scrolls sideways, no column of the list is cut, the bulk actions show only
once a contact is ticked, and the filters in use can each be dropped."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.contacts.helpers import make_contact, set_figures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
WIDTHS = [pytest.param(PHONE, id="390px"), pytest.param(LAPTOP, id="1366px")]

ADDRESS = {
    "name": "Marie-Françoise de La Tour d’Auvergne",
    "line1": "12 rue du Faubourg-Saint-Antoine",
    "postal_code": "75011",
    "city": "Paris",
    "country": "FR",
}


@pytest.fixture
def browser_locale() -> str:
    return "fr-FR"


@pytest.fixture
def directory(workspace):
    """A list with the longest values a shop has: names, addresses, tags, figures."""
    longest = make_contact(
        workspace,
        "marie-francoise.delatourdauvergne@boutique-exemple.fr",
        first_name="Marie-Françoise",
        last_name="de La Tour d’Auvergne",
        phone="+33612345678",
        company="Atelier de la Tour",
        tags=["vip", "fidèle", "marché de Noël", "click & collect"],
        shipping_address=ADDRESS,
        billing_address=ADDRESS,
        note="Préfère être appelée le matin, avant l’ouverture de la boutique.",
    )
    set_figures(longest, orders=128, spent="123456.78", consent="subscribed")
    for number in range(1, 12):
        contact = make_contact(
            workspace,
            f"client.numero{number}@exemple.fr",
            first_name=f"Client{number}",
            last_name="Durand-Lefèvre",
            tags=["newsletter"] if number % 2 else [],
        )
        set_figures(contact, orders=number, spent=f"{number * 37}.50", consent="unsubscribed")
    return longest


@pytest.fixture
def log_in_fr(page, live_server):
    def submit(email: str) -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Adresse e-mail").fill(email)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        expect(page.get_by_role("heading", name="Contacts", level=1)).to_be_visible()

    return submit


def sideways_overflow(page) -> int:
    """How many pixels the page is wider than the window (0 when nothing scrolls sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - innerWidth")


ESCAPING = """() => {
  // Inside a box that clips or scrolls within the window, an element cannot widen the page.
  const contained = (element) => {
    for (let box = element.parentElement; box; box = box.parentElement) {
      const style = getComputedStyle(box);
      const clips =
        style.clip !== "auto" || ["hidden", "clip", "auto", "scroll"].includes(style.overflowX);
      if (clips && box.getBoundingClientRect().right <= innerWidth + 0.5) return true;
    }
    return false;
  };
  return Array.from(document.querySelectorAll("body *"))
    .filter((e) => e.getClientRects().length && e.getBoundingClientRect().right > innerWidth + 0.5)
    .filter((e) => !contained(e))
    .map((e) => e.tagName.toLowerCase() + (e.className ? "." + e.className : ""));
}"""


def escaping(page) -> list[str]:
    """The visible elements that reach past the window's right edge."""
    return page.evaluate(ESCAPING)


@pytest.mark.parametrize("viewport", WIDTHS)
def test_the_list_the_profile_and_the_top_bar_fit_without_sideways_scrolling(
    page, live_server, log_in_fr, workspace, owner, directory, viewport
):
    page.set_viewport_size(viewport)
    log_in_fr(owner.email)
    base = f"{live_server.url}/w/{workspace.slug}/contacts/"

    for path in ["", "?tag=vip&consent=subscribed", f"{directory.pk}/"]:
        page.goto(base + path)
        assert sideways_overflow(page) <= 0, path
        assert escaping(page) == [], path
    topbar = page.locator(".topbar").bounding_box()
    assert topbar["x"] + topbar["width"] <= viewport["width"]
    expect(page.get_by_role("button", name="Déconnexion")).to_be_in_viewport()


def test_on_a_laptop_no_column_of_the_list_is_cut(
    page, live_server, log_in_fr, workspace, owner, directory
):
    page.set_viewport_size(LAPTOP)
    log_in_fr(owner.email)

    table = page.locator("table.contacts")
    frame = page.locator(".table-scroll")
    assert page.evaluate(
        "() => { const s = document.querySelector('.table-scroll');"
        " return s.scrollWidth <= s.clientWidth; }"
    )
    right_edge = frame.bounding_box()["x"] + frame.bounding_box()["width"]
    headers = table.locator("thead th")
    names = [text.strip() for text in headers.all_inner_texts()]
    assert names[1:] == [
        "Nom",
        "E-mail",
        "Téléphone",
        "Type",
        "Consentement",
        "Commandes",
        "Total dépensé",
        "Dernière commande",
        "Étiquettes",
        "Ajouté le ↓",
    ]
    for index in range(headers.count()):
        box = headers.nth(index).bounding_box()
        assert box["x"] + box["width"] <= right_edge + 0.5, names[index]
    expect(table.get_by_role("cell", name="123 456,78 €")).to_be_visible()


def test_on_a_phone_each_contact_is_a_card_with_its_main_facts(
    page, live_server, log_in_fr, workspace, owner, directory
):
    page.set_viewport_size(PHONE)
    log_in_fr(owner.email)

    card = page.locator("table.contacts tbody tr").filter(has_text="Marie-Françoise")
    assert card.evaluate("row => getComputedStyle(row).display") == "grid"
    box = card.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    expect(card.get_by_role("link", name="Marie-Françoise de La Tour d’Auvergne")).to_be_visible()
    expect(card.get_by_text("Abonné", exact=True)).to_be_visible()
    expect(card.get_by_text("marché de Noël")).to_be_visible()
    expect(card.get_by_text("123 456,78 €")).to_be_visible()
    # The filters fold under the search box, so that the list comes first.
    expect(page.get_by_label("Rechercher")).to_be_visible()
    expect(page.get_by_label("Consentement", exact=True)).to_be_hidden()
    page.get_by_text("Filtres", exact=True).click()
    expect(page.get_by_label("Consentement", exact=True)).to_be_visible()


@pytest.mark.parametrize("viewport", WIDTHS)
def test_the_bulk_actions_show_once_a_contact_is_ticked(
    page, live_server, log_in_fr, workspace, owner, directory, viewport
):
    page.set_viewport_size(viewport)
    log_in_fr(owner.email)
    bulk = page.get_by_role("group", name="Pour les contacts cochés")

    expect(bulk).to_be_hidden()
    page.get_by_role("checkbox", name="Sélectionner Client3 Durand-Lefèvre").check()
    expect(bulk).to_be_visible()
    expect(bulk).to_be_in_viewport()  # held at the foot of the window
    assert sideways_overflow(page) <= 0
    page.get_by_role("checkbox", name="Sélectionner Client3 Durand-Lefèvre").uncheck()
    expect(bulk).to_be_hidden()

    page.get_by_role("checkbox", name="Sélectionner tous les contacts de cette page").check()
    expect(bulk).to_be_visible()
    bulk.get_by_label("Étiquette", exact=True).fill("salon")
    bulk.get_by_role("button", name="Ajouter l’étiquette").click()
    expect(page.get_by_role("status").first).to_contain_text("12")


def test_without_javascript_the_bulk_actions_stay_and_the_filters_are_open(
    browser, live_server, workspace, owner, directory
):
    context = browser.new_context(locale="fr-FR", java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Adresse e-mail").fill(owner.email)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()

        expect(page.get_by_role("group", name="Pour les contacts cochés")).to_be_visible()
        expect(page.get_by_label("Consentement", exact=True)).to_be_visible()
        assert sideways_overflow(page) <= 0
    finally:
        context.close()


def test_each_filter_in_use_is_shown_and_dropped_by_its_link(
    page, live_server, log_in_fr, workspace, owner, directory
):
    page.set_viewport_size(PHONE)
    log_in_fr(owner.email)
    page.goto(
        f"{live_server.url}/w/{workspace.slug}/contacts/?tag=vip&tag=fidèle&consent=subscribed"
    )
    in_use = page.locator(".active-filters")
    chips = in_use.get_by_role("listitem")

    expect(chips).to_have_text(
        [
            "Consentement : Abonné (retirer)×",
            "Étiquettes (toutes requises) : vip (retirer)×",
            "Étiquettes (toutes requises) : fidèle (retirer)×",
        ]
    )
    in_use.get_by_role("link", name="Étiquettes (toutes requises) : vip").click()

    expect(page).to_have_url(
        f"{live_server.url}/w/{workspace.slug}/contacts/?tag=fid%C3%A8le&consent=subscribed"
    )
    expect(page.locator("input[name=tag][value=vip]")).not_to_be_checked()  # the form too
    expect(chips).to_have_count(2)
    in_use.get_by_role("link", name="Consentement : Abonné").click()
    in_use.get_by_role("link", name="Étiquettes (toutes requises) : fidèle").click()

    expect(in_use).to_have_count(0)
    expect(page.get_by_role("status").first).to_have_text("12 contacts")
