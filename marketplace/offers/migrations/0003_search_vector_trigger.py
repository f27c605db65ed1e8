"""Keep Offer.search_vector current in the database, whoever writes the row (admin too)."""

from django.db import migrations

from core.migration_ops import PostgresOnlySQL

FUNCTION = """
CREATE OR REPLACE FUNCTION offers_offer_search_vector_update() RETURNS trigger AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A') ||
        setweight(to_tsvector('russian', coalesce(NEW.title, '')), 'A') ||
        setweight(to_tsvector('english', coalesce(NEW.description, '')), 'B') ||
        setweight(to_tsvector('russian', coalesce(NEW.description, '')), 'B');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
"""

TRIGGER = """
CREATE TRIGGER offers_offer_search_vector
BEFORE INSERT OR UPDATE OF title, description, search_vector ON offers_offer
FOR EACH ROW EXECUTE FUNCTION offers_offer_search_vector_update();
"""


class Migration(migrations.Migration):
    dependencies = [("offers", "0002_initial")]

    operations = [
        PostgresOnlySQL(
            FUNCTION + TRIGGER,
            "DROP TRIGGER IF EXISTS offers_offer_search_vector ON offers_offer;"
            "DROP FUNCTION IF EXISTS offers_offer_search_vector_update();",
        ),
        PostgresOnlySQL(
            "UPDATE offers_offer SET title = title;",
            migrations.RunSQL.noop,
        ),
        PostgresOnlySQL(
            "CREATE INDEX offer_search_vector_gin ON offers_offer USING gin (search_vector);",
            "DROP INDEX IF EXISTS offer_search_vector_gin;",
        ),
    ]
