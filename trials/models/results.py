"""A trial's results: outcomes with their estimates, and adverse events by arm."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from monographs.models.base import (
    GradeScope,
    Sourced,
    StatedPrecision,
    bound_constraint,
    bound_field,
    explained,
    ordered_pair_constraint,
    percentage_constraint,
    positive_constraint,
    within_constraint,
)
from trials.models.trials import Arm, Trial


class Outcome(StatedPrecision, Sourced):
    """A result: an arm's figure (median, rate, count) or a comparison between arms (HR)."""

    class Measure(models.TextChoices):
        OS = "OS", "Overall survival"
        PFS = "PFS", "Progression-free survival"
        TTP = "TTP", "Time to progression"
        TTSP = "TTSP", "Time to symptomatic progression"
        ORR = "ORR", "Objective response rate"
        DCR = "DCR", "Disease control rate"
        CR = "CR", "Complete response"
        PR = "PR", "Partial response"
        MR = "MR", "Minor response"
        SD = "SD", "Stable disease"
        PD = "PD", "Progressive disease"
        DOR = "DOR", "Duration of response"
        FOLLOW_UP = "FOLLOW_UP", "Follow-up"
        OTHER = "OTHER", "Other"

    class PValueRelation(models.TextChoices):
        EQUAL = "=", "="
        LESS = "<", "<"
        GREATER = ">", ">"

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="outcomes")
    measure = models.CharField(max_length=10, choices=Measure.choices)
    label = models.CharField(max_length=200, blank=True, help_text="When the measure needs more.")
    arm = models.ForeignKey(
        Arm, null=True, blank=True, on_delete=models.CASCADE, related_name="outcomes"
    )
    comparator_arm = models.ForeignKey(
        Arm,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="comparator_outcomes",
        help_text="For comparisons: the arm the hazard ratio is against.",
    )
    statistic = models.CharField(
        max_length=30, blank=True, help_text="E.g. median, rate, count, mean."
    )
    value = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    value_high = models.DecimalField(
        max_digits=12,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="High end when the source gives the result as a range (value is then the "
        "low end) or only as an upper bound such as 'did not exceed 8%' (value is then empty).",
    )
    value_bound = bound_field()
    unit = models.CharField(max_length=20, blank=True, help_text="E.g. months, %.")
    count = models.PositiveIntegerField(null=True, blank=True)
    denominator = models.PositiveIntegerField(null=True, blank=True)
    ci_level = models.PositiveSmallIntegerField(null=True, blank=True, help_text="E.g. 95.")
    ci_low = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    ci_high = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    range_low = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    range_high = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    hazard_ratio = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    hazard_ratio_ci_low = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    hazard_ratio_ci_high = models.DecimalField(
        max_digits=8, decimal_places=4, null=True, blank=True
    )
    p_value = models.DecimalField(max_digits=10, decimal_places=8, null=True, blank=True)
    p_value_relation = models.CharField(
        max_length=1, choices=PValueRelation.choices, default=PValueRelation.EQUAL
    )
    test_statistic_name = models.CharField(max_length=50, blank=True, help_text="E.g. log-rank χ².")
    test_statistic_value = models.DecimalField(
        max_digits=12, decimal_places=4, null=True, blank=True
    )
    degrees_of_freedom = models.PositiveSmallIntegerField(null=True, blank=True)
    timepoint = models.CharField(max_length=100, blank=True)
    is_primary_endpoint = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["trial", "position", "id"]
        constraints = [
            ordered_pair_constraint(
                "ci_low",
                "value",
                name="outcome_value_not_below_ci",
                field="value",
                message="The value {value} is below its CI, which starts at {ci_low}.",
            ),
            ordered_pair_constraint(
                "value",
                "ci_high",
                name="outcome_value_not_above_ci",
                message="The value {value} is above its CI, which ends at {ci_high}.",
            ),
            ordered_pair_constraint(
                "ci_low",
                "ci_high",
                name="outcome_ci_ordered",
                message="CI low {ci_low} is above CI high {ci_high}.",
            ),
            ordered_pair_constraint(
                "value",
                "value_high",
                name="outcome_value_ordered",
                message="The value {value} is above the high end of its result {value_high}.",
            ),
            bound_constraint(
                "value_bound",
                "value",
                "value_high",
                name="outcome_value_bound_fits",
                label="The result",
            ),
            ordered_pair_constraint(
                "range_low",
                "range_high",
                name="outcome_range_ordered",
                message="Range low {range_low} is above range high {range_high}.",
            ),
            ordered_pair_constraint(
                "hazard_ratio_ci_low",
                "hazard_ratio",
                name="outcome_hr_not_below_ci",
                field="hazard_ratio",
                message="The hazard ratio {hazard_ratio} is below its CI, which starts at "
                "{hazard_ratio_ci_low}.",
            ),
            ordered_pair_constraint(
                "hazard_ratio",
                "hazard_ratio_ci_high",
                name="outcome_hr_not_above_ci",
                message="The hazard ratio {hazard_ratio} is above its CI, which ends at "
                "{hazard_ratio_ci_high}.",
            ),
            ordered_pair_constraint(
                "hazard_ratio_ci_low",
                "hazard_ratio_ci_high",
                name="outcome_hr_ci_ordered",
                message="HR CI low {hazard_ratio_ci_low} is above HR CI high "
                "{hazard_ratio_ci_high}.",
            ),
            positive_constraint(
                "hazard_ratio_ci_low",
                name="outcome_hr_ci_positive",
                message="HR CI low is {hazard_ratio_ci_low}; a hazard ratio is above zero.",
            ),
            ordered_pair_constraint(
                "count",
                "denominator",
                name="outcome_count_within_denominator",
                message="The count {count} is more than the denominator {denominator}.",
            ),
            positive_constraint(
                "denominator",
                name="outcome_denominator_positive",
                message="The denominator is {denominator}; it counts patients, so it is more "
                "than zero.",
            ),
            within_constraint(
                "p_value",
                0,
                1,
                name="outcome_p_value_probability",
                message="The p-value {p_value} is not a probability (0 to 1).",
            ),
            positive_constraint(
                "hazard_ratio",
                name="outcome_hr_positive",
                message="The hazard ratio is {hazard_ratio}; a hazard ratio is above zero.",
            ),
            explained(
                models.CheckConstraint(
                    condition=~Q(unit="%")
                    | Q(value__isnull=True)
                    | Q(value__gte=0, value__lte=100),
                    name="outcome_percentage_range",
                ),
                field="value",
                fields=("value", "unit"),
                message="The value is {value} %; a percentage is 0 to 100.",
                broken=lambda row: (
                    row.unit == "%" and row.value is not None and not 0 <= row.value <= 100
                ),
            ),
            within_constraint(
                "ci_level",
                0,
                100,
                exclusive=True,
                name="outcome_ci_level_range",
                message="The CI level {ci_level} is not a percentage between 0 and 100 (e.g. 95).",
            ),
        ]

    def __str__(self) -> str:
        who = f" ({self.arm.label})" if self.arm_id else ""
        return f"{self.trial}: {self.label or self.get_measure_display()}{who}"

    def clean(self) -> None:
        errors = {}
        for arm_field in ("arm", "comparator_arm"):
            arm = getattr(self, arm_field)
            if arm is not None and self.trial_id and arm.trial_id != self.trial_id:
                errors[arm_field] = "This arm belongs to another trial."
        if errors:
            raise ValidationError(errors)


class TrialAdverseEvent(StatedPrecision, Sourced):
    GradeScope = GradeScope

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="adverse_events")
    arm = models.ForeignKey(
        Arm, null=True, blank=True, on_delete=models.CASCADE, related_name="adverse_events"
    )
    term = models.ForeignKey(
        "monographs.AdverseEventTerm", on_delete=models.PROTECT, related_name="trial_adverse_events"
    )
    grade_scope = models.CharField(
        max_length=20, choices=GradeScope.choices, default=GradeScope.ANY
    )
    count = models.PositiveIntegerField(null=True, blank=True)
    denominator = models.PositiveIntegerField(null=True, blank=True)
    percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    percent_high = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Upper end when the source gives a range (percent is then the lower end) "
        "or only an upper bound such as 'at most 8%' (percent is then empty).",
    )
    percent_bound = bound_field()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["trial", "position", "id"]
        constraints = [
            percentage_constraint("percent", name="trial_ae_percentage", label="The percentage"),
            percentage_constraint(
                "percent_high", name="trial_ae_percentage_high", label="The upper percentage"
            ),
            ordered_pair_constraint(
                "percent",
                "percent_high",
                name="trial_ae_percent_ordered",
                message="The percentage {percent} % is above the upper percentage "
                "{percent_high} %.",
            ),
            ordered_pair_constraint(
                "count",
                "denominator",
                name="trial_ae_count_within_denominator",
                message="The count {count} is more than the denominator {denominator}.",
            ),
            positive_constraint(
                "denominator",
                name="trial_ae_denominator_positive",
                message="The denominator is {denominator}; it counts patients, so it is more "
                "than zero.",
            ),
            bound_constraint(
                "percent_bound",
                "percent",
                "percent_high",
                name="trial_ae_percent_bound_fits",
                label="The percentage",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trial}: {self.term} ({self.get_grade_scope_display()})"

    def clean(self) -> None:
        if self.arm is not None and self.trial_id and self.arm.trial_id != self.trial_id:
            raise ValidationError({"arm": "This arm belongs to another trial."})
