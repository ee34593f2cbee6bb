from django.db import migrations

# The search's GIN indexes (PostgreSQL only). A GIN index gathers new entries in a pending
# list and merges them into its tree once the list outgrows gin_pending_list_limit (4 MB by
# default) or a vacuum runs; until then every search reads the whole list, entry by entry.
# Measured at 100,000 trials: with 13,155 entries pending in the text index (223 pages, what
# some 25 publishes of the largest monograph leave), the search for "hepatocellular
# carcinoma" took 10.9 ms in process, and 6.9 ms once they were merged; with 3,447 pending in
# the small index of drugs' and terms' names (26 pages), its part of the same search took
# 1.12 ms, and 0.02 ms merged.
#
# So the two large indexes keep at most 64 kB pending (8 pages; the least PostgreSQL allows),
# merged by the write that fills them, and the index of drugs' and terms' names, written
# only when one of those is published, keeps none. Publishing the largest monograph (300
# rows), timed in turns: 0.27-0.48 s with the default lists against 0.31-0.54 s with none on
# any index (its rows written one by one), then 0.25-0.44 s with 256 kB lists against
# 0.26-0.37 s with these. Generating 20,000 trials took 43-49 s with any of them.
SHORT_LISTS = (
    "monographs_searchdocument_vector_gin",
    "monographs_searchdocument_name_vector_gin",
    "monographs_searchspelling_trigram",
)
NO_LIST = "monographs_searchdocument_named_vector_gin"
PENDING_LIST_KB = 64


def _merge_pending(cursor) -> None:
    for index in (*SHORT_LISTS, NO_LIST):
        cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])


def shorten_pending_lists(apps, schema_editor):
    """ALTER INDEX locks out every query planned on the table until the migration commits, so
    the lists (up to 4 MB each) are merged before it, and only what arrived meanwhile after;
    and it waits for the lock at most 10 s, failing rather than queueing readers behind it."""
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        _merge_pending(cursor)
        cursor.execute("SET LOCAL lock_timeout = '10s'")
        for index in SHORT_LISTS:
            cursor.execute(f"ALTER INDEX {index} SET (gin_pending_list_limit = {PENDING_LIST_KB})")
        cursor.execute(f"ALTER INDEX {NO_LIST} SET (fastupdate = off)")
        _merge_pending(cursor)


def default_pending_lists(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for index in SHORT_LISTS:
            cursor.execute(f"ALTER INDEX {index} RESET (gin_pending_list_limit)")
        cursor.execute(f"ALTER INDEX {NO_LIST} RESET (fastupdate)")


class Migration(migrations.Migration):
    dependencies = [
        ("monographs", "0032_search_candidates_words_as_typed_first"),
    ]

    operations = [
        migrations.RunPython(shorten_pending_lists, default_pending_lists),
    ]
