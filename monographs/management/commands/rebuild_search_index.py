from django.core.management.base import BaseCommand

from monographs.publishing.cache import responses_invalidate_all
from monographs.search import search_index_rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the public search index from the live publications. Publishing and "
        "withdrawing keep it current; run this after changing how entries are indexed, or "
        "on a database whose entries were published before the index existed."
    )

    def handle(self, *args, **options) -> None:
        self.stdout.write("Rebuilding the search index from live publications…")
        rows = search_index_rebuild()
        responses_invalidate_all()  # cached search pages were built from the old index
        self.stdout.write(
            self.style.SUCCESS(f"Indexed {rows} drugs, trials, terms and references.")
        )
