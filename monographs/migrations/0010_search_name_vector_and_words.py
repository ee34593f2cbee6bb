import django.contrib.postgres.search
from django.db import migrations

NAME_GIN_INDEX = "monographs_searchdocument_name_vector_gin"
NAMED_GIN_INDEX = "monographs_searchdocument_named_vector_gin"
TITLE_PREFIX_INDEX = "monographs_searchdocument_title_prefix"
CANDIDATES_FUNCTION = "monographs_search_candidates"
VOCABULARY_TABLE = "monographs_searchword"
QUERY_FUNCTION = "monographs_search_query"

# The vocabulary: every word (lexeme) of the search vectors, PostgreSQL only and not a model
# (only SQL reads it). PostgreSQL matches a prefix ('sorafe:*') by collecting every posting
# of every indexed word starting with it before it can intersect them, tens of thousands for
# a common word such as 'carcinoma'; the same words looked up here first and searched as
# exact words are intersected cheaply. Words are added as documents are indexed and only
# removed by a rebuild: a word no document holds any more matches nothing.
CREATE_VOCABULARY = (
    f"CREATE TABLE {VOCABULARY_TABLE} (word text PRIMARY KEY)",
    f"CREATE INDEX {VOCABULARY_TABLE}_prefix ON {VOCABULARY_TABLE} (word text_pattern_ops)",
)

# A query's words as a tsquery of exact indexed words: each word, normalised as the index
# normalises it ('sorafe' becomes 'soraf'), becomes the first `expansions` words of the
# vocabulary it begins ('soraf' | 'sorafenib' | ...), which GIN intersects far faster than
# a prefix ('soraf':*), whose postings it collects in full first. NULL when nothing can
# match: a word no indexed word begins with, or only stop words.
CREATE_QUERY = rf"""
CREATE OR REPLACE FUNCTION {QUERY_FUNCTION}(
    tokens text[], config regconfig, expansions integer
) RETURNS tsquery
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    RETURN (WITH alternatives AS (
        SELECT
            string_agg(
                '''' || replace(replace(w.word, '\', '\\'), '''', '''''') || '''',
                ' | ' ORDER BY w.word
            ) AS words,
            count(w.word) AS matched
        FROM unnest(tokens) WITH ORDINALITY AS t(token, position)
        CROSS JOIN LATERAL unnest(tsvector_to_array(to_tsvector(config, t.token))) AS p(prefix)
        LEFT JOIN LATERAL (
            SELECT word FROM {VOCABULARY_TABLE}
            WHERE word ~>=~ p.prefix AND word ~<~ (p.prefix || chr(1114111))
                AND starts_with(word, p.prefix)
            ORDER BY word USING ~<~
            LIMIT expansions
        ) AS w ON true
        GROUP BY t.position, p.prefix
    )
    SELECT CASE WHEN count(*) > 0 AND bool_and(matched > 0)
        THEN string_agg('(' || words || ')', ' & ')::tsquery END
    FROM alternatives);
END
$$
"""

# The rows search ranks: a bounded set, found through indexes only, so that a query matching
# thousands of rows reads a few hundred. In order, until `size` ids are found: names
# containing an identifier typed whole (found by its words, as the parser splits it, then
# checked as written); titles starting with the query (the btree's order
# puts an exact title first); drugs and adverse-event terms whose title, names or synonyms
# hold every word (a small partial index); any row whose title or names hold every word; any
# row holding every word anywhere. Bitmap scans stop after their first `size` rows. So would
# a sequential scan, but the planner cannot know where in the table the matches lie, and
# when they are at its end it reads the whole table: sequential scans are off inside the
# function. That prices sequential scans so high that the JIT compiler would run on every
# call, for far longer than the query takes, so the JIT is off too.
# Both functions are PL/pgSQL, whose plans a connection keeps from one call to the next.
CREATE_CANDIDATES = f"""
CREATE OR REPLACE FUNCTION {CANDIDATES_FUNCTION}(
    query tsquery, title_prefix text, identifier text, kinds text[], size integer
) RETURNS SETOF bigint
LANGUAGE plpgsql STABLE
SET enable_seqscan = off
SET jit = off
ROWS 100
AS $$
BEGIN
    RETURN QUERY SELECT id FROM (
        (SELECT id FROM monographs_searchdocument
         WHERE identifier IS NOT NULL
           AND search_vector @@ plainto_tsquery('english'::regconfig, identifier)
           AND strpos(upper(names), upper(identifier)) > 0
           AND (kinds IS NULL OR kind = ANY (kinds))
         LIMIT size)
        UNION ALL
        (SELECT id FROM (
            SELECT id, kind, search_vector FROM monographs_searchdocument
            WHERE query IS NOT NULL
              AND upper(title::text) ~>=~ upper(title_prefix)
              AND upper(title::text) ~<~ (upper(title_prefix) || chr(1114111))
            ORDER BY upper(title::text) USING ~<~
            LIMIT size
         ) AS titled
         WHERE search_vector @@ query AND (kinds IS NULL OR kind = ANY (kinds)))
        UNION ALL
        (SELECT id FROM monographs_searchdocument
         WHERE kind IN ('drug', 'adverse_event') AND name_vector @@ query
           AND (kinds IS NULL OR kind = ANY (kinds))
         LIMIT size)
        UNION ALL
        (SELECT id FROM monographs_searchdocument
         WHERE name_vector @@ query AND (kinds IS NULL OR kind = ANY (kinds))
         LIMIT size)
        UNION ALL
        (SELECT id FROM monographs_searchdocument
         WHERE search_vector @@ query AND (kinds IS NULL OR kind = ANY (kinds))
         LIMIT size)
    ) AS candidates
    LIMIT size;
END
$$
"""


def create_search_structures(apps, schema_editor):
    """PostgreSQL only: fill the new vector and the vocabulary from the rows already
    indexed, then index them and create the candidate function. SQLite searches text."""
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in CREATE_VOCABULARY:
        schema_editor.execute(statement)
    schema_editor.execute(
        "UPDATE monographs_searchdocument SET name_vector = "
        "to_tsvector('english'::regconfig, title) || to_tsvector('english'::regconfig, names)"
    )
    schema_editor.execute(
        f"INSERT INTO {VOCABULARY_TABLE} (word) "
        "SELECT DISTINCT word FROM monographs_searchdocument, "
        "unnest(tsvector_to_array(search_vector)) AS word ORDER BY word ON CONFLICT DO NOTHING"
    )
    schema_editor.execute(
        f"CREATE INDEX {NAME_GIN_INDEX} ON monographs_searchdocument USING gin (name_vector)"
    )
    schema_editor.execute(
        f"CREATE INDEX {NAMED_GIN_INDEX} ON monographs_searchdocument USING gin (name_vector) "
        "WHERE kind IN ('drug', 'adverse_event')"
    )
    schema_editor.execute(
        f"CREATE INDEX {TITLE_PREFIX_INDEX} ON monographs_searchdocument "
        "(upper(title::text) text_pattern_ops)"
    )
    schema_editor.execute(CREATE_CANDIDATES)
    schema_editor.execute(CREATE_QUERY)


def drop_search_structures(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"DROP FUNCTION IF EXISTS {CANDIDATES_FUNCTION}(tsquery, text, text, text[], integer)"
    )
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {QUERY_FUNCTION}(text[], regconfig, integer)")
    schema_editor.execute(f"DROP INDEX IF EXISTS {TITLE_PREFIX_INDEX}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAMED_GIN_INDEX}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME_GIN_INDEX}")
    schema_editor.execute(f"DROP TABLE IF EXISTS {VOCABULARY_TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("monographs", "0009_entry_withdrawn_at_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="name_vector",
            field=django.contrib.postgres.search.SearchVectorField(
                editable=False, help_text="The title and names alone (PostgreSQL).", null=True
            ),
        ),
        migrations.RunPython(create_search_structures, drop_search_structures),
    ]
