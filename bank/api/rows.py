"""One-statement inserts of rows whose unique key may already be taken."""

from __future__ import annotations

from typing import Any

from django.db import connection, models


def insert_unless_taken(model: type[models.Model], **values: Any) -> int | None:
    """INSERT the row, or nothing if it clashes with a unique key; its id, or None.

    One statement (``ON CONFLICT DO NOTHING``): no savepoint, and a clash neither raises
    nor breaks the surrounding transaction. While another transaction holds an uncommitted
    row with the key, the insert waits for it, then inserts if that one rolled back.
    """
    meta = model._meta
    fields = [meta.get_field(name) for name in values]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(field.column)) for field in fields)  # type: ignore[union-attr]
    row = model(**values)  # the field's own conversion: a related object becomes its key
    params = [
        field.get_db_prep_save(getattr(row, field.attname), connection)  # type: ignore[union-attr]
        for field in fields
    ]
    placeholders = ", ".join(["%s"] * len(params))
    # Names from the model's own metadata, quoted; every value is a parameter.
    table, pk = quote(meta.db_table), quote(str(meta.pk.column))
    insert = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
    sql = f"{insert} ON CONFLICT DO NOTHING RETURNING {pk}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        inserted = cursor.fetchone()
    return None if inserted is None else int(inserted[0])
