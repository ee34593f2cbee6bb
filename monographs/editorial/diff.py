"""What changed between two documents, section by section and row by row.

Reviewers judge a draft by its differences from what readers see now, so the diff works on
documents (exactly what would be published), never on the working-copy tables. Scalar
fields form an "Overview" section; every list of rows (sections, approvals, outcomes,
references, ...) is its own section, with rows matched by a stable identity so an edited row
reads as "changed" rather than as one row removed and another added.
"""

import difflib
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

OVERVIEW = "overview"

RowState = Literal["added", "removed", "changed", "moved"]

# Rendered from other fields (Markdown bodies, citation records), or bookkeeping that moves
# whenever anything is inserted before it; showing them would repeat each real change.
DERIVED_FIELDS = frozenset({"id", "html", "answer_html", "summary_html", "vancouver"})
DERIVED_NESTED_FIELDS = frozenset({"source.number"})

# Rows that are unique by something readers recognise: a drug has one section of each kind,
# a reference list has one entry per citation key.
NATURAL_IDENTITIES = {
    "sections": ("kind",),
    "references": ("key",),
    "names": ("name",),
    "targets": ("symbol",),
    "conditions": ("slug",),
    "drugs": ("slug",),
    "publications": ("citation",),
    "arms": ("label",),
}

ROW_LABEL_FIELDS = (
    "title", "label", "name", "topic", "parameter", "question", "population", "dosage_form",
    "indication", "measure_label", "condition", "key", "symbol", "slug", "citation",
)  # fmt: skip

LONG_TEXT_WORDS = 8


@dataclass(frozen=True)
class FieldChange:
    """One field whose value differs; `inline` marks words removed and inserted in long text."""

    name: str
    old: str
    new: str
    inline: SafeString | None = None

    @property
    def label(self) -> str:
        """The field as a reviewer reads it: "source › locator" for "source.locator"."""
        return self.name.replace(".", " › ").replace("_", " ")


@dataclass(frozen=True)
class RowChange:
    state: RowState
    label: str
    fields: list[FieldChange] = field(default_factory=list)


@dataclass(frozen=True)
class SectionChange:
    key: str
    title: str
    fields: list[FieldChange] = field(default_factory=list)
    rows: list[RowChange] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in self.rows:
            counts[row.state] = counts.get(row.state, 0) + 1
        return counts


def document_diff(*, old: dict[str, Any] | None, new: dict[str, Any]) -> list[SectionChange]:
    """The sections that differ between `old` (None: nothing published yet) and `new`."""
    old = old or {}
    list_keys = [key for key in new if _is_row_list(new[key])]
    list_keys += [key for key in old if _is_row_list(old[key]) and key not in list_keys]

    changes: list[SectionChange] = []
    overview = _field_changes(
        _flatten({k: v for k, v in old.items() if k not in list_keys}),
        _flatten({k: v for k, v in new.items() if k not in list_keys}),
    )
    if overview:
        changes.append(SectionChange(key=OVERVIEW, title="Overview", fields=overview))
    for key in list_keys:
        rows = rows_diff(key=key, old=old.get(key) or [], new=new.get(key) or [])
        if rows:
            changes.append(SectionChange(key=key, title=section_title(key), rows=rows))
    return changes


def section_title(key: str) -> str:
    return key.replace("_", " ").capitalize()


def rows_diff(*, key: str, old: list[dict], new: list[dict]) -> list[RowChange]:
    """Rows added, removed, changed or moved, in the order of the new list (removed rows last)."""
    identify = _identity(key, old, new)
    old_by_identity = {identify(index, row): row for index, row in enumerate(old)}
    new_identities = [identify(index, row) for index, row in enumerate(new)]
    present = set(new_identities)
    matched_in_old_order = [i for i in old_by_identity if i in present]
    matched_in_new_order = [i for i in new_identities if i in old_by_identity]
    moved = _moved(matched_in_old_order, matched_in_new_order)

    changes: list[RowChange] = []
    for identity, row in zip(new_identities, new, strict=True):
        previous = old_by_identity.get(identity)
        if previous is None:
            changes.append(RowChange("added", row_label(row), _field_changes({}, _flatten(row))))
            continue
        fields = _field_changes(_flatten(previous), _flatten(row))
        if fields:
            changes.append(RowChange("changed", row_label(row), fields))
        elif identity in moved:
            changes.append(RowChange("moved", row_label(row)))
    for identity, row in old_by_identity.items():
        if identity not in present:
            changes.append(RowChange("removed", row_label(row), _field_changes(_flatten(row), {})))
    return changes


def row_label(row: dict[str, Any]) -> str:
    """What a reviewer calls the row: its title, label, name, term, ..."""
    term = row.get("term")
    if isinstance(term, dict) and term.get("name"):
        arm = f" ({row['arm']})" if row.get("arm") else ""
        return f"{term['name']}{arm}"
    partner = row.get("interacting_drug") or row.get("therapy_drug")
    if isinstance(partner, dict) and partner.get("name"):
        return partner["name"]
    if row.get("agency"):
        return f"{row['agency']} {row.get('year') or ''}: {row.get('indication', '')}".strip()
    for name in ROW_LABEL_FIELDS:
        value = row.get(name)
        if isinstance(value, dict):
            value = value.get("name") or value.get("slug")
        if value:
            return str(value)
    return "Row"


def inline_diff(old: str, new: str) -> SafeString:
    """Word-level difference as HTML: removed words in <del>, inserted words in <ins>.

    Every piece of text is escaped before it is wrapped, so document content cannot inject
    markup into the review page.
    """
    old_words, new_words = _words(old), _words(new)
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    parts: list[str] = []
    for operation, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        removed = escape("".join(old_words[old_start:old_end]))
        inserted = escape("".join(new_words[new_start:new_end]))
        if operation == "equal":
            parts.append(inserted)
            continue
        if removed:
            parts.append(f"<del>{removed}</del>")
        if inserted:
            parts.append(f"<ins>{inserted}</ins>")
    return mark_safe("".join(parts))  # noqa: S308 - every fragment was escaped above


def display_value(value: Any) -> str:
    """A field value as a reviewer reads it: empty for nothing, lists joined, ranges dashed."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        shown = {k: display_value(v) for k, v in value.items()}
        return "; ".join(f"{k}: {v}" for k, v in shown.items() if v)
    if isinstance(value, list):
        if len(value) == 2 and all(v is None or isinstance(v, int | float) for v in value):
            return "–".join("" if v is None else str(v) for v in value)
        return ", ".join(display_value(v) for v in value)
    return str(value)


def _is_row_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _identity(key: str, old: list[dict], new: list[dict]):
    natural = NATURAL_IDENTITIES.get(key)
    if natural and _unique_by(natural, old) and _unique_by(natural, new):
        return lambda index, row: ("natural", *(_hashable(row.get(f)) for f in natural))
    if all(row.get("id") is not None for row in old + new):
        return lambda index, row: ("id", row["id"])
    return lambda index, row: ("position", index)


def _unique_by(fields: tuple[str, ...], rows: list[dict]) -> bool:
    values = [tuple(_hashable(row.get(f)) for f in fields) for row in rows]
    return all(v is not None for value in values for v in value) and len(set(values)) == len(values)


def _hashable(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    return value


def _moved(old_order: list, new_order: list) -> set:
    """Rows whose place among the other matched rows changed (outside the longest common run)."""
    matcher = difflib.SequenceMatcher(None, old_order, new_order, autojunk=False)
    kept = {
        identity
        for block in matcher.get_matching_blocks()
        for identity in old_order[block.a : block.a + block.size]
    }
    return set(new_order) - kept


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if (not prefix and key in DERIVED_FIELDS) or name in DERIVED_NESTED_FIELDS:
            continue
        if isinstance(value, dict):
            nested = _flatten(value, f"{name}.")
            flat.update(nested if nested else {name: None})
        else:
            flat[name] = value
    return flat


def _field_changes(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    names = list(new) + [name for name in old if name not in new]
    changes = []
    for name in names:
        before, after = old.get(name), new.get(name)
        if _same(before, after):
            continue
        old_text, new_text = display_value(before), display_value(after)
        inline = None
        if old_text and new_text and _is_long_text(before, after):
            inline = inline_diff(old_text, new_text)
        changes.append(FieldChange(name=name, old=old_text, new=new_text, inline=inline))
    return changes


def _same(before: Any, after: Any) -> bool:
    empty = (None, "", [], {})
    if before in empty and after in empty:
        return True
    return before == after


def _is_long_text(before: Any, after: Any) -> bool:
    return (
        isinstance(before, str)
        and isinstance(after, str)
        and max(len(before.split()), len(after.split())) >= LONG_TEXT_WORDS
    )


def _words(text: str) -> list[str]:
    """Words, the spaces between them and punctuation, each its own token."""
    return re.findall(r"\s+|\w+|[^\w\s]", text)
