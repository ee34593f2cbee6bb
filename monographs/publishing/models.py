"""What the public reads: publications, the entries pointing at them, retired slugs, facets.

The tables keep the names they were created with, in the drug domain's app.
"""

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.functional import cached_property

from monographs.editorial import registry
from monographs.editorial.documents import canonical_json
from monographs.publishing.querysets import (
    DOCUMENT_MEMBER_PREFIX,
    EntryQuerySet,
    PublicationQuerySet,
)


class Publication(models.Model):
    """A frozen document: version N of one root, exactly as reviewed and published.

    The database refuses UPDATE and DELETE on this table (see the migration that
    installs the triggers), so a published version can never change under a reader.
    """

    kind = models.CharField(max_length=20)
    root_id = models.PositiveBigIntegerField()
    slug = models.SlugField(max_length=120)
    title = models.CharField(max_length=500)
    version = models.PositiveIntegerField()
    schema_version = models.PositiveSmallIntegerField()
    document = models.JSONField()
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the canonical document.")
    published_at = models.DateTimeField(db_index=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    change_note = models.TextField(blank=True)

    objects = PublicationQuerySet.as_manager()

    class Meta:
        db_table = "monographs_publication"
        ordering = ["kind", "root_id", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "root_id", "version"], name="publication_unique_version"
            ),
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="publication_version_gte_1"
            ),
        ]
        indexes = [models.Index(fields=["kind", "slug", "version"])]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    @cached_property
    def canonical_document(self) -> str:
        """The document as canonical JSON, the text content_hash is taken over.

        Encoded once however many writers need it (the hash, the stored document, the API's
        copy): a publication never changes, and encoding a large document is not free.
        """
        return canonical_json(self.document)


class Entry(models.Model):
    """The public face of one root: which publication is current, or why it is withdrawn.

    One row per root that has ever been published. Reads for the public start here:
    one indexed lookup by (kind, slug) gives the current publication.
    """

    kind = models.CharField(max_length=20)
    root_id = models.PositiveBigIntegerField()
    uid = models.UUIDField(
        "permanent identifier",
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text="The root's permanent identifier, served wherever the entry is.",
    )
    slug = models.SlugField(max_length=120)
    title = models.CharField(max_length=500)
    current = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="+")
    first_published_at = models.DateTimeField()
    last_published_at = models.DateTimeField(db_index=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        db_table = "monographs_entry"
        verbose_name_plural = "entries"
        ordering = ["kind", "title"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "root_id"], name="entry_unique_root"),
            models.UniqueConstraint(fields=["kind", "slug"], name="entry_unique_slug"),
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True) | ~models.Q(withdrawal_reason=""),
                name="entry_withdrawal_has_reason",
            ),
        ]
        indexes = [
            # Every page's validators ask when the site last changed, the latest withdrawal too.
            models.Index(fields=["withdrawn_at"], name="entry_withdrawn_at"),
            # The home page's newest entries, read in order instead of sorting them all.
            models.Index(fields=["-first_published_at", "title"], name="entry_newest_first"),
            # The live entries by their current publication, read from the index alone: what
            # a filter by a fact joins its facets to (with_facet; a common term's 9,000 trials).
            models.Index(
                fields=["current", "kind"],
                name="entry_live_current",
                condition=models.Q(withdrawn_at__isnull=True),
            ),
            # The live entries in the order a term's or a reference's search row lists those
            # mentioning it (search.indexing.MENTIONS_ORDER): a common term's first fifty are
            # the first fifty of its reporters met in this order, not a sort of all 9,000.
            models.Index(
                fields=["kind", "-last_published_at", "title", "id"],
                name="entry_live_mentions",
                condition=models.Q(withdrawn_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.title}"

    def get_absolute_url(self) -> str:
        """The entry's public page, as its kind declares it (registry)."""
        return registry.root_kind(self.kind).page_url(self.slug)

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @cached_property
    def document_members(self) -> dict[str, Any]:
        """The members of the current document read by EntryQuerySet.with_document_members."""
        return {
            name.removeprefix(DOCUMENT_MEMBER_PREFIX): value
            for name, value in vars(self).items()
            if name.startswith(DOCUMENT_MEMBER_PREFIX)
        }


class RetiredSlug(models.Model):
    """A slug an entry was published under before a rename: its old addresses redirect (301).

    A retired slug stays the entry's for good, so an old link never lands on another entry.
    """

    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="retired_slugs")
    kind = models.CharField(max_length=20)
    slug = models.SlugField(max_length=120)
    retired_at = models.DateTimeField()

    class Meta:
        db_table = "monographs_retiredslug"
        constraints = [
            models.UniqueConstraint(fields=["kind", "slug"], name="retired_slug_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.slug} -> {self.entry.slug}"


class Facet(models.Model):
    """A filterable fact of a publication (drug slug, phase, target, ...), written when publishing.

    Filters run on these indexed rows instead of inside JSON documents.
    """

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="facets")
    name = models.CharField(max_length=40)
    value = models.CharField(max_length=200)
    number = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)

    class Meta:
        db_table = "monographs_facet"
        ordering = ["publication", "name", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "name", "value"], name="facet_unique_per_publication"
            )
        ]
        # The publications of a fact, or of a range of a numeric one, read from the index
        # alone (EntryQuerySet.with_facet): the facets of every version, 1.5 million rows at
        # 100,000 trials, are not visited.
        indexes = [
            models.Index(fields=["name", "value", "publication"], name="facet_value_publication"),
            models.Index(fields=["name", "number", "publication"], name="facet_number_publication"),
        ]

    def __str__(self) -> str:
        return f"{self.name}={self.value}"
