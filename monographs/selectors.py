"""Reads for the public site: Entry and Publication only, never the working copy.

Every function here answers in a fixed number of queries however much is published, so
page query counts stay constant as the corpus grows.
"""

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connections, router
from django.db.models import Count, F, Max, OuterRef, Q, Subquery
from django.db.models.fields.json import KeyTextTransform, KeyTransform, compile_json_path
from django.db.models.functions import Coalesce, JSONObject, Lower
from django.utils.text import capfirst

from monographs.api.models import PublishedAdverseEvent, PublishedCitation
from monographs.publishing.models import Entry, Facet, Publication, RetiredSlug
from monographs.publishing.querysets import EntryQuerySet

# What a drug page shows of each trial; the rest (adverse events, arms, references, ...) is
# more than half of a trial's document.
DRUG_PAGE_TRIAL_MEMBERS = (
    "acronym",
    "title",
    "phase",
    "phase_label",
    "design",
    "design_label",
    "conditions",
    "enrolment",
    "outcomes",
)
# What the A-Z list shows of each drug, a few hundred bytes of a monograph's tens of kilobytes.
DRUG_LIST_MEMBERS = ("names", "drug_class", "targets", "summary")
DRUG_FILTERS = {"drug_class": "Drug class", "target": "Target", "condition": "Indication"}
RECENT_LIMIT = 8


def _latest(field: str) -> Subquery:
    return Subquery(
        Entry.objects.filter(**{f"{field}__isnull": False}).order_by(f"-{field}").values(field)[:1]
    )


def site_last_changed() -> datetime | None:
    """When anything public last changed: the latest publication or withdrawal.

    Lists, search and cross-links all follow from live entries, so this one instant
    validates every page that is not one entry's own.
    """
    row = Entry.objects.aggregate(published=Max("last_published_at"), withdrawn=Max("withdrawn_at"))
    if row["published"] is None:
        return None
    return max(moment for moment in row.values() if moment is not None)


def entry_for_page(*, kind: str, slug: str) -> Entry | None:
    """The entry behind a public page, with its current publication and when the site changed.

    Withdrawn entries are returned too: their page answers 410 with the reason.
    """
    entry = (
        Entry.objects.filter(kind=kind, slug=slug)
        .select_related("current")
        .annotate(
            site_published=_latest("last_published_at"), site_withdrawn=_latest("withdrawn_at")
        )
        .first()
    )
    if entry is not None:
        entry.site_last_changed = max(
            moment for moment in (entry.site_published, entry.site_withdrawn) if moment
        )
    return entry


def entry_renamed_to(*, kind: str, slug: str) -> str | None:
    """The current slug of the entry once published under this one, if it was renamed.

    Old addresses keep working (301) for good: a retired slug is never given to another entry.
    """
    return (
        RetiredSlug.objects.filter(kind=kind, slug=slug)
        .values_list("entry__slug", flat=True)
        .first()
    )


def entry_versions(*, entry: Entry) -> list[Publication]:
    """Every published version of an entry's root, newest first, without their documents."""
    return list(
        Publication.objects.of_root(kind=entry.kind, root_id=entry.root_id)
        .defer("document")
        .order_by("-version")
    )


MAX_VERSION = 2**31 - 1


def entry_version(*, entry: Entry, version: int) -> Publication | None:
    """One version of an entry's root; a number no column could hold is simply not found."""
    if not 1 <= version <= MAX_VERSION:
        return None
    return (
        Publication.objects.of_root(kind=entry.kind, root_id=entry.root_id)
        .filter(version=version)
        .first()
    )


def drugs_most_documented(*, limit: int = RECENT_LIMIT) -> list[Entry]:
    """Live drug monographs with the most facts a reader can filter or follow (targets,
    indications, adverse events, sources) first: the full monographs before the short
    entries of drugs known only from what other entries say of them."""
    order = ("-facts", Lower("title"), "pk")
    counted = (
        Facet.objects.filter(publication_id=OuterRef("current_id"))
        .order_by()
        .values("publication_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    facts = Coalesce(Subquery(counted), 0)
    # Members are read from the documents of the chosen few only, once each: read for every
    # live drug (or every facet row of a grouped count), each read parses a document.
    top = Entry.objects.live().of_kind("drug").annotate(facts=facts).order_by(*order)
    return list(
        Entry.objects.filter(pk__in=top.values("pk")[:limit])
        .annotate(facts=facts)
        .with_document_members(*DRUG_LIST_MEMBERS)
        .order_by(*order)
    )


def live_entries(*, kind: str, facets: dict[str, str] | None = None) -> EntryQuerySet:
    """Live entries of a kind having every given filterable fact (name -> value)."""
    entries = Entry.objects.live().of_kind(kind)
    for name, value in (facets or {}).items():
        entries = entries.with_facet(name, value)
    return entries.select_related("current").order_by(Lower("title"), "pk")


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    entries: int


def facet_options(
    *, kind: str, names: list[str], labels: dict[str, dict[str, str]] | None = None
) -> dict[str, list[FacetOption]]:
    """For each facet, the values live entries of a kind have and how many entries have each.

    Drug slugs are labelled with the drug's published name in the same query; other values
    use `labels` (name -> value -> label) or a readable form of the value. The names are
    joined to the counted values, not looked up per facet row: at 100,000 trials that lookup
    runs for each of 425,000 rows and makes the query 4x slower.
    """
    labels = labels or {}
    alias = router.db_for_read(Facet)
    counted = (
        Facet.objects.filter(
            publication__in=Entry.objects.live().of_kind(kind).values("current_id"),
            name__in=names,
        )
        .values("name", "value")
        .annotate(entries=Count("publication_id"))
        .order_by()
    )
    drugs = Entry.objects.live().of_kind("drug").values("slug", "title").order_by()
    counted_sql, counted_params = counted.query.get_compiler(alias).as_sql()
    drugs_sql, drugs_params = drugs.query.get_compiler(alias).as_sql()
    with connections[alias].cursor() as cursor:
        cursor.execute(
            f"SELECT counted.name, counted.value, counted.entries, drug.title "
            f"FROM ({counted_sql}) counted "
            f"LEFT JOIN ({drugs_sql}) drug ON counted.name = 'drug' AND drug.slug = counted.value",
            (*counted_params, *drugs_params),
        )
        rows = cursor.fetchall()
    options: dict[str, list[FacetOption]] = {name: [] for name in names}
    for name, value, entries, drug_title in rows:
        if name == "drug" and drug_title:
            label = capfirst(drug_title)
        else:
            label = labels.get(name, {}).get(value) or humanise_slug(value)
        options[name].append(FacetOption(value=value, label=label, entries=entries))
    for name in options:
        options[name].sort(key=lambda option: (option.label.lower(), option.value))
    return options


def drug_slugs_named(slug: str) -> list[str]:
    """Every slug the drug published at `slug` (now, or before a rename) answers to, `slug`
    first: the facets and read tables of a version published before the drug was renamed
    name it by its old slug, and its trials and mentions are still its own."""
    owners = Q(entry__kind="drug", entry__slug=slug) | Q(entry__retired_slugs__slug=slug)
    rows = RetiredSlug.objects.filter(owners, kind="drug").values_list("slug", "entry__slug")
    return list(dict.fromkeys([slug, *(name for row in rows for name in row)]))


def drug_trials(
    *, slug: str, limit: int | None = None, named: Sequence[str] | None = None
) -> list[Entry]:
    """Live trials whose current publication studies this drug, most recently started first
    (then by title, descending, as before), each with the DRUG_PAGE_TRIAL_MEMBERS of its
    document as `document_members`.

    Read in order from the studied-drug index (PublishedTrialDrug), so a page that wants
    the latest twenty reads about twenty rows for a drug studied in thousands of trials;
    `limit` bounds it, and the rest are a click away on the filtered trial list.
    """
    slugs = drug_slugs_named(slug) if named is None else named
    # One slug (never renamed, nearly every drug) keeps the read in index order.
    studies = (
        {"current__studied_drugs__drug_slug": slugs[0]}
        if len(slugs) == 1
        else {"current__studied_drugs__drug_slug__in": slugs}
    )
    trials = (
        Entry.objects.live()
        .of_kind("trial")
        .filter(**studies)
        .with_document_members(*DRUG_PAGE_TRIAL_MEMBERS)
        .order_by(
            F("current__studied_drugs__start_date").desc(),
            F("current__studied_drugs__title").desc(),
            F("current_id").desc(),
        )
    )
    if limit is not None:
        trials = trials[:limit]
    return list(trials)


def entries_mentioning(*, facet: str, value: str) -> list[Entry]:
    """Live drugs and trials whose current publication has this fact (an AE term, a citation)."""
    return list(
        Entry.objects.live()
        .with_facet(facet, value)
        .select_related("current")
        .order_by("kind", "title")
    )


# Facets a drug publication writes for each other drug its rows name (documents.drug_facets).
DRUG_MENTION_FACETS = ("interacts_with", "followed_by")
DRUG_MENTION_MEMBERS = ("title", "interactions", "subsequent_therapies")


def drug_mentions(*, slug: str, named: Sequence[str] | None = None) -> list[Entry]:
    """Live drugs whose current publication names this drug in an interaction or as an
    option after it, A-Z, each with DRUG_MENTION_MEMBERS of its document as
    `document_members`.

    Found through the facets their publications wrote and read from those publications, so
    a mention only another drug's draft makes never shows, and a withdrawn drug's never does.
    """
    slugs = drug_slugs_named(slug) if named is None else named
    mentioning = Facet.objects.filter(name__in=DRUG_MENTION_FACETS, value__in=slugs).values(
        "publication_id"
    )
    return list(
        Entry.objects.live()
        .of_kind("drug")
        .filter(current_id__in=mentioning)
        .exclude(slug__in=slugs)
        .with_document_members(*DRUG_MENTION_MEMBERS)
        .order_by("title", "pk")
    )


# What a term page reads of each trial's document: the rest is most of it.
TERM_PAGE_TRIAL_MEMBERS = ("acronym", "adverse_events", "references")


class _JSONMember(KeyTransform):
    """A member of a JSON column as a value to build JSON from: a JSON null stays null. On
    SQLite Django's KeyTransform reads a null as the text 'null' (so that a lone value
    decodes), which JSON_OBJECT would then hold as a string; read plainly, a null is NULL
    (and true and false 1 and 0: none of the members read here is one)."""

    def as_sqlite(self, compiler, connection):
        lhs, params, key_transforms = self.preprocess_lhs(compiler, connection)
        return f"JSON_EXTRACT({lhs}, %s)", (*params, compile_json_path(key_transforms))


# What a short citation ("Llovet JM et al., 2008") names of a reference, read in the query:
# whether a second author follows the first is all it says of the rest.
SHORT_REFERENCE = JSONObject(
    key=F("key"),
    first_author=_JSONMember("0", KeyTransform("authors", "reference")),
    second_author=_JSONMember("1", KeyTransform("authors", "reference")),
    group_author=_JSONMember("group_author", "reference"),
    year=_JSONMember("year", "reference"),
    title=_JSONMember("title", "reference"),
)


def _short_reference(short: dict[str, Any] | None) -> dict[str, Any] | None:
    """SHORT_REFERENCE as a reference whose authors are the first two (short_citation)."""
    if short is None:
        return None
    authors = [short["first_author"], short["second_author"]]
    return {
        "key": short["key"],
        "authors": [author for author in authors if author is not None],
        "group_author": short["group_author"] or "",
        "year": short["year"],
        "title": short["title"] or "",
    }


@dataclass(frozen=True)
class TermMentions:
    drug_incidences: list[PublishedAdverseEvent]
    trials: list[Entry]
    trial_count: int

    @property
    def drug_count(self) -> int:
        return len({incidence.drug_slug for incidence in self.drug_incidences})


def term_mentions(*, slug: str, trial_limit: int) -> TermMentions:
    """What live drugs and trials report about an adverse-event term.

    Drugs as their incidence rows for the term (PublishedAdverseEvent), drug by drug A-Z, each
    with the reference its source cites as `source_reference`, as much of it as a short
    citation names: at 1,000 drugs the commonest term is reported by 453, and reading the
    adverse events and references of each document to find its row or two was half of the
    page's time; reading each whole reference (its abstract, notes and list of references)
    was a third of what remained of the drugs' read.

    Trials with the `document_members` a term page shows, but only the `trial_limit` most
    recently published, and how many there are in all: at 100,000 trials a common term is
    reported by about 9,000 of them, and reading every document made its page take seconds.
    """
    cited = PublishedCitation.objects.filter(
        publication=OuterRef("publication"), key=KeyTextTransform("citation", OuterRef("source"))
    ).values(short=SHORT_REFERENCE)[:1]
    drug_incidences = list(
        PublishedAdverseEvent.objects.live()
        .filter(term_slug=slug)
        .annotate(source_reference=Subquery(cited))
        .order_by(Lower("drug_name"), "drug_slug", "sort_key")
    )
    for incidence in drug_incidences:
        incidence.source_reference = _short_reference(incidence.source_reference)
    trials = Entry.objects.live().of_kind("trial").with_facet("term", slug)
    shown = list(
        trials.with_document_members(*TERM_PAGE_TRIAL_MEMBERS).order_by(
            "-last_published_at", "-pk"
        )[:trial_limit]
    )
    # Counted from the indexes alone: with the documents' members annotated, the count
    # joined every trial's publication.
    trial_count = len(shown) if len(shown) < trial_limit else trials.count()
    return TermMentions(drug_incidences=drug_incidences, trials=shown, trial_count=trial_count)


@dataclass(frozen=True)
class LinkedEntries:
    """Slugs a document refers to, resolved to what is live now: linked if public. Keyed by
    the slug the document names; the entry's own `slug` is where it is now."""

    drugs: dict[str, Entry]
    trials: dict[str, Entry]

    def drug_slugs(self) -> dict[str, str]:
        """Each slug named -> the slug the drug is live at now."""
        return {named: entry.slug for named, entry in self.drugs.items()}


def references_resolve(*, drug_slugs=(), trial_slugs=()) -> LinkedEntries:
    """Resolve cross-references to live entries in one query, by the slugs a document names.

    A slug the entry was renamed from finds it too (RetiredSlug): a version published
    before the rename names the old slug, and still links the entry, at its new address,
    rather than naming it as if it were not published.
    """
    wanted = {"drug": set(drug_slugs), "trial": set(trial_slugs)}
    if not any(wanted.values()):
        return LinkedEntries(drugs={}, trials={})
    named = Q(pk__in=[])
    for kind, slugs in wanted.items():
        if slugs:
            named |= Q(kind=kind) & (Q(slug__in=slugs) | Q(retired_slugs__slug__in=slugs))
    by_kind: dict[str, dict[str, Entry]] = defaultdict(dict)
    for entry in Entry.objects.live().filter(named).annotate(retired=F("retired_slugs__slug")):
        for slug in (entry.slug, entry.retired):
            if slug in wanted[entry.kind]:
                by_kind[entry.kind][slug] = entry
    return LinkedEntries(drugs=by_kind["drug"], trials=by_kind["trial"])


def entry_counts() -> Counter:
    return Counter(
        dict(Entry.objects.live().values_list("kind").annotate(n=Count("pk")).order_by())
    )


def humanise_slug(slug: str) -> str:
    """A readable label for a vocabulary slug when no document gives its name."""
    if any(character.isupper() or character == " " for character in slug):
        return slug
    return capfirst(slug.replace("-", " ").strip())
