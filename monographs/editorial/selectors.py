"""Reads for the editorial desk: what each editor and reviewer should look at next."""

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone

from monographs.editorial import registry
from monographs.editorial.models import EditorialEvent, ReviewComment, Status
from monographs.editorial.services.revisions import revision_editors_by_root
from monographs.editorial.services.transitions import TRANSITIONS

Action = EditorialEvent.Action
DASHBOARD_LIMIT = 25
REVISION_STATES = (Status.DRAFT, Status.IN_REVIEW, Status.CHANGES_REQUESTED)


@dataclass(frozen=True)
class DashboardItem:
    kind: str
    root: models.Model

    @property
    def model_name(self) -> str:
        return self.root._meta.model_name

    @property
    def app_label(self) -> str:
        return self.root._meta.app_label


@dataclass
class DashboardList:
    title: str
    empty: str
    items: list[DashboardItem] = field(default_factory=list)
    total: int = 0

    def add(self, item: DashboardItem) -> None:
        self.total += 1
        if len(self.items) < DASHBOARD_LIMIT:
            self.items.append(item)


@dataclass
class Dashboard:
    my_drafts: DashboardList
    my_submissions: DashboardList
    awaiting_my_review: DashboardList
    changes_requested: DashboardList
    ready_to_publish: DashboardList
    scheduled: DashboardList
    overdue_reviews: DashboardList

    @property
    def lists(self) -> list[DashboardList]:
        return [
            self.my_drafts,
            self.my_submissions,
            self.awaiting_my_review,
            self.changes_requested,
            self.ready_to_publish,
            self.scheduled,
            self.overdue_reviews,
        ]


def dashboard_for(*, user: AbstractBaseUser, today: date | None = None) -> Dashboard:
    """The admin index's work lists for this user, a fixed number of queries per root kind.

    - my drafts: revisions this user wrote that are not yet submitted;
    - my submissions: revisions this user wrote that wait for a reviewer;
    - awaiting my review: submitted revisions this user may review and did not write;
    - changes requested: revisions this user wrote that a reviewer sent back;
    - approved, ready to publish: approved revisions with no publish-at time (by hand);
    - scheduled: approved revisions waiting for their publish-at time;
    - overdue for review: published content whose review date has passed.
    """
    today = today or timezone.localdate()
    may_review = user.has_perm(TRANSITIONS["approve"].permission)
    dashboard = Dashboard(
        my_drafts=DashboardList("My drafts", "Nothing in draft."),
        my_submissions=DashboardList("My submissions", "Nothing of yours waits for review."),
        awaiting_my_review=DashboardList("Awaiting my review", "Nothing waits for you."),
        changes_requested=DashboardList("Changes requested", "No revision was sent back."),
        ready_to_publish=DashboardList(
            "Approved, ready to publish", "Nothing approved waits to be published."
        ),
        scheduled=DashboardList("Scheduled publications", "Nothing is scheduled."),
        overdue_reviews=DashboardList("Overdue for review", "Every review date is ahead."),
    )
    for kind in registry.all_kinds():
        model = kind.model
        in_revision = list(model.objects.filter(status__in=REVISION_STATES).order_by("-updated_at"))
        editors = revision_editors_by_root(kind=kind.kind, root_ids=[r.pk for r in in_revision])
        for root in in_revision:
            mine = user.pk in editors.get(root.pk, set())
            item = DashboardItem(kind.kind, root)
            if root.status == Status.DRAFT and mine:
                dashboard.my_drafts.add(item)
            elif root.status == Status.CHANGES_REQUESTED and mine:
                dashboard.changes_requested.add(item)
            elif root.status == Status.IN_REVIEW and mine:
                dashboard.my_submissions.add(item)
            elif root.status == Status.IN_REVIEW and may_review:
                dashboard.awaiting_my_review.add(item)
        overdue = (
            model.objects.exclude(status=Status.WITHDRAWN)
            .filter(next_review_due__lt=today)
            .order_by("next_review_due")
        )
        for root in overdue:
            dashboard.overdue_reviews.add(DashboardItem(kind.kind, root))
        approved = model.objects.filter(status=Status.APPROVED).order_by(
            models.F("publish_at").asc(nulls_first=True), "-updated_at"
        )
        for root in approved:
            target = dashboard.scheduled if root.publish_at else dashboard.ready_to_publish
            target.add(DashboardItem(kind.kind, root))
    return dashboard


@dataclass(frozen=True)
class ReviewNotes:
    """What the editor and the reviewer said last, for the workflow panel and the review page."""

    submitted: EditorialEvent | None
    remark: EditorialEvent | None
    comment: ReviewComment | None


def review_notes(*, root: models.Model) -> ReviewNotes:
    """The latest submission (with its note), the latest reviewer's remark on a transition
    (changes requested, approval) and the latest comment, since the root was last published.

    Three indexed queries, however long the root's history.
    """
    kind = registry.kind_of(root)
    events = EditorialEvent.objects.of_root(kind=kind, root_id=root.pk)
    last_published = (
        events.filter(action=Action.PUBLISHED).order_by("-id").values_list("id", flat=True)[:1]
    )
    since = events.filter(id__gt=Coalesce(models.Subquery(last_published), 0))
    newest = since.select_related("user").order_by("-id")
    submitted = newest.filter(action=Action.SUBMITTED).first()
    remark = (
        newest.filter(action__in=(Action.CHANGES_REQUESTED, Action.APPROVED))
        .exclude(comment="")
        .first()
    )
    comment = (
        ReviewComment.objects.filter(kind=kind, root_id=root.pk)
        .select_related("author", "resolved_by")
        .order_by("-id")
        .first()
    )
    return ReviewNotes(submitted=submitted, remark=remark, comment=comment)


def review_comments(*, root: models.Model, part: str | None = None) -> list[ReviewComment]:
    """The root's comments, open ones first then newest first; those on one part if given."""
    comments = ReviewComment.objects.filter(kind=registry.kind_of(root), root_id=root.pk)
    if part is not None:
        comments = comments.filter(part=part)
    return list(
        comments.select_related("author", "resolved_by").order_by(
            models.F("resolved_at").asc(nulls_first=True), "-id"
        )
    )


def approval_standing_or_void(*, root: models.Model) -> EditorialEvent | None:
    """The root's latest approval not yet published, whether it still stands or was voided.

    The review page compares against it, so a reviewer sees exactly what changed since they
    (or a colleague) approved.
    """
    kind = registry.kind_of(root)
    events = EditorialEvent.objects.of_root(kind=kind, root_id=root.pk)
    last_published = (
        events.filter(action=Action.PUBLISHED).order_by("-id").values_list("id", flat=True).first()
    )
    approvals = events.filter(action=Action.APPROVED, revision__isnull=False)
    if last_published is not None:
        approvals = approvals.filter(id__gt=last_published)
    return approvals.select_related("user", "revision").order_by("-id").first()
