"""A monograph's rows from clinical experience: adverse events, resistance mechanisms, what
patients receive next, and the questions readers ask, answered."""

from django.db import models
from django.db.models import Q

from .base import (
    SEVERE_GRADE_SCOPES,
    GradeScope,
    Sourced,
    StatedPrecision,
    bound_constraint,
    bound_field,
    explained,
    ordered_pair_constraint,
    percentage_constraint,
)
from .drugs import Drug


class ResistanceMechanism(Sourced):
    class Kind(models.TextChoices):
        PRIMARY = "primary", "Primary (intrinsic)"
        ACQUIRED = "acquired", "Acquired"

    drug = models.ForeignKey(Drug, on_delete=models.CASCADE, related_name="resistance_mechanisms")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    pathway = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["drug", "position", "id"]

    def __str__(self) -> str:
        return f"{self.drug}: {self.name} ({self.get_kind_display().lower()})"


class SubsequentTherapy(Sourced):
    """An option after this drug, per indication: another drug or a kind of therapy."""

    drug = models.ForeignKey(Drug, on_delete=models.CASCADE, related_name="subsequent_therapies")
    condition = models.ForeignKey(
        "Condition", on_delete=models.PROTECT, related_name="subsequent_therapies"
    )
    therapy_drug = models.ForeignKey(
        Drug, null=True, blank=True, on_delete=models.PROTECT, related_name="subsequent_to"
    )
    therapy = models.CharField(
        max_length=200, blank=True, help_text="When not one drug, e.g. PD-1/PD-L1 immunotherapy."
    )
    setting = models.CharField(max_length=200, blank=True, help_text="E.g. after progression.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["drug", "condition", "position", "id"]
        verbose_name_plural = "subsequent therapies"
        constraints = [
            explained(
                models.CheckConstraint(
                    condition=Q(therapy_drug__isnull=False) | ~Q(therapy=""),
                    name="subsequent_therapy_names_therapy",
                ),
                field="therapy",
                fields=("therapy_drug", "therapy"),
                message="Name the therapy: choose a drug, or describe it (e.g. PD-1 "
                "immunotherapy).",
                broken=lambda row: row.therapy_drug_id is None and row.therapy == "",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.drug} then {self.therapy_drug or self.therapy} ({self.condition})"


class QuestionAnswer(Sourced):
    drug = models.ForeignKey(Drug, on_delete=models.CASCADE, related_name="questions")
    question = models.CharField(max_length=300)
    answer = models.TextField(help_text="Markdown.")
    audience = models.CharField(
        max_length=20,
        choices=[("patients", "Patients"), ("professionals", "Health professionals")],
        default="patients",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["drug", "position", "id"]
        verbose_name = "question and answer"

    def __str__(self) -> str:
        return self.question


class DrugAdverseEvent(StatedPrecision, Sourced):
    """How often a drug causes an adverse event: incidence ranges in %, any grade and grade >=3."""

    class FrequencyBand(models.TextChoices):
        #: The source gives no band. Not "Not known", which is a band of its own: the
        #: frequency cannot be estimated from the available data.
        NOT_STATED = "", "Not stated in the source"
        VERY_COMMON = "very_common", "Very common (≥10%)"
        COMMON = "common", "Common (1-10%)"
        UNCOMMON = "uncommon", "Uncommon (0.1-1%)"
        RARE = "rare", "Rare (0.01-0.1%)"
        VERY_RARE = "very_rare", "Very rare (<0.01%)"
        NOT_KNOWN = "not_known", "Not known"

    drug = models.ForeignKey(Drug, on_delete=models.CASCADE, related_name="adverse_events")
    term = models.ForeignKey(
        "AdverseEventTerm", on_delete=models.PROTECT, related_name="drug_adverse_events"
    )
    context = models.CharField(
        max_length=200, blank=True, help_text="Population or study the figures come from."
    )
    any_grade_low = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    any_grade_high = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    any_grade_bound = bound_field()
    grade_3_plus_low = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    grade_3_plus_high = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    grade_3_plus_bound = bound_field()
    grade_3_plus_scope = models.CharField(
        "severe grades counted",
        max_length=20,
        choices=SEVERE_GRADE_SCOPES,
        default=GradeScope.GRADE_3_PLUS,
        help_text="The grades the second figure counts, as the source scopes them.",
    )
    frequency_band = models.CharField(
        max_length=20, choices=FrequencyBand.choices, default=FrequencyBand.NOT_STATED, blank=True
    )
    management = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["drug", "position", "id"]
        constraints = [
            percentage_constraint(
                "any_grade_low", name="drug_ae_any_low_percentage", label="Any grade, low,"
            ),
            percentage_constraint(
                "any_grade_high", name="drug_ae_any_high_percentage", label="Any grade, high,"
            ),
            percentage_constraint(
                "grade_3_plus_low", name="drug_ae_g3_low_percentage", label="Grade ≥3, low,"
            ),
            percentage_constraint(
                "grade_3_plus_high", name="drug_ae_g3_high_percentage", label="Grade ≥3, high,"
            ),
            ordered_pair_constraint(
                "any_grade_low",
                "any_grade_high",
                name="drug_ae_any_ordered",
                message="Any grade: low {any_grade_low} % is above high {any_grade_high} %.",
            ),
            ordered_pair_constraint(
                "grade_3_plus_low",
                "grade_3_plus_high",
                name="drug_ae_g3_ordered",
                message="Grade ≥3: low {grade_3_plus_low} % is above high {grade_3_plus_high} %.",
            ),
            ordered_pair_constraint(
                "grade_3_plus_high",
                "any_grade_high",
                name="drug_ae_g3_within_any_grade",
                message="Grade ≥3 high {grade_3_plus_high} % is above any grade high "
                "{any_grade_high} %: grade ≥3 events are some of all events.",
            ),
            bound_constraint(
                "any_grade_bound",
                "any_grade_low",
                "any_grade_high",
                name="drug_ae_any_bound_fits",
                label="Any grade",
            ),
            bound_constraint(
                "grade_3_plus_bound",
                "grade_3_plus_low",
                "grade_3_plus_high",
                name="drug_ae_g3_bound_fits",
                label="The severe grades' figure",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.drug}: {self.term}"
