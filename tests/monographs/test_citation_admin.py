"""Citations as editors type them: authors one per line, identifiers as pasted, DOIs in any case."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from monographs.models import Citation
from monographs.models.citations import authors_as_lines, authors_from_lines, standing_text
from monographs.validators import normalise_doi, normalise_pmcid, normalise_pmid
from tests.admin_forms import change_form_data
from tests.factories import CitationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    ("pasted", "kept"),
    [
        ("PMID: 18650514", "18650514"),
        ("pmid:18650514", "18650514"),
        ("https://pubmed.ncbi.nlm.nih.gov/18650514/", "18650514"),
        ("https://www.ncbi.nlm.nih.gov/pubmed/18650514", "18650514"),
        (" 18650514 ", "18650514"),
        ("0123", "0123"),  # left as typed, for the validator to refuse
    ],
)
def test_a_pasted_pmid_is_reduced_to_its_digits(pasted, kept):
    assert normalise_pmid(pasted) == kept


@pytest.mark.parametrize(
    ("pasted", "kept"),
    [
        ("doi:10.1056/NEJMoa0708857", "10.1056/NEJMoa0708857"),
        ("DOI: 10.1056/NEJMoa0708857", "10.1056/NEJMoa0708857"),
        ("https://doi.org/10.1056/NEJMoa0708857", "10.1056/NEJMoa0708857"),
        ("http://dx.doi.org/10.1016/S1470-2045%2808%2970285-7", "10.1016/S1470-2045(08)70285-7"),
        ("10.1056/NEJMoa0708857", "10.1056/NEJMoa0708857"),
    ],
)
def test_a_pasted_doi_is_reduced_to_the_doi(pasted, kept):
    assert normalise_doi(pasted) == kept


@pytest.mark.parametrize(
    ("pasted", "kept"),
    [
        ("PMCID: PMC2620400", "PMC2620400"),
        ("pmc2620400", "PMC2620400"),
        ("https://www.ncbi.nlm.nih.gov/pmc/articles/PMC2620400/", "PMC2620400"),
        ("2620400", "2620400"),
    ],
)
def test_a_pasted_pmcid_is_reduced_to_the_pmcid(pasted, kept):
    assert normalise_pmcid(pasted) == kept


def test_saving_a_citation_any_other_way_normalises_too():
    citation = CitationFactory(pmid="PMID: 18650514", doi="https://doi.org/10.1056/NEJMoa0708857")

    citation.refresh_from_db()
    assert (citation.pmid, citation.doi) == ("18650514", "10.1056/NEJMoa0708857")


def test_two_citations_may_not_share_a_doi_in_another_case():
    CitationFactory(doi="10.1056/NEJMoa0708857")
    with pytest.raises(IntegrityError), transaction.atomic():
        CitationFactory(doi="10.1056/nejmoa0708857")
    assert Citation.objects.filter(doi__iexact="10.1056/nejmoa0708857").count() == 1


@pytest.mark.parametrize(
    ("lines", "authors", "incomplete"),
    [
        (
            "Llovet JM\nRicci S\n\n  Mazzaferro   V \net al.",
            ["Llovet JM", "Ricci S", "Mazzaferro V"],
            True,
        ),
        ("Llovet JM\nRicci S", ["Llovet JM", "Ricci S"], False),
        ("Llovet JM\nothers", ["Llovet JM"], True),
        ("", [], False),
    ],
)
def test_authors_one_per_line_round_trip(lines, authors, incomplete):
    assert authors_from_lines(lines) == (authors, incomplete)
    assert authors_from_lines(authors_as_lines(authors, incomplete)) == (authors, incomplete)


def test_the_admin_takes_authors_one_per_line_and_identifiers_as_pasted(admin_client):
    citation = CitationFactory(authors=["Llovet JM"], authors_incomplete=False, pmid=None)
    page = reverse("admin:monographs_citation_change", args=(citation.pk,))
    data = change_form_data(admin_client.get(page))
    assert data["authors"] == "Llovet JM"
    data |= {
        "authors": "Llovet JM\r\nRicci S\r\net al.",
        "pmid": "PMID: 18650514",
        "doi": "https://doi.org/10.1056/NEJMoa0708857",
    }

    response = admin_client.post(page, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    citation.refresh_from_db()
    assert citation.authors == ["Llovet JM", "Ricci S"] and citation.authors_incomplete
    assert (citation.pmid, citation.doi) == ("18650514", "10.1056/NEJMoa0708857")
    shown = admin_client.get(page).content.decode()
    assert "Llovet JM\nRicci S\net al.</textarea>" in shown
    assert "Llovet JM, Ricci S, et al." in citation.vancouver()


def test_the_admin_says_plainly_when_a_doi_is_taken_in_another_case(admin_client):
    CitationFactory(doi="10.1056/NEJMoa0708857")
    citation = CitationFactory(doi=None)
    page = reverse("admin:monographs_citation_change", args=(citation.pk,))
    data = change_form_data(admin_client.get(page)) | {"doi": "doi:10.1056/nejmoa0708857"}

    response = admin_client.post(page, data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["doi"]
    assert errors == [
        "Another citation already has the DOI 10.1056/nejmoa0708857 (DOIs ignore case): "
        "cite that one instead of adding it twice."
    ]
    citation.refresh_from_db()
    assert citation.doi is None


def test_the_admin_sets_how_far_a_reader_can_rely_on_a_source(admin_client):
    citation = CitationFactory(kind="web_page", journal="", year=None)
    page = reverse("admin:monographs_citation_change", args=(citation.pk,))
    data = change_form_data(admin_client.get(page))
    assert data["standing"] == "not_assessed"
    data |= {"standing": "unsigned_web_article", "translated_from": "Russian, it appears"}

    response = admin_client.post(page, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    reference = Citation.objects.get(pk=citation.pk).as_reference()
    assert reference["standing_label"] == "Unsigned web article"
    assert standing_text(reference) == (
        "Unsigned web article; undated; translated from Russian, it appears"
    )


def test_a_label_registry_record_or_abstract_unassessed_takes_the_standing_its_kind_gives():
    label = CitationFactory(kind="label")
    assessed = CitationFactory(kind="label", standing="manufacturer")
    article = CitationFactory()

    assert label.standing == "regulatory_label"
    assert assessed.standing == "manufacturer"
    assert article.standing == "not_assessed"
    assert "standing" not in article.as_reference()  # documents of unassessed sources unchanged
    assert standing_text(article.as_reference()) == "Not yet assessed by the editors"


class TestWhereACitationChangeTakesEffect:
    """Before saving, the citation's page lists the entries it reaches; after, each one's
    review shows the change."""

    def cite_from(self, citation, drugs: int):
        from monographs.editorial.services.edits import root_record_edit
        from tests.factories import DrugFactory, MonographSectionFactory, TrialPublicationFactory

        editor = UserFactory(is_staff=True, is_superuser=True)
        roots = []
        for _ in range(drugs):
            drug = DrugFactory()
            MonographSectionFactory(drug=drug, kind="mechanism", body=f"See [@{citation.key}].")
            roots.append(drug)
        trial = TrialPublicationFactory(citation=citation).trial
        for root in [*roots, trial]:
            root_record_edit(root=root, user=editor, created=True)
        return roots, trial

    def test_the_page_lists_the_citing_entries_with_links_in_bounded_queries(self, admin_client):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        citation = CitationFactory()
        other = CitationFactory()
        (drug,), trial = self.cite_from(citation, drugs=1)
        self.cite_from(other, drugs=6)
        page = reverse("admin:monographs_citation_change", args=[citation.pk])
        admin_client.get(page)  # the session's first request reads more than the page does

        with CaptureQueriesContext(connection) as one:
            html = admin_client.get(page).content.decode()
        with CaptureQueriesContext(connection) as six:
            admin_client.get(reverse("admin:monographs_citation_change", args=[other.pk]))

        listed = html.split('id="shared-record-users"')[1].split("</div>")[0]
        assert "counts as an edit of 2 entries" in listed
        for root, kind in ((drug, "monographs_drug"), (trial, "trials_trial")):
            assert reverse(f"admin:{kind}_change", args=[root.pk]) in listed
            assert reverse(f"admin:{kind}_review", args=[root.pk]) in listed
        assert len(six) == len(one) <= 70

    def test_an_edit_shows_in_the_review_of_each_citing_entry(self, admin_client):
        citation = CitationFactory(title="Sorafenib in advanced HCC")
        (drug,), trial = self.cite_from(citation, drugs=1)
        page = reverse("admin:monographs_citation_change", args=[citation.pk])
        data = change_form_data(admin_client.get(page))
        data["title"] = "Sorafenib in advanced hepatocellular carcinoma"

        assert admin_client.post(page, data).status_code == 302

        for root, kind in ((drug, "monographs_drug"), (trial, "trials_trial")):
            review = admin_client.get(reverse(f"admin:{kind}_review", args=[root.pk]))
            diff = review.content.decode()
            assert "Sorafenib in advanced hepatocellular carcinoma" in diff, kind
            assert "edited" in {e.action for e in review.context["editorial_events"]}
