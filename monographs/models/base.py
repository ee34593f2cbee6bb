"""Shared model pieces: sourced rows, natural keys, and the database constraints with the
plain sentence each one means.

Every CheckConstraint and UniqueConstraint of an editable model is declared here or through
`explained()`, which records a ConstraintRule: the same rule checked in Python, with a message
a clinician understands, attached to the field to fix ("CI low 12.0 is above CI high 9.1.").
Models with PlainConstraintMessages check those rules in validate_constraints(), so forms and
the admin show them beside the field; the database constraint stays the last word.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.db.models import F, Q

from monographs.figures import LOWER_BOUNDS, UPPER_BOUNDS


@dataclass(frozen=True)
class ConstraintRule:
    """What a database constraint means, as a check on a row and a sentence beside a field."""

    name: str
    field: str
    fields: tuple[str, ...]
    broken: Callable[[models.Model], bool]
    message: str | Callable[[models.Model], str]

    def explain(self, instance: models.Model) -> str:
        """The message with the row's values as typed ({field} placeholders)."""
        if callable(self.message):
            return self.message(instance)
        values = {}
        for name in self.fields:
            try:
                values[name] = shown(getattr(instance, name, None))
            except ObjectDoesNotExist:  # a required relation not chosen yet
                values[name] = shown(None)
        return self.message.format(**values)


CONSTRAINT_RULES: dict[str, ConstraintRule] = {}


def shown(value) -> str:
    """A value as the editor typed it: 8.0 stays 8.0, an empty value says so."""
    if value is None or value == "":
        return "(empty)"
    return str(value)


def explained(
    constraint: models.BaseConstraint,
    *,
    field: str,
    message: str | Callable[[models.Model], str],
    broken: Callable[[models.Model], bool] | None = None,
    fields: tuple[str, ...] = (),
) -> models.BaseConstraint:
    """Record the plain rule behind `constraint` (a UniqueConstraint's check is its own)."""
    if broken is None:
        assert isinstance(constraint, models.UniqueConstraint), constraint.name
        fields = tuple(constraint.fields)
        broken = duplicate_of(fields)
    CONSTRAINT_RULES[constraint.name] = ConstraintRule(
        constraint.name, field, fields or (field,), broken, message
    )
    return constraint


def duplicate_of(fields: tuple[str, ...]) -> Callable[[models.Model], bool]:
    def broken(instance: models.Model) -> bool:
        opts = instance._meta
        values = {opts.get_field(name).attname: getattr(instance, opts.get_field(name).attname)
                  for name in fields}  # fmt: skip
        if any(value is None for value in values.values()):
            return False
        return type(instance)._default_manager.filter(**values).exclude(pk=instance.pk).exists()

    return broken


class PlainConstraintMessages:
    """Constraint violations told beside the field, in words, before the database refuses.

    Constraints with a ConstraintRule are checked in Python (no query, except a unique
    constraint's one lookup); any other constraint is validated by Django as usual.
    """

    def validate_constraints(self, exclude=None) -> None:
        exclude = set(exclude or ())
        errors: dict[str, list[ValidationError]] = {}
        unexplained = []
        for model_class, constraints in self.get_constraints():
            for constraint in constraints:
                rule = CONSTRAINT_RULES.get(constraint.name)
                if rule is None:
                    unexplained.append((model_class, constraint))
                elif not exclude & set(rule.fields) and rule.broken(self):
                    errors.setdefault(rule.field, []).append(
                        ValidationError(rule.explain(self), code=rule.name)
                    )
        for model_class, constraint in unexplained:
            try:
                constraint.validate(model_class, self, exclude=exclude)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)


class Sourced(PlainConstraintMessages, models.Model):
    """A row whose facts come from a source: which citation, and where in it."""

    citation = models.ForeignKey(
        "monographs.Citation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The source of the figures on this row.",
    )
    source_locator = models.CharField(
        max_length=200, blank=True, help_text="Where in the source: table, figure, page, section."
    )
    editorial_note = models.TextField(
        blank=True, help_text="Why this claim stands as it does, e.g. where sources disagree."
    )
    seed_key = models.CharField(
        max_length=200,
        blank=True,
        db_index=True,
        help_text="Identity of the row in seeds/ (file and record key); empty for admin-made rows.",
    )

    class Meta:
        abstract = True


class StatedPrecision(models.Model):
    """Figures kept with the decimal places the source states: 8.0 stays 8.0, not 8 or 8.0000.

    A decimal column has a fixed scale, so the places typed are kept beside the figures, one
    entry per figure ({"value": 1} for 8.0); figures without an entry read as they are stored.
    """

    stated_places = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="Decimal places of each figure as stated, e.g. {'value': 1} for 8.0.",
    )

    class Meta:
        abstract = True

    def stated(self, field: str) -> str:
        """The figure as the source states it ('' when empty)."""
        return as_stated(getattr(self, field), (self.stated_places or {}).get(field))


def places_of(number: Decimal) -> int:
    """Decimal places written: 8.0 -> 1, 8 -> 0, 8.00 -> 2."""
    return max(0, -int(number.as_tuple().exponent))


def as_stated(number: Decimal | None, places: int | None) -> str:
    """A stored figure written with `places` decimals; unknown places: without padding zeros."""
    if number is None:
        return ""
    if places is None:
        return format(number.normalize(), "f")
    return format(number.quantize(Decimal(1).scaleb(-places)), "f")


class GradeScope(models.TextChoices):
    """Which CTCAE grades a figure counts, exactly as its source scopes it."""

    ANY = "any", "Any grade"
    GRADE_1_2 = "grade_1_2", "Grade 1–2"
    GRADE_3 = "grade_3", "Grade 3"
    GRADE_3_4 = "grade_3_4", "Grade 3–4"
    GRADE_3_PLUS = "grade_3_plus", "Grade ≥3"
    GRADE_4 = "grade_4", "Grade 4"
    GRADE_5 = "grade_5", "Grade 5"
    # What a registry record states instead of a grade (ClinicalTrials.gov results).
    SERIOUS = "serious", "Serious (registry; no grade given)"
    OTHER_NON_SERIOUS = "other", "Other, non-serious (registry; no grade given)"


# The scopes a drug-level incidence's second (severe) column may hold.
SEVERE_GRADE_SCOPES = [
    (value, label)
    for value, label in GradeScope.choices
    if value in ("grade_3", "grade_3_4", "grade_3_plus", "grade_4", "grade_5")
]


class Bound(models.TextChoices):
    """How a figure relates to its number, stored as words so no value reads as a formula."""

    EXACT = "", "Exact value or range"
    LESS_THAN = "lt", "Less than (<)"
    AT_MOST = "le", "At most (≤)"
    MORE_THAN = "gt", "More than (>)"
    AT_LEAST = "ge", "At least (≥)"
    ABOUT = "approx", "About (~)"


def bound_field() -> models.CharField:
    return models.CharField(
        max_length=6,
        choices=Bound.choices,
        blank=True,
        default=Bound.EXACT,
        help_text="Less than / at most: the figure is the high end, the low end empty. "
        "More than / at least: the low end, the high end empty. About: an approximate value.",
    )


def default_source_field(*, help_text: str) -> models.ForeignKey:
    """The source an entry's (or a section's) rows take when they name none of their own."""
    return models.ForeignKey(
        "monographs.Citation",
        verbose_name="default source",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=help_text,
    )


class NaturalKeyManager(models.Manager):
    """Finds a row by its natural key, so fixtures name rows by slug or key, not by id."""

    def __init__(self, field: str = "slug") -> None:
        super().__init__()
        self.natural_key_field = field

    def get_by_natural_key(self, value: str) -> models.Model:
        return self.get(**{self.natural_key_field: value})


def percentage_constraint(field: str, *, name: str, label: str) -> models.CheckConstraint:
    """A percentage column stays within 0-100 (or is empty)."""
    return within_constraint(
        field, 0, 100, name=name, message=f"{label} is {{{field}}} %; a percentage is 0 to 100."
    )


def within_constraint(
    field: str, low, high, *, name: str, message: str, exclusive: bool = False
) -> models.CheckConstraint:
    """A number column is empty or between low and high (inclusive unless `exclusive`)."""
    lookups = ("gt", "lt") if exclusive else ("gte", "lte")
    constraint = models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True})
        | Q(**{f"{field}__{lookups[0]}": low, f"{field}__{lookups[1]}": high}),
        name=name,
    )

    def broken(instance) -> bool:
        value = getattr(instance, field)
        if value is None:
            return False
        return not (low < value < high if exclusive else low <= value <= high)

    return explained(constraint, field=field, message=message, broken=broken)


def positive_constraint(field: str, *, name: str, message: str) -> models.CheckConstraint:
    """A number column is empty or above zero."""
    constraint = models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gt": 0}), name=name
    )

    def broken(instance) -> bool:
        value = getattr(instance, field)
        return value is not None and not value > 0

    return explained(constraint, field=field, message=message, broken=broken)


def ordered_pair_constraint(
    low: str, high: str, *, name: str, message: str, field: str | None = None
) -> models.CheckConstraint:
    """low <= high whenever both are given; the message goes beside `field` (default: low)."""
    constraint = models.CheckConstraint(
        condition=Q(**{f"{low}__isnull": True})
        | Q(**{f"{high}__isnull": True})
        | Q(**{f"{low}__lte": F(high)}),
        name=name,
    )

    def broken(instance) -> bool:
        low_value, high_value = getattr(instance, low), getattr(instance, high)
        return low_value is not None and high_value is not None and low_value > high_value

    return explained(
        constraint, field=field or low, fields=(low, high), message=message, broken=broken
    )


def bound_constraint(bound: str, low: str, high: str, *, name: str, label: str):
    """A bound qualifies one end of its figure, as the formatter reads it.

    Less than / at most is the high end alone, more than / at least the low end alone; an
    exact or approximate figure is never the high end alone (that would read as a bound the
    source may not state).
    """
    only_high = Q(**{f"{low}__isnull": True, f"{high}__isnull": False})
    only_low = Q(**{f"{low}__isnull": False, f"{high}__isnull": True})
    constraint = models.CheckConstraint(
        condition=(Q(**{f"{bound}__in": sorted(UPPER_BOUNDS)}) & only_high)
        | (Q(**{f"{bound}__in": sorted(LOWER_BOUNDS)}) & only_low)
        | (~Q(**{f"{bound}__in": sorted(UPPER_BOUNDS | LOWER_BOUNDS)}) & ~only_high),
        name=name,
    )

    def problem(instance) -> str:
        stated = getattr(instance, bound)
        low_value, high_value = getattr(instance, low), getattr(instance, high)
        if stated in UPPER_BOUNDS:
            if low_value is not None:
                return (
                    f"{label} is “{Bound(stated).label}”: that figure is the high end alone; "
                    f"move {shown(low_value)} to the high end and leave the low end empty."
                )
            return f"{label} is “{Bound(stated).label}”: give the figure as the high end."
        if stated in LOWER_BOUNDS:
            if high_value is not None:
                return (
                    f"{label} is “{Bound(stated).label}”: that figure is the low end alone; "
                    f"move {shown(high_value)} to the low end and leave the high end empty."
                )
            return f"{label} is “{Bound(stated).label}”: give the figure as the low end."
        return (
            f"{label} has only a high end ({shown(high_value)}): choose “less than” or “at "
            "most” as the source says, or enter an exact figure as the low end."
        )

    def broken(instance) -> bool:
        stated = getattr(instance, bound)
        low_value, high_value = getattr(instance, low), getattr(instance, high)
        alone_high = low_value is None and high_value is not None
        alone_low = low_value is not None and high_value is None
        if stated in UPPER_BOUNDS:
            return not alone_high
        if stated in LOWER_BOUNDS:
            return not alone_low
        return alone_high

    return explained(
        constraint, field=bound, fields=(bound, low, high), message=problem, broken=broken
    )


def regex_constraint(
    field: str, pattern: str, *, name: str, message: str, allow_blank: bool = False
) -> models.CheckConstraint:
    """An identifier column is empty (NULL, or '' when `allow_blank`) or matches its format."""
    empty = Q(**{field: ""}) if allow_blank else Q(**{f"{field}__isnull": True})
    constraint = models.CheckConstraint(
        condition=empty | Q(**{f"{field}__regex": pattern}), name=name
    )

    def broken(instance) -> bool:
        value = getattr(instance, field)
        if value is None or (allow_blank and value == ""):
            return False
        return re.search(pattern, value) is None

    return explained(constraint, field=field, message=message, broken=broken)


def blank_to_none(instance: models.Model, *fields: str) -> None:
    """Optional unique identifiers are stored as NULL, never '', so uniqueness ignores them."""
    for field in fields:
        value = getattr(instance, field)
        if isinstance(value, str):
            value = value.strip()
            setattr(instance, field, value or None)
