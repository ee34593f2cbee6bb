"""Drug pages: the A-Z list, the monograph, and its version history."""

from collections.abc import Sequence
from itertools import groupby
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import capfirst

from monographs.charts.drawing import charts_numbered_afresh
from monographs.figures import as_entered
from monographs.publishing.models import Entry, Publication
from monographs.selectors import (
    DRUG_FILTERS,
    DRUG_LIST_MEMBERS,
    drug_mentions,
    drug_slugs_named,
    drug_trials,
    entry_version,
    entry_versions,
    facet_options,
    live_entries,
    references_resolve,
)
from monographs.site.rendering import RenderedPage, entry_key, page_render, stored_render_request
from monographs.views.conditional import entry_page, site_page, stored_entry_page
from monographs.views.filters import FacetFilterForm
from monographs.views.glance import monograph_glance
from monographs.views.monograph import (
    FREQUENCY_LABELS,
    adverse_event_chart,
    adverse_event_groups,
    drug_mention_list,
    hazard_ratio_chart,
    identifier_links,
    monograph_is_stub,
    monograph_outline,
    trial_summaries,
)
from monographs.views.presentation import (
    Crumb,
    breadcrumbs,
    citation_text,
    entry_breadcrumbs,
    entry_display_title,
    entry_url,
    version_context,
    version_url,
)
from monographs.views.structured_data import drug_json_ld

DRUGS_PER_PAGE = 100
# The most recent trials a monograph page shows; the trial list, filtered by drug, has all.
DRUG_PAGE_TRIALS = 20


def drug_referenced_slugs(document: dict[str, Any]) -> list[str]:
    """The drugs a monograph's rows name, linked on its page while they are live."""
    return [
        row[key]["slug"]
        for table, key in (
            ("interactions", "interacting_drug"),
            ("subsequent_therapies", "therapy_drug"),
        )
        for row in document.get(table) or []
        if row.get(key)
    ]


def drug_page_context(
    request: HttpRequest,
    *,
    entry: Entry,
    publication: Publication,
    trials: list[Entry],
    mentions: list[Entry] = (),
    named: Sequence[str] = (),
) -> dict[str, Any]:
    """What the monograph template needs from one publication's document.

    The admin renders a draft's preview through this too, so reviewers see exactly the
    page that would go live. Links to other drugs are resolved against what is live now,
    and `mentions` (from drug_mentions) are what other live monographs say about this drug,
    by any slug it is `named` (drug_slugs_named; its own slug when not given).
    """
    document = as_entered(publication.document)
    title = capfirst(document["title"])
    linked = references_resolve(drug_slugs=drug_referenced_slugs(document))
    names_by_kind: dict[str, list[str]] = {}
    for name in document.get("names") or []:
        names_by_kind.setdefault(name["kind"], []).append(name["name"])
    canonical = entry_url("drug", entry.slug)
    outline = monograph_outline(document)
    return {
        "entry": entry,
        "document": document,
        "title": title,
        "names_by_kind": names_by_kind,
        "identifiers": identifier_links(document),
        "frequency_labels": FREQUENCY_LABELS,
        "section": "drugs",
        "outline": outline,
        "is_stub": monograph_is_stub(document),
        "glance": monograph_glance(
            document, sections={block.kind: (block.anchor, block.title) for block in outline}
        ),
        "mentions": drug_mention_list(named or [document["slug"]], list(mentions)),
        "linked_drugs": linked.drugs,
        "adverse_event_chart": adverse_event_chart(document),
        "adverse_event_groups": adverse_event_groups(document),
        "trials": trial_summaries(trials),
        "hazard_ratio_chart": hazard_ratio_chart(title, trials),
        "citation": citation_text(request, entry=entry, publication=publication, title=title),
        "json_ld": drug_json_ld(
            request,
            document=publication.document,
            publication=publication,
            url=canonical,
            uid=entry.uid,
            live_drug_slugs=linked.drug_slugs(),
        ),
    }


def drug_page_render(*, entry: Entry) -> RenderedPage:
    """The current monograph page of a live drug, as stored at publish and as rendered when
    no stored copy exists: one function for both, so the two can never differ."""
    with charts_numbered_afresh():
        canonical = entry_url("drug", entry.slug)
        request = stored_render_request(canonical)
        # Read once for the trials, the mentions and their rows: a version of another entry
        # published before this drug was renamed names it by its old slug.
        named = drug_slugs_named(entry.slug)
        trials = drug_trials(slug=entry.slug, limit=DRUG_PAGE_TRIALS + 1, named=named)
        mentions = drug_mentions(slug=entry.slug, named=named)
        context = drug_page_context(
            request,
            entry=entry,
            publication=entry.current,
            trials=trials[:DRUG_PAGE_TRIALS],
            mentions=mentions,
            named=named,
        )
        context |= version_context(entry=entry, publication=entry.current)
        context |= {
            "canonical_path": canonical,
            "breadcrumbs": entry_breadcrumbs(entry),
            "more_trials_url": f"{reverse('trials:trial_list')}?drug={entry.slug}"
            if len(trials) > DRUG_PAGE_TRIALS
            else "",
        }
        linked = set(context["linked_drugs"])
        referenced = set(drug_referenced_slugs(context["document"]))
        return page_render(
            request,
            "monographs/drug_detail.html",
            context,
            shows=[entry_key("drug", entry.slug)]
            + [entry_key("trial", trial.slug) for trial in trials]
            + [entry_key("drug", mention.slug) for mention in mentions],
            links=[entry_key("drug", context["linked_drugs"][slug].slug) for slug in linked],
            names=[entry_key("drug", slug) for slug in referenced - linked],
        )


drug_detail = stored_entry_page("drug", render=drug_page_render)


@entry_page("drug")
def drug_version_detail(request: HttpRequest, *, entry: Entry, version: int) -> HttpResponse:
    """An old version exactly as published, clearly marked when a newer one replaced it."""
    versions = entry_versions(entry=entry)
    if version == entry.current.version:
        publication = entry.current
    else:
        publication = entry_version(entry=entry, version=version)
    if publication is None:
        raise Http404(f"{entry.title} has no version {version}.")
    is_current = publication.pk == entry.current_id
    named = drug_slugs_named(entry.slug) if is_current else [entry.slug]
    context = drug_page_context(
        request,
        entry=entry,
        publication=publication,
        trials=[],
        mentions=drug_mentions(slug=entry.slug, named=named) if is_current else (),
        named=named,
    )
    context |= version_context(entry=entry, publication=publication, versions=versions)
    context |= {
        "canonical_path": entry_url("drug", entry.slug) if is_current else request.path,
        "breadcrumbs": entry_breadcrumbs(
            entry,
            Crumb("Versions", reverse("monographs:drug_versions", args=[entry.slug])),
            Crumb(f"Version {publication.version}"),
        ),
        "is_version_page": True,
    }
    return render(request, "monographs/drug_detail.html", context)


def version_list(request: HttpRequest, *, entry: Entry, kind: str) -> HttpResponse:
    """The version history page of an entry of any kind, newest first."""
    versions = entry_versions(entry=entry)
    rows = [
        {
            "publication": publication,
            "url": version_url(kind, entry.slug, publication.version),
            "is_current": publication.pk == entry.current_id,
        }
        for publication in versions
    ]
    return render(
        request,
        "monographs/publication_list.html",
        {
            "entry": entry,
            "title": entry_display_title(entry),
            "rows": rows,
            "current_url": entry_url(kind, entry.slug),
            "canonical_path": request.path,
            "section": "drugs" if kind == "drug" else "trials",
            "breadcrumbs": entry_breadcrumbs(entry, Crumb("Versions")),
        },
    )


@entry_page("drug")
def drug_versions(request: HttpRequest, *, entry: Entry) -> HttpResponse:
    return version_list(request, entry=entry, kind="drug")


def drug_card(entry: Entry) -> dict[str, Any]:
    """A drug's card on the A-Z list, its lines written here rather than piece by piece in
    the template's loop over 100 cards (escaped whole, the same bytes: the separators hold
    nothing to escape)."""
    document = entry.document_members
    names = document.get("names") or []
    meta = document.get("drug_class") or ""
    if meta and document.get("targets"):
        meta += " · targets " + ", ".join(f"{t['symbol']}" for t in document["targets"])
    return {
        "entry": entry,
        "document": document,
        "letter": entry.title[:1].upper(),
        "url": entry_url("drug", entry.slug),
        "title": capfirst(entry.title),
        "names_listed": bool(names),
        "brands": [name["name"] for name in names if name["kind"] == "brand"],
        "meta": meta,
        "summary": document.get("summary") or "",
    }


@site_page
def drug_list(request: HttpRequest) -> HttpResponse:
    options = facet_options(kind="drug", names=list(DRUG_FILTERS))
    form = FacetFilterForm(request.GET, options=options, labels=DRUG_FILTERS)
    drugs = live_entries(kind="drug", facets=form.chosen()).with_document_members(
        *DRUG_LIST_MEMBERS
    )
    page = Paginator(drugs, DRUGS_PER_PAGE).get_page(request.GET.get("page"))
    drugs = [drug_card(entry) for entry in page.object_list]
    letters = [
        (letter, list(group)) for letter, group in groupby(drugs, key=lambda drug: drug["letter"])
    ]
    return render(
        request,
        "monographs/drug_list.html",
        {
            "form": form,
            "page": page,
            "letters": letters,
            "canonical_path": reverse("monographs:drug_list"),
            "section": "drugs",
            "breadcrumbs": breadcrumbs(Crumb("Drugs A–Z")),
            "query_without_page": form.query_without_page(),
        },
    )
