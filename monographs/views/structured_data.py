"""schema.org structured data for the public pages, checked against the vocabulary in tests.

Each entry page describes itself as a MedicalWebPage (the CreativeWork: its version, dates,
sources) about the thing it presents (a Drug, a MedicalTrial, a ScholarlyArticle), so no
CreativeWork property is put on the drug or the trial themselves. Nodes are linked by @id
inside one @graph. Only facts the document holds are stated: a property without a value is
left out, never written empty. A reference's `url` is where the source can be read (its
DOI, PubMed record or publisher's page), never our own page about it.
"""

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.text import capfirst

from monographs.figures import plain_number
from monographs.publishing.models import Publication
from monographs.richtext import plain_text
from monographs.stated import is_not_stated, stated_member
from monographs.views.monograph import identifier_links
from monographs.views.presentation import SITE_NAME, Crumb, entry_url, reference_links

CONTEXT = "https://schema.org"
LANGUAGE = "en-GB"
DRUG_IDENTIFIERS = {
    "atc_code": "ATC",
    "drugbank_id": "DrugBank",
    "unii": "UNII",
    "rxcui": "RxCUI",
    "ncit_code": "NCIt",
}
# Our design words and the members of schema.org's MedicalTrialDesign enumeration.
TRIAL_DESIGNS = {
    "randomised": "https://schema.org/RandomizedTrial",
    "placebo_controlled": "https://schema.org/PlaceboControlledTrial",
    "double_blind": "https://schema.org/DoubleBlindedTrial",
    "single_blind": "https://schema.org/SingleBlindedTrial",
    "open_label": "https://schema.org/OpenTrial",
}
SCHOLARLY_KINDS = {"journal_article", "review", "article"}


def _compact(node: dict[str, Any]) -> dict[str, Any]:
    """The node without properties that have no value: nothing is stated empty."""
    return {key: value for key, value in node.items() if value not in (None, "", [], {})}


def _site(request: HttpRequest) -> dict[str, Any]:
    return {
        "@type": "WebSite",
        "name": SITE_NAME,
        "url": request.build_absolute_uri(reverse("monographs:home")),
    }


def source_node(reference: dict[str, Any]) -> dict[str, Any]:
    """A cited source, pointing at where it can be read; its first link is its `url`."""
    links = list(dict.fromkeys(url for _, url in reference_links(reference)))
    kind = "ScholarlyArticle" if reference.get("kind") in SCHOLARLY_KINDS else "CreativeWork"
    identifiers = [
        {"@type": "PropertyValue", "propertyID": name.upper(), "value": reference[name]}
        for name in ("doi", "pmid", "pmcid")
        if reference.get(name)
    ]
    authors = [{"@type": "Person", "name": name} for name in reference.get("authors") or []]
    if reference.get("group_author"):
        authors.append({"@type": "Organization", "name": reference["group_author"]})
    periodical = None
    if reference.get("journal"):
        periodical = _compact(
            {"@type": "Periodical", "name": reference["journal"], "issn": reference.get("issn")}
        )
    return _compact(
        {
            "@type": kind,
            "name": reference.get("title") or reference.get("key"),
            "url": links[0] if links else None,
            "sameAs": links[1:],
            "identifier": identifiers,
            "author": authors,
            "datePublished": str(reference["year"]) if reference.get("year") else None,
            "isPartOf": periodical,
        }
    )


def _page(
    request: HttpRequest,
    *,
    url: str,
    name: str,
    about: dict[str, Any],
    publication: Publication | None = None,
    references: list[dict[str, Any]] | None = None,
    uid: Any = None,
    page_type: str = "MedicalWebPage",
) -> dict[str, Any]:
    """The page itself: what it is about, which version it shows and what it cites."""
    absolute = request.build_absolute_uri(url)
    page: dict[str, Any] = {
        "@type": page_type,
        "@id": f"{absolute}#page",
        "url": absolute,
        "name": name,
        "inLanguage": LANGUAGE,
        "isPartOf": _site(request),
        "about": {"@id": about["@id"]},
        "mainEntity": {"@id": about["@id"]},
        "identifier": (
            [{"@type": "PropertyValue", "propertyID": "uuid", "value": str(uid)}] if uid else []
        ),
        "citation": [source_node(reference) for reference in references or []],
    }
    if publication is not None:
        page |= {
            "version": str(publication.version),
            "dateModified": publication.published_at.isoformat(),
            "lastReviewed": publication.published_at.date().isoformat(),
        }
    return _compact(page)


def _mechanism(document: dict[str, Any]) -> str:
    """The mechanism section as plain text, or the targets it acts on when none is written."""
    for section in document.get("sections") or []:
        if section.get("kind") == "mechanism" and section.get("body"):
            return plain_text(section["body"])
    targets = [
        f"{target['symbol']} ({target['action']})" if target.get("action") else target["symbol"]
        for target in document.get("targets") or []
    ]
    return f"Acts on {', '.join(targets)}." if targets else ""


def _json_number(value: Any) -> int | float | None:
    """A figure as a JSON number, with the digits the formatter gives it."""
    if value is None or value == "":
        return None
    text = plain_number(value)
    return float(text) if "." in text else int(text)


def _dose_schedule(row: dict[str, Any]) -> dict[str, Any]:
    return _compact(
        {
            "@type": "RecommendedDoseSchedule",
            "doseValue": _json_number(row.get("dose_amount")),
            "doseUnit": row.get("dose_unit"),
            "frequency": row.get("frequency"),
            "targetPopulation": row.get("indication"),
        }
    )


def _drug_mention(
    request: HttpRequest, drug: dict[str, str], live: Mapping[str, str]
) -> dict[str, Any]:
    """Another drug by name, with the address of its monograph while that is live (`live`:
    each slug named -> where it is live now, references_resolve)."""
    url = entry_url("drug", live[drug["slug"]]) if drug["slug"] in live else None
    return _compact(
        {
            "@type": "Drug",
            "name": capfirst(drug["name"]),
            "url": request.build_absolute_uri(url) if url else None,
        }
    )


def drug_json_ld(
    request: HttpRequest,
    *,
    document: dict[str, Any],
    publication: Publication,
    url: str,
    uid: Any = None,
    live_drug_slugs: Mapping[str, str] = MappingProxyType({}),
) -> dict[str, Any]:
    """A MedicalWebPage about a Drug: its names, codes, mechanism, doses and interactions."""
    absolute = request.build_absolute_uri(url)
    identifiers = document.get("identifiers") or {}
    names = document.get("names") or []
    formulations = document.get("formulations") or []
    drug = _compact(
        {
            "@type": "Drug",
            "@id": f"{absolute}#drug",
            "name": capfirst(document["title"]),
            "url": absolute,
            "nonProprietaryName": document.get("inn"),
            "proprietaryName": sorted({n["name"] for n in names if n["kind"] == "brand"}),
            "alternateName": [n["name"] for n in names if n["kind"] != "brand"],
            "description": document.get("summary"),
            "drugClass": (
                {"@type": "DrugClass", "name": document["drug_class"]}
                if document.get("drug_class")
                else None
            ),
            "code": (
                {
                    "@type": "MedicalCode",
                    "codeValue": identifiers["atc_code"],
                    "codingSystem": "ATC",
                }
                if identifiers.get("atc_code")
                else None
            ),
            "rxcui": identifiers.get("rxcui"),
            "identifier": [
                {"@type": "PropertyValue", "propertyID": label, "value": identifiers[name]}
                for name, label in DRUG_IDENTIFIERS.items()
                if identifiers.get(name)
            ],
            "sameAs": [link["url"] for link in identifier_links(document)],
            "mechanismOfAction": _mechanism(document),
            "administrationRoute": sorted({f["route"] for f in formulations if f.get("route")}),
            "dosageForm": sorted({f["dosage_form"] for f in formulations if f.get("dosage_form")}),
            "doseSchedule": [_dose_schedule(row) for row in document.get("dose_regimens") or []],
            # A class of drugs ("QT-prolonging drugs") is not a Drug: only named drugs.
            "interactingDrug": [
                _drug_mention(request, drug, live_drug_slugs)
                for drug in {
                    row["interacting_drug"]["slug"]: row["interacting_drug"]
                    for row in document.get("interactions") or []
                    if row.get("interacting_drug")
                }.values()
            ],
        }
    )
    page = _page(
        request,
        url=url,
        name=f"{drug['name']}: drug monograph",
        about=drug,
        publication=publication,
        references=document.get("references"),
        uid=uid,
    )
    return {"@context": CONTEXT, "@graph": [page, drug]}


def _trial_description(document: dict[str, Any]) -> str:
    """Phase, design and population in words: schema.org's MedicalTrial has no phase property."""
    phase = stated_member(document, "phase")
    design = stated_member(document, "design")
    parts = [
        phase if is_not_stated(document["phase"]) else f"{phase} trial",
        design if is_not_stated(document["design"]) else f"Design: {design.lower()}",
    ]
    if document.get("population"):
        parts.append(f"Population: {document['population']}")
    return ". ".join(parts) + ("." if parts else "")


def trial_json_ld(
    request: HttpRequest,
    *,
    document: dict[str, Any],
    publication: Publication,
    url: str,
    uid: Any = None,
    live_drug_slugs: Mapping[str, str] = MappingProxyType({}),
) -> dict[str, Any]:
    """A MedicalWebPage about a MedicalTrial: its registry record, design, phase and subjects."""
    absolute = request.build_absolute_uri(url)
    designs = [name for name in ("randomised", "placebo_controlled") if document.get(name)]
    if document.get("masking") in TRIAL_DESIGNS:
        designs.append(document["masking"])
    nct = document.get("nct_id")
    trial = _compact(
        {
            "@type": "MedicalTrial",
            "@id": f"{absolute}#trial",
            "name": document["title"],
            "alternateName": document.get("acronym"),
            "url": absolute,
            "description": _trial_description(document),
            "identifier": (
                [{"@type": "PropertyValue", "propertyID": "NCT", "value": nct}] if nct else []
            ),
            "sameAs": f"https://clinicaltrials.gov/study/{nct}" if nct else None,
            "trialDesign": [TRIAL_DESIGNS[name] for name in designs],
            "healthCondition": [
                _compact(
                    {
                        "@type": "MedicalCondition",
                        "name": condition["name"],
                        "alternateName": condition.get("abbreviation"),
                    }
                )
                for condition in document.get("conditions") or []
            ],
            "studySubject": [
                _drug_mention(request, drug, live_drug_slugs)
                for drug in document.get("drugs") or []
            ],
            "sponsor": (
                {"@type": "Organization", "name": document["sponsor"]}
                if document.get("sponsor")
                else None
            ),
        }
    )
    page = _page(
        request,
        url=url,
        name=document.get("acronym") or document["title"],
        about=trial,
        publication=publication,
        references=document.get("references"),
        uid=uid,
    )
    return {"@context": CONTEXT, "@graph": [page, trial]}


def reference_json_ld(request: HttpRequest, reference: dict[str, Any]) -> dict[str, Any]:
    """Our page about a source, and the source itself at its own address."""
    source = source_node(reference) | {"@id": f"{request.build_absolute_uri(request.path)}#source"}
    source["headline"] = (reference.get("title") or reference["key"])[:110]
    page = _page(
        request,
        url=request.path,
        name=reference.get("title") or reference["key"],
        about=source,
        page_type="WebPage",
    )
    return {"@context": CONTEXT, "@graph": [page, source]}


def breadcrumb_json_ld(request: HttpRequest, crumbs: list[Crumb]) -> dict[str, Any]:
    """The page's breadcrumbs; the last one, the page itself, at the address it was asked at."""
    return {
        "@context": CONTEXT,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": crumb.label,
                "item": request.build_absolute_uri(crumb.url or request.path),
            }
            for position, crumb in enumerate(crumbs, start=1)
        ],
    }
