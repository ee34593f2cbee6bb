from django.core.management.base import BaseCommand

from monographs.api.read_tables import read_tables_rebuild
from monographs.publishing.cache import responses_invalidate_all


class Command(BaseCommand):
    help = (
        "Write the API's read tables (documents, adverse events, citations, studied drugs, "
        "the trial list's order) again from every publication. Publishing keeps them current; "
        "run this after loading an export made by an earlier version, which lacks the tables "
        "or columns added since."
    )

    def handle(self, *args, **options) -> None:
        self.stdout.write("Writing the read tables again from every publication…")
        publications = read_tables_rebuild()
        responses_invalidate_all()  # cached pages and API responses were read from the old rows
        self.stdout.write(
            self.style.SUCCESS(f"Wrote the read tables of {publications} publications.")
        )
