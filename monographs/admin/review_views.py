"""The editorial admin's reading pages: revisions, compare, review (diff), preview and restore.

Each view calls one service and reports what it says; none decides a workflow rule itself.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache

from monographs.editorial.actions import RestoreAction
from monographs.editorial.diff import DERIVED_FIELDS, display_value, document_diff, section_title
from monographs.editorial.documents import document_hash
from monographs.editorial.exceptions import EditorialError
from monographs.editorial.models import Revision, Status
from monographs.editorial.selectors import approval_standing_or_void
from monographs.publishing.models import Entry, Publication
from monographs.views.presentation import entry_breadcrumbs, version_context

WORKING_COPY = "draft"


APPROVED = "approved"


REVISIONS_PER_PAGE = 50


def revision_label(revision: Revision) -> str:
    """A revision as its history lists it: number, standing, author and time."""
    who = revision.created_by.get_username() if revision.created_by_id else "the system"
    return (
        f"Revision {revision.pk} ({revision.standing}, {who}, "
        f"{revision.created_at:%Y-%m-%d %H:%M} UTC)"
    )


def approved_label(approval) -> str:
    who = approval.user.get_username() if approval.user_id else "the seeds"
    return f"As approved by {who}, {approval.created_at:%Y-%m-%d %H:%M} UTC"


class ReviewViewsMixin:
    """The pages a reviewer reads a root's revisions and versions on, and restores one from."""

    def restore_view(self, request: HttpRequest, object_id: str, version: int) -> HttpResponse:
        """Restore a published version: a page showing what would change, then the restore."""
        obj = self.get_root_or_404(request, object_id)
        publication = (
            Publication.objects.of_root(kind=self.kind.kind, root_id=obj.pk)
            .filter(version=version)
            .first()
        )
        if publication is None:
            raise Http404(f"'{obj}' has no published version {version}.")
        return self.restore_confirmed_or_asked(
            request,
            obj,
            label=f"v{version}",
            document=publication.document,
            run=lambda action: action.execute(version=version),
        )

    def restore_revision_view(
        self, request: HttpRequest, object_id: str, revision_id: int
    ) -> HttpResponse:
        obj = self.get_root_or_404(request, object_id)
        revision = (
            Revision.objects.of_root(kind=self.kind.kind, root_id=obj.pk)
            .filter(pk=revision_id)
            .first()
        )
        if revision is None:
            raise Http404(f"'{obj}' has no revision {revision_id}.")
        return self.restore_confirmed_or_asked(
            request,
            obj,
            label=f"revision {revision_id}",
            document=revision.document,
            run=lambda action: action.execute(revision=revision_id),
        )

    def restore_confirmed_or_asked(
        self,
        request: HttpRequest,
        obj,
        *,
        label: str,
        document: dict,
        run: Callable[[RestoreAction], str],
    ) -> HttpResponse:
        """A restore happens only on a confirming POST; anything else shows what it would do.

        The page compares the working copy with what would replace it, so nobody replaces a
        draft without seeing what it says (and the replaced draft stays in the history).
        """
        action = RestoreAction(root=obj, user=request.user)
        if request.method == "POST" and request.POST.get("confirmed") == "yes":
            try:
                done = run(action)
            except (EditorialError, ValueError) as error:
                messages.error(request, str(error))
            else:
                messages.success(request, done)
            return redirect(self.change_url(obj))
        if request.method == "POST":
            # An older form that posted straight away: ask first all the same.
            request.method = "GET"
        try:
            action.check()
        except EditorialError as error:
            messages.error(request, str(error))
            return redirect(self.revisions_url(obj))
        working_copy = self.kind.build_document(obj)
        context = {
            **self.revision_page_context(request, obj, title=f"Restore {label} of {obj}?"),
            "restore_label": label,
            "old_label": "Working copy (now)",
            "new_label": f"{label.capitalize()} (after the restore)",
            "changes": document_diff(old=working_copy, new=document),
        }
        return TemplateResponse(request, "admin/editorial/restore_confirm.html", context)

    def revisions_url(self, obj) -> str:
        return self.editorial_url("revisions", obj)

    def revision_page_context(self, request: HttpRequest, obj, *, title: str) -> dict[str, Any]:
        request.current_app = self.admin_site.name
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "subtitle": None,
            "opts": self.opts,
            "original": obj,
            "change_url": self.change_url(obj),
            "revisions_url": self.revisions_url(obj),
            "compare_url": self.editorial_url("compare", obj),
            "may_restore": RestoreAction(root=obj, user=request.user).is_available(),
        }

    def revisions_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Every revision of the root, newest first, with who, when, why and what became of it."""
        obj = self.get_root_or_404(request, object_id)
        revisions = Revision.objects.of_root(kind=self.kind.kind, root_id=obj.pk).order_by("-id")
        page = Paginator(revisions.with_standing(), REVISIONS_PER_PAGE).get_page(
            request.GET.get("page")
        )
        for revision in page.object_list:
            revision.restore_url = self.editorial_url("restore_revision", obj, revision.pk)
        context = {
            **self.revision_page_context(request, obj, title=f"History of {obj}"),
            "page": page,
            "revisions": page.object_list,
            "working_copy": WORKING_COPY,
        }
        return TemplateResponse(request, "admin/editorial/revisions.html", context)

    def compare_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Field-level differences between any two revisions, or a revision and the working copy."""
        obj = self.get_root_or_404(request, object_id)
        revisions = Revision.objects.of_root(kind=self.kind.kind, root_id=obj.pk)
        latest = revisions.order_by("-id").values_list("pk", flat=True)
        compare_from = request.GET.get("from") or str(latest[1:2].first() or "")
        compare_to = request.GET.get("to") or str(latest.first() or WORKING_COPY)
        wanted = [int(v) for v in (compare_from, compare_to) if v.isdigit()]
        if any(v not in (WORKING_COPY, "") and not v.isdigit() for v in (compare_from, compare_to)):
            raise Http404("Compare takes revision numbers, or 'draft' for the working copy.")
        found = {r.pk: r for r in revisions.with_standing().filter(pk__in=wanted)}
        documents = dict(revisions.filter(pk__in=wanted).values_list("pk", "document"))
        missing = [v for v in wanted if v not in found]
        if missing:
            raise Http404(f"'{obj}' has no revision {missing[0]}.")

        def side(value: str) -> tuple[str, dict | None, Revision | None]:
            if value == WORKING_COPY:
                return "Working copy (now)", self.kind.build_document(obj), None
            if not value:
                return "Nothing yet", None, None
            revision = found[int(value)]
            return revision_label(revision), documents[revision.pk], revision

        old_label, old, old_revision = side(compare_from)
        new_label, new, new_revision = side(compare_to)
        context = {
            **self.revision_page_context(request, obj, title=f"Compare revisions of {obj}"),
            "old_label": old_label,
            "new_label": new_label,
            "old_revision": old_revision,
            "new_revision": new_revision,
            "changes": document_diff(old=old, new=new) if new is not None else [],
        }
        for revision in (old_revision, new_revision):
            if revision is not None:
                revision.restore_url = self.editorial_url("restore_revision", obj, revision.pk)
        return TemplateResponse(request, "admin/editorial/compare.html", context)

    def review_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The working copy (or any version) against the live version (or any other)."""
        obj = self.get_root_or_404(request, object_id)
        kind = self.kind
        publications = list(
            Publication.objects.of_root(kind=kind.kind, root_id=obj.pk)
            .defer("document")
            .select_related("published_by", "approved_by")
            .order_by("-version")
        )
        for publication in publications:
            publication.restore_url = self.editorial_url("restore", obj, publication.version)
        entry = Entry.objects.filter(kind=kind.kind, root_id=obj.pk).first()
        live = entry.current_id if entry and not entry.is_withdrawn else None
        live_version = next((p.version for p in publications if p.pk == live), None)
        default_from = str(live_version or (publications[0].version if publications else ""))
        approval = approval_standing_or_void(root=obj)
        if approval is not None and obj.status == Status.IN_REVIEW:
            # The approval was voided by a later change: show what changed since it.
            default_from = APPROVED
        compare_from = request.GET.get("from", default_from)
        compare_to = request.GET.get("to", WORKING_COPY)
        old_label, old = self.version_document(obj, compare_from, publications, approval)
        new_label, new = self.version_document(obj, compare_to, publications, approval)
        context = {
            **self.admin_site.each_context(request),
            **self.editorial_context(request, obj),
            "title": f"Review {obj}",
            "subtitle": None,
            "opts": self.opts,
            "original": obj,
            "change_url": self.change_url(obj),
            "publications": publications,
            "live_version": live_version,
            "versions": [(WORKING_COPY, "Working copy (draft)")]
            + ([(APPROVED, approved_label(approval))] if approval is not None else [])
            + [(str(p.version), f"v{p.version}") for p in publications],
            "compare_from": compare_from,
            "compare_to": compare_to,
            "old_label": old_label,
            "new_label": new_label,
            "changes": document_diff(old=old, new=new) if new is not None else [],
            "may_restore": RestoreAction(root=obj, user=request.user).is_available(),
            "revisions_url": self.revisions_url(obj),
            **self.comments_context(request, obj, part=None),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/editorial/review.html", context)

    def version_document(
        self, obj, version: str, publications: Iterable[Publication], approval=None
    ) -> tuple[str, dict | None]:
        if version == WORKING_COPY:
            return "Working copy (draft)", self.kind.build_document(obj)
        if version == APPROVED and approval is not None:
            return approved_label(approval), approval.revision.document
        known = {str(p.version): p for p in publications}
        if version not in known:
            return "Nothing published", None
        document = Publication.objects.values_list("document", flat=True).get(pk=known[version].pk)
        return f"v{version}", document

    @method_decorator(never_cache)
    def preview_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The public page rendered from the working copy: for staff only, never cached."""
        obj = self.get_root_or_404(request, object_id)
        document = self.kind.build_document(obj)
        response = self.render_preview(request, obj, document)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def preview_context(
        self, request: HttpRequest, *, entry: Entry, publication: Publication
    ) -> dict[str, Any] | None:
        """The public page's own context for a document (each kind reuses its view's builder).

        None falls back to the generic preview of the document.
        """
        return None

    def render_preview(self, request: HttpRequest, obj, document: dict) -> HttpResponse:
        kind = self.kind.kind
        now = timezone.now()
        entry = Entry.objects.filter(kind=kind, root_id=obj.pk).select_related("current").first()
        last_version = Publication.objects.of_root(kind=kind, root_id=obj.pk).aggregate(
            last=Max("version")
        )["last"]
        # Never saved: the public template reads the draft as if it were the next version.
        publication = Publication(
            kind=kind,
            root_id=obj.pk,
            slug=document["slug"],
            title=document["title"],
            version=(last_version or 0) + 1,
            schema_version=document["schema_version"],
            document=document,
            content_hash=document_hash(document),
            published_at=now,
        )
        draft_entry = Entry(
            kind=kind,
            root_id=obj.pk,
            slug=document["slug"],
            title=document["title"],
            current=publication,
            first_published_at=entry.first_published_at if entry else now,
            last_published_at=now,
        )
        banner = {
            "preview_root": obj,
            "preview_status_label": Status(obj.status).label.lower(),
            "preview_live_version": (
                entry.current.version if entry and not entry.is_withdrawn else None
            ),
            "change_url": self.change_url(obj),
            "review_url": self.editorial_url("review", obj),
        }
        public = None
        if self.preview_template and template_exists(self.preview_template):
            public = self.preview_context(request, entry=draft_entry, publication=publication)
        if public is not None:
            context = {
                **public,
                **version_context(entry=draft_entry, publication=publication),
                "breadcrumbs": entry_breadcrumbs(draft_entry),
                "noindex": True,
                "public_template": self.preview_template,
                **banner,
            }
            return TemplateResponse(request, "admin/editorial/preview_page.html", context)
        context = {
            **self.admin_site.each_context(request),
            **banner,
            "title": f"Preview of {obj}",
            "opts": self.opts,
            "original": obj,
            "document": document,
            "preview_tables": document_tables(document),
        }
        return TemplateResponse(request, "admin/editorial/preview.html", context)


def template_exists(name: str) -> bool:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return False
    return True


def document_tables(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Every list of rows in a document as a plain table, for the generic preview."""
    tables = []
    for key, rows in document.items():
        if key in ("sections", "references") or not rows or not isinstance(rows, list):
            continue
        if not all(isinstance(row, dict) for row in rows):
            continue
        columns = [
            name
            for name in dict.fromkeys(name for row in rows for name in row)
            if name not in DERIVED_FIELDS
        ]
        tables.append(
            {
                "title": section_title(key),
                "columns": [name.replace("_", " ") for name in columns],
                "rows": [[display_value(row.get(name)) for name in columns] for row in rows],
            }
        )
    return tables
