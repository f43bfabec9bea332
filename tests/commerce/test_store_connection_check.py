"""The store page's "send a test" (commerce.deliveries.store_connection_test): the path of a
real webhook, as a dry run that leaves nothing behind — no row, no queued job."""

import pytest

from comptoir.commerce.deliveries import process, store_connection_test
from comptoir.commerce.models import Order, StoreConnection
from comptoir.contacts.models import Contact
from comptoir.core.scoping import scoped
from tests.commerce.webhook_helpers import connect, encode, fixture, sign


@pytest.mark.parametrize(
    "platform", [StoreConnection.Platform.SHOPIFY, StoreConnection.Platform.WOOCOMMERCE]
)
def test_the_check_runs_the_whole_path_and_queues_no_job(
    workspace, platform, django_capture_on_commit_callbacks
):
    connection = connect(workspace, platform)

    with django_capture_on_commit_callbacks() as callbacks:
        verdict = store_connection_test(connection=connection)

    assert (verdict.result, verdict.reason) == ("accepted", "created")
    assert callbacks == []  # the order's follow-up jobs were rolled back with it
    assert not scoped(Order, workspace).exists()
    assert not scoped(Contact, workspace).exists()
    connection.refresh_from_db()
    assert connection.last_received_at is None


def test_a_real_order_on_the_same_path_does_queue_its_jobs(
    workspace, django_capture_on_commit_callbacks
):
    """The control for the test above: without the dry run, the order's jobs are queued."""
    connection = connect(workspace, StoreConnection.Platform.SHOPIFY)
    body = encode(fixture("shopify_order_create.json"))

    with django_capture_on_commit_callbacks() as callbacks:
        verdict = process(
            connection,
            body,
            {"X-Shopify-Topic": "orders/create", "X-Shopify-Hmac-Sha256": sign(body)},
        )

    assert (verdict.result, verdict.reason) == ("accepted", "created")
    assert callbacks
