"""What search reads of a trial document (declared by the trial kind, TrialsConfig)."""

from monographs.richtext import join_words, plain_text
from monographs.stated import stated_member
from trials.document_types import TrialDocument


def trial_search_fields(document: TrialDocument) -> dict[str, str]:
    conditions = [c["name"] for c in document.get("conditions") or []]
    names = [document.get("acronym"), document.get("nct_id")]
    names += list(document.get("other_registry_ids") or [])
    names += [c["abbreviation"] for c in document.get("conditions") or []]
    phase = stated_member(document, "phase")
    design = stated_member(document, "design")
    body = [
        phase,
        design,
        join_words(conditions),
        join_words(d["name"] for d in document.get("drugs") or []),
        document.get("line_of_therapy"),
        document.get("population"),
        plain_text(document.get("summary")),
        document.get("sponsor"),
    ]
    body += [arm["label"] for arm in document.get("arms") or []]
    body += sorted({o["measure_label"] for o in document.get("outcomes") or []})
    body += sorted({ae["term"]["name"] for ae in document.get("adverse_events") or []})
    description = " · ".join(p for p in (phase, design, *conditions) if p)
    return {
        "title": _trial_title(document),
        "description": description[:500],
        "names": join_words(names),
        "body": join_words(body),
    }


def _trial_title(document: TrialDocument) -> str:
    acronym = document.get("acronym")
    return f"{acronym}: {document['title']}" if acronym else document["title"]
