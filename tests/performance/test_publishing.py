"""Publishing costs a bounded number of queries, one root or a hundred thousand at a time.

The bulk path (roots_import_publish_bulk) must give each root exactly what publishing it
alone gives: the same document, facets, entry, event, search rows and read-table rows.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from monographs.api.models import PublishedAdverseEvent, PublishedCitation
from monographs.documents import build_drug_document, drug_facets
from monographs.editorial.exceptions import QualityCheckFailed
from monographs.editorial.models import EditorialEvent, Status
from monographs.editorial.services.publish import root_import_publish, roots_import_publish_bulk
from monographs.models import Drug, MonographSection, SearchDocument, SectionKind
from monographs.publishing.models import Entry, Facet, Publication
from monographs.search import search_index_rebuild
from tests.factories import (
    AdverseEventTermFactory,
    CitationFactory,
    DrugAdverseEventFactory,
    DrugFactory,
    OutcomeFactory,
    TrialFactory,
)
from tests.site.corpus import drug_with_monograph, trial_with_results
from trials.documents import build_trial_document, trial_facets
from trials.models import Trial

pytestmark = pytest.mark.django_db

# Publishing one monograph, whatever its size: the root, its document (a query per table),
# checks, version, publication, facets, read tables, entry, search rows and the event.
PUBLISH_QUERY_BUDGET = 80


def monograph(slug: str, *, adverse_events: int, references: int, trials: int) -> Drug:
    """A drug whose monograph cites `references` sources and reports `adverse_events`,
    studied in `trials` trials."""
    drug = DrugFactory(inn=slug, slug=slug)
    citations = [CitationFactory(pmcid=None) for _ in range(references)]
    for position, start in enumerate(range(0, references, 20)):
        body = " ".join(f"A claim [@{c.key}]." for c in citations[start : start + 20])
        MonographSection.objects.create(
            drug=drug, kind=SectionKind.values[position], position=position, body=body
        )
    for position in range(adverse_events):
        DrugAdverseEventFactory(
            drug=drug,
            term=AdverseEventTermFactory(),
            citation=citations[position % references],
            any_grade_low=Decimal("1"),
            any_grade_high=Decimal("20"),
            grade_3_plus_low=None,
            grade_3_plus_high=None,
            position=position,
        )
    for _ in range(trials):
        TrialFactory().drugs.add(drug)
    return drug


def publish_queries(drug: Drug) -> tuple[int, int]:
    """How many queries publishing took, and how many of them were not inserts.

    Inserts may be split by the database's limit on parameters per statement (SQLite's is
    low), so only they may grow with the size of the monograph, by one per few hundred rows.
    """
    with CaptureQueriesContext(connection) as captured:
        root_import_publish(root=drug, note="test")
    statements = [query["sql"].lstrip().upper() for query in captured.captured_queries]
    return len(statements), sum(1 for sql in statements if not sql.startswith("INSERT"))


def test_publishing_the_largest_monograph_costs_a_bounded_number_of_queries():
    # The first publish of a process also looks up the key sequences it draws from (once per
    # process, monographs/bulk.py), so the comparison starts after one.
    publish_queries(monograph("firstinib", adverse_events=1, references=1, trials=1))
    small, small_reads = publish_queries(
        monograph("smallinib", adverse_events=5, references=20, trials=2)
    )

    large, large_reads = publish_queries(
        monograph("largeinib", adverse_events=100, references=200, trials=50)
    )

    document = Entry.objects.get(kind="drug", slug="largeinib").current.document
    assert len(document["adverse_events"]) == 100
    assert len(document["references"]) == 200
    assert large <= PUBLISH_QUERY_BUDGET
    assert large_reads == small_reads
    if connection.vendor == "postgresql":
        assert large == small


def test_bulk_publishing_gives_each_root_what_publishing_it_alone_gives():
    drugs = [drug_with_monograph() for _ in range(2)]
    roots_import_publish_bulk(kind="drug", roots=Drug.objects.all(), note="bulk")
    trials = [trial_with_results(drugs=drugs) for _ in range(3)]
    alone = trial_with_results(drugs=drugs[:1])
    root_import_publish(root=alone, note="alone")

    published = roots_import_publish_bulk(
        kind="trial", roots=Trial.objects.exclude(pk=alone.pk), note="bulk", batch_size=2
    )

    assert published == 3
    for kind, root, build, facets in [
        *[("drug", drug, build_drug_document, drug_facets) for drug in drugs],
        *[("trial", trial, build_trial_document, trial_facets) for trial in trials],
    ]:
        root.refresh_from_db()
        entry = Entry.objects.get(kind=kind, root_id=root.pk)
        assert root.status == Status.PUBLISHED
        assert entry.current.version == 1
        assert entry.current.document == build(root)
        assert sorted(entry.current.facets.values_list("name", "value")) == facets(
            entry.current.document
        )
        assert EditorialEvent.objects.filter(
            root_id=root.pk, kind=entry.kind, action="published", publication=entry.current
        ).exists()
    index = set(SearchDocument.objects.values_list("kind", "slug", "title", "names", "body"))
    search_index_rebuild()
    assert set(SearchDocument.objects.values_list("kind", "slug", "title", "names", "body")) == (
        index
    )
    assert PublishedAdverseEvent.objects.count() == sum(
        len(Entry.objects.get(kind="drug", root_id=d.pk).current.document["adverse_events"])
        for d in drugs
    )
    assert PublishedCitation.objects.filter(publication__kind="trial").count() >= 3


def test_bulk_publishing_writes_a_new_version_only_for_what_changed():
    drug = drug_with_monograph()
    trials = [trial_with_results(drugs=[drug]) for _ in range(3)]
    roots = Trial.objects.all()
    roots_import_publish_bulk(kind="drug", roots=Drug.objects.all(), note="first")
    roots_import_publish_bulk(kind="trial", roots=roots, note="first")

    assert roots_import_publish_bulk(kind="trial", roots=roots, note="again") == 0

    Trial.objects.filter(pk=trials[1].pk).update(title="A corrected title")
    assert roots_import_publish_bulk(kind="trial", roots=roots, note="corrected") == 1
    entry = Entry.objects.get(kind="trial", root_id=trials[1].pk)
    assert (entry.current.version, entry.title) == (2, "A corrected title")
    assert Publication.objects.filter(kind="trial").count() == 4


def test_bulk_publishing_costs_the_same_queries_per_batch_whatever_its_size():
    drug = drug_with_monograph()
    root_import_publish(root=drug, note="test")
    for _ in range(2):
        trial_with_results(drugs=[drug])
    with CaptureQueriesContext(connection) as two:
        roots_import_publish_bulk(kind="trial", roots=Trial.objects.all(), note="bulk")
    for _ in range(6):
        trial_with_results(drugs=[drug])
    with CaptureQueriesContext(connection) as six:
        roots_import_publish_bulk(
            kind="trial", roots=Trial.objects.exclude(status=Status.PUBLISHED), note="bulk"
        )

    assert len(six.captured_queries) == len(two.captured_queries)


def test_a_quality_error_refuses_the_whole_batch():
    drug = drug_with_monograph()
    root_import_publish(root=drug, note="test")
    good = trial_with_results(drugs=[drug])
    bad = trial_with_results(drugs=[drug])
    OutcomeFactory(trial=bad, measure="OS", value=Decimal("12"), citation=None)

    with pytest.raises(QualityCheckFailed, match=f"trial '{bad.slug}'"):
        roots_import_publish_bulk(kind="trial", roots=Trial.objects.all(), note="bulk")

    assert not Entry.objects.filter(kind="trial").exists()
    assert not Facet.objects.filter(publication__kind="trial").exists()
    good.refresh_from_db()
    assert good.status != Status.PUBLISHED
