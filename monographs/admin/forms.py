"""Forms of the editorial admin: stale-save protection and the transition buttons' fields.

Transition forms only parse what was typed; whether the transition is allowed, and whether a
comment or reason is required, is decided by the services so every path says the same.
"""

from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from functools import reduce

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.forms import BaseForm
from django.forms.models import BaseInlineFormSet
from django.utils.functional import cached_property

from monographs.admin.widgets import BatchedAutocompleteSelect
from monographs.editorial.exceptions import ConcurrentEditError
from monographs.editorial.services.edits import approved_edit_warning, root_check_lock_version
from monographs.models.base import as_stated, places_of

LOCK_FIELDS = ("lock_version", "root_lock_version")
CONFIRM_FIELD = "confirm_approved_edit"


def confirm_field() -> forms.BooleanField:
    return forms.BooleanField(
        required=False,
        label="Save anyway: send it back to review",
        help_text="The approval, and any scheduled publication, ends with this save.",
    )


def unconfirmed_edit_warning(*, roots: Iterable[models.Model | None], confirmed: bool) -> str:
    """What an edit of these roots would undo, unless the editor confirmed it ("" if nothing).

    The one rule for every path that changes an approved root: its fields, a row added,
    changed or deleted on its page or on the row's own pages, rows deleted from a list.
    """
    if confirmed:
        return ""
    for root in roots:
        warning = approved_edit_warning(root=root) if root is not None else ""
        if warning:
            return warning
    return ""


def refuse_unconfirmed_edit(*, root: models.Model | None, confirmed: bool) -> None:
    """An approved root is edited only once the editor has read what that undoes."""
    warning = unconfirmed_edit_warning(roots=[root], confirmed=confirmed)
    if warning:
        raise ValidationError(warning, code="approved_edit")


class ConfirmApprovedEditForm(forms.Form):
    """The confirmation alone, for pages that delete rows rather than edit a form."""

    confirm_approved_edit = confirm_field()


def concurrent_edit_error(error: ConcurrentEditError) -> ValidationError:
    return ValidationError(str(error), code="concurrent_edit")


def one_line_ending(value):
    """Text with "\n" between lines, whatever the browser sent."""
    if isinstance(value, str) and "\r" in value:
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


class TypedTextForm(forms.ModelForm):
    """Text kept as typed, with one line ending.

    A browser sends a text area's lines ended by CRLF, as HTML's form encoding says; stored
    so, every line of a section saved from the admin would differ from the same text loaded
    from the seeds or typed before, and the review's diff would mark lines nobody touched.
    Read through each text field, so an untouched text area is also unchanged.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.to_python = _ending_normalised(field.to_python)


def _ending_normalised(to_python: Callable) -> Callable:
    return lambda value: to_python(one_line_ending(value))


class EditorialRootForm(TypedTextForm):
    """A root's change form that refuses to save over someone else's newer save."""

    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    confirm_approved_edit = confirm_field()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["lock_version"].initial = self.instance.lock_version

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.instance.pk is not None:
            try:
                root_check_lock_version(
                    root=self.instance, expected_lock_version=cleaned.get("lock_version")
                )
            except ConcurrentEditError as error:
                raise concurrent_edit_error(error) from error
            refuse_unconfirmed_edit(root=self.instance, confirmed=bool(cleaned.get(CONFIRM_FIELD)))
        return cleaned


def root_of(instance: models.Model, path: str) -> models.Model | None:
    """Follow `path` (e.g. "drug" or "arm__trial") from a child row to its editorial root."""
    try:
        return reduce(getattr, path.split("__"), instance)
    except (AttributeError, models.ObjectDoesNotExist):
        return None


class StatedFiguresForm(TypedTextForm):
    """Decimal figures shown and kept as typed: 8.0 stays 8.0 (not 8.0000, not 8).

    A row whose model keeps `stated_places` (monographs.models.base.StatedPrecision) records
    the places typed for each figure; a figure typed again with other places (8 -> 8.0) is a
    change, though the number is the same.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        stated = getattr(self.instance, "stated_places", None) or {}
        for name in self.decimal_fields():
            value = self.initial.get(name)
            if isinstance(value, Decimal):
                # A Decimal written with the stated places, so an untouched figure is unchanged.
                self.initial[name] = Decimal(as_stated(value, stated.get(name)))

    def decimal_fields(self) -> list[str]:
        return [
            name
            for name, field in self.fields.items()
            if isinstance(field, forms.DecimalField) and not field.disabled
        ]

    def typed_places(self) -> dict[str, int]:
        """The places of each figure as posted (figures left empty are not listed)."""
        places = {}
        for name in self.decimal_fields():
            raw = self[name].data
            try:
                number = Decimal(str(raw).strip())
            except (InvalidOperation, ValueError):
                continue
            if raw not in (None, "") and number.is_finite():
                places[name] = places_of(number)
        return places

    def shown_places(self) -> dict[str, int]:
        places = {}
        for name in self.decimal_fields():
            shown = self.initial.get(name)
            if shown not in (None, ""):
                places[name] = places_of(Decimal(str(shown)))
        return places

    def has_changed(self) -> bool:
        if super().has_changed():
            return True
        if not self.is_bound or not hasattr(self.instance, "stated_places"):
            return False
        shown, typed = self.shown_places(), self.typed_places()
        return any(shown.get(name) != places for name, places in typed.items())

    def _post_clean(self) -> None:
        super()._post_clean()
        if hasattr(self.instance, "stated_places"):
            kept = {
                name: places
                for name, places in (self.instance.stated_places or {}).items()
                if name not in self.fields
            }
            self.instance.stated_places = {**kept, **self.typed_places()}


class EditorialChildForm(StatedFiguresForm):
    """A child row's own change form: a save is refused when its root changed meanwhile."""

    root_path: str = ""
    warned_root: models.Model | None = None
    root_lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    confirm_approved_edit = confirm_field()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.original_root = root_of(self.instance, self.root_path) if self.instance.pk else None
        if self.original_root is not None:
            self.fields["root_lock_version"].initial = self.original_root.lock_version

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.original_root is not None:
            try:
                root_check_lock_version(
                    root=self.original_root,
                    expected_lock_version=cleaned.get("root_lock_version"),
                )
            except ConcurrentEditError as error:
                raise concurrent_edit_error(error) from error
        # A new row, or a row moved to another root, edits the root it now belongs to.
        confirmed = bool(cleaned.get(CONFIRM_FIELD))
        for root in (self.original_root, self.root_chosen(cleaned)):
            self.warned_root = root
            refuse_unconfirmed_edit(root=root, confirmed=confirmed)
        self.warned_root = None
        return cleaned

    def root_chosen(self, cleaned: dict) -> models.Model | None:
        """The root the row belongs to as posted (its first step from the form, e.g. arm)."""
        first, _, rest = self.root_path.partition("__")
        chosen = cleaned.get(first)
        if chosen is None or not rest:
            return chosen
        return root_of(chosen, rest)


class EditorialInlineFormSet(BaseInlineFormSet):
    """Inline rows whose autocomplete fields are labelled with one query per field, not per row."""

    @cached_property
    def forms(self) -> list[BaseForm]:
        built = super().forms
        for name, field in self.form.base_fields.items():
            if isinstance(unwrapped(field.widget), BatchedAutocompleteSelect):
                labels = selected_labels(field, [form[name].value() for form in built])
                for form in built:
                    unwrapped(form.fields[name].widget).labels = labels
        return built

    @property
    def empty_form(self) -> BaseForm:
        form = super().empty_form
        for field in form.fields.values():
            widget = unwrapped(field.widget)
            if isinstance(widget, BatchedAutocompleteSelect):
                widget.labels = {}
        return form


def unwrapped(widget: forms.Widget) -> forms.Widget:
    """The widget inside the admin's add/change-related wrapper."""
    return getattr(widget, "widget", widget)


def selected_labels(field: forms.ModelChoiceField, values: list) -> dict[str, str]:
    wanted = {str(v) for v in values if v not in (None, "") and str(v).isdigit()}
    if not wanted:
        return {}
    return {
        str(obj.pk): field.label_from_instance(obj) for obj in field.queryset.filter(pk__in=wanted)
    }


def fixed_choices(field: forms.ModelChoiceField, queryset: models.QuerySet) -> None:
    """Limit a select to `queryset`, read once for the formset instead of once per row."""
    field.queryset = queryset
    field.choices = [
        ("", "---------"),
        *((obj.pk, field.label_from_instance(obj)) for obj in queryset),
    ]


class TransitionForm(forms.Form):
    comment = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 40}),
        help_text="Saved on the timeline.",
    )


class RequestChangesForm(forms.Form):
    comment = forms.CharField(
        required=False,
        label="What should change",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 40, "required": True}),
        help_text="Required: the editor sees it on the timeline.",
    )


class ApproveForm(TransitionForm):
    reviewed_hash = forms.CharField(
        required=False,
        widget=forms.HiddenInput,
        help_text="The hash of the document this page showed: approval freezes exactly that.",
    )
    publish_at = forms.DateTimeField(
        required=False,
        label="Publish at (UTC)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Leave empty to publish by hand; otherwise it goes live on its own.",
    )


class ScheduleForm(forms.Form):
    publish_at = forms.DateTimeField(
        required=False,
        label="Goes live at (UTC)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Set or move the time; empty it to publish by hand. The approval stands.",
    )


class CommentForm(forms.Form):
    """A comment on the entry or one part of its editor (the admin passes its parts)."""

    part = forms.ChoiceField(required=False, label="About")
    row = forms.CharField(
        required=False,
        max_length=200,
        label="Row (optional)",
        help_text="Which row, in your words: e.g. 'Hand-foot skin reaction'.",
    )
    body = forms.CharField(
        label="Comment",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 40}),
    )

    def __init__(self, *args, parts: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["part"].choices = parts


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        required=False,
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 40, "required": True}),
        help_text="Required: readers of the withdrawn page see it.",
    )


TRANSITION_FORMS: dict[str, Callable[..., forms.Form]] = {
    "submit": TransitionForm,
    "request_changes": RequestChangesForm,
    "approve": ApproveForm,
    "publish": TransitionForm,
    "schedule": ScheduleForm,
    "withdraw": WithdrawForm,
}
