"""Adverse-event terms and references: public only through the live entries that use them.

Both pages are built from the current publications' documents (or the read tables copied
from them at publish), never from the vocabulary tables, so a term or a source appears
exactly as reviewed, and only while something live mentions it.
"""

from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import capfirst

from monographs.charts.incidence import (
    IncidenceRow,
    drawn_rows,
    incidence_chart,
    trial_incidence_rows,
)
from monographs.figures import as_entered, stated_number, trial_incidence
from monographs.figures import incidence as incidence_figure
from monographs.links import url_with_argument
from monographs.models.citations import standing_text
from monographs.models.experience import DrugAdverseEvent
from monographs.publishing.models import Entry
from monographs.search import search_documents_of_kind
from monographs.selectors import TermMentions, entries_mentioning, term_mentions
from monographs.site.invalidation import term_page_key
from monographs.stated import stated_text
from monographs.templatetags.public_site import cite_in_text, severe_scope
from monographs.views.conditional import site_page
from monographs.views.presentation import Crumb, breadcrumbs, entry_url, reference_links
from monographs.views.structured_data import reference_json_ld
from trials.models import TrialAdverseEvent, TrialPublication

ROWS_PER_PAGE = 100
# A term page shows the trials most recently published; a common term has thousands.
TRIALS_PER_TERM_PAGE = 50
# Rows of figures a term's chart draws at most (two bars each); past that it is not drawn.
TERM_CHART_ROWS = 60
FREQUENCY_LABELS = dict(DrugAdverseEvent.FrequencyBand.choices)
GRADE_SCOPE_LABELS = dict(TrialAdverseEvent.GradeScope.choices)
TRIAL_PUBLICATION_ROLES = dict(TrialPublication.Role.choices)


def _entry_name(entry: Entry, document: dict[str, Any]) -> str:
    if entry.kind == "trial" and document.get("acronym"):
        return document["acronym"]
    return capfirst(entry.title)


def short_citation(reference: dict[str, Any]) -> str:
    """'Llovet JM et al., 2008' style: enough to recognise a source in a table cell."""
    authors = reference.get("authors") or []
    who = reference.get("group_author") or ""
    if authors:
        who = authors[0] + (" et al." if len(authors) > 1 else "")
    year = reference.get("year")
    if who:
        return f"{who}, {year}" if year else who
    title = reference.get("title") or reference["key"]
    return title if len(title) <= 60 else title[:59].rstrip() + "…"


def _source_cell(
    source: dict[str, Any] | None, reference: dict[str, Any] | None
) -> dict[str, str] | None:
    """A figure's source for a table cell: the cited reference's short form and the locator."""
    if not source:
        return None
    return {
        "key": source["citation"],
        "url": url_with_argument("monographs:reference_detail", source["citation"]),
        "label": short_citation(reference) if reference else source["citation"],
        "locator": source.get("locator") or "",
    }


def _source_label(row: dict[str, Any], document: dict[str, Any]) -> dict[str, str] | None:
    source = row.get("source")
    if not source:
        return None
    reference = next(
        (r for r in document.get("references") or [] if r["key"] == source["citation"]), None
    )
    return _source_cell(source, reference)


def _percent(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _stated_pair(incidence: Any, column: str) -> list[Any]:
    """A read-table incidence pair as its source states it (18.0 stays 18.0)."""
    places = incidence.stated_places or {}
    return [
        stated_number(
            _percent(getattr(incidence, f"{column}_{end}")), places.get(f"{column}_{end}")
        )
        for end in ("low", "high")
    ]


def _term_merged(term: dict[str, Any], more: dict[str, Any]) -> dict[str, Any]:
    """The term as the first source gave it, with what it left empty filled from the next."""
    return {**more, **{name: value for name, value in term.items() if value}}


def term_incidence(slug: str, mentions: TermMentions) -> dict[str, Any]:
    """What the live documents report about one adverse-event term, drug by drug and arm by arm.

    Each row carries its figures formatted once, for the table and the chart alike: a common
    term has hundreds of rows, and formatting them in the template's loop cost more than
    the figures themselves.
    """
    term: dict[str, Any] = {}
    drugs, trials = [], []
    for incidence in mentions.drug_incidences:
        term = _term_merged(
            term,
            {
                "name": incidence.term_name,
                "slug": incidence.term_slug,
                "synonyms": incidence.term_synonyms,
                "system_organ_class": incidence.system_organ_class,
            },
        )
        ae = {
            "context": incidence.context,
            "any_grade": _stated_pair(incidence, "any_grade"),
            "any_grade_bound": incidence.any_grade_bound,
            "grade_3_plus": _stated_pair(incidence, "grade_3_plus"),
            "grade_3_plus_bound": incidence.grade_3_plus_bound,
            "grade_3_plus_scope": incidence.grade_3_plus_scope,
        }
        any_grade = incidence_figure(ae["any_grade"], ae["any_grade_bound"])
        severe = incidence_figure(ae["grade_3_plus"], ae["grade_3_plus_bound"])
        drugs.append(
            {
                "name": capfirst(incidence.drug_name),
                "url": entry_url("drug", incidence.drug_slug),
                "ae": ae,
                "population": stated_text(incidence.context, fact="population"),
                "any_grade": any_grade,
                "any_grade_text": any_grade.text(),
                "severe": severe,
                "severe_text": severe.text(),
                "severe_scope": severe_scope(ae),
                "source": _source_cell(incidence.source, incidence.source_reference),
                "frequency": FREQUENCY_LABELS.get(incidence.frequency_band, "")
                if incidence.frequency_band
                else "",
                "frequency_band": incidence.frequency_band,
            }
        )
    for entry in mentions.trials:
        document = entry.document_members
        # Only the term's rows are shown: reading every row's figures as stated was work
        # thrown away for the trial's other events, a score of them each.
        reported = [ae for ae in document.get("adverse_events") or [] if ae["term"]["slug"] == slug]
        for ae in as_entered({"adverse_events": reported})["adverse_events"]:
            term = _term_merged(term, ae["term"])
            figure = trial_incidence(ae)
            trials.append(
                {
                    "entry": entry,
                    "name": _entry_name(entry, document),
                    "url": entry_url(entry.kind, entry.slug),
                    "ae": ae,
                    "arm": stated_text(ae.get("arm"), fact="arm"),
                    "figure_text": "" if figure.is_empty else figure.text(),
                    "source": _source_label(ae, document),
                    "grade": GRADE_SCOPE_LABELS.get(ae.get("grade_scope"), ae.get("grade_scope")),
                    "note": _note_on_entry_page(
                        ae.get("note"),
                        references=document.get("references"),
                        url=entry_url(entry.kind, entry.slug),
                    ),
                }
            )
    return {
        "term": term,
        "drugs": drugs,
        "trials": trials,
        "drug_count": mentions.drug_count,
        "trial_count": mentions.trial_count,
        "trials_shown": len(mentions.trials),
    }


def _note_on_entry_page(note: str | None, *, references, url: str) -> str:
    """An entry's editorial note on a figure, its citations linked to the entry's own
    reference list (the numbers are that page's)."""
    if not note:
        return ""
    linked = str(cite_in_text(note, references))
    return mark_safe(linked.replace('href="#ref-', f'href="{escape(url)}#ref-'))  # noqa: S308


def term_chart(term_name: str, drugs: list[dict], trials: list[dict]) -> dict[str, Any] | None:
    """The incidence chart of a term, or `too_many` when it would draw more than
    TERM_CHART_ROWS rows of figures: a term reported with hundreds of drugs drew as many rows
    of bars, 600 kB of SVG that no reader could compare, and a quarter of the page's time."""
    rows = [
        IncidenceRow(
            group=row["name"],
            label=row["population"],
            any_grade=row["any_grade"],
            severe=row["severe"],
            severe_scope=GRADE_SCOPE_LABELS.get(
                row["ae"]["grade_3_plus_scope"] or "grade_3_plus", "Grade ≥3"
            ),
        )
        for row in drugs
    ]
    rows += trial_incidence_rows((row["name"], row["arm"], row["ae"]) for row in trials)
    if len(drawn_rows(rows)) > TERM_CHART_ROWS:
        return {"too_many": True}
    return incidence_chart(
        rows,
        title=f"Reported incidence of {term_name.lower()}, in %",
        after="The tables below give each figure with its source.",
    )


@site_page
def adverse_event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    mentions = term_mentions(slug=slug, trial_limit=TRIALS_PER_TERM_PAGE)
    if not mentions.drug_incidences and not mentions.trials:
        raise Http404(f"No published entry reports the adverse event '{slug}'.")
    incidence = term_incidence(slug, mentions)
    name = capfirst(incidence["term"].get("name", slug))
    response = render(
        request,
        "monographs/adverse_event_detail.html",
        {
            **incidence,
            "title": name,
            "chart": term_chart(name, incidence["drugs"], incidence["trials"]),
            "canonical_path": request.path,
            "section": "adverse_events",
            "breadcrumbs": breadcrumbs(
                Crumb("Adverse events", reverse("monographs:adverse_event_list")), Crumb(name)
            ),
        },
    )
    response["Surrogate-Key"] = response["Cache-Tag"] = term_page_key(slug)
    return response


def _reference_uses(key: str, entry: Entry) -> dict[str, Any]:
    """How one live entry uses a reference: its number there, its role, how many figures."""
    document = entry.current.document
    number = next((r["number"] for r in document.get("references") or [] if r["key"] == key), None)
    figures = sum(
        1
        for value in document.values()
        if isinstance(value, list)
        for row in value
        if isinstance(row, dict) and (row.get("source") or {}).get("citation") == key
    )
    role = next(
        (
            TRIAL_PUBLICATION_ROLES.get(p["role"], p["role"])
            for p in document.get("publications") or []
            if p["citation"] == key
        ),
        "",
    )
    return {
        "entry": entry,
        "name": _entry_name(entry, document),
        "title": entry.title,
        "url": entry_url(entry.kind, entry.slug),
        "number": number,
        "figures": figures,
        "role": role,
    }


@site_page
def reference_detail(request: HttpRequest, key: str) -> HttpResponse:
    mentions = entries_mentioning(facet="citation", value=key)
    if not mentions:
        raise Http404(f"No published entry cites '{key}'.")
    latest = max(mentions, key=lambda entry: entry.last_published_at)
    reference = next(r for r in latest.current.document["references"] if r["key"] == key)
    return render(
        request,
        "monographs/reference_detail.html",
        {
            "reference": reference,
            "title": reference.get("title") or key,
            "links": reference_links(reference),
            "standing": standing_text(reference),
            "uses": [_reference_uses(key, entry) for entry in mentions],
            "json_ld": reference_json_ld(request, reference),
            "canonical_path": request.path,
            "section": "references",
            "breadcrumbs": breadcrumbs(
                Crumb("References", reverse("monographs:reference_list")),
                Crumb(reference.get("title") or key),
            ),
        },
    )


def _index_page(
    request: HttpRequest, *, kind: str, template: str, label: str, url_name: str, section: str
) -> HttpResponse:
    page = Paginator(search_documents_of_kind(kind).order_by("title"), ROWS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        template,
        {
            "page": page,
            "canonical_path": reverse(url_name),
            "section": section,
            "breadcrumbs": breadcrumbs(Crumb(label)),
        },
    )


@site_page
def adverse_event_list(request: HttpRequest) -> HttpResponse:
    return _index_page(
        request,
        kind="adverse_event",
        template="monographs/adverse_event_list.html",
        label="Adverse events",
        url_name="monographs:adverse_event_list",
        section="adverse_events",
    )


@site_page
def reference_list(request: HttpRequest) -> HttpResponse:
    return _index_page(
        request,
        kind="reference",
        template="monographs/reference_list.html",
        label="References",
        url_name="monographs:reference_list",
        section="references",
    )
