from django.core.management.base import BaseCommand, CommandError

from monographs.editorial.services.publish import publications_publish_due


class Command(BaseCommand):
    help = (
        "Publish every approved revision whose publish-at time has come. "
        "Run it from cron (every few minutes); running it twice publishes nothing twice."
    )

    def handle(self, *args, **options) -> None:
        run = publications_publish_due()
        for publication in run.published:
            self.stdout.write(
                f"Published {publication.kind} '{publication.slug}' as v{publication.version} "
                f"(approved by {publication.approved_by or 'nobody recorded'})."
            )
        for root, reason in run.failed:
            self.stderr.write(f"Not published: '{root}': {reason}")
        if run.failed:
            raise CommandError(
                f"{len(run.failed)} scheduled revision(s) could not be published (listed above); "
                f"{len(run.published)} were. Fix them in the admin, or clear their publish-at "
                "time, then run the command again."
            )
        if not run.published:
            self.stdout.write("Nothing is due.")
            return
        self.stdout.write(self.style.SUCCESS(f"{len(run.published)} published."))
