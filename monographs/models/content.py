"""The monograph's content: ordered Markdown sections and the rows where a table is honest."""

from django.db import models
from django.db.models import Q

from .base import (
    SEVERE_GRADE_SCOPES,
    GradeScope,
    PlainConstraintMessages,
    Sourced,
    StatedPrecision,
    bound_constraint,
    bound_field,
    default_source_field,
    explained,
    ordered_pair_constraint,
    percentage_constraint,
    positive_constraint,
)
from .drugs import Drug


class SectionKind(models.TextChoices):
    SUMMARY = "summary", "Summary"
    MECHANISM = "mechanism", "Mechanism of action"
    INDICATIONS = "indications", "Indications"
    DOSAGE = "dosage", "Dosage and administration"
    PHARMACOKINETICS = "pharmacokinetics", "Pharmacokinetics"
    WARNINGS = "warnings", "Warnings and precautions"
    CONTRAINDICATIONS = "contraindications", "Contraindications"
    SPECIAL_POPULATIONS = "special_populations", "Special populations"
    ADVERSE_EVENTS = "adverse_events", "Adverse events"
    INTERACTIONS = "interactions", "Drug interactions"
    RESISTANCE = "resistance", "Resistance"
    SUBSEQUENT_THERAPY = "subsequent_therapy", "Subsequent therapy options"
    DISCONTINUATION = "discontinuation", "Stopping treatment"
    OTHER = "other", "Other"


def section_anchor(kind: str) -> str:
    """The page's anchor of a kind of section, which search results and contents link to."""
    return f"section-{kind}"


class MonographSection(PlainConstraintMessages, models.Model):
    """A section of prose in Markdown; citation keys are written [@key]."""

    drug = models.ForeignKey(Drug, on_delete=models.CASCADE, related_name="sections")
    kind = models.CharField(max_length=30, choices=SectionKind.choices)
    title = models.CharField(max_length=200, blank=True, help_text="Defaults to the kind's name.")
    position = models.PositiveSmallIntegerField(default=0)
    body = models.TextField(blank=True, help_text="Markdown. Cite sources as [@citation-key].")
    default_citation = default_source_field(
        help_text="The source of this section's table rows that name none of their own.",
    )

    class Meta:
        ordering = ["drug", "position", "id"]
        constraints = [
            explained(
                models.UniqueConstraint(
                    fields=["drug", "kind"], name="section_kind_unique_per_drug"
                ),
                field="kind",
                message="{drug} already has a section of this kind; edit that section instead.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.drug}: {self.display_title}"

    @property
    def display_title(self) -> str:
        return self.title or self.get_kind_display()


class DoseRegimen(StatedPrecision, Sourced):
    drug = models.ForeignKey(Drug, on_delete=models.CASCADE, related_name="dose_regimens")
    indication = models.CharField(max_length=200, blank=True, help_text="Who the dose is for.")
    condition = models.ForeignKey(
        "Condition",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dose_regimens",
        help_text="The disease this dose treats, where the source presents the drug as a "
        "treatment for it; the drug is then found under that indication.",
    )
    dose_amount = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    dose_unit = models.CharField(max_length=30, default="mg")
    frequency = models.CharField(max_length=100, blank=True, help_text="E.g. twice daily.")
    route = models.CharField(max_length=50, default="oral")
    daily_dose_amount = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    instructions = models.TextField(blank=True, help_text="Timing, food, duration.")
    adjustment = models.TextField(blank=True, help_text="Dose reductions and interruptions.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["drug", "position", "id"]
        constraints = [
            positive_constraint(
                "dose_amount",
                name="dose_regimen_amount_positive",
                message="The dose is {dose_amount}; a dose is more than zero (or left empty).",
            ),
            positive_constraint(
                "daily_dose_amount",
                name="dose_regimen_daily_amount_positive",
                message="The daily dose is {daily_dose_amount}; a dose is more than zero (or "
                "left empty).",
            ),
        ]

    def __str__(self) -> str:
        amount = f"{self.stated('dose_amount')} {self.dose_unit}" if self.dose_amount else ""
        return f"{self.drug} {amount} {self.frequency}".strip()


class PharmacokineticParameter(StatedPrecision, Sourced):
    """A PK figure: a value, a range, or both (value within its range)."""

    drug = models.ForeignKey(Drug, on_delete=models.CASCADE, related_name="pk_parameters")
    parameter = models.CharField(max_length=100, help_text="E.g. elimination half-life.")
    value = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    range_low = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    range_high = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    unit = models.CharField(max_length=30, blank=True)
    qualifier = models.CharField(max_length=100, blank=True, help_text="E.g. mean, median.")
    population = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["drug", "position", "id"]
        constraints = [
            ordered_pair_constraint(
                "range_low",
                "range_high",
                name="pk_range_ordered",
                message="Range low {range_low} is above range high {range_high}.",
            ),
            ordered_pair_constraint(
                "range_low",
                "value",
                name="pk_value_not_below_range",
                field="value",
                message="The value {value} is below its range, which starts at {range_low}.",
            ),
            ordered_pair_constraint(
                "value",
                "range_high",
                name="pk_value_not_above_range",
                message="The value {value} is above its range, which ends at {range_high}.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.drug}: {self.parameter}"


class DrugInteraction(StatedPrecision, Sourced):
    class Severity(models.TextChoices):
        MAJOR = "major", "Major"
        MODERATE = "moderate", "Moderate"
        MINOR = "minor", "Minor"
        NOT_STATED = "not_stated", "Not stated in the source"

    drug = models.ForeignKey(Drug, on_delete=models.CASCADE, related_name="interactions")
    interacting_drug = models.ForeignKey(
        Drug,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="interactions_as_partner",
        help_text="The other drug, when it is one drug.",
    )
    interacting_agent = models.CharField(
        max_length=200, blank=True, help_text="A class or agent, e.g. strong CYP3A4 inducers."
    )
    effect = models.TextField()
    effect_measure = models.CharField(
        max_length=100,
        blank=True,
        help_text="What the source measured, when it gives a figure, e.g. docetaxel AUC.",
    )
    change_low = models.DecimalField(
        max_digits=10,
        decimal_places=3,
        null=True,
        blank=True,
        help_text="The change the source gives (signed: +36 for a rise); the low end of a range.",
    )
    change_high = models.DecimalField(
        max_digits=10, decimal_places=3, null=True, blank=True, help_text="High end of a range."
    )
    change_unit = models.CharField(max_length=20, blank=True, default="%")
    mechanism = models.TextField(blank=True)
    management = models.TextField(blank=True)
    severity = models.CharField(
        max_length=20, choices=Severity.choices, default=Severity.NOT_STATED
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["drug", "position", "id"]
        constraints = [
            explained(
                models.CheckConstraint(
                    condition=Q(interacting_drug__isnull=False) | ~Q(interacting_agent=""),
                    name="interaction_names_partner",
                ),
                field="interacting_agent",
                fields=("interacting_drug", "interacting_agent"),
                message="Name what it interacts with: choose the other drug, or write the agent "
                "or class (e.g. strong CYP3A4 inducers).",
                broken=lambda row: row.interacting_drug_id is None and row.interacting_agent == "",
            ),
            ordered_pair_constraint(
                "change_low",
                "change_high",
                name="interaction_change_ordered",
                message="The change's low end {change_low} is above its high end {change_high}.",
            ),
        ]

    def __str__(self) -> str:
        partner = self.interacting_drug or self.interacting_agent
        return f"{self.drug} + {partner}"


class DrugWarning(Sourced):
    """A warning or precaution, with what to monitor and what to do."""

    drug = models.ForeignKey(Drug, on_delete=models.CASCADE, related_name="warnings")
    topic = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    monitoring = models.TextField(blank=True)
    action = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["drug", "position", "id"]
        verbose_name = "warning or precaution"

    def __str__(self) -> str:
        return f"{self.drug}: {self.topic}"


class Contraindication(Sourced):
    class Kind(models.TextChoices):
        ABSOLUTE = "absolute", "Contraindicated"
        RELATIVE = "relative", "Use with caution"

    drug = models.ForeignKey(Drug, on_delete=models.CASCADE, related_name="contraindications")
    condition = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ABSOLUTE)
    note = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["drug", "position", "id"]

    def __str__(self) -> str:
        return f"{self.drug}: {self.condition}"


class SpecialPopulation(Sourced):
    drug = models.ForeignKey(Drug, on_delete=models.CASCADE, related_name="special_populations")
    population = models.CharField(max_length=200, help_text="E.g. Child-Pugh B, children.")
    recommendation = models.TextField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["drug", "position", "id"]

    def __str__(self) -> str:
        return f"{self.drug}: {self.population}"


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
