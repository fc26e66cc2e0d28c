"""PostgreSQL: the english text-search vector of search_text stored in a generated column
with a GIN index, instead of an index on the expression. Matching through the expression
index still computed to_tsvector for every matched row, once to check it and again for
each relevance rule in the ordering: 50 ms for a 2,000-match search at 50,000 services.
Django does not know the column (it is read only in fts.PG_MATCHING_ROWS, and PostgreSQL
fills it on every write). SQLite keeps its FTS5 index (fts.py). Changing search_text's
column type later needs this column dropped first."""

from django.db import migrations

OLD_INDEX = "directory_service_search_english"
COLUMN = "search_vector"
INDEX = "directory_service_search_vector"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE directory_service ADD COLUMN IF NOT EXISTS {COLUMN} tsvector "
        "GENERATED ALWAYS AS (to_tsvector('english'::regconfig, "
        "coalesce(search_text, ''))) STORED"
    )
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON directory_service USING gin ({COLUMN})"
    )
    schema_editor.execute(f"DROP INDEX IF EXISTS {OLD_INDEX}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {OLD_INDEX} ON directory_service "
        "USING gin (to_tsvector('english'::regconfig, search_text))"
    )
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute(f"ALTER TABLE directory_service DROP COLUMN IF EXISTS {COLUMN}")


class Migration(migrations.Migration):
    dependencies = [("directory", "0015_community_area_record_key")]

    operations = [migrations.RunPython(forwards, backwards)]
