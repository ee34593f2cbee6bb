"""The headline result rule: primary outcome first, never a baseline or a bare count, never an arm
compared with itself."""

from trials.headline import headline_result


def median(measure, arm, value, unit="months", **more):
    return {
        "measure": measure,
        "arm": arm,
        "statistic": "median",
        "value": value,
        "unit": unit,
    } | more


SORAFENIB_OS = median("OS", "Sorafenib", 10.7)
PLACEBO_OS = median("OS", "Placebo", 7.9)
COMPARISON = {
    "measure": "OS",
    "arm": "Sorafenib",
    "comparator_arm": "Placebo",
    "hazard_ratio": 0.69,
    "hazard_ratio_ci_low": 0.55,
    "hazard_ratio_ci_high": 0.87,
    "is_primary_endpoint": True,
}


def test_medians_of_two_arms():
    assert (
        headline_result({"outcomes": [SORAFENIB_OS, PLACEBO_OS]})
        == "Median OS 10.7 vs 7.9 months (Sorafenib vs Placebo)"
    )


def test_a_hazard_ratio_comes_before_medians_of_its_measure():
    assert (
        headline_result({"outcomes": [SORAFENIB_OS, PLACEBO_OS, COMPARISON]})
        == "OS HR 0.69 (95% CI 0.55–0.87), Sorafenib vs Placebo"
    )


def test_the_primary_endpoint_comes_first():
    primary_pfs = median("PFS", "Sorafenib", 5.5, is_primary_endpoint=True)
    other_pfs = median("PFS", "Placebo", 2.8)
    assert headline_result({"outcomes": [SORAFENIB_OS, PLACEBO_OS, primary_pfs, other_pfs]}) == (
        "Median PFS 5.5 vs 2.8 months (Sorafenib vs Placebo)"
    )


def test_a_baseline_or_a_count_is_never_a_headline():
    cycles = median("OTHER", "Sorafenib", 4, unit="cycles", is_primary_endpoint=True)
    follow_up = median("FOLLOW_UP", "Sorafenib", 20)
    enrolled = {"measure": "SD", "statistic": "count", "count": 50, "value": None}
    assert headline_result({"outcomes": [cycles, follow_up, enrolled]}) == ""


def test_a_count_of_a_stated_denominator_is_a_proportion_and_may_be_the_headline():
    responses = {"measure": "PR", "statistic": "count", "count": 6, "denominator": 24}
    stable = {"measure": "SD", "statistic": "count", "count": 17, "denominator": 24}
    assert headline_result({"outcomes": [stable, responses]}) == "PR 6/24"
    stated = responses | {"value": 25, "unit": "%"}
    assert headline_result({"outcomes": [stable, stated]}) == "PR 6/24 (25%)"


def test_an_arm_is_never_compared_with_itself():
    first = median("PFS", "Sorafenib", 6.1, label="Subgroup A")
    second = median("PFS", "Sorafenib", 7.5, label="Subgroup B")
    headline = headline_result({"outcomes": [first, second]})
    assert "vs" not in headline
    assert headline == "Median PFS 6.1 months (Sorafenib; Subgroup A)"
    self_comparison = COMPARISON | {"comparator_arm": "Sorafenib"}
    assert headline_result({"outcomes": [self_comparison]}) == ""


def test_a_single_arm_trial_with_response_and_survival_has_a_headline():
    response = {
        "measure": "PR",
        "statistic": "rate",
        "value": 25,
        "unit": "%",
        "count": 6,
        "denominator": 24,
    }
    survival = {"measure": "OS", "statistic": "median", "value": 9.2, "unit": "months"}
    assert headline_result({"outcomes": [response, survival]}) == "Median OS 9.2 months"


def test_two_units_are_not_put_side_by_side():
    days = median("PFS", "Sorafenib", 167, unit="days")
    months = median("PFS", "Placebo", 2.8)
    assert headline_result({"outcomes": [days, months]}) == "Median PFS 167 days (Sorafenib)"


def test_nothing_to_say():
    assert headline_result({"outcomes": []}) == ""
