from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation
from django.utils.module_loading import autodiscover_modules

from paylib.lifecycle import embed_all, registry


class Command(BaseCommand):
    help = (
        "Print the bank's state diagrams (Mermaid), drawn from each app's transition table "
        "(its state.py), or redraw them between their markers in a Markdown file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--write", type=Path, help="A Markdown file with the markers.")

    def handle(self, *args: Any, **options: Any) -> None:
        autodiscover_modules("state")
        with translation.override("en"):
            path: Path | None = options["write"]
            if path is not None:
                path.write_text(embed_all(path.read_text()))
                self.stdout.write(f"Updated {path}.")
                return
            for lifecycle in registry.values():
                self.stdout.write(f"{lifecycle.name}:\n{lifecycle.mermaid()}\n")
