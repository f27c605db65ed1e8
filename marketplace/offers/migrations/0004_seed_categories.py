from django.db import migrations

CATEGORIES = [
    ("electronics", "Electronics", "Электроника"),
    ("home-garden", "Home and garden", "Дом и сад"),
    ("clothing", "Clothing and shoes", "Одежда и обувь"),
    ("books", "Books", "Книги"),
    ("sports", "Sports and leisure", "Спорт и отдых"),
    ("services", "Services", "Услуги"),
    ("other", "Other", "Другое"),
]


def seed(apps, schema_editor):
    Category = apps.get_model("offers", "Category")
    for position, (slug, name_en, name_ru) in enumerate(CATEGORIES):
        Category.objects.update_or_create(
            slug=slug, defaults={"name_en": name_en, "name_ru": name_ru, "position": position}
        )


def unseed(apps, schema_editor):
    Category = apps.get_model("offers", "Category")
    Category.objects.filter(slug__in=[slug for slug, _, _ in CATEGORIES], offers=None).delete()


class Migration(migrations.Migration):
    dependencies = [("offers", "0003_search_vector_trigger")]

    operations = [migrations.RunPython(seed, unseed)]
