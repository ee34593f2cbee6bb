"""The drug monograph in the admin: the Drug root, edited a part at a time.

Each part is a page: the identity of the drug, then each prose section of the monograph with
the table that goes with it (dosing, pharmacokinetics, interactions, warnings, adverse
events, ...). A part posts only its own rows; all of them save under the drug's one lock and
draft.
"""

from django import forms
from django.contrib import admin
from django.db import models

from monographs.admin.children import EditorialChildAdmin
from monographs.admin.editorial import EditorialInline, EditorialRootAdmin, EditorialStackedInline
from monographs.admin.parts import Part
from monographs.admin.widgets import MarkdownEditor
from monographs.models import (
    Approval,
    Contraindication,
    DoseRegimen,
    Drug,
    DrugAdverseEvent,
    DrugInteraction,
    DrugName,
    DrugTarget,
    DrugWarning,
    Formulation,
    MonographSection,
    PharmacokineticParameter,
    QuestionAnswer,
    ResistanceMechanism,
    SpecialPopulation,
    SubsequentTherapy,
)
from monographs.models.content import SectionKind
from monographs.selectors import drug_trials
from monographs.views.drugs import DRUG_PAGE_TRIALS, drug_page_context

SOURCE = ("citation", "source_locator")
COMPACT_TEXT = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 34})}}


class DrugInline(EditorialInline):
    autocomplete_fields = ("citation",)
    formfield_overrides = COMPACT_TEXT


class DrugStackedInline(EditorialStackedInline):
    autocomplete_fields = ("citation",)
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 4})}}


class DrugNameInline(DrugInline):
    model = DrugName
    fields = ("name", "kind", *SOURCE)
    verbose_name_plural = "brand names, synonyms and codes"


class DrugTargetInline(DrugInline):
    model = DrugTarget
    document_table = "targets"
    fields = ("target", "action", "note", "position", *SOURCE)
    autocomplete_fields = ("target", "citation")
    related = ("target",)


class ApprovalInline(DrugStackedInline):
    model = Approval
    fields = (
        ("agency", "year", "approved_on", "position"),
        ("indication", "condition"),
        (*SOURCE,),
    )
    autocomplete_fields = ("condition", "citation")
    verbose_name_plural = "regulatory approvals"


class FormulationInline(DrugInline):
    model = Formulation
    fields = ("dosage_form", "strength", "route", *SOURCE)


class MonographSectionInline(EditorialStackedInline):
    """One prose section of the monograph (a drug has at most one of each kind)."""

    model = MonographSection
    fields = (("title", "position"), "body", "default_citation", "kind")
    autocomplete_fields = ("default_citation",)
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 14})}}
    extra = 1
    max_num = 1
    section_kind = ""

    def get_queryset(self, request):
        return super().get_queryset(request).filter(kind=self.section_kind)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.base_fields["body"].widget = MarkdownEditor(
            where=SectionKind(self.section_kind).label
        )
        kind = formset.form.base_fields["kind"]
        kind.widget = forms.HiddenInput()
        kind.initial = self.section_kind
        kind.disabled = True
        return formset


def section_inline(kind: SectionKind) -> type[MonographSectionInline]:
    return type(
        f"{kind.name.title().replace('_', '')}SectionInline",
        (MonographSectionInline,),
        {
            "section_kind": kind.value,
            "verbose_name": f"{kind.label} section",
            "verbose_name_plural": f"{kind.label}: text (Markdown; cite as [@citation-key])",
        },
    )


SECTION_INLINES = {kind: section_inline(kind) for kind in SectionKind}


def monograph_part(slug: str, label: str, kind: SectionKind, *tables) -> Part:
    """A part of the monograph: its prose section and the tables that go with it."""
    return Part(slug, label, (), (SECTION_INLINES[kind], *tables))


class DoseRegimenInline(DrugStackedInline):
    model = DoseRegimen
    fields = (
        ("indication", "condition", "position"),
        ("dose_amount", "dose_unit", "frequency", "route", "daily_dose_amount"),
        "instructions",
        "adjustment",
        (*SOURCE,),
    )
    autocomplete_fields = ("condition", "citation")
    related = ("condition",)


class PharmacokineticParameterInline(DrugStackedInline):
    model = PharmacokineticParameter
    document_table = "pharmacokinetics"
    fields = (
        ("parameter", "qualifier", "position"),
        ("value", "range_low", "range_high", "unit"),
        "population",
        (*SOURCE,),
    )
    verbose_name_plural = "pharmacokinetic parameters"


class DrugInteractionInline(DrugStackedInline):
    model = DrugInteraction
    fk_name = "drug"
    fields = (
        ("interacting_drug", "interacting_agent", "severity", "position"),
        ("effect_measure", "change_low", "change_high", "change_unit"),
        "effect",
        ("mechanism", "management"),
        (*SOURCE,),
    )
    autocomplete_fields = ("interacting_drug", "citation")
    related = ("interacting_drug",)


class DrugWarningInline(DrugStackedInline):
    model = DrugWarning
    fields = (("topic", "position"), "description", ("monitoring", "action"), (*SOURCE,))


class ContraindicationInline(DrugStackedInline):
    model = Contraindication
    fields = (("condition", "kind", "position"), "note", (*SOURCE,))
    formfield_overrides = COMPACT_TEXT


class SpecialPopulationInline(DrugInline):
    model = SpecialPopulation
    fields = ("population", "recommendation", "position", *SOURCE)


class DrugAdverseEventInline(DrugStackedInline):
    model = DrugAdverseEvent
    fields = (
        ("term", "context", "position"),
        ("any_grade_low", "any_grade_high", "any_grade_bound"),
        ("grade_3_plus_scope", "grade_3_plus_low", "grade_3_plus_high", "grade_3_plus_bound"),
        ("frequency_band", "management"),
        (*SOURCE,),
    )
    formfield_overrides = COMPACT_TEXT
    autocomplete_fields = ("term", "citation")
    related = ("term",)
    verbose_name_plural = "adverse events (incidence in %)"


class ResistanceMechanismInline(DrugStackedInline):
    model = ResistanceMechanism
    fields = (("name", "kind", "pathway", "position"), "description", (*SOURCE,))
    formfield_overrides = COMPACT_TEXT


class SubsequentTherapyInline(DrugStackedInline):
    model = SubsequentTherapy
    fk_name = "drug"
    fields = (("condition", "setting", "position"), ("therapy_drug", "therapy"), (*SOURCE,))
    autocomplete_fields = ("condition", "therapy_drug", "citation")
    related = ("condition", "therapy_drug")


class QuestionAnswerInline(DrugStackedInline):
    model = QuestionAnswer
    fields = (("question", "audience", "position"), "answer", (*SOURCE,))


@admin.register(Drug)
class DrugAdmin(EditorialRootAdmin):
    list_display = (
        "inn", "status_badge", "live_version_display", "drug_class", "atc_code",
        "next_review_due", "updated_at",
    )  # fmt: skip
    list_filter = ("status", "drug_class", ("targets", admin.RelatedOnlyFieldListFilter))
    search_fields = ("inn", "slug", "names__name", "atc_code", "drugbank_id", "unii")
    prepopulated_fields = {"slug": ("inn",)}
    autocomplete_fields = ("default_citation",)
    fieldsets = (
        (None, {"fields": ("inn", "slug", "drug_class", "summary", "default_citation")}),
        (
            "Identifiers",
            {"fields": (("atc_code", "drugbank_id"), ("unii", "rxcui", "ncit_code"))},
        ),
        ("Editorial", {"fields": ("status_badge", "publish_at", "next_review_due")}),
    )
    parts = (
        Part("identity", "Identity and names", fieldsets, (DrugNameInline, FormulationInline)),
        monograph_part("summary", "Summary", SectionKind.SUMMARY),
        monograph_part(
            "mechanism", "Mechanism and targets", SectionKind.MECHANISM, DrugTargetInline
        ),
        monograph_part(
            "indications", "Indications and approvals", SectionKind.INDICATIONS, ApprovalInline
        ),
        monograph_part("dosing", "Dosing", SectionKind.DOSAGE, DoseRegimenInline),
        monograph_part(
            "pharmacokinetics",
            "Pharmacokinetics",
            SectionKind.PHARMACOKINETICS,
            PharmacokineticParameterInline,
        ),
        monograph_part(
            "interactions", "Interactions", SectionKind.INTERACTIONS, DrugInteractionInline
        ),
        monograph_part("warnings", "Warnings", SectionKind.WARNINGS, DrugWarningInline),
        monograph_part(
            "contraindications",
            "Contraindications",
            SectionKind.CONTRAINDICATIONS,
            ContraindicationInline,
        ),
        monograph_part(
            "special-populations",
            "Special populations",
            SectionKind.SPECIAL_POPULATIONS,
            SpecialPopulationInline,
        ),
        monograph_part(
            "adverse-events", "Adverse events", SectionKind.ADVERSE_EVENTS, DrugAdverseEventInline
        ),
        monograph_part(
            "resistance", "Resistance", SectionKind.RESISTANCE, ResistanceMechanismInline
        ),
        monograph_part(
            "subsequent-therapy",
            "Subsequent therapy",
            SectionKind.SUBSEQUENT_THERAPY,
            SubsequentTherapyInline,
        ),
        monograph_part("stopping", "Stopping treatment", SectionKind.DISCONTINUATION),
        monograph_part("other", "Other", SectionKind.OTHER),
        Part("questions", "Questions and answers", (), (QuestionAnswerInline,)),
    )
    # Every table the parts hold, for the admin's checks and for pages outside the parts.
    inlines = tuple(dict.fromkeys(inline for part in parts for inline in part.inlines))
    preview_template = "monographs/drug_detail.html"

    def preview_context(self, request, *, entry, publication):
        trials = drug_trials(slug=entry.slug, limit=DRUG_PAGE_TRIALS)
        return drug_page_context(request, entry=entry, publication=publication, trials=trials)


class DrugChildAdmin(EditorialChildAdmin):
    """A monograph table on its own: search and filter the rows of every drug at once."""

    root_path = "drug"
    autocomplete_fields = ("drug", "citation")
    list_filter = (("drug", admin.RelatedOnlyFieldListFilter),)
    list_per_page = 50


@admin.register(DrugName)
class DrugNameAdmin(DrugChildAdmin):
    list_display = ("name", "kind", "drug", "root_status")
    list_filter = ("kind", *DrugChildAdmin.list_filter)
    search_fields = ("name", "drug__inn")


@admin.register(DrugTarget)
class DrugTargetAdmin(DrugChildAdmin):
    list_display = ("drug", "target", "action", "root_status")
    autocomplete_fields = ("drug", "target", "citation")
    search_fields = ("drug__inn", "target__symbol", "target__name")
    list_select_related = ("drug", "target")


@admin.register(Approval)
class ApprovalAdmin(DrugChildAdmin):
    list_display = ("drug", "agency", "year", "indication", "root_status")
    list_filter = ("agency", *DrugChildAdmin.list_filter)
    autocomplete_fields = ("drug", "condition", "citation")
    search_fields = ("drug__inn", "indication", "agency")


@admin.register(Formulation)
class FormulationAdmin(DrugChildAdmin):
    list_display = ("drug", "dosage_form", "strength", "route", "root_status")
    search_fields = ("drug__inn", "dosage_form")


@admin.register(MonographSection)
class MonographSectionAdmin(DrugChildAdmin):
    list_display = ("drug", "display_title", "kind", "position", "root_status")
    list_filter = ("kind", *DrugChildAdmin.list_filter)
    autocomplete_fields = ("drug",)
    search_fields = ("drug__inn", "title", "body")


@admin.register(DoseRegimen)
class DoseRegimenAdmin(DrugChildAdmin):
    list_display = ("__str__", "indication", "root_status")
    search_fields = ("drug__inn", "indication")


@admin.register(PharmacokineticParameter)
class PharmacokineticParameterAdmin(DrugChildAdmin):
    list_display = ("drug", "parameter", "value", "unit", "root_status")
    search_fields = ("drug__inn", "parameter")


@admin.register(DrugInteraction)
class DrugInteractionAdmin(DrugChildAdmin):
    list_display = ("__str__", "severity", "root_status")
    list_filter = ("severity", *DrugChildAdmin.list_filter)
    autocomplete_fields = ("drug", "interacting_drug", "citation")
    search_fields = ("drug__inn", "interacting_drug__inn", "interacting_agent", "effect")
    list_select_related = ("drug", "interacting_drug")


@admin.register(DrugWarning)
class DrugWarningAdmin(DrugChildAdmin):
    list_display = ("drug", "topic", "root_status")
    search_fields = ("drug__inn", "topic", "description")


@admin.register(Contraindication)
class ContraindicationAdmin(DrugChildAdmin):
    list_display = ("drug", "condition", "kind", "root_status")
    list_filter = ("kind", *DrugChildAdmin.list_filter)
    search_fields = ("drug__inn", "condition")


@admin.register(SpecialPopulation)
class SpecialPopulationAdmin(DrugChildAdmin):
    list_display = ("drug", "population", "root_status")
    search_fields = ("drug__inn", "population", "recommendation")


@admin.register(DrugAdverseEvent)
class DrugAdverseEventAdmin(DrugChildAdmin):
    list_display = (
        "drug", "term", "any_grade_low", "any_grade_high", "grade_3_plus_low",
        "grade_3_plus_high", "frequency_band", "root_status",
    )  # fmt: skip
    list_filter = ("frequency_band", *DrugChildAdmin.list_filter)
    autocomplete_fields = ("drug", "term", "citation")
    search_fields = ("drug__inn", "term__name", "context")
    list_select_related = ("drug", "term")


@admin.register(ResistanceMechanism)
class ResistanceMechanismAdmin(DrugChildAdmin):
    list_display = ("drug", "name", "kind", "pathway", "root_status")
    list_filter = ("kind", *DrugChildAdmin.list_filter)
    search_fields = ("drug__inn", "name", "pathway")


@admin.register(SubsequentTherapy)
class SubsequentTherapyAdmin(DrugChildAdmin):
    list_display = ("__str__", "setting", "root_status")
    autocomplete_fields = ("drug", "condition", "therapy_drug", "citation")
    search_fields = ("drug__inn", "therapy_drug__inn", "therapy", "condition__name")
    list_select_related = ("drug", "condition", "therapy_drug")


@admin.register(QuestionAnswer)
class QuestionAnswerAdmin(DrugChildAdmin):
    list_display = ("question", "drug", "audience", "root_status")
    list_filter = ("audience", *DrugChildAdmin.list_filter)
    search_fields = ("drug__inn", "question", "answer")
