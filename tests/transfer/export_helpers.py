"""Contacts with known values for the export tests, and ways to read the files back."""

import csv
import datetime
import io
from decimal import Decimal

from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from comptoir.contacts.models import Contact
from comptoir.contacts.services import note_create
from comptoir.core.models import Workspace
from tests.contacts.helpers import make_contact, set_figures

UTC = datetime.UTC
BOM = b"\xef\xbb\xbf"


def make_zoe(workspace: Workspace) -> Contact:
    """A customer whose every column has a value worth checking by hand (KNOWN_ZOE_ROW)."""
    contact = make_contact(
        workspace,
        "zoe@example.com",
        first_name="Zoé",
        last_name="Martin",
        phone="+33 6 12 34 56 78",
        company='Les "Délices"',
        language="fr",
        has_account=True,
        tags=["vip", "Marché", "alpha"],
        shipping_address={
            "name": "Zoé Martin",
            "line1": "12 rue des Lilas",
            "line2": "Bât. B, 2e étage",
            "city": "Lyon",
            "postal_code": "69003",
            "country": "France",
            "phone": "+33 6 12 34 56 78",
        },
    )
    note_create(contact=contact, author=None, body="Secret: owes us a favour")
    return set_figures(
        contact,
        type=Contact.Type.CUSTOMER,
        consent=Contact.Consent.SUBSCRIBED,
        order_count=3,
        total_spent=Decimal("1234.50"),
        average_order_value=Decimal("411.50"),
        # Paris is UTC+1 in November and UTC+2 in July; microseconds are not exported.
        last_order_at=datetime.datetime(2026, 11, 23, 1, 29, 0, 123456, tzinfo=UTC),
        customer_since=datetime.datetime(2025, 7, 14, 8, 0, tzinfo=UTC),
        created_at=datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
    )


# Checked by hand against EXPORT-COLUMNS.md: the phones are neutralised ("+" starts a
# formula), the company's quotes doubled, tags sorted case-insensitively, money with two
# decimals, dates in Paris time with their offset, the empty billing address as 8 cells.
KNOWN_ZOE_ROW = (
    'zoe@example.com,Zoé,Martin,\'+33612345678,"Les ""Délices""",fr,customer,subscribed,'
    '"alpha, Marché, vip",yes,3,1234.50,411.50,'
    "2026-11-23T02:29:00+01:00,2025-07-14T10:00:00+02:00,2025-01-02T04:04:05+01:00,"
    'Zoé Martin,12 rue des Lilas,"Bât. B, 2e étage",Lyon,69003,,France,\'+33 6 12 34 56 78,'
    ",,,,,,,\r\n"
)

HEADER_LINE = (
    "Email,First name,Last name,Phone,Company,Language,Type,Email subscription status,Tags,"
    "Has account,Total orders,Total spent,Average order value,Last order date,"
    "Customer since,Created at,Shipping name,Shipping address 1,Shipping address 2,"
    "Shipping city,Shipping postal code,Shipping region,Shipping country,Shipping phone,"
    "Billing name,Billing address 1,Billing address 2,Billing city,Billing postal code,"
    "Billing region,Billing country,Billing phone\r\n"
)


def read_csv(data: bytes, delimiter: str = ",") -> list[dict]:
    assert data.startswith(BOM)
    text = data[len(BOM) :].decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))


def emails(data: bytes) -> list[str]:
    return [row["Email"] for row in read_csv(data)]


def read_xlsx(data: bytes) -> list[tuple]:
    """The rows of the first sheet, each as wide as the header (empty cells are None)."""
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    rows = [tuple(row) for row in workbook.active.iter_rows(values_only=True)]
    width = len(rows[0])
    return [row + (None,) * (width - len(row)) for row in rows]


def read_xlsx_calamine(data: bytes) -> list[tuple]:
    """The same rows as a second, independent reader (calamine, in Rust) sees them; it
    gives an empty cell as ""."""
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    return [tuple(row) for row in sheet.to_python()]
