from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation

from payments.diagram import embed, mermaid_state_diagram


class Command(BaseCommand):
    help = "Print the payment state diagram (Mermaid), or write it into a document's markers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--write", type=Path, help="A Markdown file with the markers.")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override("en"):
            if options["write"]:
                path: Path = options["write"]
                path.write_text(embed(path.read_text()))
                self.stdout.write(f"Updated {path}.")
            else:
                self.stdout.write(mermaid_state_diagram())
