import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from monographs.editorial import registry
from monographs.editorial.querysets import EventQuerySet, RevisionQuerySet


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
        "publishing.Publication", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revision = models.ForeignKey(
        "editorial.Revision",
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
        db_table = "monographs_editorialevent"
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
        db_table = "monographs_revision"
        ordering = ["kind", "root_id", "id"]
        indexes = [models.Index(fields=["kind", "root_id", "-id"], name="revision_of_root_newest")]
        permissions = [
            ("submit_revision", "Can submit a revision for review"),
            ("review_revision", "Can request changes to and approve a revision"),
            ("publish_revision", "Can publish an approved revision"),
            ("withdraw_entry", "Can withdraw a published entry"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}#{self.root_id} revision {self.pk}"

    @property
    def standing(self) -> str:
        """draft, approved or published, as read by RevisionQuerySet.with_standing()."""
        if getattr(self, "published_version", None) is not None:
            return "published"
        return "approved" if getattr(self, "approved", False) else "draft"


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
        db_table = "monographs_reviewcomment"
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
        db_table = "monographs_notificationpreference"
        verbose_name = "notification preference"

    def __str__(self) -> str:
        return f"Notifications of {self.user}"
