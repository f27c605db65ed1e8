"""One-line text: what a payment's description and an offer's title may hold."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from paylib.text import (
    first_refused_character,
    first_refused_in_text,
    is_one_line,
    normalize_newlines,
    to_one_line,
    validate_multiline,
    validate_one_line,
)


@pytest.mark.parametrize(
    "text",
    [
        "Road bike",
        "Мастер и Маргарита, подарочное издание",
        "Фотоаппарат «Зенит» — 35 мм",
        "Family 👨‍👩‍👧 photo",  # joined by zero-width joiners, which are format characters
        "soft\u00adhyphen",
        "Arabic كتاب and Hebrew ספר",
    ],
)
def test_ordinary_text_in_any_script_is_one_line(text: str) -> None:
    validate_one_line(text)
    assert is_one_line(text)


@pytest.mark.parametrize(
    "character",
    ["\n", "\r", "\t", "\x00", "\x1b", "\x7f", "\x85", "\u2028", "\u2029", "\u202e", "\u2066"],
)
def test_line_breaks_controls_and_bidi_overrides_are_refused(character: str) -> None:
    text = f"Deal #1: two{character}parts"
    assert first_refused_character(text) == character
    with pytest.raises(ValidationError) as caught:
        validate_one_line(text)
    assert caught.value.code == "not_one_line"


def test_to_one_line_makes_stored_text_valid() -> None:
    assert to_one_line("Two\nlines\r\n  and\ta tab\u2028") == "Two lines and a tab"


@given(st.text())
def test_to_one_line_always_gives_one_line(text: str) -> None:
    assert is_one_line(to_one_line(text))


def test_a_message_may_hold_line_breaks() -> None:
    text = normalize_newlines("Hello,\r\nis it still for sale?\rThanks")
    assert text == "Hello,\nis it still for sale?\nThanks"
    validate_multiline(text)


@pytest.mark.parametrize(
    "character", ["\r", "\t", "\x00", "\x1b", "\x7f", "\x85", "\u2028", "\u202e", "\u2066"]
)
def test_a_message_refuses_every_other_control(character: str) -> None:
    text = f"two\nlines{character}"
    assert first_refused_in_text(text) == character
    with pytest.raises(ValidationError) as caught:
        validate_multiline(text)
    assert caught.value.code == "control_character"
