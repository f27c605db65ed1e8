"""docs/architecture.md draws the bank's lifecycles exactly as their tables have them."""

from pathlib import Path

from django.utils import translation
from django.utils.module_loading import autodiscover_modules

from paylib.lifecycle import embed_all, registry

DOC = Path(__file__).resolve().parents[3] / "docs" / "architecture.md"


def test_every_lifecycle_of_the_bank_is_drawn_as_its_table_says() -> None:
    autodiscover_modules("state")
    document = DOC.read_text()
    for name in ("hold", "operation-payment", "operation-link"):
        begin, _end = registry[name].markers
        assert begin in document, f"docs/architecture.md has no diagram of the {name} states"
    with translation.override("en"):
        assert embed_all(document) == document, (
            "docs/architecture.md is stale: run `cd bank && ../.venv/bin/python manage.py "
            "state_diagrams --write ../docs/architecture.md`"
        )
