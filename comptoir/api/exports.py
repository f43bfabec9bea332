"""Exports (X3, X4): the contact file as CSV or XLSX, and the suppression list as CSV.

Both contact routes take the list's query (`GET /contacts`), so a file holds exactly the
contacts a list request with the same parameters returns, plus `ids` to keep only some.
"""

from ninja import Field, Query, Router, Schema

from comptoir.api.auth import require
from comptoir.contacts.selectors import ContactFilter
from comptoir.core.roles import Action
from comptoir.transfer.downloads import (
    CONTENT_TYPES,
    Delimiter,
    contact_export_response,
    suppression_export_response,
)
from comptoir.transfer.export_selectors import ContactSelection

contacts = Router(tags=["export"])
suppressions = Router(tags=["export"])

MAX_IDS = 10_000


class SelectionQuery(Schema):
    ids: list[int] = Field(
        default_factory=list,
        max_length=MAX_IDS,
        description="Repeatable: only these contacts (among those the filters match).",
    )


class DelimiterQuery(Schema):
    delimiter: Delimiter = Field(
        "comma", description="`semicolon` for spreadsheets set up for French (Excel)."
    )


def _file(content_type: str, description: str) -> dict:
    return {
        "responses": {
            200: {
                "description": description,
                "content": {content_type: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    }


def _selection(filters: ContactFilter, selection: SelectionQuery) -> ContactSelection:
    return ContactSelection(filter=filters, ids=tuple(selection.ids) or None)


# Declared before the contacts router in app.py: "/contacts/{contact_id}" would take
# "export.csv" for an id.
@contacts.get(
    "/export.csv",
    openapi_extra=_file(CONTENT_TYPES["csv"], "The contact file, UTF-8 with a BOM."),
)
def contacts_export_csv(
    request,
    filters: Query[ContactFilter],
    selection: Query[SelectionQuery],
    options: Query[DelimiterQuery],
):
    """The contacts as CSV, streamed: one row per contact by increasing id (`sort` is
    ignored). Columns: Email, First name, Last name, Phone, Company, Language, Type, Email
    subscription status (`subscribed`, `unsubscribed`, `not subscribed`), Tags, Has
    account, Total orders, Total spent, Average order value, Last order date, Customer
    since, Created at, then the last shipping and billing name, address lines, city,
    postal code, region, country and phone. Dates are ISO 8601 in the workspace's time
    zone. Notes are never exported. A cell that a spreadsheet would run as a formula
    (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) starts with `'`."""
    workspace = require(request, Action.EXPORT)
    return contact_export_response(
        workspace=workspace,
        selection=_selection(filters, selection),
        file_format="csv",
        delimiter=options.delimiter,
    )


@contacts.get(
    "/export.xlsx",
    openapi_extra=_file(CONTENT_TYPES["xlsx"], "The contact file as a workbook."),
)
def contacts_export_xlsx(request, filters: Query[ContactFilter], selection: Query[SelectionQuery]):
    """The same contacts and columns as `export.csv`, as an Excel workbook: figures are
    numbers and dates are date cells (in the workspace's time zone). 422 `too_many_rows`
    beyond the 1,048,575 contacts a sheet holds."""
    workspace = require(request, Action.EXPORT)
    return contact_export_response(
        workspace=workspace, selection=_selection(filters, selection), file_format="xlsx"
    )


@suppressions.get(
    "/export.csv",
    openapi_extra=_file(CONTENT_TYPES["csv"], "The suppression file, UTF-8 with a BOM."),
)
def suppressions_export_csv(request, options: Query[DelimiterQuery]):
    """Every address no marketing may reach, for another tool's unsubscribe or
    suppression import (Mailchimp reads `Email Address`): columns Email Address, Reason
    (`unsubscribed`, `bounce`, `complaint`, `manual`) and Date. Erased people are not in
    it: only a hash of their address is kept."""
    workspace = require(request, Action.EXPORT)
    return suppression_export_response(workspace=workspace, delimiter=options.delimiter)
