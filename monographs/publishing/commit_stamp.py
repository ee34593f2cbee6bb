"""Publish and withdrawal times are the commit's, on PostgreSQL.

A publishing transaction writes its rows with the time it started; until it commits, readers
see the version before. Were that time kept, an `as_of` between the start and the commit
would answer the old version during the publish and the new one after it: a reproducible
read that is not. So a trigger deferred to the commit (it runs after every other statement of
the transaction, when COMMIT is issued) stamps the transaction's publications, their entries
and events, and its withdrawals with the database clock at that moment, all with one value.

The guarantee: no reader sees a version (or a withdrawal) before its published_at (its
withdrawn_at). The only moments whose answer can still change are those between the stamp
and the commit becoming visible: the time the commit takes to reach the disk, milliseconds.

One pass per transaction: the first of its events to fire stamps every row the transaction
wrote (found by the writing transaction id the events carry, indexed); the rest see that
and return. SQLite has no deferred trigger: the project's SQLite backend
(`sqlite_backend/`) runs the same updates as the last statements before COMMIT, for the
events `stamp_at_commit` named; with Django's own SQLite backend, times stay those the
publishing code takes when it starts.
"""

import json

from django.utils import timezone

from monographs.publishing.immutability import maintenance

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION editorial_stamp_at_commit() RETURNS trigger AS $$
DECLARE
    me bigint := pg_current_xact_id()::text::bigint;
    stamp timestamptz;
    maintenance text;
BEGIN
    IF current_setting('editorial.stamped', true) = me::text THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('editorial.stamped', me::text, true);
    stamp := clock_timestamp();
    maintenance := coalesce(current_setting('editorial.maintenance', true), 'off');
    PERFORM set_config('editorial.maintenance', 'on', true);
    UPDATE monographs_publication publication SET published_at = stamp
      FROM monographs_editorialevent event
     WHERE event.txid = me AND event.action = 'published'
       AND publication.id = event.publication_id;
    UPDATE monographs_entry entry SET last_published_at = stamp,
           first_published_at = CASE WHEN publication.version = 1 THEN stamp
                                     ELSE entry.first_published_at END
      FROM monographs_editorialevent event
      JOIN monographs_publication publication ON publication.id = event.publication_id
     WHERE event.txid = me AND event.action = 'published' AND entry.current_id = publication.id;
    UPDATE monographs_entry entry SET withdrawn_at = stamp
      FROM monographs_editorialevent event
     WHERE event.txid = me AND event.action = 'withdrawn' AND entry.withdrawn_at IS NOT NULL
       AND entry.kind = event.kind AND entry.root_id = event.root_id;
    UPDATE monographs_editorialevent SET created_at = stamp
     WHERE txid = me AND action IN ('published', 'withdrawn');
    PERFORM set_config('editorial.maintenance', maintenance, true);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""

POSTGRES_TRIGGER = """
CREATE CONSTRAINT TRIGGER monographs_editorialevent_stamp_at_commit
AFTER INSERT ON monographs_editorialevent DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW WHEN (NEW.action IN ('published', 'withdrawn'))
EXECUTE FUNCTION editorial_stamp_at_commit();
"""


def install_sql(vendor: str) -> list[str]:
    return [POSTGRES_FUNCTION, POSTGRES_TRIGGER] if vendor == "postgresql" else []


def uninstall_sql(vendor: str) -> list[str]:
    if vendor != "postgresql":
        return []
    return [
        "DROP TRIGGER IF EXISTS monographs_editorialevent_stamp_at_commit "
        "ON monographs_editorialevent;",
        "DROP FUNCTION IF EXISTS editorial_stamp_at_commit();",
    ]


def stamp_at_commit(*, connection, event_ids: list[int]) -> None:
    """Have a publish or withdrawal event's rows stamped when its transaction commits.

    PostgreSQL's trigger needs no telling; outside a transaction the row commits as it is
    written, so its time already is the commit's.
    """
    pending = getattr(connection, "events_stamped_at_commit", None)
    if pending is not None and connection.in_atomic_block:
        pending.extend(event_ids)


SQLITE_STAMP = (
    """UPDATE monographs_publication SET published_at = %(stamp)s
        WHERE id IN (SELECT publication_id FROM monographs_editorialevent
                      WHERE id IN (SELECT value FROM json_each(%(events)s))
                        AND action = 'published')""",
    """UPDATE monographs_entry SET last_published_at = %(stamp)s,
              first_published_at = CASE
                  WHEN (SELECT version FROM monographs_publication
                         WHERE id = monographs_entry.current_id) = 1 THEN %(stamp)s
                  ELSE first_published_at END
        WHERE current_id IN (SELECT publication_id FROM monographs_editorialevent
                              WHERE id IN (SELECT value FROM json_each(%(events)s))
                                AND action = 'published')""",
    """UPDATE monographs_entry SET withdrawn_at = %(stamp)s
        WHERE withdrawn_at IS NOT NULL
          AND EXISTS (SELECT 1 FROM monographs_editorialevent event
                       WHERE event.id IN (SELECT value FROM json_each(%(events)s))
                         AND event.action = 'withdrawn'
                         AND event.kind = monographs_entry.kind
                         AND event.root_id = monographs_entry.root_id)""",
    """UPDATE monographs_editorialevent SET created_at = %(stamp)s
        WHERE id IN (SELECT value FROM json_each(%(events)s))""",
)


def stamp_sqlite_events(connection, event_ids: list[int]) -> None:
    """Stamp the rows of these events with one time, taken now, as the commit begins."""
    params = {
        "stamp": connection.ops.adapt_datetimefield_value(timezone.now()),
        "events": json.dumps(event_ids),
    }
    with maintenance(connection), connection.cursor() as cursor:
        for statement in SQLITE_STAMP:
            cursor.execute(statement, params)
