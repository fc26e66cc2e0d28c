"""On PostgreSQL, a pg_trgm GIN index makes `search_text LIKE '% word %'` an index lookup.

Optional: where the extension cannot be created (no privilege), search still works with a
sequential scan. SQLite needs nothing.
"""

from django.db import DatabaseError, migrations, transaction

INDEX = "directory_service_search_trgm"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {INDEX} ON directory_service "
                "USING gin (search_text gin_trgm_ops)"
            )
    except DatabaseError:
        pass  # no privilege for the extension: fine, just slower


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("directory", "0002_service_page_index")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
