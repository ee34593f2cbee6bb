from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from monographs.seeding.errors import SeedFilesInvalid
from monographs.seeding.loading import SeedLoadFailed, database_holds_content, seeds_load
from monographs.seeding.validation import seeds_plan
from monographs.site.rendering import StaticFilesNotCollected, static_names_ready
from monographs.site.stored import stored_pages_fill


class Command(BaseCommand):
    help = (
        "Load the seed corpus (seeds/*.yaml, or the FILEs or directories given) into the "
        "working copy. Every file is checked first (YAML, schema, references, number rules, "
        "model rules) and nothing is written unless all are valid; the load runs in one "
        "transaction and is idempotent. Each drug and trial it creates or changes, and each "
        "not yet published, is then published through the editorial service, recording an "
        "event; --draft leaves them as drafts for review in the admin instead."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", nargs="*", type=Path, metavar="FILE")
        parser.add_argument(
            "--draft", action="store_true", help="Write the working copy but publish nothing."
        )
        parser.add_argument(
            "--check", action="store_true", help="Only check the files; write nothing."
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Load only into a database holding no content yet (what `make run` does); "
            "on one that has any, write nothing.",
        )

    def handle(
        self, *args, files: list[Path], draft: bool, check: bool, if_empty: bool, **options
    ) -> None:
        verbosity = options["verbosity"]

        def say(line: str) -> None:
            if verbosity >= 1:
                self.stdout.write(line)

        if if_empty and not check and database_holds_content():
            self.stdout.write(
                "The database already holds content: seeds not loaded, nothing changed "
                "(manage.py load_seeds applies seed changes to it)."
            )
            return
        try:
            plan = seeds_plan(paths=files or None)
        except SeedFilesInvalid as error:
            raise CommandError(str(error)) from error
        say(f"Checked {len(plan.files)} seed files: all valid.")
        for seed_file in plan.files:
            records = sum(1 for row in plan.rows if row.file is seed_file)
            say(f"  {seed_file.name}: {records} records")
        if check:
            return
        if not draft:
            try:
                static_names_ready()
            except StaticFilesNotCollected as error:
                raise CommandError(f"Nothing loaded. {error}") from error
        say("Loading" + (" (drafts only):" if draft else ":"))
        try:
            report = seeds_load(
                plan=plan,
                publish=not draft,
                # Readers see this note under "What changed": it names no file.
                note="Loaded from our curated records of the source documents.",
                progress=say,
            )
        except SeedLoadFailed as error:
            raise CommandError(str(error)) from error
        for name, counts in report.per_file.items():
            say(f"  {name}: {counts}")
        if report.published:
            new = sum(1 for root in report.published if root.new_version)
            say(f"Published {len(report.published)} roots ({new} new versions).")
        if report.published:
            stored = sum(stored_pages_fill())
            say(f"Stored the rendered pages of {stored} entries.")
        for root in report.left_withdrawn:
            say(f"Left withdrawn, not republished: {root}")
        for why in report.left_to_editors:
            self.stdout.write(self.style.WARNING(f"Left to its editors: {why}."))
        total = report.total
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {total.created} created, {total.changed} changed, "
                f"{total.unchanged} unchanged, {total.deleted} deleted."
            )
        )
