"""Markdown with help: the preview beside a section, the citation picker, findings by section."""

import pytest
from django.urls import reverse

from monographs.documents import build_drug_document
from monographs.editorial.checks import check_citation_keys
from monographs.richtext import render_markdown
from tests.factories import (
    CitationFactory,
    DrugFactory,
    MonographSectionFactory,
    QuestionAnswerFactory,
    TrialFactory,
    UserFactory,
)
from tests.monographs.editorial.conftest import member_of

pytestmark = pytest.mark.django_db

PREVIEW = "admin:monographs_citation_markdown_preview"
PICKER = "admin:monographs_citation_picker"


@pytest.fixture
def editor(db):
    from monographs.editorial.roles import EDITOR

    return member_of(EDITOR, username="editor-ann")


def test_an_unknown_key_is_reported_in_the_section_that_cites_it():
    drug = DrugFactory()
    known = CitationFactory(key="llovet-2008")
    MonographSectionFactory(drug=drug, kind="dosage", body="400 mg twice daily [@llovet-2008].")
    MonographSectionFactory(drug=drug, kind="mechanism", body="Blocks RAF [@xyz; @llovet-2008].")

    findings = check_citation_keys(build_drug_document(drug))

    assert known.key not in str(findings)
    assert sorted(str(f) for f in findings) == [
        "Mechanism of action: unknown citation [@xyz]: add the citation or fix the key.",
    ]


def test_the_dosing_section_is_named_by_its_title():
    drug = DrugFactory()
    MonographSectionFactory(drug=drug, kind="dosage", title="Dosing", body="Dose [@xyz].")

    findings = check_citation_keys(build_drug_document(drug))

    assert [str(f).split(": add")[0] for f in findings] == ["Dosing: unknown citation [@xyz]"]


def test_the_preview_renders_as_the_public_page_does_and_names_the_section(
    client, editor, django_assert_max_num_queries
):
    CitationFactory(key="llovet-2008", authors=["Llovet JM"], title="Sorafenib in HCC")
    CitationFactory(key="cheng-2009")
    client.force_login(editor)
    text = "**Sorafenib** 400 mg [@cheng-2009], again [@llovet-2008; @cheng-2009] and [@xyz]."

    with django_assert_max_num_queries(6):
        response = client.post(reverse(PREVIEW), {"text": text, "where": "Dosing"})

    answer = response.json()
    assert answer["html"] == render_markdown(
        text, reference_numbers={"cheng-2009": 1, "llovet-2008": 2}
    )
    assert "<strong>Sorafenib</strong>" in answer["html"] and "[?xyz]" in answer["html"]
    assert [(r["number"], r["key"]) for r in answer["references"]] == [
        (1, "cheng-2009"),
        (2, "llovet-2008"),
    ]
    assert answer["references"][1]["text"].startswith("Llovet JM. Sorafenib in HCC.")
    assert answer["findings"] == [
        "Dosing: unknown citation [@xyz]: add the citation or fix the key."
    ]


def test_the_preview_never_passes_markup_through(client, editor):
    client.force_login(editor)

    answer = client.post(
        reverse(PREVIEW), {"text": '<script>alert(1)</script><img src=x onerror="x()">'}
    ).json()

    assert "<script" not in answer["html"] and "onerror" not in answer["html"]


def test_the_preview_and_picker_refuse_what_they_should(client, editor):
    assert client.post(reverse(PREVIEW), {"text": "x"}).status_code == 302  # signed out
    client.force_login(editor)
    assert client.get(reverse(PREVIEW)).status_code == 405
    too_long = client.post(reverse(PREVIEW), {"text": "x" * 100_001})
    assert too_long.status_code == 400 and "longer than" in too_long.json()["error"]
    client.force_login(UserFactory(is_staff=True))  # staff without any permission
    assert client.get(reverse(PICKER), {"q": "x"}).status_code == 403


def test_the_picker_finds_citations_by_title_author_and_year(
    client, editor, django_assert_max_num_queries
):
    llovet = CitationFactory(
        key="llovet-2008", authors=["Llovet JM", "Ricci S"], title="Sorafenib in HCC", year=2008
    )
    cheng = CitationFactory(
        key="cheng-2009", authors=["Cheng AL"], title="Sorafenib in Asia-Pacific", year=2009
    )
    CitationFactory(key="other", authors=["Zhu AX"], title="Ramucirumab", year=2015)
    client.force_login(editor)

    def keys(query: str) -> list[str]:
        with django_assert_max_num_queries(5):
            response = client.get(reverse(PICKER), {"q": query})
        return [r["key"] for r in response.json()["results"]]

    assert keys("sorafenib") == [cheng.key, llovet.key]  # newest first
    assert keys("ricci") == [llovet.key]
    assert keys("sorafenib 2008") == [llovet.key]
    assert keys("asia") == [cheng.key]
    assert keys("") == []
    result = client.get(reverse(PICKER), {"q": "ricci"}).json()["results"][0]
    assert result["cite"] == "[@llovet-2008]" and "Sorafenib in HCC" in result["label"]


def test_a_prose_section_is_edited_beside_its_preview_and_picker(client, editor):
    drug = DrugFactory()
    MonographSectionFactory(drug=drug, kind="dosage", body="400 mg twice daily.")
    client.force_login(editor)

    page = client.get(reverse("admin:monographs_drug_change_part", args=(drug.pk, "dosing")))

    html = page.content.decode()
    assert 'class="markdown-help"' in html and 'data-where="Dosage and administration"' in html
    assert reverse(PREVIEW) in html and reverse(PICKER) in html
    assert "editorial/markdown_help.js" in html
    assert "<script>" not in html.replace('<script src="', "")


@pytest.mark.parametrize(
    ("make", "page", "where"),
    [
        (
            lambda: TrialFactory(),
            ("admin:trials_trial_change", ()),
            "Trial: summary",
        ),
        (
            lambda: QuestionAnswerFactory().drug,
            ("admin:monographs_drug_change_part", ("questions",)),
            "Question and answer: answer",
        ),
    ],
)
def test_every_markdown_field_has_the_help_beside_it(client, make, page, where):
    root = make()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    name, extra = page

    html = client.get(reverse(name, args=(root.pk, *extra))).content.decode()

    assert f'data-where="{where}"' in html
    assert reverse(PICKER) in html and "editorial/markdown_help.js" in html
