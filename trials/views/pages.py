"""Trial pages: the filterable list, the trial summary and its version history."""

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import cached_property

from monographs.charts.drawing import charts_numbered_afresh
from monographs.figures import as_entered
from monographs.publishing.models import Entry, Publication
from monographs.selectors import entry_version, entry_versions, references_resolve
from monographs.site.rendering import RenderedPage, entry_key, page_render, stored_render_request
from monographs.views import version_list
from monographs.views.conditional import entry_page, site_page, stored_entry_page
from monographs.views.filters import FacetFilterForm
from monographs.views.presentation import (
    Crumb,
    breadcrumbs,
    citation_text,
    entry_breadcrumbs,
    entry_url,
    version_context,
)
from monographs.views.structured_data import trial_json_ld
from trials.selectors import TRIAL_FILTERS, trial_count, trial_filter_options, trial_list_page
from trials.selectors import trial_list as trials_filtered
from trials.views.presentation import (
    ARM_ROLES,
    MASKING_LABELS,
    adverse_event_chart,
    adverse_event_table,
    median_charts,
    outcome_columns,
    outcome_rows,
    publication_rows,
    trial_card,
    trial_description,
    trial_name,
)

TRIALS_PER_PAGE = 50


class CountedPaginator(Paginator):
    """A paginator told its count: the list's ordered query joins an index that counting
    every match does not need, and the count is shared by all pages of a filter."""

    def __init__(self, object_list, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self) -> int:
        return self.known_count


def trial_referenced_slugs(document: dict[str, Any]) -> list[str]:
    """The drugs a trial studies, linked on its page while they are live."""
    return [drug["slug"] for drug in document.get("drugs") or []]


def trial_page_context(
    request: HttpRequest, *, entry: Entry, publication: Publication
) -> dict[str, Any]:
    """What the trial template needs from one publication; the admin preview uses it too."""
    document = as_entered(publication.document)
    outcomes = outcome_rows(document)
    linked = references_resolve(drug_slugs=trial_referenced_slugs(document))
    canonical = entry_url("trial", entry.slug)
    return {
        "entry": entry,
        "document": document,
        "title": trial_name(document),
        "description": trial_description(document),
        "linked_drugs": linked.drugs,
        "masking": MASKING_LABELS.get(document.get("masking"), ""),
        "arm_roles": ARM_ROLES,
        "median_charts": median_charts(document),
        "outcomes": outcomes,
        "outcome_columns": outcome_columns(outcomes),
        "section": "trials",
        "adverse_events": adverse_event_table(document),
        "adverse_event_chart": adverse_event_chart(document),
        "publications": publication_rows(document),
        "citation": citation_text(
            request, entry=entry, publication=publication, title=trial_name(document)
        ),
        "json_ld": trial_json_ld(
            request,
            document=publication.document,
            publication=publication,
            url=canonical,
            uid=entry.uid,
            live_drug_slugs=linked.drug_slugs(),
        ),
    }


def trial_page_render(*, entry: Entry) -> RenderedPage:
    """The current summary page of a live trial, as stored at publish and as rendered when
    no stored copy exists: one function for both, so the two can never differ."""
    with charts_numbered_afresh():
        canonical = entry_url("trial", entry.slug)
        request = stored_render_request(canonical)
        context = trial_page_context(request, entry=entry, publication=entry.current)
        context |= version_context(entry=entry, publication=entry.current)
        context |= {"canonical_path": canonical, "breadcrumbs": entry_breadcrumbs(entry)}
        linked = set(context["linked_drugs"])
        referenced = set(trial_referenced_slugs(context["document"]))
        return page_render(
            request,
            "trials/trial_detail.html",
            context,
            shows=[entry_key("trial", entry.slug)],
            links=[entry_key("drug", context["linked_drugs"][slug].slug) for slug in linked],
            names=[entry_key("drug", slug) for slug in referenced - linked],
        )


trial_detail = stored_entry_page("trial", render=trial_page_render)


@entry_page("trial")
def trial_version_detail(request: HttpRequest, *, entry: Entry, version: int) -> HttpResponse:
    """An old version exactly as published, clearly marked when a newer one replaced it."""
    versions = entry_versions(entry=entry)
    if version == entry.current.version:
        publication = entry.current
    else:
        publication = entry_version(entry=entry, version=version)
    if publication is None:
        raise Http404(f"{entry.title} has no version {version}.")
    context = trial_page_context(request, entry=entry, publication=publication)
    context |= version_context(entry=entry, publication=publication, versions=versions)
    is_current = publication.pk == entry.current_id
    context |= {
        "canonical_path": entry_url("trial", entry.slug) if is_current else request.path,
        "breadcrumbs": entry_breadcrumbs(
            entry,
            Crumb("Versions", reverse("trials:trial_versions", args=[entry.slug])),
            Crumb(f"Version {publication.version}"),
        ),
        "is_version_page": True,
    }
    return render(request, "trials/trial_detail.html", context)


@entry_page("trial")
def trial_versions(request: HttpRequest, *, entry: Entry) -> HttpResponse:
    return version_list(request, entry=entry, kind="trial")


@site_page
def trial_list(request: HttpRequest) -> HttpResponse:
    options = trial_filter_options()
    form = FacetFilterForm(request.GET, options=options, labels=TRIAL_FILTERS)
    chosen = form.chosen()
    paginator = CountedPaginator(
        trials_filtered(facets=chosen), TRIALS_PER_PAGE, count=trial_count(facets=chosen)
    )
    page = paginator.get_page(request.GET.get("page"))
    trials = [
        {
            "entry": entry,
            "url": entry_url("trial", entry.slug),
            **trial_card(entry.document_members),
        }
        for entry in trial_list_page(page.object_list)
    ]
    return render(
        request,
        "trials/trial_list.html",
        {
            "form": form,
            "page": page,
            "trials": trials,
            "canonical_path": reverse("trials:trial_list"),
            "section": "trials",
            "breadcrumbs": breadcrumbs(Crumb("Trials")),
            "query_without_page": form.query_without_page(),
        },
    )
