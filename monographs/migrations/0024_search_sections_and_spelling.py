from django.db import migrations, models

SPELLING_TABLE = "monographs_searchspelling"
SPELLING_INDEX = "monographs_searchspelling_trigram"


# The words readers misspell are looked up by trigram similarity (pg_trgm), PostgreSQL only:
# the words of the indexed text as written (not stemmed, so that "did you mean" shows a
# word), under a trigram index. Like the vocabulary of migration 0010 it is not a model,
# only SQL reads it; words are added as rows are written and removed by a rebuild. SQLite
# computes the same similarity in Python (monographs.search.vocabulary.similarity).
def create_spelling(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(f"CREATE TABLE IF NOT EXISTS {SPELLING_TABLE} (word text PRIMARY KEY)")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {SPELLING_INDEX} ON {SPELLING_TABLE} "
        "USING gin (word gin_trgm_ops)"
    )
    # Whether a typed word begins some indexed word, and so needs no correction.
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {SPELLING_TABLE}_prefix ON {SPELLING_TABLE} "
        "(word text_pattern_ops)"
    )


def drop_spelling(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TABLE IF EXISTS {SPELLING_TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("monographs", "0023_publish_times_at_commit"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="searchdocument",
            name="search_document_unique_slug",
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="anchor",
            field=models.CharField(
                blank=True,
                default="",
                help_text="The section of the page this row is, by its HTML id; empty for the page.",
                max_length=60,
            ),
        ),
        migrations.AddConstraint(
            model_name="searchdocument",
            constraint=models.UniqueConstraint(
                fields=("kind", "slug", "anchor"), name="search_document_unique_slug"
            ),
        ),
        migrations.RunPython(create_spelling, drop_spelling),
    ]
