"""A cursor for the few reads every public request makes: binary results, planned once.

On PostgreSQL, Django's cursor binds parameters on the client and reads results as text.
For the reads each entry page and API detail makes, that costs more than the work: a stored
page's body is bytea, which the text protocol sends as hex, twice its length, for the client
to decode (2-3 ms for a 130 KB page, against 0.3-0.5 ms in binary), and planning a join of
two or three tables costs more than running it, on every request. This cursor asks for
binary results and a prepared statement, planned once per connection (settings:
prepare_threshold, which lets nothing else be prepared). It is wrapped as Django wraps its
own, so its queries are logged and counted and its errors are Django's. On other databases
it is Django's cursor.
"""

import psycopg
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper


class _PreparedBinaryCursor(psycopg.Cursor):
    def execute(self, query, params=None, **options):
        return super().execute(query, params, prepare=True, binary=True)


def prepared_read_cursor(connection: BaseDatabaseWrapper) -> CursorWrapper:
    """A cursor whose statements are prepared and whose results come back binary (PostgreSQL)."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.ensure_connection()
    cursor = _PreparedBinaryCursor(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(cursor)
    return connection.make_cursor(cursor)
