"""Draft trials from their ClinicalTrials.gov record (API v2 study JSON).

study_plan reads a study into plain rows and checks every field it uses, writing nothing;
trial_import_study writes the plan in one transaction and records the edit through the
editorial services, so the trial is a draft (a published one gets a new draft beside its
live version) and the review diff shows what the import changed. Nothing is submitted,
approved or published here.

Every imported row is sourced to one citation, the registry record, with the module it
came from as its locator. On a re-import the rows sourced to the registry record are
replaced; rows an editor sourced elsewhere, and arms, interventions and trial fields the
registry cannot state, are kept.
"""

import json
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from monographs.editorial.services.edits import root_record_edit
from monographs.importing.clients import ClinicalTrialsClient
from monographs.importing.errors import ImportProblem
from monographs.models import AdverseEventTerm, Citation, Condition, Drug, DrugName
from monographs.validators import NCT_PATTERN
from trials.models import (
    Arm,
    DatePrecision,
    Intervention,
    Outcome,
    Trial,
    TrialAdverseEvent,
    TrialPublication,
)

ARMS_MODULE = "protocolSection.armsInterventionsModule"
OUTCOMES_MODULE = "resultsSection.outcomeMeasuresModule"
AE_MODULE = "resultsSection.adverseEventsModule"
BASELINE_MODULE = "resultsSection.baselineCharacteristicsModule"

PHASES = {
    ("EARLY_PHASE1",): Trial.Phase.EARLY_PHASE_1,
    ("PHASE1",): Trial.Phase.PHASE_1,
    ("PHASE1", "PHASE2"): Trial.Phase.PHASE_1_2,
    ("PHASE2",): Trial.Phase.PHASE_2,
    ("PHASE2", "PHASE3"): Trial.Phase.PHASE_2_3,
    ("PHASE3",): Trial.Phase.PHASE_3,
    ("PHASE4",): Trial.Phase.PHASE_4,
    ("NA",): Trial.Phase.NOT_APPLICABLE,
}
MASKING = {
    "NONE": Trial.Masking.NONE,
    "SINGLE": Trial.Masking.SINGLE,
    "DOUBLE": Trial.Masking.DOUBLE,
    "TRIPLE": Trial.Masking.DOUBLE,
    "QUADRUPLE": Trial.Masking.DOUBLE,
}
ARM_ROLES = {
    "EXPERIMENTAL": Arm.Role.EXPERIMENTAL,
    "ACTIVE_COMPARATOR": Arm.Role.ACTIVE_COMPARATOR,
    "PLACEBO_COMPARATOR": Arm.Role.PLACEBO,
    "NO_INTERVENTION": Arm.Role.NO_INTERVENTION,
    "SHAM_COMPARATOR": Arm.Role.OTHER,
    "OTHER": Arm.Role.OTHER,
}
# Checked in order: the more specific names first.
MEASURES = [
    (r"time to symptomatic progression", Outcome.Measure.TTSP),
    (r"overall survival|\bOS\b", Outcome.Measure.OS),
    (r"progression[- ]free survival|\bPFS\b", Outcome.Measure.PFS),
    (r"time to (tumou?r |radiologic(al)? )?progression|\bTTP\b", Outcome.Measure.TTP),
    (r"duration of (objective )?response|\bDOR\b", Outcome.Measure.DOR),
    (r"disease control|\bDCR\b", Outcome.Measure.DCR),
    (r"complete response", Outcome.Measure.CR),
    (r"partial response", Outcome.Measure.PR),
    (r"minor response", Outcome.Measure.MR),
    (r"stable disease", Outcome.Measure.SD),
    (r"progressive disease", Outcome.Measure.PD),
    (r"objective response|overall response|response rate|\bORR\b", Outcome.Measure.ORR),
]
PERCENT_UNITS = {"percentage of participants", "percent of participants", "percentage", "percent",
                 "% of participants", "%", "percentage of patients"}  # fmt: skip
CI_DISPERSION = re.compile(r"^(?:(\d+(?:\.\d+)?)% Confidence Interval|CONFIDENCE_(\d+))$", re.I)
RANGE_DISPERSION = {"full range", "full_range"}
SPREAD_NAMES = {
    "standard deviation": "standard deviation",
    "standard_deviation": "standard deviation",
    "standard error": "standard error",
    "standard_error": "standard error",
    "geometric coefficient of variation": "geometric coefficient of variation",
    "geometric_coefficient": "geometric coefficient of variation",
}
IQR_NAMES = {"inter-quartile range", "inter_quartile_range"}
P_VALUE = re.compile(r"^\s*([<>=]?)\s*(\d*\.?\d+(?:[eE]-?\d+)?)\s*$")


@dataclass
class StudyPlan:
    """A study read into the rows it would write; built without touching the database."""

    source: str
    nct_id: str
    has_results: bool
    trial: dict[str, Any]
    acronym: str
    brief_title: str
    conditions: list[str]
    countries: list[str]
    arms: list[dict[str, Any]]
    interventions: list[dict[str, Any]]
    outcomes: list[dict[str, Any]]
    adverse_events: list[dict[str, Any]]
    result_pmids: list[str]
    notes: list[str] = field(default_factory=list)


@dataclass
class TrialImport:
    trial: Trial
    created: bool
    registry_citation: Citation
    has_results: bool
    counts: dict[str, int]
    notes: list[str]

    def summary(self) -> str:
        action = "Created" if self.created else "Updated"
        counted = ", ".join(f"{n} {name}" for name, n in self.counts.items())
        results = "" if self.has_results else " The registry has no posted results for it."
        return f"{action} draft trial {self.trial} ({self.trial.nct_id}): {counted}.{results}"


# -- reading ---------------------------------------------------------------------------------


def study_read(name: str, data: bytes) -> dict[str, Any]:
    """A study JSON file as the API returns it (one study, or {"studies": [one]})."""
    try:
        study = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise ImportProblem("is not UTF-8 text.", source=name) from error
    except json.JSONDecodeError as error:
        raise ImportProblem(
            f"is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}.",
            source=name,
        ) from error
    if isinstance(study, dict) and isinstance(study.get("studies"), list):
        if len(study["studies"]) != 1:
            raise ImportProblem(
                f"holds {len(study['studies'])} studies; import them one file at a time.",
                source=name,
            )
        study = study["studies"][0]
    if not isinstance(study, dict) or not isinstance(study.get("protocolSection"), dict):
        raise ImportProblem(
            "is not a ClinicalTrials.gov study: it has no protocolSection.",
            source=name,
            record="study",
            field="protocolSection",
        )
    return study


def study_fetch(*, nct_id: str, client: ClinicalTrialsClient | None = None) -> dict[str, Any]:
    nct_id = nct_id.strip().upper()
    if not re.match(NCT_PATTERN, nct_id):
        raise ImportProblem("is not an NCT number (NCT followed by 8 digits).", record=nct_id)
    own = client is None
    client = client or ClinicalTrialsClient()
    try:
        return client.study(nct_id)
    finally:
        if own:
            client.close()


class _Reader:
    """Reads one study, turning every missing or malformed field into a named problem."""

    def __init__(self, study: dict[str, Any], source: str) -> None:
        self.study, self.source = study, source

    def problem(self, module: str, field_name: str, message: str) -> ImportProblem:
        return ImportProblem(message, source=self.source, record=module, field=field_name)

    def module(self, path: str, *, required: bool = False) -> dict[str, Any]:
        node: Any = self.study
        for part in path.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            if required:
                raise self.problem(path, "", "is missing from the study.")
            return {}
        if not isinstance(node, dict):
            raise self.problem(path, "", "is not an object.")
        return node

    def listed(self, module: dict, name: str, path: str) -> list:
        value = module.get(name) or []
        if not isinstance(value, list):
            raise self.problem(path, name, "is not a list.")
        return value

    def number(self, value: Any, where: str, field_name: str) -> Decimal | None:
        """A registry number ('12.5', 12); 'NA' and other non-numbers are None."""
        if value is None or value == "":
            return None
        text = str(value).strip().replace(",", "")
        if text.upper() in {"NA", "NE", "NR", "N/A"}:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation as error:
            raise self.problem(where, field_name, f"{value!r} is not a number.") from error
        if not number.is_finite():
            raise self.problem(where, field_name, f"{value!r} is not a number.")
        return number

    def count(self, value: Any, where: str, field_name: str) -> int | None:
        number = self.number(value, where, field_name)
        if number is None:
            return None
        if number != number.to_integral_value() or number < 0:
            raise self.problem(where, field_name, f"{value!r} is not a count.")
        return int(number)


def study_plan(study: dict[str, Any], *, source: str) -> StudyPlan:
    """Everything an import of this study would write, checked; raises ImportProblem."""
    read = _Reader(study, source)
    ident_path = "protocolSection.identificationModule"
    ident = read.module(ident_path, required=True)
    nct_id = str(ident.get("nctId") or "").strip()
    if not nct_id:
        raise read.problem(ident_path, "nctId", "is missing: the study has no NCT number.")
    if not re.match(NCT_PATTERN, nct_id):
        raise read.problem(ident_path, "nctId", f"{nct_id!r} is not an NCT number.")
    read.source = f"{source} ({nct_id})" if source != nct_id else source
    brief_title = " ".join(str(ident.get("briefTitle") or "").split())
    title = brief_title or " ".join(str(ident.get("officialTitle") or "").split())
    if not title:
        raise read.problem(ident_path, "briefTitle", "is missing, and so is officialTitle.")
    notes: list[str] = []
    status = read.module("protocolSection.statusModule")
    design = read.module("protocolSection.designModule")
    design_info = design.get("designInfo") or {}
    sponsor = read.module("protocolSection.sponsorCollaboratorsModule").get("leadSponsor") or {}
    arms_module = read.module(ARMS_MODULE)
    arm_groups = read.listed(arms_module, "armGroups", ARMS_MODULE)

    phases = tuple(sorted(str(p) for p in design.get("phases") or []))
    phase = PHASES.get(phases)
    if phase is None:
        if str(design.get("studyType")).upper() == "OBSERVATIONAL":
            phase = Trial.Phase.NOT_APPLICABLE
        else:
            phase = Trial.Phase.NOT_STATED
            if phases:
                notes.append(f"Phase {'/'.join(phases)} has no equivalent: set it by hand.")
    allocation = str(design_info.get("allocation") or "").upper()
    model = str(design_info.get("interventionModel") or "").upper()
    if str(design.get("studyType")).upper() == "OBSERVATIONAL":
        perspective = str(design_info.get("timePerspective") or "").upper()
        trial_design = (
            Trial.Design.RETROSPECTIVE
            if perspective == "RETROSPECTIVE"
            else Trial.Design.NOT_STATED
        )
    elif allocation == "RANDOMIZED":
        trial_design = Trial.Design.RANDOMISED_CONTROLLED
    elif model == "SINGLE_GROUP" or len(arm_groups) == 1:
        trial_design = Trial.Design.SINGLE_ARM
    elif allocation == "NON_RANDOMIZED":
        trial_design = Trial.Design.NON_RANDOMISED
    else:
        trial_design = Trial.Design.NOT_STATED
    masking_info = design_info.get("maskingInfo") or {}
    masking_word = str(masking_info.get("masking") or "").upper()
    masking = MASKING.get(masking_word, Trial.Masking.NOT_STATED)
    if masking_word in {"TRIPLE", "QUADRUPLE"}:
        who = ", ".join(w.lower().replace("_", " ") for w in masking_info.get("whoMasked") or [])
        notes.append(
            f"The registry says {masking_word.lower()} masking ({who}); recorded as double blind."
        )
    start, start_precision = _registry_date(read, status, "startDateStruct")
    end, end_precision = _registry_date(read, status, "completionDateStruct")
    if end is None:
        end, end_precision = _registry_date(read, status, "primaryCompletionDateStruct")
    for name in ("startDateStruct", "completionDateStruct"):
        if (status.get(name) or {}).get("type") == "ESTIMATED":
            notes.append(f"The registry's {name.removesuffix('Struct')} is an estimate.")
    enrolment_info = design.get("enrollmentInfo") or {}
    enrolment = read.count(
        enrolment_info.get("count"), "protocolSection.designModule", "enrollmentInfo.count"
    )
    other_ids = [str(ident.get("orgStudyIdInfo", {}).get("id") or "")]
    other_ids += [str(s.get("id") or "") for s in ident.get("secondaryIdInfos") or []]
    countries = []
    for location in read.module("protocolSection.contactsLocationsModule").get("locations") or []:
        country = str(location.get("country") or "").strip()
        if country and country not in countries:
            countries.append(country)
    conditions = [
        str(c) for c in read.module("protocolSection.conditionsModule").get("conditions") or []
    ]

    arms = []
    for index, group in enumerate(arm_groups):
        label = " ".join(str(group.get("label") or "").split())
        if not label:
            raise read.problem(ARMS_MODULE, f"armGroups[{index}].label", "is missing.")
        if len(label) > 200:
            raise read.problem(ARMS_MODULE, f"armGroups[{index}].label", "is over 200 characters.")
        arms.append(
            {
                "label": label,
                "role": ARM_ROLES.get(str(group.get("type") or "").upper(), Arm.Role.OTHER),
                "description": str(group.get("description") or ""),
                "position": index,
                "participants": None,
            }
        )
    interventions = []
    for index, item in enumerate(read.listed(arms_module, "interventions", ARMS_MODULE)):
        name = " ".join(str(item.get("name") or "").split())
        if not name:
            raise read.problem(ARMS_MODULE, f"interventions[{index}].name", "is missing.")
        interventions.append(
            {
                "name": name,
                "type": str(item.get("type") or "").upper(),
                "other_names": [str(n) for n in item.get("otherNames") or []],
                "arms": [" ".join(str(a).split()) for a in item.get("armGroupLabels") or []],
            }
        )
    placebo = any(a["role"] == Arm.Role.PLACEBO for a in arms)

    result_pmids = []
    for reference in read.module("protocolSection.referencesModule").get("references") or []:
        if reference.get("pmid") and str(reference.get("type")).upper() in {"RESULT", "DERIVED"}:
            result_pmids.append(str(reference["pmid"]))

    has_results = bool(study.get("hasResults")) and "resultsSection" in study
    outcomes: list[dict[str, Any]] = []
    adverse_events: list[dict[str, Any]] = []
    if has_results:
        arm_by_title = {a["label"].casefold(): a for a in arms}
        _participants(read, arm_by_title)
        outcomes = _outcomes(read, arm_by_title, notes)
        adverse_events = _adverse_events(read, arm_by_title, notes)
    return StudyPlan(
        source=source,
        nct_id=nct_id,
        has_results=has_results,
        trial={
            "phase": phase,
            "design": trial_design,
            "randomised": allocation == "RANDOMIZED",
            "masking": masking,
            "placebo_controlled": placebo,
            "start_date": start,
            "start_date_precision": start_precision,
            "end_date": end,
            "end_date_precision": end_precision,
            "enrolment": enrolment,
            "sponsor": str(sponsor.get("name") or "")[:200],
            "other_registry_ids": [i for i in other_ids if i],
        },
        acronym=str(ident.get("acronym") or "")[:50],
        brief_title=title[:500],
        conditions=conditions,
        countries=countries,
        arms=arms,
        interventions=interventions,
        outcomes=outcomes,
        adverse_events=adverse_events,
        result_pmids=result_pmids,
        notes=notes,
    )


def _registry_date(read: _Reader, status: dict, name: str) -> tuple[date | None, str]:
    text = str((status.get(name) or {}).get("date") or "").strip()
    if not text:
        return None, DatePrecision.DAY
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text), DatePrecision.DAY
        if re.fullmatch(r"\d{4}-\d{2}", text):
            return date.fromisoformat(f"{text}-01"), DatePrecision.MONTH
        if re.fullmatch(r"\d{4}", text):
            return date(int(text), 1, 1), DatePrecision.YEAR
    except ValueError:
        pass
    raise read.problem("protocolSection.statusModule", f"{name}.date", f"{text!r} is not a date.")


def _groups(read: _Reader, module: dict, path: str, arm_by_title: dict) -> dict[str, dict]:
    """Result groups by id: their title and the arm of the same label, if there is one."""
    groups = {}
    for group in read.listed(module, "groups", path) or read.listed(module, "eventGroups", path):
        title = " ".join(str(group.get("title") or "").split())
        groups[str(group.get("id"))] = {
            "title": title,
            "arm": arm_by_title.get(title.casefold()),
        }
    return groups


def _participants(read: _Reader, arm_by_title: dict) -> None:
    module = read.module(BASELINE_MODULE)
    groups = _groups(read, module, BASELINE_MODULE, arm_by_title)
    for denom in module.get("denoms") or []:
        if str(denom.get("units") or "").lower() != "participants":
            continue
        for count in denom.get("counts") or []:
            group = groups.get(str(count.get("groupId")))
            if group and group["arm"] is not None:
                group["arm"]["participants"] = read.count(
                    count.get("value"), BASELINE_MODULE, "denoms.counts.value"
                )


def classify(text: str) -> str:
    for pattern, measure in MEASURES:
        if re.search(pattern, text, re.IGNORECASE):
            return measure
    return Outcome.Measure.OTHER


def _fit(text: str, length: int, notes: list[str], what: str) -> str:
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    notes.append(f"{what} as the registry states it: {text}")
    return text[: length - 1] + "…"


def _unit(unit: str, row_notes: list[str]) -> str:
    lowered = unit.strip().lower()
    if lowered in PERCENT_UNITS:
        return "%"
    if lowered in {"days", "weeks", "months", "years", "hours"}:
        return lowered
    if len(unit) <= 20:
        return unit.strip()
    row_notes.append(f"Unit as the registry states it: {unit}.")
    return ""


def _outcomes(read: _Reader, arm_by_title: dict, notes: list[str]) -> list[dict[str, Any]]:
    module = read.module(OUTCOMES_MODULE)
    rows: list[dict[str, Any]] = []
    for index, measure in enumerate(read.listed(module, "outcomeMeasures", OUTCOMES_MODULE)):
        title = " ".join(str(measure.get("title") or "").split())
        where = f"{OUTCOMES_MODULE}, outcome {index + 1}" + (f" ({title[:60]})" if title else "")
        if not title:
            raise read.problem(where, "title", "is missing.")
        groups = _groups(read, measure, where, arm_by_title)
        denominators = {}
        for denom in measure.get("denoms") or []:
            for count in denom.get("counts") or []:
                denominators[str(count.get("groupId"))] = read.count(
                    count.get("value"), where, "denoms.counts.value"
                )
        param = str(measure.get("paramType") or "").strip()
        statistic = param.lower().replace("_", " ")
        is_count = param.upper() == "COUNT_OF_PARTICIPANTS"
        dispersion = str(measure.get("dispersionType") or "").strip()
        ci = CI_DISPERSION.match(dispersion)
        ci_level = None
        if ci:
            level = Decimal(ci.group(1) or ci.group(2))
            ci_level = int(level) if level == level.to_integral_value() else None
        base_notes = []
        unit = "" if is_count else _unit(str(measure.get("unitOfMeasure") or ""), base_notes)
        if ci and ci_level is None:
            base_notes.append(f"Dispersion: {dispersion}.")
        locator = _fit(f"{OUTCOMES_MODULE}: {title}", 200, [], "")
        timepoint = _fit(str(measure.get("timeFrame") or ""), 100, base_notes, "Time frame")
        primary = str(measure.get("type") or "").upper() == "PRIMARY"
        for klass in measure.get("classes") or []:
            for category in klass.get("categories") or []:
                qualifier = " ".join(
                    t
                    for t in (str(klass.get("title") or ""), str(category.get("title") or ""))
                    if t
                )
                for m_index, measurement in enumerate(category.get("measurements") or []):
                    field_where = f"{where}, measurement {m_index + 1}"
                    group_id = str(measurement.get("groupId"))
                    group = groups.get(group_id)
                    if group is None:
                        raise read.problem(
                            field_where, "groupId", f"{group_id!r} is not one of its groups."
                        )
                    row_notes = list(base_notes)
                    value = read.number(measurement.get("value"), field_where, "value")
                    if value is None and measurement.get("value") not in (None, ""):
                        row_notes.append(f"The registry gives {measurement['value']!r}.")
                    if measurement.get("comment"):
                        row_notes.append(str(measurement["comment"]))
                    row = {
                        "measure": classify(f"{qualifier} {title}" if qualifier else title),
                        "label": "",
                        "arm": group["arm"]["label"] if group["arm"] else None,
                        "statistic": statistic[:30],
                        "unit": unit,
                        "timepoint": timepoint,
                        "is_primary_endpoint": primary,
                        "source_locator": locator,
                    }
                    label = f"{title}: {qualifier}" if qualifier else title
                    if group["arm"] is None:
                        label += f" ({group['title']})"
                        row_notes.append(
                            f"Registry group {group['title']!r} matches no arm of the trial."
                        )
                    row["label"] = _fit(label, 200, row_notes, "Title")
                    if is_count:
                        row["count"] = read.count(measurement.get("value"), field_where, "value")
                        row["denominator"] = denominators.get(group_id)
                        row["statistic"] = "count"
                    else:
                        row["value"] = value
                    low = read.number(measurement.get("lowerLimit"), field_where, "lowerLimit")
                    high = read.number(measurement.get("upperLimit"), field_where, "upperLimit")
                    spread = read.number(measurement.get("spread"), field_where, "spread")
                    if ci and ci_level is not None:
                        row.update(ci_level=ci_level, ci_low=low, ci_high=high)
                    elif dispersion.lower() in RANGE_DISPERSION:
                        row.update(range_low=low, range_high=high)
                    elif dispersion.lower() in IQR_NAMES and (low is not None or high is not None):
                        row_notes.append(f"Inter-quartile range: {low} to {high}.")
                    elif spread is not None:
                        name = SPREAD_NAMES.get(dispersion.lower(), dispersion or "spread")
                        row_notes.append(f"{name.capitalize()}: {spread}.")
                    for limit_name, limit in (("lowerLimit", low), ("upperLimit", high)):
                        raw = measurement.get(limit_name)
                        if limit is None and raw not in (None, ""):
                            row_notes.append(f"The registry gives {limit_name} {raw!r}.")
                    row["editorial_note"] = " ".join(row_notes)
                    rows.append(row)
        for a_index, analysis in enumerate(measure.get("analyses") or []):
            rows.append(
                _analysis(read, analysis, groups, f"{where}, analysis {a_index + 1}", title,
                          locator, primary)
            )  # fmt: skip
    return rows


def _analysis(read, analysis, groups, where, title, locator, primary) -> dict[str, Any]:
    row_notes = []
    arms = []
    for group_id in analysis.get("groupIds") or []:
        group = groups.get(str(group_id))
        if group is None:
            row_notes.append(f"Compares group {group_id}, which the measure does not list.")
            arms.append(None)
        else:
            arms.append(group["arm"]["label"] if group["arm"] else None)
            if group["arm"] is None:
                row_notes.append(f"Registry group {group['title']!r} matches no arm of the trial.")
    if len(arms) > 2:
        row_notes.append(f"Compares {len(arms)} groups; the first two are recorded.")
    param = " ".join(str(analysis.get("paramType") or "").split())
    value = read.number(analysis.get("paramValue"), where, "paramValue")
    low = read.number(analysis.get("ciLowerLimit"), where, "ciLowerLimit")
    high = read.number(analysis.get("ciUpperLimit"), where, "ciUpperLimit")
    level = read.number(analysis.get("ciPctValue"), where, "ciPctValue")
    ci_level = int(level) if level is not None and level == level.to_integral_value() else None
    if level is not None and ci_level is None:
        row_notes.append(f"Confidence level {level}%.")
    sides = str(analysis.get("ciNumSides") or "").upper()
    if sides == "ONE_SIDED":
        row_notes.append("The confidence interval is one-sided.")
    row = {
        "measure": classify(title),
        "label": _fit(f"{title}: {param}" if param else title, 200, row_notes, "Title"),
        "arm": arms[0] if arms else None,
        "comparator_arm": arms[1] if len(arms) > 1 else None,
        "ci_level": ci_level if (low is not None or high is not None) else None,
        "is_primary_endpoint": primary,
        "source_locator": locator,
        "test_statistic_name": _fit(
            str(analysis.get("statisticalMethod") or ""), 50, row_notes, "Method"
        ),
    }
    if param.lower().startswith("hazard ratio"):
        row.update(
            statistic="hazard ratio",
            hazard_ratio=value,
            hazard_ratio_ci_low=low,
            hazard_ratio_ci_high=high,
        )
    else:
        statistic = re.sub(r"\s*\([^)]*\)$", "", param).lower()
        row.update(statistic=statistic[:30], value=value, ci_low=low, ci_high=high)
        if len(statistic) > 30:
            row_notes.append(f"Parameter: {param}.")
    p_text = str(analysis.get("pValue") or "").strip()
    if p_text:
        match = P_VALUE.match(p_text.replace("≤", "").replace("≥", ""))
        if match and "≤" not in p_text and "≥" not in p_text:
            row["p_value_relation"] = match.group(1) or "="
            row["p_value"] = Decimal(match.group(2))
        else:
            row_notes.append(f"p-value as the registry states it: {p_text}.")
    for name in ("groupDescription", "nonInferiorityComment", "pValueComment",
                 "estimateComment", "statisticalComment"):  # fmt: skip
        if analysis.get(name):
            row_notes.append(" ".join(str(analysis[name]).split()))
    row["editorial_note"] = " ".join(row_notes)
    return row


def _adverse_events(read: _Reader, arm_by_title: dict, notes: list[str]) -> list[dict[str, Any]]:
    module = read.module(AE_MODULE)
    groups = {}
    for group in read.listed(module, "eventGroups", AE_MODULE):
        title = " ".join(str(group.get("title") or "").split())
        groups[str(group.get("id"))] = {
            "title": title,
            "arm": arm_by_title.get(title.casefold()),
            "serious": group.get("seriousNumAtRisk"),
            "other": group.get("otherNumAtRisk"),
        }
    threshold = module.get("frequencyThreshold")
    rows = []
    for scope, key in (
        (TrialAdverseEvent.GradeScope.SERIOUS, "seriousEvents"),
        (TrialAdverseEvent.GradeScope.OTHER_NON_SERIOUS, "otherEvents"),
    ):
        locator = f"{AE_MODULE}.{key}"
        for index, event in enumerate(read.listed(module, key, AE_MODULE)):
            where = f"{locator}[{index}]"
            term = " ".join(str(event.get("term") or "").split())
            if not term:
                raise read.problem(where, "term", "is missing.")
            where += f" ({term[:60]})"
            base_notes = []
            if event.get("sourceVocabulary"):
                base_notes.append(f"Term from {event['sourceVocabulary']}.")
            if key == "otherEvents" and threshold:
                base_notes.append(f"The registry lists other events above {threshold}% only.")
            for s_index, stat in enumerate(event.get("stats") or []):
                group = groups.get(str(stat.get("groupId")))
                stat_where = f"{where}, stats[{s_index}]"
                if group is None:
                    raise read.problem(
                        stat_where, "groupId", f"{stat.get('groupId')!r} is not an event group."
                    )
                row_notes = list(base_notes)
                count = read.count(stat.get("numAffected"), stat_where, "numAffected")
                at_risk = stat.get("numAtRisk")
                if at_risk in (None, ""):
                    at_risk = group["serious" if key == "seriousEvents" else "other"]
                denominator = read.count(at_risk, stat_where, "numAtRisk")
                if count is None and stat.get("numEvents") not in (None, ""):
                    row_notes.append(
                        f"{stat['numEvents']} events; participants affected not stated."
                    )
                if count is not None and denominator is not None and count > denominator:
                    raise read.problem(
                        stat_where, "numAffected", f"{count} affected of {denominator} at risk."
                    )
                if group["arm"] is None:
                    row_notes.append(f"Registry group {group['title']!r} matches no arm.")
                rows.append(
                    {
                        "term": term[:200],
                        "organ_system": str(event.get("organSystem") or "")[:200],
                        "arm": group["arm"]["label"] if group["arm"] else None,
                        "grade_scope": scope,
                        "count": count,
                        "denominator": denominator or None,
                        "source_locator": locator,
                        "editorial_note": " ".join(row_notes),
                    }
                )
    return rows


# -- writing ---------------------------------------------------------------------------------


@transaction.atomic
def trial_import_study(
    *,
    study: dict[str, Any],
    user: AbstractBaseUser | None,
    source: str = "ClinicalTrials.gov",
    require_results: bool = False,
) -> TrialImport:
    """Create or update the draft trial of a study, all or nothing; never publishes."""
    plan = study_plan(study, source=source)
    if require_results and not plan.has_results:
        raise ImportProblem(
            "has no posted results (hasResults is false); nothing was imported.",
            source=source,
            record=plan.nct_id,
            field="resultsSection",
        )
    notes = list(plan.notes)
    trial = Trial.objects.select_for_update().filter(nct_id=plan.nct_id).first()
    created = trial is None
    if created:
        trial = Trial(nct_id=plan.nct_id, title=plan.brief_title, acronym=plan.acronym)
        trial.slug = _free_slug(plan.acronym or plan.nct_id, plan.nct_id)
    else:
        trial.title = trial.title or plan.brief_title
        trial.acronym = trial.acronym or plan.acronym
    for name, value in plan.trial.items():
        if name == "design" and not created and trial.design != Trial.Design.NOT_STATED:
            if trial.design != value:
                notes.append(
                    f"Design kept as {trial.get_design_display()!r}; "
                    f"the registry suggests {Trial.Design(value).label!r}."
                )
            continue
        setattr(trial, name, value)
    trial.regions = list(dict.fromkeys([*(trial.regions or []), *plan.countries]))
    _save(trial, source, plan.nct_id)

    citation = _registry_citation(plan)
    TrialPublication.objects.get_or_create(
        trial=trial, citation=citation, defaults={"role": TrialPublication.Role.REGISTRY}
    )
    for pmid in plan.result_pmids:
        paper = Citation.objects.filter(pmid=pmid).first()
        if paper is None:
            notes.append(
                f"The registry lists PMID {pmid} as a results publication; it is not in the "
                "library yet: add it from its PMID and link it to the trial (importing the "
                "trial again links it too)."
            )
        else:
            TrialPublication.objects.get_or_create(
                trial=trial, citation=paper, defaults={"role": TrialPublication.Role.PRIMARY}
            )

    _link_vocabulary(trial, plan, notes)
    arms = _write_arms(trial, plan, citation)
    outcomes, adverse_events = 0, 0
    if plan.has_results:
        Outcome.objects.filter(trial=trial, citation=citation).delete()
        TrialAdverseEvent.objects.filter(trial=trial, citation=citation).delete()
        outcomes = _write_outcomes(trial, plan, citation, arms)
        adverse_events = _write_adverse_events(trial, plan, citation, arms)
    else:
        notes.append("The registry has no posted results: no outcomes or adverse events.")
    root_record_edit(root=trial, user=user, created=created)
    return TrialImport(
        trial=trial,
        created=created,
        registry_citation=citation,
        has_results=plan.has_results,
        counts={
            "arms": len(plan.arms),
            "outcomes": outcomes,
            "adverse events": adverse_events,
        },
        notes=notes,
    )


def _save(row, source: str, record: str, exclude: tuple[str, ...] = ()) -> None:
    try:
        row.full_clean(exclude=list(exclude), validate_unique=False)
        row.save()
    except ValidationError as error:
        problems = [
            f"{name if name != '__all__' else type(row).__name__}: {' '.join(messages)}"
            for name, messages in error.message_dict.items()
        ]
        raise ImportProblem(
            f"{type(row).__name__} {row} cannot be saved: " + "; ".join(problems),
            source=source,
            record=record,
        ) from error
    except IntegrityError as error:
        raise ImportProblem(
            f"the database refused {type(row).__name__} {row}: {error}",
            source=source,
            record=record,
        ) from error


def _free_slug(base: str, nct_id: str) -> str:
    slug = slugify(base)[:120] or slugify(nct_id)
    if Trial.objects.filter(slug=slug).exists():
        slug = slugify(f"{base}-{nct_id}")[:120]
    return slug


def _registry_citation(plan: StudyPlan) -> Citation:
    url = f"{settings.CLINICALTRIALS_STUDY_URL}{plan.nct_id}"
    # The library may hold the record under an older address (…/ct2/show/NCT…): same study.
    citation = (
        Citation.objects.filter(url__iexact=url).first()
        or Citation.objects.filter(
            kind=Citation.Kind.REGISTRY_RECORD, url__icontains=plan.nct_id
        ).first()
    )
    if citation is None:
        citation = Citation(key=_free_citation_key(f"clinicaltrials-gov-{plan.nct_id.lower()}"))
    citation.kind = Citation.Kind.REGISTRY_RECORD
    citation.title = f"{plan.brief_title} ({plan.nct_id})"[:500]
    citation.publisher = "ClinicalTrials.gov"
    citation.url = url
    citation.accessed_on = timezone.localdate()
    _save(citation, plan.source, plan.nct_id)
    return citation


def _free_citation_key(base: str) -> str:
    key, n = base, 2
    while Citation.objects.filter(key=key).exists():
        key, n = f"{base}-{n}", n + 1
    return key


def _link_vocabulary(trial: Trial, plan: StudyPlan, notes: list[str]) -> None:
    by_name: dict[str, Condition] = {}
    for condition in Condition.objects.all():
        for name in [condition.name, condition.abbreviation, *(condition.synonyms or [])]:
            if name:
                by_name.setdefault(name.casefold(), condition)
    unmatched = []
    for name in plan.conditions:
        condition = by_name.get(name.casefold())
        if condition is None:
            unmatched.append(name)
        else:
            trial.conditions.add(condition)
    if unmatched:
        notes.append(
            "Conditions not in the vocabulary, pick them on the trial's page: "
            + "; ".join(unmatched)
            + "."
        )
    drugs = [_drug(i) for i in plan.interventions if i["type"] in {"DRUG", "BIOLOGICAL"}]
    trial.drugs.add(*[d for d in drugs if d is not None])


def _drug(intervention: dict[str, Any]) -> Drug | None:
    """The drug an intervention names: 'Sorafenib (Nexavar, BAY43-9006)' tries each name."""
    name = intervention["name"]
    names = [name, re.sub(r"\s*\(.*\)\s*$", "", name)]
    for inside in re.findall(r"\(([^)]*)\)", name):
        names += inside.split(",")
    names += intervention["other_names"]
    for candidate in dict.fromkeys(n.strip() for n in names if n and n.strip()):
        drug = Drug.objects.filter(inn__iexact=candidate).first()
        if drug is None:
            named = DrugName.objects.filter(name__iexact=candidate).select_related("drug").first()
            drug = named.drug if named else None
        if drug is not None:
            return drug
    return None


def _write_arms(trial: Trial, plan: StudyPlan, citation: Citation) -> dict[str, Arm]:
    existing = {arm.label.casefold(): arm for arm in Arm.objects.filter(trial=trial)}
    arms = {}
    for row in plan.arms:
        arm = existing.get(row["label"].casefold()) or Arm(trial=trial, label=row["label"])
        arm.role, arm.position = row["role"], row["position"]
        arm.description = row["description"] or arm.description
        if row["participants"] is not None:
            arm.participants = row["participants"]
        arm.citation, arm.source_locator = citation, ARMS_MODULE
        _save(arm, plan.source, f"arm {arm.label!r}", exclude=("trial", "citation"))
        arms[row["label"]] = arm
    for item in plan.interventions:
        drug = _drug(item) if item["type"] in {"DRUG", "BIOLOGICAL"} else None
        for label in item["arms"]:
            arm = arms.get(label) or next(
                (a for name, a in arms.items() if name.casefold() == label.casefold()), None
            )
            if arm is None:
                continue
            present = Intervention.objects.filter(arm=arm)
            if drug is not None and present.filter(drug=drug).exists():
                continue
            if drug is None and present.filter(name__iexact=item["name"]).exists():
                continue
            Intervention.objects.create(arm=arm, drug=drug, name="" if drug else item["name"][:200])
    return arms


def _write_outcomes(trial, plan: StudyPlan, citation, arms: dict[str, Arm]) -> int:
    for position, row in enumerate(plan.outcomes):
        values = dict(row)
        values["arm"] = arms.get(row.get("arm")) if row.get("arm") else None
        if row.get("comparator_arm"):
            values["comparator_arm"] = arms.get(row["comparator_arm"])
        outcome = Outcome(trial=trial, citation=citation, position=position, **values)
        _save(
            outcome,
            plan.source,
            f"{OUTCOMES_MODULE}: {row['label'][:80]}",
            exclude=("trial", "arm", "comparator_arm", "citation"),
        )
    return len(plan.outcomes)


def _write_adverse_events(trial, plan: StudyPlan, citation, arms: dict[str, Arm]) -> int:
    terms: dict[str, AdverseEventTerm] = {}
    for term in AdverseEventTerm.objects.all():
        for name in [term.name, *(term.synonyms or [])]:
            terms.setdefault(name.casefold(), term)
    rows = []
    for position, row in enumerate(plan.adverse_events):
        term = terms.get(row["term"].casefold())
        if term is None:
            term = AdverseEventTerm(
                name=row["term"],
                slug=_free_term_slug(row["term"]),
                system_organ_class=row["organ_system"] or "Not stated",
                ctcae_version="",
            )
            _save(term, plan.source, f"{AE_MODULE}: {row['term']}")
            terms[row["term"].casefold()] = term
        rows.append(
            TrialAdverseEvent(
                trial=trial,
                arm=arms.get(row["arm"]) if row["arm"] else None,
                term=term,
                grade_scope=row["grade_scope"],
                count=row["count"],
                denominator=row["denominator"],
                citation=citation,
                source_locator=row["source_locator"],
                editorial_note=row["editorial_note"],
                position=position,
            )
        )
    try:
        TrialAdverseEvent.objects.bulk_create(rows)
    except IntegrityError as error:
        raise ImportProblem(
            f"the database refused an adverse-event row: {error}",
            source=plan.source,
            record=AE_MODULE,
        ) from error
    return len(rows)


def _free_term_slug(name: str) -> str:
    base = slugify(name)[:110] or "term"
    slug, n = base, 2
    while AdverseEventTerm.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug
