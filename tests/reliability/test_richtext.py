"""Markdown is rendered and sanitised once, when a document is built, with a tight allowlist."""

from html.parser import HTMLParser

import markdown
import nh3
import pytest

from monographs import richtext
from monographs.richtext import render_markdown, sanitise_html
from tests.reliability.xss import VECTORS, injected
from tests.site.corpus import published_drug, published_trial


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.found.append((tag, attrs))


def elements(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = _Elements()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("vector", VECTORS)
def test_no_vector_survives_rendering(vector):
    html = render_markdown(f"Before.\n\n{vector}\n\nAfter.", reference_numbers={})

    assert not injected(html), html
    for tag, attributes in elements(html):
        assert tag in richtext.ALLOWED_TAGS, html
        allowed = richtext.ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}
        for name, value in attributes:
            if name == "class":
                assert value in richtext.ALLOWED_CLASSES.get(tag, set()), html
            else:
                assert name in allowed, html


def test_the_allowlist_keeps_prose_and_drops_everything_else():
    html = sanitise_html(
        '<p class="banner" style="color:red" onclick="x()" id="main">Text '
        '<a href="https://example.org/a" class="citation other" target="_blank">link</a> '
        '<a href="javascript:alert(1)">bad</a> <a href="mailto:x@example.org">mail</a> '
        '<sup class="citations">[1]</sup><span class="badge">s</span>'
        '<img src="x.png"><iframe src="https://example.org"></iframe></p>'
    )

    assert html == (
        '<p>Text <a href="https://example.org/a" class="citation" rel="noopener noreferrer">'
        'link</a> <a rel="noopener noreferrer">bad</a> <a href="mailto:x@example.org" '
        'rel="noopener noreferrer">mail</a> <sup class="citations">[1]</sup><span>s</span></p>'
    )


def test_citation_links_keep_their_classes():
    html = render_markdown("Blocks RAF [@sharp; @label].", reference_numbers={"sharp": 1})

    assert (
        '<sup class="citations">[<a href="#ref-1" class="citation" rel="noopener noreferrer">1</a>'
        ", ?label]</sup>"
    ) in html


@pytest.mark.django_db
def test_public_pages_and_api_never_render_markdown(client, monkeypatch):
    """Reading is serving stored HTML: the renderer and sanitiser are not called at all."""
    drug = published_drug()
    trial = published_trial(drugs=[drug])

    def refuse(*args, **kwargs):
        raise AssertionError("Markdown was rendered while serving a public read")

    monkeypatch.setattr(richtext, "render_markdown", refuse)
    monkeypatch.setattr(markdown, "markdown", refuse)
    monkeypatch.setattr(nh3, "clean", refuse)
    for url in (
        f"/drugs/{drug.slug}/",
        f"/drugs/{drug.slug}/versions/1/",
        f"/trials/{trial.slug}/",
        f"/api/v1/drugs/{drug.slug}/",
        f"/api/v1/trials/{trial.slug}/",
        "/search/?q=kinases",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    assert b"<strong>400 mg twice daily</strong>" in client.get(f"/drugs/{drug.slug}/").content


PLAIN_TEXTS = [
    "Sorafenib was studied in 602 patients with hepatocellular carcinoma [@sharp].",
    "Adults with advanced HCC, ECOG 0-1 (n = 5); median 10.7 months [@sharp; @label].",
    "Take it twice a day with water [@label]. Don't crush it: 50% less/day? Ask [@gone].",
    "Évérolimus ist wirksam [@sharp]",
    "A. Not a list, nor 1. this",
    "javascript:alert(1)",
    "x",
]
NOT_PLAIN_TEXTS = [
    "1. A list",
    "- A list",
    "# A heading",
    "[@sharp] starts with a citation",
    "Two  spaces",
    "Trailing space ",
    "Two lines\nof text",
    "Some *emphasis* and _more_",
    "A snake_case word",
    "A [link](https://example.org)",
    "Code `x`",
    "An &amp; entity",
    "A <b>tag</b>",
    "A table | cell",
    "",
]


@pytest.mark.parametrize("text", PLAIN_TEXTS + NOT_PLAIN_TEXTS)
def test_plain_paragraphs_render_as_markdown_renders_them(text, monkeypatch):
    numbers = {"sharp": 1, "label": 2}
    rendered = render_markdown(text, reference_numbers=numbers)
    monkeypatch.setattr(richtext, "_is_plain_paragraph", lambda text: False)

    assert rendered == render_markdown(text, reference_numbers=numbers)


@pytest.mark.parametrize("text", PLAIN_TEXTS)
def test_only_plain_paragraphs_skip_the_converter(text):
    assert richtext._is_plain_paragraph(text)
    for other in NOT_PLAIN_TEXTS:
        assert not richtext._is_plain_paragraph(other), other


def test_synthetic_prose_renders_as_markdown_renders_it(monkeypatch):
    from monographs.loadtest.synthetic.vocabulary import SECTION_SENTENCES

    words = {
        "name": "Zanolinib",
        "drug_class_lower": "multikinase inhibitor",
        "conditions": "hepatocellular carcinoma, renal cell carcinoma",
        "targets": "VEGFR2, PDGFRB",
        "dose": 400,
        "frequency": "twice daily",
        "tmax": 3,
        "half_life": 25,
        "events": "diarrhoea, fatigue, hypertension, nausea",
    }
    texts = [f"{sentence.format(**words)} [@sharp]" for sentence in SECTION_SENTENCES.values()]
    plain = [text for text in texts if richtext._is_plain_paragraph(text)]
    rendered = [render_markdown(text, reference_numbers={"sharp": 1}) for text in texts]
    monkeypatch.setattr(richtext, "_is_plain_paragraph", lambda text: False)

    assert plain
    assert rendered == [render_markdown(text, reference_numbers={"sharp": 1}) for text in texts]


@pytest.mark.django_db
def test_the_seed_corpus_renders_as_markdown_alone_renders_it(published_seed_corpus, monkeypatch):
    """Both speed-ups (plain paragraphs skip the converter; one converter per thread) against
    Markdown's one-call conversion, on every Markdown text the seeds hold. None of them is a
    plain paragraph; the synthetic corpus's are (the test above)."""
    from django.apps import apps

    from monographs.loadtest import library

    texts = []
    for label, name in sorted(richtext.MARKDOWN_FIELDS):
        model = apps.get_model(label)
        texts += [text for text in model.objects.values_list(name, flat=True) if text]
    keys = sorted({key for text in texts for key in richtext.citation_keys(text)})
    numbers = {key: number for number, key in enumerate(keys[::2], 1)}  # the rest unknown
    fast = [render_markdown(text, reference_numbers=numbers) for text in texts]
    monkeypatch.setattr(richtext, "_is_plain_paragraph", library.never_plain_paragraph)
    monkeypatch.setattr(richtext, "_markdown_to_html", library.markdown_to_html)

    assert len(texts) > 20
    assert fast == [render_markdown(text, reference_numbers=numbers) for text in texts]
