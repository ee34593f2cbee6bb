"""What search reads of a drug document: the text of its page, and a row per section.

Declared by the drug kind (MonographsConfig); the search app calls it for every drug it
indexes and knows nothing else of drugs.
"""

from monographs.document_types import DrugDocument
from monographs.models.content import section_anchor
from monographs.richtext import join_words, plain_text


def drug_search_fields(document: DrugDocument) -> dict[str, str]:
    identifiers = document.get("identifiers") or {}
    names = [n["name"] for n in document.get("names") or []]
    names += [t["symbol"] for t in document.get("targets") or []]
    names += [alias for t in document.get("targets") or [] for alias in t.get("aliases") or []]
    names += [value for _, value in sorted(identifiers.items()) if value]
    body = [document.get("drug_class"), document.get("summary")]
    body += [f"{s['title']}. {plain_text(s['body'])}" for s in document.get("sections") or []]
    body += [a["indication"] for a in document.get("approvals") or []]
    body += [
        join_words([w["topic"], w["description"], w["monitoring"]])
        for w in document.get("warnings") or []
    ]
    body += [
        join_words([(i["interacting_drug"] or {}).get("name"), i["interacting_agent"], i["effect"]])
        for i in document.get("interactions") or []
    ]
    body += [ae["term"]["name"] for ae in document.get("adverse_events") or []]
    body += [r["name"] for r in document.get("resistance_mechanisms") or []]
    body += [
        join_words([q["question"], plain_text(q["answer"])])
        for q in document.get("questions") or []
    ]
    return {
        "title": document["title"],
        "description": (document.get("drug_class") or "")[:500],
        "names": join_words(names),
        "body": join_words(body),
    }


def drug_section_rows(document: DrugDocument) -> list[dict[str, str]]:
    """A row per section of the monograph, under the anchor the page gives it, so a query
    about one topic of a drug leads to that part of the page. Found by the drug's names;
    sections of one kind (several "other" sections) share a row, as they share an anchor."""
    names = join_words([document["title"], *(n["name"] for n in document.get("names") or [])])
    by_anchor: dict[str, dict[str, str]] = {}
    for section in document.get("sections") or []:
        anchor = section_anchor(section["kind"])
        text = plain_text(section["body"])
        if anchor in by_anchor:
            by_anchor[anchor]["body"] = join_words(
                [by_anchor[anchor]["body"], section["title"], text]
            )
            continue
        by_anchor[anchor] = {
            "slug": document["slug"],
            "anchor": anchor,
            "title": f"{document['title']}: {section['title']}"[:560],
            "description": f"Section of the {document['title']} monograph"[:500],
            "names": names,
            "body": text,
        }
    return list(by_anchor.values())
