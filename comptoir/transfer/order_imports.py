"""The worker's side of an orders import (issue 15, point 2): the orders of a Shopify or
Square export go, 1,000 at a time, through the same backfill as `POST /orders/batch`
(`commerce.services.orders_batch_upsert`), so that contacts, figures (C5), type (C3) and
segments follow exactly the rules of an order sent by the store.

- A refused order (an amount that is no amount, no e-mail address, an unknown Square
  customer) is reported at its line, with its reason, and the others go on.
- A real run commits chunk by chunk: the progress bar moves, and a run stopped half way
  loses nothing, since running the file again finds the saved orders unchanged.
- A dry run writes each chunk and rolls it back: its counts are those of the real run.
"""

import logging

from django.db import transaction
from django.utils.translation import gettext_noop

from comptoir.commerce.models import Source
from comptoir.commerce.services import BATCH_MAX, orders_batch_upsert
from comptoir.core.scoping import scoped
from comptoir.transfer import reading
from comptoir.transfer.models import ImportJob, ImportRowError, StoreCustomerRef
from comptoir.transfer.order_files import SHOPIFY, SQUARE, FileOrder, OrderRowError, reader_for
from comptoir.transfer.reasons import Reason

logger = logging.getLogger("comptoir.transfer")

CHUNK_ORDERS = BATCH_MAX
SOURCES = {SHOPIFY: Source.SHOPIFY, SQUARE: Source.API}


class OrdersRun:
    """Reads the file's orders and sends them on in chunks. `still_wanted(job)` raises to
    stop between chunks (a cancel); `progress(job, **counters)` writes the counters."""

    def __init__(self, job: ImportJob, *, path, still_wanted, progress):
        self.job = job
        self.path = path
        self.still_wanted = still_wanted
        self.progress = progress
        self.counts = {"created": 0, "updated": 0, "skipped": 0, "errors_total": 0}
        self.orders = 0
        self.chunk: list[FileOrder] = []
        self.errors: list[ImportRowError] = []

    def run(self) -> None:
        job = self.job
        raw, rows = reading.open_rows(self.path, job.encoding, job.delimiter)
        with raw:
            self.format = reader_for(rows.header, job.preset, job.workspace)
            self.rows = rows
            seen: set[str] = set()
            current, group = None, []
            for row in rows:
                name = self.format.group(row)
                if not name:
                    self.orders += 1
                    self._refuse(
                        row.line,
                        Reason(
                            gettext_noop("This row names no order: its “%(column)s” is empty."),
                            column=self.format.group_column,
                        ),
                    )
                    continue
                if name == current:
                    group.append(row)
                    continue
                self._finish(group)
                current, group = name, [row]
                if name in seen:
                    self.orders += 1
                    # Shopify writes an order's lines one after the other; an order that
                    # comes back later would replace the part already saved.
                    self._refuse(
                        row.line,
                        Reason(
                            gettext_noop(
                                "The lines of order %(order)s do not follow each other: "
                                "this one comes after other orders."
                            ),
                            order=name[:100],
                        ),
                    )
                    current, group = None, []
                    continue
                seen.add(name)
            self._finish(group)
            self._send()
        if self.orders == 0 and self.counts["errors_total"] == 0:
            raise reading.FileError(gettext_noop("The file has a header but no rows under it."))
        self.progress(
            job,
            total=self.orders,
            processed=self.orders,
            bytes_read=job.size,
            phase=ImportJob.Phase.MERGING,
            **self.counts,
        )

    def _refuse(self, line: int, reason: Reason, email: str = "") -> None:
        self.counts["errors_total"] += 1
        self.errors.append(
            ImportRowError(job=self.job, line=line, email=email[:254], message=reason.stored(500))
        )
        if len(self.errors) >= 1000:
            ImportRowError.objects.bulk_create(self.errors)
            self.errors.clear()

    def _finish(self, group: list) -> None:
        if not group:
            return
        self.orders += 1
        try:
            order = self.format.build(group)
        except OrderRowError as error:
            self._refuse(error.line, error.reason, email=self.format.email_of(group))
            return
        if order is None:
            self.counts["skipped"] += 1  # a refund, or a sale to nobody in particular
            return
        self.chunk.append(order)
        if len(self.chunk) >= CHUNK_ORDERS:
            self._send()

    def _send(self) -> None:
        """The chunk through the backfill, its outcomes counted, its refusals reported."""
        job = self.job
        self.still_wanted(job)
        chunk, self.chunk = self.chunk, []
        chunk = self._with_addresses(chunk)
        if chunk:
            batch = [(order.external_id, order.data) for order in chunk]
            source = SOURCES.get(job.preset, Source.API)
            with transaction.atomic():
                outcomes = orders_batch_upsert(workspace=job.workspace, orders=batch, source=source)
                if job.dry_run:
                    transaction.set_rollback(True)
            for order, outcome in zip(chunk, outcomes, strict=True):
                if outcome.status == "error":
                    self._refuse(
                        order.line,
                        Reason(
                            gettext_noop("Order %(order)s: %(detail)s"),
                            order=order.number[:100],
                            detail=outcome.detail,
                        ),
                        email=order.data.get("email", ""),
                    )
                elif outcome.status == "unchanged":
                    self.counts["skipped"] += 1
                else:
                    self.counts[outcome.status] += 1
        ImportRowError.objects.bulk_create(self.errors)
        self.errors.clear()
        self.progress(job, processed=self.orders, bytes_read=self.rows.position, **self.counts)

    def _with_addresses(self, chunk: list[FileOrder]) -> list[FileOrder]:
        """Square's sales name the customer by id: the address is the contact's that a
        customer import tied to the id. Orders of an unknown id are refused."""
        wanted = {order.customer_id for order in chunk if not order.data.get("email")}
        if not wanted:
            return chunk
        refs = (
            scoped(StoreCustomerRef, self.job.workspace)
            .filter(platform=SQUARE, customer_id__in=wanted)
            .values_list("customer_id", "contact__email")
        )
        emails = {customer_id: email for customer_id, email in refs if email}
        kept = []
        for order in chunk:
            if not order.data.get("email"):
                email = emails.get(order.customer_id)
                if not email:
                    self._refuse(
                        order.line,
                        Reason(
                            gettext_noop(
                                "Sale %(order)s: the Square customer %(customer)s is not in "
                                "the directory. Import Square’s customer export first: it "
                                "gives each customer’s e-mail address."
                            ),
                            order=order.number[:100],
                            customer=order.customer_id[:100],
                        ),
                    )
                    continue
                order.data["email"] = email
            kept.append(order)
        return kept
