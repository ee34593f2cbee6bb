from django.core.management.base import BaseCommand

from monographs.api.exports.bulk import (
    PART_RECORDS,
    bulk_snapshot_build,
    bulk_snapshots_prune,
    bulk_storage,
)


class Command(BaseCommand):
    help = (
        "Write the bulk download (every live document, and the published corpus as a fixture) "
        "from one snapshot of the database, as compressed parts and a manifest, unless one at "
        "the current change token exists. Run it after publishing (cron, beside "
        "publish_scheduled); /api/v1/bulk/ serves the newest."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--part-records",
            type=int,
            default=PART_RECORDS,
            help=f"Entries per part (default {PART_RECORDS}).",
        )
        parser.add_argument(
            "--keep",
            type=int,
            default=3,
            help="Snapshots to keep, the newest; older ones are deleted (default 3).",
        )

    def handle(self, *args, part_records: int, keep: int, **options) -> None:
        if part_records < 1 or keep < 1:
            self.stderr.write("--part-records and --keep take a whole number of 1 or more.")
            raise SystemExit(2)
        storage = bulk_storage()
        self.stdout.write("Reading the published corpus in one snapshot…")
        manifest = bulk_snapshot_build(
            storage=storage, part_records=part_records, progress=self.stdout.write
        )
        pruned = bulk_snapshots_prune(keep=keep, storage=storage)
        records = ", ".join(f"{n} {kind}" for kind, n in manifest["records"].items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Snapshot at token {manifest['token']}: {len(manifest['parts'])} parts "
                f"({records}); {len(pruned)} older snapshots deleted."
            )
        )
