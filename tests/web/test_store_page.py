"""Settings → Store (issue 15, point 3): connecting Shopify or WooCommerce, the last
webhook's verdict, the "send a test" check, and the API for any other shop."""

import html as html_lib
import re

import pytest
from django.utils import formats, timezone

from comptoir.commerce.models import Cart, Order, StoreConnection
from comptoir.commerce.services import store_connection_create
from comptoir.contacts.models import Contact, ContactEvent
from comptoir.core.roles import Role
from comptoir.core.scoping import scoped
from tests.commerce.webhook_helpers import SECRET, connect, encode, fixture, post, sign
from tests.conftest import api_client_for, login
from tests.html import unlabelled_fields

FRENCH_BROWSER = {"Accept-Language": "fr-FR,fr;q=0.9"}
SHOPIFY = StoreConnection.Platform.SHOPIFY
WOOCOMMERCE = StoreConnection.Platform.WOOCOMMERCE


def page_url(workspace, rest: str = "") -> str:
    return f"/w/{workspace.slug}/settings/store/{rest}"


def page(user, workspace, **headers) -> str:
    response = login(user).get(page_url(workspace), headers=headers or None)
    assert response.status_code == 200
    return response.content.decode()


def text_of(html: str) -> str:
    """The page's text as a reader sees it: no tags, entities decoded, spaces collapsed."""
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def last_webhook(html: str, connection) -> str:
    found = re.search(rf'<dd id="last-webhook-{connection.pk}">(.*?)</dd>', html, re.S)
    assert found, "no last-webhook line"
    return text_of(found.group(1))


def send_shopify(connection, payload: dict, *, secret: str = SECRET, topic="orders/create"):
    body = encode(payload)
    headers = {"X-Shopify-Topic": topic, "X-Shopify-Hmac-Sha256": sign(body, secret)}
    return post(connection, body, headers)


def nothing_stored(workspace) -> bool:
    return not any(
        scoped(model, workspace).exists() for model in (Order, Cart, Contact, ContactEvent)
    )


def shown_time(moment) -> str:
    """How the page writes a time: in the workspace's zone, Django's DATETIME_FORMAT."""
    with timezone.override("Europe/Paris"):
        return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


# The last webhook received


def test_a_signed_shopify_webhook_shows_on_the_page_with_its_time_and_accepted(workspace, owner):
    shop = connect(workspace, SHOPIFY)
    response = send_shopify(shop, fixture("shopify_order_create.json"))
    assert response.status_code == 200, response.content

    html = page(owner, workspace)

    shop.refresh_from_db()
    line = last_webhook(html, shop)
    assert shown_time(shop.last_received_at) in line
    assert "accepted" in line and "(orders/create)" in line and "stored as new" in line


def test_a_badly_signed_webhook_shows_as_refused_with_the_reason(workspace, owner):
    shop = connect(workspace, SHOPIFY)
    response = send_shopify(shop, fixture("shopify_order_create.json"), secret="another")
    assert response.status_code == 401

    line = last_webhook(page(owner, workspace), shop)

    assert "refused" in line
    assert "wrong or missing signature" in line
    assert nothing_stored(workspace)


def test_a_payload_our_rules_refuse_shows_the_rules_message(workspace, owner):
    shop = connect(workspace, SHOPIFY)
    order = fixture("shopify_order_create.json")
    order["total_price"] = "lots"
    send_shopify(shop, order)

    line = last_webhook(page(owner, workspace), shop)

    shop.refresh_from_db()
    assert "refused" in line and shop.last_reason == "invalid_money"
    assert shop.last_detail and shop.last_detail in line
    assert nothing_stored(workspace)


def test_an_unknown_topic_shows_as_refused(workspace, owner):
    shop = connect(workspace, SHOPIFY)
    send_shopify(shop, {"id": 1}, topic="products/create")

    line = last_webhook(page(owner, workspace), shop)

    assert "refused (products/create)" in line and "does not handle" in line


def test_a_fixed_secret_shows_at_once_even_within_the_minute(workspace, owner):
    """Verdicts are written once a minute at most, unless they change: a merchant who just
    fixed the secret must not see the old refusal."""
    shop = connect(workspace, SHOPIFY)
    order = fixture("shopify_order_create.json")
    send_shopify(shop, order, secret="wrong")
    send_shopify(shop, order)

    line = last_webhook(page(owner, workspace), shop)

    assert "accepted" in line


def test_a_shopify_connection_waits_for_the_key_then_its_webhooks_pass(staff, workspace):
    admin = login(staff[Role.ADMIN])
    response = admin.post(page_url(workspace), {"platform": "shopify", "secret": ""})
    assert response.status_code == 302
    shop = StoreConnection.objects.get(workspace=workspace)
    assert shop.secret == ""
    order = fixture("shopify_order_create.json")
    assert send_shopify(shop, order, secret="shpss_key").status_code == 401
    html = page(staff[Role.ADMIN], workspace)
    assert "no secret in Comptoir yet" in last_webhook(html, shop)
    assert "Not set yet: paste Shopify’s signing key below" in text_of(html)

    saved = admin.post(
        page_url(workspace, f"{shop.pk}/secret/"), {f"connection-{shop.pk}-secret": "shpss_key"}
    )
    assert saved.status_code == 302
    assert send_shopify(shop, order, secret="shpss_key").json() == {"status": "created"}
    assert "accepted" in last_webhook(page(staff[Role.ADMIN], workspace), shop)


def test_shopifys_test_notification_is_accepted_and_stores_nothing(workspace, owner):
    shop = connect(workspace, SHOPIFY)
    sample = fixture("shopify_order_create.json")
    sample["test"] = True  # what "Send test notification" sends: Shopify's sample order

    response = send_shopify(shop, sample)

    assert response.json() == {"status": "test"}
    assert nothing_stored(workspace)
    assert "test order from the store" in last_webhook(page(owner, workspace), shop)


def test_woocommerces_ping_shows_as_accepted(workspace, owner):
    woo = connect(workspace, WOOCOMMERCE)
    post(woo, b"webhook_id=12", {}, content_type="application/x-www-form-urlencoded")

    line = last_webhook(page(owner, workspace), woo)

    assert "accepted" in line and "the store checked the address" in line


# Send a test


@pytest.mark.parametrize("platform", [SHOPIFY, WOOCOMMERCE])
def test_send_a_test_passes_and_adds_no_order_nor_contact(staff, workspace, platform):
    connection = connect(workspace, platform)

    response = login(staff[Role.ADMIN]).post(page_url(workspace, f"{connection.pk}/test/"))

    assert response.status_code == 200
    text = text_of(response.content.decode())
    assert (
        "Test passed." in text
        and "stored as new" in text
        and "no order and no contact were added" in text
    )
    assert nothing_stored(workspace)
    connection.refresh_from_db()
    assert connection.last_received_at is None  # the store sent nothing


def test_send_a_test_without_a_secret_fails_and_says_why(staff, workspace):
    shop = store_connection_create(workspace=workspace, platform=SHOPIFY, secret=None, actor=None)

    response = login(staff[Role.OWNER]).post(page_url(workspace, f"{shop.pk}/test/"))

    text = text_of(response.content.decode())
    assert "Test failed." in text and "no secret in Comptoir yet" in text


def test_a_second_test_finds_nothing_left_by_the_first(staff, workspace):
    """Run twice: the dry run leaves nothing for the second to find (it says new again)."""
    woo = connect(workspace, WOOCOMMERCE)
    client = login(staff[Role.ADMIN])
    client.post(page_url(workspace, f"{woo.pk}/test/"))
    second = text_of(client.post(page_url(workspace, f"{woo.pk}/test/")).content.decode())

    assert "stored as new" in second
    assert nothing_stored(workspace)


# Secrets and who sees them


def test_a_woocommerce_secret_is_made_and_shown_once(staff, workspace):
    admin = login(staff[Role.ADMIN])

    created = admin.post(page_url(workspace), {"platform": "woocommerce", "secret": ""})

    woo = StoreConnection.objects.get(workspace=workspace)
    assert len(woo.secret) >= 40
    assert f'value="{woo.secret}"' in created.content.decode()
    assert created["Cache-Control"] == "no-store"
    again = page(staff[Role.ADMIN], workspace)
    assert woo.secret not in again
    assert woo.webhook_url in again  # the address stays visible to admins


@pytest.mark.parametrize("role", [Role.MARKETER, Role.VIEWER])
def test_other_roles_see_the_verdict_but_no_address_nor_secret(staff, workspace, role):
    woo = connect(workspace, WOOCOMMERCE)
    post(woo, b"webhook_id=12", {}, content_type="application/x-www-form-urlencoded")

    html = page(staff[role], workspace)

    assert "accepted" in last_webhook(html, woo)
    assert woo.url_token not in html and woo.secret not in html
    assert "Only owners and admins see the webhook addresses and secrets" in text_of(html)
    client = login(staff[role])
    before = StoreConnection.objects.count()
    assert client.post(page_url(workspace), {"platform": "woocommerce"}).status_code == 403
    for action in ("secret", "regenerate", "test", "delete"):
        response = client.post(page_url(workspace, f"{woo.pk}/{action}/"), {"confirm": "yes"})
        assert response.status_code == 403, action
    woo_after = StoreConnection.objects.get(pk=woo.pk)
    assert (StoreConnection.objects.count(), woo_after.secret) == (before, woo.secret)


def test_another_workspaces_connection_is_a_404(staff, workspace, other_workspace):
    theirs = connect(other_workspace, WOOCOMMERCE)
    owner = login(staff[Role.OWNER])

    for action in ("secret", "regenerate", "test", "delete"):
        response = owner.post(
            page_url(workspace, f"{theirs.pk}/{action}/"),
            {"confirm": "yes", f"connection-{theirs.pk}-secret": "mine now"},
        )
        assert response.status_code == 404, action

    theirs_after = StoreConnection.objects.get(pk=theirs.pk)
    assert theirs_after.secret == theirs.secret
    assert theirs.url_token not in page(staff[Role.OWNER], workspace)


def test_a_new_secret_asks_for_confirmation_then_the_old_one_is_refused(staff, workspace):
    woo = connect(workspace, WOOCOMMERCE, secret="old-secret")
    admin = login(staff[Role.ADMIN])
    url = page_url(workspace, f"{woo.pk}/regenerate/")

    asked = admin.post(url)
    assert "Make a new secret?" in asked.content.decode()
    woo.refresh_from_db()
    assert woo.secret == "old-secret"

    done = admin.post(url, {"confirm": "yes"})
    woo.refresh_from_db()
    assert woo.secret != "old-secret"
    assert f'value="{woo.secret}"' in done.content.decode()
    assert done["Cache-Control"] == "no-store"


def test_shopify_has_no_new_secret_to_make(staff, workspace):
    shop = connect(workspace, SHOPIFY)
    admin = login(staff[Role.ADMIN])

    admin.post(page_url(workspace, f"{shop.pk}/regenerate/"), {"confirm": "yes"})

    shop.refresh_from_db()
    assert shop.secret == SECRET


def test_disconnecting_asks_for_confirmation(staff, workspace):
    woo = connect(workspace, WOOCOMMERCE)
    admin = login(staff[Role.OWNER])
    url = page_url(workspace, f"{woo.pk}/delete/")

    asked = admin.post(url)
    assert "Disconnect this store?" in asked.content.decode()
    assert StoreConnection.objects.filter(pk=woo.pk).exists()

    assert admin.post(url, {"confirm": "yes"}).status_code == 302
    assert not StoreConnection.objects.filter(pk=woo.pk).exists()
    assert post(woo, b"{}", {}).status_code == 404


def test_a_secret_too_long_is_refused_in_place(staff, workspace):
    shop = connect(workspace, SHOPIFY)
    response = login(staff[Role.ADMIN]).post(
        page_url(workspace, f"{shop.pk}/secret/"), {f"connection-{shop.pk}-secret": "x" * 300}
    )

    assert response.status_code == 422
    shop.refresh_from_db()
    assert shop.secret == SECRET


# Instructions, the API, languages, labels


def test_the_page_lists_every_topic_with_the_webhook_address(workspace, owner):
    shop = connect(workspace, SHOPIFY)
    woo = connect(workspace, WOOCOMMERCE)

    text = text_of(page(owner, workspace))

    for topic in ("orders/create", "orders/cancelled", "checkouts/update", "customers/create"):
        assert f"{topic} {shop.webhook_url}" in text
    for topic in ("order.created", "order.updated", "order.restored", "order.deleted"):
        assert f"{topic} {woo.webhook_url}" in text
    assert "Settings → Notifications" in text and "JSON" in text
    assert "WooCommerce → Settings → Advanced → Webhooks" in text
    assert "WP REST API Integration v3" in text


def test_the_curl_examples_work_as_written(settings, workspace, owner):
    html = page(owner, workspace)
    api = api_client_for(workspace)

    put, batch = (
        html_lib.unescape(re.search(rf'<pre[^>]*id="{name}"[^>]*>(.*?)</pre>', html, re.S)[1])
        for name in ("api-put", "api-batch")
    )

    assert put.startswith(f'curl -X PUT "{settings.COMPTOIR_BASE_URL}/api/v1/orders/1001"')
    assert batch.startswith(f'curl -X POST "{settings.COMPTOIR_BASE_URL}/api/v1/orders/batch"')
    put_body = re.search(r"-d '(.*)'", put, re.S)[1]
    batch_body = re.search(r"-d '(.*)'", batch, re.S)[1]
    created = api.client.put(
        "/api/v1/orders/1001", put_body, content_type="application/json", headers=api.headers
    )
    assert created.status_code in (200, 201), created.content
    answered = api.client.post(
        "/api/v1/orders/batch", batch_body, content_type="application/json", headers=api.headers
    )
    assert answered.status_code == 200, answered.content
    statuses = [result["status"] for result in answered.json()["results"]]
    assert statuses == ["unchanged", "created"]


def test_the_page_is_french_for_a_french_browser(workspace, owner):
    shop = connect(workspace, SHOPIFY)
    send_shopify(shop, fixture("shopify_order_create.json"))

    html = page(owner, workspace, **FRENCH_BROWSER)

    text = text_of(html)
    assert '<html lang="fr">' in html
    for french in (
        "Boutique",
        "Dernier webhook reçu",
        "accepté",
        "Shopify, pas à pas",
        "WooCommerce, pas à pas",
        "Envoyer un test",
        "Paramètres → Notifications",
    ):
        assert french in text, french
    assert "Last webhook received" not in text


def test_every_field_has_a_label_with_connections_and_a_new_secret(staff, workspace):
    connect(workspace, SHOPIFY)
    created = login(staff[Role.ADMIN]).post(page_url(workspace), {"platform": "woocommerce"})

    assert unlabelled_fields(created.content.decode()) == []
