"""What a client may ask of a list or detail besides filters: ?fields= and ?total=true.

`fields` names the members each item should have (comma-separated), so a mirror that needs
only slugs and versions does not receive whole summaries or documents. `total=true` adds the
number of items matching the filters, over every page: one COUNT query, made only when asked.
"""

from rest_framework.exceptions import ValidationError

FIELDS = "fields"
TOTAL = "total"
TRUE, FALSE = ("true", "1"), ("false", "0")


class FieldSelectionMixin:
    """?fields=slug,version: only those members of each item (list) or of the answer (detail)."""

    selectable_fields_serializer = None  # defaults to the view's serializer class

    def available_fields(self) -> list[str]:
        serializer_class = self.selectable_fields_serializer or self.get_serializer_class()
        return list(serializer_class().fields)

    def selected_fields(self) -> list[str] | None:
        """The fields asked for, in the serializer's order; None when the parameter is absent."""
        if not hasattr(self, "_selected_fields"):
            self._selected_fields = self._parse_fields()
        return self._selected_fields

    def _parse_fields(self) -> list[str] | None:
        raw = self.request.query_params.get(FIELDS)
        if raw is None:
            return None
        names = {name.strip() for name in raw.split(",") if name.strip()}
        available = self.available_fields()
        unknown = sorted(names - set(available))
        if not names or unknown:
            message = f"Unknown: {', '.join(unknown)}. " if unknown else ""
            raise ValidationError(
                {FIELDS: [f"{message}Give a comma-separated list of: {', '.join(available)}."]}
            )
        return [name for name in available if name in names]

    def select(self, item: dict) -> dict:
        fields = self.selected_fields()
        if fields is None:
            return item
        return {name: item[name] for name in fields if name in item}

    def select_each(self, items: list[dict]) -> list[dict]:
        if self.selected_fields() is None:
            return items
        return [self.select(item) for item in items]

    def check_query_parameters(self, request) -> None:
        super().check_query_parameters(request)
        self.selected_fields()


class ListSelectionMixin(FieldSelectionMixin):
    """fields= on each item of a paginated list, and total=true for the count of all matches."""

    def wants_total(self) -> bool:
        raw = self.request.query_params.get(TOTAL)
        if raw is None or raw.lower() in FALSE:
            return False
        if raw.lower() in TRUE:
            return True
        raise ValidationError({TOTAL: ["Give true or false."]})

    def check_query_parameters(self, request) -> None:
        super().check_query_parameters(request)
        self.wants_total()

    def paginate_queryset(self, queryset):
        self._matching = queryset
        return super().paginate_queryset(queryset)

    def get_paginated_response(self, data):
        response = super().get_paginated_response(self.select_each(data))
        if self.wants_total():
            total = self._matching.order_by().count()
            response.data = {
                **{key: value for key, value in response.data.items() if key != "results"},
                "total": total,
                "results": response.data["results"],
            }
        return response
