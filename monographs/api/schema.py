"""The OpenAPI schema says what the API does: every parameter's limits, every status code.

- Filters: django-filter's form fields know their limits (max_length, min_value, max_value,
  a RegexValidator); drf-spectacular's own extension leaves them out, so this one, taking
  precedence, copies them into each parameter's schema. A filter that changes the case of
  its value before checking it gets a pattern that accepts either case.
- Responses: every operation may also answer 429 (rate limit), 503 (database unavailable)
  and 304 (If-None-Match), and 400 for a parameter it does not take; the hook adds them.
"""

import re

from django.core.validators import RegexValidator
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter

from monographs.api.filters import LowerCaseCharField, UpperCaseCharField
from monographs.editorial import registry

ERROR_REF = {"$ref": "#/components/schemas/Error"}
COMMON_RESPONSES = {
    "304": {"description": "Not modified: the ETag sent in If-None-Match is still current."},
    "400": {
        "description": "A query parameter is invalid, unknown or repeated; `parameters` names it.",
        "content": {"application/json": {"schema": ERROR_REF}},
    },
    "429": {
        "description": "Too many requests from this address; Retry-After says when to retry.",
        "content": {"application/json": {"schema": ERROR_REF}},
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    },
    "503": {
        "description": "The database is briefly unavailable; Retry-After says when to retry.",
        "content": {"application/json": {"schema": ERROR_REF}},
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    },
}


def either_case(pattern: str) -> str:
    """The pattern, accepting each letter outside a bracket in either case ([A-Z] too)."""
    out, inside, escaped = [], False, False
    for character in pattern:
        if escaped:
            out.append(character)
            escaped = False
            continue
        if character == "\\":
            escaped = True
        elif character == "[":
            inside = True
        elif character == "]":
            inside = False
        if not inside and not escaped and character.isalpha() and character.isascii():
            out.append(f"[{character.upper()}{character.lower()}]")
        else:
            out.append(character)
    widened = "".join(out)
    return re.sub(r"\[(?:A-Z|a-z)\]", "[A-Za-z]", widened)


def _limits(filter_field) -> dict:
    field = filter_field.field
    limits: dict = {}
    if getattr(field, "max_length", None) is not None:
        limits["maxLength"] = field.max_length
    if getattr(field, "min_value", None) is not None:
        limits["minimum"] = field.min_value
    if getattr(field, "max_value", None) is not None:
        limits["maximum"] = field.max_value
    patterns = [v.regex.pattern for v in field.validators if isinstance(v, RegexValidator)]
    if patterns:
        [pattern] = patterns
        if isinstance(field, UpperCaseCharField | LowerCaseCharField):
            pattern = either_case(pattern)
        limits["pattern"] = pattern
    for name in ("minimum", "maximum"):
        if name in limits and not isinstance(limits[name], int):
            limits[name] = float(limits[name])
    return limits


class LimitedDjangoFilterExtension(DjangoFilterExtension):
    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(
            auto_schema, model, filterset_class, field_name, filter_field
        )
        limits = _limits(filter_field)
        for parameter in parameters:
            parameter["schema"].update(limits)
        return parameters


# Items a client may trim with ?fields=: each member is there unless fields= leaves it out.
SELECTABLE_COMPONENTS = (
    "AdverseEvent",
    "Citation",
    "DrugSummary",
    "Publication",
    "TrialSummary",
    "Version",
)


def add_common_responses(result, generator, request, public):
    """Postprocessing hook: the responses every operation of the read API may give.

    And the items fields= can trim: their members are all sent unless fields= names others,
    so none is `required` as such.
    """
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    if "Error" not in schemas:
        return result
    # Each kind's detail names its document's shape (publication_serializer).
    kinds = [f"{root_kind.kind.title()}Publication" for root_kind in registry.all_kinds()]
    for name in (*SELECTABLE_COMPONENTS, *kinds):
        component = schemas.get(name)
        if component is not None and component.pop("required", None):
            note = "Every member is sent unless fields= names only some."
            component["description"] = f"{component.get('description', '')}\n\n{note}".strip()
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, response in COMMON_RESPONSES.items():
                responses.setdefault(status, response)
    return result


class ReadAPISchema(AutoSchema):
    """The parameters every view of the read API shares: format, and fields=/total= where taken.

    Where the view refuses empty parameters (strict_query_parameters), every text parameter
    says so with minLength 1.
    """

    def _get_parameters(self):
        parameters = super()._get_parameters()
        if getattr(self.view, "strict_query_parameters", False):
            for parameter in parameters:
                schema = parameter.get("schema", {})
                if parameter["in"] == "query" and schema.get("type") == "string":
                    schema.setdefault("minLength", 1)
        return parameters

    def get_override_parameters(self):
        from monographs.api.selection import FIELDS, TOTAL, FieldSelectionMixin, ListSelectionMixin

        parameters = list(super().get_override_parameters())
        view = self.view
        if not getattr(view, "strict_query_parameters", False):
            return parameters
        formats = sorted({renderer.format for renderer in view.renderer_classes})
        parameters.append(
            OpenApiParameter(
                "format",
                str,
                enum=formats,
                description=f"The answer's format: {', '.join(formats)}.",
            )
        )
        if isinstance(view, FieldSelectionMixin):
            parameters.append(
                OpenApiParameter(
                    FIELDS,
                    {
                        "type": "array",
                        "items": {"type": "string", "enum": view.available_fields()},
                        "minItems": 1,
                    },
                    style="form",
                    explode=False,
                    description="Only these members (comma-separated), e.g. slug,version.",
                )
            )
        if isinstance(view, ListSelectionMixin):
            parameters.append(
                OpenApiParameter(
                    TOTAL,
                    bool,
                    description="true adds `total`: how many items match the filters, over "
                    "every page (one more count, so ask for it once).",
                )
            )
        return parameters
