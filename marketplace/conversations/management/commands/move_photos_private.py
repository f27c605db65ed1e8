"""Move messages' photos stored before they were private out of the public storage.

Safe to run again and to interrupt: each photo is copied to the private storage under its
own name, then its public copy is deleted; a photo found in both (a run stopped between
the two) loses its public copy. Run it after the deploy that made photos private, once no
process of the previous release writes to the public storage.
"""

from __future__ import annotations

from typing import Any

from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError, CommandParser

from conversations.models import DealMessagePhoto
from core.storage import private_storage


class Command(BaseCommand):
    help = "Move messages' photos from the public media storage to the private one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=500, help="photos read at a time")

    def handle(self, *args: Any, batch: int, **options: Any) -> None:
        public, private = storages["default"], private_storage()
        moved = cleaned = 0
        names = DealMessagePhoto.objects.order_by("pk").values_list("image", flat=True)
        for name in names.iterator(chunk_size=batch):
            if not name or not public.exists(name):
                continue
            if not private.exists(name):
                with public.open(name, "rb") as file:
                    saved = private.save(name, file)
                if saved != name:  # the row would point at nothing
                    private.delete(saved)
                    raise CommandError(f"{name} could not keep its name in the private storage")
                moved += 1
            else:
                cleaned += 1
            public.delete(name)
        self.stdout.write(f"{moved} photos moved, {cleaned} public copies of moved ones deleted.")
