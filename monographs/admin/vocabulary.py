"""Shared vocabulary: citations, conditions, molecular targets and adverse-event terms.

These are edited freely (they are not reviewed on their own) and reach readers only through
a published root that uses them, frozen into its document at publishing time. Every one is
searchable so the monograph tables can pick them with autocomplete.
"""

from django.contrib import admin
from django.db.models import Count

from monographs.admin.editorial import AutocompleteBatchingMixin
from monographs.admin.forms import EditorialInlineFormSet
from monographs.admin.widgets import UnsavedChangesWarning
from monographs.models import AdverseEventTerm, Citation, CitationLink, Condition, Target


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


@admin.register(Citation)
class CitationAdmin(UnsavedChangesWarning, admin.ModelAdmin):
    list_display = ("key", "kind", "first_author", "year", "journal", "pmid", "doi")
    list_filter = ("kind", "year")
    search_fields = ("key", "title", "doi", "pmid", "pmcid", "journal", "group_author")
    readonly_fields = ("vancouver_preview",)
    fieldsets = (
        (None, {"fields": ("key", "kind", "vancouver_preview")}),
        ("Authors and title", {"fields": ("authors", "group_author", "title")}),
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
class CitationLinkAdmin(UnsavedChangesWarning, admin.ModelAdmin):
    list_display = ("citing", "position", "cited")
    autocomplete_fields = ("citing", "cited")
    search_fields = ("citing__key", "cited__key", "cited__title")
    list_select_related = ("citing", "cited")


@admin.register(Condition)
class ConditionAdmin(UnsavedChangesWarning, admin.ModelAdmin):
    list_display = ("name", "abbreviation", "slug")
    search_fields = ("name", "abbreviation", "slug", "synonyms")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Target)
class TargetAdmin(UnsavedChangesWarning, admin.ModelAdmin):
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
class AdverseEventTermAdmin(UnsavedChangesWarning, admin.ModelAdmin):
    list_display = ("name", "system_organ_class", "ctcae_version")
    list_filter = ("system_organ_class", "ctcae_version")
    search_fields = ("name", "slug", "system_organ_class", "synonyms")
    prepopulated_fields = {"slug": ("name",)}
