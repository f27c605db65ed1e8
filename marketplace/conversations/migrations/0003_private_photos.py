"""Messages' photos move from the public media storage to the private one."""

from typing import Any

from django.core.files.storage import Storage, storages
from django.db import migrations, models

import core.storage


def _move(source: Storage, target: Storage, apps: Any) -> None:
    photo_model = apps.get_model("conversations", "DealMessagePhoto")
    for name in photo_model.objects.values_list("image", flat=True).iterator():
        if not name or target.exists(name) or not source.exists(name):
            continue
        with source.open(name, "rb") as file:
            saved = target.save(name, file)
        if saved != name:  # a storage that renames would lose the row's file
            raise RuntimeError(f"{name} was stored as {saved}")
        source.delete(name)


def to_private(apps: Any, schema_editor: Any) -> None:
    _move(storages["default"], core.storage.private_storage(), apps)


def to_public(apps: Any, schema_editor: Any) -> None:
    _move(core.storage.private_storage(), storages["default"], apps)


class Migration(migrations.Migration):
    dependencies = [
        ("conversations", "0002_photos"),
    ]

    operations = [
        migrations.AlterField(
            model_name="dealmessagephoto",
            name="image",
            field=models.FileField(
                storage=core.storage.private_storage,
                upload_to="deal-messages/%Y/%m/",
                verbose_name="photo",
            ),
        ),
        migrations.RunPython(to_private, to_public, elidable=False),
    ]
