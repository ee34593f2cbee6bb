from importlib import import_module

from django.db import migrations

CANDIDATES_FUNCTION = "monographs_search_candidates"
ANY_KIND_FUNCTION = "monographs_search_candidates_of_any_kind"
KINDS_FUNCTION = "monographs_search_candidates_of_kinds"
SIGNATURE = "tsquery, tsquery, bigint[], boolean, text, text, text[], integer"
ARGUMENTS = """
    query tsquery, typed tsquery, typed_named bigint[], typed_named_all boolean,
    title_prefix text, identifier text, kinds text[], size integer
"""
CALL_ARGUMENTS = "query, typed, typed_named, typed_named_all, title_prefix, identifier, kinds, size"

# The rows search ranks, as in 0010, with two changes. First, among the rows whose title or
# names hold the query, and then among those holding it anywhere, the rows holding the words
# as typed (`typed`) come before those holding only another wording of them (a synonym or an
# abbreviation, OR-ed into `query`). A GIN index builds the bitmap of every row an OR of
# wordings matches before LIMIT can stop it: for "hepatocellular carcinoma" and its three
# other wordings, 6,601 names at 100,000 trials, in twice the time of the 6,594 of the words
# typed. The other wordings are searched only when the words typed find fewer than `size`
# rows. Drugs and adverse-event terms (a small index) are still found by any wording first, so
# that a synonym or brand name typed always finds what it names.
#
# Second, the pages whose title or names hold the words as typed may be given (`typed_named`,
# already of `kinds`): the search counts the pages whose text holds them, up to what can be
# paged through, and a name's words are all in the text's vector, so that count has already
# read them. When the count read every such page (`typed_named_all`) or found at least `size`
# named ones, they are the candidates of that rank, and the index of names is not searched for
# them (for "hepatocellular carcinoma", a bitmap of 6,594 rows built to keep 100). Sections
# are not among them: a drug's carry its names and are found with it, others by their text.
CANDIDATE_ROWS = """
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
        (SELECT unnest(typed_named) LIMIT size)
        UNION ALL
        (SELECT id FROM monographs_searchdocument
         WHERE NOT coalesce(typed_named_all, false)
           AND coalesce(cardinality(typed_named), 0) < size
           AND name_vector @@ typed AND (kinds IS NULL OR kind = ANY (kinds))
           AND (typed_named IS NULL OR id <> ALL (typed_named))
         LIMIT size)
        UNION ALL
        (SELECT id FROM monographs_searchdocument
         WHERE typed IS DISTINCT FROM query AND name_vector @@ query
           AND (typed IS NULL OR NOT name_vector @@ typed)
           AND (kinds IS NULL OR kind = ANY (kinds))
         LIMIT size)
        UNION ALL
        (SELECT id FROM monographs_searchdocument
         WHERE search_vector @@ typed AND (kinds IS NULL OR kind = ANY (kinds))
         LIMIT size)
        UNION ALL
        (SELECT id FROM monographs_searchdocument
         WHERE typed IS DISTINCT FROM query AND search_vector @@ query
           AND (typed IS NULL OR NOT search_vector @@ typed)
           AND (kinds IS NULL OR kind = ANY (kinds))
         LIMIT size)
    ) AS candidates
    LIMIT size;
"""

# Two copies of the same statement, which differ in how it is planned. PL/pgSQL keeps a
# statement's plan per connection, and after five calls PostgreSQL may keep one generic
# plan for any arguments. Without kinds that plan is as good as any and saves planning the
# eight branches on every search (about 2 ms). With kinds it is not: "kinds IS NULL OR kind
# = ANY (kinds)" is then no index condition, and a search for "carcinoma" among drugs and
# adverse-event terms read the heap rows of all 47,916 rows holding the word, 240-280 ms from
# the sixth such search on a connection on, against 27 ms planned for its arguments. So a
# search of some kinds is planned for them each time.
PLANNED_ONCE = "SET enable_seqscan = off\nSET jit = off"
PLANNED_EACH_TIME = f"{PLANNED_ONCE}\nSET plan_cache_mode = force_custom_plan"


def candidates_function(name: str, settings: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION {name}({ARGUMENTS}) RETURNS SETOF bigint
LANGUAGE plpgsql STABLE
{settings}
ROWS 100
AS $$
BEGIN
{CANDIDATE_ROWS}
END
$$
"""


CREATE_DISPATCH = f"""
CREATE OR REPLACE FUNCTION {CANDIDATES_FUNCTION}({ARGUMENTS}) RETURNS SETOF bigint
LANGUAGE plpgsql STABLE
ROWS 100
AS $$
BEGIN
    IF kinds IS NULL THEN
        RETURN QUERY SELECT {ANY_KIND_FUNCTION}({CALL_ARGUMENTS});
    ELSE
        RETURN QUERY SELECT {KINDS_FUNCTION}({CALL_ARGUMENTS});
    END IF;
END
$$
"""


def previous_candidates() -> str:
    return import_module("monographs.migrations.0010_search_name_vector_and_words").CREATE_CANDIDATES


def words_as_typed_first(apps, schema_editor):
    """The previous function (five arguments) stays: the previous release calls it until
    every node runs this one (docs/deploy.md, Upgrades); a later release drops it."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(candidates_function(ANY_KIND_FUNCTION, PLANNED_ONCE))
    schema_editor.execute(candidates_function(KINDS_FUNCTION, PLANNED_EACH_TIME))
    schema_editor.execute(CREATE_DISPATCH)


def any_wording_alike(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in (CANDIDATES_FUNCTION, ANY_KIND_FUNCTION, KINDS_FUNCTION):
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}({SIGNATURE})")
    schema_editor.execute(previous_candidates())


class Migration(migrations.Migration):
    dependencies = [
        ("monographs", "0031_engine_models_to_their_apps"),
    ]

    operations = [
        migrations.RunPython(words_as_typed_first, any_wording_alike),
    ]
