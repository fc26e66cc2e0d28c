"""On SQLite, an FTS5 index of directory_service.search_text kept by triggers (see fts.py;
the SQL is repeated here so this migration never changes with the app's code)."""

from django.db import migrations

CREATE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS directory_service_fts USING fts5("
    "search_text, content='directory_service', content_rowid='rowid')",
    "CREATE TRIGGER IF NOT EXISTS directory_service_fts_ai AFTER INSERT ON directory_service "
    "BEGIN INSERT INTO directory_service_fts(rowid, search_text) "
    "VALUES (new.rowid, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS directory_service_fts_ad AFTER DELETE ON directory_service "
    "BEGIN INSERT INTO directory_service_fts(directory_service_fts, rowid, search_text) "
    "VALUES ('delete', old.rowid, old.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS directory_service_fts_au AFTER UPDATE OF search_text "
    "ON directory_service BEGIN "
    "INSERT INTO directory_service_fts(directory_service_fts, rowid, search_text) "
    "VALUES ('delete', old.rowid, old.search_text); "
    "INSERT INTO directory_service_fts(rowid, search_text) "
    "VALUES (new.rowid, new.search_text); END",
    "INSERT INTO directory_service_fts(directory_service_fts) VALUES ('rebuild')",
]
DROP = [
    "DROP TRIGGER IF EXISTS directory_service_fts_ai",
    "DROP TRIGGER IF EXISTS directory_service_fts_ad",
    "DROP TRIGGER IF EXISTS directory_service_fts_au",
    "DROP TABLE IF EXISTS directory_service_fts",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in CREATE:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("directory", "0005_referrals_imports_drawn_areas")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
