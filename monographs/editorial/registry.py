"""Which models are editorial roots, and everything each kind knows of itself.

Apps register their root kinds in AppConfig.ready(), once, beside their models: how the
kind builds, checks and restores its document, its shape, its facets, what search reads of
it, the members its list summary shows, its names and its public page. The engine and the
rooms that read publishing (API, search, site) look a kind up here and hard-code none, so a
new kind needs no change to any of them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.module_loading import import_string

from monographs.links import url_with_argument

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
    #: The plural a reader or client sees: "drugs" in /api/v1/drugs/ and in labels.
    plural: str = ""
    #: The URL namespace of the kind's public pages, named `<kind>_list`, `<kind>_detail`,
    #: `<kind>_versions` and `<kind>_version_detail`; none: the API's detail stands for a page.
    site_namespace: str = ""
    #: search_fields(document) -> {title, description, names, body}: what search reads.
    search_fields_path: str = ""
    #: search_sections(document) -> rows for parts of the page search may lead to directly.
    search_sections_path: str = ""
    #: Document members a list summary shows besides title and slug.
    list_members: tuple[str, ...] = ()
    #: The name of the kind's list for readers ("Drugs A–Z"); by default its plural.
    list_label: str = ""
    #: render(entry=) -> the entry's public page, stored at publish (monographs.site): the
    #: same function its view calls when no stored copy exists.
    page_render_path: str = ""
    #: (facet, kind): the facets of its publications naming entries of that kind on whose
    #: pages it appears (a trial on the pages of the drugs it studies).
    appears_on: tuple[tuple[str, str], ...] = ()

    @property
    def label(self) -> str:
        return self.model._meta.verbose_name

    @property
    def list_title(self) -> str:
        return self.list_label or self.plural[:1].upper() + self.plural[1:]

    @property
    def search_fields(self) -> Callable[[Document], dict[str, str]] | None:
        return import_string(self.search_fields_path) if self.search_fields_path else None

    @property
    def page_render(self) -> Callable[..., Any] | None:
        return import_string(self.page_render_path) if self.page_render_path else None

    @property
    def search_sections(self) -> Callable[[Document], list[dict[str, str]]] | None:
        return import_string(self.search_sections_path) if self.search_sections_path else None

    def page_url_name(self, page: str) -> str | None:
        """A page of the kind's site ("list", "detail", "versions", "version_detail")."""
        return f"{self.site_namespace}:{self.kind}_{page}" if self.site_namespace else None

    def page_url(self, slug: str) -> str:
        """The entry's public address: its page, else its API detail."""
        if self.site_namespace:
            return url_with_argument(self.page_url_name("detail"), slug)
        return url_with_argument(f"api:{self.kind}-detail", slug)

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
    plural: str = "",
    site_namespace: str = "",
    search_fields: str = "",
    search_sections: str = "",
    list_members: tuple[str, ...] = (),
    list_label: str = "",
    page_render: str = "",
    appears_on: tuple[tuple[str, str], ...] = (),
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
        plural=plural or f"{kind}s",
        site_namespace=site_namespace,
        search_fields_path=search_fields,
        search_sections_path=search_sections,
        list_members=tuple(list_members),
        list_label=list_label,
        page_render_path=page_render,
        appears_on=tuple(appears_on),
    )


def unregister_root_kind(kind: str) -> None:
    """Forget a kind: for a test that registers one of its own."""
    _kinds.pop(kind, None)


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
