"""Which citations a row cites: the links that make an entry's reference list."""

from collections.abc import Iterable

from django.db import models
from django.db.models import Q

from .base import (
    PlainConstraintMessages,
    explained,
)
from .citations import Citation


class CitationLinkQuerySet(models.QuerySet):
    def reference_lists(self, keys: Iterable[str]) -> dict[str, list[dict]]:
        """The works each of these sources cites, as far as our records hold them: numbered
        ones in the order of its reference list, then those it credits without a number
        (a figure's source). One query for any number of sources."""
        lists: dict[str, list[dict]] = {}
        links = (
            self.filter(citing__key__in=list(keys))
            .select_related("citing", "cited")
            .order_by("citing__key", models.F("position").asc(nulls_last=True), "cited__key")
        )
        for link in links:
            lists.setdefault(link.citing.key, []).append(
                {
                    "position": link.position,
                    "key": link.cited.key,
                    "vancouver": link.cited.vancouver(),
                }
            )
        return lists


def reference_lists_attach(documents: Iterable[dict]) -> None:
    """Give each reference of these documents the works it cites, as `reference_list`.

    Only a source that cites works our records hold gets the member, so the documents
    citing any other stay as they were. One query for a whole batch of documents.
    """
    references = [r for document in documents for r in document.get("references") or []]
    if not references:
        return
    lists = CitationLink.objects.reference_lists({r["key"] for r in references})
    for reference in references:
        if reference["key"] in lists:
            reference["reference_list"] = lists[reference["key"]]


class CitationLink(PlainConstraintMessages, models.Model):
    """One source citing another: a review's reference list, an article's citing papers."""

    citing = models.ForeignKey(Citation, on_delete=models.CASCADE, related_name="outgoing_links")
    cited = models.ForeignKey(Citation, on_delete=models.CASCADE, related_name="incoming_links")
    position = models.PositiveIntegerField(
        null=True, blank=True, help_text="Number in the citing work's reference list."
    )

    objects = CitationLinkQuerySet.as_manager()

    class Meta:
        ordering = ["citing", "position", "id"]
        constraints = [
            explained(
                models.UniqueConstraint(fields=["citing", "cited"], name="citation_link_unique"),
                field="cited",
                message="{citing} already cites {cited}.",
            ),
            explained(
                models.CheckConstraint(
                    condition=~Q(citing=models.F("cited")), name="citation_link_not_self"
                ),
                field="cited",
                fields=("citing", "cited"),
                message="A source cannot cite itself: choose another cited source.",
                broken=lambda row: row.citing_id is not None and row.citing_id == row.cited_id,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.citing.key} cites {self.cited.key}"
