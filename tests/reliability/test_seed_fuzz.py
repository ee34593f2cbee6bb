"""Malformed seed files, generated: refused naming file, record and field; nothing changes.

A valid seed is loaded and published first. Hypothesis then breaks a copy of it in one of
many ways (wrong types, impossible numbers, unknown references or fields, missing required
fields, broken YAML, bytes that are not UTF-8, arbitrary text) and loads that. Every load
must fail with a message that says where, and leave row counts, publications and their
hashes exactly as they were.
"""

import copy
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from monographs.editorial.models import EditorialEvent
from monographs.publishing.models import Entry, Publication
from tests.seeds.snapshots import content_snapshot, row_counts
from tests.seeds.tiny import TINY_SEED

TINY = yaml.safe_load(TINY_SEED)
RECORDS = {
    "source.citation": (("source", "citation"), ["title"]),
    "drugs[testamib]": (("drugs", 0), ["inn"]),
    "trials[tiny-trial]": (("trials", 0), ["title", "enrolment"]),
    "trials[tiny-trial].arms[Testamib]": (("trials", 0, "arms", 0), ["participants"]),
    "trials[tiny-trial].outcomes[pfs]": (
        ("trials", 0, "outcomes", 0),
        ["value", "ci_low", "ci_high", "ci_level"],
    ),
    "trials[tiny-trial].adverse_events[nausea]": (
        ("trials", 0, "adverse_events", 0),
        ["count", "denominator", "percent"],
    ),
}
NUMERIC = {
    "enrolment",
    "participants",
    "value",
    "ci_low",
    "ci_high",
    "ci_level",
    "count",
    "denominator",
    "percent",
}
REFERENCES = {
    "trials[tiny-trial].outcomes[pfs]": "arm",
    "trials[tiny-trial].adverse_events[nausea]": "term",
}
NOT_A_NUMBER = st.one_of(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", min_size=1, max_size=12).filter(str.strip),
    st.lists(st.integers(), min_size=1, max_size=3),
    st.dictionaries(st.sampled_from(["a", "b"]), st.integers(), min_size=1),
    st.booleans(),
)
WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=10)


def record_of(data: dict, path: tuple) -> dict:
    for step in path:
        data = data[step]
    return data


@st.composite
def field_mutation(draw) -> tuple[bytes, str, str]:
    """A parsed copy of the tiny seed with one field made wrong: (file bytes, record, field)."""
    data = copy.deepcopy(TINY)
    label = draw(st.sampled_from(sorted(RECORDS)))
    path, fields = RECORDS[label]
    record = record_of(data, path)
    how = draw(st.sampled_from(["unknown_field", "wrong_type", "out_of_range", "missing", "ref"]))
    numeric = [name for name in fields if name in NUMERIC]
    if how == "wrong_type" and numeric:
        field = draw(st.sampled_from(numeric))
        record[field] = draw(NOT_A_NUMBER)
    elif how == "out_of_range" and numeric:
        field = draw(st.sampled_from(numeric))
        record[field] = draw(st.integers(max_value=-1) | st.integers(min_value=10**12))
    elif how == "ref" and label in REFERENCES:
        field = REFERENCES[label]
        record[field] = "unknown-" + draw(WORD)
    elif how == "missing" and fields[0] not in NUMERIC:
        field = fields[0]
        del record[field]
    else:
        field = "zz" + draw(WORD)
        record[field] = draw(st.integers() | WORD)
    return yaml.safe_dump(data, sort_keys=False).encode(), label, field


@st.composite
def broken_file(draw) -> tuple[bytes, str, str]:
    """The tiny seed as bytes, broken below the level of fields: (file bytes, "", "")."""
    text = TINY_SEED
    how = draw(st.sampled_from(["unclosed", "not_utf8", "any_text", "not_a_mapping"]))
    lines = text.splitlines()
    if how == "unclosed":
        at = draw(st.integers(min_value=0, max_value=len(lines)))
        lines.insert(at, draw(st.sampled_from(["broken: [", "broken: {a: 1", "'unclosed"])))
        return "\n".join(lines).encode(), "", ""
    if how == "not_utf8":
        at = draw(st.integers(min_value=0, max_value=len(text)))
        junk = draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xe2\x82", b"\x80abc"]))
        return text.encode()[:at] + junk + text.encode()[at:], "", ""
    if how == "not_a_mapping":
        return yaml.safe_dump(draw(st.lists(WORD, min_size=1))).encode(), "", ""
    return draw(st.text(max_size=200)).encode(), "", ""


@pytest.fixture
def loaded(db, tmp_path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY_SEED, encoding="utf-8")
    call_command("load_seeds", str(path), stdout=StringIO())
    assert Publication.objects.count() == 2
    return path


def database_state() -> dict:
    return {
        "rows": row_counts(),
        "content": content_snapshot(),
        "publications": list(
            Publication.objects.order_by("pk").values_list(
                "kind", "slug", "version", "content_hash"
            )
        ),
        "entries": list(Entry.objects.order_by("pk").values_list("slug", "current_id")),
        "events": EditorialEvent.objects.count(),
    }


inputs_tried: list[str] = []


@settings(
    max_examples=40,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=field_mutation() | broken_file())
def test_malformed_seeds_are_refused_saying_where_and_change_nothing(case, loaded):
    content, record, field = case
    before = database_state()
    loaded.write_bytes(content)

    with transaction.atomic():
        with pytest.raises(CommandError) as refused:
            call_command("load_seeds", str(loaded), stdout=StringIO())
        message = str(refused.value)
        inputs_tried.append(message.splitlines()[0])

        assert "nothing was loaded" in message or "nothing was written" in message, message
        problems = [line for line in message.splitlines() if line.startswith("  - ")]
        assert problems and all("tiny.yaml" in problem for problem in problems), message
        if record:
            assert any(
                f"{record}, field '{field}'" in problem
                or f"{record}." in problem
                or (f"{record}, field '" in problem and f"{field} (" in problem)
                for problem in problems
            ), message
        assert database_state() == before
        transaction.set_rollback(True)
