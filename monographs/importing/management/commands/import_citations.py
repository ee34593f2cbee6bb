"""python manage.py import_citations ID_OR_FILE ... : citations from identifiers and files."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from monographs.importing.citations import (
    CREATE,
    UPDATE,
    citation_records_fetch,
    citations_import,
    citations_import_plan,
)
from monographs.importing.errors import ImportProblem, ServiceUnavailable
from monographs.importing.parsers import EXTENSIONS, FORMAT_NAMES, PARSERS, parse_file
from monographs.importing.preview import plan_lines


class Command(BaseCommand):
    help = (
        "Import citations from DOIs (Crossref), PMIDs and PMCIDs (PubMed) and reference files "
        f"({FORMAT_NAMES}). Shows what would be created, updated or skipped, and writes only "
        "once confirmed (or with --yes). Files are read offline."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("items", nargs="+", metavar="ID_OR_FILE")
        parser.add_argument(
            "--format", choices=sorted(PARSERS), default="", help="Format of the files given."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Show the preview, write nothing."
        )
        parser.add_argument(
            "--yes", action="store_true", help="Write without asking (for scripts)."
        )

    def handle(self, *args, **options) -> None:
        files = [item for item in options["items"] if Path(item).is_file()]
        identifiers = [item for item in options["items"] if item not in files]
        missing = [i for i in identifiers if Path(i).suffix.lower() in EXTENSIONS]
        if missing:
            raise CommandError(f"No such file: {', '.join(missing)}. Nothing was imported.")
        try:
            records = []
            for number, name in enumerate(files, start=1):
                self.stderr.write(f"Reading {name} ({number}/{len(files)})…")
                records += parse_file(name, Path(name).read_bytes(), file_format=options["format"])
            known = []
            if identifiers:
                self.stderr.write(f"Looking up {len(identifiers)} identifier(s)…")
                fetched, known = citation_records_fetch(identifiers=identifiers)
                records += fetched
            plan = known + citations_import_plan(records=records)
        except ServiceUnavailable as error:
            raise CommandError(str(error)) from error
        except ImportProblem as error:
            raise CommandError(f"Nothing was imported.\n{error.describe()}") from error

        for line in plan_lines(plan):
            self.stdout.write(line)
        to_write = [p for p in plan if p.action in (CREATE, UPDATE)]
        if not to_write:
            self.stdout.write("Nothing to write.")
            return
        if options["dry_run"]:
            self.stdout.write(f"Dry run: {len(to_write)} citation(s) would be written; none was.")
            return
        if not options["yes"]:
            if not sys.stdin.isatty():
                self.stdout.write("Nothing was written: run again with --yes to write these.")
                return
            answer = input(f"Write {len(to_write)} citation(s)? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                self.stdout.write("Nothing was written.")
                return
        try:
            result = citations_import(records=records)
        except ImportProblem as error:
            raise CommandError(f"Nothing was imported.\n{error.describe()}") from error
        self.stdout.write(self.style.SUCCESS(f"Citations: {result.summary()}"))
