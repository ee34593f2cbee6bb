"""python manage.py import_trial NCT_OR_FILE : a draft trial from its ClinicalTrials.gov record."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from monographs.importing.errors import ImportProblem, ServiceUnavailable
from monographs.importing.study_plans import study_fetch, study_read
from monographs.importing.trials import trial_import_study


class Command(BaseCommand):
    help = (
        "Create or update a DRAFT trial from its ClinicalTrials.gov record: an NCT number "
        "(API v2) or a study JSON file as that API returns it (read offline). Posted results "
        "come in as outcomes, analyses and adverse events sourced to the registry record. "
        "Nothing is submitted or published."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("source", metavar="NCT_OR_FILE")
        parser.add_argument("--user", help="Username the edit is recorded for.")
        parser.add_argument(
            "--require-results",
            action="store_true",
            help="Refuse a study without posted results instead of importing its registration.",
        )

    def handle(self, *args, **options) -> None:
        user = None
        if options["user"]:
            model = get_user_model()
            try:
                user = model.objects.get_by_natural_key(options["user"])
            except model.DoesNotExist as error:
                raise CommandError(f"No user {options['user']!r}.") from error
        source = options["source"]
        try:
            path = Path(source)
            if path.is_file():
                self.stderr.write(f"Reading {source}…")
                study = study_read(path.name, path.read_bytes())
                label = path.name
            else:
                self.stderr.write(f"Fetching {source.strip().upper()} from ClinicalTrials.gov…")
                study = study_fetch(nct_id=source)
                label = "ClinicalTrials.gov"
            result = trial_import_study(
                study=study, user=user, source=label, require_results=options["require_results"]
            )
        except ServiceUnavailable as error:
            raise CommandError(str(error)) from error
        except ImportProblem as error:
            raise CommandError(f"Nothing was imported.\n{error.describe()}") from error
        self.stdout.write(self.style.SUCCESS(result.summary()))
        for note in result.notes:
            self.stdout.write(f"  note: {note}")
        self.stdout.write(
            f"Every imported figure is sourced to {result.registry_citation.key}. "
            "Review the draft in the admin and submit it when it is ready."
        )
