"""Shared vocabulary: citations, conditions, molecular targets and adverse-event terms.

They reach readers only inside the documents of the entries that use them, so a change to
one counts as an edit, by whoever made it, of every entry whose document it changes: those
go back to review (or to a new draft beside their live version), and the change shows in
each one's review diff (monographs.editorial.shared). Every one is
searchable so the monograph tables can pick them with autocomplete.
"""

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.urls import reverse

from monographs.admin.editorial import AutocompleteBatchingMixin
from monographs.admin.forms import EditorialInlineFormSet
from monographs.admin.markdown import MarkdownHelpViews
from monographs.admin.widgets import UnsavedChangesWarning
from monographs.editorial.shared import entries_using, shared_edits_collected
from monographs.models import AdverseEventTerm, Citation, CitationLink, Condition, Target
from monographs.models.citations import authors_as_lines, authors_from_lines


class SharedEditsAdmin(admin.ModelAdmin):
    """Saves and deletes made here are edits, by the signed-in user, of the entries using them."""

    def changeform_view(self, request, *args, **kwargs):
        with shared_edits_collected(user=request.user):
            return super().changeform_view(request, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        with shared_edits_collected(user=request.user):
            return super().delete_view(request, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):
        with shared_edits_collected(user=request.user):
            return super().changelist_view(request, *args, **kwargs)


class SharedRecordAdmin(SharedEditsAdmin):
    """A shared record's form names the entries a save would send back to review."""

    change_form_template = "admin/editorial/shared_change_form.html"

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None:
            users = entries_using(record=obj)
            users["links"] = [self.entry_links(root) for root in users["roots"]]
            context["shared_record_users"] = users
        return super().render_change_form(request, context, add, change, form_url, obj)

    def entry_links(self, root) -> dict:
        """An entry this record reaches, with its editor and its review page (where the
        change will show in the diff)."""
        opts = root._meta
        prefix = f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}"
        return {
            "root": root,
            "change_url": reverse(f"{prefix}_change", args=[root.pk]),
            "review_url": reverse(f"{prefix}_review", args=[root.pk]),
        }


class CitationLinkInline(AutocompleteBatchingMixin, admin.TabularInline):
    model = CitationLink
    fk_name = "citing"
    formset = EditorialInlineFormSet
    fields = ("position", "cited")
    autocomplete_fields = ("cited",)
    extra = 0
    verbose_name = "work in its reference list"
    verbose_name_plural = "reference list (works this one cites)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("citing", "cited")


class CitationForm(forms.ModelForm):
    """Authors one per line (an "et al." line marks a list cut short); identifiers as pasted.

    The identifier fields take what an editor copies (a PubMed address, "PMID: 12345",
    https://doi.org/...): the model reduces it to the identifier before validating it.
    """

    authors = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 40}),
        help_text="One author per line, as Vancouver writes them (Llovet JM). When the "
        "source lists only some, end with a line: et al.",
    )
    pmid = forms.CharField(label="PMID", required=False, max_length=300)
    pmcid = forms.CharField(label="PMCID", required=False, max_length=300)
    doi = forms.CharField(label="DOI", required=False, max_length=300)

    class Meta:
        model = Citation
        fields = (
            "key", "kind", "authors", "group_author", "title", "journal", "issn", "year",
            "month", "volume", "issue", "pages", "article_number", "publisher", "pmid",
            "pmcid", "doi", "url", "accessed_on", "standing", "translated_from", "abstract",
            "note",
        )  # fmt: skip

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("pmid", "pmcid", "doi"):
            self.fields[name].help_text = Citation._meta.get_field(name).help_text
        if not self.is_bound:
            self.initial["authors"] = authors_as_lines(
                list(self.instance.authors or []), self.instance.authors_incomplete
            )

    def clean_authors(self) -> list[str]:
        names, incomplete = authors_from_lines(self.cleaned_data.get("authors") or "")
        self.instance.authors_incomplete = incomplete
        return names


@admin.register(Citation)
class CitationAdmin(MarkdownHelpViews, UnsavedChangesWarning, SharedRecordAdmin):
    list_display = ("key", "kind", "standing", "first_author", "year", "journal", "pmid", "doi")
    list_filter = ("kind", "standing", "year")
    search_fields = ("key", "title", "doi", "pmid", "pmcid", "journal", "group_author")
    form = CitationForm
    readonly_fields = ("vancouver_preview",)
    fieldsets = (
        (None, {"fields": ("key", "kind", "vancouver_preview")}),
        (
            "Authors and title",
            {"fields": ("authors", "group_author", "title")},
        ),
        (
            "Where it appeared",
            {
                "fields": (
                    ("journal", "issn"),
                    ("year", "month"),
                    ("volume", "issue", "pages", "article_number"),
                    "publisher",
                )
            },
        ),
        ("Identifiers and links", {"fields": (("pmid", "pmcid"), "doi", "url", "accessed_on")}),
        ("How far a reader can rely on it", {"fields": ("standing", "translated_from")}),
        ("Notes", {"fields": ("abstract", "note")}),
    )
    inlines = (CitationLinkInline,)

    @admin.display(description="First author")
    def first_author(self, citation: Citation) -> str:
        return citation.authors[0] if citation.authors else citation.group_author

    @admin.display(description="As cited (Vancouver)")
    def vancouver_preview(self, citation: Citation) -> str:
        return citation.vancouver() if citation.pk else "Shown once saved."


@admin.register(CitationLink)
class CitationLinkAdmin(UnsavedChangesWarning, SharedEditsAdmin):
    """A row of a source's reference list: a change is one of the citing source."""

    list_display = ("citing", "position", "cited")
    autocomplete_fields = ("citing", "cited")
    search_fields = ("citing__key", "cited__key", "cited__title")
    list_select_related = ("citing", "cited")


@admin.register(Condition)
class ConditionAdmin(UnsavedChangesWarning, SharedRecordAdmin):
    list_display = ("name", "abbreviation", "slug")
    search_fields = ("name", "abbreviation", "slug", "synonyms")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Target)
class TargetAdmin(UnsavedChangesWarning, SharedRecordAdmin):
    list_display = ("symbol", "name", "family", "location", "drug_count")
    list_filter = ("family", "location")
    search_fields = ("symbol", "name", "family", "aliases")

    def get_queryset(self, request):
        # Grouping drops the model's default ordering; pages need a stable one.
        return (
            super()
            .get_queryset(request)
            .annotate(drug_count=Count("drug_targets"))
            .order_by("symbol")
        )

    @admin.display(description="Drugs", ordering="drug_count")
    def drug_count(self, target: Target) -> int:
        return target.drug_count


@admin.register(AdverseEventTerm)
class AdverseEventTermAdmin(UnsavedChangesWarning, SharedRecordAdmin):
    list_display = ("name", "system_organ_class", "ctcae_version")
    list_filter = ("system_organ_class", "ctcae_version")
    search_fields = ("name", "slug", "system_organ_class", "synonyms")
    prepopulated_fields = {"slug": ("name",)}
