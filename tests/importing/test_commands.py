"""import_citations: preview, then write only with --yes; errors name file, record, field."""

import io

import pytest
from django.core.management import CommandError, call_command

from monographs.models import Citation
from tests.importing.replay import SAMPLES

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("import_citations", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_files_in_every_format_are_previewed_and_written_with_yes():
    files = [
        str(SAMPLES / name)
        for name in ("references.ris", "references.bib", "references.csl.json", "references.nbib")
    ]
    output = run(*files, "--yes")
    assert "create  llovet-2008-sorafenib-in-advanced-hepatocellular" in output
    # The SHARP paper is in three of the files: created once, skipped twice, as is Escudier.
    assert "Citations: 5 created, 0 updated, 3 skipped." in output
    assert set(Citation.objects.values_list("doi", flat=True)) == {
        "10.1056/NEJMoa0708857",
        "10.1056/NEJMoa060655",
        "10.1016/S0140-6736(14)60421-9",
        "10.1158/0008-5472.CAN-04-1443",
        "10.1016/S1470-2045(08)70285-7",
    }


def test_without_yes_or_a_terminal_nothing_is_written():
    output = run(str(SAMPLES / "references.ris"))
    assert "create  " in output
    assert "Nothing was written: run again with --yes" in output
    assert Citation.objects.count() == 0


def test_dry_run_writes_nothing():
    output = run(str(SAMPLES / "references.bib"), "--dry-run", "--yes")
    assert "Dry run: 2 citation(s) would be written; none was." in output
    assert Citation.objects.count() == 0


def test_identifiers_are_looked_up(replay):
    replay.add_sample("/eutils/efetch.fcgi", "pubmed_efetch.xml", "text/xml")
    replay.add_sample("/crossref/works/10.1158/0008-5472.CAN-04-1443", "crossref_work.json")
    output = run("18650514", "--yes")
    assert "Citations: 1 created" in output
    assert Citation.objects.get().pmid == "18650514"


def test_a_bad_file_stops_everything_with_its_name_record_and_field():
    with pytest.raises(CommandError) as raised:
        run(
            str(SAMPLES / "references.ris"),
            str(SAMPLES / "bad" / "missing_title.csl.json"),
            "--yes",
        )
    assert "Nothing was imported." in str(raised.value)
    assert "missing_title.csl.json, record 2 (id b), field title: has no title" in str(raised.value)
    assert Citation.objects.count() == 0


def test_an_unreachable_service_is_a_plain_message(unreachable):
    with pytest.raises(CommandError, match="PubMed could not be reached; nothing was changed"):
        run("18650514", "--yes")
    assert Citation.objects.count() == 0


def test_a_missing_file_is_named():
    with pytest.raises(CommandError, match="No such file: refs-typo.ris. Nothing was imported."):
        run("refs-typo.ris", "--yes")
