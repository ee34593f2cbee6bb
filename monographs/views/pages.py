"""Site-wide pages: home, search, robots.txt."""

from collections import Counter

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from monographs.search import entry_search_page
from monographs.selectors import (
    entries_recently_published,
    entries_recently_updated,
    entry_counts,
)
from monographs.views.conditional import site_page
from monographs.views.filters import SearchForm
from monographs.views.presentation import Crumb, breadcrumbs, entry_url

SEARCH_RESULTS = 100


def _with_urls(entries) -> list[dict]:
    return [{"entry": entry, "url": entry_url(entry.kind, entry.slug)} for entry in entries]


@site_page
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "home.html",
        {
            "recently_published": _with_urls(entries_recently_published()),
            "recently_updated": _with_urls(entries_recently_updated()),
            "counts": entry_counts(),
            "canonical_path": reverse("monographs:home"),
            "is_home": True,
        },
    )


@site_page
def search(request: HttpRequest) -> HttpResponse:
    """Ranked results across kinds; a tab per kind shows how many of each were found.

    A query that finds nothing as typed is searched with its misspellings corrected, and
    the page says so ("did you mean").
    """
    form = SearchForm(request.GET)
    query, kind = form.chosen_query(), form.chosen_kind()
    found = entry_search_page(query=query, limit=SEARCH_RESULTS) if query else None
    results = found.results if found else []
    counts = Counter(result.kind for result in results)
    shown = [result for result in results if not kind or result.kind == kind]
    return render(
        request,
        "monographs/search.html",
        {
            "form": form,
            "query": query,
            "suggestion": found.suggestion if found else None,
            "kind": kind,
            "results": shown,
            "total": len(results),
            "counts": counts,
            "kinds": form.fields["kind"].choices[1:],
            "canonical_path": reverse("monographs:search"),
            "breadcrumbs": breadcrumbs(Crumb("Search")),
            "noindex": True,
        },
    )


def robots_txt(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "robots.txt",
        {"sitemap_url": request.build_absolute_uri(reverse("monographs:sitemap"))},
        content_type="text/plain; charset=utf-8",
    )
