"""The drug editor in parts: every part opens in a bounded number of queries and saves only
its own rows, under the drug's one lock and draft, posting well under Django's field limit.

Sorafenib as seeded has 1,300+ fields on one page; a synthetic monograph has 100 adverse
events, 200 references and 50 trials.
"""

from io import StringIO

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from monographs.documents import build_drug_document
from monographs.editorial.models import EditorialEvent
from monographs.editorial.services.edits import root_record_edit
from monographs.models import Drug, DrugAdverseEvent, MonographSection
from tests.admin_forms import change_form_data, fields_posted
from tests.factories import (
    AdverseEventTermFactory,
    CitationFactory,
    DrugAdverseEventFactory,
    DrugFactory,
    MonographSectionFactory,
    TrialFactory,
    UserFactory,
)

PART_QUERY_CEILING = 40
FIELD_LIMIT = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
EDITED = " (checked by the editor)"


@pytest.fixture
def seeded(db):
    call_command("load_seeds", "--draft", stdout=StringIO())


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin-sam", is_staff=True, is_superuser=True)


def drug_admin():
    return admin.site._registry[Drug]


def open_part(client, drug, part):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(drug_admin().part_url(drug, part))
    assert response.status_code == 200, part.slug
    return response, len(queries)


def edit(data: dict) -> str | None:
    """Change one text of the part, as an editor would: its prose, else its first row's text.

    A part whose section sorafenib does not have is saved as shown, unchanged.
    """
    if "sections-0-id" not in data:
        data.pop("sections-0-body", None)
    for name in ("sections-0-body", "summary", "questions-0-answer"):
        if name in data:
            data[name] += EDITED
            return name
    return None


def test_the_settings_still_refuse_more_than_a_thousand_fields():
    assert FIELD_LIMIT == 1000


@pytest.mark.django_db
def test_seeded_sorafenib_is_saved_part_by_part(client, superuser, seeded):
    sorafenib = Drug.objects.get(slug="sorafenib")
    before = build_drug_document(Drug.objects.get(pk=sorafenib.pk))
    client.force_login(superuser)
    seen = {}

    for part in drug_admin().parts:
        response, queries = open_part(client, sorafenib, part)
        data = change_form_data(response)
        edited = edit(data)
        lock_version = Drug.objects.get(pk=sorafenib.pk).lock_version

        saved = client.post(drug_admin().part_url(sorafenib, part), data | {"_continue": "1"})

        assert saved.status_code == 302, (part.slug, saved.context and saved.context["errors"])
        assert saved["Location"] == drug_admin().part_url(sorafenib, part)
        assert Drug.objects.get(pk=sorafenib.pk).lock_version == lock_version + bool(edited)
        if edited:
            last = EditorialEvent.objects.filter(root_id=sorafenib.pk, kind="drug").last()
            assert last.action == EditorialEvent.Action.EDITED
        seen[part.slug] = (fields_posted(response), queries, edited)

    assert {slug: fields for slug, (fields, _, _) in seen.items() if fields >= FIELD_LIMIT} == {}
    assert {slug: q for slug, (_, q, _) in seen.items() if q > PART_QUERY_CEILING} == {}
    # Saving every part as shown changed nothing but what was typed: no row lost, no figure
    # rounded, no row moved to another part.
    after = build_drug_document(Drug.objects.get(pk=sorafenib.pk))
    untouched = set(before) - {"summary", "sections", "questions"}
    assert {key: after[key] for key in untouched} == {key: before[key] for key in untouched}
    bodies = MonographSection.objects.filter(drug=sorafenib).values_list("body", flat=True)
    assert all(body.endswith(EDITED) for body in bodies)
    assert len(after["sections"]) == len(before["sections"])


@pytest.fixture
def synthetic_drug(db):
    """A monograph far longer than any seeded one: 100 adverse events, 200 references."""
    drug = DrugFactory(inn="synthetinib", slug="synthetinib")
    citations = CitationFactory.create_batch(200)
    for number in range(100):
        DrugAdverseEventFactory(
            drug=drug,
            term=AdverseEventTermFactory(),
            citation=citations[number],
            position=number,
            any_grade_low=number % 50 + 11,
            any_grade_high=number % 50 + 20,
        )
    MonographSectionFactory(
        drug=drug,
        kind="adverse_events",
        body=" ".join(f"[@{citation.key}]" for citation in citations[100:]),
    )
    for _ in range(50):
        TrialFactory().drugs.add(drug)
    root_record_edit(root=drug, user=None, created=True)
    return drug


def test_a_synthetic_monograph_opens_every_part_in_bounded_queries_and_fields(
    client, superuser, synthetic_drug
):
    client.force_login(superuser)
    document = build_drug_document(synthetic_drug)
    assert (len(document["adverse_events"]), len(document["references"])) == (100, 200)

    measured = {}
    for part in drug_admin().parts:
        response, queries = open_part(client, synthetic_drug, part)
        measured[part.slug] = (fields_posted(response), queries)

    assert {slug: m for slug, m in measured.items() if m[0] >= FIELD_LIMIT} == {}
    assert {slug: m for slug, m in measured.items() if m[1] > PART_QUERY_CEILING} == {}


def test_a_long_table_is_edited_a_page_of_rows_at_a_time(client, superuser, synthetic_drug):
    client.force_login(superuser)
    part = next(p for p in drug_admin().parts if p.slug == "adverse-events")
    url = drug_admin().part_url(synthetic_drug, part)

    first = client.get(url)
    second = client.get(url, {"rows-adverse_events": 2})
    last = client.get(url, {"rows-adverse_events": 3})

    def positions(response):
        formset = response.context["inline_admin_formsets"][1].formset
        return [form.instance.position for form in formset.forms]

    assert positions(first) == list(range(40))
    assert positions(second) == list(range(40, 80))
    assert positions(last) == list(range(80, 100))
    assert "rows 41–80 of 100" in second.content.decode()
    assert client.get(url, {"rows-adverse_events": 4}).status_code == 404

    data = change_form_data(second)
    row = DrugAdverseEvent.objects.get(drug=synthetic_drug, position=45)
    index = positions(second).index(45)
    data[f"adverse_events-{index}-management"] = "Dose interruption."
    saved = client.post(f"{url}?rows-adverse_events=2", data | {"_continue": "1"})

    assert saved.status_code == 302
    assert saved["Location"] == f"{url}?rows-adverse_events=2"
    assert DrugAdverseEvent.objects.get(pk=row.pk).management == "Dose interruption."
    assert DrugAdverseEvent.objects.filter(drug=synthetic_drug).count() == 100


def test_an_unknown_part_is_not_found(client, superuser, synthetic_drug):
    client.force_login(superuser)

    response = client.get(f"/admin/monographs/drug/{synthetic_drug.pk}/change/no-such-part/")

    assert response.status_code == 404


def test_text_sent_with_a_browsers_line_endings_is_no_change(client, superuser, seeded):
    """Browsers send a text area's lines ended by CRLF: saving a part untouched changes
    nothing, and what is typed is kept with the line endings of the rest of the corpus."""
    sorafenib = Drug.objects.get(slug="sorafenib")
    before = build_drug_document(Drug.objects.get(pk=sorafenib.pk))
    client.force_login(superuser)
    multiline = 0
    for part in drug_admin().parts:
        response, _ = open_part(client, sorafenib, part)
        data = change_form_data(response)
        as_sent = {
            name: value.replace("\n", "\r\n") if isinstance(value, str) else value
            for name, value in data.items()
        }
        multiline += sum(1 for value in data.values() if isinstance(value, str) and "\n" in value)
        lock_version = Drug.objects.get(pk=sorafenib.pk).lock_version

        saved = client.post(drug_admin().part_url(sorafenib, part), as_sent | {"_continue": "1"})

        assert saved.status_code == 302, (part.slug, saved.context and saved.context["errors"])
        assert Drug.objects.get(pk=sorafenib.pk).lock_version == lock_version, part.slug

    assert multiline > 5
    assert build_drug_document(Drug.objects.get(pk=sorafenib.pk)) == before
    assert not MonographSection.objects.filter(body__contains="\r").exists()
