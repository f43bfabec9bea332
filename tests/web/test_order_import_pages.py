"""The orders import pages (issue 15, point 2): upload an orders export, dry run, import
for real, read the report; the customer import page says where spend comes from."""

from decimal import Decimal

import pytest

from comptoir.commerce.models import Order
from comptoir.core.scoping import scoped
from comptoir.transfer.imports import import_run
from comptoir.transfer.models import ImportJob
from tests.conftest import login
from tests.html import unlabelled_fields
from tests.transfer.helpers import contact, fixture, upload


@pytest.fixture(autouse=True)
def imports_in_a_temporary_var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def url(workspace, suffix=""):
    return f"/w/{workspace.slug}/contacts/imports/{suffix}"


def test_upload_dry_run_import_and_report_of_a_shopify_orders_export(workspace, owner):
    client = login(owner)
    page = client.get(url(workspace, "orders/"))
    assert page.status_code == 200
    assert unlabelled_fields(page.content.decode()) == []

    # Upload: the file is checked and recognised, nothing runs yet.
    response = client.post(url(workspace, "orders/"), {"file": fixture("shopify_orders.csv")})
    job = scoped(ImportJob, workspace).get()
    assert response["Location"] == url(workspace, f"{job.pk}/")
    assert (job.kind, job.preset, job.status) == ("orders", "shopify", "draft")
    start = client.get(url(workspace, f"{job.pk}/")).content.decode()
    assert "Recognised as a Shopify orders export" in start
    assert "<td>Pain de campagne</td>" in start  # the first rows

    # Dry run: counted, nothing written.
    client.post(url(workspace, f"{job.pk}/"), {"dry_run": "1"})
    job.refresh_from_db()
    assert (job.status, job.dry_run) == ("queued", True)
    import_run(job_id=job.pk)
    result = client.get(url(workspace, f"{job.pk}/")).content.decode()
    assert "dry run, nothing is changed" in result
    assert "<dt>Orders created</dt><dd>4</dd>" in result
    assert not scoped(Order, workspace).exists()
    assert "I confirm that the people this file marks as subscribed" not in result

    # The real import of the same file, then its report.
    response = client.post(url(workspace, f"{job.pk}/"), {})
    real = scoped(ImportJob, workspace).exclude(pk=job.pk).get()
    assert response["Location"] == url(workspace, f"{real.pk}/")
    assert (real.kind, real.dry_run) == ("orders", False)
    import_run(job_id=real.pk)
    report = client.get(url(workspace, f"{real.pk}/")).content.decode()
    assert "<dt>Orders created</dt><dd>4</dd>" in report
    assert "<dt>Orders with errors</dt><dd>0</dd>" in report
    assert scoped(Order, workspace).count() == 4
    assert contact(workspace, "camille.martin@example.com").total_spent == Decimal("86.70")
    listing = client.get(url(workspace, "orders/")).content.decode()
    assert "shopify_orders.csv" in listing


def test_bad_orders_are_listed_with_their_line_on_the_result_page(workspace, owner):
    client = login(owner)
    content = (
        "Name,Email,Currency,Subtotal,Total,Created at,Lineitem quantity,Lineitem name,"
        "Lineitem price\n"
        "#1,a@example.com,EUR,5,5,2025-01-01 10:00:00 +0100,1,Thé,5\n"
        "#2,b@example.com,EUR,5,cinq,2025-01-01 10:00:00 +0100,1,Thé,5\n"
    )
    client.post(url(workspace, "orders/"), {"file": upload(content, "orders.csv")})
    job = scoped(ImportJob, workspace).get()
    client.post(url(workspace, f"{job.pk}/"), {"import": "1"})
    import_run(job_id=job.pk)

    page = client.get(url(workspace, f"{job.pk}/")).content.decode()
    assert "<dt>Orders created</dt><dd>1</dd>" in page
    assert "Orders that were not imported" in page
    assert "<td>3</td>" in page and "“cinq” in the column “Total” is not an amount." in page
    report = client.get(url(workspace, f"{job.pk}/errors.csv"))
    lines = b"".join(report.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[1] == "3,b@example.com,“cinq” in the column “Total” is not an amount."


def test_a_customer_file_on_the_orders_page_is_refused_in_place(workspace, owner):
    response = login(owner).post(
        url(workspace, "orders/"), {"file": upload("Email,First Name\nzoe@example.com,Zoé\n")}
    )
    assert response.status_code == 422
    assert "This is not an orders export of Shopify or Square" in response.content.decode()
    assert not scoped(ImportJob, workspace).exists()


def test_an_orders_export_uploaded_on_the_customer_page_is_recognised(workspace, owner):
    client = login(owner)
    client.post(url(workspace), {"file": fixture("shopify_orders.csv")})
    job = scoped(ImportJob, workspace).get()
    assert job.kind == "orders"
    page = client.get(url(workspace, f"{job.pk}/")).content.decode()
    assert "Recognised as a Shopify orders export" in page


def test_the_customer_import_page_says_spend_comes_from_orders_and_links_there(workspace, owner):
    english = login(owner).get(url(workspace)).content.decode()
    assert "Total spent, order counts and whether a contact is a customer come from" in english
    assert f'href="{url(workspace, "orders/")}"' in english
    french = login(owner, language="fr").get(url(workspace)).content.decode()
    assert "viennent de ses commandes" in french
