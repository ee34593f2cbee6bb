"""A ClinicalTrials.gov study (API v2 JSON) read and checked into the rows an import would write.

Nothing here touches the database: trial_import_study (monographs/importing/trials.py) writes
the plan.
"""

import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from monographs.importing.clients import ClinicalTrialsClient
from monographs.importing.errors import ImportProblem
from monographs.importing.study_fields import ARMS_MODULE, StudyReader
from monographs.importing.study_results import (
    study_adverse_events,
    study_outcomes,
    study_participants,
)
from monographs.validators import NCT_PATTERN
from trials.models import (
    Arm,
    DatePrecision,
    Trial,
)

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


def study_plan(study: dict[str, Any], *, source: str) -> StudyPlan:
    """Everything an import of this study would write, checked; raises ImportProblem."""
    read = StudyReader(study, source)
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
        study_participants(read, arm_by_title)
        outcomes = study_outcomes(read, arm_by_title, notes)
        adverse_events = study_adverse_events(read, arm_by_title, notes)
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


def _registry_date(read: StudyReader, status: dict, name: str) -> tuple[date | None, str]:
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
