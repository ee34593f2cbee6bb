"""The one formatter for figures: every number a reader sees goes through `format_figure`.

A figure is written exactly as its source states it: a value, a range (5–11%), a bound
(<1%, ≤8%, >2 years, ≥50%), an approximate value (~30%), a count over a denominator with
the percentage the source gives (9/14 (64%)), its unit, and the precision as entered
(trailing zeros of the stored decimal are dropped, nothing is rounded). Pages, charts, the
admin preview, CSV cells meant for people, JSON-LD and the feed all call it; nothing else
formats numbers.

Bounds are stored as words (`lt`, `le`, `gt`, `ge`, `approx`) so that no stored value starts
with a character a spreadsheet reads as a formula. An upper bound lives in the high end of a
(low, high) pair, a lower bound in the low end, as the seed format has always recorded them;
a lone high end without a stated bound reads "at most".
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import Any

Number = int | float | Decimal | str

BOUND_SYMBOLS = {"lt": "<", "le": "≤", "gt": ">", "ge": "≥", "approx": "~"}
BOUND_WORDS = {
    "lt": "less than",
    "le": "at most",
    "gt": "more than",
    "ge": "at least",
    "approx": "about",
}
UPPER_BOUNDS = {"lt", "le"}
LOWER_BOUNDS = {"gt", "ge"}
MISSING = "–"
# A figure the source leaves out, in words: never a dash or "no", which read as "none".
NOT_STATED = "not stated"


class StatedNumber(Decimal):
    """A figure carrying the decimal places its source states (8.0, 10.50): written as is.

    A stored decimal has the column's scale (400.000), so figures are otherwise written
    without trailing zeros; a row that records `stated_places` gets its figures back as
    StatedNumber through `as_entered`, and the one formatter keeps their zeros.
    """


def plain_number(value: Number | None) -> str:
    """A number with the digits it was entered with; never rounded.

    A StatedNumber keeps its stated places; any other number drops trailing zeros, which
    are the column's scale, not the source's.
    """
    if value is None or value == "":
        return MISSING
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, StatedNumber) and value.is_finite():
        return f"{value:f}"
    try:
        decimal = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if not decimal.is_finite():
        return str(value)
    normalised = decimal.normalize()
    if normalised == normalised.to_integral_value():
        normalised = normalised.quantize(Decimal(1))
    text = f"{normalised:f}"
    return "0" if text in ("-0", "") else text


def entry_count(value: int | None) -> str:
    """How many entries a page counts (9,190 trials), with thousands separated: a count
    of our own records, never a figure from a source, which keeps its digits as stated."""
    return f"{value or 0:,}"


def with_unit(text: str, unit: str) -> str:
    """A formatted number or range followed by its unit: '%' sticks, words are spaced."""
    if not unit:
        return text
    return f"{text}%" if unit == "%" else f"{text} {unit}"


@dataclass(frozen=True)
class Figure:
    """One stated figure. `value` is exact (or approximate); `low`/`high` a range or a bound."""

    value: Number | None = None
    low: Number | None = None
    high: Number | None = None
    bound: str = ""
    count: int | None = None
    denominator: int | None = None
    unit: str = ""

    @property
    def is_empty(self) -> bool:
        return all(
            part is None for part in (self.value, self.low, self.high, self.count, self.denominator)
        )

    @cached_property
    def kind(self) -> str:
        """'value', 'range', 'upper', 'lower' or '' (nothing measured; maybe only a count).

        Worked out once per figure: a chart asks it of each figure several times (the table,
        the bar, its span and its label), and comparing the ends means two Decimals.
        """
        low, high = self.low, self.high
        if self.value is not None:
            return "value"
        if low is not None and high is not None:
            return "value" if Decimal(str(low)) == Decimal(str(high)) else "range"
        if high is not None:
            return "upper"
        if low is not None:
            return "lower" if self.bound in LOWER_BOUNDS else "value"
        return ""

    @property
    def point(self) -> Number | None:
        """The single number a figure states (value, equal range ends, or its bound)."""
        if self.value is not None:
            return self.value
        return self.low if self.low is not None else self.high

    @property
    def span(self) -> tuple[float | None, float | None]:
        """Lowest and highest number the figure states, for drawing."""
        kind = self.kind
        if kind == "range":
            return float(self.low), float(self.high)
        point = self.point
        return (None, None) if point is None else (float(point), float(point))

    def measure_text(self) -> str:
        """The measured part only: value, range or bound with its unit."""
        kind = self.kind
        if kind == "range":
            return with_unit(f"{plain_number(self.low)}–{plain_number(self.high)}", self.unit)
        if kind == "upper":
            symbol = BOUND_SYMBOLS["lt" if self.bound == "lt" else "le"]
            return symbol + with_unit(plain_number(self.high), self.unit)
        if kind == "lower":
            return BOUND_SYMBOLS[self.bound] + with_unit(plain_number(self.low), self.unit)
        if kind == "value":
            prefix = "~" if self.bound == "approx" else ""
            return prefix + with_unit(plain_number(self.point), self.unit)
        return ""

    def text(self) -> str:
        measured = self.measure_text()
        if self.count is None:
            return measured or MISSING
        counted = str(self.count)
        if self.denominator is not None:
            counted += f"/{self.denominator}"
        return f"{counted} ({measured})" if measured else counted

    def words(self) -> str:
        """The same figure for a screen reader or a sentence: bounds spelled out."""
        kind = self.kind
        text = self.text()
        if kind == "upper":
            word = BOUND_WORDS["lt" if self.bound == "lt" else "le"]
            return f"{word} {text[1:]}" if self.count is None else text
        if kind == "lower" or (kind == "value" and self.bound == "approx"):
            return f"{BOUND_WORDS[self.bound]} {text[1:]}" if self.count is None else text
        return text

    def __str__(self) -> str:
        return self.text()


def format_figure(
    value: Number | None = None,
    *,
    low: Number | None = None,
    high: Number | None = None,
    bound: str = "",
    count: int | None = None,
    denominator: int | None = None,
    unit: str = "",
) -> str:
    return Figure(value, low, high, bound or "", count, denominator, unit or "").text()


def incidence(pair: Sequence[Number | None] | None, bound: str = "") -> Figure:
    """A drug-level incidence in %: a document's [low, high] pair and its bound."""
    low, high = (list(pair or []) + [None, None])[:2]
    return Figure(low=low, high=high, bound=bound or "", unit="%")


def trial_incidence(ae: dict[str, Any]) -> Figure:
    """A trial adverse-event cell: count/denominator and percent (a value, range or bound)."""
    percent, high = ae.get("percent"), ae.get("percent_high")
    return Figure(
        low=percent,
        high=high,
        bound=ae.get("percent_bound") or "",
        count=ae.get("count"),
        denominator=ae.get("denominator"),
        unit="%",
    )


def result_is_range(outcome: dict[str, Any]) -> bool:
    """Whether an outcome's result is its range: a 'range' statistic stating no value, count
    or proportion ('daily doses of 50–1200 mg'), where the range is not a spread around a
    result the source leaves out."""
    return (
        (outcome.get("statistic") or "").strip().lower() == "range"
        and all(outcome.get(name) is None for name in ("value", "value_high", "count"))
        and (outcome.get("range_low") is not None or outcome.get("range_high") is not None)
    )


def outcome_figure(outcome: dict[str, Any]) -> Figure:
    """An outcome's result: its value (a range with `value_high`, or a bound), its
    count/denominator and unit; or its range, where that is the result (result_is_range).
    The page, the exports and the headline all read it here."""
    if result_is_range(outcome):
        low, high = outcome.get("range_low"), outcome.get("range_high")
        return Figure(
            low=low,
            high=high,
            bound="le" if low is None else ("ge" if high is None else ""),
            unit=outcome.get("unit") or "",
        )
    return Figure(
        low=outcome.get("value"),
        high=outcome.get("value_high"),
        bound=outcome.get("value_bound") or "",
        count=outcome.get("count"),
        denominator=outcome.get("denominator"),
        unit=outcome.get("unit") or "",
    )


def signed_change(low: Number | None, high: Number | None, unit: str = "%") -> str:
    """A stated change, signed as the source gives it: '+36–80%', '−20%', '−10 to +5%'."""
    if low is None and high is None:
        return ""
    ends = [
        n if isinstance(n, StatedNumber) else Decimal(str(n)) for n in (low, high) if n is not None
    ]
    if len(ends) == 2 and ends[0] == ends[1]:
        ends = ends[:1]

    def size(number: Decimal) -> str:
        """The number without its sign, with the places its source states."""
        magnitude = number.copy_abs()
        return plain_number(
            StatedNumber(magnitude) if isinstance(number, StatedNumber) else magnitude
        )

    def signed(number: Decimal) -> str:
        text = size(number)
        return f"+{text}" if number > 0 else (f"−{text}" if number < 0 else text)

    if len(ends) == 1:
        return with_unit(signed(ends[0]), unit)
    if ends[0] > 0 or ends[1] < 0:
        sign = "+" if ends[0] > 0 else "−"
        return with_unit(f"{sign}{size(ends[0])}–{size(ends[1])}", unit)
    return with_unit(f"{signed(ends[0])} to {signed(ends[1])}", unit)


def rounding_tolerance(stated: Number) -> Decimal:
    """How far a stated percentage may be from the exact fraction and still be it rounded as
    stated: half a unit of its last decimal (18 -> 0.5, 17.6 -> 0.05)."""
    exponent = Decimal(str(stated)).normalize().as_tuple().exponent
    return Decimal(5) * Decimal(10) ** (min(int(exponent), 0) - 1)


def percent_mismatch(stated: Number | None, count: int | None, denominator: int | None):
    """The exact percentage of count/denominator when the stated one is not it rounded, else
    None (also when a part is missing): one rule for the seed files and the quality checks."""
    if stated is None or count is None or not denominator:
        return None
    exact = Decimal(count) * 100 / Decimal(denominator)
    if abs(exact - Decimal(str(stated))) <= rounding_tolerance(stated):
        return None
    return exact.quantize(Decimal("0.1"))


def interval_text(low: Number | None, high: Number | None, unit: str = "") -> str:
    """A confidence interval or range as 'low–high' (with unit); empty when neither is given.

    A lone end says which end the source leaves out ('from 19 months, upper limit not
    given'): a dash for the missing end would read as a negative number or a typo.
    """
    if low is None and high is None:
        return ""
    if high is None:
        return f"from {with_unit(plain_number(low), unit)}, upper limit not given"
    if low is None:
        return f"up to {with_unit(plain_number(high), unit)}, lower limit not given"
    return with_unit(f"{plain_number(low)}–{plain_number(high)}", unit)


# Figures of a document row kept with stated places, by the row's list: each document field
# and, where the document pairs two model fields, the model field each end comes from.
STATED_FIGURES: dict[str, dict[str, str | tuple[str, str]]] = {
    "dose_regimens": {"dose_amount": "dose_amount", "daily_dose_amount": "daily_dose_amount"},
    "interactions": {"change": ("change_low", "change_high")},
    "pharmacokinetics": {"value": "value", "range_low": "range_low", "range_high": "range_high"},
    "adverse_events": {
        "any_grade": ("any_grade_low", "any_grade_high"),
        "grade_3_plus": ("grade_3_plus_low", "grade_3_plus_high"),
        "percent": "percent",
        "percent_high": "percent_high",
    },
    "outcomes": {
        name: name
        for name in (
            "value",
            "value_high",
            "range_low",
            "range_high",
            "ci_low",
            "ci_high",
            "hazard_ratio",
            "hazard_ratio_ci_low",
            "hazard_ratio_ci_high",
            "p_value",
            "test_statistic_value",
        )
    },
}


def stated_number(value: Number | None, places: int | None) -> Number | None:
    """`value` as a StatedNumber with `places` decimals; unchanged when places are unknown."""
    if value is None or places is None or isinstance(value, bool):
        return value
    try:
        decimal = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value
    if not decimal.is_finite():
        return value
    return StatedNumber(decimal.quantize(Decimal(1).scaleb(-int(places))))


def as_entered(document: dict[str, Any]) -> dict[str, Any]:
    """The document for reading: each figure whose row states its places as a StatedNumber.

    A copy of the lists it changes; the document itself (frozen, hashed, served as JSON)
    keeps plain JSON numbers and each row's `stated_places` beside them.
    """
    shown = dict(document)
    for table, fields in STATED_FIGURES.items():
        rows = document.get(table)
        if not rows or not any(row.get("stated_places") for row in rows):
            continue
        shown[table] = [_row_as_entered(row, fields) for row in rows]
    return shown


def _row_as_entered(row: dict[str, Any], fields: dict[str, str | tuple[str, str]]) -> dict:
    places = row.get("stated_places") or {}
    if not places:
        return row
    row = dict(row)
    for name, source in fields.items():
        if name not in row:
            continue
        if isinstance(source, tuple):
            pair = list(row[name] or [None, None])
            row[name] = [
                stated_number(v, places.get(f)) for v, f in zip(pair, source, strict=False)
            ]
        else:
            row[name] = stated_number(row[name], places.get(source))
    return row
