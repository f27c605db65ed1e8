"""The one CSV format of both services: BOM, the reader's delimiter and decimal mark,
amounts in roubles, formulas defused but not negative amounts."""

from __future__ import annotations

from datetime import UTC, date, datetime

from paylib.csvfile import BOM, csv_format, csv_lines


def text(rows: list[list[object]], language: str) -> str:
    return "".join(csv_lines(rows, csv_format(language)))


def test_english_is_comma_separated_with_a_decimal_point() -> None:
    fmt = csv_format("en")
    out = text([["amount", "note"], [fmt.money(-123_450), "a, b"]], "en")
    assert out == BOM + 'amount,note\r\n-1234.50,"a, b"\r\n'


def test_russian_is_semicolon_separated_with_a_decimal_comma() -> None:
    fmt = csv_format("ru")
    out = text([["сумма", "назначение"], [fmt.money(7_05), "Самовар; «Тула»"]], "ru")
    assert out == BOM + 'сумма;назначение\r\n7,05;"Самовар; «Тула»"\r\n'


def test_text_that_a_spreadsheet_would_run_is_defused_but_amounts_are_not() -> None:
    fmt = csv_format("en")
    out = text([["=HYPERLINK(1)", "-2", "@x", fmt.money(-1)]], "en")
    assert out == BOM + "'=HYPERLINK(1),'-2,'@x,-0.01\r\n"


def test_dates_in_the_services_time_zone_and_empty_cells(settings: object) -> None:
    moment = datetime(2026, 4, 2, 20, 30, tzinfo=UTC)  # 23:30 in Moscow
    out = text([[moment, date(2026, 1, 31), None, csv_format("en").money(None)]], "en")
    assert out == BOM + "2026-04-02 23:30,2026-01-31,,\r\n"
