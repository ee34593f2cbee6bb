"""Which models are editorial roots, and how each builds its document.

Apps register their root kinds in AppConfig.ready(); the engine looks them up by kind,
so the engine itself never imports an app's models.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.module_loading import import_string

Document = dict[str, Any]


@dataclass(frozen=True)
class RootKind:
    kind: str
    model: type[models.Model]
    build_document_path: str
    facets_path: str
    checks_path: str
    restore_path: str = ""
    build_documents_path: str = ""
    document_type_path: str = ""

    @property
    def build_document(self) -> Callable[[models.Model], Document]:
        return import_string(self.build_document_path)

    @property
    def build_documents(self) -> Callable[[models.QuerySet], dict[Any, Document]]:
        """build_documents(queryset): documents of many roots by primary key, for bulk work.

        Kinds that registered no batch builder fall back to building one root at a time.
        """
        if not self.build_documents_path:
            build = self.build_document
            return lambda roots: {root.pk: build(root) for root in roots}
        return import_string(self.build_documents_path)

    @property
    def document_type(self) -> type | None:
        """The kind's document shape (a TypedDict), for the API schema and the shape test."""
        return import_string(self.document_type_path) if self.document_type_path else None

    @property
    def facets(self) -> Callable[[Document], list[tuple[str, str]]]:
        return import_string(self.facets_path)

    @property
    def checks(self) -> Callable[[Document], list]:
        return import_string(self.checks_path)

    @property
    def restore(self) -> Callable[[models.Model, Document], None]:
        """restore(root, document): make the working copy say what the document says.

        Each app names its root after its kind (drug_restore_document(*, drug, document)),
        so the root is passed under the kind's name.
        """
        if not self.restore_path:
            raise LookupError(f"Root kind {self.kind!r} registered no restore function.")
        function = import_string(self.restore_path)
        return lambda root, document: function(**{self.kind: root, "document": document})


_kinds: dict[str, RootKind] = {}


def register_root_kind(
    *,
    kind: str,
    model: type[models.Model],
    build_document: str,
    facets: str,
    checks: str,
    restore: str = "",
    build_documents: str = "",
    document_type: str = "",
) -> None:
    """Register a root kind; functions are dotted paths so apps load without import cycles."""
    _kinds[kind] = RootKind(
        kind=kind,
        model=model,
        build_document_path=build_document,
        facets_path=facets,
        checks_path=checks,
        restore_path=restore,
        build_documents_path=build_documents,
        document_type_path=document_type,
    )


def root_kind(kind: str) -> RootKind:
    try:
        return _kinds[kind]
    except KeyError:
        raise LookupError(
            f"Unknown root kind {kind!r}; known: {', '.join(sorted(_kinds))}"
        ) from None


def kind_of(root: models.Model) -> str:
    for registered in _kinds.values():
        if isinstance(root, registered.model):
            return registered.kind
    raise LookupError(f"{type(root).__name__} is not a registered editorial root.")


def all_kinds() -> list[RootKind]:
    return list(_kinds.values())
