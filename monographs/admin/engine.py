"""The published record, for looking at only: publications, entries, events, facets, search.

Publications and events are immutable (the database refuses changes); entries, facets and
the search index are written by the publishing services alone. So nobody adds, changes or
deletes them here, superusers included.
"""

import json

from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.utils.html import format_html

from monographs.admin.widgets import status_badge
from monographs.editorial.models import EditorialEvent, Revision
from monographs.models import SearchDocument
from monographs.publishing.models import Entry, Facet, Publication, RetiredSlug


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class FacetInline(admin.TabularInline):
    model = Facet
    fields = ("name", "value", "number")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "version", "published_at", "published_by", "approved_by")
    list_filter = ("kind",)
    search_fields = ("title", "slug")
    list_select_related = ("published_by", "approved_by")
    date_hierarchy = "published_at"
    fields = (
        ("kind", "root_id", "slug"),
        ("title", "version", "schema_version"),
        ("published_at", "published_by", "approved_by"),
        "change_note",
        "content_hash",
        "document_json",
    )
    readonly_fields = flatten_fieldsets([(None, {"fields": fields})])
    inlines = (FacetInline,)

    @admin.display(description="Document")
    def document_json(self, publication: Publication) -> str:
        return format_html(
            '<pre class="editorial-document">{}</pre>',
            json.dumps(publication.document, indent=2, ensure_ascii=False),
        )


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = (
        "title", "kind", "slug", "current_version", "last_published_at", "withdrawn_at",
    )  # fmt: skip
    list_filter = ("kind", ("withdrawn_at", admin.EmptyFieldListFilter))
    search_fields = ("title", "slug")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("current").defer("current__document")

    @admin.display(description="Current version", ordering="current__version")
    def current_version(self, entry: Entry) -> str:
        return f"v{entry.current.version}"


@admin.register(EditorialEvent)
class EditorialEventAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at", "kind", "root_id", "action", "from_badge", "to_badge", "user", "comment",
    )  # fmt: skip
    list_filter = ("kind", "action")
    search_fields = ("comment", "user__username")
    list_select_related = ("user",)
    date_hierarchy = "created_at"

    @admin.display(description="From")
    def from_badge(self, event: EditorialEvent) -> str:
        return status_badge(event.from_status) if event.from_status else ""

    @admin.display(description="To")
    def to_badge(self, event: EditorialEvent) -> str:
        return status_badge(event.to_status) if event.to_status else ""


@admin.register(Revision)
class RevisionAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "root_id", "created_by", "note", "content_hash")
    list_filter = ("kind",)
    search_fields = ("note", "created_by__username")
    list_select_related = ("created_by",)
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return super().get_queryset(request).defer("document")


@admin.register(RetiredSlug)
class RetiredSlugAdmin(ReadOnlyAdmin):
    list_display = ("slug", "kind", "entry", "retired_at")
    list_filter = ("kind",)
    search_fields = ("slug", "entry__slug")
    list_select_related = ("entry",)


@admin.register(Facet)
class FacetAdmin(ReadOnlyAdmin):
    list_display = ("publication", "name", "value", "number")
    list_filter = ("name",)
    search_fields = ("value",)
    list_select_related = ("publication",)


@admin.register(SearchDocument)
class SearchDocumentAdmin(ReadOnlyAdmin):
    """The public search index, rebuilt from live publications: here to check what it holds."""

    list_display = ("title", "kind", "slug", "updated_at")
    list_filter = ("kind",)
    search_fields = ("title", "slug", "names")
    exclude = ("search_vector", "name_vector")
