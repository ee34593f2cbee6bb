"""Writing a checked plan into the working copy, in one transaction, then publishing it.

Rows are found by their identity (a slug, a key, or the seed key a file gives its rows),
compared field by field, and written only when something differs; a second run of the same
seeds therefore creates and changes nothing. Each file owns the rows it declares: a row that
disappears from its file is deleted on the next load of that file. Rows are written by
row_writing.py.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import IntegrityError, models, transaction

from monographs.editorial import registry
from monographs.editorial.models import EditorialEvent, Status
from monographs.editorial.shared import shared_edits_collected, shared_edits_settled
from monographs.publishing.models import Entry, Publication
from monographs.seeding.plans import (
    MODEL_ORDER,
    Ref,
    SeedPlan,
)
from monographs.seeding.row_writing import ROOT_MODELS, Resolver, existing_rows, row_write
from monographs.seeding.schema import Reference
from trials.models import Arm, Intervention

Progress = Callable[[str], None]


@dataclass
class Counts:
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    deleted: int = 0

    def add(self, outcome: str, number: int = 1) -> None:
        setattr(self, outcome, getattr(self, outcome) + number)

    def __str__(self) -> str:
        return (
            f"{self.created} created, {self.changed} changed, {self.unchanged} unchanged, "
            f"{self.deleted} deleted"
        )


@dataclass(frozen=True)
class PublishedRoot:
    kind: str
    slug: str
    version: int
    new_version: bool


@dataclass
class LoadReport:
    """What a load did, per file and in total, and which roots it published."""

    per_file: dict[str, Counts]
    published: list[PublishedRoot] = field(default_factory=list)
    left_withdrawn: list[str] = field(default_factory=list)
    left_to_editors: list[str] = field(default_factory=list)
    row_pks: dict[type[models.Model], set[int]] = field(default_factory=lambda: defaultdict(set))

    @property
    def total(self) -> Counts:
        total = Counts()
        for counts in self.per_file.values():
            for outcome in ("created", "changed", "unchanged", "deleted"):
                total.add(outcome, getattr(counts, outcome))
        return total


class SeedLoadFailed(Exception):
    """Writing or publishing the seeds failed; the transaction was rolled back."""


def _stale_rows_delete(
    plan: SeedPlan,
    report: LoadReport,
    edited: set[Ref],
    progress: Progress,
    kept_roots: dict[Ref, str],
) -> None:
    """Rows a loaded file used to declare and no longer does: the file owns them, so they go.

    Rows of roots editors own stay, whatever the file says.
    """
    owned_models = [
        model
        for model in reversed(MODEL_ORDER)
        if "seed_key" in {f.name for f in model._meta.concrete_fields}
    ]
    for model in owned_models:
        kept = report.row_pks[model]
        root_field = "trial" if model._meta.app_label == "trials" else "drug"
        for seed_file in plan.files:
            kind = Reference.TRIAL if root_field == "trial" else Reference.DRUG
            stale = (
                model.objects.filter(seed_key__startswith=f"{seed_file.file_id}:")
                .exclude(pk__in=kept)
                .exclude(
                    **{
                        f"{root_field}__slug__in": [
                            ref.key for ref in kept_roots if ref.kind == kind
                        ]
                    }
                )
            )
            slugs = list(stale.values_list(f"{root_field}__slug", flat=True))
            if not slugs:
                continue
            edited.update(Ref(kind, slug) for slug in slugs)
            stale.delete()
            report.per_file[seed_file.name].add("deleted", len(slugs))
            progress(f"  {seed_file.name}: deleted {len(slugs)} {model._meta.verbose_name_plural}")


def _root_events(edited: dict[Ref, bool], resolver: Resolver) -> None:
    """Each root whose working copy changed gets its edit recorded, as an admin save would."""
    from monographs.editorial.services.edits import root_record_edit

    refs = sorted(edited, key=lambda r: (r.kind, r.key))
    roots = {ref: resolver.get(ref) for ref in refs}
    documents: dict[tuple[str, int], dict] = {}
    by_kind: dict[str, list[int]] = defaultdict(list)
    for root in roots.values():
        by_kind[registry.kind_of(root)].append(root.pk)
    for kind, pks in by_kind.items():
        root_kind = registry.root_kind(kind)
        built = root_kind.build_documents(root_kind.model.objects.filter(pk__in=pks))
        documents |= {(kind, pk): document for pk, document in built.items()}
    for ref in refs:
        root = roots[ref]
        root_record_edit(
            root=root,
            user=None,
            created=edited[ref],
            document=documents[registry.kind_of(root), root.pk],
        )


def _roots_publish(
    *,
    roots: list[Ref],
    resolver: Resolver,
    note: str,
    report: LoadReport,
    progress: Progress,
) -> None:
    """Publish the roots kind by kind with roots_import_publish_bulk: the same publications
    as one root at a time, in a few queries per kind instead of dozens per root."""
    from monographs.editorial.exceptions import QualityCheckFailed
    from monographs.editorial.services.publish import roots_import_publish_bulk

    by_kind: dict[str, list[tuple[Ref, models.Model]]] = {}
    for ref in roots:
        root = resolver.get(ref)
        if root.status == Status.WITHDRAWN:
            report.left_withdrawn.append(f"{ref.kind} {ref.key}")
            continue
        by_kind.setdefault(registry.kind_of(root), []).append((ref, root))
    for kind, refs in by_kind.items():
        pks = [root.pk for _, root in refs]
        entries = Entry.objects.filter(kind=kind, root_id__in=pks)
        before = dict(entries.values_list("root_id", "current_id"))
        model = registry.root_kind(kind).model
        try:
            roots_import_publish_bulk(kind=kind, roots=model.objects.filter(pk__in=pks), note=note)
            shared_edits_settled(kind=kind, pks=pks)
        except QualityCheckFailed as error:
            findings = "; ".join(str(finding) for finding in error.findings)
            raise SeedLoadFailed(
                f"Publishing failed its quality checks ({findings}): fix the seed records, "
                "or load with --draft to review them in the admin. Nothing was loaded."
            ) from error
        after = dict(entries.values_list("root_id", "current_id"))
        versions = dict(
            Publication.objects.filter(pk__in=after.values()).values_list("pk", "version")
        )
        for number, (ref, root) in enumerate(refs, start=1):
            current = after[root.pk]
            new_version = current != before.get(root.pk)
            report.published.append(PublishedRoot(kind, ref.key, versions[current], new_version))
            state = f"v{versions[current]}" + ("" if new_version else ", unchanged")
            progress(f"  [{number}/{len(refs)}] {ref.kind} {ref.key}: {state}")


def _roots_editors_own(plan: SeedPlan) -> dict[Ref, str]:
    """Roots the plan names that people have worked on in the admin, with why they are theirs.

    The seeds are one more author and never overwrite or publish anyone's work: a root
    created, edited, reviewed or withdrawn by a person is left exactly as it is.
    """
    wanted: dict[str, dict[str, Ref]] = defaultdict(dict)
    for row in plan.rows:
        if row.root is not None:
            wanted[row.root.kind][row.root.key] = row.root
    owned: dict[Ref, str] = {}
    for seed_kind, refs in wanted.items():
        model = ROOT_MODELS[seed_kind]
        kind = registry.kind_of(model())
        roots = dict(model.objects.filter(slug__in=list(refs)).values_list("pk", "slug"))
        statuses = dict(model.objects.filter(pk__in=list(roots)).values_list("pk", "status"))
        touched = set(
            EditorialEvent.objects.filter(
                kind=kind, root_id__in=list(roots), user__isnull=False
            ).values_list("root_id", flat=True)
        )
        for pk in sorted(touched):
            status = Status(statuses[pk])
            if status in (Status.PUBLISHED, Status.WITHDRAWN):
                why = f"has been {status.label.lower()} by an editor in the admin"
            else:
                why = f"has a {status.label.lower()} revision in the admin"
            owned[refs[roots[pk]]] = f"{roots[pk]} {why}; its seed record was not applied"
    return owned


def database_holds_content() -> bool:
    """Whether any row of a kind the seeds write, or any entry ever published, is here.

    `load_seeds --if-empty`, what `make run` and `make serve` start with, loads only into a
    database holding none: on any other, people may have published, drafted or corrected
    a shared record, and starting the app must change none of it, nor fail on it. So it is
    asked before the seed files are read, and of every kind the seeds can write, whichever
    files are named. Users and roles are not content: an account made before the first
    start still gets the corpus. Applying seed changes to a database with content is
    `load_seeds` run on purpose, which leaves roots people worked on to them.
    """
    kinds = (*MODEL_ORDER, Intervention, Entry)
    return any(model.objects.exists() for model in kinds)


def seeds_load(
    *,
    plan: SeedPlan,
    publish: bool,
    note: str = "Imported from the seed corpus (seeds/).",
    record_events: bool = True,
    progress: Progress | None = None,
) -> LoadReport:
    """Write the plan in one transaction; with publish, publish each root it touched.

    Published are the roots created or changed by this load, those whose citations or
    vocabulary changed, and those not yet published; roots an editor withdrew are left so.
    Any failure rolls everything back.
    """
    progress = progress or (lambda line: None)
    report = LoadReport(per_file={seed_file.name: Counts() for seed_file in plan.files})
    resolver = Resolver()
    edited: dict[Ref, bool] = {}
    touched: set[Ref] = set()
    shared_changed = False
    with transaction.atomic(), shared_edits_collected(user=None, note=_shared_note(plan)):
        owned = _roots_editors_own(plan)
        report.left_to_editors = sorted(owned.values())
        plan_rows = [row for row in plan.rows if row.root not in owned]
        current_model = None
        existing: dict[tuple, models.Model] = {}
        for row in plan_rows:
            if row.model is not current_model:
                current_model = row.model
                same_model = [r for r in plan.rows_of(current_model) if r.root not in owned]
                progress(f"  writing {len(same_model)} {current_model._meta.verbose_name_plural}")
                existing = existing_rows(current_model, same_model, resolver)
            try:
                instance, outcome = row_write(row, resolver, existing)
            except IntegrityError as error:
                raise SeedLoadFailed(
                    f"{row.file.name}, line {row.record.line}: {row.record.path}: the database "
                    f"refused this {row.record.spec.name} ({error}); fix the record. Nothing "
                    "was loaded."
                ) from error
            resolver.remember(row.reference, instance)
            report.row_pks[row.model].add(instance.pk)
            if row.model is Arm:
                report.row_pks[Intervention] |= set(
                    Intervention.objects.filter(arm=instance).values_list("pk", flat=True)
                )
            report.per_file[row.file.name].add(outcome)
            if row.root is not None:
                touched.add(row.root)
                if outcome != "unchanged":
                    root_created = outcome == "created" and row.model in ROOT_MODELS.values()
                    edited[row.root] = edited.get(row.root, False) or root_created
            elif outcome != "unchanged":
                shared_changed = True
        stale: set[Ref] = set()
        _stale_rows_delete(plan, report, stale, progress, kept_roots=owned)
        for ref in stale:
            edited.setdefault(ref, False)
        if record_events and edited:
            _root_events(edited, resolver)
        if publish:
            roots = sorted(touched, key=lambda r: (r.kind, r.key))
            if not shared_changed:
                roots = [ref for ref in roots if ref in edited or _unpublished(resolver.get(ref))]
            if roots:
                progress(f"Publishing {len(roots)} roots:")
            _roots_publish(
                roots=roots, resolver=resolver, note=note, report=report, progress=progress
            )
    return report


def _shared_note(plan: SeedPlan) -> str:
    names = ", ".join(seed_file.name for seed_file in plan.files)
    return f"A citation or term it uses was changed by the seed corpus ({names})."


def _unpublished(root: models.Model) -> bool:
    """A root whose working copy is not what is live: never published, or left in draft."""
    if root.status != Status.PUBLISHED:
        return True
    return not Entry.objects.filter(kind=registry.kind_of(root), root_id=root.pk).exists()
