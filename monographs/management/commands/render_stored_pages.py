from django.core.management.base import BaseCommand

from monographs.api.stored_detail import detail_heads_fill
from monographs.site.stored import stored_pages_fill


class Command(BaseCommand):
    help = (
        "Store the rendered page of every live drug and trial that has none for its current "
        "version rendered by this code (--all: of every one), and the metadata of their API "
        "details likewise. Publishing keeps them current; "
        "run this after each upgrade and after a corpus load. Pages not stored are rendered "
        "for each reader meanwhile, so the site is never stale, only slower."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--all", action="store_true", help="Render stored pages again too.")

    def handle(self, *args, **options) -> None:
        # The details first: a few minutes at 100,000 trials, where the pages may take an hour.
        heads = detail_heads_fill(missing_only=not options["all"])
        self.stdout.write(self.style.SUCCESS(f"Stored the metadata of {heads} API details."))
        stored = 0
        for count in stored_pages_fill(missing_only=not options["all"]):
            stored += count
            self.stdout.write(f"  {stored} pages stored…")
        self.stdout.write(self.style.SUCCESS(f"Stored {stored} entry pages."))
