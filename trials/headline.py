"""A trial's headline result, chosen by one stated rule.

1. Only results are candidates: an outcome of a clinical measure (not follow-up or 'other',
   which hold baselines such as cycles given), with a stated value, hazard ratio, or count
   of a stated denominator (6/24, a proportion); a bare count is never a headline.
2. Primary endpoints come first; then the measures in the order of MEASURE_ORDER.
3. For a measure, the first of these that exists is shown:
   a. a hazard ratio between two different arms (or with no arms named);
   b. the medians of two or more different arms, in one unit, each arm once;
   c. the value of a single arm (or of all participants), with the arm and the outcome's
      own label, so a subgroup's figure says whose it is.
   An arm is never compared with itself.
"""

from typing import Any

from monographs.figures import format_figure, interval_text, outcome_figure

MEASURE_ORDER = ["OS", "PFS", "TTP", "TTSP", "ORR", "DCR", "CR", "PR", "MR", "SD", "DOR"]
NOT_HEADLINES = {"FOLLOW_UP", "OTHER", "PD"}


def _is_result(outcome: dict[str, Any]) -> bool:
    if outcome.get("measure") in NOT_HEADLINES:
        return False
    if (outcome.get("statistic") or "").lower() == "count" and not _of_denominator(outcome):
        return False
    if outcome.get("hazard_ratio") is not None:
        arm, comparator = outcome.get("arm"), outcome.get("comparator_arm")
        return not (arm and comparator and arm == comparator)
    return _has_result(outcome)


def _of_denominator(outcome: dict[str, Any]) -> bool:
    return outcome.get("count") is not None and bool(outcome.get("denominator"))


def _has_result(outcome: dict[str, Any]) -> bool:
    """A value, a range or a bound ('did not exceed 8%' is a result too), or a proportion."""
    return (
        outcome.get("value") is not None
        or outcome.get("value_high") is not None
        or _of_denominator(outcome)
    )


def _name(outcome: dict[str, Any]) -> str:
    statistic = (outcome.get("statistic") or "").lower()
    measure = outcome["measure"]
    return f"Median {measure}" if statistic == "median" else measure


def _hazard_ratio(outcome: dict[str, Any]) -> str:
    text = f"{outcome['measure']} HR {format_figure(outcome['hazard_ratio'])}"
    ci = interval_text(outcome.get("hazard_ratio_ci_low"), outcome.get("hazard_ratio_ci_high"))
    if ci:
        text += f" (95% CI {ci})"
    arms = [a for a in (outcome.get("arm"), outcome.get("comparator_arm")) if a]
    if len(arms) == 2:
        text += f", {arms[0]} vs {arms[1]}"
    return text


def _medians(outcomes: list[dict[str, Any]]) -> str:
    by_arm: dict[str, dict[str, Any]] = {}
    for outcome in outcomes:
        if (outcome.get("statistic") or "").lower() == "median" and outcome.get("arm"):
            by_arm.setdefault(outcome["arm"], outcome)
    units = {o.get("unit") or "" for o in by_arm.values()}
    if len(by_arm) < 2 or len(units) != 1:
        return ""
    unit = units.pop()
    values = " vs ".join(outcome_figure({**o, "unit": ""}).measure_text() for o in by_arm.values())
    values = f"{values}%" if unit == "%" else f"{values} {unit}".rstrip()
    return f"Median {outcomes[0]['measure']} {values} ({' vs '.join(by_arm)})"


def _single(outcome: dict[str, Any]) -> str:
    text = f"{_name(outcome)} {outcome_figure(outcome).text()}"
    about = [part for part in (outcome.get("arm"), outcome.get("label")) if part]
    return f"{text} ({'; '.join(about)})" if about else text


def headline_result(document: dict[str, Any]) -> str:
    results = [o for o in document.get("outcomes") or [] if _is_result(o)]
    if not results:
        return ""

    def order(measure: str) -> int:
        return MEASURE_ORDER.index(measure) if measure in MEASURE_ORDER else len(MEASURE_ORDER)

    primary = [o["measure"] for o in results if o.get("is_primary_endpoint")]
    measures = list(dict.fromkeys(primary)) + sorted(
        {o["measure"] for o in results} - set(primary), key=order
    )
    for measure in measures:
        of_measure = [o for o in results if o["measure"] == measure]
        of_measure.sort(key=lambda o: not o.get("is_primary_endpoint"))
        comparison = next((o for o in of_measure if o.get("hazard_ratio") is not None), None)
        if comparison:
            return _hazard_ratio(comparison)
        valued = [o for o in of_measure if _has_result(o)]
        medians = _medians(valued)
        if medians:
            return medians
        if valued:
            return _single(valued[0])
    return ""
