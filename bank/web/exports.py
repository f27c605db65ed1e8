"""A statement as a file: CSV (``paylib.csvfile``'s format) and PDF, in the reader's language.

The PDF is drawn by ReportLab in DejaVu Sans (``settings.STATEMENT_PDF_FONT``, Debian's
``fonts-dejavu-core``), a font with Cyrillic letters; it lists at most
``STATEMENT_PDF_MAX_ROWS`` movements and says so when a filter would give more.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache

from django.conf import settings
from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ledger.models import Account, Entry
from paylib.csvfile import CsvFormat, csv_format
from web import formatting
from web.templatetags.bank import posting_text

STATEMENT_PDF_MAX_ROWS = 5000
_FONT = "StatementSans"


@dataclass(frozen=True)
class Period:
    """The dates a statement covers, as its file name and heading state them."""

    start: date
    end: date

    @classmethod
    def of(cls, account: Account, date_from: date | None, date_to: date | None) -> Period:
        start = date_from or timezone.localtime(account.created_at).date()
        return cls(start=start, end=date_to or timezone.localdate())


def statement_filename(account: Account, period: Period, extension: str) -> str:
    return f"statement-{account.number}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.{extension}"


def statement_rows(entries: QuerySet[Entry], fmt: CsvFormat) -> Iterator[Sequence[object]]:
    yield [_("Date"), _("Description"), _("Kind"), _("Amount, RUB"), _("Balance after, RUB")]
    for entry in entries.iterator(chunk_size=2000):
        posting = entry.posting
        yield [
            posting.created_at,
            posting_text(posting),
            posting.get_kind_display(),
            fmt.money(entry.amount),
            fmt.money(entry.balance_after),
        ]


def statement_csv_format() -> CsvFormat:
    return csv_format(get_language())


@cache
def _font() -> str:
    pdfmetrics.registerFont(TTFont(_FONT, settings.STATEMENT_PDF_FONT))
    return _FONT


def _styles() -> tuple[ParagraphStyle, ParagraphStyle, ParagraphStyle]:
    font = _font()
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=11)
    title = ParagraphStyle("title", parent=body, fontSize=15, leading=19, spaceAfter=4)
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=10)
    return title, body, small


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def statement_pdf(
    account: Account, entries: QuerySet[Entry], *, period: Period, search: str
) -> bytes:
    """The statement of ``entries`` (already filtered) as a PDF document."""
    title, body, small = _styles()
    owner = account.customer.full_name if account.customer else ""
    lines = [
        _("Account %(number)s") % {"number": formatting.account_number(account.number)},
        _("Owner: %(name)s") % {"name": owner},
        _("%(bank)s, BIK %(bik)s") % {"bank": _(settings.BANK_NAME), "bik": settings.BANK_BIK},
        _("From %(start)s to %(end)s")
        % {
            "start": formats.date_format(period.start, "SHORT_DATE_FORMAT"),
            "end": formats.date_format(period.end, "SHORT_DATE_FORMAT"),
        },
    ]
    if search:
        lines.append(_("Description contains: %(text)s") % {"text": search})
    lines.append(_("Balance now: %(balance)s") % {"balance": formatting.rub(account.balance)})
    story: list[object] = [Paragraph(_escape(_("Statement")), title)]
    story += [Paragraph(_escape(line), body) for line in lines]
    story.append(Spacer(1, 4 * mm))

    rows = list(entries[: STATEMENT_PDF_MAX_ROWS + 1])
    header = [_("Date"), _("Description"), _("Amount"), _("Balance after")]
    data: list[list[object]] = [[Paragraph(_escape(text), small) for text in header]]
    for entry in rows[:STATEMENT_PDF_MAX_ROWS]:
        posting = entry.posting
        data.append(
            [
                Paragraph(
                    formats.date_format(
                        timezone.localtime(posting.created_at), "SHORT_DATETIME_FORMAT"
                    ),
                    small,
                ),
                Paragraph(_escape(posting_text(posting)), small),
                formatting.rub_signed(entry.amount),
                formatting.rub(entry.balance_after),
            ]
        )
    if len(data) == 1:
        story.append(Paragraph(_escape(_("No movements in this period.")), body))
    else:
        table = Table(data, colWidths=[32 * mm, 78 * mm, 32 * mm, 32 * mm], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), _font(), 8),
                    ("ALIGN", (2, 0), (-1, -1), "RIGHT"),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
                    ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.whitesmoke]),
                ]
            )
        )
        story.append(table)
    if len(rows) > STATEMENT_PDF_MAX_ROWS:
        note = _(
            "Only the newest %(count)d movements are listed: choose a shorter period for the rest."
        ) % {"count": STATEMENT_PDF_MAX_ROWS}
        story += [Spacer(1, 3 * mm), Paragraph(_escape(note), body)]

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=_("Statement of %(number)s") % {"number": account.number},
        author=str(_(settings.BANK_NAME)),
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
    )
    document.build(story)
    return buffer.getvalue()
