"""Read tables: rows of published documents that the API filters on real, indexed columns.

Each row is copied out of one publication's document when that publication is frozen, and
never changes afterwards, like the publication itself. Which rows are public is decided at
read time by the `live()` querysets: only rows of the current publication of a live entry.

Each column is indexed once, by the indexes Meta names: the publication by the unique
constraint that begins with it, a slug by its Index. Django's default index on a foreign key
or a SlugField would repeat those, and every publish writes each index of every row.
"""

from django.db import models
from django.db.models import Exists, OuterRef

from monographs.publishing.models import Entry, Publication


class PublishedRowQuerySet(models.QuerySet):
    def live(self):
        """Rows of the current publication of a live entry: superseded or withdrawn never show."""
        return self.filter(publication_id__in=Entry.objects.live().values("current_id"))


class PublishedCitationQuerySet(PublishedRowQuerySet):
    def one_per_key(self):
        """One live row per citation key: the copy in the most recently published document.

        A citation edited between two publications shows as it was last published. Written
        as "no newer live copy of the key" rather than the newest id per key, so a page in key
        order reads its rows from the key index and stops: grouping every live row by key
        first cost 0.47 s a page at 109,000 citations, against under a millisecond.
        """
        newer_copies = self.model.objects.live().filter(key=OuterRef("key"), id__gt=OuterRef("id"))
        return self.live().filter(~Exists(newer_copies))


class PublishedAdverseEvent(models.Model):
    """One drug x adverse-event term incidence row of a published drug document."""

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    drug_slug = models.SlugField(max_length=120, db_index=False)
    drug_name = models.CharField(max_length=300)
    term_slug = models.SlugField(max_length=120, db_index=False)
    term_name = models.CharField(max_length=200)
    term_synonyms = models.JSONField(
        default=list, blank=True, help_text="Other names of the term, as the document gives them."
    )
    system_organ_class = models.CharField(max_length=200)
    context = models.CharField(max_length=200, blank=True)
    any_grade_low = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    any_grade_high = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    grade_3_plus_low = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    grade_3_plus_high = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    any_grade_bound = models.CharField(max_length=6, blank=True, default="")
    grade_3_plus_bound = models.CharField(max_length=6, blank=True, default="")
    grade_3_plus_scope = models.CharField(max_length=20, blank=True, default="grade_3_plus")
    frequency_band = models.CharField(max_length=20, blank=True)
    management = models.TextField(blank=True)
    source = models.JSONField(
        null=True, blank=True, help_text="Citation key, locator and formatted reference."
    )
    note = models.TextField(blank=True)
    stated_places = models.JSONField(
        default=dict,
        blank=True,
        help_text="Decimal places of each figure as its source states them, e.g. "
        "{'any_grade_low': 1} for 18.0.",
    )
    sort_key = models.CharField(
        max_length=260, help_text="drug/term/position: a stable order for cursor pagination."
    )

    objects = PublishedRowQuerySet.as_manager()

    class Meta:
        ordering = ["sort_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "sort_key"], name="published_ae_unique_sort_key"
            )
        ]
        indexes = [
            models.Index(fields=["sort_key"]),
            models.Index(fields=["drug_slug"]),
            models.Index(fields=["term_slug"]),
            models.Index(fields=["system_organ_class"]),
            models.Index(fields=["any_grade_high"]),
            models.Index(fields=["grade_3_plus_high"]),
        ]

    def __str__(self) -> str:
        return f"{self.drug_name}: {self.term_name}"


class PublishedCitation(models.Model):
    """One entry of a published document's reference list, with its identifiers as columns."""

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    key = models.SlugField(max_length=120, db_index=False)
    kind = models.CharField(max_length=30)
    title = models.CharField(max_length=500)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    pmid = models.CharField("PMID", max_length=10, null=True, blank=True)
    pmcid = models.CharField("PMCID", max_length=14, null=True, blank=True)
    doi = models.CharField(
        "DOI", max_length=200, null=True, blank=True, help_text="Lower-cased: DOIs ignore case."
    )
    reference = models.JSONField(help_text="The reference exactly as the document froze it.")

    objects = PublishedCitationQuerySet.as_manager()

    class Meta:
        ordering = ["key"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "key"], name="published_citation_unique_key"
            )
        ]
        indexes = [
            models.Index(fields=["key"]),
            models.Index(fields=["pmid"]),
            models.Index(fields=["doi"]),
            models.Index(fields=["year"]),
        ]

    def __str__(self) -> str:
        return self.key


class PublishedDocument(models.Model):
    """A publication's document as the API sends it: canonical JSON text, written at publish.

    A detail response copies this text into its body, so serving a 40 KB monograph neither
    parses nor re-encodes it, and PostgreSQL does not rebuild text from jsonb on every read.
    The text is the one the content hash is taken over, so SHA-256 of the `document` member's
    bytes as served equals the publication's content_hash.
    """

    publication = models.OneToOneField(
        Publication,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="published_document",
    )
    body = models.TextField()
    # The API detail of this version while it is current: its metadata written at publish,
    # followed by `body` (monographs.api.stored_detail).
    head = models.BinaryField(
        default=b"",
        help_text="The detail's JSON up to its document, the API's address as a placeholder.",
    )
    head_etag = models.CharField(
        max_length=64, default="", help_text="SHA-256 of the head and the document, shortened."
    )
    head_renderer = models.CharField(
        max_length=16,
        default="",
        help_text="Fingerprint of the code that wrote the head; another code writes it live.",
    )

    def __str__(self) -> str:
        return f"Document of publication {self.publication_id}"


class PublishedTrialDrug(models.Model):
    """A drug a trial publication studies, keyed for reading a drug's trials newest first.

    A monograph page shows the most recently started of a drug's trials. Found through the
    drug facet, they would all be read and sorted first: 2,600 rows for a much-studied drug.
    This index is read in order instead, and the page reads its twenty whatever the count.
    """

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="studied_drugs", db_index=False
    )
    drug_slug = models.CharField(max_length=120)
    start_date = models.CharField(
        max_length=10,
        blank=True,
        help_text="The trial's start date as the document gives it (ISO, possibly partial).",
    )
    title = models.CharField(max_length=500)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "drug_slug"], name="trial_drug_unique_per_publication"
            )
        ]
        indexes = [
            models.Index(
                fields=["drug_slug", "start_date", "title", "publication"],
                name="trial_drug_newest_first",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} studies {self.drug_slug}"


class PublishedTrialListing(models.Model):
    """A trial publication's place in the public trial list: latest start year first, then
    by title, undated trials last.

    Without it a page joins the start-year facet of every live trial and sorts them all
    before keeping 50 (138 ms in PostgreSQL at 100,000 trials, for every page and filter);
    read in order from this index, a page reads about as many rows as it shows (with a
    filter, until it has found them).
    """

    publication = models.OneToOneField(
        Publication,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="trial_listing",
    )
    start_year = models.CharField(
        max_length=4, blank=True, help_text="Blank when the trial gives no start date."
    )
    sort_title = models.CharField(max_length=500, help_text="The title in lower case.")

    class Meta:
        indexes = [
            models.Index(
                fields=["-start_year", "sort_title", "publication"], name="trial_listing_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sort_title} ({self.start_year or 'undated'})"
