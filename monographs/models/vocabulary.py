from django.db import models

from monographs.validators import HGNC_SYMBOL_PATTERN, validate_hgnc_symbol

from .base import NaturalKeyManager, PlainConstraintMessages, regex_constraint


class Condition(models.Model):
    """A disease or indication, e.g. hepatocellular carcinoma (HCC)."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    abbreviation = models.CharField(max_length=30, blank=True)
    synonyms = models.JSONField(default=list, blank=True)

    objects = NaturalKeyManager("slug")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.abbreviation})" if self.abbreviation else self.name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


class Target(PlainConstraintMessages, models.Model):
    """A molecular target named by its HGNC gene symbol (KDR is VEGFR-2)."""

    symbol = models.CharField(max_length=20, unique=True, validators=[validate_hgnc_symbol])
    name = models.CharField(max_length=200)
    aliases = models.JSONField(default=list, blank=True, help_text="E.g. VEGFR-2, c-RAF.")
    family = models.CharField(max_length=100, blank=True)
    location = models.CharField(
        max_length=30,
        blank=True,
        choices=[("intracellular", "Intracellular"), ("cell_surface", "Cell surface")],
    )

    objects = NaturalKeyManager("symbol")

    class Meta:
        ordering = ["symbol"]
        constraints = [
            regex_constraint(
                "symbol",
                HGNC_SYMBOL_PATTERN,
                name="target_symbol_format",
                message=validate_hgnc_symbol.message,
            )
        ]

    def __str__(self) -> str:
        aliases = ", ".join(self.aliases or [])
        return f"{self.symbol} ({aliases})" if aliases else self.symbol

    def natural_key(self) -> tuple[str]:
        return (self.symbol,)


class AdverseEventTerm(models.Model):
    """A CTCAE term with its system organ class; synonyms let readers find it by any name."""

    name = models.CharField(max_length=200, unique=True, help_text="The CTCAE term.")
    slug = models.SlugField(max_length=120, unique=True)
    system_organ_class = models.CharField(max_length=200)
    synonyms = models.JSONField(default=list, blank=True)
    ctcae_version = models.CharField(max_length=10, blank=True, default="5.0")

    objects = NaturalKeyManager("slug")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)
