"""load_seeds is one more author: it never publishes or overwrites what people started.

A root someone created, edited, reviewed or withdrew in the admin is left exactly as it is
and named in the report; everything else loads as usual. A change the seeds make to a
citation such a root uses reaches it as an edit for its reviewer, never as a publication.
"""

from io import StringIO

import pytest
from django.core.management import call_command

from monographs.editorial.models import Status
from monographs.editorial.services.edits import root_record_edit
from monographs.models import Citation, Drug, MonographSection
from monographs.publishing.models import Entry, Publication
from tests.factories import DrugFactory, UserFactory

pytestmark = pytest.mark.django_db


def load(*args: str) -> str:
    output = StringIO()
    call_command("load_seeds", *args, stdout=output)
    return output.getvalue()


def publications_of(slug: str) -> list[tuple[int, str]]:
    return list(
        Publication.objects.filter(kind="drug", slug=slug)
        .order_by("version")
        .values_list("version", "content_hash")
    )


def test_an_editors_draft_of_a_seeded_drug_is_neither_published_nor_overwritten():
    load()
    editor = UserFactory(username="editor-eve", is_staff=True)
    sorafenib = Drug.objects.get(slug="sorafenib")
    before = publications_of("sorafenib")
    section = MonographSection.objects.filter(drug=sorafenib).first()
    section.body += " An editor's unreviewed sentence."
    section.save()
    root_record_edit(root=sorafenib, user=editor)

    output = load()

    assert "sorafenib has a draft revision in the admin; its seed record was not applied" in output
    assert publications_of("sorafenib") == before
    sorafenib.refresh_from_db()
    assert sorafenib.status == Status.DRAFT
    section.refresh_from_db()
    assert section.body.endswith(" An editor's unreviewed sentence.")
    assert "unreviewed sentence" not in str(Entry.objects.get(slug="sorafenib").current.document)


def test_a_seed_record_naming_a_drug_created_in_the_admin_leaves_it_alone():
    editor = UserFactory(username="editor-eve", is_staff=True)
    warfarin = DrugFactory(inn="warfarin", slug="warfarin", summary="Written by an editor.")
    root_record_edit(root=warfarin, user=editor, created=True)

    output = load()

    assert "warfarin has a draft revision in the admin; its seed record was not applied" in output
    warfarin.refresh_from_db()
    assert (warfarin.summary, warfarin.status) == ("Written by an editor.", Status.DRAFT)
    assert not Entry.objects.filter(kind="drug", slug="warfarin").exists()
    assert Entry.objects.filter(kind="drug", slug="sorafenib").exists()  # the rest loaded


def test_a_citation_changed_by_the_seeds_reaches_an_editors_entry_only_through_review():
    load()
    editor = UserFactory(username="editor-eve", is_staff=True)
    sorafenib = Drug.objects.get(slug="sorafenib")
    root_record_edit(root=sorafenib, user=editor)
    live = Entry.objects.get(slug="sorafenib").current_id
    key = sorafenib.sections.exclude(body="").values_list("body", flat=True)
    citation = next(c for c in Citation.objects.all() if any(f"@{c.key}" in body for body in key))
    Citation.objects.filter(pk=citation.pk).update(title="Changed so the seeds restore it")

    load()

    assert Entry.objects.get(slug="sorafenib").current_id == live
    citation.refresh_from_db()
    assert citation.title != "Changed so the seeds restore it"
    sorafenib.refresh_from_db()
    assert sorafenib.status == Status.DRAFT
