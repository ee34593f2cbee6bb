"""A study's posted results read into rows.

Outcomes with their analyses, participants per arm, and adverse events by arm.
"""

import re
from decimal import Decimal
from typing import Any

from monographs.importing.study_fields import (
    AE_MODULE,
    BASELINE_MODULE,
    OUTCOMES_MODULE,
    StudyReader,
    classify,
    result_groups,
    result_unit,
    text_fit,
)
from trials.models import (
    TrialAdverseEvent,
)

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


def study_participants(read: StudyReader, arm_by_title: dict) -> None:
    module = read.module(BASELINE_MODULE)
    groups = result_groups(read, module, BASELINE_MODULE, arm_by_title)
    for denom in module.get("denoms") or []:
        if str(denom.get("units") or "").lower() != "participants":
            continue
        for count in denom.get("counts") or []:
            group = groups.get(str(count.get("groupId")))
            if group and group["arm"] is not None:
                group["arm"]["participants"] = read.count(
                    count.get("value"), BASELINE_MODULE, "denoms.counts.value"
                )


def study_outcomes(read: StudyReader, arm_by_title: dict, notes: list[str]) -> list[dict[str, Any]]:
    module = read.module(OUTCOMES_MODULE)
    rows: list[dict[str, Any]] = []
    for index, measure in enumerate(read.listed(module, "outcomeMeasures", OUTCOMES_MODULE)):
        title = " ".join(str(measure.get("title") or "").split())
        where = f"{OUTCOMES_MODULE}, outcome {index + 1}" + (f" ({title[:60]})" if title else "")
        if not title:
            raise read.problem(where, "title", "is missing.")
        groups = result_groups(read, measure, where, arm_by_title)
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
        unit = "" if is_count else result_unit(str(measure.get("unitOfMeasure") or ""), base_notes)
        if ci and ci_level is None:
            base_notes.append(f"Dispersion: {dispersion}.")
        locator = text_fit(f"{OUTCOMES_MODULE}: {title}", 200, [], "")
        timepoint = text_fit(str(measure.get("timeFrame") or ""), 100, base_notes, "Time frame")
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
                    row["label"] = text_fit(label, 200, row_notes, "Title")
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
        "label": text_fit(f"{title}: {param}" if param else title, 200, row_notes, "Title"),
        "arm": arms[0] if arms else None,
        "comparator_arm": arms[1] if len(arms) > 1 else None,
        "ci_level": ci_level if (low is not None or high is not None) else None,
        "is_primary_endpoint": primary,
        "source_locator": locator,
        "test_statistic_name": text_fit(
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


def study_adverse_events(
    read: StudyReader, arm_by_title: dict, notes: list[str]
) -> list[dict[str, Any]]:
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
