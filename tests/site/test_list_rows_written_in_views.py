"""The trial list, the drug list, search results and the adverse-event term page write
each card's or row's display values in the view; the templates print them. These hold the
pages to the markup the templates wrote piece by piece before (kept here as the reference),
byte for byte, over the seed corpus, a small synthetic corpus and entries with characters
that must be escaped.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.template import engines
from django.urls import reverse

from monographs.editorial.services.publish import root_import_publish
from monographs.loadtest.synthetic import corpus_generate
from tests.factories import ConditionFactory, DrugFactory, DrugNameFactory, TrialFactory
from trials.models import Trial
from trials.views.presentation import MASKING_LABELS

pytestmark = pytest.mark.django_db

TRIAL_CARDS_BEFORE = """{% load public_site %}{% for trial in trials %}
          <li class="card">
            <h2 class="card__title"><a href="{{ trial.url }}">{{ trial.name }}</a></h2>
            <p class="card__meta">
              <span class="pill">{% if trial.document.phase == "not_stated" %}Phase not stated{% else %}{{ trial.document.phase_label }}{% endif %}</span>
              {% if trial.document.design == "not_stated" %}Design not stated{% else %}{{ trial.document.design_label }}{% endif %}{% if trial.masking %}, {{ trial.masking|lower }}{% endif %}
              {% if trial.document.start_date %} · started {{ trial.document.start_date|iso_date:trial.document.start_date_precision }}{% endif %}
              {% if trial.document.enrolment is not None %} · {{ trial.document.enrolment }} patients{% endif %}
            </p>
            <p class="card__summary">
              {% for condition in trial.document.conditions %}{{ condition.name }}{% if condition.abbreviation %} ({{ condition.abbreviation }}){% endif %}{% if not forloop.last %}; {% endif %}{% endfor %}{% if trial.document.drugs %} · {% for drug in trial.document.drugs %}{{ drug.name|capfirst }}{% if not forloop.last %}, {% endif %}{% endfor %}{% endif %}{% if trial.document.nct_id %} · {{ trial.document.nct_id }}{% endif %}
            </p>
          </li>
        {% endfor %}"""  # noqa: E501

DRUG_CARDS_BEFORE = """{% for drug in drugs %}
              <li class="card">
                <h3 class="card__title"><a href="{{ drug.url }}">{{ drug.entry.title|capfirst }}</a></h3>
                {% with names=drug.document.names %}{% if names %}<p class="card__names">{% for name in names %}{% if name.kind == "brand" %}<span>{{ name.name }}</span>{% endif %}{% endfor %}</p>{% endif %}{% endwith %}
                {% if drug.document.drug_class %}<p class="card__meta">{{ drug.document.drug_class }}{% if drug.document.targets %} · targets {% for target in drug.document.targets %}{{ target.symbol }}{% if not forloop.last %}, {% endif %}{% endfor %}{% endif %}</p>{% endif %}
                {% if drug.document.summary %}<p class="card__summary">{{ drug.document.summary }}</p>{% endif %}
              </li>
            {% endfor %}"""  # noqa: E501

TERM_ROWS_BEFORE = """{% load public_site %}{% for row in drugs %}
      <tr>
        <th scope="row"><a href="{{ row.url }}#section-adverse_events">{{ row.name }}</a></th>
        <td data-label="Population or study">{{ row.ae.context|default:"Population not stated" }}</td>
        <td data-label="Any grade" class="num">{{ row.ae|drug_incidence:"any_grade"|or_not_stated }}</td>
        <td data-label="Grade ≥3" class="num">{{ row.ae|drug_incidence:"grade_3_plus"|or_not_stated }}{% with scope=row.ae|severe_scope %}{% if scope %}<p class="cell-note">{{ scope }}</p>{% endif %}{% endwith %}</td>
        <td data-label="Frequency">{% if row.frequency %}{{ row.frequency }}{% else %}<span class="muted" aria-hidden="true">Not stated</span><span class="visually-hidden">Frequency band not stated</span>{% endif %}</td>
        <td data-label="Source">{% if row.source %}<a href="{% link 'monographs:reference_detail' row.source.key %}">{{ row.source.label }}</a>{% if row.source.locator %}<p class="cell-note">{{ row.source.locator }}</p>{% endif %}{% else %}–{% endif %}</td>
      </tr>
    {% endfor %}|{% for row in trials %}
      <tr>
        <th scope="row"><a href="{{ row.url }}#adverse-events">{{ row.name }}</a></th>
        <td data-label="Arm">{{ row.ae.arm|default:"Arm not stated" }}</td>
        <td data-label="Grade">{{ row.grade }}</td>
        <td data-label="Patients (%)" class="num">{{ row.ae|trial_ae_figure|or_not_stated }}</td>
        <td data-label="Source">{% if row.source %}<a href="{% link 'monographs:reference_detail' row.source.key %}">{{ row.source.label }}</a>{% if row.source.locator %}<p class="cell-note">{{ row.source.locator }}</p>{% endif %}{% else %}–{% endif %}{% if row.note %}<p class="editorial-note"><span class="editorial-note__label">Editorial note:</span> {{ row.note }}</p>{% endif %}</td>
      </tr>
    {% endfor %}"""  # noqa: E501

SEARCH_RESULTS_BEFORE = """{% for result in results %}
      <li class="result">
        <p class="result__kind"><span class="kind-badge kind-badge--{{ result.kind }}">{{ result.kind_label }}</span>{% if result.description %} <span class="muted">{{ result.description|truncatechars:140 }}</span>{% endif %}</p>
        <h2 class="result__title"><a href="{{ result.url }}">{{ result.title|capfirst }}</a></h2>
        {% if result.snippet %}<p class="result__snippet">{{ result.snippet }}</p>{% endif %}
      </li>
    {% endfor %}"""  # noqa: E501


def render_before(source: str, context: dict) -> str:
    return engines["django"].from_string(source).render(context)


@pytest.fixture
def corpora():
    """The seed corpus, a small synthetic one, and entries that test escaping and the
    optional parts of a card (no start date, no enrolment stated, masking not stated)."""
    call_command("load_seeds", stdout=StringIO())
    corpus_generate(drugs=2, trials=6, seed=5)
    drug = DrugFactory(inn="r&d <x> 'o'", slug="r-and-d")
    DrugNameFactory(drug=drug, name="Q&A <b>", kind="brand")
    root_import_publish(root=drug, note="Test publication")
    condition = ConditionFactory(name="Crohn's & <odd> disease", slug="odd", abbreviation="C&O")
    for values in (
        {
            "slug": "awkward",
            "acronym": "A&B",
            "title": 'Tom & Jerry <script> "quoted" trial',
            "masking": Trial.Masking.NOT_STATED,
            "start_date": None,
            "enrolment": None,
            "nct_id": "",
        },
        {"slug": "open", "acronym": "", "masking": Trial.Masking.NONE, "enrolment": 0},
    ):
        trial = TrialFactory(**values)
        trial.drugs.set([drug])
        trial.conditions.add(condition)
        root_import_publish(root=trial, note="Test publication")


def trial_list_pages(client) -> list:
    first = client.get(reverse("trials:trial_list"))
    pages = [first]
    for number in range(2, first.context["page"].paginator.num_pages + 1):
        pages.append(client.get(reverse("trials:trial_list"), {"page": number}))
    return pages


def test_trial_cards_are_the_markup_the_template_wrote_before(client, corpora):
    shown = 0
    for response in trial_list_pages(client):
        trials = [
            {
                "url": card["url"],
                "name": card["name"],
                "document": card["entry"].document_members,
                "masking": MASKING_LABELS.get(card["entry"].document_members["masking"], "")
                if card["entry"].document_members["masking"] != "not_stated"
                else "",
            }
            for card in response.context["trials"]
        ]
        before = render_before(TRIAL_CARDS_BEFORE, {"trials": trials})
        assert before in response.content.decode()
        shown += len(trials)
    assert shown >= 28
    html = client.get(reverse("trials:trial_list")).content.decode()
    assert "A&amp;B: Tom &amp; Jerry &lt;script&gt; &quot;quoted&quot; trial" in html


def test_drug_cards_are_the_markup_the_template_wrote_before(client, corpora):
    response = client.get(reverse("monographs:drug_list"))
    html = response.content.decode()
    shown = []
    for letter, drugs in response.context["letters"]:
        before = render_before(DRUG_CARDS_BEFORE, {"drugs": drugs})
        assert before in html, letter
        shown += drugs

    assert len(shown) >= 18
    assert "R&amp;d &lt;x&gt; &#x27;o&#x27;" in html and "Q&amp;A &lt;b&gt;" in html


def test_term_rows_are_the_markup_the_template_wrote_before(client, corpora):
    response = client.get(reverse("monographs:adverse_event_list"))
    slugs = {term.slug for term in _live_terms()}
    assert len(slugs) >= 20
    rows = 0
    for slug in sorted(slugs):
        response = client.get(reverse("monographs:adverse_event_detail", args=[slug]))
        html = response.content.decode()
        context = {"drugs": response.context["drugs"], "trials": response.context["trials"]}
        drug_rows, trial_rows = render_before(TERM_ROWS_BEFORE, context).split("|")
        assert drug_rows in html and trial_rows in html, slug
        rows += len(response.context["drugs"]) + len(response.context["trials"])
    assert rows >= 60


def _live_terms():
    from monographs.models import AdverseEventTerm
    from monographs.publishing.models import Entry, Facet

    live = Facet.objects.filter(
        name="term", publication__in=Entry.objects.live().values("current_id")
    ).values("value")
    return AdverseEventTerm.objects.filter(slug__in=live)


@pytest.mark.parametrize(
    "query",
    ["sorafenib", "hepatocellular carcinoma", "hand-foot", "llovet", "nct", "r&d", "sorafenb"],
)
def test_search_results_are_the_markup_the_template_wrote_before(client, corpora, query):
    for kind in ("", "drug", "trial", "reference"):
        response = client.get(reverse("monographs:search"), {"q": query, "kind": kind})
        results = response.context["results"]
        before = render_before(SEARCH_RESULTS_BEFORE, {"results": results})
        assert before in response.content.decode(), (query, kind)
        assert len(response.context["rows"]) == len(results)
    assert client.get(reverse("monographs:search"), {"q": query}).context["results"]
