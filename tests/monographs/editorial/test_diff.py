"""document_diff: what a reviewer sees changed, section by section and row by row."""

from monographs.editorial.diff import (
    OVERVIEW,
    display_value,
    document_diff,
    inline_diff,
    row_label,
)


def drug_document(**overrides) -> dict:
    document = {
        "schema_version": 1,
        "kind": "drug",
        "slug": "sorafenib",
        "title": "sorafenib",
        "summary": "An oral multikinase inhibitor.",
        "identifiers": {"atc_code": "L01EX02", "drugbank_id": "DB00398"},
        "sections": [
            {
                "id": 1,
                "kind": "summary",
                "title": "Summary",
                "body": "Short.",
                "html": "<p>Short.</p>",
            },
            {"id": 2, "kind": "mechanism", "title": "Mechanism", "body": "Blocks RAF.", "html": ""},
        ],
        "adverse_events": [
            {
                "id": 10,
                "term": {"slug": "hypertension", "name": "Hypertension"},
                "any_grade": [9, 17],
                "source": {"citation": "llovet-2008", "number": 1, "locator": "Table 3"},
            },
        ],
        "references": [{"key": "llovet-2008", "number": 1, "title": "SHARP", "vancouver": "..."}],
        "regions": ["Europe"],
    }
    return document | overrides


def section(changes, key):
    return next(change for change in changes if change.key == key)


def test_identical_documents_have_no_changes():
    assert document_diff(old=drug_document(), new=drug_document()) == []


def test_scalar_and_nested_fields_form_the_overview():
    new = drug_document(
        summary="Changed.", identifiers={"atc_code": "L01EX02", "drugbank_id": None}
    )

    overview = section(document_diff(old=drug_document(), new=new), OVERVIEW)

    assert overview.title == "Overview"
    assert [(f.name, f.old, f.new) for f in overview.fields] == [
        ("summary", "An oral multikinase inhibitor.", "Changed."),
        ("identifiers.drugbank_id", "DB00398", ""),
    ]


def test_a_list_of_scalars_is_one_overview_field():
    new = drug_document(regions=["Europe", "Asia"])

    overview = section(document_diff(old=drug_document(), new=new), OVERVIEW)

    assert [(f.name, f.old, f.new) for f in overview.fields] == [
        ("regions", "Europe", "Europe, Asia")
    ]


def test_an_edited_row_is_changed_not_removed_and_added():
    new = drug_document()
    new["adverse_events"] = [dict(new["adverse_events"][0], any_grade=[9, 21])]

    rows = section(document_diff(old=drug_document(), new=new), "adverse_events").rows

    assert [(r.state, r.label) for r in rows] == [("changed", "Hypertension")]
    assert [(f.name, f.old, f.new) for f in rows[0].fields] == [("any_grade", "9–17", "9–21")]


def test_rows_without_shared_ids_match_by_their_natural_identity():
    old = drug_document()
    new = drug_document()
    new["sections"] = [dict(s, id=s["id"] + 100) for s in new["sections"]]
    new["sections"][1]["body"] = "Blocks RAF and VEGFR."

    rows = section(document_diff(old=old, new=new), "sections").rows

    assert [(r.state, r.label) for r in rows] == [("changed", "Mechanism")]


def test_rows_are_matched_by_id_when_there_is_no_natural_identity():
    old = drug_document()
    new = drug_document()
    old["warnings"] = [{"id": 5, "topic": "Bleeding"}, {"id": 6, "topic": "Hypertension"}]
    new["warnings"] = [{"id": 6, "topic": "Hypertension"}, {"id": 7, "topic": "QT"}]

    rows = section(document_diff(old=old, new=new), "warnings").rows

    assert [(r.state, r.label) for r in rows] == [("added", "QT"), ("removed", "Bleeding")]


def test_rows_without_id_or_natural_identity_match_by_position():
    old = drug_document()
    new = drug_document()
    old["formulations"] = [{"dosage_form": "tablet", "strength": "200 mg"}]
    new["formulations"] = [{"dosage_form": "tablet", "strength": "400 mg"}, {"dosage_form": "gel"}]

    rows = section(document_diff(old=old, new=new), "formulations").rows

    assert [(r.state, r.label) for r in rows] == [("changed", "tablet"), ("added", "gel")]
    assert [(f.name, f.old, f.new) for f in rows[0].fields] == [("strength", "200 mg", "400 mg")]


def test_reordered_rows_are_reported_as_moved():
    new = drug_document()
    new["sections"] = list(reversed(new["sections"]))

    rows = section(document_diff(old=drug_document(), new=new), "sections").rows

    assert [r.state for r in rows] == ["moved"]


def test_derived_fields_and_reference_numbers_are_not_reported():
    new = drug_document()
    new["sections"][0]["html"] = "<p>Rendered differently.</p>"
    new["adverse_events"][0]["source"] = dict(new["adverse_events"][0]["source"], number=4)

    assert document_diff(old=drug_document(), new=new) == []


def test_a_nested_source_change_is_reported_by_its_path():
    new = drug_document()
    new["adverse_events"][0]["source"] = dict(new["adverse_events"][0]["source"], locator="Fig 2")

    fields = section(document_diff(old=drug_document(), new=new), "adverse_events").rows[0].fields

    assert [(f.name, f.label) for f in fields] == [("source.locator", "source › locator")]


def test_everything_is_added_when_nothing_was_published():
    changes = document_diff(old=None, new=drug_document())

    assert [c.key for c in changes] == [OVERVIEW, "sections", "adverse_events", "references"]
    assert {r.state for c in changes for r in c.rows} == {"added"}
    assert section(changes, "sections").counts == {"added": 2}


def test_a_table_emptied_in_the_new_document_shows_its_rows_removed():
    new = drug_document(adverse_events=[])

    rows = section(document_diff(old=drug_document(), new=new), "adverse_events").rows

    assert [(r.state, r.label) for r in rows] == [("removed", "Hypertension")]


def test_long_text_gets_a_word_level_inline_diff():
    old = drug_document()
    new = drug_document()
    old["sections"][1]["body"] = (
        "Sorafenib blocks RAF kinases and the VEGF receptors in tumour cells."
    )
    new["sections"][1]["body"] = (
        "Sorafenib blocks RAF-1 kinases and the VEGF receptors in tumour cells."
    )

    field = section(document_diff(old=old, new=new), "sections").rows[0].fields[0]

    assert field.inline == (
        "Sorafenib blocks RAF<ins>-1</ins> kinases and the VEGF receptors in tumour cells."
    )


def test_short_values_have_no_inline_diff():
    fields = section(
        document_diff(old=drug_document(), new=drug_document(summary="Changed.")), OVERVIEW
    ).fields

    assert fields[0].inline is None


def test_inline_diff_escapes_markup_before_marking_changes():
    html = inline_diff("a <b>bold</b> claim", "a <script>alert(1)</script> claim")

    assert "<script" not in html and "<b>" not in html
    assert html == (
        "a &lt;<del>b</del><ins>script</ins>&gt;<del>bold</del><ins>alert(1)</ins>"
        "&lt;/<del>b</del><ins>script</ins>&gt; claim"
    )


def test_inline_diff_marks_removed_and_inserted_words():
    assert inline_diff("take with food", "take without food") == (
        "take <del>with</del><ins>without</ins> food"
    )


def test_display_value_reads_like_the_page():
    assert display_value(None) == ""
    assert display_value(True) == "yes"
    assert display_value([9, None]) == "9–"
    assert display_value(["Europe", "Asia"]) == "Europe, Asia"
    assert display_value({"slug": "x", "name": "X", "empty": ""}) == "slug: x; name: X"


def test_row_labels_name_what_reviewers_recognise():
    assert row_label({"term": {"name": "Diarrhoea"}, "arm": "Placebo"}) == "Diarrhoea (Placebo)"
    assert row_label({"interacting_drug": {"name": "rifampicin"}}) == "rifampicin"
    assert row_label({"agency": "FDA", "year": 2007, "indication": "HCC"}) == "FDA 2007: HCC"
    assert row_label({"measure_label": "Overall survival"}) == "Overall survival"
    assert row_label({}) == "Row"
