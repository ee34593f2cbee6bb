"""The monograph as a reader meets it: answers at a glance, each fact once, honest short
entries, and links between drugs that work from both ends."""

import pytest
from django.urls import reverse

from monographs.editorial.services.edits import root_record_edit
from monographs.editorial.services.publish import root_import_publish
from monographs.editorial.services.withdrawal import root_withdraw
from monographs.models import Condition
from monographs.publishing.models import Entry
from monographs.selectors import DRUG_MENTION_FACETS
from monographs.views.glance import COMMONEST_EVENTS, monograph_glance
from monographs.views.monograph import prose_beyond_tables
from tests.factories import (
    AdverseEventTermFactory,
    CitationFactory,
    DrugAdverseEventFactory,
    DrugFactory,
    DrugInteractionFactory,
    MonographSectionFactory,
    SubsequentTherapyFactory,
    UserFactory,
)
from tests.monographs.test_views import assert_constant_queries, grow_corpus, text_of
from tests.site.corpus import drug_with_monograph, published_drug

# These read what the template was given: the live render, the one stored pages come from.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pages_rendered_live")]


def page(client, slug: str):
    response = client.get(reverse("monographs:drug_detail", args=[slug]))
    assert response.status_code == 200
    return response


def glance_html(response) -> str:
    html = response.content.decode()
    start = html.index('id="glance"')
    return html[start : html.index("</section>", start)]


# --- at a glance ---------------------------------------------------------------------------


def test_the_top_of_a_monograph_answers_from_its_rows_with_their_sources(client):
    published_drug(inn="sorafenib", slug="sorafenib")
    response = page(client, "sorafenib")
    document = response.context["document"]

    glance = glance_html(response)
    titles = [part.title for part in response.context["glance"]]
    assert titles == [
        "Usual dose",
        "Commonest adverse events (any grade)",
        "Warnings that need monitoring",
        "Interactions to check",
        "If it stops working",
    ]
    assert "400 mg twice daily, oral (800 mg a day)" in glance
    assert "Blood pressure weekly for the first 6 weeks" in glance
    assert document["subsequent_therapies"][0]["therapy"] in glance
    for part in response.context["glance"]:
        assert f'href="#{part.anchor}"' in glance, part.title
        assert f'id="{part.anchor}"' in response.content.decode(), part.title
        for line in part.lines:
            assert line.sources, f"{part.title}: {line.lead} has no source"
    assert glance.count('class="source"') >= len(titles)


def test_the_commonest_adverse_events_are_the_highest_stated_figures_each_term_once():
    terms = [AdverseEventTermFactory() for _ in range(COMMONEST_EVENTS + 2)]
    rows = [
        {
            "term": {"slug": term.slug, "name": term.name},
            "context": f"study {index}",
            "any_grade": [index * 5, index * 5],
            "any_grade_bound": "",
            "source": {"citation": "x", "number": 1},
        }
        for index, term in enumerate(terms, start=1)
    ]
    rows.append({**rows[0], "any_grade": [90, 95], "context": "the highest, for the first term"})
    rows.append({**rows[1], "any_grade": [None, None], "context": "nothing stated"})
    sections = {"adverse_events": ("section-adverse_events", "Adverse events")}

    (part,) = monograph_glance({"adverse_events": rows}, sections=sections)

    assert len(part.lines) == COMMONEST_EVENTS
    assert part.lines[0].lead.endswith("90–95%")
    assert part.lines[0].detail == "the highest, for the first term"
    leads = [line.lead.split(":")[0] for line in part.lines]
    assert len(set(leads)) == len(leads)


def test_a_monograph_without_rows_for_a_part_leaves_the_part_out():
    (part,) = monograph_glance(
        {
            "warnings": [
                {"topic": "Bleeding", "monitoring": "", "source": {}},
                {"topic": "Hypertension", "monitoring": "Blood pressure weekly.", "source": {}},
            ]
        },
        sections={"warnings": ("section-warnings", "Warnings and precautions")},
    )

    assert part.title == "Warnings that need monitoring"
    assert [line.lead for line in part.lines] == ["Hypertension"]


# --- said once -----------------------------------------------------------------------------


def test_prose_restated_by_a_table_keeps_only_what_the_table_cannot_carry():
    html = (
        '<p>When it stops working <sup class="citations">[<a href="#ref-3">3</a>]</sup>:</p>\n'
        "<table>\n<tr><td>HCC</td><td>lenvatinib</td></tr>\n</table>\n"
        "<ul>\n<li>one<ul><li>nested</li></ul></li>\n<li>two</li>\n</ul>\n"
        '<p><sup class="citations">[<a href="#ref-1">1</a>]</sup></p>\n'
        "<p>In GIST the order is reversed.</p>"
    )

    kept = prose_beyond_tables(html)

    assert "When it stops working" in kept and "In GIST the order is reversed." in kept
    assert "<table" not in kept and "<li>" not in kept and "nested" not in kept
    assert 'href="#ref-1"' not in kept


def test_a_warnings_list_is_shown_once_as_its_table(client):
    drug = drug_with_monograph(inn="sorafenib", slug="sorafenib")
    MonographSectionFactory(
        drug=drug,
        kind="warnings",
        body="- **Hypertension**: measure blood pressure.\n\nAll from the label.",
    )
    root_import_publish(root=drug, note="test")

    response = page(client, "sorafenib")

    (block,) = [b for b in response.context["outline"] if b.kind == "warnings"]
    assert "measure blood pressure" not in block.html
    assert "All from the label." in block.html
    assert block.tables == ["warnings"]
    text = text_of(response)
    assert text.count("Blood pressure weekly for the first 6 weeks, then regularly.") == 2, (
        "once in its table, once at a glance"
    )


def test_adverse_events_sharing_a_context_state_it_once(client):
    drug = drug_with_monograph(inn="sorafenib", slug="sorafenib")
    source = CitationFactory()
    for _ in range(3):
        DrugAdverseEventFactory(
            drug=drug, term=AdverseEventTermFactory(), context="Shared study", citation=source
        )
    root_import_publish(root=drug, note="test")

    html = page(client, "sorafenib").content.decode()

    table = html[html.index('id="ae-caption"') :]
    table = table[: table.index("</table>")]
    assert table.count("Shared study") == 1


# --- short entries and links both ways --------------------------------------------------


@pytest.fixture
def warfarin():
    return published_drug(inn="warfarin", slug="warfarin")


@pytest.fixture
def mentioned_by_sorafenib(warfarin):
    """Sorafenib names warfarin in an interaction and a stub drug as an option after it."""
    lenvatinib = DrugFactory(inn="lenvatinib", slug="lenvatinib", summary="Kinase inhibitor.")
    root_import_publish(root=lenvatinib, note="stub")
    sorafenib = drug_with_monograph(inn="sorafenib", slug="sorafenib")
    DrugInteractionFactory(
        drug=sorafenib,
        interacting_drug=warfarin,
        interacting_agent="",
        effect="Occasional bleeding or rises in INR.",
        management="Check the INR regularly.",
        citation=None,
    )
    SubsequentTherapyFactory(
        drug=sorafenib,
        therapy_drug=lenvatinib,
        therapy="",
        setting="Disease progressing on sorafenib",
        condition=Condition.objects.get_or_create(
            slug="hepatocellular-carcinoma",
            defaults={"name": "Hepatocellular carcinoma", "abbreviation": "HCC"},
        )[0],
        citation=None,
    )
    root_import_publish(root=sorafenib, note="test")
    return {"sorafenib": sorafenib, "warfarin": warfarin, "lenvatinib": lenvatinib}


def test_a_drug_known_only_from_mentions_is_a_short_entry_saying_where(
    client, mentioned_by_sorafenib
):
    response = page(client, "lenvatinib")

    html = response.content.decode()
    text = text_of(response)
    assert response.context["is_stub"] is True
    assert "Drug · short entry" in text
    assert "Drug monograph" not in text
    assert '<nav class="toc"' not in html
    assert 'id="glance"' not in html
    assert (
        "An option after sorafenib in hepatocellular carcinoma (HCC): "
        "Disease progressing on sorafenib" in text
    )
    assert 'href="/drugs/sorafenib/#section-subsequent_therapy"' in html


def test_an_interaction_shows_from_both_drugs_pages(client, mentioned_by_sorafenib):
    sorafenib = page(client, "sorafenib").content.decode()
    warfarin = page(client, "warfarin")

    assert 'href="/drugs/warfarin/"' in sorafenib
    text = text_of(warfarin)
    assert "Interacts with sorafenib: Occasional bleeding or rises in INR." in text
    assert "Check the INR regularly." in text
    assert 'href="/drugs/sorafenib/#section-interactions"' in warfarin.content.decode()


def test_a_full_monograph_lists_the_monographs_that_mention_it(client, mentioned_by_sorafenib):
    imatinib = drug_with_monograph(inn="imatinib", slug="imatinib")
    SubsequentTherapyFactory(
        drug=imatinib, therapy_drug=mentioned_by_sorafenib["sorafenib"], therapy="", citation=None
    )
    root_import_publish(root=imatinib, note="test")

    response = page(client, "sorafenib")

    assert [m.drug_title for m in response.context["mentions"]] == ["Imatinib"]
    assert 'href="#mentions"' in response.content.decode()


def test_a_mention_only_a_draft_makes_never_shows(client, mentioned_by_sorafenib):
    sorafenib, warfarin = mentioned_by_sorafenib["sorafenib"], mentioned_by_sorafenib["warfarin"]
    draft = drug_with_monograph(inn="draftinib", slug="draftinib")
    DrugInteractionFactory(drug=draft, interacting_drug=warfarin, effect="UNREVIEWED effect.")
    SubsequentTherapyFactory(
        drug=sorafenib, therapy_drug=warfarin, therapy="", setting="UNREVIEWED setting"
    )
    root_record_edit(root=sorafenib, user=None)

    text = text_of(page(client, "warfarin"))

    assert "UNREVIEWED" not in text
    assert "draftinib" not in text.lower()
    assert "Interacts with sorafenib" in text


def test_a_withdrawn_drug_no_longer_mentions_anything(client, mentioned_by_sorafenib):
    root_withdraw(
        root=mentioned_by_sorafenib["sorafenib"],
        user=UserFactory(is_superuser=True),
        reason="Under correction.",
    )

    response = page(client, "warfarin")

    assert response.context["mentions"] == []
    assert "Interacts with sorafenib" not in text_of(response)


def test_mentions_cost_no_query_more_as_they_grow(
    client, django_assert_max_num_queries, mentioned_by_sorafenib
):
    warfarin = mentioned_by_sorafenib["warfarin"]

    def more_mentions():
        grow_corpus(mentioned_by_sorafenib["sorafenib"])
        for _ in range(3):
            other = drug_with_monograph()
            DrugInteractionFactory(drug=other, interacting_drug=warfarin, citation=None)
            SubsequentTherapyFactory(drug=other, therapy_drug=warfarin, citation=None)
            root_import_publish(root=other, note="mentions warfarin")

    assert_constant_queries(
        client,
        django_assert_max_num_queries,
        reverse("monographs:drug_detail", args=["warfarin"]),
        more_mentions,
    )
    assert len(page(client, "warfarin").context["mentions"]) == 4


def test_publishing_writes_a_facet_for_each_drug_a_monograph_names(mentioned_by_sorafenib):
    publication = Entry.objects.get(kind="drug", slug="sorafenib").current
    facets = set(publication.facets.values_list("name", "value"))

    mentions = {(name, value) for name, value in facets if name in DRUG_MENTION_FACETS}
    assert mentions == {("interacts_with", "warfarin"), ("followed_by", "lenvatinib")}, (
        "rows naming an agent or a therapy, not a drug, write none"
    )
