from django.db import models
from django.db.models import Q
from django.urls import reverse

from monographs.editorial.models import EditorialRoot
from monographs.validators import (
    ATC_PATTERN,
    DRUGBANK_PATTERN,
    NCIT_PATTERN,
    RXCUI_PATTERN,
    UNII_PATTERN,
    validate_atc_code,
    validate_drugbank_id,
    validate_ncit_code,
    validate_rxcui,
    validate_unii,
)

from .base import (
    NaturalKeyManager,
    PlainConstraintMessages,
    Sourced,
    blank_to_none,
    default_source_field,
    explained,
    regex_constraint,
)


class Drug(PlainConstraintMessages, EditorialRoot):
    """A drug and its monograph: the root that editors revise and reviewers publish."""

    inn = models.CharField(
        "INN", max_length=200, unique=True, help_text="International non-proprietary name."
    )
    slug = models.SlugField(max_length=120, unique=True)
    drug_class = models.CharField(max_length=200, blank=True)
    summary = models.TextField(blank=True, help_text="One or two plain sentences for lists.")
    atc_code = models.CharField(
        "ATC code", max_length=7, null=True, blank=True, validators=[validate_atc_code]
    )
    drugbank_id = models.CharField(
        "DrugBank id",
        max_length=7,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_drugbank_id],
    )
    unii = models.CharField(
        "UNII", max_length=10, unique=True, null=True, blank=True, validators=[validate_unii]
    )
    rxcui = models.CharField(
        "RxCUI", max_length=8, unique=True, null=True, blank=True, validators=[validate_rxcui]
    )
    ncit_code = models.CharField(
        "NCIt code",
        max_length=8,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_ncit_code],
    )
    targets = models.ManyToManyField(
        "Target", through="DrugTarget", related_name="drugs", blank=True
    )
    default_citation = default_source_field(
        help_text="The source of every row that names none of its own (a section's default "
        "source comes first for that section's rows): one source cited once, not on each row.",
    )

    objects = NaturalKeyManager("slug")

    class Meta:
        ordering = ["inn"]
        constraints = [
            regex_constraint(
                "atc_code",
                ATC_PATTERN,
                name="drug_atc_code_format",
                message=validate_atc_code.message,
            ),
            regex_constraint(
                "drugbank_id",
                DRUGBANK_PATTERN,
                name="drug_drugbank_id_format",
                message=validate_drugbank_id.message,
            ),
            regex_constraint(
                "unii", UNII_PATTERN, name="drug_unii_format", message=validate_unii.message
            ),
            regex_constraint(
                "rxcui", RXCUI_PATTERN, name="drug_rxcui_format", message=validate_rxcui.message
            ),
            regex_constraint(
                "ncit_code",
                NCIT_PATTERN,
                name="drug_ncit_code_format",
                message=validate_ncit_code.message,
            ),
        ]

    def __str__(self) -> str:
        return self.inn

    def save(self, *args, **kwargs) -> None:
        blank_to_none(self, "atc_code", "drugbank_id", "unii", "rxcui", "ncit_code")
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        blank_to_none(self, "atc_code", "drugbank_id", "unii", "rxcui", "ncit_code")

    def get_absolute_url(self) -> str:
        return reverse("monographs:drug_detail", kwargs={"slug": self.slug})

    def default_source_for(self, table: str):
        """The source a row of this document table takes when it names none: its section's
        default source, else the drug's (read once per drug instance)."""
        from monographs.documents import SECTION_TABLES

        if not hasattr(self, "_section_default_sources"):
            self._section_default_sources = {
                SECTION_TABLES[section.kind]: section.default_citation
                for section in self.sections.filter(
                    kind__in=list(SECTION_TABLES), default_citation__isnull=False
                ).select_related("default_citation")
            }
        return self._section_default_sources.get(table) or self.default_citation

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


class DrugName(Sourced):
    """Another name of a drug: a brand, a synonym or a development code."""

    class Kind(models.TextChoices):
        BRAND = "brand", "Brand name"
        SYNONYM = "synonym", "Synonym"
        CODE = "code", "Development code"
        CHEMICAL = "chemical", "Chemical name"

    drug = models.ForeignKey(Drug, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=Kind.choices)

    class Meta:
        ordering = ["drug", "kind", "name"]
        constraints = [
            explained(
                models.UniqueConstraint(fields=["drug", "name"], name="drug_name_unique_per_drug"),
                field="name",
                message="{drug} already has the name “{name}”.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display().lower()} of {self.drug})"


class DrugTarget(Sourced):
    """That a drug acts on a target, and how."""

    drug = models.ForeignKey(Drug, on_delete=models.CASCADE, related_name="drug_targets")
    target = models.ForeignKey("Target", on_delete=models.PROTECT, related_name="drug_targets")
    action = models.CharField(max_length=50, default="inhibitor")
    note = models.CharField(max_length=300, blank=True, help_text="E.g. including mutant forms.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["drug", "position", "id"]
        constraints = [
            explained(
                models.UniqueConstraint(fields=["drug", "target"], name="drug_target_unique"),
                field="target",
                message="{target} is already a target of {drug}.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.drug} {self.action} of {self.target.symbol}"


class Approval(Sourced):
    """A regulatory approval claim. Conflicting claims are kept side by side, each sourced."""

    drug = models.ForeignKey(Drug, on_delete=models.CASCADE, related_name="approvals")
    agency = models.CharField(max_length=50, help_text="E.g. FDA, EMA.")
    indication = models.CharField(max_length=300)
    condition = models.ForeignKey(
        "Condition", null=True, blank=True, on_delete=models.PROTECT, related_name="approvals"
    )
    year = models.PositiveSmallIntegerField()
    approved_on = models.DateField(
        null=True, blank=True, help_text="When the source gives the day."
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["drug", "position", "year", "id"]
        constraints = [
            explained(
                models.CheckConstraint(
                    condition=Q(year__gte=1900, year__lte=2100), name="approval_year_plausible"
                ),
                field="year",
                message="The year {year} is not a plausible approval year (1900 to 2100).",
                broken=lambda row: row.year is not None and not 1900 <= row.year <= 2100,
            ),
        ]

    def __str__(self) -> str:
        when = self.approved_on.isoformat() if self.approved_on else str(self.year)
        return f"{self.agency} {when}: {self.indication}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.approved_on and self.year and self.approved_on.year != self.year:
            raise ValidationError({"year": "The year must match the approval date."})


class Formulation(Sourced):
    drug = models.ForeignKey(Drug, on_delete=models.CASCADE, related_name="formulations")
    dosage_form = models.CharField(max_length=100, help_text="E.g. film-coated tablet.")
    strength = models.CharField(max_length=100, blank=True, help_text="E.g. 200 mg.")
    route = models.CharField(max_length=50, default="oral")

    class Meta:
        ordering = ["drug", "id"]

    def __str__(self) -> str:
        return f"{self.drug} {self.strength} {self.dosage_form}".strip()
