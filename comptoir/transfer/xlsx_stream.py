"""A one-sheet XLSX workbook written as a stream: each batch of rows leaves as ZIP bytes
before the next one is read.

Why not openpyxl (ARCHITECTURE.md names it for XLSX): its write-only mode keeps one row in
memory, but it only saves a finished workbook, so the whole sheet was built in a temporary
file before the first byte left. Measured through `comptoir serve`
(bench/results/contacts_export-2026-11-23.md, contacts_export-xlsx-before-2026-11-23.md,
contacts_export-xlsx-2026-11-23.md):

- 1,000,000 contacts with openpyxl: first byte after 1,778 s (a loaded machine), a ~1.1 GB
  temporary sheet on disk; any reverse proxy cuts such a request.
- 100,000 contacts, load average about 1.5–2: openpyxl 47.3 s, first byte after 47.2 s;
  this writer 10.4 s (median of 3), first byte after 0.03 s, worker memory flat (92 MB),
  no disk. About 100 s for a million, sent as it is written.

An XLSX file is a ZIP archive of a few XML parts. zipfile writes it to a sink that cannot
seek, so every part carries its sizes and checksum in a data descriptor after its data, and
the sink is drained after each batch. Cells are inline strings (no shared-strings table to
hold in memory until the end), numbers, and date serials with a date style.

Text cells are made storable, not rejected: characters XML 1.0 cannot carry are dropped,
and text longer than a cell holds is cut to its first 32,767 characters (Excel's limit,
counted in UTF-16 units as Excel counts them).
"""

import datetime
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from xml.sax.saxutils import quoteattr

# Deflate level 1: the sheet's markup repeats so much that the fastest level already
# shrinks it sixfold. On the bench's 100,000 contacts (98 MB of sheet) level 1 took 0.65 s
# of CPU for 16.0 MB, zlib's default level 6 took 1.97 s for 12.5 MB.
COMPRESS_LEVEL = 1
CELL_MAX_UTF16 = 32_767
MAX_ROWS = 1_048_576  # a sheet's rows, header included

# Control characters other than TAB, LF and CR, lone surrogates and the two non-characters
# are not XML 1.0 characters: no sheet can hold them.
UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# What a cell's text may hold that needs more than copying: the above, CR, & < >.
NEEDS_CARE = re.compile("[\x00-\x08\x0b-\x1f&<>\ud800-\udfff\ufffe\uffff]")
# A spreadsheet's day 0 is 1899-12-30 (Excel counts 1900 as a leap year, a Lotus legacy,
# so serials from 1900-03-01 on come out right counting from there).
EPOCH = datetime.datetime(1899, 12, 30)
LEAP_BUG_END = 61  # serial of 1900-03-01


class Kind(Enum):
    TEXT = "text"
    INTEGER = "integer"
    MONEY = "money"  # a Decimal, shown with two decimals
    DATETIME = "datetime"  # naive, as the business's clock showed it


@dataclass(frozen=True)
class Column:
    title: str
    kind: Kind = Kind.TEXT
    width: int = 14  # in characters, the column's width when the sheet opens


# Cell styles, as indexes into cellXfs of STYLES.
HEADER_STYLE, DATETIME_STYLE, MONEY_STYLE = 1, 2, 3

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
<Default Extension="xml" ContentType="application/xml"/>\
<Override PartName="/xl/workbook.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
<Override PartName="/xl/worksheets/sheet1.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
<Override PartName="/xl/styles.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
<Override PartName="/xl/sharedStrings.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>\
</Types>"""

PACKAGE_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" Target="xl/workbook.xml" Type=\
"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>\
</Relationships>"""

WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
<sheets><sheet name={name} sheetId="1" r:id="rId1"/></sheets></workbook>"""

WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type=\
"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>\
<Relationship Id="rId2" Target="styles.xml" Type=\
"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"/>\
<Relationship Id="rId3" Target="sharedStrings.xml" Type=\
"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>\
</Relationships>"""

# Empty, but some readers (Apple Numbers among them) expect the part.
SHARED_STRINGS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" \
uniqueCount="0"/>"""

# cellXfs: 0 plain, 1 bold (the header), 2 date and time, 3 two decimals (built-in format 2).
STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>\
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>\
<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>\
<fills count="2"><fill><patternFill patternType="none"/></fill>\
<fill><patternFill patternType="gray125"/></fill></fills>\
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
<cellXfs count="4">\
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
</cellXfs>\
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>\
</styleSheet>"""

# The header row stays in view while the sheet scrolls.
SHEET_START = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
<sheetViews><sheetView workbookViewId="0">\
<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>\
</sheetView></sheetViews>"""
SHEET_END = "</sheetData></worksheet>"


def column_letter(index: int) -> str:
    """A, B, …, Z, AA, … for the 0-based column `index`."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def storable_text(text: str) -> str:
    """`text` as a cell can hold it: unstorable characters dropped, cut to the cell limit."""
    text = UNSTORABLE.sub("", text)
    if len(text) * 2 > CELL_MAX_UTF16:  # only then can it be over the limit in UTF-16
        units = text.encode("utf-16-le")
        if len(units) > 2 * CELL_MAX_UTF16:
            # "ignore" drops half a surrogate pair left at the cut.
            text = units[: 2 * CELL_MAX_UTF16].decode("utf-16-le", "ignore")
    return text


def _text_element(text: str) -> str:
    """The <t> element of an inline string, "" when nothing storable is left. Most text
    needs no change: one search tells, before any replacement is tried."""
    if NEEDS_CARE.search(text) or len(text) * 2 > CELL_MAX_UTF16:
        text = storable_text(text)
        if not text:
            return ""
        # CR as a reference: an XML parser turns a literal one into LF.
        text = (
            text.replace("&", "&amp;")
            .replace("<", "&lt;")
            .replace(">", "&gt;")
            .replace("\r", "&#13;")
        )
    if text[0].isspace() or text[-1].isspace():
        return f'<t xml:space="preserve">{text}</t>'
    return f"<t>{text}</t>"


def date_serial(value: datetime.datetime) -> str:
    """The spreadsheet serial of a naive date and time: days since EPOCH, time as a
    fraction of a day."""
    delta = value - EPOCH
    days = delta.days
    if 0 < days < LEAP_BUG_END:  # before the phantom 1900-02-29
        days -= 1
    seconds = delta.seconds + delta.microseconds / 1_000_000
    return repr(days + seconds / 86_400) if seconds else str(days)


class _Chunks:
    """The archive's file: keeps what zipfile writes until the stream hands it on. It has
    no seek or tell, so zipfile writes data descriptors instead of going back."""

    def __init__(self):
        self.parts: list[bytes] = []

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def _row_writer(columns: Sequence[Column]):
    """A function that writes one row (number, values) as the sheet's XML."""
    # Per column: the cell's opening "<c r="B" (the row number follows) and its kind.
    plan = [(f'<c r="{column_letter(i)}', column.kind) for i, column in enumerate(columns)]
    text, integer, money = Kind.TEXT, Kind.INTEGER, Kind.MONEY

    def row(number: int, values: Sequence) -> str:
        n = str(number)
        cells = [f'<row r="{n}">']
        for (start, kind), value in zip(plan, values, strict=True):
            if value is None or value == "":
                continue
            if kind is text:
                if element := _text_element(value):
                    cells.append(f'{start}{n}" t="inlineStr"><is>{element}</is></c>')
            elif kind is integer:
                cells.append(f'{start}{n}"><v>{value:d}</v></c>')
            elif kind is money:
                cells.append(f'{start}{n}" s="{MONEY_STYLE}"><v>{value:f}</v></c>')
            else:
                cells.append(f'{start}{n}" s="{DATETIME_STYLE}"><v>{date_serial(value)}</v></c>')
        cells.append("</row>")
        return "".join(cells)

    return row


def _header(columns: Sequence[Column]) -> str:
    widths = "".join(
        f'<col min="{i}" max="{i}" width="{column.width}" customWidth="1"/>'
        for i, column in enumerate(columns, start=1)
    )
    cells = "".join(
        f'<c r="{column_letter(i)}1" t="inlineStr" s="{HEADER_STYLE}">'
        f"<is>{_text_element(column.title)}</is></c>"
        for i, column in enumerate(columns)
    )
    return f'<cols>{widths}</cols><sheetData><row r="1">{cells}</row>'


def workbook(
    *,
    sheet_name: str,
    columns: Sequence[Column],
    batches: Iterable[Iterable[Sequence]],
    zip64: bool = False,
) -> Iterator[bytes]:
    """The workbook's bytes: the parts and the header row first, before `batches` is
    touched, then what each batch of rows (values in the order of `columns`; None or ""
    for an empty cell) adds to the archive. `zip64` when the sheet may pass 2 GiB."""
    sink = _Chunks()
    write_row = _row_writer(columns)
    number = 1  # the header's
    with zipfile.ZipFile(
        sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL
    ) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", PACKAGE_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK.format(name=quoteattr(sheet_name)))
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/styles.xml", STYLES)
        archive.writestr("xl/sharedStrings.xml", SHARED_STRINGS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=zip64) as sheet:
            sheet.write((SHEET_START + _header(columns)).encode())
            yield sink.take()
            for rows in batches:
                xml = []
                for values in rows:
                    number += 1
                    if number > MAX_ROWS:
                        raise ValueError(f"a sheet holds at most {MAX_ROWS:,} rows")
                    xml.append(write_row(number, values))
                sheet.write("".join(xml).encode())
                if chunk := sink.take():
                    yield chunk
            sheet.write(SHEET_END.encode())
    yield sink.take()
