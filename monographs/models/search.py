from django.contrib.postgres.search import SearchVectorField
from django.db import models


class SearchDocument(models.Model):
    """What the public search finds: one row per live entry, adverse-event term and reference.

    Written only from live publications when one is published or withdrawn (see
    monographs.search.search_index_update), so search can never surface a draft. Terms and
    references have rows only while some live publication mentions them. On PostgreSQL the
    weighted search vector is stored and GIN-indexed, and so is a small vector of the title
    and names alone, which finds name matches without reading the body's; the words of the
    vectors are kept in a vocabulary table that query prefixes are expanded against (see
    migration 0010). SQLite searches the text columns.

    A drug's monograph sections have rows of their own, under the drug's slug with the
    section's anchor, so a query about one topic of a drug ("sorafenib dose") leads to the
    section that answers it; the page's own row has no anchor.
    """

    class Kind(models.TextChoices):
        DRUG = "drug", "Drug"
        TRIAL = "trial", "Trial"
        ADVERSE_EVENT = "adverse_event", "Adverse event"
        REFERENCE = "reference", "Reference"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    slug = models.CharField(max_length=120)
    anchor = models.CharField(
        max_length=60,
        blank=True,
        default="",
        help_text="The section of the page this row is, by its HTML id; empty for the page.",
    )
    title = models.CharField(
        max_length=560, help_text="For a trial: its acronym, a colon and its title (50 + 2 + 500)."
    )
    description = models.CharField(
        max_length=500, blank=True, help_text="One line shown under the title in lists."
    )
    names = models.TextField(blank=True, help_text="Other names, synonyms and identifiers.")
    body = models.TextField(blank=True)
    search_vector = SearchVectorField(null=True, editable=False)
    name_vector = SearchVectorField(
        null=True, editable=False, help_text="The title and names alone (PostgreSQL)."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "slug", "anchor"], name="search_document_unique_slug"
            )
        ]
        # The term and reference index pages, read in title order a page at a time.
        indexes = [models.Index(fields=["kind", "title"], name="search_document_kind_title")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.title}"
