"""Orders exports of Shopify and Square imported into real orders (issue 15, point 2): the
contacts become customers with the figures of their orders (C3, C5), twice changes
nothing, a dry run writes nothing, a bad order is reported at its line and the others go on.
"""

import datetime as dt
from decimal import Decimal

import pytest

from comptoir.commerce.models import Order
from comptoir.contacts.models import Contact
from comptoir.contacts.selectors import contacts_in_segments
from comptoir.contacts.services import segment_create
from comptoir.core.scoping import scoped
from comptoir.core.services import ServiceError
from comptoir.transfer.imports import import_create
from comptoir.transfer.models import ImportJob
from tests.transfer.helpers import FIXTURES, contact, fixture, run_import, upload

UTC = dt.UTC
SHOPIFY_HEADER = (FIXTURES / "shopify_orders.csv").read_text().splitlines()[0]


def orders(workspace):
    return scoped(Order, workspace).prefetch_related("items").order_by("number")


def items(order):
    return [(item.name, item.quantity, item.price) for item in order.items.all()]


def snapshot(workspace):
    """Everything an import may touch, to compare before and after."""
    return (
        [
            (o.external_id, o.status, o.total, o.updated_at, items(o), o.contact_id)
            for o in orders(workspace)
        ],
        list(
            scoped(Contact, workspace)
            .order_by("pk")
            .values_list("pk", "type", "total_spent", "order_count", "updated_at")
        ),
    )


def test_a_shopify_orders_export_becomes_orders_and_makes_customers_with_their_figures(
    workspace, owner
):
    job = run_import(workspace, fixture("shopify_orders.csv"), actor=owner)

    assert (job.kind, job.preset, job.status) == ("orders", "shopify", "completed")
    # Four orders in seven rows (one per line item).
    assert (job.total, job.created, job.updated, job.skipped, job.errors_total) == (4, 4, 0, 0, 0)
    first, second, third, fourth = orders(workspace)
    assert (first.external_id, first.number, first.status) == ("5551230001", "#1001", "completed")
    assert items(first) == [
        ("Pain de campagne", 2, Decimal("12.00")),
        ("Coffret cadeau", 1, Decimal("30.00")),
    ]
    assert (first.subtotal, first.shipping, first.tax, first.total) == (
        Decimal("54.00"),
        Decimal("4.90"),
        Decimal("9.82"),
        Decimal("58.90"),
    )
    assert first.placed_at == dt.datetime(2025, 3, 2, 13, 5, 11, tzinfo=UTC)
    assert first.shipping_address == {
        "name": "Camille Martin",
        "line1": "3 rue du Four",
        "city": "Paris",
        "postal_code": "75006",
        "country": "FR",
    }
    assert (second.coupon_code, second.discount, second.channel) == (
        "BIENVENUE",
        Decimal("0.96"),
        "pos",
    )
    assert items(third) == [
        ("Brioche", 1, Decimal("8.50")),
        ("Baguette tradition", 2, Decimal("1.20")),
        ("Miel de lavande", 1, Decimal("12.00")),
    ]
    assert (third.status, third.refunded) == ("completed", Decimal("27.80"))
    assert fourth.status == "canceled"

    # C5 by hand. Camille: #1001 58.90 + #1003 27.80 (refunded, still counted) = 86.70 over
    # 2 orders = 43.35 each; her two spellings of the address are one contact (C2).
    camille = contact(workspace, "camille.martin@example.com")
    assert (camille.type, camille.order_count) == ("customer", 2)
    assert (camille.total_spent, camille.average_order_value) == (
        Decimal("86.70"),
        Decimal("43.35"),
    )
    assert camille.last_order_at == dt.datetime(2025, 4, 10, 16, 30, tzinfo=UTC)
    assert camille.customer_since == dt.datetime(2025, 3, 2, 13, 5, 11, tzinfo=UTC)
    assert (camille.first_name, camille.last_name) == ("Camille", "Martin")
    assert first.contact_id == third.contact_id == camille.pk
    hugo = contact(workspace, "hugo.bernard@example.com")
    assert (hugo.type, hugo.order_count, hugo.total_spent) == ("customer", 1, Decimal("8.64"))
    # Jade's only order was canceled: she is a prospect with nothing spent (C3, C5).
    jade = contact(workspace, "jade.petit@example.com")
    assert (jade.type, jade.order_count, jade.total_spent) == ("prospect", 0, Decimal("0.00"))
    # Segments read the figures: right from the import on.
    big = segment_create(
        workspace=workspace, name="Plus de 50 €", filter={"min_total_spent": "50"}, actor=owner
    )
    in_segment = contacts_in_segments(workspace=workspace, segment_ids=[str(big.pk)])
    assert [c.email for c in in_segment] == ["camille.martin@example.com"]


def test_importing_the_same_orders_export_twice_changes_nothing(workspace, owner):
    run_import(workspace, fixture("shopify_orders.csv"), actor=owner)
    before = snapshot(workspace)

    again = run_import(workspace, fixture("shopify_orders.csv"), actor=owner)

    assert (again.created, again.updated, again.skipped, again.errors_total) == (0, 0, 4, 0)
    assert snapshot(workspace) == before


def test_a_dry_run_writes_nothing_and_counts_what_the_import_would_do(workspace, owner):
    job = run_import(workspace, fixture("shopify_orders.csv"), actor=owner, dry_run=True)

    assert (job.status, job.dry_run, job.total, job.created, job.errors_total) == (
        "completed",
        True,
        4,
        4,
        0,
    )
    assert not scoped(Order, workspace).exists()
    assert not scoped(Contact, workspace).exists()


BAD = "\n".join(
    [
        "Name,Email,Financial Status,Currency,Subtotal,Shipping,Taxes,Total,Created at,"
        "Lineitem quantity,Lineitem name,Lineitem price,Billing Name",
        "#2001,ana@example.com,paid,EUR,10.00,0,0,10.00,2025-01-02 10:00 +0100,1,Thé,10.00,Ana B",
        "#2002,bob@example.com,paid,EUR,10.00,0,0,douze,2025-01-02 10:00:00 +0100,1,Thé,10.00,",
        "#2003,,paid,EUR,5.00,0,0,5.00,2025-01-02 11:00:00 +0100,1,Thé,5.00,",
        "#2004,cleo@example.com,paid,EUR,15.00,0,0,15.00,2025-01-03 10:00:00 +0100,1,Thé,5.00,",
        "#2004,cleo@example.com,,,,,,,,2.5,Miel,5.00,",
        "#2005,dan@example.com,paid,EUR,5.00,0,0,5.00,hier,1,Thé,5.00,",
        "#2006,not-an-address,paid,EUR,5.00,0,0,5.00,2025-01-04 10:00:00 +0100,1,Thé,5.00,",
        ",eve@example.com,paid,EUR,5.00,0,0,5.00,2025-01-04 10:00:00 +0100,1,Thé,5.00,",
        "#2001,ana@example.com,,,,,,,,1,Sucre,2.00,",
        "#2007,fay@example.com,paid,XYZ,5.00,0,0,5.00,2025-01-04 10:00:00 +0100,1,Thé,5.00,",
        "#2008,gus@example.com,pending,EUR,7.00,0,0,7.00,2025-01-05 10:00:00 +0100,1,Thé,7.00,",
    ]
)


def test_bad_orders_are_reported_with_their_line_and_reason_and_the_others_are_imported(
    workspace, owner
):
    job = run_import(workspace, upload(BAD, "orders_export.csv"), actor=owner)

    assert job.status == "completed"
    reported = {error.line: error.reason for error in job.row_errors.all()}
    assert reported == {
        3: "“douze” in the column “Total” is not an amount.",
        4: "Order #2003 has no e-mail address: it cannot be tied to a contact.",
        6: "“2.5” in the column “Lineitem quantity” is not a whole number.",
        7: "“hier” in the column “Created at” is not a date and time (2025-03-02 14:05:11 +0100).",
        8: "Order #2006: “not-an-address” is not a valid e-mail address.",
        9: "This row names no order: its “Name” is empty.",
        10: "The lines of order #2001 do not follow each other: this one comes after other orders.",
        11: "Order #2007: “XYZ” is not an ISO 4217 currency code.",
    }
    assert [o.number for o in orders(workspace)] == ["#2001", "#2008"]
    assert (job.created, job.errors_total) == (2, 8)
    assert contact(workspace, "gus@example.com").type == "customer"  # an open order counts
    assert contact(workspace, "ana@example.com").first_name == "Ana"


def test_a_square_items_export_imports_through_the_customer_ids_of_squares_customer_export(
    workspace, owner
):
    run_import(workspace, fixture("square_customers_groups.csv"), actor=owner)

    job = run_import(workspace, fixture("square_items.csv"), actor=owner)

    assert (job.kind, job.preset, job.status) == ("orders", "square", "completed")
    # TXN-A1 and TXN-C3 are sales to known customers; TXN-B2 was a walk-in sale and TXN-D4 a
    # refund (skipped); TXN-E5 names a customer that no customer import brought.
    assert (job.total, job.created, job.skipped, job.errors_total) == (5, 2, 2, 1)
    [error] = job.row_errors.all()
    assert error.line == 7
    assert "CUST-99 is not in the directory" in error.reason
    sale = scoped(Order, workspace).prefetch_related("items").get(external_id="square:TXN-A1")
    assert items(sale) == [
        ("Bougie figue", 2, Decimal("18.00")),
        ("Carte postale (Lin)", 1, Decimal("4.00")),
    ]
    # 36.00 + 4.00 gross, 3.60 off, 6.07 of tax: 42.47 paid.
    assert (sale.subtotal, sale.discount, sale.tax, sale.total) == (
        Decimal("40.00"),
        Decimal("3.60"),
        Decimal("6.07"),
        Decimal("42.47"),
    )
    assert sale.channel == "pos"
    assert sale.placed_at == dt.datetime(2025, 5, 3, 8, 15, 42, tzinfo=UTC)  # Paris, CEST
    zoe = contact(workspace, "zoe.lefevre@example.com")
    assert (zoe.type, zoe.order_count, zoe.total_spent) == ("customer", 1, Decimal("42.47"))
    karim = contact(workspace, "karim@example.fr")
    assert (karim.order_count, karim.total_spent) == (1, Decimal("21.00"))

    again = run_import(workspace, fixture("square_items.csv"), actor=owner)
    assert (again.created, again.updated, again.skipped) == (0, 0, 4)


def test_kind_orders_refuses_a_file_that_is_no_orders_export(workspace, owner):
    with pytest.raises(ServiceError) as refused:
        import_create(
            workspace=workspace,
            upload=upload("Email,First Name\nzoe@example.com,Zoé\n"),
            actor=owner,
            kind="orders",
        )
    assert refused.value.code == "not_an_orders_export"
    assert not ImportJob.objects.exists()


def test_an_orders_export_missing_a_column_it_needs_is_refused_at_once(workspace, owner):
    header = SHOPIFY_HEADER.replace(",Total,", ",")
    with pytest.raises(ServiceError) as refused:
        import_create(
            workspace=workspace, upload=upload(f"{header}\n#1,{'x,' * 10}\n"), actor=owner
        )
    assert (refused.value.code, refused.value.message) == (
        "invalid_file",
        "The file has no column “Total”.",
    )


def test_huge_cells_refuse_their_order_and_not_the_file(workspace, owner):
    huge = "x" * 100_000
    content = "\n".join(
        [
            "Name,Email,Currency,Subtotal,Total,Created at,Lineitem quantity,Lineitem name,"
            "Lineitem price",
            f"#{huge},a@example.com,EUR,1,1,2025-01-01 10:00:00 +0100,1,Thé,1",
            f"#2,b@example.com,EUR,1,{huge},2025-01-01 10:00:00 +0100,1,Thé,1",
            f"#3,c@example.com,EUR,1,1,2025-01-01 10:00:00 +0100,1,{huge},1",
        ]
    )
    job = run_import(workspace, upload(content, "orders.csv"), actor=owner)

    assert job.status == "completed"
    reasons = {error.line: error.reason for error in job.row_errors.all()}
    assert set(reasons) == {2, 3}
    assert "order id must be 1 to" in reasons[2]
    assert "is not an amount" in reasons[3]
    assert all(len(reason) < 600 for reason in reasons.values())
    [kept] = orders(workspace)
    assert (kept.number, len(items(kept)[0][0])) == ("#3", 255)  # a name is cut, not refused


def post_import(client, content: bytes, name: str, **fields):
    return client.client.post(
        "/api/v1/imports", {"file": upload(content, name), **fields}, headers=client.headers
    )


def test_the_api_takes_an_orders_export_by_its_columns_or_by_kind(api, workspace):
    from comptoir.transfer.imports import import_run

    content = (FIXTURES / "shopify_orders.csv").read_bytes()
    response = post_import(api, content, "orders_export.csv", dry_run="true")
    assert response.status_code == 202
    job_id = response.json()["id"]
    import_run(job_id=job_id)

    result = api.get(f"/api/v1/imports/{job_id}").json()
    assert (result["kind"], result["preset"], result["status"], result["dry_run"]) == (
        "orders",
        "shopify",
        "completed",
        True,
    )
    assert (result["total"], result["created"], result["errors"]) == (4, 4, [])
    assert not scoped(Order, workspace).exists()

    refused = post_import(api, b"Email\nzoe@example.com\n", "customers.csv", kind="orders")
    assert refused.status_code == 422
    assert refused.json()["code"] == "not_an_orders_export"
    unknown = post_import(api, content, "orders_export.csv", kind="invoices")
    assert (unknown.status_code, unknown.json()["code"]) == (422, "invalid_kind")
    # kind=contacts reads even an orders export as contacts (its Email column).
    as_contacts = post_import(api, content, "orders_export.csv", kind="contacts")
    import_run(job_id=as_contacts.json()["id"])
    result = api.get(f"/api/v1/imports/{as_contacts.json()['id']}").json()
    assert (result["kind"], result["status"]) == ("contacts", "completed")
    assert not scoped(Order, workspace).exists()


MALFORMED = [
    (b"", "The file is empty."),
    (b"\x00\x01\x02binary", "This is not a text file: it contains NUL bytes."),
    (b"Name,Lineitem name\n#1,Th\xc3\xa9\n", "The file has no column “Email”."),
    (
        b"Date,Transaction ID,Item,Qty\n2025-01-01,T1,Bougie,1\n",
        "The file has no column “Gross Sales”.",
    ),
]


@pytest.mark.parametrize(("content", "message"), MALFORMED)
def test_a_malformed_orders_file_is_refused_with_a_clear_message(
    workspace, owner, content, message
):
    with pytest.raises(ServiceError) as refused:
        import_create(workspace=workspace, upload=upload(content, "orders.csv"), actor=owner)
    assert refused.value.message == message
    assert not ImportJob.objects.exists()


def test_a_line_without_end_fails_the_orders_import_with_its_line_and_writes_nothing(
    workspace, owner
):
    content = (
        "Name,Email,Currency,Subtotal,Total,Created at,Lineitem quantity,Lineitem name,"
        "Lineitem price\n"
        + "".join(f"#{n},a@example.com,EUR,5,5,2025-01-01 10:00 +0100,1,Thé,5\n" for n in range(6))
        + "#9,b@example.com,EUR,5,5,2025-01-01 10:00:00 +0100,1,"
        + "x" * 1_100_000
        + "\n"
    )
    # The upload reads the first rows only: the long line is found by the worker.
    job = run_import(workspace, upload(content, "orders.csv"), actor=owner)

    assert job.status == "failed"
    assert job.failure_message == "Line 8 is longer than 1048576 characters."
    assert not scoped(Order, workspace).exists()


def test_a_cancelled_orders_import_keeps_the_saved_chunks_and_runs_again_for_the_rest(
    workspace, owner, monkeypatch
):
    from django.utils import timezone

    from comptoir.transfer import order_imports
    from comptoir.transfer.imports import import_run, import_run_again

    monkeypatch.setattr(order_imports, "CHUNK_ORDERS", 2)
    real_upsert = order_imports.orders_batch_upsert

    def upsert_then_cancel(**kwargs):
        outcomes = real_upsert(**kwargs)
        # Someone presses "Cancel" while the first chunk is saved.
        ImportJob.objects.update(cancel_requested_at=timezone.now())
        return outcomes

    monkeypatch.setattr(order_imports, "orders_batch_upsert", upsert_then_cancel)
    job = run_import(workspace, fixture("shopify_orders.csv"), actor=owner)

    assert (job.status, job.stop_reason) == ("failed", "cancelled")
    assert "the orders saved until then are kept" in job.failure_message
    assert [o.number for o in orders(workspace)] == ["#1001", "#1002"]

    monkeypatch.setattr(order_imports, "orders_batch_upsert", real_upsert)
    again = import_run_again(job=job, actor=owner)
    import_run(job_id=again.pk)
    again.refresh_from_db()
    assert (again.status, again.created, again.skipped) == ("completed", 2, 2)
    assert contact(workspace, "camille.martin@example.com").total_spent == Decimal("86.70")


def test_a_square_export_whose_prices_include_vat_counts_the_vat_once(workspace, owner):
    # A French shop: the gross sales hold the VAT (net = gross − tax); an e-mail column
    # someone added names the customer without a customer import.
    content = "\n".join(
        [
            "Date,Time,Time Zone,Item,Qty,Price Point Name,Gross Sales,Discounts,Net Sales,Tax,"
            "Transaction ID,Event Type,Customer ID,Customer Name,Customer Email",
            "2025-06-01,15:00:00,Europe/Paris,Bougie figue,1,Regular,€24.00,€0.00,€20.00,€4.00,"
            "TXN-F1,Payment,,Lou Roux,lou@example.fr",
            '2025-06-01,15:00:00,Europe/Paris,Cire au poids,"1,5",,"6,00 €",€0.00,€5.00,€1.00,'
            "TXN-F1,Payment,,Lou Roux,lou@example.fr",
        ]
    )
    job = run_import(workspace, upload(content, "items-2025.csv"), actor=owner)

    assert (job.preset, job.created, job.errors_total) == ("square", 1, 0)
    sale = scoped(Order, workspace).prefetch_related("items").get(external_id="square:TXN-F1")
    assert items(sale) == [
        ("Bougie figue", 1, Decimal("24.00")),
        ("Cire au poids × 1.5", 1, Decimal("6.00")),  # sold by weight: one line, its price
    ]
    assert (sale.subtotal, sale.tax, sale.total) == (
        Decimal("30.00"),
        Decimal("5.00"),
        Decimal("30.00"),
    )
    lou = contact(workspace, "lou@example.fr")
    assert (lou.first_name, lou.last_name, lou.total_spent) == ("Lou", "Roux", Decimal("30.00"))
