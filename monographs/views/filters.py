"""Filters on list pages: choices come from what is live, so no filter leads nowhere."""

from urllib.parse import urlencode

from django import forms
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from monographs.models.search import SearchDocument
from monographs.search import MAX_QUERY_LENGTH
from monographs.selectors import FacetOption
from monographs.stated import stated_choice


class OptionsSelect(forms.Select):
    """Django's Select, with its options written out in one pass instead of a template each.

    A filter offers every value live entries have: at 1,000 drugs and 100,000 trials the
    trial list's selects hold some 1,500 options, and rendering each through the widget
    templates took 70 % of the page's time. `make bench` times the trial list with each
    (docs/performance.md, "Hand-written speed-ups"); tests/monographs/test_filters.py keeps
    the output equal to Django's own.
    """

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        chosen = set(self.format_value(value))
        attributes = "".join(
            f" {attribute}" if value is True else f' {attribute}="{escape(value)}"'
            for attribute, value in self.build_attrs(self.attrs, attrs).items()
            if value is not False and value is not None
        )
        options = "".join(
            f'\n  <option value="{escape(option_value)}"'
            f"{' selected' if str(option_value) in chosen else ''}>{escape(label)}</option>\n"
            for option_value, label in self.choices
        )
        return mark_safe(f'<select name="{escape(name)}"{attributes}>{options}\n</select>')


# Facet values of a fact stated as yes or no (a trial's design flags).
YES_OR_NO = frozenset({"yes", "no"})


class FacetFilterForm(forms.Form):
    """One optional select per facet; a value that is not on offer is ignored, not an error page."""

    def __init__(
        self, data, *, options: dict[str, list[FacetOption]], labels: dict[str, str]
    ) -> None:
        super().__init__(data)
        self.options = options
        for name, label in labels.items():
            self.fields[name] = forms.ChoiceField(
                label=label,
                required=False,
                widget=OptionsSelect,
                choices=[("", f"Any {label.lower()}")]
                + [
                    (option.value, f"{option.label} ({option.entries})")
                    for option in options.get(name, [])
                ],
            )

    def chosen(self) -> dict[str, str]:
        """The valid filter values chosen, by facet name."""
        self.is_valid()
        return {
            name: value
            for name, value in getattr(self, "cleaned_data", {}).items()
            if value and name not in self.errors
        }

    @property
    def ignored(self) -> list[str]:
        return [self.fields[name].label for name in self.errors]

    def chosen_labels(self) -> list[tuple[str, str]]:
        """Each chosen filter's name and value as the page says it. The value is shown
        alone, so one that says nothing by itself names its filter: the source's silence
        ("Phase not stated") and a yes or no ("Randomised: yes", not "Yes")."""
        labels = []
        for name, value in self.chosen().items():
            option = next((o for o in self.options.get(name, []) if o.value == value), None)
            fact = self.fields[name].label
            shown = stated_choice(fact=fact, value=value, label=option.label if option else value)
            if value in YES_OR_NO:
                shown = f"{fact}: {shown.lower()}"
            labels.append((fact, shown))
        return labels

    def query_without_page(self) -> str:
        return urlencode(self.chosen())


class SearchForm(forms.Form):
    q = forms.CharField(label="Search", required=False, strip=True)
    kind = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[("", "Everything"), *SearchDocument.Kind.choices],
    )

    def clean_q(self) -> str:
        return self.cleaned_data["q"][:MAX_QUERY_LENGTH]

    def chosen_query(self) -> str:
        self.is_valid()
        return getattr(self, "cleaned_data", {}).get("q", "")

    def chosen_kind(self) -> str:
        self.is_valid()
        if "kind" in self.errors:
            return ""
        return getattr(self, "cleaned_data", {}).get("kind", "")
