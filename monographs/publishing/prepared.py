"""A cursor for the few reads every public request makes: binary results, planned once.

On PostgreSQL, Django's cursor binds parameters on the client and reads results as text.
For the read every entry page makes, that costs more than the work: a stored
page's body is bytea, which the text protocol sends as hex, twice its length, for the client
to decode (2-3 ms for a 130 KB page, against 0.3-0.5 ms in binary), and planning a join of
two or three tables costs more than running it, on every request. This cursor asks for
binary results and a prepared statement, planned once per connection (settings:
prepare_threshold, which lets nothing else be prepared). It is Django's cursor with the
psycopg cursor inside it swapped, so its queries are logged and counted, its errors are
Django's, and a lost database answers as anywhere else. On other databases it is Django's
cursor.
"""

from types import SimpleNamespace

import psycopg
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper

from monographs.publishing.models import Entry


class _PreparedBinaryCursor(psycopg.Cursor):
    # Set where Django logs queries (tests, DEBUG): Django writes the statement it logs from
    # the cursor's last query, which psycopg leaves empty for a prepared one.
    logged = False

    def execute(self, query, params=None, **options):
        result = super().execute(query, params, prepare=True, binary=True)
        if self.logged:
            statement = psycopg.ClientCursor(self.connection).mogrify(query, params)
            self._query = SimpleNamespace(query=statement.encode())
        return result


def prepared_read_cursor(connection: BaseDatabaseWrapper) -> CursorWrapper:
    """A cursor whose statements are prepared and whose results come back binary (PostgreSQL).

    Made by Django's own `connection.cursor()` (health check, connection, thread sharing,
    the debug wrapper), with the psycopg cursor inside swapped for one of this kind."""
    cursor = connection.cursor()
    if connection.vendor == "postgresql":
        cursor.cursor.close()
        cursor.cursor = _PreparedBinaryCursor(connection.connection)
        cursor.cursor.logged = connection.queries_logged
    return cursor


def live_current_row_sql(
    connection: BaseDatabaseWrapper,
    *,
    table: str,
    columns: str,
    written_by: str,
    keyed_by_entry: bool = False,
) -> str:
    """A statement reading the row of `table` (aliased `r`) stored for the current publication
    of the live entry of a kind and slug, and written by the code whose fingerprint is given:
    what a stored response is served from. Parameters: those of `columns`, then the kind, the
    slug and the fingerprint (column `written_by`). `keyed_by_entry`: the table's unique index
    begins with entry_id, so the join names it. Two unique indexes, one row or none: a
    withdrawn entry, an unknown or retired slug, or a row another code wrote has none."""
    quote = connection.ops.quote_name
    entry_of_row = f" AND r.{quote('entry_id')} = e.{quote('id')}" if keyed_by_entry else ""
    return (
        f"SELECT {columns} FROM {quote(Entry._meta.db_table)} e INNER JOIN {quote(table)} r"
        f" ON r.{quote('publication_id')} = e.{quote('current_id')}{entry_of_row}"
        f" WHERE e.{quote('kind')} = %s AND e.{quote('slug')} = %s"
        f" AND e.{quote('withdrawn_at')} IS NULL AND r.{quote(written_by)} = %s"
    )
