"""The table of the database cache (settings.CACHES["shared"] when REDIS_URL is not set).

Rate limits are counted there so every process sees the same counts. Creating it in a
migration means `migrate`, which every set-up already runs, is the only step; with Redis
configured there is no database cache and this does nothing. Switching from Redis to the
database later: run `manage.py createcachetable` (it only creates what is missing).
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = []

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
