"""Cross-site scripting vectors, a way to plant them in every text field, and a page inspector.

Every vector that could run sets window.__xss (or opens a dialog), so the browser test can
tell at once whether anything executed. The inspector reads served HTML the way a browser
would and reports anything a vector could have injected: an event-handler attribute, a
script that is neither structured data nor a file of our own, an embedding element, or a
script URL.
"""

import json
from html.parser import HTMLParser

from django.apps import apps
from django.conf import settings
from django.db import models

VECTORS = [
    "<script>window.__xss=1</script>",
    "<ScRiPt>window.__xss=1</sCrIpT>",
    '<script src="data:text/javascript,window.__xss=1"></script>',
    "<img src=x onerror=window.__xss=1>",
    "<IMG SRC=x OnErRoR=window.__xss=1>",
    '<img src="x" onerror="alert(1)">',
    "<svg onload=window.__xss=1>",
    "<svg><script>window.__xss=1</script></svg>",
    "<svg><animate onbegin=window.__xss=1 attributeName=x dur=1s>",
    '<svg><a xlink:href="javascript:window.__xss=1"><text x=9 y=9>x</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=1>",
    '<iframe src="javascript:window.__xss=1"></iframe>',
    '<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>',
    '<object data="javascript:window.__xss=1"></object>',
    '<embed src="javascript:window.__xss=1">',
    '<a href="javascript:window.__xss=1">link</a>',
    '<a href="JaVaScRiPt:window.__xss=1">link</a>',
    '<a href="&#106;avascript:window.__xss=1">link</a>',
    '<a href="java&#x09;script:window.__xss=1">link</a>',
    '<a href=" javascript:window.__xss=1">link</a>',
    '<a href="data:text/html,<script>window.__xss=1</script>">link</a>',
    '<a href="vbscript:msgbox(1)">link</a>',
    "[markdown link](javascript:window.__xss=1)",
    "[markdown link](JAVASCRIPT:window.__xss=1)",
    "[markdown link](&#106;avascript:window.__xss=1)",
    "[markdown link](<javascript:window.__xss=1>)",
    '![markdown image](x" onerror="window.__xss=1)',
    "![markdown image](javascript:window.__xss=1)",
    '[markdown title](https://example.org "x\\" onmouseover=\\"window.__xss=1")',
    "<details open ontoggle=window.__xss=1>",
    "<body onload=window.__xss=1>",
    "<input autofocus onfocus=window.__xss=1>",
    "<video><source onerror=window.__xss=1></video>",
    '<p style="background:url(javascript:window.__xss=1)">styled</p>',
    '<div style="width:expression(window.__xss=1)">styled</div>',
    '"><script>window.__xss=1</script>',
    "'><img src=x onerror=window.__xss=1>",
    '" autofocus onfocus="window.__xss=1',
    "</textarea><script>window.__xss=1</script>",
    "</title><script>window.__xss=1</script>",
    "</script><script>window.__xss=1</script>",
    "--><script>window.__xss=1</script>",
    '<!--<img src="--><img src=x onerror=window.__xss=1//">',
    "&lt;script&gt;window.__xss=1&lt;/script&gt;",
    "%3Cscript%3Ewindow.__xss=1%3C/script%3E",
    "\\u003cscript\\u003ewindow.__xss=1\\u003c/script\\u003e",
    '<base href="javascript:/">',
    '<meta http-equiv="refresh" content="0;url=javascript:window.__xss=1">',
    '<form action="javascript:window.__xss=1"><button>go</button></form>',
    '<button formaction="javascript:window.__xss=1">go</button>',
    '<noscript><p title="</noscript><img src=x onerror=window.__xss=1>">',
    "<style>@import 'javascript:window.__xss=1';</style>",
    '<span class="banner banner--withdrawn">Withdrawn</span>',
    "{{ request }}{% debug %}${window.__xss=1}",
    '[@x"><script>window.__xss=1</script>]',
]

URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "xlink:href", "data", "poster", "background",
    "srcset", "codebase", "cite", "manifest", "ping",
}  # fmt: skip
EMBEDDING_TAGS = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal"}
SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:text/html", "data:text/javascript")


def vector(number: int) -> str:
    return VECTORS[number % len(VECTORS)]


def text_fields(model: type[models.Model]) -> list[models.Field]:
    """Free-text fields an editor types into: no choices, slugs, identifiers or keys."""
    found = []
    for field in model._meta.concrete_fields:
        plain_text = type(field) in (models.CharField, models.TextField)
        identifier = any(
            not type(validator).__name__.startswith(("MaxLength", "ProhibitNull"))
            for validator in field.validators
        )
        if plain_text and not field.choices and not identifier and field.name != "seed_key":
            found.append(field)
    return found


def plant(instance: models.Model, start: int) -> int:
    """Put a vector into every free-text and list-of-text field; returns the next vector number."""
    number = start
    for field in text_fields(type(instance)):
        value = vector(number)
        if field.max_length:
            value = value[: field.max_length]
        setattr(instance, field.attname, value)
        number += 1
    for field in instance._meta.concrete_fields:
        if isinstance(field, models.JSONField) and isinstance(
            getattr(instance, field.attname), list
        ):
            setattr(instance, field.attname, [vector(number), vector(number + 1)])
            number += 2
    instance.save()
    return number


def working_copy_models():
    """Every model editors write, in both content apps; the publishing engine's are left out."""
    engine = {"Publication", "Entry", "Facet", "EditorialEvent"}
    for label in ("monographs", "trials"):
        for model in apps.get_app_config(label).get_models():
            if model.__name__ not in engine and model.__module__.startswith(label):
                yield model


def content_with_vectors() -> dict[str, str]:
    """A full monograph and trial with a vector in every text field, published.

    Prose fields (sections, answers, the trial summary) hold every vector, one paragraph
    each, so each goes through Markdown; each citation URL is a javascript: URL, which
    only a bypassed validator would let in.
    """
    from monographs.editorial.services.publish import root_import_publish
    from monographs.models import Citation, MonographSection, QuestionAnswer
    from tests.site.corpus import drug_with_monograph, trial_with_results

    drug = drug_with_monograph()
    trial = trial_with_results(drugs=[drug])
    number = 0
    for model in working_copy_models():
        for row in model.objects.all():
            number = plant(row, number)
    prose = "\n\n".join(VECTORS)
    MonographSection.objects.update(body=prose)
    QuestionAnswer.objects.update(answer=prose)
    trial.refresh_from_db()
    trial.summary = prose
    trial.save()
    Citation.objects.update(url="javascript:window.__xss=1")
    root_import_publish(root=drug, note="Vectors")
    root_import_publish(root=trial, note="Vectors")
    return {"drug": drug.slug, "trial": trial.slug}


class _Inspector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.findings: list[str] = []
        self._script: str | None = None
        self._script_body: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in EMBEDDING_TAGS:
            self.findings.append(f"<{tag}> element")
        if tag == "meta" and any(name == "http-equiv" for name, _ in attrs):
            self.findings.append("<meta http-equiv>")
        for name, value in attrs:
            value = value or ""
            squeezed = "".join(value.split()).lower()
            if name.startswith("on"):
                self.findings.append(f"<{tag} {name}=...>")
            elif name == "srcdoc":
                self.findings.append(f"<{tag} srcdoc>")
            elif name in URL_ATTRIBUTES and squeezed.startswith(SCRIPT_SCHEMES):
                self.findings.append(f"<{tag} {name}={value[:40]!r}>")
            elif name == "style" and ("javascript" in squeezed or "expression(" in squeezed):
                self.findings.append(f"<{tag} style={value[:40]!r}>")
        if tag == "script":
            kind, source = dict(attrs).get("type") or "", dict(attrs).get("src") or ""
            if source and not kind and source.startswith(settings.STATIC_URL):
                kind = "static"  # our own file, as the content-security policy allows
            elif kind != "application/ld+json" or source:
                self.findings.append(f"<script type={kind!r}>")
            self._script, self._script_body = kind, []

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script_body.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            body = "".join(self._script_body)
            if self._script == "static":
                if body.strip():
                    self.findings.append("a script of our own with an inline body")
            else:
                try:
                    json.loads(body)
                except ValueError:
                    self.findings.append("structured data that is not JSON (a broken-out script)")
            self._script = None


def injected(html: str) -> list[str]:
    """What in this page a vector could have put there; empty when the page is clean."""
    inspector = _Inspector()
    inspector.feed(html)
    inspector.close()
    return inspector.findings
