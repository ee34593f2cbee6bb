"""Site-wide pages: home, about and editorial policy, search, robots.txt."""

from collections import Counter
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.text import Truncator, capfirst

from monographs.editorial.checks import ERROR, WARNING
from monographs.editorial.roles import (
    EDITOR,
    EDITOR_WORKFLOW_PERMISSIONS,
    REVIEWER,
    REVIEWER_WORKFLOW_PERMISSIONS,
    reviewers_listed,
)
from monographs.editorial.services.review import REVIEW_INTERVAL
from monographs.editorial.services.transitions import FOUR_EYES_TRANSITIONS, TRANSITIONS
from monographs.publishing.cache import response_store_from_miss
from monographs.search import entry_search_page
from monographs.search.results import SearchResult
from monographs.search.vocabulary import search_vocabulary_generation
from monographs.selectors import drugs_most_documented, entry_counts
from monographs.views.conditional import site_page
from monographs.views.filters import SearchForm
from monographs.views.presentation import Crumb, breadcrumbs, entry_url
from trials.selectors import trials_latest
from trials.views.presentation import trial_name

SEARCH_RESULTS = 100
HOME_DRUGS = 6
HOME_TRIALS = 6


@site_page
def home(request: HttpRequest) -> HttpResponse:
    """The way in: the fullest monographs, the latest trials, and who checks them."""
    drugs = [
        {"entry": entry, "url": entry_url("drug", entry.slug), "document": entry.document_members}
        for entry in drugs_most_documented(limit=HOME_DRUGS)
    ]
    trials = [
        {
            "entry": entry,
            "url": entry_url("trial", entry.slug),
            "document": entry.document_members,
            "name": trial_name(entry.document_members),
        }
        for entry in trials_latest(limit=HOME_TRIALS)
    ]
    return render(
        request,
        "home.html",
        {
            "drugs": drugs,
            "trials": trials,
            "counts": entry_counts(),
            "canonical_path": reverse("monographs:home"),
            "is_home": True,
        },
    )


def _workflow_steps() -> list[dict[str, object]]:
    """Each step of review as the workflow defines it: who may take it, and whether the
    four-eyes rule applies to it."""
    roles = {
        **{f"monographs.{name}": EDITOR for name in EDITOR_WORKFLOW_PERMISSIONS},
        **{f"monographs.{name}": REVIEWER for name in REVIEWER_WORKFLOW_PERMISSIONS},
    }
    return [
        {
            "label": transition.label,
            "role": roles.get(transition.permission, ""),
            "four_eyes": name in FOUR_EYES_TRANSITIONS,
        }
        for name, transition in TRANSITIONS.items()
    ]


def _reviewers(request: HttpRequest) -> tuple[list[str], int]:
    """Read once per request, so that the page's validator and the page name the same
    reviewers (and a render costs one query for them, not two)."""
    if not hasattr(request, "reviewers_listed"):
        request.reviewers_listed = reviewers_listed()
    return request.reviewers_listed


def _reviewers_shown(request: HttpRequest) -> str:
    return repr(_reviewers(request))


@site_page(also_shows=_reviewers_shown)
def about(request: HttpRequest) -> HttpResponse:
    """Who stands behind the content and how it is checked, stated from the rules the
    workflow enforces (its steps, roles, the four-eyes rule, the review interval)."""
    named, unnamed = _reviewers(request)
    return render(
        request,
        "about.html",
        {
            "steps": _workflow_steps(),
            "editor_role": EDITOR,
            "reviewer_role": REVIEWER,
            "review_interval_days": REVIEW_INTERVAL.days,
            "reviewers": named,
            "unnamed_reviewers": unnamed,
            "finding_levels": {"error": ERROR, "warning": WARNING},
            "corrections_email": settings.CORRECTIONS_EMAIL,
            "canonical_path": reverse("monographs:about"),
            "breadcrumbs": breadcrumbs(Crumb("About and editorial policy")),
            "section": "about",
        },
    )


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask /favicon.ico whatever the page links; send them to the icon."""
    return HttpResponsePermanentRedirect(static("img/favicon-32.png"))


def search_rows(results: list[SearchResult]) -> list[dict[str, Any]]:
    """Each result as the search page prints it, written once here rather than piece by
    piece in the template's loop over up to 100 results; a kind's label is looked up once."""
    labels: dict[str, str] = {}
    rows = []
    for result in results:
        if result.kind not in labels:
            labels[result.kind] = str(result.kind_label)
        rows.append(
            {
                "kind": result.kind,
                "kind_label": labels[result.kind],
                "description": Truncator(result.description).chars(140),
                "url": result.url,
                "title": capfirst(result.title),
                "snippet": result.snippet,
            }
        )
    return rows


def _query_reading(request: HttpRequest) -> str:
    """The vocabulary's generation when there is a query: a synonym added since changes what
    the same query finds."""
    return search_vocabulary_generation() if request.GET.get("q", "").strip() else ""


@site_page(also_shows=_query_reading)
def search(request: HttpRequest) -> HttpResponse:
    """Ranked results across kinds; a tab per kind shows how many of each were found.

    A query that finds nothing as typed is searched with its misspellings corrected, and
    the page says so ("did you mean").
    """
    form = SearchForm(request.GET)
    query, kind = form.chosen_query(), form.chosen_kind()
    found = (
        entry_search_page(query=query, limit=SEARCH_RESULTS, with_total=False) if query else None
    )
    results = found.results if found else []
    counts = Counter(result.kind for result in results)
    shown = [result for result in results if not kind or result.kind == kind]
    response = render(
        request,
        "monographs/search.html",
        {
            "form": form,
            "query": query,
            "suggestion": found.suggestion if found else None,
            "kind": kind,
            "results": shown,
            "rows": search_rows(shown),
            "total": len(results),
            "counts": counts,
            "kinds": form.fields["kind"].choices[1:],
            "canonical_path": reverse("monographs:search"),
            "breadcrumbs": breadcrumbs(Crumb("Search")),
            "noindex": True,
        },
    )
    if query:
        response_store_from_miss(response, settings.PUBLISHED_RESPONSE_CACHE_SEARCH_MISSES)
    return response


def robots_txt(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "robots.txt",
        {"sitemap_url": request.build_absolute_uri(reverse("monographs:sitemap"))},
        content_type="text/plain; charset=utf-8",
    )
