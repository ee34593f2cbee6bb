"""Help beside a Markdown field: a preview rendered as the public page renders it, and a
picker that finds a citation by title, author or year and inserts its [@key].

Both answer JSON to static/editorial/markdown_help.js (a static file: the admin's CSP
allows no inline script). They read citations only, so whoever may view citations may use them.
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from monographs.editorial.checks import unknown_citation
from monographs.models import Citation
from monographs.richtext import citation_keys, first_use_numbers, render_markdown

PICKER_LIMIT = 20
PREVIEW_MAX_CHARS = 100_000


class MarkdownHelpViews:
    """URLs of the Markdown help, on the citations' admin (they are about citations)."""

    def get_urls(self):
        opts = self.opts
        prefix = f"{opts.app_label}_{opts.model_name}"
        return [
            path(
                "picker/",
                self.admin_site.admin_view(self.picker_view),
                name=f"{prefix}_picker",
            ),
            path(
                "markdown-preview/",
                self.admin_site.admin_view(self.markdown_preview_view),
                name=f"{prefix}_markdown_preview",
            ),
            *super().get_urls(),
        ]

    def _may_read(self, request: HttpRequest) -> None:
        if not self.has_view_permission(request):
            raise PermissionDenied

    def picker_view(self, request: HttpRequest) -> JsonResponse:
        return require_GET(self._picker_view)(request)

    def _picker_view(self, request: HttpRequest) -> JsonResponse:
        """Citations matching ?q= (title, author, key, journal, year), newest first."""
        self._may_read(request)
        text = request.GET.get("q", "").strip()[:200]
        if not text:
            return JsonResponse({"results": []})
        found = Citation.objects.matching(text).only(
            "key", "kind", "authors", "authors_incomplete", "group_author", "title", "year",
            "journal",
        )[:PICKER_LIMIT]  # fmt: skip
        return JsonResponse(
            {"results": [{"key": c.key, "label": str(c), "cite": f"[@{c.key}]"} for c in found]}
        )

    def markdown_preview_view(self, request: HttpRequest) -> JsonResponse:
        return require_POST(self._markdown_preview_view)(request)

    def _markdown_preview_view(self, request: HttpRequest) -> JsonResponse:
        """The text as the public page shows it (richtext.render_markdown), its references
        numbered in order of first citation, and its unknown keys as quality findings."""
        self._may_read(request)
        text = request.POST.get("text", "")
        where = request.POST.get("where", "").strip()[:120] or "Text"
        if len(text) > PREVIEW_MAX_CHARS:
            return JsonResponse(
                {"error": f"The text is longer than {PREVIEW_MAX_CHARS:,} characters."},
                status=400,
            )
        keys = list(dict.fromkeys(citation_keys(text)))
        cited = {c.key: c for c in Citation.objects.filter(key__in=keys)}
        numbers = first_use_numbers(text, set(cited))
        return JsonResponse(
            {
                "html": render_markdown(text, reference_numbers=numbers),
                "references": [
                    {"number": number, "key": key, "text": cited[key].vancouver()}
                    for key, number in numbers.items()
                ],
                "findings": [str(unknown_citation(key, where)) for key in keys if key not in cited],
            }
        )
