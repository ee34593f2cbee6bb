"""The admin: every model registered, every page loads, in a fixed number of queries.

Query counts are measured on a small corpus, then again after every table has grown; an
admin page whose count grows with its rows fails here before editors feel it.
"""

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monographs.editorial.models import NotificationPreference, Status
from monographs.editorial.services.edits import root_record_edit
from monographs.editorial.services.publish import root_import_publish
from monographs.editorial.services.review import review_comment_add
from monographs.models import Drug, MonographSection
from monographs.models.content import SectionKind
from monographs.publishing.models import Publication
from tests.factories import (
    AdverseEventTermFactory,
    ApprovalFactory,
    ArmFactory,
    CitationFactory,
    CitationLinkFactory,
    ConditionFactory,
    ContraindicationFactory,
    DoseRegimenFactory,
    DrugAdverseEventFactory,
    DrugFactory,
    DrugInteractionFactory,
    DrugNameFactory,
    DrugTargetFactory,
    DrugWarningFactory,
    FormulationFactory,
    InterventionFactory,
    MonographSectionFactory,
    OutcomeFactory,
    PharmacokineticParameterFactory,
    QuestionAnswerFactory,
    ResistanceMechanismFactory,
    SpecialPopulationFactory,
    SubsequentTherapyFactory,
    TrialAdverseEventFactory,
    TrialFactory,
    TrialPublicationFactory,
    UserFactory,
)
from trials.models import Trial

pytestmark = pytest.mark.django_db

MONOGRAPH_TABLE_COUNT = 15
QUERY_CEILING = 80
PART_QUERY_CEILING = 40
REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)
CONTENT_APPS = {"monographs", "trials", "editorial", "publishing"}
ENGINE_MODELS = {"publication", "entry", "editorialevent", "facet", "searchdocument"}


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def grow_drug(drug: Drug, *, partner: Drug) -> None:
    """One more row in every table of the monograph, each with its own citation."""
    citation = CitationFactory()
    condition = ConditionFactory()
    DrugNameFactory(drug=drug, citation=citation)
    DrugTargetFactory(drug=drug, citation=citation)
    ApprovalFactory(drug=drug, condition=condition, citation=citation)
    FormulationFactory(drug=drug, citation=citation)
    MonographSectionFactory(drug=drug, body=f"Text [@{citation.key}].")
    DoseRegimenFactory(drug=drug, citation=citation)
    PharmacokineticParameterFactory(drug=drug, citation=citation)
    DrugInteractionFactory(drug=drug, interacting_drug=partner, citation=citation)
    DrugWarningFactory(drug=drug, citation=citation)
    ContraindicationFactory(drug=drug, citation=citation)
    SpecialPopulationFactory(drug=drug, citation=citation)
    DrugAdverseEventFactory(drug=drug, term=AdverseEventTermFactory(), citation=citation)
    ResistanceMechanismFactory(drug=drug, citation=citation)
    SubsequentTherapyFactory(
        drug=drug, condition=condition, therapy_drug=partner, citation=citation
    )
    QuestionAnswerFactory(drug=drug, citation=citation)
    CitationLinkFactory(citing=citation, cited=CitationFactory())


def grow_trial(trial: Trial, *, drug: Drug) -> None:
    citation = CitationFactory()
    trial.conditions.add(ConditionFactory())
    trial.drugs.add(drug)
    TrialPublicationFactory(trial=trial, citation=citation)
    arm = ArmFactory(trial=trial, citation=citation, participants=10)
    comparator = ArmFactory(trial=trial, citation=citation, participants=10)
    InterventionFactory(arm=arm, drug=drug)
    OutcomeFactory(trial=trial, arm=arm, comparator_arm=comparator, citation=citation)
    TrialAdverseEventFactory(
        trial=trial, arm=arm, term=AdverseEventTermFactory(), citation=citation
    )


@pytest.fixture
def superuser():
    return UserFactory(username="admin-sam", is_superuser=True)


@pytest.fixture
def corpus():
    """A published drug and trial, each then edited into a new draft, with every table filled."""
    partner = DrugFactory(inn="rifampicin", slug="rifampicin")
    drug = DrugFactory(inn="sorafenib", slug="sorafenib")
    grow_drug(drug, partner=partner)
    trial = TrialFactory(enrolment=1000)
    grow_trial(trial, drug=drug)
    root_import_publish(root=partner, note="seed")
    root_import_publish(root=drug, note="seed")
    root_import_publish(root=trial, note="seed")
    root_record_edit(root=drug, user=None)
    partner.slug = "rifampin"  # renamed once published: its old address is kept
    partner.save()
    root_import_publish(root=partner, note="renamed")
    review_comment_add(root=drug, user=reviewer_of_corpus(), part="dosing", body="Per m²?")
    return {"drug": drug, "trial": trial, "partner": partner}


def reviewer_of_corpus():
    from django.contrib.auth.models import Group

    from monographs.editorial.roles import REVIEWER

    user = UserFactory(username="reviewer-of-corpus")
    user.groups.add(Group.objects.get(name=REVIEWER))
    return user


def grow(corpus) -> None:
    grow_drug(corpus["drug"], partner=corpus["partner"])
    grow_trial(corpus["trial"], drug=corpus["drug"])
    other = DrugFactory()
    grow_drug(other, partner=corpus["partner"])
    root_import_publish(root=other, note="seed")
    other_trial = TrialFactory(enrolment=1000)
    grow_trial(other_trial, drug=other)
    root_import_publish(root=other_trial, note="seed")


def an_instance_of(model, corpus):
    """The row a change page is opened for: the corpus roots themselves, else the first row."""
    if model is Drug:
        return corpus["drug"]
    if model is Trial:
        return corpus["trial"]
    if model is Publication:
        return Publication.objects.get(kind="drug", root_id=corpus["drug"].pk)
    return model._default_manager.order_by("pk").first()


def page_urls(corpus) -> dict[str, str]:
    urls = {}
    for model in REGISTERED:
        urls[f"{model._meta.label} list"] = admin_url(model, "changelist")
        instance = an_instance_of(model, corpus)
        if instance is not None:
            urls[f"{model._meta.label} change"] = admin_url(model, "change", instance.pk)
    return urls


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def test_every_model_of_monographs_and_trials_is_registered():
    from django.apps import apps

    content_models = {
        model for app in CONTENT_APPS for model in apps.get_app_config(app).get_models()
    }

    assert content_models - set(admin.site._registry) == set()


def test_every_model_has_a_readable_name(corpus):
    from django.apps import apps

    for app in CONTENT_APPS:
        for model in apps.get_app_config(app).get_models():
            instance = an_instance_of(model, corpus)
            if instance is None:
                continue
            assert "object (" not in str(instance), model


def test_every_list_and_change_page_loads_in_a_number_of_queries_that_does_not_grow(
    client, superuser, corpus
):
    client.force_login(superuser)
    NotificationPreference.objects.create(user=superuser)
    urls = page_urls(corpus)
    content = [model for model in REGISTERED if model._meta.app_label in CONTENT_APPS]
    assert {f"{model._meta.label} {page}" for model in content for page in ("list", "change")} <= (
        set(urls)
    )
    ContentType.objects.get_for_models(*REGISTERED)  # the per-process cache, warm as in use
    before = {name: count_queries(client, url) for name, url in urls.items()}

    grow(corpus)

    after = {name: count_queries(client, url) for name, url in urls.items()}
    assert after == before
    assert {name: count for name, count in after.items() if count > QUERY_CEILING} == {}


def test_the_drug_parts_hold_every_monograph_table_each_on_one_part(client, superuser, corpus):
    """Each table of the monograph is edited on exactly one part; prose sections one a part."""
    client.force_login(superuser)
    drug_admin = admin.site._registry[Drug]
    tables: dict = {}

    for part in drug_admin.parts:
        response = client.get(drug_admin.part_url(corpus["drug"], part))
        for formset in response.context["inline_admin_formsets"]:
            model = formset.formset.model
            if model is MonographSection:
                assert formset.opts.section_kind not in tables.get(model, [])
            tables.setdefault(model, []).append(getattr(formset.opts, "section_kind", part.slug))
            assert len(formset.formset.forms) == 1

    assert len(tables) == MONOGRAPH_TABLE_COUNT
    assert sorted(tables[MonographSection]) == sorted(SectionKind.values)
    assert all(len(parts) == 1 for model, parts in tables.items() if model is not MonographSection)


def test_every_part_page_loads_in_a_number_of_queries_that_does_not_grow(client, superuser, corpus):
    client.force_login(superuser)
    drug_admin = admin.site._registry[Drug]
    urls = {part.slug: drug_admin.part_url(corpus["drug"], part) for part in drug_admin.parts}
    ContentType.objects.get_for_models(*REGISTERED)
    before = {name: count_queries(client, url) for name, url in urls.items()}

    grow(corpus)

    after = {name: count_queries(client, url) for name, url in urls.items()}
    assert after == before
    assert {name: count for name, count in after.items() if count > PART_QUERY_CEILING} == {}


def test_add_pages_load(client, superuser, corpus):
    client.force_login(superuser)

    for model in (Drug, Trial):
        assert client.get(admin_url(model, "add")).status_code == 200


@pytest.mark.parametrize(
    ("model_name", "query", "expected"),
    [
        ("monographs.Drug", "Nexavar", "sorafenib"),
        ("monographs.Drug", "L01EX02", "sorafenib"),
        ("trials.Trial", "NCT00105443", "SHARP"),
        ("monographs.AdverseEventTerm", "hand-foot", "Palmar-plantar"),
        ("monographs.Citation", "10.1056/NEJMoa0708857", "Llovet JM (2008)"),
    ],
)
def test_search_finds_rows_by_their_names_and_identifiers(
    client, superuser, model_name, query, expected
):
    from django.apps import apps

    drug = DrugFactory(inn="sorafenib", slug="sorafenib", atc_code="L01EX02")
    DrugNameFactory(drug=drug, name="Nexavar")
    DrugFactory(inn="imatinib", slug="imatinib", atc_code="L01EA01")
    TrialFactory(acronym="SHARP", nct_id="NCT00105443")
    TrialFactory(acronym="AP", nct_id="NCT00492752")
    AdverseEventTermFactory(
        name="Palmar-plantar erythrodysesthesia syndrome", synonyms=["hand-foot skin reaction"]
    )
    AdverseEventTermFactory(name="Diarrhea", synonyms=["diarrhoea"])
    CitationFactory(key="llovet-2008", doi="10.1056/NEJMoa0708857")
    CitationFactory(key="cheng-2009", doi="10.1016/S1470-2045(08)70285-7")
    model = apps.get_model(model_name)
    client.force_login(superuser)

    response = client.get(admin_url(model, "changelist"), {"q": query})

    results = [str(row) for row in response.context["cl"].result_list]
    assert len(results) == 1
    assert expected in results[0]


@pytest.mark.parametrize(
    ("model_name", "field_name", "term", "expected"),
    [
        ("druginteraction", "interacting_drug", "sora", "sorafenib"),
        ("drugname", "citation", "llovet", "Llovet JM (2008) Sorafenib"),
        ("drugadverseevent", "term", "hyper", "Hypertension"),
        ("approval", "condition", "hepato", "Hepatocellular carcinoma"),
        ("drugtarget", "target", "VEGFR", "KDR"),
    ],
)
def test_autocomplete_finds_drugs_citations_terms_conditions_and_targets(
    client, superuser, model_name, field_name, term, expected, django_assert_max_num_queries
):
    DrugFactory(inn="sorafenib", slug="sorafenib")
    DrugFactory(inn="imatinib", slug="imatinib")
    CitationFactory(key="llovet-2008", title="Sorafenib in advanced HCC")
    CitationFactory(key="cheng-2009", title="Asia-Pacific")
    AdverseEventTermFactory(name="Hypertension")
    AdverseEventTermFactory(name="Fatigue")
    ConditionFactory(name="Hepatocellular carcinoma", slug="hcc")
    ConditionFactory(name="Renal cell carcinoma", slug="rcc")
    from tests.factories import TargetFactory

    TargetFactory(symbol="KDR", aliases=["VEGFR-2"])
    TargetFactory(symbol="BRAF", aliases=["B-Raf"])
    client.force_login(superuser)

    with django_assert_max_num_queries(6):
        response = client.get(
            reverse("admin:autocomplete"),
            {
                "app_label": "monographs",
                "model_name": model_name,
                "field_name": field_name,
                "term": term,
            },
        )

    assert response.status_code == 200
    texts = [result["text"] for result in response.json()["results"]]
    assert len(texts) == 1
    assert expected in texts[0]


def test_the_change_list_shows_status_badges_and_filters_by_status(client, superuser, corpus):
    client.force_login(superuser)

    listing = client.get(admin_url(Drug, "changelist"))
    drafts = client.get(admin_url(Drug, "changelist"), {"status__exact": Status.DRAFT})

    html = listing.content.decode()
    assert 'class="editorial-status editorial-status--draft">Draft<' in html
    assert 'class="editorial-status editorial-status--published">Published<' in html
    assert [drug.slug for drug in drafts.context["cl"].result_list] == ["sorafenib"]


@pytest.mark.parametrize("view", ["add", "change", "delete"])
def test_the_published_record_is_read_only_even_for_superusers(client, superuser, corpus, view):
    publication = Publication.objects.filter(kind="drug").first()
    client.force_login(superuser)
    model_admin = admin.site._registry[Publication]
    request = client.get("/").wsgi_request
    request.user = superuser

    permission = getattr(model_admin, f"has_{view}_permission")

    assert permission(request, publication) is False
    assert model_admin.has_view_permission(request, publication) is True


def test_a_publication_page_shows_its_frozen_document(client, superuser, corpus):
    publication = Publication.objects.get(kind="drug", root_id=corpus["drug"].pk)
    client.force_login(superuser)

    response = client.get(admin_url(Publication, "change", publication.pk))
    refused = client.post(admin_url(Publication, "change", publication.pk), {"title": "Edited"})

    assert response.status_code == 200
    assert "&quot;slug&quot;: &quot;sorafenib&quot;" in response.content.decode()
    assert refused.status_code == 403
    assert Publication.objects.get(pk=publication.pk).title == publication.title


def test_a_published_root_cannot_be_deleted_only_withdrawn(client, superuser, corpus):
    client.force_login(superuser)

    response = client.get(admin_url(Drug, "delete", corpus["drug"].pk))
    actions = client.get(admin_url(Drug, "changelist")).context["action_form"]

    assert response.status_code == 403
    assert "delete_selected" not in dict(actions.fields["action"].choices)


def test_a_validation_message_says_what_to_fix(client, superuser):
    drug = DrugFactory()
    approval = ApprovalFactory(drug=drug, year=2007)
    client.force_login(superuser)
    url = admin_url(type(approval), "change", approval.pk)
    data = {
        "drug": drug.pk,
        "agency": "FDA",
        "indication": "HCC",
        "year": "2005",
        "approved_on": "2007-11-16",
        "position": "0",
        "root_lock_version": str(Drug.objects.get(pk=drug.pk).lock_version),
    }

    response = client.post(url, data)

    assert response.status_code == 200
    assert "The year must match the approval date." in response.content.decode()
