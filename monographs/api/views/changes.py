"""The change feed: what a mirror needs to stay in step, one token at a time."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers

from monographs.api.http import PublicReadMixin
from monographs.api.pagination import ChangesPagination
from monographs.api.selectors import changes_since
from monographs.api.serializers.changes import ChangeSerializer
from monographs.api.serializers.common import ErrorSerializer, entry_kinds

MAX_TOKEN = 2**63 - 1


class ChangesQuerySerializer(serializers.Serializer):
    since = serializers.IntegerField(required=False, default=0, min_value=0, max_value=MAX_TOKEN)
    kind = serializers.ChoiceField(choices=[], required=False)

    def get_fields(self) -> dict:
        fields = super().get_fields()
        fields["kind"].choices = entry_kinds()
        return fields


@extend_schema(
    summary="Publications and withdrawals since a token",
    tags=["changes"],
    parameters=[
        OpenApiParameter(
            "since",
            {"type": "integer", "minimum": 0, "maximum": MAX_TOKEN, "format": "int64"},
            description="The last token you applied (0, or leave out, for the whole history).",
        ),
        OpenApiParameter("kind", str, enum=entry_kinds(), description="Only this kind."),
    ],
    responses={200: ChangeSerializer(many=True), 400: ErrorSerializer},
)
class ChangeListView(PublicReadMixin, generics.ListAPIView):
    """Every publication and withdrawal after `since`, oldest first.

    Apply them in order and keep `last_token`; ask again with ?since=<last_token>. A
    published change links to the version it published; a withdrawal links to the entry,
    which then answers 410 with the reason.
    """

    serializer_class = ChangeSerializer
    pagination_class = ChangesPagination
    strict_query_parameters = True
    query_parameters = ("since", "kind")

    def get_queryset(self):
        query = ChangesQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        self.since = query.validated_data["since"]
        return changes_since(token=self.since, kind=query.validated_data.get("kind"))
