from django.core.management.base import BaseCommand, CommandError

from monographs.editorial.exceptions import EditorialError
from monographs.editorial.services import publications_publish_due


class Command(BaseCommand):
    help = (
        "Publish every approved revision whose publish-at time has come. "
        "Run it from cron (every few minutes); running it twice publishes nothing twice."
    )

    def handle(self, *args, **options) -> None:
        try:
            published = publications_publish_due()
        except EditorialError as error:
            raise CommandError(
                f"A scheduled revision could not be published: {error} "
                "Revisions listed before it were published; fix this one in the admin "
                "(or clear its publish-at time), then run the command again."
            ) from error
        if not published:
            self.stdout.write("Nothing is due.")
            return
        for publication in published:
            self.stdout.write(
                f"Published {publication.kind} '{publication.slug}' as v{publication.version} "
                f"(approved by {publication.approved_by or 'nobody recorded'})."
            )
        self.stdout.write(self.style.SUCCESS(f"{len(published)} published."))
