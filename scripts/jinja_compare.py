"""Django's template engine against Jinja2 on the same page and context, measured in turns.

The page: the content of the commonest adverse-event term's page (its header, its chart and
the two tables of every drug and trial reporting the term), the hottest page the site still
renders per request. The Django side is the content block of the real template
(templates/monographs/adverse_event_detail.html); the Jinja2 side is the same markup ported
by hand below. Both render the context the view builds, on the benchmark's database (see
scripts/render_profile.py for the environment), alternately (Django, Jinja2, Jinja2,
Django, ...), and the script prints the median of each and of their per-round ratio.

And a loop: the 50 cards of the trial list's first page as the template wrote them before
the view did (each card put together from document members with lookups, inner loops and
filters), in both engines, beside the loop the template has now (it prints what trial_card
wrote), to tell what either engine costs where a template does the work.

Jinja2 is not a dependency of the project: it is installed from PyPI into
var/bench/jinja-lib the first time (pip install --target), and only this script imports it.

  python scripts/jinja_compare.py [--rounds N] [--repeat N]
"""

import re
import statistics
import subprocess
import sys
import time

from render_profile import HERE, django_setup, option, targets

JINJA_LIB = HERE / "var" / "bench" / "jinja-lib"
JINJA_VERSION = "3.1.6"

JINJA_CONTENT = """
<header class="page-header">
  <p class="eyebrow">Adverse event{% if term.system_organ_class %} · {{ term.system_organ_class }}{% endif %}</p>
  <h1>{{ title }}</h1>
  {% if term.synonyms %}<p class="lede">Also called {{ term.synonyms|join(", ") }}.</p>{% endif %}
  <p class="muted">Reported in {{ drug_count|entry_count }} drug monograph{{ drug_count|pluralize }} and {{ trial_count|entry_count }} trial{{ trial_count|pluralize }}. Incidence is the percentage of patients.</p>
</header>
{% if chart.too_many %}
<p class="muted">Figures from {{ drug_count|entry_count }} drug{{ drug_count|pluralize }} and {{ trials_shown }} trial{{ trials_shown|pluralize }} are too many to compare in one chart: the tables below give each, with its source.</p>
{% elif chart %}
<figure class="chart-figure" tabindex="0">
  {{ chart.svg }}
  <figcaption>{{ chart.caption }}</figcaption>
</figure>
{% endif %}
{% if drugs %}
<section aria-labelledby="drugs-title">
  <h2 id="drugs-title">Drugs</h2>
  <div class="table-wrap" role="region" aria-labelledby="drugs-caption" tabindex="0">
  <table class="stack">
    <caption id="drugs-caption">{{ title }} with each drug, in % of patients</caption>
    <thead><tr><th scope="col">Drug</th><th scope="col">Population or study</th><th scope="col" class="num">Any grade</th><th scope="col" class="num">Grade ≥3 (or as stated)</th><th scope="col">Frequency</th><th scope="col">Source</th></tr></thead>
    <tbody>
    {% for row in drugs %}
      <tr>
        <th scope="row"><a href="{{ row.url }}#section-adverse_events">{{ row.name }}</a></th>
        <td data-label="Population or study">{{ row.ae.context or "–" }}</td>
        <td data-label="Any grade" class="num">{{ row.any_grade_text|or_not_stated }}</td>
        <td data-label="Grade ≥3" class="num">{{ row.severe_text|or_not_stated }}{% if row.severe_scope %}<p class="cell-note">{{ row.severe_scope }}</p>{% endif %}</td>
        <td data-label="Frequency">{% if row.frequency %}{{ row.frequency }}{% else %}<span class="muted" aria-hidden="true">Not stated</span><span class="visually-hidden">{{ row.frequency_band|not_stated("frequency band") }}</span>{% endif %}</td>
        <td data-label="Source">{% if row.source %}<a href="{{ row.source.url }}">{{ row.source.label }}</a>{% if row.source.locator %}<p class="cell-note">{{ row.source.locator }}</p>{% endif %}{% else %}–{% endif %}</td>
      </tr>
    {% endfor %}
    </tbody>
  </table>
  </div>
</section>
{% endif %}
{% if trials %}
<section aria-labelledby="trials-title">
  <h2 id="trials-title">Trials</h2>
  {% if trials_shown < trial_count %}<p class="muted">The {{ trials_shown }} most recently published of the {{ trial_count|entry_count }} trials reporting it.</p>{% endif %}
  <div class="table-wrap" role="region" aria-labelledby="trials-caption" tabindex="0">
  <table class="stack">
    <caption id="trials-caption">{{ title }} by trial arm and grade</caption>
    <thead><tr><th scope="col">Trial</th><th scope="col">Arm</th><th scope="col">Grade</th><th scope="col" class="num">Patients (%)</th><th scope="col">Source</th></tr></thead>
    <tbody>
    {% for row in trials %}
      <tr>
        <th scope="row"><a href="{{ row.url }}#adverse-events">{{ row.name }}</a></th>
        <td data-label="Arm">{{ row.arm }}</td>
        <td data-label="Grade">{{ row.grade }}</td>
        <td data-label="Patients (%)" class="num">{{ row.figure_text|or_not_stated }}</td>
        <td data-label="Source">{% if row.source %}<a href="{{ row.source.url }}">{{ row.source.label }}</a>{% if row.source.locator %}<p class="cell-note">{{ row.source.locator }}</p>{% endif %}{% else %}–{% endif %}</td>
      </tr>
    {% endfor %}
    </tbody>
  </table>
  </div>
</section>
{% endif %}
"""  # noqa: E501

TRIAL_CARDS_DJANGO = """{% load public_site %}{% for trial in trials %}
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

TRIAL_CARDS_JINJA = """{% for trial in trials %}
          <li class="card">
            <h2 class="card__title"><a href="{{ trial.url }}">{{ trial.name }}</a></h2>
            <p class="card__meta">
              <span class="pill">{% if trial.document.phase == "not_stated" %}Phase not stated{% else %}{{ trial.document.phase_label }}{% endif %}</span>
              {% if trial.document.design == "not_stated" %}Design not stated{% else %}{{ trial.document.design_label }}{% endif %}{% if trial.masking %}, {{ trial.masking|lower }}{% endif %}
              {% if trial.document.start_date %} · started {{ trial.document.start_date|iso_date(trial.document.start_date_precision) }}{% endif %}
              {% if trial.document.enrolment is not none %} · {{ trial.document.enrolment }} patients{% endif %}
            </p>
            <p class="card__summary">
              {% for condition in trial.document.conditions %}{{ condition.name }}{% if condition.abbreviation %} ({{ condition.abbreviation }}){% endif %}{% if not loop.last %}; {% endif %}{% endfor %}{% if trial.document.drugs %} · {% for drug in trial.document.drugs %}{{ drug.name|capfirst }}{% if not loop.last %}, {% endif %}{% endfor %}{% endif %}{% if trial.document.nct_id %} · {{ trial.document.nct_id }}{% endif %}
            </p>
          </li>
        {% endfor %}"""  # noqa: E501

# The two engines escape quotes differently (Django &quot; and &#x27;, MarkupSafe &#34; and
# &#39;): the same characters to a browser, other bytes.
QUOTE_ENTITIES = {"&#34;": "&quot;", "&#39;": "&#x27;"}


def jinja_import():
    if not (JINJA_LIB / "jinja2").is_dir():
        print(f"Installing Jinja2 {JINJA_VERSION} into {JINJA_LIB} ...", file=sys.stderr)
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--target", str(JINJA_LIB)]
            + [f"jinja2=={JINJA_VERSION}"],
            check=True,
        )
    sys.path.append(str(JINJA_LIB))
    import jinja2

    return jinja2


def django_content_template():
    """The content block of the real template, as a template of its own."""
    from django.template import engines

    source = (HERE / "templates/monographs/adverse_event_detail.html").read_text()
    content = re.search(r"{% block content %}(.*){% endblock %}", source, re.S).group(1)
    return engines["django"].from_string("{% load public_site %}" + content)


def term_page_context() -> dict:
    from django.utils.text import capfirst

    from monographs.selectors import term_mentions
    from monographs.views.vocabulary import TRIALS_PER_TERM_PAGE, term_chart, term_incidence

    slug = targets()["term"]
    incidence = term_incidence(slug, term_mentions(slug=slug, trial_limit=TRIALS_PER_TERM_PAGE))
    name = capfirst(incidence["term"].get("name", slug))
    chart = term_chart(name, incidence["drugs"], incidence["trials"])
    return {**incidence, "title": name, "chart": chart}


def trial_cards_context() -> dict:
    """The first page of the trial list: its cards in the shape the loop had before, and as
    trial_card writes them now."""
    from django.core.paginator import Paginator

    from trials.selectors import trial_list, trial_list_page
    from trials.views.pages import TRIALS_PER_PAGE
    from trials.views.presentation import MASKING_LABELS, trial_card, trial_name

    entries = trial_list_page(Paginator(trial_list(facets={}), TRIALS_PER_PAGE).page(1).object_list)
    before, now = [], []
    for entry in entries:
        document, url = entry.document_members, f"/trials/{entry.slug}/"
        masking = document["masking"]
        before.append(
            {
                "url": url,
                "name": trial_name(document),
                "document": document,
                "masking": MASKING_LABELS.get(masking, "") if masking != "not_stated" else "",
            }
        )
        now.append({"url": url, **trial_card(document)})
    return {"trials": before, "cards": now}


def current_trial_cards():
    """The card loop of templates/trials/trial_list.html as it is, reading trial_card's."""
    from django.template import engines

    source = (HERE / "templates/trials/trial_list.html").read_text()
    loop = re.search(r"({% for trial in trials %}.*?{% endfor %})", source, re.S).group(1)
    return engines["django"].from_string(loop.replace("in trials", "in cards"))


def normalised(text: str) -> str:
    for entity, django_entity in QUOTE_ENTITIES.items():
        text = text.replace(entity, django_entity)
    return text


def in_turns(first, second, context: dict, rounds: int, repeat: int) -> tuple:
    """Median ms of each render and of first / second per round, the order swapped each
    round."""

    def timed(render) -> float:
        started = time.perf_counter()
        for _ in range(repeat):
            render(context)
        return (time.perf_counter() - started) / repeat * 1000

    firsts, seconds, ratios = [], [], []
    for number in range(rounds):
        if number % 2 == 0:
            a, b = timed(first), timed(second)
        else:
            b, a = timed(second), timed(first)
        firsts.append(a)
        seconds.append(b)
        ratios.append(a / b)
    return (
        statistics.median(firsts),
        statistics.median(seconds),
        statistics.median(ratios),
        min(ratios),
        max(ratios),
    )


def main() -> None:
    django_setup()
    jinja2 = jinja_import()
    from django.template import engines
    from django.template.defaultfilters import pluralize
    from django.utils.text import capfirst

    from monographs.templatetags.public_site import (
        entry_count_filter,
        iso_date,
        not_stated,
        or_not_stated,
    )
    from trials.views.presentation import trial_card

    environment = jinja2.Environment(autoescape=True, keep_trailing_newline=True)
    environment.filters.update(
        pluralize=pluralize,
        iso_date=iso_date,
        capfirst=capfirst,
        entry_count=entry_count_filter,
        or_not_stated=or_not_stated,
        not_stated=not_stated,
    )
    rounds, repeat = int(option("--rounds", "10")), int(option("--repeat", "20"))
    failed = False

    term_context = term_page_context()
    cards_context = trial_cards_context()
    comparisons = (
        (
            "term page content",
            term_context,
            django_content_template(),
            environment.from_string(JINJA_CONTENT),
        ),
        (
            "trial list cards, written in the template",
            cards_context,
            engines["django"].from_string(TRIAL_CARDS_DJANGO),
            environment.from_string(TRIAL_CARDS_JINJA),
        ),
    )
    for label, context, django_template, jinja_template in comparisons:
        django_html = django_template.render(context)
        same = normalised(jinja_template.render(context)) == django_html
        failed = failed or not same
        print(
            f"{label}: {len(django_html):,} characters; Jinja2's output "
            + ("equals Django's, quote entities aside" if same else "DIFFERS from Django's")
        )
        d, j, ratio, low, high = in_turns(
            django_template.render, jinja_template.render, context, rounds, repeat
        )
        print(
            f"  Django {d:.2f} ms, Jinja2 {j:.2f} ms a render (medians of {rounds} rounds of"
            f" {repeat}); Django / Jinja2 {ratio:.2f} (rounds {low:.2f} to {high:.2f})"
        )
    now = current_trial_cards()

    def cards_written_then_printed(context: dict) -> str:
        cards = [{"url": t["url"], **trial_card(t["document"])} for t in context["trials"]]
        return now.render({"cards": cards})

    before = engines["django"].from_string(TRIAL_CARDS_DJANGO)
    assert cards_written_then_printed(cards_context) == before.render(cards_context)
    d, n, ratio, low, high = in_turns(
        before.render, cards_written_then_printed, cards_context, rounds, repeat
    )
    print(
        f"trial list cards in Django: written in the template {d:.2f} ms, written by"
        f" trial_card and printed {n:.2f} ms; ratio {ratio:.2f} (rounds {low:.2f} to"
        f" {high:.2f})"
    )
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
