"""Widgets and small renderers the editorial admin shares."""

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect
from django.urls import reverse
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
    # Shown in the empty box, e.g. which source a row without one inherits.
    placeholder: str = ""

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs=extra_attrs)
        if self.placeholder:
            attrs["data-placeholder"] = self.placeholder
        return attrs

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


class MarkdownEditor(forms.Textarea):
    """A Markdown textarea with a live preview beside it and a citation picker above it.

    `where` names the field in quality findings ("Dosing: unknown citation [@xyz]").
    The behaviour is static/editorial/markdown_help.js; without script it is a textarea.
    """

    def __init__(self, *, where: str, attrs: dict | None = None) -> None:
        super().__init__(attrs={"rows": 14, **(attrs or {})})
        self.where = where

    @property
    def media(self) -> forms.Media:
        return forms.Media(
            js=("editorial/markdown_help.js",), css={"all": ("editorial/editor.css",)}
        )

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        textarea = super().render(name, value, attrs, renderer)
        ident = (attrs or {}).get("id") or f"id_{name}"
        return format_html(
            '<div class="markdown-help" data-preview-url="{}" data-picker-url="{}" '
            'data-where="{}">'
            '<div class="markdown-help__tools">'
            '<label for="{}-picker">Cite a source</label>'
            '<span class="markdown-help__picker">'
            '<input type="search" id="{}-picker" placeholder="title, author, key or year" '
            'autocomplete="off" aria-controls="{}-results" aria-autocomplete="list">'
            '<ul id="{}-results" class="markdown-help__results" role="listbox" hidden></ul>'
            "</span>"
            '<span class="markdown-help__status" aria-live="polite"></span>'
            "</div>"
            "{}"
            '<section class="markdown-help__preview" aria-label="Preview of {}">'
            "<h3>Preview, as readers will see it</h3>"
            '<div class="markdown-help__html"></div>'
            '<ol class="markdown-help__references"></ol>'
            '<ul class="markdown-help__findings"></ul>'
            "</section></div>",
            reverse("admin:monographs_citation_markdown_preview"),
            reverse("admin:monographs_citation_picker"),
            self.where,
            ident,
            ident,
            ident,
            ident,
            textarea,
            self.where,
        )


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
