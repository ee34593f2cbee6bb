"""Widgets and small renderers the editorial admin shares."""

from django.contrib.admin.widgets import AutocompleteSelect
from django.utils.html import format_html
from django.utils.safestring import SafeString

from monographs.editorial.models import Status


class BatchedAutocompleteSelect(AutocompleteSelect):
    """An autocomplete whose selected option comes from labels fetched for the whole formset.

    Django's widget looks up its selected option with one query per row, so a monograph with
    sixty sourced rows would cost sixty queries; EditorialInlineFormSet fills `labels` for
    every row of a field in one query instead.
    """

    labels: dict[str, str] | None = None

    def optgroups(self, name, value, attr=None):
        if self.labels is None:
            return super().optgroups(name, value, attr)
        options: list = []
        if not self.is_required:
            options.append(self.create_option(name, "", "", False, 0))
        for selected in (str(v) for v in value):
            if selected in self.labels:
                options.append(
                    self.create_option(name, selected, self.labels[selected], True, len(options))
                )
        return [(None, options, 0)]


class UnsavedChangesWarning:
    """An admin whose edit pages warn before the browser leaves them with unsaved changes."""

    class Media:
        js = ("editorial/unsaved_changes.js",)


def status_badge(status: str) -> SafeString:
    """The editorial status as a coloured badge that also says it in words."""
    try:
        label = Status(status).label
    except ValueError:
        label = status
    return format_html(
        '<span class="editorial-status editorial-status--{}">{}</span>', status, label
    )
