from django.db import models


class EventQuerySet(models.QuerySet):
    def of_root(self, *, kind: str, root_id: int) -> "EventQuerySet":
        return self.filter(kind=kind, root_id=root_id)


class RevisionQuerySet(models.QuerySet):
    def of_root(self, *, kind: str, root_id: int) -> "RevisionQuerySet":
        return self.filter(kind=kind, root_id=root_id)

    def with_standing(self) -> "RevisionQuerySet":
        """Each revision with what became of it: `published_version`, the first version of its
        root that froze the same document (by hash), and `approved`, whether an approval froze
        this revision. A revision neither approved nor published is a draft.

        Read without the documents themselves: a history lists hundreds of them.
        """
        from monographs.editorial.models import EditorialEvent
        from monographs.publishing.models import Publication

        publications = Publication.objects.filter(
            kind=models.OuterRef("kind"),
            root_id=models.OuterRef("root_id"),
            content_hash=models.OuterRef("content_hash"),
        ).order_by("version")
        approvals = EditorialEvent.objects.filter(
            revision=models.OuterRef("pk"), action=EditorialEvent.Action.APPROVED
        )
        return (
            self.defer("document")
            .select_related("created_by")
            .annotate(
                published_version=models.Subquery(publications.values("version")[:1]),
                approved=models.Exists(approvals),
            )
        )
