"""Messages' photos are kept in the private storage. The files already stored in the
public one are moved by ``manage.py move_photos_private`` (idempotent, in batches, outside
any transaction), run once the processes of the previous release are gone; until then the
photo view also looks in the public storage."""

from django.db import migrations, models

import core.storage


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
    ]
