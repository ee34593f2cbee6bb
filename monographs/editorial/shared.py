"""Shared records (citations, terms, conditions, targets, linked entries) under review.

A shared record reaches readers only inside the documents of the entries that use it, so a
change to one counts as an edit of every entry whose document it changes: each gets an
event on its timeline by whoever made the change (counted for the four-eyes rule), a
revision holding the changed document, and goes back to review if it was in review or
approved, or to a new draft beside its live version if it was published. What is live
changes only when a reviewer publishes that entry again, with the change in its diff.

The entries a record may change are found from the models' own relations: a root's
columns, the rows it owns (children deleted with it) and their children, and, for a
citation, the prose that cites its key. A candidate whose document does not change (a
citation's internal note, say) is left alone.
"""

import contextlib
import contextvars
from collections import defaultdict
from collections.abc import Iterable, Iterator
from functools import cache

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction
from django.db.models import Max, Q
from django.db.models.signals import m2m_changed, post_delete, post_save

from monographs.editorial import registry
from monographs.editorial.documents import document_hash

_collected: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "shared_edits_collected", default=None
)
_shared_models: list[type[models.Model]] = []


def register_shared_record(model: type[models.Model], *, cited_by_key: str = "") -> None:
    """Declare a model whose rows roots use: saving or deleting one is an edit of its users.

    cited_by_key names the field holding the key prose cites as [@key] (citations).
    """
    _shared_models.append(model)
    _citation_key_field[model] = cited_by_key
    for signal in (post_save, post_delete):
        signal.connect(_on_change, sender=model, dispatch_uid=f"shared-{model._meta.label}")
    for field in model._meta.many_to_many:
        m2m_changed.connect(
            _on_m2m_change,
            sender=field.remote_field.through,
            dispatch_uid=f"shared-m2m-{model._meta.label}-{field.name}",
        )


_citation_key_field: dict[type[models.Model], str] = {}


def register_shared_record_part(model: type[models.Model], *, owner: str) -> None:
    """Declare rows that are part of a shared record (a citation's reference list): saving
    or deleting one is a change of the record its `owner` foreign key names."""

    def changed(sender, instance, **kwargs) -> None:
        if kwargs.get("raw"):
            return
        record = getattr(instance, owner, None)
        if record is not None and record.pk is not None:
            shared_records_changed(records=[record], user=None)

    for signal in (post_save, post_delete):
        signal.connect(
            changed, sender=model, weak=False, dispatch_uid=f"shared-part-{model._meta.label}"
        )


def _on_change(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):
        return  # fixtures loading a whole database: there is no working copy to protect yet
    shared_records_changed(records=[instance], user=None)


def _on_m2m_change(sender, instance, action, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear") and type(instance) in _shared_models:
        shared_records_changed(records=[instance], user=None)


@contextlib.contextmanager
def shared_edits_collected(*, user: AbstractBaseUser | None, note: str = "") -> Iterator[None]:
    """Gather the shared-record changes made inside the block and apply them once at its end,
    as edits by this user: one event per affected entry however many rows a form saved."""
    if _collected.get() is not None:
        yield
        return
    bucket: dict = {"records": {}, "user": user, "note": note, "settled": set()}
    token = _collected.set(bucket)
    try:
        yield
    finally:
        _collected.reset(token)
    if bucket["records"]:
        _apply(
            records=list(bucket["records"].values()),
            user=user,
            note=note,
            settled=bucket["settled"],
        )


def shared_edits_settled(*, kind: str, pks: Iterable[int]) -> None:
    """These roots were just published with every change gathered so far: nothing to mark."""
    bucket = _collected.get()
    if bucket is not None:
        bucket["settled"] |= {(kind, pk) for pk in pks}


def shared_records_changed(
    *, records: Iterable[models.Model], user: AbstractBaseUser | None, note: str = ""
) -> None:
    """These shared records changed: record it as an edit of every entry whose document moves."""
    bucket = _collected.get()
    if bucket is not None:
        for record in records:
            bucket["records"][(type(record), record.pk)] = record
        return
    _apply(records=list(records), user=user, note=note)


def _describe(records: list[models.Model]) -> str:
    shown = ", ".join(f"{r._meta.verbose_name} '{r}'" for r in records[:3])
    more = f" and {len(records) - 3} more" if len(records) > 3 else ""
    return f"Changed through a record it uses: {shown}{more}."


@transaction.atomic
def _apply(
    *,
    records: list[models.Model],
    user: AbstractBaseUser | None,
    note: str,
    settled: set[tuple[str, int]] = frozenset(),
) -> None:
    from monographs.editorial.models import Revision
    from monographs.editorial.services.edits import root_shared_edit
    from monographs.publishing.models import Entry

    note = note or _describe(records)
    for kind in registry.all_kinds():
        pks = {
            pk
            for pk in roots_using(root_model=kind.model, records=records)
            if (kind.kind, pk) not in settled
        }
        if not pks:
            continue
        documents = kind.build_documents(kind.model.objects.filter(pk__in=pks))
        latest = dict(
            Revision.objects.filter(kind=kind.kind, root_id__in=pks)
            .values("root_id")
            .annotate(last=Max("id"))
            .values_list("root_id", "last")
        )
        # Unchanged is what is live or what was last kept: either way nobody has a new
        # document to review.
        known: dict[int, set[str]] = defaultdict(set)
        for root_id, content_hash in Entry.objects.filter(
            kind=kind.kind, root_id__in=pks
        ).values_list("root_id", "current__content_hash"):
            known[root_id].add(content_hash)
        for root_id, content_hash in Revision.objects.filter(pk__in=latest.values()).values_list(
            "root_id", "content_hash"
        ):
            known[root_id].add(content_hash)
        roots = kind.model.objects.in_bulk(list(documents))
        for pk in sorted(documents):
            document = documents[pk]
            if document_hash(document) in known[pk]:
                continue
            root_shared_edit(root=roots[pk], user=user, note=note, document=document)


def roots_using(*, root_model: type[models.Model], records: list[models.Model]) -> set[int]:
    """Primary keys of the roots of this model whose document may hold any of these records.

    One query per relation path: joining every path in one statement would multiply a large
    root's rows by each other.
    """
    by_model: dict[type[models.Model], list[models.Model]] = defaultdict(list)
    for record in records:
        by_model[type(record)].append(record)
    found: set[int] = set()
    roots = root_model.objects.order_by()
    for model, instances in by_model.items():
        pks = [instance.pk for instance in instances if instance.pk is not None]
        for path in _paths(root_model, model):
            found |= set(roots.filter(**{f"{path}__in": pks}).values_list("pk", flat=True))
        key_field = _citation_key_field.get(model)
        if key_field:
            mentions = [f"@{getattr(instance, key_field)}" for instance in instances]
            for text_path in _text_paths(root_model):
                query = Q()
                for mention in mentions:
                    query |= Q(**{f"{text_path}__contains": mention})
                found |= set(roots.filter(query).values_list("pk", flat=True))
        if model is root_model:
            found -= set(pks)
    return found


def _owned(model: type[models.Model]) -> list[tuple[str, type[models.Model], str]]:
    """Rows a model owns: reverse relations whose foreign key deletes them with it."""
    return [
        (field.name, field.related_model, field.field.name)
        for field in model._meta.get_fields()
        if field.one_to_many
        and field.auto_created
        and field.field.remote_field.on_delete is models.CASCADE
    ]


@cache
def _paths(root_model: type[models.Model], target: type[models.Model]) -> tuple[str, ...]:
    """Lookups from the root to the target through its columns, its rows and their rows."""
    paths = []
    levels = [("", root_model, "")]
    for _ in range(3):
        next_levels = []
        for prefix, model, owner_field in levels:
            for field in model._meta.get_fields():
                if (
                    field.concrete
                    and field.is_relation
                    and field.related_model is target
                    and field.name != owner_field
                ):
                    paths.append(f"{prefix}{field.name}")
            next_levels += [(f"{prefix}{name}__", child, fk) for name, child, fk in _owned(model)]
        levels = next_levels
    return tuple(paths)


@cache
def _text_paths(root_model: type[models.Model]) -> tuple[str, ...]:
    """Prose fields of the root and the rows it owns, where [@key] citations are written."""
    paths = []
    levels = [("", root_model)]
    for _ in range(2):
        next_levels = []
        for prefix, model in levels:
            for field in model._meta.concrete_fields:
                if isinstance(field, models.TextField):
                    paths.append(f"{prefix}{field.name}")
            next_levels += [(f"{prefix}{name}__", child) for name, child, _fk in _owned(model)]
        levels = next_levels
    return tuple(paths)


def entries_using(*, record: models.Model, limit: int = 50) -> dict:
    """The roots a change to this record would reach, for the editor to see before saving."""
    roots = []
    total = 0
    for kind in registry.all_kinds():
        pks = roots_using(root_model=kind.model, records=[record])
        total += len(pks)
        roots += list(kind.model.objects.filter(pk__in=sorted(pks)[:limit]))
    return {"roots": roots[:limit], "total": total}
