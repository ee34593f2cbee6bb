"""Database-level immutability of publications and editorial events.

The rule "a published version never changes" is enforced by the database itself, so no
code path (admin, shell, a future bug) can rewrite history. The only way past is an
explicit maintenance block, used by `flush` when a test or a restore empties the tables.

On SQLite, a migration that alters a column of these tables remakes the table and loses its
triggers: it must install them again (as migration 0011 does).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

IMMUTABLE_TABLES = ("monographs_publication", "monographs_editorialevent")

_maintenance: ContextVar[bool] = ContextVar("editorial_maintenance", default=False)

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION editorial_refuse_change() RETURNS trigger AS $$
BEGIN
    IF current_setting('editorial.maintenance', true) = 'on' THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '% on %: rows are immutable; publish a new version instead.',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""


def install_sql(vendor: str) -> list[str]:
    statements: list[str] = []
    if vendor == "postgresql":
        statements.append(POSTGRES_FUNCTION)
        for table in IMMUTABLE_TABLES:
            statements.append(
                f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION editorial_refuse_change();"
            )
    elif vendor == "sqlite":
        for table in IMMUTABLE_TABLES:
            for operation in ("UPDATE", "DELETE"):
                statements.append(
                    f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                    "WHEN NOT editorial_maintenance() BEGIN "
                    f"SELECT RAISE(ABORT, '{operation} on {table}: rows are immutable; "
                    "publish a new version instead.'); END;"
                )
    return statements


def uninstall_sql(vendor: str) -> list[str]:
    statements: list[str] = []
    for table in IMMUTABLE_TABLES:
        if vendor == "postgresql":
            statements.append(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table};")
        elif vendor == "sqlite":
            statements += [
                f"DROP TRIGGER IF EXISTS {table}_no_update;",
                f"DROP TRIGGER IF EXISTS {table}_no_delete;",
            ]
    return statements


def register_sqlite_function(sender, connection, **kwargs) -> None:
    """SQLite triggers ask this function whether a maintenance block is open."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "editorial_maintenance", 0, lambda: int(_maintenance.get()), deterministic=False
        )


@contextmanager
def maintenance(connection) -> Iterator[None]:
    """Allow deleting immutable rows: for emptying a database, never for editing history."""
    token = _maintenance.set(True)
    try:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('editorial.maintenance', 'on', false)")
        yield
    finally:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('editorial.maintenance', 'off', false)")
        _maintenance.reset(token)
