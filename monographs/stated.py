"""How a page says that its source is silent on a fact: by naming the fact.

A choice's own "not stated" label ("Not stated in the source") reads well only beside the
fact's name, as on a trial's page ("Phase: Not stated in the source"). Where facts are run
together on one line (a card, a search result, a table cell, a meta description) a bare
"Not stated in the source · Not stated in the source" leaves the reader to guess which is
missing, so every such line says "Phase not stated", "Design not stated", through here.
"""

from collections.abc import Mapping
from typing import Any

from django.utils.text import capfirst

# What a choice stores when its source does not state it: "not_stated" for most choices;
# "unknown", the word interaction severities were once published with; and the empty
# value of a choice whose silence is its blank (a frequency band).
NOT_STATED_VALUES = frozenset({"not_stated", "unknown", ""})


def not_stated_phrase(fact: str) -> str:
    """'Phase not stated': the fact named, never a bare 'not stated' that could be any."""
    return f"{capfirst(fact)} not stated"


def is_not_stated(value: Any) -> bool:
    return value is None or value in NOT_STATED_VALUES


def stated_choice(*, fact: str, value: Any, label: str) -> str:
    """The choice's label, or '<Fact> not stated' when the source does not state it."""
    return not_stated_phrase(fact) if is_not_stated(value) else label


def stated_member(document: Mapping[str, Any], name: str) -> str:
    """A choice member of a document as a line of facts shows it: its `<name>_label`, or
    '<Name> not stated'. Both members must be read (a partial document lacking them is a
    KeyError, not a trial silently shown as not stating its phase)."""
    return stated_choice(
        fact=name.replace("_", " "), value=document[name], label=document[f"{name}_label"]
    )


def stated_text(value: str | None, *, fact: str) -> str:
    """A free-text fact as stated, or '<Fact> not stated': a trial's adverse event with no arm
    is not one of all participants (SHARP's grade 3 ceiling names neither arm), nor is a
    drug's incidence with no population one of all patients."""
    return value or not_stated_phrase(fact)
