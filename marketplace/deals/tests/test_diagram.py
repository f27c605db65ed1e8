"""The architecture document shows the deal states exactly as the transition table has them."""

from pathlib import Path

from django.utils import translation

from deals.diagram import embed
from deals.state import TRANSITIONS

DOC = Path(__file__).resolve().parents[3] / "docs" / "architecture.md"


def test_the_documented_diagram_is_the_table() -> None:
    document = DOC.read_text()
    with translation.override("en"):
        assert embed(document) == document, (
            "docs/architecture.md is stale: run "
            "`cd marketplace && ../.venv/bin/python manage.py deal_state_diagram "
            "--write ../docs/architecture.md`"
        )


def test_every_transition_is_drawn() -> None:
    document = DOC.read_text()
    for source, target in TRANSITIONS:
        assert f"    {source.value} --> {target.value}: " in document
