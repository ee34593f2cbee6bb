"""The pages' schema.org structured data, checked against the vocabulary itself.

schemaorg_vocabulary.json holds the part of schema.org (release 29.4) our pages use: each
type's supertypes and the properties whose domain names it, and the members of the
enumerations we use. A property is valid on a node when its type or any supertype declares
it; a type missing from the file fails the check until the file is extended from schema.org.
"""

import json
import re
from functools import cache
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.urls import reverse

from monographs.editorial.services.publish import root_import_publish
from monographs.publishing.models import Entry
from tests.factories import (
    CitationFactory,
    DrugFactory,
    DrugInteractionFactory,
    MonographSectionFactory,
)
from tests.site.corpus import published_drug, published_trial

pytestmark = pytest.mark.django_db

VOCABULARY = Path(__file__).with_name("schemaorg_vocabulary.json")
ENUMERATED = {"trialDesign": "MedicalTrialDesign"}
OUR_HOST = "testserver"


@cache
def vocabulary() -> dict[str, Any]:
    return json.loads(VOCABULARY.read_text())


@cache
def properties_of(type_name: str) -> frozenset[str]:
    """Every property a type accepts: its own and those of all its supertypes."""
    types = vocabulary()["types"]
    if type_name not in types:
        raise AssertionError(
            f"schema.org type {type_name!r} is not in {VOCABULARY.name}: add it from schema.org"
        )
    accepted = set(types[type_name]["properties"])
    for parent in types[type_name]["subClassOf"]:
        accepted |= properties_of(parent)
    return frozenset(accepted)


def violations(node: Any, where: str = "$") -> list[str]:
    """What in this JSON-LD is not valid schema.org: unknown properties, empty values,
    values outside an enumeration."""
    found: list[str] = []
    if isinstance(node, list):
        for index, item in enumerate(node):
            found += violations(item, f"{where}[{index}]")
        return found
    if not isinstance(node, dict):
        return found
    type_name = node.get("@type")
    accepted = properties_of(type_name) if type_name else frozenset()
    for key, value in node.items():
        if value in (None, "", [], {}):
            found.append(f"{where}.{key} is empty")
        if key.startswith("@"):
            if key == "@graph":
                found += violations(value, f"{where}.@graph")
            continue
        if type_name is None:
            if set(node) != {"@id"}:
                found.append(f"{where} has properties but no @type")
            continue
        if key not in accepted:
            found.append(f"{where}: {key!r} is not a property of {type_name}")
        if key in ENUMERATED:
            members = vocabulary()["enumerations"][ENUMERATED[key]]
            for member in value if isinstance(value, list) else [value]:
                if member.removeprefix("https://schema.org/") not in members:
                    found.append(f"{where}.{key}: {member} is not a {ENUMERATED[key]}")
        found += violations(value, f"{where}.{key}")
    return found


def json_ld_blocks(response) -> list[dict[str, Any]]:
    return [
        json.loads(block)
        for block in re.findall(
            r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
        )
    ]


def nodes(data: Any):
    """Every node with a @type, however deep."""
    if isinstance(data, list):
        for item in data:
            yield from nodes(item)
    elif isinstance(data, dict):
        if "@type" in data:
            yield data
        for value in data.values():
            yield from nodes(value)


def node_of_type(blocks: list[dict[str, Any]], type_name: str) -> dict[str, Any]:
    found = [node for node in nodes(blocks) if node["@type"] == type_name and "@id" in node]
    assert len(found) == 1, f"expected one {type_name} node, found {len(found)}"
    return found[0]


# --- the check itself ----------------------------------------------------------------


def test_the_check_refuses_what_schema_org_does_not_define():
    assert violations({"@type": "Drug", "name": "x", "mechanismOfAction": "y"}) == []
    assert violations({"@type": "Drug", "version": "1"}) == [
        "$: 'version' is not a property of Drug"
    ]
    assert violations({"@type": "MedicalTrial", "phase": "Phase 3"}) == [
        "$: 'phase' is not a property of MedicalTrial"
    ]
    assert violations({"@type": "Drug", "identifier": []}) == ["$.identifier is empty"]
    assert violations(
        {"@type": "MedicalTrial", "trialDesign": ["https://schema.org/RandomisedTrial"]}
    ) == ["$.trialDesign: https://schema.org/RandomisedTrial is not a MedicalTrialDesign"]
    with pytest.raises(AssertionError, match="not in schemaorg_vocabulary.json"):
        violations({"@type": "Recipe", "name": "x"})


def test_inheritance_reaches_thing_and_creative_work():
    assert {"name", "identifier", "sameAs"} <= properties_of("Drug")
    assert {"version", "dateModified", "citation", "about"} <= properties_of("MedicalWebPage")
    assert "version" not in properties_of("Drug")
    assert "dateModified" not in properties_of("MedicalTrial")


# --- every public page of the seed corpus ---------------------------------------------


@pytest.fixture
def seed_corpus(db):
    call_command("load_seeds", stdout=StringIO())


def public_paths() -> list[str]:
    entries = Entry.objects.live()
    paths = [
        reverse("monographs:home"),
        reverse("monographs:drug_list"),
        reverse("trials:trial_list"),
        reverse("monographs:adverse_event_list"),
        reverse("monographs:reference_list"),
        reverse("monographs:about"),
        reverse("monographs:search") + "?q=sorafenib",
    ]
    paths += [reverse("monographs:drug_detail", args=[e.slug]) for e in entries.filter(kind="drug")]
    paths += [reverse("trials:trial_detail", args=[e.slug]) for e in entries.filter(kind="trial")]
    paths += [
        reverse("monographs:reference_detail", args=[key])
        for key in entries.filter(kind="trial", current__facets__name="citation")
        .values_list("current__facets__value", flat=True)
        .distinct()[:10]
    ]
    return paths


def test_every_seed_page_has_valid_structured_data_and_breadcrumbs(client, seed_corpus):
    checked = 0
    for path in public_paths():
        response = client.get(path)
        assert response.status_code == 200, path
        blocks = json_ld_blocks(response)
        problems = violations(blocks)
        assert problems == [], f"{path}: {problems}"
        if path != "/":
            trail = [block for block in blocks if block.get("@type") == "BreadcrumbList"]
            assert len(trail) == 1, f"{path} has breadcrumbs but no BreadcrumbList"
            items = trail[0]["itemListElement"]
            assert [item["position"] for item in items] == list(range(1, len(items) + 1))
            assert items[-1]["item"] == f"http://testserver{path.split('?')[0]}"
        checked += 1
    assert checked > 40


def test_the_flagship_monograph_describes_the_drug_not_the_page(client, seed_corpus):
    blocks = json_ld_blocks(client.get("/drugs/sorafenib/"))

    page = node_of_type(blocks, "MedicalWebPage")
    drug = node_of_type(blocks, "Drug")
    assert page["about"] == {"@id": drug["@id"]}
    assert page["version"] and page["dateModified"]
    assert {"version", "dateModified", "citation"}.isdisjoint(drug)
    assert "RAF" in drug["mechanismOfAction"]
    assert {
        "@type": "RecommendedDoseSchedule",
        "doseValue": 400,
        "doseUnit": "mg",
        "frequency": "twice daily",
        "targetPopulation": "Advanced hepatocellular carcinoma",
    } in drug["doseSchedule"]
    interacting = {d["name"]: d.get("url") for d in drug["interactingDrug"]}
    assert interacting["Warfarin"] == "http://testserver/drugs/warfarin/"
    assert "Nexavar" in drug["proprietaryName"]


def test_references_point_at_the_source_never_at_our_pages(client, seed_corpus):
    blocks = json_ld_blocks(client.get("/drugs/sorafenib/"))
    cited = node_of_type(blocks, "MedicalWebPage")["citation"]

    with_url = [source for source in cited if "url" in source]
    assert with_url, "no reference of the monograph has an address"
    for source in with_url:
        assert urlsplit(source["url"]).hostname != OUR_HOST, source
    assert any(s["url"].startswith("https://doi.org/") for s in with_url)

    key = "zhu-2017-sorafenib-resistance"
    page_blocks = json_ld_blocks(client.get(f"/references/{key}/"))
    article = node_of_type(page_blocks, "ScholarlyArticle")
    assert article["url"] == "https://doi.org/10.1038/aps.2017.5"
    assert node_of_type(page_blocks, "WebPage")["url"] == f"http://testserver/references/{key}/"


def test_a_trial_states_its_design_and_phase(client, seed_corpus):
    blocks = json_ld_blocks(client.get("/trials/sharp/"))

    trial = node_of_type(blocks, "MedicalTrial")
    # The seeds do not state SHARP's masking, so no masking design is claimed.
    assert set(trial["trialDesign"]) == {
        "https://schema.org/RandomizedTrial",
        "https://schema.org/PlaceboControlledTrial",
    }
    assert trial["description"].startswith("Phase III trial")
    # The sources give SHARP no registry number: none is stated, not even an empty one.
    assert "identifier" not in trial and "sameAs" not in trial


# --- identifiers only when known --------------------------------------------------------


def test_a_drug_without_identifiers_states_none_and_one_with_them_states_each(client):
    bare = published_drug(atc_code="", drugbank_id="", unii="", rxcui="", ncit_code="")
    known = published_drug(atc_code="L01EX02", drugbank_id="DB99398", rxcui="9995881")

    bare_drug = node_of_type(json_ld_blocks(client.get(f"/drugs/{bare.slug}/")), "Drug")
    known_drug = node_of_type(json_ld_blocks(client.get(f"/drugs/{known.slug}/")), "Drug")

    assert {"identifier", "code", "rxcui", "sameAs"}.isdisjoint(bare_drug)
    assert {(i["propertyID"], i["value"]) for i in known_drug["identifier"]} >= {
        ("ATC", "L01EX02"),
        ("DrugBank", "DB99398"),
        ("RxCUI", "9995881"),
    }
    assert known_drug["rxcui"] == "9995881"
    assert "https://go.drugbank.com/drugs/DB99398" in known_drug["sameAs"]
    assert violations(json_ld_blocks(client.get(f"/drugs/{bare.slug}/"))) == []


def test_an_interaction_with_a_drug_not_live_names_it_without_an_address(client):
    drug = published_drug()
    draft = DrugFactory(inn="draftinib")
    DrugInteractionFactory(drug=drug, interacting_drug=draft, interacting_agent="")
    root_import_publish(root=drug, note="interaction")

    blocks = json_ld_blocks(client.get(f"/drugs/{drug.slug}/"))

    assert {"@type": "Drug", "name": "Draftinib"} in node_of_type(blocks, "Drug")["interactingDrug"]


def test_a_source_without_an_address_has_no_url(client):
    citation = CitationFactory(doi=None, pmid=None, pmcid=None, url="", title="An unlinked note")
    drug = published_drug()
    MonographSectionFactory(drug=drug, kind="other", body=f"Unlinked [@{citation.key}].")
    root_import_publish(root=drug, note="source")

    page = node_of_type(json_ld_blocks(client.get(f"/drugs/{drug.slug}/")), "MedicalWebPage")

    unlinked = [source for source in page["citation"] if source["name"] == citation.title]
    assert unlinked and "url" not in unlinked[0]


def test_a_trial_built_by_the_factories_validates(client):
    drug = published_drug()
    trial = published_trial(drugs=[drug])

    blocks = json_ld_blocks(client.get(f"/trials/{trial.slug}/"))

    assert violations(blocks) == []
    assert node_of_type(blocks, "MedicalTrial")["studySubject"] == [
        {
            "@type": "Drug",
            "name": drug.inn.capitalize(),
            "url": f"http://testserver/drugs/{drug.slug}/",
        }
    ]
