"""The editorial admin's own pages: transition buttons, restore, review (diff) and preview.

Each view calls one service and reports what it says; none decides a workflow rule itself.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString
from django.views.decorators.http import require_POST

from monographs.admin.forms import TRANSITION_FORMS, CommentForm
from monographs.admin.review_views import ReviewViewsMixin
from monographs.editorial.actions import WORKFLOW_ACTIONS, workflow_action
from monographs.editorial.exceptions import EditorialError, QualityCheckFailed
from monographs.editorial.models import ReviewComment
from monographs.editorial.selectors import review_comments
from monographs.editorial.services.review import review_comment_add, review_comment_resolve


def findings_message(error: QualityCheckFailed) -> SafeString:
    """Each blocking finding on its own line (a nested list would take the message styles)."""
    return format_html(
        "{}{}",
        "Quality checks found errors; fix them, then try again:",
        format_html_join("", "<br>• {}", ((str(f),) for f in error.findings)),
    )


def error_message(error: EditorialError) -> str | SafeString:
    if isinstance(error, QualityCheckFailed):
        return findings_message(error)
    return str(error)


class EditorialViewsMixin(ReviewViewsMixin):
    """Custom admin pages of a root kind; the admin class provides kind, URLs and context."""

    def get_urls(self):
        opts = self.opts
        prefix = f"{opts.app_label}_{opts.model_name}"

        def wrap(view: Callable) -> Callable:
            return self.admin_site.admin_view(view)

        return [
            path(
                "<path:object_id>/transition/<slug:name>/",
                wrap(self.transition_view),
                name=f"{prefix}_transition",
            ),
            path("<path:object_id>/review/", wrap(self.review_view), name=f"{prefix}_review"),
            path("<path:object_id>/preview/", wrap(self.preview_view), name=f"{prefix}_preview"),
            path("<path:object_id>/comments/", wrap(self.comment_view), name=f"{prefix}_comment"),
            path(
                "<path:object_id>/comments/<int:comment_id>/resolve/",
                wrap(self.comment_resolve_view),
                name=f"{prefix}_comment_resolve",
            ),
            path(
                "<path:object_id>/restore/<int:version>/",
                wrap(self.restore_view),
                name=f"{prefix}_restore",
            ),
            path(
                "<path:object_id>/revisions/",
                wrap(self.revisions_view),
                name=f"{prefix}_revisions",
            ),
            path(
                "<path:object_id>/revisions/compare/",
                wrap(self.compare_view),
                name=f"{prefix}_compare",
            ),
            path(
                "<path:object_id>/revisions/<int:revision_id>/restore/",
                wrap(self.restore_revision_view),
                name=f"{prefix}_restore_revision",
            ),
            *super().get_urls(),
        ]

    def get_root_or_404(self, request, object_id: str):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(f"No {self.opts.verbose_name} with id {object_id}.")
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        return obj

    def transition_view(self, request: HttpRequest, object_id: str, name: str) -> HttpResponse:
        return require_POST(self._transition_view)(request, object_id, name)

    def _transition_view(self, request: HttpRequest, object_id: str, name: str) -> HttpResponse:
        obj = self.get_root_or_404(request, object_id)
        form_class = TRANSITION_FORMS.get(name)
        if form_class is None:
            messages.error(request, f"There is no transition called '{name}'.")
            return redirect(self.change_url(obj))
        form = form_class(request.POST)
        if not form.is_valid():
            problems = "; ".join(
                f"{form.fields[field].label or field}: {' '.join(errors)}"
                for field, errors in form.errors.items()
            )
            messages.error(request, f"{WORKFLOW_ACTIONS[name].label}: {problems}")
            return redirect(self.change_url(obj))
        try:
            action = workflow_action(name, root=obj, user=request.user)
            done = action.execute(**form.cleaned_data)
        except EditorialError as error:
            messages.error(request, error_message(error))
        else:
            messages.success(request, done)
        return redirect(self.safe_next(request) or self.change_url(obj))

    @staticmethod
    def safe_next(request: HttpRequest) -> str | None:
        """Where to go back to after a transition (the review page posts its own address)."""
        target = request.POST.get("next")
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return target
        return None

    def comment_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return require_POST(self._comment_view)(request, object_id)

    def _comment_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        obj = self.get_root_or_404(request, object_id)
        form = CommentForm(request.POST, parts=self.comment_parts())
        if not form.is_valid():
            problems = "; ".join(
                f"{form.fields[field].label or field}: {' '.join(errors)}"
                for field, errors in form.errors.items()
            )
            messages.error(request, f"The comment was not added: {problems}")
        else:
            try:
                review_comment_add(root=obj, user=request.user, **form.cleaned_data)
            except EditorialError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, "Your comment was added.")
        return redirect(self.safe_next(request) or self.change_url(obj))

    def comment_resolve_view(
        self, request: HttpRequest, object_id: str, comment_id: int
    ) -> HttpResponse:
        return require_POST(self._comment_resolve_view)(request, object_id, comment_id)

    def _comment_resolve_view(
        self, request: HttpRequest, object_id: str, comment_id: int
    ) -> HttpResponse:
        obj = self.get_root_or_404(request, object_id)
        comment = ReviewComment.objects.filter(
            pk=comment_id, kind=self.kind.kind, root_id=obj.pk
        ).first()
        if comment is None:
            raise Http404(f"'{obj}' has no comment {comment_id}.")
        try:
            review_comment_resolve(comment=comment, user=request.user)
        except EditorialError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "The comment is marked resolved.")
        return redirect(self.safe_next(request) or self.change_url(obj))

    def comment_parts(self) -> list[tuple[str, str]]:
        """What a comment can be about: the entry as a whole, or one part of its editor."""
        return [("", "The whole entry")] + [(part.slug, part.label) for part in self.parts]

    def comments_context(self, request: HttpRequest, obj, *, part: str | None) -> dict[str, Any]:
        labels = dict(self.comment_parts())
        comments = review_comments(root=obj, part=part)
        for comment in comments:
            comment.part_label = labels.get(comment.part, comment.part)
            comment.resolve_url = self.editorial_url("comment_resolve", obj, comment.pk)
        return {
            "editorial_comments": comments,
            "editorial_comment_url": self.editorial_url("comment", obj),
            "editorial_comment_form": CommentForm(
                parts=self.comment_parts(),
                initial={"part": part or ""},
                auto_id="id_comment_%s",
            ),
            "editorial_comment_part": part,
            "editorial_comment_part_label": labels.get(part, "") if part is not None else "",
        }
