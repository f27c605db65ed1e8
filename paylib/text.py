"""Text that both services accept the same way: one line, printable, as a statement shows it
(and, for messages people write to each other, the same rules with line breaks allowed).

The marketplace sends an offer's title to the bank inside a payment's description; the bank
prints descriptions on statements and in emails. A title the marketplace accepted but the
bank refused could never be paid, so both sides call the one validator here.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

#: Unicode categories that break a line or are not text: controls (C0, DEL, C1; so tabs and
#: line feeds too), surrogates, and the line and paragraph separators.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})
#: Bidirectional embeddings, overrides and isolates: they make a line read differently from
#: what it holds ("Trojan Source"), which has no place in a payment's description.
_BIDI_CONTROLS = frozenset(
    chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)
)

ONE_LINE_CODE = "not_one_line"
ONE_LINE_MESSAGE = _("Use one line of plain text: no line breaks, tabs or control characters.")


def first_refused_character(text: str) -> str | None:
    """The first character of ``text`` that a one-line text may not hold, or None."""
    for character in text:
        if character in _BIDI_CONTROLS or unicodedata.category(character) in _REFUSED_CATEGORIES:
            return character
    return None


def is_one_line(text: str) -> bool:
    return first_refused_character(text) is None


def validate_one_line(value: str) -> None:
    """Django/DRF validator: refuse line breaks, tabs, control and bidi control characters."""
    if not isinstance(value, str) or not is_one_line(value):
        raise ValidationError(ONE_LINE_MESSAGE, code=ONE_LINE_CODE)


MULTILINE_CODE = "control_character"
MULTILINE_MESSAGE = _(
    "Use plain text: line breaks are fine, but no tabs or other control characters."
)


def normalize_newlines(text: str) -> str:
    """A browser's CRLF and a lone CR as the one line break that text may hold."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def first_refused_in_text(text: str) -> str | None:
    """Like :func:`first_refused_character` for a text of several lines: a line feed is
    allowed (normalise CRLF first), every other refused character is not."""
    return first_refused_character(text.replace("\n", ""))


def validate_multiline(value: str) -> None:
    """Django/DRF validator of a message: one line's rules, but line feeds are allowed."""
    if not isinstance(value, str) or first_refused_in_text(value) is not None:
        raise ValidationError(MULTILINE_MESSAGE, code=MULTILINE_CODE)


def to_one_line(text: str) -> str:
    """``text`` with every refused character turned into a space and spaces collapsed: for
    data stored before the rule (a data migration), never for what a person types now."""
    kept = "".join(" " if first_refused_character(c) else c for c in text)
    return " ".join(kept.split())
