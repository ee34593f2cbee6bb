import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import cached_property

from monographs.editorial import registry
from monographs.editorial.documents import canonical_json
from monographs.editorial.querysets import EventQuerySet, RevisionQuerySet
from monographs.publishing.querysets import (
    DOCUMENT_MEMBER_PREFIX,
    EntryQuerySet,
    PublicationQuerySet,
)


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"
    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"


class EditorialRoot(models.Model):
    """A root of the working copy: the unit that is reviewed and published as a whole.

    The status describes the working copy only. What the public sees is the root's
    Entry and its current Publication, which stay untouched while a new revision is
    drafted and reviewed.
    """

    uid = models.UUIDField(
        "permanent identifier",
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text="Never changes, whatever the slug: mirrors and exports follow an entry by it.",
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True, editable=False
    )
    lock_version = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Bumped on every save; a save made from a stale form is refused.",
    )
    publish_at = models.DateTimeField(
        null=True, blank=True, help_text="When an approved revision should go live on its own."
    )
    next_review_due = models.DateField(
        null=True, blank=True, help_text="When the published content should be reviewed again."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def clean(self) -> None:
        """A slug another entry answers at, now or by a past name, is never taken from it."""
        super().clean()
        from monographs.editorial import registry
        from monographs.publishing.slugs import slug_holder, slug_taken_message

        slug = getattr(self, "slug", "")
        if slug:
            # An unsaved copy of a stored root (a seed record, say) is that root.
            root_id = (
                self.pk or type(self).objects.filter(slug=slug).values_list("pk", flat=True).first()
            )
            holder = slug_holder(kind=registry.kind_of(self), slug=slug, root_id=root_id)
            if holder is not None:
                raise ValidationError({"slug": slug_taken_message(holder=holder, slug=slug)})


class WritingTransactionId(models.Func):
    """The id of the transaction writing the row, on PostgreSQL (NULL elsewhere).

    SQLite writes one transaction at a time, so its rows become visible in id order anyway.
    """

    output_field = models.BigIntegerField()
    template = "NULL"

    def as_postgresql(self, compiler, connection, **extra_context):
        return "(pg_current_xact_id()::text::bigint)", []


class EditorialEvent(models.Model):
    """One immutable line of a root's history: an edit or a state transition."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        EDITED = "edited", "Edited"
        SUBMITTED = "submitted", "Submitted for review"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        APPROVED = "approved", "Approved"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"
        RESTORED = "restored", "Restored from a version"
        APPROVAL_VOID = "approval_void", "Approval void"
        SCHEDULED = "scheduled", "Publish time set"
        UNSCHEDULED = "unscheduled", "Publish time cleared"

    kind = models.CharField(max_length=20, help_text="Root kind, e.g. drug or trial.")
    root_id = models.PositiveBigIntegerField()
    action = models.CharField(max_length=20, choices=Action.choices)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField(blank=True)
    publication = models.ForeignKey(
        "monographs.Publication", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revision = models.ForeignKey(
        "monographs.Revision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The document as it stood after this event: approving freezes this one.",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    txid = models.BigIntegerField(
        null=True,
        editable=False,
        db_default=WritingTransactionId(),
        help_text="The writing transaction: the change feed holds back what a transaction "
        "still open could precede.",
    )

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["kind", "root_id", "created_at"]),
            # The rows of one transaction, stamped with its commit time (commit_stamp.py).
            models.Index(fields=["txid"], name="event_writing_transaction"),
        ]

    def __str__(self) -> str:
        who = self.user.get_username() if self.user_id else "system"
        return f"{self.kind}#{self.root_id} {self.get_action_display()} by {who}"


class Revision(models.Model):
    """A root's whole document as it stood at one moment: after an edit, at approval.

    Every recorded edit keeps one, so nothing typed is lost when a later save or a restore
    replaces the working copy. The revision an approval points at is the exact document the
    reviewer saw; publishing publishes that document and no other.
    """

    kind = models.CharField(max_length=20)
    root_id = models.PositiveBigIntegerField()
    document = models.JSONField()
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the canonical document.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    objects = RevisionQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "root_id", "id"]
        indexes = [models.Index(fields=["kind", "root_id", "-id"], name="revision_of_root_newest")]

    def __str__(self) -> str:
        return f"{self.kind}#{self.root_id} revision {self.pk}"

    @property
    def standing(self) -> str:
        """draft, approved or published, as read by RevisionQuerySet.with_standing()."""
        if getattr(self, "published_version", None) is not None:
            return "published"
        return "approved" if getattr(self, "approved", False) else "draft"


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
        ordering = ["kind", "root_id", "version"]
        permissions = [
            ("submit_revision", "Can submit a revision for review"),
            ("review_revision", "Can request changes to and approve a revision"),
            ("publish_revision", "Can publish an approved revision"),
            ("withdraw_entry", "Can withdraw a published entry"),
        ]
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
        ordering = ["publication", "name", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "name", "value"], name="facet_unique_per_publication"
            )
        ]
        indexes = [
            models.Index(fields=["name", "value"]),
            models.Index(fields=["name", "number"]),
        ]

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class ReviewComment(models.Model):
    """A remark on one part of an entry's working copy (a prose section, a table, a row).

    It sits where it is about: in that part of the editor and on the review page, until
    someone resolves it (who and when are kept). Not part of the document: commenting is
    not an edit and never voids an approval.
    """

    kind = models.CharField(max_length=20)
    root_id = models.PositiveBigIntegerField()
    part = models.SlugField(
        max_length=60,
        blank=True,
        help_text="The part of the editor it is about (e.g. mechanism); empty for the whole entry.",
    )
    row = models.CharField(
        max_length=200, blank=True, help_text="The row it is about, in the editor's words."
    )
    body = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "root_id", "created_at", "id"]
        indexes = [models.Index(fields=["kind", "root_id", "part"], name="review_comment_of_part")]

    def __str__(self) -> str:
        return f"{self.kind}#{self.root_id} {self.part or 'entry'}: {self.body[:40]}"

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None


class NotificationPreference(models.Model):
    """Whether a user is sent the workflow's emails; anyone without a row is."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_preference",
    )
    email = models.BooleanField(
        "email me about the editorial workflow",
        default=True,
        help_text="Submissions, requested changes, approvals, publications, schedule changes "
        "and withdrawals of the entries you work on or may review.",
    )

    class Meta:
        verbose_name = "notification preference"

    def __str__(self) -> str:
        return f"Notifications of {self.user}"
