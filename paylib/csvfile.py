"""CSV files for people and spreadsheets, the same in both services.

One stated format, following the reader's language:

* English: comma-separated, amounts in roubles with a decimal point (``-1234.50``);
* Russian: semicolon-separated, amounts with a decimal comma (``-1234,50``), as a Russian
  spreadsheet opens a file by double click.

Always UTF-8 with a byte order mark, so that spreadsheets read Cyrillic; no thousands
separators; dates as ``YYYY-MM-DD HH:MM`` in the service's time zone. A text cell that a
spreadsheet would run as a formula gets a leading apostrophe.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.http import StreamingHttpResponse
from django.utils import timezone

from paylib.money import kopecks_to_decimal

BOM = "\ufeff"
# Spreadsheets run cells that start with these as formulas.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class CsvFormat:
    delimiter: str
    decimal: str

    def money(self, kopecks: int | None) -> Money:
        """An amount cell: roubles with this format's decimal mark."""
        if kopecks is None:
            return Money("")
        return Money(str(kopecks_to_decimal(int(kopecks))).replace(".", self.decimal))


class Money(str):
    """A cell that is an amount, written as it is (a minus sign is no formula)."""


def csv_format(language: str | None) -> CsvFormat:
    if (language or "").startswith("ru"):
        return CsvFormat(delimiter=";", decimal=",")
    return CsvFormat(delimiter=",", decimal=".")


def cell(value: object) -> str:
    """A cell's text: dates in local time, formulas defused."""
    if value is None:
        return ""
    if isinstance(value, Money):
        return str(value)
    if isinstance(value, datetime):
        local = timezone.localtime(value) if value.tzinfo else value
        return local.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_PREFIXES) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Sequence[object]], fmt: CsvFormat) -> Iterator[str]:
    """The file's text, line by line, the byte order mark first."""
    writer = csv.writer(_Echo(), delimiter=fmt.delimiter)
    yield BOM
    for row in rows:
        yield writer.writerow([cell(value) for value in row])


def csv_response(
    rows: Iterable[Sequence[object]], *, fmt: CsvFormat, filename: str
) -> StreamingHttpResponse:
    """A download of ``rows`` (the header row first) named ``filename``."""
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in csv_lines(rows, fmt)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
