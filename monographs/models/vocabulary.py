import copy
from collections.abc import Iterable
from typing import Any, ClassVar

from django.db import models
from django.dispatch import Signal

from monographs.validators import HGNC_SYMBOL_PATTERN, validate_hgnc_symbol

from .base import NaturalKeyManager, PlainConstraintMessages, regex_constraint

# Sent (sender: the model; `using`: the database) when rows of a ReadingNames model were
# written in bulk, past save() and its post_save: an update() or bulk_update() naming one of
# READING_NAMES, or a bulk_create(). Search listens, as it does to post_save.
reading_names_written_in_bulk = Signal()


class ReadingNamesQuerySet(models.QuerySet):
    """Writes in bulk that may change the names a query is read with say so
    (reading_names_written_in_bulk), so that search reads them afresh and retires the
    searches read with the old ones, as it does after a save. bulk_update() writes through
    update(). Deletions send post_delete for each row already."""

    def update(self, **kwargs: Any) -> int:
        rows = super().update(**kwargs)
        if rows and set(kwargs) & set(self.model.READING_NAMES):
            reading_names_written_in_bulk.send(sender=self.model, using=self.db)
        return rows

    def bulk_create(self, objs: Iterable[models.Model], *args: Any, **kwargs: Any) -> list:
        created = super().bulk_create(objs, *args, **kwargs)
        if created:
            reading_names_written_in_bulk.send(sender=self.model, using=self.db)
        return created


ReadingNamesManager = NaturalKeyManager.from_queryset(ReadingNamesQuerySet)


class ReadingNames(models.Model):
    """A vocabulary record whose names change how search reads a query (its fields in
    READING_NAMES, read by monographs.search.vocabulary). A save that leaves them as they
    were loaded (a term's organ class, a condition's slug) does not write them, so it cannot
    change how a query is read whatever another process committed since, and it retires no
    stored search: retiring every one for it would send readers to the slow path for
    nothing. Any save that writes them may change them (`reading_names_written`)."""

    READING_NAMES: ClassVar[tuple[str, ...]]
    # Set by save() for its UPDATE; False for a save that bypasses it (loaddata's save_base).
    _reading_names_left_out = False

    class Meta:
        abstract = True

    def save(self, **kwargs: Any) -> None:
        # Left out of the UPDATE (_do_update) when they are as loaded and every field is saved.
        self._reading_names_left_out = (
            not self._state.adding
            and kwargs.get("update_fields") is None
            and not self._reading_names_changed()
        )
        try:
            super().save(**kwargs)
            if self.reading_names_written(kwargs.get("update_fields")):
                # Unknown from now on: the transaction that wrote them may yet be rolled back.
                self._reading_names_loaded = None
        finally:
            self._reading_names_left_out = False

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update) -> bool:
        """Django's UPDATE of a save, without the names when they are left out. When it finds
        no row (deleted since it was loaded), Django inserts the whole record, names and all,
        as it does for any record."""
        if self._reading_names_left_out:
            values = [value for value in values if value[0].name not in self.READING_NAMES]
        updated = super()._do_update(base_qs, using, pk_val, values, update_fields, forced_update)
        if not updated:
            self._reading_names_left_out = False
        return updated

    @classmethod
    def from_db(cls, db: str, field_names: list[str], values: list[Any]) -> "ReadingNames":
        instance = super().from_db(db, field_names, values)
        instance._reading_names_loaded = instance._reading_names()
        return instance

    def refresh_from_db(self, using=None, fields=None, from_queryset=None) -> None:
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        if fields is None or set(self.READING_NAMES) <= set(fields):
            self._reading_names_loaded = self._reading_names()
        elif set(self.READING_NAMES) & set(fields):
            self._reading_names_loaded = None

    def reading_names_written(self, update_fields: Iterable[str] | None) -> bool:
        """Whether the save under way (or one with these update_fields) wrote the names a
        query is read with."""
        if self._reading_names_left_out:
            return False
        return update_fields is None or bool(set(update_fields) & set(self.READING_NAMES))

    def _reading_names(self) -> tuple[Any, ...] | None:
        """The names as they stand, copied (synonyms are a list an editor's form or a script
        may change in place); None when one of them was not loaded."""
        if any(name not in self.__dict__ for name in self.READING_NAMES):
            return None
        return tuple(copy.deepcopy(self.__dict__[name]) for name in self.READING_NAMES)

    def _reading_names_changed(self) -> bool:
        """Whether the names differ from those loaded; True when unknown."""
        loaded = getattr(self, "_reading_names_loaded", None)
        return loaded is None or loaded != self._reading_names()


class Condition(ReadingNames):
    """A disease or indication, e.g. hepatocellular carcinoma (HCC)."""

    READING_NAMES = ("name", "abbreviation", "synonyms")

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    abbreviation = models.CharField(max_length=30, blank=True)
    synonyms = models.JSONField(default=list, blank=True)

    objects = ReadingNamesManager("slug")

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


class AdverseEventTerm(ReadingNames):
    """A CTCAE term with its system organ class; synonyms let readers find it by any name."""

    READING_NAMES = ("name", "synonyms")

    name = models.CharField(max_length=200, unique=True, help_text="The CTCAE term.")
    slug = models.SlugField(max_length=120, unique=True)
    system_organ_class = models.CharField(max_length=200)
    synonyms = models.JSONField(default=list, blank=True)
    ctcae_version = models.CharField(max_length=10, blank=True, default="5.0")

    objects = ReadingNamesManager("slug")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)
