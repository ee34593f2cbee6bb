"""A trial, its arms and interventions, and the articles that report it."""

from django.db import models
from django.db.models import Q
from django.urls import reverse

from monographs.editorial.models import EditorialRoot
from monographs.models.base import (
    NaturalKeyManager,
    PlainConstraintMessages,
    Sourced,
    blank_to_none,
    default_source_field,
    explained,
    ordered_pair_constraint,
    regex_constraint,
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
