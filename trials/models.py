from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from monographs.editorial.models import EditorialRoot
from monographs.models.base import (
    GradeScope,
    NaturalKeyManager,
    PlainConstraintMessages,
    Sourced,
    StatedPrecision,
    blank_to_none,
    bound_constraint,
    bound_field,
    default_source_field,
    explained,
    ordered_pair_constraint,
    percentage_constraint,
    positive_constraint,
    regex_constraint,
    within_constraint,
)
from monographs.validators import NCT_PATTERN, validate_nct_id


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


class Trial(PlainConstraintMessages, EditorialRoot):
    """A clinical study (randomised trial, single-arm study or retrospective series)."""

    class Phase(models.TextChoices):
        EARLY_PHASE_1 = "early_1", "Early phase I"
        PHASE_1 = "1", "Phase I"
        PHASE_1_2 = "1/2", "Phase I/II"
        PHASE_2 = "2", "Phase II"
        PHASE_2_3 = "2/3", "Phase II/III"
        PHASE_3 = "3", "Phase III"
        PHASE_4 = "4", "Phase IV"
        NOT_APPLICABLE = "n/a", "Not applicable (observational)"
        NOT_STATED = "not_stated", "Not stated in the source"

    class Design(models.TextChoices):
        RANDOMISED_CONTROLLED = "randomised_controlled", "Randomised controlled"
        RANDOMISED_DISCONTINUATION = "randomised_discontinuation", "Randomised discontinuation"
        SINGLE_ARM = "single_arm", "Single-arm"
        NON_RANDOMISED = "non_randomised", "Non-randomised, several arms"
        DOSE_ESCALATION = "dose_escalation", "Dose escalation"
        RETROSPECTIVE = "retrospective", "Retrospective series"
        PROGRAMME = "programme", "Programme of several studies"
        NOT_STATED = "not_stated", "Not stated in the source"

    class Masking(models.TextChoices):
        NONE = "open_label", "Open label"
        SINGLE = "single_blind", "Single blind"
        DOUBLE = "double_blind", "Double blind"
        NOT_STATED = "not_stated", "Not stated"

    slug = models.SlugField(max_length=120, unique=True)
    acronym = models.CharField(max_length=50, blank=True)
    title = models.CharField(max_length=500)
    nct_id = models.CharField(
        "NCT number",
        max_length=11,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_nct_id],
    )
    other_registry_ids = models.JSONField(default=list, blank=True)
    phase = models.CharField(max_length=10, choices=Phase.choices)
    design = models.CharField(max_length=40, choices=Design.choices)
    randomised = models.BooleanField(
        null=True, blank=True, default=None, help_text="Empty when the source does not say."
    )
    masking = models.CharField(max_length=20, choices=Masking.choices, default=Masking.NOT_STATED)
    placebo_controlled = models.BooleanField(
        null=True, blank=True, default=None, help_text="Empty when the source does not say."
    )
    conditions = models.ManyToManyField("monographs.Condition", related_name="trials", blank=True)
    drugs = models.ManyToManyField(
        "monographs.Drug", related_name="trials", blank=True, help_text="Drugs studied."
    )
    line_of_therapy = models.CharField(max_length=100, blank=True)
    population = models.TextField(blank=True)
    regions = models.JSONField(default=list, blank=True)
    start_date = models.DateField(null=True, blank=True)
    start_date_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    end_date = models.DateField(null=True, blank=True)
    end_date_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    enrolment = models.PositiveIntegerField(null=True, blank=True)
    sponsor = models.CharField(max_length=200, blank=True)
    summary = models.TextField(blank=True, help_text="Markdown. Cite sources as [@citation-key].")
    publications = models.ManyToManyField(
        "monographs.Citation", through="TrialPublication", related_name="trials", blank=True
    )
    default_citation = default_source_field(
        help_text="The source of every arm, outcome and adverse event that names none of its "
        "own: the trial's report cited once, not on each row.",
    )

    objects = NaturalKeyManager("slug")

    class Meta:
        ordering = ["title"]
        constraints = [
            regex_constraint(
                "nct_id", NCT_PATTERN, name="trial_nct_id_format", message=validate_nct_id.message
            ),
            ordered_pair_constraint(
                "start_date",
                "end_date",
                name="trial_dates_ordered",
                field="end_date",
                message="The end date {end_date} is before the start date {start_date}.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.acronym}: {self.title}" if self.acronym else self.title

    def save(self, *args, **kwargs) -> None:
        blank_to_none(self, "nct_id")
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        blank_to_none(self, "nct_id")

    def get_absolute_url(self) -> str:
        return reverse("trials:trial_detail", kwargs={"slug": self.slug})

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    def default_source_for(self, table: str):
        """The source a row of this table takes when it names none: the trial's default."""
        return self.default_citation


class TrialPublication(PlainConstraintMessages, models.Model):
    class Role(models.TextChoices):
        PRIMARY = "primary", "Primary results"
        SECONDARY = "secondary", "Secondary or long-term analysis"
        REGISTRY = "registry", "Registry record"
        REPORTING = "reporting", "Reports the trial (review or monograph)"
        CITING = "citing", "Cites the trial"

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="trial_publications")
    citation = models.ForeignKey(
        "monographs.Citation", on_delete=models.PROTECT, related_name="trial_publications"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PRIMARY)

    class Meta:
        ordering = ["trial", "role", "id"]
        constraints = [
            explained(
                models.UniqueConstraint(
                    fields=["trial", "citation"], name="trial_publication_unique"
                ),
                field="citation",
                message="This publication is already listed for the trial.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.trial} - {self.citation.key} ({self.get_role_display().lower()})"


class Arm(Sourced):
    class Role(models.TextChoices):
        EXPERIMENTAL = "experimental", "Experimental"
        PLACEBO = "placebo", "Placebo comparator"
        ACTIVE_COMPARATOR = "active_comparator", "Active comparator"
        NO_INTERVENTION = "no_intervention", "No intervention"
        OTHER = "other", "Other"

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="arms")
    label = models.CharField(max_length=200)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.EXPERIMENTAL)

    class InterventionsGiven(models.TextChoices):
        ALL = "all", "Each patient received all of them"
        ONE_OF = "one_of", "Each patient received one of them"

    participants = models.PositiveIntegerField(null=True, blank=True, help_text="n in the arm.")
    interventions_given = models.CharField(
        max_length=10,
        choices=InterventionsGiven.choices,
        default=InterventionsGiven.ALL,
        help_text="Whether the arm's interventions were given together or one per patient.",
    )
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["trial", "position", "id"]
        constraints = [
            explained(
                models.UniqueConstraint(
                    fields=["trial", "label"], name="arm_label_unique_per_trial"
                ),
                field="label",
                message="The trial already has an arm called “{label}”; give each arm its own "
                "label.",
            )
        ]

    def __str__(self) -> str:
        n = f" (n={self.participants})" if self.participants is not None else ""
        return f"{self.label}{n}"


class Intervention(PlainConstraintMessages, models.Model):
    arm = models.ForeignKey(Arm, on_delete=models.CASCADE, related_name="interventions")
    drug = models.ForeignKey(
        "monographs.Drug", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(max_length=200, blank=True, help_text="When not a drug, e.g. placebo.")
    dose = models.CharField(max_length=100, blank=True, help_text="E.g. 400 mg.")
    frequency = models.CharField(max_length=100, blank=True, help_text="E.g. twice daily.")
    route = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ["arm", "id"]
        constraints = [
            explained(
                models.CheckConstraint(
                    condition=Q(drug__isnull=False) | ~Q(name=""),
                    name="intervention_names_something",
                ),
                field="name",
                fields=("drug", "name"),
                message="Name the intervention: choose a drug, or write what was given (e.g. "
                "placebo).",
                broken=lambda row: row.drug_id is None and row.name == "",
            )
        ]

    def __str__(self) -> str:
        return " ".join(p for p in (str(self.drug or self.name), self.dose, self.frequency) if p)


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


__all__ = [
    "Arm",
    "DatePrecision",
    "Intervention",
    "Outcome",
    "Trial",
    "TrialAdverseEvent",
    "TrialPublication",
]
