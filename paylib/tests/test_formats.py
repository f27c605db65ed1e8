"""One date and time format per language, on a 24-hour clock, and none that ends a sentence
by itself: "until 2 December 2026, 14:05." has one full stop, not two after "p.m."."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import formats, translation

from paylib.formats.en import formats as english
from paylib.formats.ru import formats as russian

MOMENT = datetime(2026, 12, 2, 9, 5, tzinfo=ZoneInfo("Europe/Moscow"))
NAMES = [
    "DATE_FORMAT",
    "TIME_FORMAT",
    "DATETIME_FORMAT",
    "YEAR_MONTH_FORMAT",
    "MONTH_DAY_FORMAT",
    "SHORT_DATE_FORMAT",
    "SHORT_DATETIME_FORMAT",
]


@pytest.mark.parametrize("module", [english, russian], ids=["en", "ru"])
def test_every_shown_format_is_the_projects_own(module: object) -> None:
    assert all(hasattr(module, name) for name in NAMES)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            {
                "DATE_FORMAT": "2 December 2026",
                "TIME_FORMAT": "09:05",
                "DATETIME_FORMAT": "2 December 2026, 09:05",
                "SHORT_DATETIME_FORMAT": "2026-12-02 09:05",
            },
        ),
        (
            "ru",
            {
                "DATE_FORMAT": "2 декабря 2026",
                "TIME_FORMAT": "09:05",
                "DATETIME_FORMAT": "2 декабря 2026, 09:05",
                "SHORT_DATETIME_FORMAT": "02.12.2026 09:05",
            },
        ),
    ],
)
def test_templates_show_times_in_the_languages_one_format(
    settings: object, language: str, expected: dict[str, str]
) -> None:
    template = Template("{{ when|date:name }}")
    with translation.override(language):
        for name, shown in expected.items():
            assert template.render(Context({"when": MOMENT, "name": name})) == shown
            assert formats.date_format(MOMENT, name) == shown


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("name", NAMES)
def test_no_format_ends_with_a_full_stop(language: str, name: str) -> None:
    with translation.override(language):
        shown = formats.date_format(MOMENT, name)
    assert not shown.endswith("."), shown
    assert "a.m" not in shown
    assert "p.m" not in shown
