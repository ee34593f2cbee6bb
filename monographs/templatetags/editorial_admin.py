"""The editorial dashboard on the admin index page."""

from django import template
from django.urls import reverse

from monographs.admin.widgets import status_badge
from monographs.editorial.selectors import dashboard_for

register = template.Library()


@register.inclusion_tag("admin/editorial/_dashboard.html", takes_context=True)
def editorial_dashboard(context: template.Context) -> dict:
    """Each work list of dashboard_for, every item linking to its entry's editor."""
    request = context["request"]
    dashboard = dashboard_for(user=request.user)
    lists = [
        {
            "title": work.title,
            "empty": work.empty,
            "total": work.total,
            "items": [
                {
                    "root": item.root,
                    "url": reverse(
                        f"admin:{item.app_label}_{item.model_name}_change", args=[item.root.pk]
                    ),
                    "status": status_badge(item.root.status),
                }
                for item in work.items
            ],
        }
        for work in dashboard.lists
    ]
    return {"lists": lists}
