"""The change feed's horizon on PostgreSQL: the events a mirror may be given without ever
being handed, later, an event with a lower token.

An event's id is drawn when its transaction inserts it and becomes visible when that
transaction commits, so ids commit out of order: a publish can draw id 5, another draw 6
and commit first. Serving 6 then would make a mirror that stored token 6 skip 5 for good.
Neither the ids nor the writing transactions' ids answer this alone (a transaction can take
its transaction id before another and still draw its event id after it).

So every statement that inserts events first holds, until its transaction ends, a shared
advisory lock keyed on the last id drawn so far; its own ids come after that key. Locks are
visible to every session at once, committed or not, so a reader serves only events at or
below the lowest key another session holds: no event still in flight can be below it. A
long transaction delays the feed; it never makes it skip. Readers see their own writes
(their own locks are left out), and only the locks of their own database: the lock table is
the cluster's, and another database's publishing (a second site, a benchmark) must not hold
this feed back. SQLite runs one writing transaction at a time and needs none of this.
"""

# Keys live above 2**62 so that no other advisory lock of a bigint key is read as one.
KEY_OFFSET = 2**62

POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION editorial_event_order_hold() RETURNS trigger AS $$
DECLARE
    drawn bigint;
BEGIN
    EXECUTE format(
        'SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM %s',
        pg_get_serial_sequence('monographs_editorialevent', 'id')
    ) INTO drawn;
    PERFORM pg_advisory_xact_lock_shared({KEY_OFFSET} + drawn);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""

POSTGRES_TRIGGER = """
CREATE TRIGGER monographs_editorialevent_order_hold
BEFORE INSERT ON monographs_editorialevent
FOR EACH STATEMENT EXECUTE FUNCTION editorial_event_order_hold();
"""

# The highest event id a reader may serve now (the largest bigint when nothing is in flight).
HORIZON_SQL = f"""
coalesce((
    SELECT min(((held.classid::bigint << 32) | held.objid::bigint) - {KEY_OFFSET})
      FROM pg_locks held
     WHERE held.locktype = 'advisory' AND held.objsubid = 1
       AND held.database = (SELECT oid FROM pg_database WHERE datname = current_database())
       AND held.pid <> pg_backend_pid()
       AND ((held.classid::bigint << 32) | held.objid::bigint) >= {KEY_OFFSET}
), 9223372036854775807)
"""


def install_sql(vendor: str) -> list[str]:
    return [POSTGRES_FUNCTION, POSTGRES_TRIGGER] if vendor == "postgresql" else []


def uninstall_sql(vendor: str) -> list[str]:
    if vendor != "postgresql":
        return []
    return [
        "DROP TRIGGER IF EXISTS monographs_editorialevent_order_hold ON monographs_editorialevent;",
        "DROP FUNCTION IF EXISTS editorial_event_order_hold();",
    ]
