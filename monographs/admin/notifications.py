"""Each user's own workflow-email preference: one page, theirs, whatever their role; and
the review comments, listed read-only (they are written and resolved from the editor)."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from monographs.admin.engine import ReadOnlyAdmin
from monographs.editorial.models import NotificationPreference, ReviewComment


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    """Staff users set their own preference only; the list holds that one row."""

    fields = ("email",)
    list_display = ("__str__", "email")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(user=request.user)

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_change_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        own = obj is None or obj.user_id == request.user.pk
        return self.has_module_permission(request) and own

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        """Everyone has a preference to open, though nobody adds one: it is made on first sight."""
        NotificationPreference.objects.get_or_create(user=request.user)
        return super().changelist_view(request, extra_context)


@admin.register(ReviewComment)
class ReviewCommentAdmin(ReadOnlyAdmin):
    list_display = ("kind", "root_id", "part", "row", "author", "created_at", "resolved_by")
    list_filter = ("kind", "part")
    list_select_related = ("author", "resolved_by")
    search_fields = ("body", "row")
