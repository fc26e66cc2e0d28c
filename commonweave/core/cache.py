"""Django's database cache with an atomic `incr`.

The stock DatabaseCache inherits BaseCache.incr, which reads the value and writes it back:
two processes counting at once both read 3 and both write 4, and a rate limit lets
through more than its limit. Here the row is locked before it is read (an UPDATE that
changes nothing takes the row lock on PostgreSQL and the write lock on SQLite), so
concurrent increments queue instead of overwriting each other.
"""

import base64
import pickle
from typing import Any

from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, models, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.timezone import now as tz_now


class DatabaseCache(DjangoDatabaseCache):
    def incr(self, key: str, delta: int = 1, version: int | None = None) -> Any:
        cache_key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        table, key_column = quote(self.cache_model_class._meta.db_table), quote("cache_key")
        value_column, expires_column = quote("value"), quote("expires")
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {expires_column} = {expires_column} "  # noqa: S608 - quoted names
                f"WHERE {key_column} = %s",
                [cache_key],
            )
            if cursor.rowcount:
                cursor.execute(
                    f"SELECT {value_column}, {expires_column} FROM {table} "  # noqa: S608
                    f"WHERE {key_column} = %s",
                    [cache_key],
                )
                row = cursor.fetchone()
            else:
                row = None
            if row is None or self._expired(connection, row[1]):
                raise ValueError(f"Key '{key}' not found")
            stored = connection.ops.process_clob(row[0])
            value = pickle.loads(base64.b64decode(stored.encode(), validate=True)) + delta  # noqa: S301 - our own rows
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(
                f"UPDATE {table} SET {value_column} = %s WHERE {key_column} = %s",  # noqa: S608
                [encoded, cache_key],
            )
        return value

    @staticmethod
    def _expired(connection: BaseDatabaseWrapper, expires: Any) -> bool:
        expression = models.Expression(output_field=models.DateTimeField())
        for converter in connection.ops.get_db_converters(
            expression
        ) + expression.get_db_converters(connection):
            expires = converter(expires, expression, connection)
        return bool(expires < tz_now())
