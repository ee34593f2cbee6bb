"""Row fixes that let the figure constraints of 0019 (monographs) and 0010 (trials) be added
to a database with rows an editor saved before them.

Each fix keeps what the editor stated and what readers were shown: a lone high end without a
bound was always shown as "at most", so it says so; a bound on the wrong end moves to the end
its bound names; a bound on a range (which was shown as the range) or on no figure is dropped.
Zero for a count of patients or a dose states nothing, so it becomes "not stated".
"""

from django.db.models import F, Q

UPPER, LOWER = ["le", "lt"], ["ge", "gt"]


def bound_rows_fit(model, bound: str, low: str, high: str) -> None:
    rows = model.objects
    has_low, has_high = Q(**{f"{low}__isnull": False}), Q(**{f"{high}__isnull": False})
    rows.filter(Q(**{f"{bound}__in": UPPER}), has_low, ~has_high).update(
        **{high: F(low), low: None}
    )
    rows.filter(Q(**{f"{bound}__in": LOWER}), has_high, ~has_low).update(
        **{low: F(high), high: None}
    )
    rows.filter(Q(**{f"{bound}__in": UPPER + LOWER}), (has_low & has_high) | (~has_low & ~has_high)).update(
        **{bound: ""}
    )
    rows.filter(~Q(**{f"{bound}__in": UPPER + LOWER}), has_high, ~has_low).update(**{bound: "le"})


def zero_to_not_stated(model, *fields: str) -> None:
    for name in fields:
        model.objects.filter(**{name: 0}).update(**{name: None})
