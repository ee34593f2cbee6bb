"""The sources every figure and statement is referenced to, and how a reader sees them cited."""

import re

from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast, Lower

from monographs.validators import (
    DOI_PATTERN,
    ISSN_PATTERN,
    PMCID_PATTERN,
    PMID_PATTERN,
    normalise_doi,
    normalise_pmcid,
    normalise_pmid,
    validate_doi,
    validate_issn,
    validate_pmcid,
    validate_pmid,
)

from .base import (
    NaturalKeyManager,
    PlainConstraintMessages,
    blank_to_none,
    explained,
    regex_constraint,
    within_constraint,
)

VANCOUVER_AUTHOR_LIMIT = 6
# How a source marks an author list it cut short.
ET_AL = re.compile(r"^(et\.?\s*al\.?|others)$", re.IGNORECASE)


def authors_from_lines(text: str) -> tuple[list[str], bool]:
    """Authors typed one per line: (the names, whether an "et al." line marks the list cut
    short). Blank lines and runs of spaces are dropped."""
    names, incomplete = [], False
    for line in (text or "").splitlines():
        name = " ".join(line.split())
        if ET_AL.match(name):
            incomplete = True
        elif name:
            names.append(name)
    return names, incomplete


def authors_as_lines(authors: list[str], incomplete: bool) -> str:
    """The inverse of authors_from_lines: what the editor sees is what they typed."""
    return "\n".join([*authors, *(["et al."] if incomplete else [])])


class Standing(models.TextChoices):
    """How far a reader can rely on a source, in the words a clinician weighs it by."""

    NOT_ASSESSED = "not_assessed", "Not yet assessed by the editors"
    PEER_REVIEWED_ARTICLE = "peer_reviewed_article", "Article in a peer-reviewed journal"
    PEER_REVIEWED_REVIEW = "peer_reviewed_review", "Review in a peer-reviewed journal"
    GUIDELINE = "guideline", "Clinical practice guideline"
    REGULATORY_LABEL = "regulatory_label", "Prescribing information approved by a regulator"
    TRIAL_REGISTRY = "trial_registry", "Trial registry record"
    CONFERENCE_ABSTRACT = (
        "conference_abstract",
        "Conference abstract (not peer-reviewed as a full paper)",
    )
    ABSTRACT_ONLY = "abstract_only", "Abstract only: where it was published is not given"
    MANUFACTURER = "manufacturer", "Information from the manufacturer"
    SIGNED_WEB_ARTICLE = "signed_web_article", "Web article naming its author or publisher"
    UNSIGNED_WEB_ARTICLE = "unsigned_web_article", "Unsigned web article"


# The standing a kind of source has by what it is, where its kind alone says it.
STANDING_OF_KIND = {
    "label": Standing.REGULATORY_LABEL,
    "registry_record": Standing.TRIAL_REGISTRY,
    "conference_abstract": Standing.CONFERENCE_ABSTRACT,
}


def standing_text(reference: dict) -> str:
    """A source's standing as a reader weighs it: what it is, then what it lacks, e.g.
    'Unsigned web article; undated; translated from Russian, it appears'."""
    parts = [reference.get("standing_label") or Standing.NOT_ASSESSED.label]
    if not reference.get("year"):
        parts.append("undated")
    if reference.get("translated_from"):
        parts.append(f"translated from {reference['translated_from']}")
    return "; ".join(parts)


def doi_taken(citation: "Citation") -> bool:
    """Another citation has this DOI, in any case."""
    if not citation.doi:
        return False
    others = Citation._default_manager.filter(doi__iexact=citation.doi)
    return others.exclude(pk=citation.pk).exists()


class CitationQuerySet(models.QuerySet):
    def matching(self, text: str) -> "CitationQuerySet":
        """Citations an editor means by `text`: every word of it found in the key, title,
        an author, the group author or the journal, or a four-digit word equal to the year.
        Newest first, so the likely source of a new sentence is at the top."""
        found = self.annotate(authors_text=Cast("authors", models.TextField()))
        for word in text.split():
            match = (
                Q(key__icontains=word)
                | Q(title__icontains=word)
                | Q(authors_text__icontains=word)
                | Q(group_author__icontains=word)
                | Q(journal__icontains=word)
            )
            if word.isdigit() and len(word) == 4:
                match |= Q(year=int(word))
            found = found.filter(match)
        return found.order_by(models.F("year").desc(nulls_last=True), "key")


class Citation(PlainConstraintMessages, models.Model):
    """A source: journal article, review, label, web page or registry record.

    Citations are vocabulary: edited freely, public only through a published root that
    cites them.
    """

    class Kind(models.TextChoices):
        JOURNAL_ARTICLE = "journal_article", "Journal article"
        REVIEW = "review", "Review article"
        LABEL = "label", "Prescribing information (label)"
        WEB_PAGE = "web_page", "Web page"
        REGISTRY_RECORD = "registry_record", "Registry record"
        BOOK = "book", "Book or chapter"
        CONFERENCE_ABSTRACT = "conference_abstract", "Conference abstract"

    key = models.SlugField(
        max_length=120, unique=True, help_text="Citation key used in Markdown as [@key]."
    )
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.JOURNAL_ARTICLE)
    authors = models.JSONField(
        default=list, blank=True, help_text="Vancouver style names, e.g. ['Zhu YJ', 'Zheng B']."
    )
    authors_incomplete = models.BooleanField(
        "author list cut short",
        default=False,
        help_text="The source lists only some authors: cite them followed by 'et al.'.",
    )
    group_author = models.CharField(max_length=300, blank=True)
    title = models.CharField(max_length=500)
    journal = models.CharField(max_length=300, blank=True, help_text="Abbreviated title.")
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    month = models.CharField(max_length=20, blank=True)
    volume = models.CharField(max_length=20, blank=True)
    issue = models.CharField(max_length=20, blank=True)
    pages = models.CharField(max_length=40, blank=True)
    article_number = models.CharField(max_length=40, blank=True)
    pmid = models.CharField(
        "PMID",
        max_length=10,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_pmid],
        help_text="Digits; 'PMID: 12345' or a PubMed address is reduced to them.",
    )
    pmcid = models.CharField(
        "PMCID", max_length=14, unique=True, null=True, blank=True, validators=[validate_pmcid]
    )
    doi = models.CharField(
        "DOI",
        max_length=200,
        null=True,
        blank=True,
        validators=[validate_doi],
        help_text="Paste it as found (https://doi.org/..., doi:...): it is kept as 10.xxxx/...",
    )
    issn = models.CharField("ISSN", max_length=9, blank=True, validators=[validate_issn])
    url = models.URLField("URL", max_length=500, blank=True)
    publisher = models.CharField(max_length=200, blank=True)
    accessed_on = models.DateField(null=True, blank=True)
    standing = models.CharField(
        "standing of the source",
        max_length=30,
        choices=Standing.choices,
        default=Standing.NOT_ASSESSED,
        help_text="How far a reader can rely on it, shown on its reference page. Left "
        "unassessed, a label, registry record or conference abstract takes the standing "
        "its kind gives.",
    )
    translated_from = models.CharField(
        max_length=80,
        blank=True,
        help_text="When the text is a translation: the language it was translated from, as "
        "far as it is known ('Russian', 'Russian, it appears').",
    )
    abstract = models.TextField(blank=True, help_text="Our own summary of the source.")
    note = models.TextField(blank=True)
    cited_works = models.ManyToManyField(
        "self",
        through="CitationLink",
        symmetrical=False,
        related_name="cited_by",
        blank=True,
    )

    objects = NaturalKeyManager.from_queryset(CitationQuerySet)("key")

    class Meta:
        ordering = ["key"]
        constraints = [
            # DOIs are case-insensitive: 10.1056/NEJMoa0708857 and 10.1056/nejmoa0708857 are one.
            explained(
                models.UniqueConstraint(Lower("doi"), name="citation_doi_unique_any_case"),
                field="doi",
                fields=("doi",),
                message="Another citation already has the DOI {doi} (DOIs ignore case): "
                "cite that one instead of adding it twice.",
                broken=doi_taken,
            ),
            regex_constraint(
                "pmid", PMID_PATTERN, name="citation_pmid_format", message=validate_pmid.message
            ),
            regex_constraint(
                "pmcid",
                PMCID_PATTERN,
                name="citation_pmcid_format",
                message=validate_pmcid.message,
            ),
            regex_constraint(
                "doi", DOI_PATTERN, name="citation_doi_format", message=validate_doi.message
            ),
            regex_constraint(
                "issn",
                ISSN_PATTERN,
                name="citation_issn_format",
                message=validate_issn.message,
                allow_blank=True,
            ),
            within_constraint(
                "year",
                1800,
                2100,
                name="citation_year_plausible",
                message="The year {year} is not a plausible publication year (1800 to 2100).",
            ),
        ]

    def __str__(self) -> str:
        first = self.authors[0] if self.authors else self.group_author or "Anon."
        year = self.year or "n.d."
        return f"{first} ({year}) {self.title[:80]} [{self.key}]"

    def save(self, *args, **kwargs) -> None:
        self.normalise_identifiers()
        self.standing_from_kind()
        super().save(*args, **kwargs)

    def clean_fields(self, exclude=None) -> None:
        # Before the format validators, so a pasted "PMID: 12345" is judged as 12345.
        self.normalise_identifiers()
        super().clean_fields(exclude)

    def clean(self) -> None:
        self.normalise_identifiers()
        self.standing_from_kind()

    def standing_from_kind(self) -> None:
        """An unassessed source whose kind alone says how it stands takes that standing."""
        if self.standing == Standing.NOT_ASSESSED and self.kind in STANDING_OF_KIND:
            self.standing = STANDING_OF_KIND[self.kind]

    def normalise_identifiers(self) -> None:
        """Identifiers as pasted (labels, resolver addresses) reduced to the bare identifier;
        empty ones stored as NULL so uniqueness ignores them."""
        self.doi = normalise_doi(self.doi)
        self.pmid = normalise_pmid(self.pmid)
        self.pmcid = normalise_pmcid(self.pmcid)
        blank_to_none(self, "pmid", "pmcid", "doi")

    def vancouver(self) -> str:
        """The reference as the ICMJE (Vancouver) style writes it."""
        return format_vancouver(self.as_reference())

    def as_reference(self) -> dict:
        """The citation as a plain dict: the form documents freeze into publications."""
        reference = {
            "key": self.key,
            "kind": self.kind,
            "authors": list(self.authors or []),
            "authors_incomplete": self.authors_incomplete,
            "group_author": self.group_author,
            "title": self.title,
            "journal": self.journal,
            "year": self.year,
            "month": self.month,
            "volume": self.volume,
            "issue": self.issue,
            "pages": self.pages,
            "article_number": self.article_number,
            "pmid": self.pmid,
            "pmcid": self.pmcid,
            "doi": self.doi,
            "issn": self.issn,
            "url": self.url,
            "publisher": self.publisher,
            "accessed_on": self.accessed_on.isoformat() if self.accessed_on else None,
            "kind_label": self.get_kind_display(),
            "abstract": self.abstract,
            "note": self.note,
        }
        # Members only when stated, so the documents of sources nobody assessed stay as
        # they were (and their hashes with them).
        if self.standing != Standing.NOT_ASSESSED:
            reference["standing"] = self.standing
            reference["standing_label"] = self.get_standing_display()
        if self.translated_from:
            reference["translated_from"] = self.translated_from
        return reference

    def natural_key(self) -> tuple[str]:
        return (self.key,)


def format_vancouver(reference: dict) -> str:
    """Format a reference dict (see Citation.as_reference) in Vancouver style.

    Works on the frozen dict so pages render old publications exactly as they were cited.
    """
    authors = list(reference.get("authors") or [])
    if len(authors) > VANCOUVER_AUTHOR_LIMIT:
        author_text = ", ".join(authors[:VANCOUVER_AUTHOR_LIMIT]) + ", et al."
    elif authors and reference.get("authors_incomplete"):
        author_text = ", ".join(authors) + ", et al."
    elif authors:
        author_text = ", ".join(authors) + "."
    else:
        author_text = f"{reference['group_author']}." if reference.get("group_author") else ""
    title = reference.get("title", "").rstrip(".")
    parts = [author_text, f"{title}."] if author_text else [f"{title}."]
    kind = reference.get("kind")
    year = reference.get("year")
    if kind in {"web_page", "registry_record", "label"} and not reference.get("journal"):
        parts[-1] = f"{title} [Internet]."
        published = "; ".join(str(p) for p in (reference.get("publisher"), year) if p)
        accessed = reference.get("accessed_on")
        if accessed:
            published = f"{published} [cited {_cited_date(accessed)}]".strip()
        if published:
            parts.append(f"{published}.")
        if reference.get("url"):
            parts.append(f"Available from: {reference['url']}")
    else:
        journal = reference.get("journal")
        date = " ".join(str(p) for p in (year, reference.get("month")) if p)
        location = ""
        if reference.get("volume"):
            location = str(reference["volume"])
            if reference.get("issue"):
                location += f"({reference['issue']})"
        pages = reference.get("pages") or reference.get("article_number")
        source = f"{journal}." if journal else ""
        if date:
            source += f" {date}"
        if location:
            source += f";{location}"
        if pages:
            source += f":{pages}"
        parts.append(source.strip() + ".")
    if reference.get("doi"):
        parts.append(f"doi:{reference['doi']}.")
    if reference.get("pmid"):
        parts.append(f"PMID: {reference['pmid']}.")
    if reference.get("pmcid"):
        parts.append(f"PMCID: {reference['pmcid']}.")
    return " ".join(p for p in parts if p and p != ".")


def _cited_date(value: str) -> str:
    """ISO date to the Vancouver form: 2024-05-01 -> 2024 May 1."""
    from datetime import date

    day = date.fromisoformat(value)
    return f"{day.year} {day:%b} {day.day}"
