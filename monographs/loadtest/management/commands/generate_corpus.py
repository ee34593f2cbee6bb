import os
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from monographs.loadtest.synthetic import CorpusError, corpus_generate

BAR_WIDTH = 30


class Command(BaseCommand):
    help = (
        "Write and publish a deterministic synthetic corpus for load testing: made-up drugs "
        "with full monographs and trials with arms, outcomes and adverse events. The same "
        "--seed gives the same content. Use an empty database: the content is published."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--drugs", type=int, default=1000, help="Drugs (default 1000).")
        parser.add_argument("--trials", type=int, default=100_000, help="Trials (default 100000).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--jobs",
            type=int,
            default=os.cpu_count() or 1,
            help="Processes writing trials on PostgreSQL (default: one per CPU).",
        )

    def handle(self, *args, drugs: int, trials: int, seed: int, jobs: int, **options) -> None:
        if drugs < 1 or trials < 0:
            raise CommandError("Give at least one drug (--drugs) and zero or more trials.")
        started = time.monotonic()
        self.stderr.style_func = None  # progress, not errors: no red
        try:
            report = corpus_generate(
                drugs=drugs,
                trials=trials,
                seed=seed,
                jobs=max(jobs, 1),
                progress=self._progress(started),
            )
        except CorpusError as error:
            raise CommandError(str(error)) from None
        self.stderr.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"Published {report.drugs} drugs and {report.trials} trials "
                f"({report.publications} publications) in {time.monotonic() - started:.0f} s."
            )
        )

    def _progress(self, started: float):
        last = {"stage": None}

        def show(stage: str, done: int, total: int) -> None:
            if last["stage"] not in (None, stage):
                self.stderr.write("")
            last["stage"] = stage
            filled = BAR_WIDTH * done // max(total, 1)
            bar = "#" * filled + "." * (BAR_WIDTH - filled)
            elapsed = time.monotonic() - started
            self.stderr.write(
                f"\r{stage:<17} [{bar}] {done:>7,}/{total:,}  {elapsed:6.1f} s", ending=""
            )
            self.stderr.flush()

        return show
