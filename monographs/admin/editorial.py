"""The editorial workflow in the admin, shared by every root kind (drugs, trials).

Every rule lives in monographs.editorial.services: these classes only show what the services
allow (the transition buttons are exactly actions_available) and report what they say.
Saving a root or any of its rows is an edit: it records the edit, starts a new draft, and is
refused when someone else saved the same root since the form was opened. A child table's own
pages are in children.py.
"""

from typing import Any

from django.contrib import admin, messages
from django.db import models
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.text import capfirst

from monographs.admin.forms import (
    CONFIRM_FIELD,
    LOCK_FIELDS,
    TRANSITION_FORMS,
    EditorialInlineFormSet,
    EditorialRootForm,
    StatedFiguresForm,
    unwrapped,
)
from monographs.admin.parts import PartsMixin
from monographs.admin.views import EditorialViewsMixin, error_message
from monographs.admin.widgets import (
    BatchedAutocompleteSelect,
    MarkdownEditor,
    UnsavedChangesWarning,
    status_badge,
)
from monographs.editorial import registry
from monographs.editorial.actions import (
    PublishAction,
    SubmitAction,
    actions_available,
    workflow_action,
)
from monographs.editorial.checks import ERROR
from monographs.editorial.documents import document_hash
from monographs.editorial.exceptions import EditorialError
from monographs.editorial.models import EditorialEvent
from monographs.editorial.selectors import review_notes
from monographs.editorial.services.edits import approved_edit_warning, root_record_edit
from monographs.editorial.services.transitions import (
    four_eyes_notice,
    reviewer_edit_stays_in_review,
    root_editable_by,
)
from monographs.publishing.models import Entry
from monographs.richtext import is_markdown_field


def reviewer_editing(request, root) -> bool:
    """A reviewer editing a root in review: they may change it and its rows like an editor."""
    if root is None or getattr(root, "pk", None) is None:
        return False
    try:
        registry.kind_of(root)
    except LookupError:
        return False
    return root_editable_by(root=root, user=request.user)


def kind_for_model(model: type[models.Model]) -> registry.RootKind:
    for kind in registry.all_kinds():
        if kind.model is model:
            return kind
    raise LookupError(f"{model.__name__} is not a registered editorial root.")


class HiddenLockFieldMixin:
    """Lock fields are hidden inputs rendered once at the top of the form, never in a fieldset;
    so is the warning (and its "save anyway" box) above the form of an approved root."""

    def get_fieldsets(self, request, obj=None):
        hidden = (*LOCK_FIELDS, CONFIRM_FIELD)
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in hidden]})
            for name, options in super().get_fieldsets(request, obj)
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        form = context["adminform"].form
        context["editorial_hidden_fields"] = [
            form[name] for name in LOCK_FIELDS if name in form.fields
        ]
        root = getattr(form, "original_root", None) or getattr(form, "warned_root", None)
        if root is None and "lock_version" in form.fields and obj is not None and obj.pk:
            root = obj
        may_save = obj is None or self.has_change_permission(request, obj)
        warning = approved_edit_warning(root=root) if root is not None and may_save else ""
        if warning and CONFIRM_FIELD in form.fields:
            context["editorial_approved_warning"] = warning
            context["editorial_confirm_field"] = form[CONFIRM_FIELD]
        return super().render_change_form(request, context, add, change, form_url, obj)


class AutocompleteBatchingMixin:
    """Autocomplete selects whose chosen options are labelled in one query per field, and
    Markdown fields edited with their help beside them (preview, citation picker, findings)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if is_markdown_field(db_field.model, db_field.name):
            kwargs["widget"] = MarkdownEditor(
                where=f"{capfirst(db_field.model._meta.verbose_name)}: {db_field.verbose_name}"
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = BatchedAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class EditorialInline(AutocompleteBatchingMixin, admin.TabularInline):
    """A child table edited on its root's page; a fixed number of queries however many rows."""

    form = StatedFiguresForm
    formset = EditorialInlineFormSet
    extra = 0
    show_change_link = True
    related: tuple[str, ...] = ()
    # On a root edited in parts, rows beyond this many are edited a page at a time.
    per_page = 40

    # The document table its rows are listed in, where that is not their related name.
    document_table = ""

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(self.fk_name_or_parent(), *self.related)

    # -- which source a row without one inherits ------------------------------------------------

    def get_formset(self, request, obj=None, **kwargs):
        """A row's empty source box says which source the row inherits (its section's default,
        else its entry's): an empty citation there is not an unsourced row."""
        formset = super().get_formset(request, obj, **kwargs)
        field = formset.form.base_fields.get("citation")
        widget = unwrapped(field.widget) if field is not None else None
        if obj is not None and isinstance(widget, BatchedAutocompleteSelect):
            default = obj.default_source_for(self.document_table or self.related_name())
            widget.placeholder = (
                f"inherits {default.key} (default source)" if default else "no source: cite one"
            )
        return formset

    def related_name(self) -> str:
        return self.model._meta.get_field(self.fk_name_or_parent()).remote_field.related_name

    # A reviewer may change a root's rows while it is in review (root_editable_by).
    def has_add_permission(self, request, obj=None) -> bool:
        return super().has_add_permission(request, obj) or reviewer_editing(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) or reviewer_editing(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) or reviewer_editing(request, obj)

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


class EditorialRootAdmin(
    EditorialViewsMixin,
    HiddenLockFieldMixin,
    PartsMixin,
    AutocompleteBatchingMixin,
    UnsavedChangesWarning,
    admin.ModelAdmin,
):
    """Admin for a root kind: status badges, transition buttons, timeline, review and preview.

    A kind with `parts` is edited a part at a time (monographs.admin.parts).
    """

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

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) or reviewer_editing(request, obj)

    def has_submit_permission(self, request) -> bool:
        return request.user.has_perm(SubmitAction.permission)

    def has_publish_permission(self, request) -> bool:
        return request.user.has_perm(PublishAction.permission)

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
                workflow_action(name, root=root, user=request.user).execute()
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
            root = form.instance
            reviewing = reviewer_edit_stays_in_review(from_status=root.status, user=request.user)
            root_record_edit(root=root, user=request.user, created=not change)
            if reviewing:
                messages.warning(request, four_eyes_notice(root=root, user=request.user))

    # -- change form ----------------------------------------------------------------------------

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None:
            context.update(self.editorial_context(request, obj))
            part = self.part_for(request)
            context.update(self.comments_context(request, obj, part=part.slug if part else ""))
        context.update(self.part_context(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def editorial_context(self, request, obj) -> dict[str, Any]:
        kind = self.kind.kind
        document = self.kind.build_document(obj)
        findings = self.kind.checks(document)
        transition_initial = {
            "approve": {"reviewed_hash": document_hash(document)},
            "schedule": {"publish_at": obj.publish_at},
        }
        available = actions_available(root=obj, user=request.user)
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
                    "form": TRANSITION_FORMS[t.name](
                        auto_id=f"id_{t.name}_%s",
                        initial=transition_initial.get(t.name),
                    ),
                }
                for t in available
            ],
            "editorial_errors": [f for f in findings if f.level == ERROR],
            "editorial_warnings": [f for f in findings if f.level != ERROR],
            "editorial_events": EditorialEvent.objects.of_root(kind=kind, root_id=obj.pk)
            .select_related("user", "publication")
            .order_by("-created_at", "-id"),
            "editorial_notes": review_notes(root=obj),
            "editorial_review_url": self.editorial_url("review", obj),
            "editorial_revisions_url": self.editorial_url("revisions", obj),
            "editorial_four_eyes": four_eyes_notice(root=obj, user=request.user),
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


__all__ = [
    "EditorialInline",
    "EditorialRootAdmin",
    "EditorialStackedInline",
    "kind_for_model",
]
