from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from monographs.seeding.errors import SeedFilesInvalid
from monographs.seeding.fixtures import fixtures_write


class Command(BaseCommand):
    help = (
        "Write fixtures/*.json from seeds/: the working copy exactly as `load_seeds --draft` "
        "leaves it (drugs and trials as drafts; no publications or editorial events, which are "
        "history rather than content). Drugs, trials, citations and vocabulary are named by "
        "natural key; other rows are numbered in a stable order. Load them into an empty, "
        "migrated database with `manage.py loaddata fixtures/*.json`, then publish with "
        "`load_seeds` or in the admin. The seeds are written in a transaction that is rolled "
        "back, so the database is left as it was."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            default=Path(settings.FIXTURES_DIR),
            help="Directory to write (default: fixtures/).",
        )

    def handle(self, *args, output: Path, **options) -> None:
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError(
                "The database has unapplied migrations: run `manage.py migrate` (make migrate) "
                "first. build_fixtures writes the seeds into it and rolls them back."
            )
        try:
            written = fixtures_write(output_dir=output)
        except SeedFilesInvalid as error:
            raise CommandError(str(error)) from error
        for path in written:
            self.stdout.write(f"  wrote {path}")
        self.stdout.write(self.style.SUCCESS(f"Wrote {len(written)} fixture files."))
