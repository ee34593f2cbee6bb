"""The editorial workflow in the admin, shared by every root kind (drugs, trials).

Every rule lives in monographs.editorial.services: these classes only show what the services
allow (the transition buttons are exactly transitions_available) and report what they say.
Saving a root or any of its rows is an edit: it records the edit, starts a new draft, and is
refused when someone else saved the same root since the form was opened.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Max, OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from monographs.admin.forms import (
    LOCK_FIELDS,
    TRANSITION_FORMS,
    EditorialChildForm,
    EditorialInlineFormSet,
    EditorialRootForm,
    root_of,
)
from monographs.admin.widgets import BatchedAutocompleteSelect, status_badge
from monographs.editorial import registry
from monographs.editorial.checks import ERROR
from monographs.editorial.diff import DERIVED_FIELDS, display_value, document_diff, section_title
from monographs.editorial.documents import document_hash
from monographs.editorial.exceptions import EditorialError, QualityCheckFailed
from monographs.editorial.models import EditorialEvent, Entry, Publication, Status
from monographs.editorial.services import (
    TRANSITIONS,
    revision_approve,
    revision_check,
    revision_request_changes,
    revision_submit,
    root_publish,
    root_record_edit,
    root_restore_version,
    root_withdraw,
    transitions_available,
)
from monographs.views.presentation import entry_breadcrumbs, version_context

WORKING_COPY = "draft"


def kind_for_model(model: type[models.Model]) -> registry.RootKind:
    for kind in registry.all_kinds():
        if kind.model is model:
            return kind
    raise LookupError(f"{model.__name__} is not a registered editorial root.")


def findings_message(error: QualityCheckFailed) -> SafeString:
    return format_html(
        "{}<ul>{}</ul>",
        "Quality checks found errors; fix them, then try again:",
        format_html_join("", "<li>{}</li>", ((str(f),) for f in error.findings)),
    )


def error_message(error: EditorialError) -> str | SafeString:
    if isinstance(error, QualityCheckFailed):
        return findings_message(error)
    return str(error)


def run_transition(name: str, *, root: models.Model, user, data: dict[str, Any]) -> str:
    """Call the service behind a transition button; returns what to tell the user."""
    comment = data.get("comment") or ""
    if name == "submit":
        revision_submit(root=root, user=user, comment=comment)
        return f"'{root}' was submitted for review."
    if name == "request_changes":
        revision_request_changes(root=root, user=user, comment=comment)
        return f"Changes were requested on '{root}'."
    if name == "approve":
        publish_at = data.get("publish_at")
        revision_approve(root=root, user=user, comment=comment, publish_at=publish_at)
        if publish_at:
            return f"'{root}' was approved; it goes live at {publish_at:%Y-%m-%d %H:%M} UTC."
        return f"'{root}' was approved; it can now be published."
    if name == "publish":
        publication = root_publish(root=root, user=user, comment=comment)
        return f"'{root}' was published as v{publication.version}."
    if name == "withdraw":
        root_withdraw(root=root, user=user, reason=data.get("reason") or "")
        return f"'{root}' was withdrawn; its page now says why."
    raise LookupError(name)


class HiddenLockFieldMixin:
    """Lock fields are hidden inputs rendered once at the top of the form, never in a fieldset."""

    def get_fieldsets(self, request, obj=None):
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in LOCK_FIELDS]})
            for name, options in super().get_fieldsets(request, obj)
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        form = context["adminform"].form
        context["editorial_hidden_fields"] = [
            form[name] for name in LOCK_FIELDS if name in form.fields
        ]
        return super().render_change_form(request, context, add, change, form_url, obj)


class AutocompleteBatchingMixin:
    """Autocomplete selects whose chosen options are labelled in one query per field."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = BatchedAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class EditorialInline(AutocompleteBatchingMixin, admin.TabularInline):
    """A child table edited on its root's page; a fixed number of queries however many rows."""

    formset = EditorialInlineFormSet
    extra = 0
    show_change_link = True
    related: tuple[str, ...] = ()

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(self.fk_name_or_parent(), *self.related)

    def fk_name_or_parent(self) -> str:
        if self.fk_name:
            return self.fk_name
        parent = self.parent_model
        return next(
            f.name
            for f in self.model._meta.get_fields()
            if f.many_to_one and f.related_model is parent
        )


class EditorialStackedInline(EditorialInline):
    template = "admin/edit_inline/stacked.html"


class EditorialRootAdmin(HiddenLockFieldMixin, AutocompleteBatchingMixin, admin.ModelAdmin):
    """Admin for a root kind: status badges, transition buttons, timeline, review and preview."""

    form = EditorialRootForm
    change_form_template = "admin/editorial/change_form.html"
    change_list_template = "admin/editorial/change_list.html"
    actions = ["submit_selected", "publish_selected"]
    readonly_fields = ("status_badge", "publish_at")
    list_per_page = 50
    preview_template = ""

    # -- change list --------------------------------------------------------------------------

    @property
    def kind(self) -> registry.RootKind:
        return kind_for_model(self.model)

    def get_queryset(self, request):
        entries = Entry.objects.filter(kind=self.kind.kind, root_id=OuterRef("pk"))
        return (
            super()
            .get_queryset(request)
            .annotate(
                live_version=Subquery(entries.values("current__version")[:1]),
                live_withdrawn_at=Subquery(entries.values("withdrawn_at")[:1]),
            )
        )

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj) -> SafeString:
        return status_badge(obj.status)

    @admin.display(description="Live version")
    def live_version_display(self, obj) -> str:
        version = getattr(obj, "live_version", None)
        if version is None:
            return "not published"
        if getattr(obj, "live_withdrawn_at", None):
            return f"v{version}, withdrawn"
        return f"v{version}"

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None) -> bool:
        """A root that was ever published keeps its working copy: withdraw it instead."""
        if obj is not None and Entry.objects.filter(kind=self.kind.kind, root_id=obj.pk).exists():
            return False
        return super().has_delete_permission(request, obj)

    def has_submit_permission(self, request) -> bool:
        return request.user.has_perm(TRANSITIONS["submit"].permission)

    def has_publish_permission(self, request) -> bool:
        return request.user.has_perm(TRANSITIONS["publish"].permission)

    @admin.action(description="Submit selected for review", permissions=["submit"])
    def submit_selected(self, request, queryset) -> None:
        self.run_bulk(request, queryset, "submit", "Submitted for review")

    @admin.action(description="Publish selected (approved ones)", permissions=["publish"])
    def publish_selected(self, request, queryset) -> None:
        self.run_bulk(request, queryset, "publish", "Published")

    def run_bulk(self, request, queryset, name: str, done: str) -> None:
        succeeded = []
        for root in queryset.order_by("pk"):
            try:
                run_transition(name, root=root, user=request.user, data={})
            except EditorialError as error:
                self.message_user(request, error_message(error), messages.ERROR)
            else:
                succeeded.append(str(root))
        if succeeded:
            self.message_user(
                request, f"{done}: {', '.join(succeeded)} ({len(succeeded)}).", messages.SUCCESS
            )

    # -- saving -------------------------------------------------------------------------------

    def save_model(self, request, obj, form, change) -> None:
        if change:
            # The form was built from the row as it was when the page opened; the workflow
            # state may have moved since (a submit, an approval) and is not the form's to set.
            current = (
                type(obj).objects.filter(pk=obj.pk).values("status", "lock_version", "publish_at")
            )
            for name, value in current.get().items():
                setattr(obj, name, value)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        if not change or form.has_changed() or any(fs.has_changed() for fs in formsets):
            root_record_edit(root=form.instance, user=request.user, created=not change)

    # -- change form ----------------------------------------------------------------------------

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None:
            context.update(self.editorial_context(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def editorial_context(self, request, obj) -> dict[str, Any]:
        kind = self.kind.kind
        findings = revision_check(root=obj)
        available = transitions_available(root=obj, user=request.user)
        return {
            "editorial_status": status_badge(obj.status),
            "editorial_root": obj,
            "editorial_entry": Entry.objects.filter(kind=kind, root_id=obj.pk)
            .select_related("current")
            .first(),
            "editorial_transitions": [
                {
                    "name": t.name,
                    "label": t.label,
                    "url": self.editorial_url("transition", obj, t.name),
                    "form": TRANSITION_FORMS[t.name](auto_id=f"id_{t.name}_%s"),
                }
                for t in available
            ],
            "editorial_errors": [f for f in findings if f.level == ERROR],
            "editorial_warnings": [f for f in findings if f.level != ERROR],
            "editorial_events": EditorialEvent.objects.of_root(kind=kind, root_id=obj.pk)
            .select_related("user", "publication")
            .order_by("-created_at", "-id"),
            "editorial_review_url": self.editorial_url("review", obj),
            "editorial_preview_url": self.editorial_url("preview", obj),
        }

    def editorial_url(self, view: str, obj, *args) -> str:
        opts = self.opts
        return reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_{view}",
            args=(obj.pk, *args),
        )

    def change_url(self, obj) -> str:
        opts = self.opts
        return reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change", args=(obj.pk,)
        )

    # -- custom views ---------------------------------------------------------------------------

    def get_urls(self):
        opts = self.opts
        prefix = f"{opts.app_label}_{opts.model_name}"

        def wrap(view: Callable) -> Callable:
            return self.admin_site.admin_view(view)

        return [
            path(
                "<path:object_id>/transition/<slug:name>/",
                wrap(self.transition_view),
                name=f"{prefix}_transition",
            ),
            path("<path:object_id>/review/", wrap(self.review_view), name=f"{prefix}_review"),
            path("<path:object_id>/preview/", wrap(self.preview_view), name=f"{prefix}_preview"),
            path(
                "<path:object_id>/restore/<int:version>/",
                wrap(self.restore_view),
                name=f"{prefix}_restore",
            ),
            *super().get_urls(),
        ]

    def get_root_or_404(self, request, object_id: str):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(f"No {self.opts.verbose_name} with id {object_id}.")
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        return obj

    def transition_view(self, request: HttpRequest, object_id: str, name: str) -> HttpResponse:
        return require_POST(self._transition_view)(request, object_id, name)

    def _transition_view(self, request: HttpRequest, object_id: str, name: str) -> HttpResponse:
        obj = self.get_root_or_404(request, object_id)
        form_class = TRANSITION_FORMS.get(name)
        if form_class is None:
            messages.error(request, f"There is no transition called '{name}'.")
            return redirect(self.change_url(obj))
        form = form_class(request.POST)
        if not form.is_valid():
            problems = "; ".join(
                f"{form.fields[field].label or field}: {' '.join(errors)}"
                for field, errors in form.errors.items()
            )
            messages.error(request, f"{TRANSITIONS[name].label}: {problems}")
            return redirect(self.change_url(obj))
        try:
            done = run_transition(name, root=obj, user=request.user, data=form.cleaned_data)
        except EditorialError as error:
            messages.error(request, error_message(error))
        else:
            messages.success(request, done)
        return redirect(self.safe_next(request) or self.change_url(obj))

    @staticmethod
    def safe_next(request: HttpRequest) -> str | None:
        """Where to go back to after a transition (the review page posts its own address)."""
        target = request.POST.get("next")
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return target
        return None

    def restore_view(self, request: HttpRequest, object_id: str, version: int) -> HttpResponse:
        return require_POST(self._restore_view)(request, object_id, version)

    def _restore_view(self, request: HttpRequest, object_id: str, version: int) -> HttpResponse:
        obj = self.get_root_or_404(request, object_id)
        try:
            root_restore_version(root=obj, user=request.user, version=version)
        except (EditorialError, ValueError) as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                f"The content of v{version} is now the working copy of '{obj}', as a draft. "
                "Submit it for review to publish it again.",
            )
        return redirect(self.change_url(obj))

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
        compare_from = request.GET.get("from", default_from)
        compare_to = request.GET.get("to", WORKING_COPY)
        old_label, old = self.version_document(obj, compare_from, publications)
        new_label, new = self.version_document(obj, compare_to, publications)
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
            + [(str(p.version), f"v{p.version}") for p in publications],
            "compare_from": compare_from,
            "compare_to": compare_to,
            "old_label": old_label,
            "new_label": new_label,
            "changes": document_diff(old=old, new=new) if new is not None else [],
            "may_restore": self.has_change_permission(request, obj),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/editorial/review.html", context)

    def version_document(
        self, obj, version: str, publications: Iterable[Publication]
    ) -> tuple[str, dict | None]:
        if version == WORKING_COPY:
            return "Working copy (draft)", self.kind.build_document(obj)
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


class EditorialChildAdmin(HiddenLockFieldMixin, AutocompleteBatchingMixin, admin.ModelAdmin):
    """A child table's own admin pages: every save or delete is an edit of its root."""

    root_path = "drug"
    form = EditorialChildForm
    change_form_template = "admin/editorial/child_change_form.html"

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.root_path = self.root_path
        return form

    def get_queryset(self, request):
        # The change list skips list_select_related once a queryset selects related rows.
        listed = (
            self.list_select_related if isinstance(self.list_select_related, list | tuple) else ()
        )
        return super().get_queryset(request).select_related(self.root_path, *listed)

    def roots_of(self, objects: Iterable[models.Model]) -> list[models.Model]:
        return unique_roots(root_of(obj, self.root_path) for obj in objects)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        if change and not form.has_changed() and not any(fs.has_changed() for fs in formsets):
            return
        # A row moved to another root changes both: each starts a new draft.
        for root in unique_roots([form.original_root, root_of(form.instance, self.root_path)]):
            root_record_edit(root=root, user=request.user)

    def delete_model(self, request, obj) -> None:
        roots = self.roots_of([obj])
        super().delete_model(request, obj)
        for root in roots:
            root_record_edit(root=root, user=request.user)

    def delete_queryset(self, request, queryset) -> None:
        roots = self.roots_of(queryset)
        super().delete_queryset(request, queryset)
        for root in roots:
            root_record_edit(root=root, user=request.user)

    @admin.display(description="Root status")
    def root_status(self, obj) -> SafeString | str:
        root = root_of(obj, self.root_path)
        return status_badge(root.status) if root is not None else ""


def unique_roots(roots: Iterable[models.Model | None]) -> list[models.Model]:
    unique = {(type(root), root.pk): root for root in roots if root is not None}
    return list(unique.values())


__all__ = [
    "EditorialChildAdmin",
    "EditorialInline",
    "EditorialRootAdmin",
    "EditorialStackedInline",
    "kind_for_model",
]
