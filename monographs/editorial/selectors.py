"""Reads for the editorial desk: what each editor and reviewer should look at next."""

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models
from django.utils import timezone

from monographs.editorial import registry
from monographs.editorial.models import EditorialEvent, Status
from monographs.editorial.services import TRANSITIONS, revision_editors_by_root

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
    awaiting_my_review: DashboardList
    changes_requested: DashboardList
    overdue_reviews: DashboardList
    scheduled: DashboardList

    @property
    def lists(self) -> list[DashboardList]:
        return [
            self.my_drafts,
            self.awaiting_my_review,
            self.changes_requested,
            self.overdue_reviews,
            self.scheduled,
        ]


def dashboard_for(*, user: AbstractBaseUser, today: date | None = None) -> Dashboard:
    """The admin index's work lists for this user, a fixed number of queries per root kind.

    - my drafts: revisions this user wrote that are not yet submitted;
    - awaiting my review: submitted revisions this user may review and did not write;
    - changes requested: revisions this user wrote that a reviewer sent back;
    - overdue reviews: published content whose review date has passed;
    - scheduled: approved revisions waiting for their publish-at time.
    """
    today = today or timezone.localdate()
    may_review = user.has_perm(TRANSITIONS["approve"].permission)
    dashboard = Dashboard(
        my_drafts=DashboardList("My drafts", "Nothing in draft."),
        awaiting_my_review=DashboardList("Awaiting my review", "Nothing waits for you."),
        changes_requested=DashboardList("Changes requested", "No revision was sent back."),
        overdue_reviews=DashboardList("Overdue reviews", "Every review date is ahead."),
        scheduled=DashboardList("Scheduled publications", "Nothing is scheduled."),
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
            elif root.status == Status.IN_REVIEW and may_review and not mine:
                dashboard.awaiting_my_review.add(item)
        overdue = (
            model.objects.exclude(status=Status.WITHDRAWN)
            .filter(next_review_due__lt=today)
            .order_by("next_review_due")
        )
        for root in overdue:
            dashboard.overdue_reviews.add(DashboardItem(kind.kind, root))
        scheduled = model.objects.filter(status=Status.APPROVED, publish_at__isnull=False).order_by(
            "publish_at"
        )
        for root in scheduled:
            dashboard.scheduled.add(DashboardItem(kind.kind, root))
    return dashboard


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
