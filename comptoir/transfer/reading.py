"""Reading an uploaded contact file as rows of text, whatever wrote it (X1).

Spreadsheets write UTF-8 with or without a byte-order mark, and French Excel writes
Windows-1252 with semicolons; the encoding and the delimiter are found from the start of
the file. The file is never read whole: rows stream from disk, and every limit below is
there because the file comes from outside (a line without end, thousands of columns,
a binary file renamed .csv).
"""

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import charset_normalizer
from django.utils.translation import gettext_noop

from comptoir.transfer.reasons import Reason

SAMPLE_BYTES = 64 * 1024
MAX_LINE_CHARS = 1024 * 1024
MAX_COLUMNS = 300
PREVIEW_ROWS = 5
DELIMITERS = (",", ";", "\t")
# A text file has tabs and line breaks; a few other control characters slip into real
# exports, but more than this share of them means the file is not text.
MAX_CONTROL_SHARE = 0.01


class FileError(ValueError):
    """The file as a whole cannot be imported; `reason` says why, stored untranslated."""

    def __init__(self, msgid: str, **params):
        self.reason = Reason(msgid, **params)
        super().__init__(msgid)

    def __str__(self) -> str:
        return str(self.reason)


@dataclass(frozen=True)
class Row:
    line: int  # where the row starts in the file; the header is line 1
    cells: list[str]


@dataclass
class Inspection:
    encoding: str
    delimiter: str
    header: list[str]
    preview: list[list[str]] = field(default_factory=list)


def detect_encoding(sample: bytes) -> str:
    """The codec of a file starting with `sample`: UTF-8 (BOM or not), UTF-16 with a BOM
    (Excel's "Unicode text"), else Windows-1252 as long as the bytes look like text."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in sample:
        raise FileError(gettext_noop("This is not a text file: it contains NUL bytes."))
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as error:
        # The sample may end in the middle of a character: that is still UTF-8.
        if not (error.reason == "unexpected end of data" and error.start >= len(sample) - 3):
            if charset_normalizer.is_binary(sample):
                raise FileError(gettext_noop("This is not a text file.")) from None
            return "cp1252"
    return "utf-8"


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise FileError(gettext_noop("This is not a text file: it contains NUL bytes."))
    controls = sum(1 for char in text if ord(char) < 32 and char not in "\t\r\n")
    if text and controls / len(text) > MAX_CONTROL_SHARE:
        raise FileError(gettext_noop("This is not a text file."))


def detect_delimiter(header_line: str) -> str:
    """The candidate that splits the header into the most columns (comma on a tie, and for
    a file of one column)."""
    best, best_count = ",", 1
    for delimiter in DELIMITERS:
        count = len(next(csv.reader([header_line], delimiter=delimiter), []))
        if count > best_count:
            best, best_count = delimiter, count
    return best


def _lines(text: io.TextIOBase) -> Iterator[str]:
    """The file's lines, refusing one longer than MAX_LINE_CHARS before it fills memory."""
    number = 0
    while line := text.readline(MAX_LINE_CHARS):
        number += 1
        if len(line) == MAX_LINE_CHARS and not line.endswith(("\n", "\r")):
            raise FileError(
                gettext_noop("Line %(line)d is longer than %(max)d characters."),
                line=number,
                max=MAX_LINE_CHARS,
            )
        yield line


class RowReader:
    """The data rows of an open file, with their line numbers; `position` is how many bytes
    of the file were read so far (for a progress bar)."""

    def __init__(self, raw: io.BufferedIOBase, encoding: str, delimiter: str):
        errors = "replace" if encoding == "cp1252" else "strict"
        self._raw = raw
        self._text = io.TextIOWrapper(raw, encoding=encoding, errors=errors, newline="")
        self._reader = csv.reader(_lines(self._text), delimiter=delimiter)
        self.header = self._header()

    @property
    def position(self) -> int:
        return self._raw.tell()

    def _next(self) -> list[str] | None:
        try:
            return next(self._reader)
        except StopIteration:
            return None
        except csv.Error as error:
            raise FileError(
                gettext_noop("Line %(line)d cannot be read: %(reason)s"),
                line=self._reader.line_num,
                reason=str(error),
            ) from None
        except UnicodeDecodeError:
            raise FileError(
                gettext_noop("Line %(line)d is not valid %(encoding)s text."),
                line=self._reader.line_num + 1,
                encoding=self._text.encoding,
            ) from None

    def _header(self) -> list[str]:
        cells = self._next()
        if cells is None:
            raise FileError(gettext_noop("The file is empty."))
        header = [cell.strip() for cell in cells]
        _check_text("".join(header))
        if len(header) > MAX_COLUMNS:
            raise FileError(
                gettext_noop("The file has %(count)d columns; at most %(max)d are read."),
                count=len(header),
                max=MAX_COLUMNS,
            )
        if not any(header):
            raise FileError(gettext_noop("The first line of the file should name its columns."))
        return header

    def __iter__(self) -> Iterator[Row]:
        while True:
            start = self._reader.line_num + 1
            cells = self._next()
            if cells is None:
                return
            if not any(cell.strip() for cell in cells):
                continue  # a blank line, or a row of empty cells that spreadsheets leave
            for cell in cells:
                if "\x00" in cell:
                    raise FileError(
                        gettext_noop("Line %(line)d contains a NUL byte: this is not a text file."),
                        line=start,
                    )
            yield Row(start, cells[: len(self.header)])


def open_rows(path: Path, encoding: str, delimiter: str) -> tuple[io.BufferedReader, RowReader]:
    """The open file (close it when done) and its rows."""
    raw = open(path, "rb")  # noqa: SIM115 - the caller closes it when it has read the rows
    try:
        return raw, RowReader(raw, encoding, delimiter)
    except BaseException:
        raw.close()
        raise


def inspect(path: Path) -> Inspection:
    """Encoding, delimiter, header and the first rows: enough to map columns and to refuse
    an unusable file before anything is queued."""
    with open(path, "rb") as raw:
        sample = raw.read(SAMPLE_BYTES)
    if not sample.strip():
        raise FileError(gettext_noop("The file is empty."))
    encoding = detect_encoding(sample)
    text = sample.decode(encoding, errors="replace")
    _check_text(text)
    first_line = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    delimiter = detect_delimiter(first_line)
    raw, rows = open_rows(path, encoding, delimiter)
    with raw:
        preview = []
        for row in rows:
            preview.append(row.cells)
            if len(preview) == PREVIEW_ROWS:
                break
    if not preview:
        raise FileError(gettext_noop("The file has a header but no rows under it."))
    return Inspection(encoding=encoding, delimiter=delimiter, header=rows.header, preview=preview)
