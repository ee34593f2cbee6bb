"""Writing many new rows at once: COPY on PostgreSQL, bulk_create elsewhere.

A corpus load or a bulk publish writes hundreds of thousands of rows. Django's bulk_create
compiles each value into an INSERT and psycopg quotes it in Python, which costs more than
the database spends storing it; COPY streams the rows in PostgreSQL's own format instead.

Rows are model instances, which come back as bulk_create leaves them (saved, with their
primary keys), or, for rows nothing reads back, plain mappings of field names to values:
building a model instance costs more than writing its row, several times over for a wide
model, and a corpus has millions of such rows.
"""

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from django.db import connections, models
from django.db.models.expressions import Value
from django.utils import timezone

M = TypeVar("M", bound=models.Model)
Row = M | Mapping[str, Any]
BATCH_SIZE = 2000
_MISSING = object()


def rows_insert(
    *,
    model: type[M],
    rows: Iterable[Row],
    encoded: Mapping[str, Callable[[M], str]] | None = None,
    using: str = "default",
) -> list[Row]:
    """Insert these new rows of one model, as bulk_create would, and return them.

    Rows are all instances or all mappings. A mapping names fields (a relation by its name,
    given the related object, or by its column, given the key); the others take their
    defaults. Instances get their primary keys, drawn on PostgreSQL from the table's
    sequence before one COPY writes them all; mappings get none. Related objects must be
    saved first; auto_now dates are set, JSON is stored as JSON. Elsewhere this is
    bulk_create. `encoded` names fields whose value the caller has already encoded as the
    database reads it (a JSON field's text, say): COPY sends that text, not encoding again.
    """
    opts = model._meta
    # Generated columns and those the database fills itself (db_default) are left to it.
    fields = [
        f
        for f in opts.concrete_fields
        if not getattr(f, "generated", False) and f.db_default is models.NOT_PROVIDED
    ]
    encoded = encoded or {}
    if unknown := set(encoded) - {field.name for field in fields}:
        raise ValueError(f"{opts.object_name} has no column for {', '.join(sorted(unknown))}.")
    rows = list(rows)
    if not rows:
        return rows
    as_values = not isinstance(rows[0], models.Model)
    if as_values:
        _check_names(model, fields, rows[0])
    connection = connections[using]
    if connection.vendor != "postgresql":
        instances = [model(**row) for row in rows] if as_values else rows
        model._default_manager.using(using).bulk_create(instances, batch_size=BATCH_SIZE)
        return rows
    pk = opts.pk
    if as_values:
        if pk.name not in rows[0] and pk.attname not in rows[0]:
            fields.remove(pk)
        writers = [_value_writer(field, connection) for field in fields]
    else:
        writers = [encoded.get(f.name) or _column_writer(f, connection) for f in fields]
    with connection.cursor() as cursor:
        missing = [] if as_values else [row for row in rows if row.pk is None]
        if missing:
            cursor.execute(
                "SELECT nextval(%s::regclass) FROM generate_series(1, %s)",
                [_sequence(cursor, opts.db_table, pk.column), len(missing)],
            )
            for row, (key,) in zip(missing, sorted(cursor.fetchall()), strict=True):
                setattr(row, pk.attname, key)
        quote = connection.ops.quote_name
        sql = "COPY {} ({}) FROM STDIN".format(
            quote(opts.db_table), ", ".join(quote(field.column) for field in fields)
        )
        # Every value first: a row that cannot be written fails before the database is
        # touched, as with bulk_create, and the transaction stays usable.
        values = [[write(row) for write in writers] for row in rows]
        with cursor.copy(sql) as copy:
            for row_values in values:
                copy.write_row(row_values)
    if not as_values:
        for row in rows:
            row._state.adding = False
            row._state.db = using
    return rows


def _check_names(model: type[models.Model], fields: list, row: Mapping[str, Any]) -> None:
    names = {field.name for field in fields} | {field.attname for field in fields}
    if unknown := set(row) - names:
        raise ValueError(f"{model._meta.object_name} has no field {', '.join(sorted(unknown))}.")


_sequences: dict[tuple[str, str], str] = {}


def _sequence(cursor, table: str, column: str) -> str:
    """The sequence behind a table's key, looked up once: resolving it for every key drawn
    costs more than drawing the key."""
    if (table, column) not in _sequences:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
        _sequences[table, column] = cursor.fetchone()[0]
    return _sequences[table, column]


PLAIN_FIELDS = (
    models.AutoField,
    models.BigAutoField,
    models.BooleanField,
    models.CharField,
    models.DecimalField,
    models.IntegerField,
    models.TextField,
)


def _prepare(field: models.Field, connection) -> Callable[[Any], Any]:
    """How a value of this field is written: plain values as they are (psycopg writes them),
    choices as their plain value, JSON as JSON, anything else as for an INSERT."""
    if isinstance(field, models.JSONField):

        def as_json(value: Any) -> Any:
            if isinstance(value, Value):
                return connection.ops.adapt_json_value(value.value, field.encoder)
            return field.get_db_prep_save(value, connection)

        return as_json
    if isinstance(field, PLAIN_FIELDS) or type(field) is models.DateField:
        return _plain if field.choices else _same
    return lambda value: field.get_db_prep_save(value, connection)


def _same(value: Any) -> Any:
    return value


def _plain(value: Any) -> Any:
    """Choice members (str or int enums) as their plain values, as the ORM stores them."""
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    return value


def _key_of(target: models.Model | None, field: models.Field) -> Any:
    if target is None:
        return None
    if target.pk is None:
        raise ValueError(
            f"{field.model._meta.object_name}.{field.name} is an unsaved "
            f"{target._meta.object_name}: save it first."
        )
    return target.pk


def _column_writer(field: models.Field, connection) -> Callable[[models.Model], Any]:
    """How one field's value is read off an instance for COPY, decided once per field."""
    attname = field.attname
    if field.is_relation:

        def related(row: models.Model) -> Any:
            value = getattr(row, attname)
            if value is None and field.is_cached(row):
                value = _key_of(field.get_cached_value(row), field)
                setattr(row, attname, value)
            return value

        return related
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return lambda row: field.get_db_prep_save(field.pre_save(row, add=True), connection)
    prepare = _prepare(field, connection)
    return lambda row: prepare(getattr(row, attname))


def _value_writer(field: models.Field, connection) -> Callable[[Mapping[str, Any]], Any]:
    """How one field's value is read off a mapping for COPY, decided once per field."""
    name, attname = field.name, field.attname
    if field.is_relation:

        def related(row: Mapping[str, Any]) -> Any:
            target = row.get(name, _MISSING)
            if target is not _MISSING:
                return _key_of(target, field)
            value = row.get(attname, _MISSING)
            return field.get_default() if value is _MISSING else value

        return related
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        now = field.get_db_prep_save(timezone.now(), connection)
        return lambda row: now if row.get(name) is None else row[name]
    prepare = _prepare(field, connection)
    if field.has_default() or not field.null:

        def valued(row: Mapping[str, Any]) -> Any:
            value = row.get(name, _MISSING)
            return prepare(field.get_default() if value is _MISSING else value)

        return valued
    return lambda row: prepare(row.get(name))
