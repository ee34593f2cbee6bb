"""A child table's own admin pages (a drug's adverse events, a trial's outcomes...).

Saving or deleting a row there is an edit of its root, recorded and checked as one, so the
workflow rules hold whichever page an editor changes a row on.
"""

from collections.abc import Callable, Iterable

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.db import models
from django.http import QueryDict
from django.template.response import TemplateResponse
from django.utils.safestring import SafeString

from monographs.admin.editorial import AutocompleteBatchingMixin, HiddenLockFieldMixin
from monographs.admin.forms import (
    CONFIRM_FIELD,
    ConfirmApprovedEditForm,
    EditorialChildForm,
    root_of,
    unconfirmed_edit_warning,
)
from monographs.admin.widgets import (
    UnsavedChangesWarning,
    status_badge,
)
from monographs.editorial.services.edits import root_record_edit


class EditorialChildAdmin(
    HiddenLockFieldMixin, AutocompleteBatchingMixin, UnsavedChangesWarning, admin.ModelAdmin
):
    """A child table's own admin pages: every save or delete is an edit of its root."""

    root_path = "drug"
    form = EditorialChildForm
    change_form_template = "admin/editorial/child_change_form.html"
    delete_confirmation_template = "admin/editorial/child_delete_confirmation.html"
    delete_selected_confirmation_template = "admin/editorial/child_delete_selected.html"

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

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        roots = self.roots_of([obj]) if obj is not None else []
        return self.confirmed_delete(
            request, roots, lambda: super(EditorialChildAdmin, self).delete_view(
                request, object_id, extra_context
            ), keep=(),
        )  # fmt: skip

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _, name, description = actions["delete_selected"]
            actions["delete_selected"] = (
                type(self).delete_selected_confirmed, name, description
            )  # fmt: skip
        return actions

    def delete_selected_confirmed(self, request, queryset):
        return self.confirmed_delete(
            request,
            self.roots_of(queryset),
            lambda: delete_selected(self, request, queryset),
            keep=("action", helpers.ACTION_CHECKBOX_NAME),
        )

    def confirmed_delete(
        self,
        request,
        roots: list[models.Model],
        show_or_delete: Callable,
        *,
        keep: tuple[str, ...],
    ):
        """Deleting a row of an approved root asks first, as editing one does (the same rule);
        a delete posted without the confirmation shows the question again (the page is
        shown from the posted fields in `keep`, as if first asked)."""
        warning = unconfirmed_edit_warning(
            roots=roots, confirmed=bool(request.POST.get(CONFIRM_FIELD))
        )
        if warning and request.method == "POST" and request.POST.get("post"):
            messages.error(request, warning)
            unconfirmed = QueryDict(mutable=True)
            for name in keep:
                unconfirmed.setlist(name, request.POST.getlist(name))
            request.POST = unconfirmed
        response = show_or_delete()
        if warning and isinstance(response, TemplateResponse):
            response.context_data["editorial_approved_warning"] = warning
            response.context_data["editorial_confirm_field"] = ConfirmApprovedEditForm()[
                CONFIRM_FIELD
            ]
        return response

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
