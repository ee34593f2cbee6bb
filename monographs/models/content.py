"""The monograph's content: ordered Markdown sections and the rows where a table is honest.

Sections, dosing, pharmacokinetics, interactions, warnings, contraindications and special
populations here; adverse events, resistance, subsequent therapy and questions answered in
experience.py.
"""

from django.db import models
from django.db.models import Q

from .base import (
    PlainConstraintMessages,
    Sourced,
    StatedPrecision,
    default_source_field,
    explained,
    ordered_pair_constraint,
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
