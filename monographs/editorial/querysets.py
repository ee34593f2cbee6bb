from django.db import models


class PublicationQuerySet(models.QuerySet):
    def current(self) -> "PublicationQuerySet":
        """Publications the public may read now: the current version of a root not withdrawn."""
        from monographs.editorial.models import Entry

        live = Entry.objects.live().values("current_id")
        return self.filter(pk__in=live)

    def of_root(self, *, kind: str, root_id: int) -> "PublicationQuerySet":
        return self.filter(kind=kind, root_id=root_id)


class EntryQuerySet(models.QuerySet):
    def live(self) -> "EntryQuerySet":
        """Entries whose current publication is public: published and not withdrawn."""
        return self.filter(withdrawn_at__isnull=True)

    def withdrawn(self) -> "EntryQuerySet":
        return self.filter(withdrawn_at__isnull=False)


class EventQuerySet(models.QuerySet):
    def of_root(self, *, kind: str, root_id: int) -> "EventQuerySet":
        return self.filter(kind=kind, root_id=root_id)
