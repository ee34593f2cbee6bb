"""Admin pages of the importers: add citations from identifiers or files, import a trial.

A citation import is shown as a preview first; the records the editor saw travel back,
signed, in the confirming form, and only then are written. A trial import writes a draft
at once (the review of that draft is the preview) and lands on the trial's page.
"""

from typing import Any

from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from monographs.editorial.services.edits import root_record_edit
from monographs.importing.citations import (
    CREATE,
    UPDATE,
    PlannedCitation,
    citation_records_fetch,
    citations_import,
    citations_import_plan,
)
from monographs.importing.errors import ImportProblem, ImportProblems, ServiceUnavailable
from monographs.importing.forms import CitationImportForm, TrialImportForm
from monographs.importing.parsers import parse_file
from monographs.importing.preview import describe_record
from monographs.importing.records import CitationRecord
from monographs.importing.study_plans import study_fetch, study_read
from monographs.importing.trials import trial_import_study
from monographs.models import Citation
from trials.models import Trial, TrialPublication

SIGNING_SALT = "monographs.importing.citations"
PREVIEW_MAX_AGE = 60 * 60  # seconds an editor has to confirm a preview


def _context(request: HttpRequest, title: str, **extra: Any) -> dict[str, Any]:
    return {**admin.site.each_context(request), "title": title, **extra}


def _problems(error: ImportProblem) -> list[str]:
    if isinstance(error, ImportProblems):
        return [p.describe() for p in error.problems]
    return [error.describe()]


def _trial_from(request: HttpRequest) -> Trial | None:
    """The trial whose publications the imported citations join, when the page was opened
    from a trial import (?trial=<id>)."""
    trial_id = request.POST.get("trial") or request.GET.get("trial")
    if not trial_id or not str(trial_id).isdigit():
        return None
    if not request.user.has_perm("trials.change_trial"):
        raise PermissionDenied
    return get_object_or_404(Trial, pk=trial_id)


def citation_import_view(request: HttpRequest) -> HttpResponse:
    if not (
        request.user.has_perm("monographs.add_citation")
        and request.user.has_perm("monographs.change_citation")
    ):
        raise PermissionDenied
    trial = _trial_from(request)
    title = "Add citations from DOI, PMID, PMCID or a reference file"
    if request.method == "POST" and "confirm" in request.POST:
        return _citation_confirm(request, trial)
    form = CitationImportForm(
        request.POST or None,
        request.FILES or None,
        initial={"identifiers": request.GET.get("identifiers", "")},
    )
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            records: list[CitationRecord] = []
            upload = form.cleaned_data.get("file")
            if upload:
                records += parse_file(upload.name, upload.read())
            known: list[PlannedCitation] = []
            if form.identifier_list():
                fetched, known = citation_records_fetch(identifiers=form.identifier_list())
                records += fetched
            plan = known + citations_import_plan(records=records)
        except ServiceUnavailable as error:
            problems = [str(error)]
        except ImportProblem as error:
            problems = ["Nothing was imported.", *_problems(error)]
        else:
            payload = signing.dumps(
                {
                    "records": [r.as_dict() for r in records],
                    "known": [p.existing.pk for p in known],
                },
                salt=SIGNING_SALT,
                compress=True,
            )
            return TemplateResponse(
                request,
                "admin/importing/citation_preview.html",
                _context(
                    request,
                    "Check the citations before they are written",
                    rows=[_preview_row(p) for p in plan],
                    payload=payload,
                    writes=sum(p.action in (CREATE, UPDATE) for p in plan),
                    trial=trial,
                ),
            )
    return TemplateResponse(
        request,
        "admin/importing/citation_import.html",
        _context(request, title, form=form, problems=problems, trial=trial),
    )


def _preview_row(planned: PlannedCitation) -> dict[str, Any]:
    existing = planned.existing
    return {
        "action": planned.action,
        "key": planned.key,
        "description": describe_record(planned),
        "where": f"{planned.record.source}, {planned.record.label}",
        "reason": planned.reason,
        "changes": ", ".join(planned.changes),
        "differences": [
            {"field": name, "old": old, "new": new}
            for name, (old, new) in planned.differences.items()
        ],
        "existing_url": reverse("admin:monographs_citation_change", args=(existing.pk,))
        if existing
        else "",
        "vancouver": _vancouver(planned),
    }


def _vancouver(planned: PlannedCitation) -> str:
    if planned.action == CREATE:
        return Citation(key=planned.key, **planned.record.values()).vancouver()
    return planned.existing.vancouver() if planned.existing else ""


def _citation_confirm(request: HttpRequest, trial: Trial | None) -> HttpResponse:
    try:
        data = signing.loads(request.POST.get("payload", ""), salt=SIGNING_SALT,
                             max_age=PREVIEW_MAX_AGE)  # fmt: skip
    except signing.SignatureExpired:
        messages.error(
            request, "The preview is over an hour old: nothing was written. Import again."
        )
        return redirect(request.path)
    except signing.BadSignature:
        messages.error(request, "The preview could not be read back: nothing was written.")
        return redirect(request.path)
    records = [CitationRecord.from_dict(r) for r in data["records"]]
    try:
        with transaction.atomic():
            result = citations_import(records=records, user=request.user)
            linked = _link_to_trial(
                trial,
                [*result.created, *result.updated,
                 *[p.existing for p in result.skipped if p.existing],
                 *Citation.objects.filter(pk__in=data.get("known") or [])],
                user=request.user,
            )  # fmt: skip
    except ImportProblem as error:
        for line in ["Nothing was imported.", *_problems(error)]:
            messages.error(request, line)
        return redirect(request.path)
    messages.success(request, f"Citations: {result.summary()}")
    for citation in result.created + result.updated:
        messages.info(
            request,
            format_html(
                '<a href="{}">{}</a>',
                reverse("admin:monographs_citation_change", args=(citation.pk,)),
                citation.vancouver(),
            ),
        )
    if trial is not None:
        if linked:
            messages.success(
                request,
                f"Linked to {trial} as its results publication: {', '.join(linked)}. "
                "The trial is a draft again.",
            )
        return redirect("admin:trials_trial_change", trial.pk)
    return redirect("admin:monographs_citation_changelist")


def _link_to_trial(trial: Trial | None, citations: list[Citation], *, user) -> list[str]:
    if trial is None:
        return []
    linked = []
    for citation in dict.fromkeys(citations):
        _, made = TrialPublication.objects.get_or_create(
            trial=trial, citation=citation, defaults={"role": TrialPublication.Role.PRIMARY}
        )
        if made:
            linked.append(citation.key)
    if linked:
        root_record_edit(root=trial, user=user)
    return linked


def trial_import_view(request: HttpRequest) -> HttpResponse:
    if not (
        request.user.has_perm("trials.add_trial") and request.user.has_perm("trials.change_trial")
    ):
        raise PermissionDenied
    form = TrialImportForm(
        request.POST or None,
        request.FILES or None,
        initial={"nct_id": request.GET.get("nct_id", "")},
    )
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            upload = form.cleaned_data.get("file")
            if upload:
                study = study_read(upload.name, upload.read())
                source = upload.name
            else:
                study = study_fetch(nct_id=form.cleaned_data["nct_id"])
                source = "ClinicalTrials.gov"
            result = trial_import_study(
                study=study,
                user=request.user,
                source=source,
                require_results=form.cleaned_data["require_results"],
            )
        except ServiceUnavailable as error:
            problems = [str(error)]
        except ImportProblem as error:
            problems = ["Nothing was imported.", *_problems(error)]
        else:
            messages.success(request, result.summary())
            for note in result.notes:
                messages.warning(request, note)
            for pmid in _missing_pmids(result.notes):
                messages.info(
                    request,
                    format_html(
                        'Its results paper: <a href="{}?identifiers={}&amp;trial={}">add PMID {} '
                        "and link it to this trial</a>.",
                        reverse("importing:citations"),
                        pmid,
                        result.trial.pk,
                        pmid,
                    ),
                )
            return redirect("admin:trials_trial_change", result.trial.pk)
    return TemplateResponse(
        request,
        "admin/importing/trial_import.html",
        _context(request, "Import a trial from its NCT number", form=form, problems=problems),
    )


def _missing_pmids(notes: list[str]) -> list[str]:
    prefix = "The registry lists PMID "
    return [n[len(prefix) :].split(" ", 1)[0] for n in notes if n.startswith(prefix)]
