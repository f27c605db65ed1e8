"""A lifecycle table: the moves it allows, the error it raises, the diagram it draws."""

import pytest
from django.db import models

from paylib.lifecycle import IllegalMove, Lifecycle, embed_all


class Light(models.TextChoices):
    RED = "red", "Red"
    GREEN = "green", "Green"
    OFF = "off", "Off"


LIGHT = Lifecycle(
    name="test-light",
    statuses=Light,
    initial=Light.RED,
    moves={
        (Light.RED, Light.GREEN): frozenset({"driver"}),
        (Light.GREEN, Light.RED): frozenset(),
        (Light.RED, Light.OFF): frozenset({"staff"}),
    },
    final=frozenset({Light.OFF}),
)


def test_only_the_tables_moves_are_allowed_and_only_for_their_roles() -> None:
    assert LIGHT.is_allowed("red", "green")
    assert LIGHT.is_allowed("red", "green", "driver")
    assert not LIGHT.is_allowed("red", "green", "staff")
    assert not LIGHT.is_allowed("off", "red")
    assert not LIGHT.is_allowed("red", "blue")
    with pytest.raises(IllegalMove) as refused:
        LIGHT.check("green", "off")
    assert refused.value.extra == {"from": "green", "to": "off"}
    assert LIGHT.targets("red") == [Light.GREEN, Light.OFF]
    assert LIGHT.targets("red", "staff") == [Light.OFF]


def test_a_table_naming_an_unknown_status_or_leaving_a_final_one_is_refused() -> None:
    with pytest.raises(ValueError, match="final"):
        Lifecycle(
            name="test-bad",
            statuses=Light,
            initial=Light.RED,
            moves={(Light.OFF, Light.RED): frozenset()},
            final=frozenset({Light.OFF}),
        )


def test_the_diagram_is_drawn_between_its_markers_and_nowhere_else() -> None:
    begin, end = LIGHT.markers
    document = f"# Doc\n{begin}\nstale\n{end}\ntail\n"
    drawn = embed_all(document, [LIGHT])
    assert "stale" not in drawn
    assert "    red --> green: driver\n" in drawn
    assert "    green --> red\n" in drawn
    assert "    off --> [*]\n" in drawn
    assert drawn.endswith(f"{end}\ntail\n")
    assert embed_all("no markers here", [LIGHT]) == "no markers here"
