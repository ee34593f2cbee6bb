"""Helpers every public page shares: breadcrumbs, canonical addresses, citing a version."""

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.text import capfirst

from monographs.editorial import registry
from monographs.publishing.models import Entry, Publication

SITE_NAME = "Oncology Monographs"


@dataclass(frozen=True)
class Crumb:
    label: str
    url: str | None = None


def entry_url(kind: str, slug: str) -> str:
    return registry.root_kind(kind).page_url(slug)


def version_list_url(kind: str, slug: str) -> str:
    return reverse(registry.root_kind(kind).page_url_name("versions"), args=[slug])


def version_url(kind: str, slug: str, version: int) -> str:
    return reverse(registry.root_kind(kind).page_url_name("version_detail"), args=[slug, version])


def entry_display_title(entry_or_publication: Entry | Publication) -> str:
    return capfirst(entry_or_publication.title)


def breadcrumbs(*crumbs: Crumb) -> list[Crumb]:
    return [Crumb("Home", reverse("monographs:home")), *crumbs]


def entry_breadcrumbs(entry: Entry, *extra: Crumb) -> list[Crumb]:
    root_kind = registry.root_kind(entry.kind)
    kind_list = Crumb(root_kind.list_title, reverse(root_kind.page_url_name("list")))
    title = entry_display_title(entry)
    if extra:
        return breadcrumbs(kind_list, Crumb(title, entry_url(entry.kind, entry.slug)), *extra)
    return breadcrumbs(kind_list, Crumb(title))


def citation_text(
    request: HttpRequest, *, entry: Entry, publication: Publication, title: str
) -> dict[str, str]:
    """'Cite this page' for one version: the versioned address never changes its content."""
    url = request.build_absolute_uri(version_url(entry.kind, entry.slug, publication.version))
    published = publication.published_at.strftime("%Y %b %d")
    return {
        "text": (
            f"{title} [Internet]. {SITE_NAME}; version {publication.version}, "
            f"published {published}. Available from: {url}"
        ),
        "url": url,
    }


def version_context(
    *, entry: Entry, publication: Publication, versions: list[Publication] | None = None
) -> dict[str, Any]:
    """What a page needs to say which version it shows and whether it is superseded."""
    is_current = publication.pk == entry.current_id
    superseded_by = None
    if not is_current and versions:
        superseded_by = next((v for v in versions if v.version == publication.version + 1), None)
    return {
        "publication": publication,
        "is_current": is_current,
        "superseded_by": superseded_by,
        "current_version": entry.current.version,
        "versions_url": version_list_url(entry.kind, entry.slug),
        "current_url": entry_url(entry.kind, entry.slug),
    }


def reference_links(reference: dict[str, Any]) -> list[tuple[str, str]]:
    """Where to read the source: DOI, PubMed, PubMed Central and its own address."""
    links = []
    if reference.get("doi"):
        links.append((f"DOI {reference['doi']}", f"https://doi.org/{reference['doi']}"))
    if reference.get("pmid"):
        links.append(
            (
                f"PubMed {reference['pmid']}",
                f"https://pubmed.ncbi.nlm.nih.gov/{reference['pmid']}/",
            )
        )
    if reference.get("pmcid"):
        links.append(
            (
                f"PubMed Central {reference['pmcid']}",
                f"https://www.ncbi.nlm.nih.gov/pmc/articles/{reference['pmcid']}/",
            )
        )
    if str(reference.get("url") or "").lower().startswith(("https://", "http://")):
        links.append(("Publisher's page", reference["url"]))
    return links
