"""Reading the fields of a ClinicalTrials.gov study.

Every missing or malformed value becomes a named ImportProblem, so an editor is told which
module and field of the record to look at.
"""

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from monographs.importing.errors import ImportProblem
from trials.models import (
    Outcome,
)

ARMS_MODULE = "protocolSection.armsInterventionsModule"
OUTCOMES_MODULE = "resultsSection.outcomeMeasuresModule"
AE_MODULE = "resultsSection.adverseEventsModule"
BASELINE_MODULE = "resultsSection.baselineCharacteristicsModule"
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


class StudyReader:
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


def result_groups(
    read: StudyReader, module: dict, path: str, arm_by_title: dict
) -> dict[str, dict]:
    """Result groups by id: their title and the arm of the same label, if there is one."""
    groups = {}
    for group in read.listed(module, "groups", path) or read.listed(module, "eventGroups", path):
        title = " ".join(str(group.get("title") or "").split())
        groups[str(group.get("id"))] = {
            "title": title,
            "arm": arm_by_title.get(title.casefold()),
        }
    return groups


def classify(text: str) -> str:
    for pattern, measure in MEASURES:
        if re.search(pattern, text, re.IGNORECASE):
            return measure
    return Outcome.Measure.OTHER


def text_fit(text: str, length: int, notes: list[str], what: str) -> str:
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    notes.append(f"{what} as the registry states it: {text}")
    return text[: length - 1] + "…"


def result_unit(unit: str, row_notes: list[str]) -> str:
    lowered = unit.strip().lower()
    if lowered in PERCENT_UNITS:
        return "%"
    if lowered in {"days", "weeks", "months", "years", "hours"}:
        return lowered
    if len(unit) <= 20:
        return unit.strip()
    row_notes.append(f"Unit as the registry states it: {unit}.")
    return ""
