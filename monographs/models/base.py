from django.db import models
from django.db.models import F, Q


class Sourced(models.Model):
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


class GradeScope(models.TextChoices):
    """Which CTCAE grades a figure counts, exactly as its source scopes it."""

    ANY = "any", "Any grade"
    GRADE_1_2 = "grade_1_2", "Grade 1–2"
    GRADE_3 = "grade_3", "Grade 3"
    GRADE_3_4 = "grade_3_4", "Grade 3–4"
    GRADE_3_PLUS = "grade_3_plus", "Grade ≥3"
    GRADE_4 = "grade_4", "Grade 4"
    GRADE_5 = "grade_5", "Grade 5"


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


class NaturalKeyManager(models.Manager):
    """Finds a row by its natural key, so fixtures name rows by slug or key, not by id."""

    def __init__(self, field: str = "slug") -> None:
        super().__init__()
        self.natural_key_field = field

    def get_by_natural_key(self, value: str) -> models.Model:
        return self.get(**{self.natural_key_field: value})


def percentage_constraint(field: str, *, name: str) -> models.CheckConstraint:
    """A percentage column stays within 0-100 (or is empty)."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 0, f"{field}__lte": 100}),
        name=name,
    )


def ordered_pair_constraint(low: str, high: str, *, name: str) -> models.CheckConstraint:
    """low <= high whenever both are given."""
    return models.CheckConstraint(
        condition=Q(**{f"{low}__isnull": True})
        | Q(**{f"{high}__isnull": True})
        | Q(**{f"{low}__lte": F(high)}),
        name=name,
    )


def regex_constraint(field: str, pattern: str, *, name: str) -> models.CheckConstraint:
    """An identifier column is empty or matches its format."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__regex": pattern}),
        name=name,
    )


def blank_to_none(instance: models.Model, *fields: str) -> None:
    """Optional unique identifiers are stored as NULL, never '', so uniqueness ignores them."""
    for field in fields:
        value = getattr(instance, field)
        if isinstance(value, str):
            value = value.strip()
            setattr(instance, field, value or None)
