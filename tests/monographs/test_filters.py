"""The list pages' filter form: its selects render as Django's would, only faster."""

import pytest
from django import forms

from monographs.selectors import FacetOption
from monographs.views.filters import FacetFilterForm, OptionsSelect

OPTIONS = {
    "drug": [
        FacetOption(value="sorafenib", label="Sorafenib", entries=12),
        FacetOption(value="a&b", label='Drug "A" & <B>', entries=1),
    ],
    "phase": [FacetOption(value="3", label="Phase 3", entries=40)],
}
LABELS = {"drug": "Drug", "phase": "Phase"}


class DjangoSelectForm(FacetFilterForm):
    """The same form with Django's own Select, to compare against."""

    def __init__(self, data, **kwargs) -> None:
        super().__init__(data, **kwargs)
        for field in self.fields.values():
            field.widget = forms.Select(choices=field.choices)


@pytest.mark.parametrize(
    "data",
    [{}, {"drug": "sorafenib"}, {"drug": "a&b", "phase": "3"}, {"drug": "unknown"}, {"phase": ""}],
    ids=["nothing chosen", "one", "escaped value, two", "not on offer", "blank"],
)
def test_selects_render_exactly_as_django_does(data):
    ours = FacetFilterForm(data, options=OPTIONS, labels=LABELS)
    django_own = DjangoSelectForm(data, options=OPTIONS, labels=LABELS)

    for name in LABELS:
        assert isinstance(ours.fields[name].widget, OptionsSelect)
        assert str(ours[name]) == str(django_own[name])


def test_a_label_is_escaped_and_the_chosen_value_selected():
    form = FacetFilterForm({"drug": "a&b"}, options=OPTIONS, labels=LABELS)

    html = str(form["drug"])

    escaped = "Drug &quot;A&quot; &amp; &lt;B&gt; (1)"
    assert f'<option value="a&amp;b" selected>{escaped}</option>' in html
    assert '<option value="sorafenib">Sorafenib (12)</option>' in html
    assert html.startswith('<select name="drug" id="id_drug">')


def test_attributes_a_widget_is_given_are_kept():
    widget = OptionsSelect(attrs={"class": "filter", "disabled": True, "hidden": False})
    widget.choices = [("", "Any"), ("x", "X")]

    html = widget.render("kind", "x", attrs={"id": "id_kind"})

    assert html.startswith('<select name="kind" class="filter" disabled id="id_kind">')
    assert "hidden" not in html
    assert '<option value="x" selected>X</option>' in html
