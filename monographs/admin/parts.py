"""A root's change page split into parts, the way a page editor splits a page into panels.

Each part is a page of its own: the root's fields it names and the tables (inlines) it holds,
posting only those rows. Every part saves under the root's one lock and records the edit on
the root's one draft, exactly as the whole page did. A table longer than its inline's
`per_page` is edited a page of rows at a time, so no form posts more fields than the server
accepts (DATA_UPLOAD_MAX_NUMBER_FIELDS) however long a monograph grows.
"""

from dataclasses import dataclass
from math import ceil
from typing import Any

from django.contrib.admin.utils import flatten_fieldsets
from django.http import Http404, HttpRequest
from django.urls import path, reverse
from django.utils.http import urlencode

PAGE_PARAMETER = "rows"


@dataclass(frozen=True)
class Part:
    """One page of a root's editor: some of its fields and some of its tables."""

    slug: str
    label: str
    fieldsets: tuple = ()
    inlines: tuple = ()

    @property
    def field_names(self) -> set[str]:
        return set(flatten_fieldsets(self.fieldsets))


def inline_page_number(request: HttpRequest, prefix: str) -> int:
    """Which page of a table's rows this request edits: 1 unless given; 404 for no number."""
    raw = request.GET.get(f"{PAGE_PARAMETER}-{prefix}", "1")
    try:
        number = int(raw)
    except ValueError as error:
        raise Http404(f"There is no page {raw!r} of rows.") from error
    if number < 1:
        raise Http404(f"There is no page {raw!r} of rows.")
    return number


class PartsMixin:
    """For an EditorialRootAdmin: `parts` pages instead of one page holding every table.

    The first part is the plain change URL (and the add page); the others live at
    <id>/change/<part>/. A root admin without parts keeps its single page.
    """

    parts: tuple[Part, ...] = ()

    # -- which part ----------------------------------------------------------------------------

    def part_for(self, request: HttpRequest) -> Part | None:
        if not self.parts:
            return None
        match = getattr(request, "resolver_match", None)
        slug = match.kwargs.get("part") if match is not None else None
        if slug is None:
            return self.parts[0]
        for part in self.parts:
            if part.slug == slug:
                return part
        raise Http404(f"A {self.opts.verbose_name} has no part called {slug!r}.")

    def get_urls(self):
        urls = super().get_urls()
        if not self.parts:
            return urls
        opts = self.opts
        return [
            path(
                "<path:object_id>/change/<slug:part>/",
                self.admin_site.admin_view(self.part_change_view),
                name=f"{opts.app_label}_{opts.model_name}_change_part",
            ),
            *urls,
        ]

    def part_change_view(self, request: HttpRequest, object_id: str, part: str):
        self.part_for(request)  # an unknown part is a 404 before anything is read
        return self.change_view(request, object_id)

    def part_url(self, obj, part: Part) -> str:
        opts = self.opts
        if part == self.parts[0]:
            return reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                args=(obj.pk,),
            )
        return reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change_part",
            args=(obj.pk, part.slug),
        )

    # -- what the part holds -------------------------------------------------------------------

    def get_fieldsets(self, request, obj=None):
        part = self.part_for(request)
        if part is None:
            return super().get_fieldsets(request, obj)
        return [(name, dict(options)) for name, options in part.fieldsets]

    def get_inlines(self, request, obj):
        part = self.part_for(request)
        return super().get_inlines(request, obj) if part is None else part.inlines

    def get_prepopulated_fields(self, request, obj=None):
        prepopulated = super().get_prepopulated_fields(request, obj)
        part = self.part_for(request)
        if part is None:
            return prepopulated
        names = part.field_names
        return {
            name: sources
            for name, sources in prepopulated.items()
            if name in names and set(sources) <= names
        }

    def get_formset_kwargs(self, request, obj, inline, prefix):
        """A long table's rows a page at a time: the page's rows only, read in one statement."""
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        per_page = getattr(inline, "per_page", None)
        if not self.parts or not per_page or obj is None or obj.pk is None:
            return kwargs
        rows = kwargs["queryset"].filter(**{inline.fk_name_or_parent(): obj})
        number = inline_page_number(request, prefix)
        kwargs["queryset"] = kwargs["queryset"].filter(
            pk__in=rows.values("pk")[(number - 1) * per_page : number * per_page]
        )
        pager = getattr(request, "_editorial_pagers", None)
        if pager is None:
            pager = request._editorial_pagers = {}
        pager[prefix] = (inline, rows, number, per_page)
        return kwargs

    def part_pagers(self, request: HttpRequest) -> list[dict[str, Any]]:
        """Where each long table of this part is: rows shown, of how many, and the other pages."""
        pagers = []
        for prefix, (inline, rows, number, per_page) in getattr(
            request, "_editorial_pagers", {}
        ).items():
            total = rows.count()
            pages = max(1, ceil(total / per_page))
            if number > pages and total:
                raise Http404(f"There is no page {number} of rows.")
            if pages == 1:
                continue
            pagers.append(
                {
                    "label": str(inline.verbose_name_plural),
                    "first": (number - 1) * per_page + 1,
                    "last": min(number * per_page, total),
                    "total": total,
                    "pages": [
                        {
                            "number": page,
                            "current": page == number,
                            "url": "?"
                            + urlencode({**request.GET.dict(), f"{PAGE_PARAMETER}-{prefix}": page}),
                        }
                        for page in range(1, pages + 1)
                    ],
                }
            )
        return pagers

    def part_context(self, request: HttpRequest, obj) -> dict[str, Any]:
        part = self.part_for(request)
        if part is None:
            return {}
        context: dict[str, Any] = {"editorial_part": part}
        if obj is not None and obj.pk is not None:
            context["subtitle"] = f"{obj}: {part.label}"
            context["editorial_parts"] = [
                {
                    "label": each.label,
                    "url": self.part_url(obj, each),
                    "current": each == part,
                }
                for each in self.parts
            ]
            context["editorial_pagers"] = self.part_pagers(request)
        return context


__all__ = ["PAGE_PARAMETER", "Part", "PartsMixin"]
