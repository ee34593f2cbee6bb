from django.db import migrations

# The search's GIN indexes (PostgreSQL only). A GIN index gathers new entries in a pending
# list and merges them into its tree once the list outgrows gin_pending_list_limit (4 MB by
# default) or a vacuum runs; until then every search reads the whole list. At 100,000 trials,
# with 13,155 entries pending in the text index (223 pages: what some 25 publishes of the
# largest monograph leave), the search for "hepatocellular carcinoma" took 10.9 ms in process,
# and 6.9 ms once they were merged. With 256 kB a search reads at most 32 pending pages, and
# the publish that fills the list merges that much (about 15 ms) rather than 4 MB at once;
# generating 20,000 trials took as long either way. Turning the pending list off instead made
# publishing the largest monograph about a quarter slower (its 300 rows written one by one).
INDEXES = (
    "monographs_searchdocument_vector_gin",
    "monographs_searchdocument_name_vector_gin",
    "monographs_searchdocument_named_vector_gin",
    "monographs_searchspelling_trigram",
)
PENDING_LIST_KB = 256


def shorten_pending_lists(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for index in INDEXES:
            cursor.execute(f"ALTER INDEX {index} SET (gin_pending_list_limit = {PENDING_LIST_KB})")
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])


def default_pending_lists(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for index in INDEXES:
            cursor.execute(f"ALTER INDEX {index} RESET (gin_pending_list_limit)")


class Migration(migrations.Migration):
    dependencies = [
        ("monographs", "0032_search_candidates_words_as_typed_first"),
    ]

    operations = [
        migrations.RunPython(shorten_pending_lists, default_pending_lists),
    ]
