"""Trials in the admin: the Trial root with its publications, arms, outcomes and adverse events.

The trial is edited a part at a time (its design, arms, outcomes, adverse events), each part
posting only its own rows under the trial's one lock, as the drug monograph is.

Interventions belong to an arm, and the admin nests only one level, so they are edited on
the arm's page (the "change" link on each arm row); saving them is still an edit of the trial.
"""

from django import forms
from django.contrib import admin
from django.db import models

from monographs.admin import (
    EditorialChildAdmin,
    EditorialInline,
    EditorialRootAdmin,
    EditorialStackedInline,
    fixed_choices,
)
from monographs.admin.parts import Part
from trials.models import Arm, Intervention, Outcome, Trial, TrialAdverseEvent, TrialPublication
from trials.views import trial_page_context

SOURCE = ("citation", "source_locator")
COMPACT_TEXT = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 34})}}


class ArmChoicesMixin:
    """Arm selects list only this trial's arms, read once for the whole table."""

    arm_fields: tuple[str, ...] = ("arm",)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        arms = Arm.objects.filter(trial=obj) if obj is not None else Arm.objects.none()
        for name in self.arm_fields:
            fixed_choices(formset.form.base_fields[name], arms)
        return formset


class TrialPublicationInline(EditorialInline):
    model = TrialPublication
    fields = ("citation", "role")
    autocomplete_fields = ("citation",)
    related = ("citation",)
    verbose_name_plural = "publications reporting the trial"


class ArmInline(EditorialInline):
    model = Arm
    fields = (
        "label", "role", "participants", "interventions_given", "description", "position",
        *SOURCE,
    )  # fmt: skip
    autocomplete_fields = ("citation",)
    formfield_overrides = COMPACT_TEXT
    verbose_name_plural = "arms (edit each arm's interventions through its change link)"


class OutcomeInline(ArmChoicesMixin, EditorialStackedInline):
    model = Outcome
    arm_fields = ("arm", "comparator_arm")
    fields = (
        ("measure", "label", "is_primary_endpoint", "position"),
        ("arm", "comparator_arm", "timepoint"),
        ("statistic", "value", "value_high", "value_bound", "unit"),
        ("count", "denominator"),
        ("ci_level", "ci_low", "ci_high", "range_low", "range_high"),
        ("hazard_ratio", "hazard_ratio_ci_low", "hazard_ratio_ci_high"),
        ("p_value_relation", "p_value", "test_statistic_name", "test_statistic_value"),
        "degrees_of_freedom",
        (*SOURCE,),
    )
    autocomplete_fields = ("citation",)
    related = ("arm",)
    per_page = 20  # some 25 fields a row


class TrialAdverseEventInline(ArmChoicesMixin, EditorialInline):
    model = TrialAdverseEvent
    fields = (
        "term", "arm", "grade_scope", "count", "denominator", "percent", "percent_high",
        "percent_bound", "position", *SOURCE,
    )  # fmt: skip
    autocomplete_fields = ("term", "citation")
    related = ("term", "arm")
    verbose_name_plural = "adverse events by arm"


@admin.register(Trial)
class TrialAdmin(EditorialRootAdmin):
    list_display = (
        "__str__", "status_badge", "live_version_display", "phase", "design", "nct_id",
        "enrolment", "next_review_due",
    )  # fmt: skip
    list_filter = (
        "status",
        "phase",
        "design",
        "masking",
        ("conditions", admin.RelatedOnlyFieldListFilter),
        ("drugs", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("title", "acronym", "nct_id", "slug", "sponsor")
    autocomplete_fields = ("conditions", "drugs", "default_citation")
    prepopulated_fields = {"slug": ("acronym",)}
    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("acronym", "slug"),
                    "title",
                    "nct_id",
                    "other_registry_ids",
                    "default_citation",
                )
            },
        ),
        (
            "Design",
            {
                "fields": (
                    ("phase", "design"),
                    ("randomised", "placebo_controlled", "masking"),
                    "line_of_therapy",
                )
            },
        ),
        (
            "Who and where",
            {"fields": ("conditions", "drugs", "population", "regions", "sponsor", "enrolment")},
        ),
        (
            "Dates",
            {
                "fields": (
                    ("start_date", "start_date_precision"),
                    ("end_date", "end_date_precision"),
                )
            },
        ),
        ("Summary", {"fields": ("summary",)}),
        ("Editorial", {"fields": ("status_badge", "publish_at", "next_review_due")}),
    )
    parts = (
        Part("trial", "Trial and publications", fieldsets, (TrialPublicationInline,)),
        Part("arms", "Arms", (), (ArmInline,)),
        Part("outcomes", "Outcomes", (), (OutcomeInline,)),
        Part("adverse-events", "Adverse events", (), (TrialAdverseEventInline,)),
    )
    inlines = (TrialPublicationInline, ArmInline, OutcomeInline, TrialAdverseEventInline)
    preview_template = "trials/trial_detail.html"
    change_list_template = "admin/trials/trial/change_list.html"  # adds "Import from NCT number"

    def preview_context(self, request, *, entry, publication):
        return trial_page_context(request, entry=entry, publication=publication)


class TrialChildAdmin(EditorialChildAdmin):
    root_path = "trial"
    autocomplete_fields = ("trial", "citation")
    list_filter = (("trial", admin.RelatedOnlyFieldListFilter),)


class InterventionInline(EditorialInline):
    model = Intervention
    fields = ("drug", "name", "dose", "frequency", "route")
    autocomplete_fields = ("drug",)
    related = ("drug",)


@admin.register(Arm)
class ArmAdmin(TrialChildAdmin):
    list_display = ("label", "trial", "role", "participants", "root_status")
    list_filter = ("role", *TrialChildAdmin.list_filter)
    search_fields = ("label", "trial__title", "trial__acronym")
    inlines = (InterventionInline,)


@admin.register(Intervention)
class InterventionAdmin(EditorialChildAdmin):
    root_path = "arm__trial"
    list_display = ("__str__", "arm", "root_status")
    autocomplete_fields = ("arm", "drug")
    search_fields = ("name", "drug__inn", "arm__label", "arm__trial__acronym")
    list_select_related = ("drug",)


@admin.register(Outcome)
class OutcomeAdmin(TrialChildAdmin):
    list_display = ("__str__", "measure", "value", "unit", "hazard_ratio", "root_status")
    list_filter = ("measure", "is_primary_endpoint", *TrialChildAdmin.list_filter)
    autocomplete_fields = ("trial", "arm", "comparator_arm", "citation")
    search_fields = ("trial__title", "trial__acronym", "label", "measure")
    list_select_related = ("arm",)


@admin.register(TrialAdverseEvent)
class TrialAdverseEventAdmin(TrialChildAdmin):
    list_display = ("__str__", "arm", "count", "denominator", "percent", "root_status")
    list_filter = ("grade_scope", *TrialChildAdmin.list_filter)
    autocomplete_fields = ("trial", "arm", "term", "citation")
    search_fields = ("trial__title", "trial__acronym", "term__name")
    list_select_related = ("arm", "term")


@admin.register(TrialPublication)
class TrialPublicationAdmin(TrialChildAdmin):
    list_display = ("__str__", "role", "root_status")
    list_filter = ("role", *TrialChildAdmin.list_filter)
    search_fields = ("trial__title", "trial__acronym", "citation__key", "citation__title")
    list_select_related = ("citation",)
