"""Bad seed input: a clear message naming file, record and field, and nothing written."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.seeds.snapshots import content_snapshot
from tests.seeds.tiny import tiny_seed_write
from trials.models import Trial

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded_tiny_seed(tmp_path):
    """A database holding the tiny seed, and its content to compare against after a failure."""
    call_command("load_seeds", "--draft", str(tiny_seed_write(tmp_path)), stdout=StringIO())
    return content_snapshot()


def refused(*paths) -> str:
    with pytest.raises(CommandError) as raised:
        call_command("load_seeds", "--draft", *map(str, paths), stdout=StringIO())
    return str(raised.value)


def test_malformed_yaml_names_the_file_and_line(tmp_path, loaded_tiny_seed):
    path = tiny_seed_write(tmp_path, name="broken.yaml", replace={'phase: "2"': "phase: [2"})
    message = refused(path)
    assert "broken.yaml, line " in message
    assert "is not valid YAML" in message and "fix the syntax" in message
    assert content_snapshot() == loaded_tiny_seed


def test_a_wrong_type_names_record_and_field(tmp_path, loaded_tiny_seed):
    path = tiny_seed_write(tmp_path, replace={"enrolment: 20": "enrolment: twenty"})
    message = refused(path)
    assert "tiny.yaml, line 19: trials[tiny-trial], field 'enrolment': must be a number" in message
    assert "nothing was loaded" in message
    assert content_snapshot() == loaded_tiny_seed


def test_a_bound_on_the_wrong_end_is_refused_in_the_admins_words(tmp_path, loaded_tiny_seed):
    path = tiny_seed_write(
        tmp_path, replace={"percent: 10": "percent: 10\n        percent_bound: lt"}
    )
    message = refused(path)
    assert (
        "trials[tiny-trial].adverse_events[nausea], field 'percent_bound': The percentage is "
        "“Less than (<)”: that figure is the high end alone; move 10 to the high end"
    ) in message
    assert content_snapshot() == loaded_tiny_seed


def test_a_percentage_over_100_is_refused(tmp_path, loaded_tiny_seed):
    path = tiny_seed_write(tmp_path, replace={"percent: 10": "percent: 120"})
    message = refused(path)
    assert "trials[tiny-trial].adverse_events[nausea], field 'percent'" in message
    assert "above the allowed maximum of 100" in message
    assert content_snapshot() == loaded_tiny_seed


def test_a_value_outside_its_confidence_interval_is_refused(tmp_path, loaded_tiny_seed):
    path = tiny_seed_write(tmp_path, replace={"ci_low: 7": "ci_low: 30"})
    message = refused(path)
    expected = "outcomes[pfs], field 'ci_low': CI low 30 is above CI high 29. Correct it in the"
    assert f"trials[tiny-trial].{expected} seed file." in message
    assert content_snapshot() == loaded_tiny_seed


def test_a_count_above_its_denominator_is_refused(tmp_path, loaded_tiny_seed):
    path = tiny_seed_write(tmp_path, replace={"count: 2": "count: 22"})
    message = refused(path)
    assert (
        "adverse_events[nausea], field 'count': The count 22 is more than the denominator 20."
        in message
    )
    assert content_snapshot() == loaded_tiny_seed


def test_an_unknown_reference_is_refused(tmp_path, loaded_tiny_seed):
    path = tiny_seed_write(tmp_path, replace={"term: test-nausea": "term: test-vomiting"})
    message = refused(path)
    assert "adverse_events[nausea], field 'term': names an unknown adverse-event term" in message
    assert "adverse_event_terms.yaml" in message
    assert content_snapshot() == loaded_tiny_seed


def test_an_unknown_arm_lists_the_arms_there_are(tmp_path, loaded_tiny_seed):
    path = tiny_seed_write(tmp_path, replace={"arm: Testamib\n": "arm: Placebo\n"})
    message = refused(path)
    assert "outcomes[pfs], field 'arm': names an unknown arm 'Placebo'" in message
    assert "('Testamib')" in message


def test_a_duplicate_yaml_key_is_refused(tmp_path, loaded_tiny_seed):
    path = tiny_seed_write(tmp_path, replace={"enrolment: 20": "enrolment: 20\n    enrolment: 25"})
    message = refused(path)
    assert "tiny.yaml, line 20" in message
    assert "the key 'enrolment' appears twice in the same mapping (first on line 19)" in message
    assert content_snapshot() == loaded_tiny_seed


def test_a_duplicate_record_key_is_refused(tmp_path, loaded_tiny_seed):
    second_outcome = "      - key: pfs\n        measure: OS\n        value: 30\n    adverse_events:"
    path = tiny_seed_write(tmp_path, replace={"    adverse_events:": second_outcome})
    message = refused(path)
    assert "outcomes[pfs], field 'key': duplicate key 'pfs'" in message
    assert content_snapshot() == loaded_tiny_seed


def test_a_drug_declared_in_two_files_is_refused(tmp_path, loaded_tiny_seed):
    first = tiny_seed_write(tmp_path)
    second = tmp_path / "second.yaml"
    second.write_text(
        "source:\n  citation: {key: second-source, title: Another source}\n"
        "drugs:\n  - {slug: testamib, inn: testamib}\n",
        encoding="utf-8",
    )
    message = refused(first, second)
    assert (
        "tiny.yaml, line 7: drugs[testamib], field 'slug': the drug 'testamib' is declared twice"
        in (message)
    )
    assert "(first in " in message and "second.yaml, line 4)" in message
    assert content_snapshot() == loaded_tiny_seed


def test_an_unknown_field_suggests_the_right_one(tmp_path, loaded_tiny_seed):
    path = tiny_seed_write(tmp_path, replace={"value: 18": "valeu: 18"})
    message = refused(path)
    assert (
        "outcomes[pfs], field 'valeu': is not a field of this outcome: did you mean 'value'?"
        in (message)
    )


def test_an_identifier_in_the_wrong_format_is_refused(tmp_path, loaded_tiny_seed):
    path = tiny_seed_write(tmp_path, replace={"doi: 10.1234/tiny.1": "doi: 10.12/tiny.1"})
    message = refused(path)
    assert "source.citation, field 'doi': Enter a DOI of the form 10.xxxx/suffix" in message
    assert content_snapshot() == loaded_tiny_seed


def test_a_valid_file_is_not_loaded_beside_an_invalid_one(tmp_path):
    valid = tiny_seed_write(tmp_path)
    invalid = tmp_path / "invalid.yaml"
    invalid.write_text("source:\n  citation: {key: x-source}\n", encoding="utf-8")
    message = refused(valid, invalid)
    assert (
        "invalid.yaml, line 2: source.citation, field 'title': is required: add 'title: ...'"
        in message
    )
    assert not Trial.objects.exists()


def test_an_unknown_drug_is_reported_once_for_its_block(tmp_path):
    path = tmp_path / "orphan.yaml"
    path.write_text(
        "source:\n  citation: {key: orphan-source, title: A source}\n"
        "drug_content:\n"
        "  - drug: nonexistent\n"
        "    warnings:\n"
        "      - {key: one, topic: First}\n"
        "      - {key: two, topic: Second}\n",
        encoding="utf-8",
    )
    message = refused(path)
    assert message.startswith("1 problem in the seed files; nothing was loaded:")
    assert (
        "orphan.yaml, line 4: drug_content[nonexistent], field 'drug': names an unknown drug"
        in (message)
    )


def test_an_intervention_must_name_something(tmp_path, loaded_tiny_seed):
    path = tiny_seed_write(
        tmp_path, replace={"{drug: testamib, dose: 10 mg, frequency: once daily}": "{dose: 10 mg}"}
    )
    message = refused(path)
    assert "arms[Testamib].interventions[1], field 'drug': give either 'drug' or 'name'." in message
    assert content_snapshot() == loaded_tiny_seed


def test_publishing_before_the_static_files_are_collected_says_what_to_run(
    tmp_path, loaded_tiny_seed, settings
):
    """With DEBUG off, pages name static files by the hashed names collectstatic writes
    down; a load that publishes before it ran stops before writing anything."""
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }

    with pytest.raises(CommandError) as raised:
        call_command("load_seeds", str(tiny_seed_write(tmp_path)), stdout=StringIO())

    assert "collectstatic" in str(raised.value) and str(tmp_path / "static") in str(raised.value)
    assert content_snapshot() == loaded_tiny_seed
