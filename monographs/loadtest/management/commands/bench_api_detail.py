from django.core.management.base import BaseCommand, CommandParser

from monographs.loadtest import api_detail


class Command(BaseCommand):
    help = (
        "Time an uncached API detail against the floor view, and with each of its costs "
        "taken away in turn, in one process (monographs/loadtest/api_detail.py). Run it on "
        "the benchmark's database with the response cache on Redis (REDIS_URL)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--path", default="/api/v1/drugs/quorobrutinib/",
                            help="The detail to time (default: the quick corpus's most "
                            "studied drug).")  # fmt: skip
        parser.add_argument("--rounds", type=int, default=100, help="Rounds (default 100).")
        parser.add_argument(
            "--repeat", type=int, default=5, help="Requests per variant and round (default 5)."
        )
        parser.add_argument(
            "--only",
            default="",
            help="Comma-separated words: time only the variants whose label has one "
            "(besides the floor and the plain detail).",
        )
        parser.add_argument(
            "--profile", type=int, default=0, help="Also profile this many details (cProfile)."
        )

    def handle(
        self, *args, path: str, rounds: int, repeat: int, only: str, profile: int, **options
    ) -> None:
        self.stderr.style_func = None
        results = api_detail.compare(
            path,
            rounds=rounds,
            repeat=repeat,
            only=[word.strip() for word in only.split(",") if word.strip()],
            progress=lambda line: self.stderr.write(line),
        )
        self.stdout.write(
            f"{path}: {rounds} rounds of {repeat} requests each, variants in turn\n\n"
            "| request | median ms | CPU ms | x floor (lowest-highest) | "
            "detail / this (lowest-highest) |\n| --- | ---: | ---: | ---: | ---: |"
        )
        for result in results:
            self.stdout.write(
                f"| {result.label.strip()} | {result.median_ms:.2f} | {result.cpu_ms:.2f} | "
                f"{result.x_floor:.2f} "
                f"({result.x_floor_range[0]:.2f}-{result.x_floor_range[1]:.2f}) | "
                f"{result.detail_over_this:.2f} ({result.detail_over_this_range[0]:.2f}-"
                f"{result.detail_over_this_range[1]:.2f}) |"
            )
        if profile:
            self.stdout.write(api_detail.profile(path, repeat=profile))
