"""Synthetic drugs with full monographs: every table of the monograph filled and sourced."""

import random
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import Model

from monographs.editorial.identity import seeded_uid
from monographs.loadtest.synthetic.vocabulary import (
    DRUG_MIDDLES,
    DRUG_PREFIXES,
    DRUG_STEMS,
    JOURNALS,
    SECTION_SENTENCES,
    SURNAMES,
)
from monographs.models import (
    AdverseEventTerm,
    Approval,
    Citation,
    Condition,
    Contraindication,
    DoseRegimen,
    Drug,
    DrugAdverseEvent,
    DrugInteraction,
    DrugName,
    DrugTarget,
    DrugWarning,
    Formulation,
    MonographSection,
    PharmacokineticParameter,
    QuestionAnswer,
    ResistanceMechanism,
    SpecialPopulation,
    SubsequentTherapy,
    Target,
)
from monographs.models.base import places_of

ARTICLES_PER_DRUG = 8
FREQUENCY_BANDS = ["very_common", "common", "uncommon"]
PK_PARAMETERS = [
    ("Tmax", "h", 1, 6),
    ("Elimination half-life", "h", 8, 60),
    ("Protein binding", "%", 80, 99),
]


@dataclass
class Vocabulary:
    conditions: list[Condition]
    targets: list[Target]
    terms: list[AdverseEventTerm]


class Planned(NamedTuple):
    """A row to write: its model and field values. Rows nothing reads back are planned so,
    not as unsaved instances, which cost more to build than to write (see rows_insert)."""

    model: type[Model]
    values: dict[str, Any]


def stated_places(**figures: Decimal | None) -> dict[str, int]:
    """The places of each figure written with trailing zeros (8.0, 0.70), as the seed loader
    and the admin record them: a source states its medians to one decimal, its hazard ratios
    to two, and 8.0 must read 8.0."""
    return {
        name: places_of(value)
        for name, value in sorted(figures.items())
        if value is not None and places_of(value) > places_of(value.normalize())
    }


def planned(model: type[Model], **values: Any) -> Planned:
    return Planned(model, values)


@dataclass
class DrugPlan:
    """One drug and its rows, before any of them is saved."""

    drug: Drug
    citations: list[Citation] = field(default_factory=list)
    rows: list[Planned] = field(default_factory=list)
    conditions: list[Condition] = field(default_factory=list)


def drug_names(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """count distinct made-up INNs with their drug class, in a seeded order."""
    names = [
        (prefix + middle + stem, drug_class)
        for stem, drug_class in DRUG_STEMS
        for prefix in DRUG_PREFIXES
        for middle in DRUG_MIDDLES
    ]
    rng.shuffle(names)
    lap = 0
    while len(names) < count:
        lap += 1
        names += [(f"{name[:-3]}{DRUG_MIDDLES[lap % 10]}{name[-3:]}", kind) for name, kind in names]
        names = list(dict.fromkeys(names))
    return names[:count]


def citation(rng: random.Random, *, number: int, key: str, title: str, year: int) -> Citation:
    """A journal article with identifiers from ranges no real record uses."""
    journal, issn = rng.choice(JOURNALS)
    volume = rng.randint(10, 60)
    first_page = rng.randint(100, 3000)
    return Citation(
        key=key,
        kind=Citation.Kind.JOURNAL_ARTICLE,
        authors=rng.sample(SURNAMES, rng.randint(3, 8)),
        title=title,
        journal=journal,
        year=year,
        month=rng.choice(["Jan", "Mar", "Jun", "Sep", "Nov"]),
        volume=str(volume),
        issue=str(rng.randint(1, 12)),
        pages=f"{first_page}-{first_page + rng.randint(5, 15)}",
        pmid=str(90_000_000 + number),
        pmcid=None,
        doi=f"10.5555/synthetic.{number}",
        issn=issn,
    )


def drug_plan(
    rng: random.Random, *, index: int, inn: str, drug_class: str, vocabulary: Vocabulary
) -> DrugPlan:
    """A drug with a monograph as full as a curated one: names, targets, approvals, prose
    sections citing their sources, doses, PK, interactions, warnings and adverse events."""
    drug = Drug(
        uid=seeded_uid(kind="drug", slug=inn),
        inn=inn,
        slug=inn,
        drug_class=drug_class,
        summary=f"{inn.capitalize()} is an oral {drug_class.lower()}.",
        atc_code=f"L01{rng.choice(['EX', 'EA', 'EB', 'EC', 'EE', 'EF', 'EG', 'XX'])}"
        f"{rng.randint(1, 99):02d}",
        drugbank_id=f"DB{90_000 + index:05d}" if index < 10_000 else None,
        unii=f"S{index:09d}",
        rxcui=f"9{index:07d}",
        ncit_code=f"C9{index:06d}",
    )
    plan = DrugPlan(drug=drug)
    year = rng.randint(2000, 2022)
    label = Citation(
        key=f"{inn}-label",
        kind=Citation.Kind.LABEL,
        group_author="Synthetic Pharma",
        title=f"{inn.capitalize()} prescribing information",
        year=year,
        publisher="Synthetic Pharma",
        url=f"https://example.org/labels/{inn}.pdf",
        accessed_on=date(2024, 1, 15),
    )
    articles = [
        citation(
            rng,
            number=index * ARTICLES_PER_DRUG + n,
            key=f"{inn}-{year + n}-{n}",
            title=f"{inn.capitalize()} in advanced cancer: study {n + 1}",
            year=year + n,
        )
        for n in range(ARTICLES_PER_DRUG)
    ]
    plan.citations = [label, *articles]
    targets = rng.sample(vocabulary.targets, rng.randint(2, 4))
    plan.conditions = rng.sample(vocabulary.conditions, rng.randint(1, 3))
    terms = rng.sample(vocabulary.terms, rng.randint(15, 25))
    dose = rng.choice([50, 100, 150, 200, 400, 600])
    words = {
        "name": inn.capitalize(),
        "drug_class_lower": drug_class.lower(),
        "conditions": ", ".join(c.name.lower() for c in plan.conditions),
        "targets": ", ".join(t.symbol for t in targets),
        "dose": dose,
        "frequency": "twice daily",
        "tmax": rng.randint(1, 6),
        "half_life": rng.randint(8, 60),
        "events": ", ".join(t.name.lower() for t in terms[:4]),
    }
    rows = plan.rows
    rows += [
        planned(
            DrugName, drug=drug, name=f"{inn[:5].capitalize()}ra", kind="brand", citation=label
        ),
        planned(DrugName, drug=drug, name=f"SYN-{10_000 + index}", kind="code", citation=label),
    ]
    rows += [
        planned(DrugTarget, drug=drug, target=target, position=n, citation=articles[0])
        for n, target in enumerate(targets)
    ]
    rows += [
        planned(
            Approval,
            drug=drug,
            agency=agency,
            indication=f"Advanced {condition.name.lower()}",
            condition=condition,
            year=year + n,
            position=n,
            citation=label,
        )
        for n, condition in enumerate(plan.conditions)
        for agency in ("FDA", "EMA")
    ]
    rows.append(
        planned(
            Formulation,
            drug=drug,
            dosage_form="film-coated tablet",
            strength=f"{dose} mg",
            citation=label,
        )
    )
    for position, (kind, sentence) in enumerate(SECTION_SENTENCES.items()):
        source = articles[position % ARTICLES_PER_DRUG]
        body = f"{sentence.format(**words)} [@{source.key}]"
        if position % 3 == 0:
            body += f"\n\n- Evidence from randomised trials [@{articles[-1].key}; @{label.key}]"
        rows.append(planned(MonographSection, drug=drug, kind=kind, position=position, body=body))
    rows.append(
        planned(
            DoseRegimen,
            drug=drug,
            indication="Adults",
            dose_amount=Decimal(dose),
            frequency="twice daily",
            daily_dose_amount=Decimal(dose * 2),
            instructions="Swallow whole with water.",
            adjustment=f"Reduce to {dose // 2} mg twice daily for grade 3 toxicity.",
            citation=label,
        )
    )
    for position, (parameter, unit, low, high) in enumerate(PK_PARAMETERS):
        value = rng.randint(low, high)
        rows.append(
            planned(
                PharmacokineticParameter,
                drug=drug,
                parameter=parameter,
                value=Decimal(value),
                range_low=Decimal(low),
                range_high=Decimal(high),
                unit=unit,
                qualifier="median",
                position=position,
                citation=label,
            )
        )
    rows += [
        planned(
            DrugInteraction,
            drug=drug,
            interacting_agent=agent,
            effect=effect,
            management=management,
            severity=severity,
            position=n,
            citation=label,
        )
        for n, (agent, effect, management, severity) in enumerate(
            [
                ("Strong CYP3A4 inducers", "Lower exposure", "Avoid", "major"),
                ("Strong CYP3A4 inhibitors", "Higher exposure", "Reduce the dose", "moderate"),
                ("Warfarin", "Bleeding risk", "Monitor INR", "moderate"),
            ]
        )
    ]
    rows += [
        planned(
            DrugWarning, drug=drug, topic=topic, monitoring=monitoring, position=n, citation=label
        )
        for n, (topic, monitoring) in enumerate(
            [
                ("Hypertension", "Blood pressure weekly for six weeks"),
                ("Hepatotoxicity", "Liver function every two weeks"),
                ("Haemorrhage", "Signs of bleeding"),
            ]
        )
    ]
    rows += [
        planned(Contraindication, drug=drug, condition="Hypersensitivity", citation=label),
        planned(Contraindication, drug=drug, condition="Pregnancy", kind="relative", position=1),
        planned(
            SpecialPopulation,
            drug=drug,
            population="Child-Pugh B",
            recommendation="Use with caution",
            citation=label,
        ),
        planned(
            SpecialPopulation,
            drug=drug,
            population="Older adults",
            recommendation="No change",
            position=1,
        ),
    ]
    for position, term in enumerate(terms):
        any_high = Decimal(rng.randint(5, 60))
        severe_high = min(any_high, Decimal(rng.randint(0, 15)))
        figures = {
            "any_grade_low": any_high - min(any_high, Decimal(rng.randint(0, 5))),
            "any_grade_high": any_high,
            "grade_3_plus_low": severe_high - min(severe_high, Decimal(rng.randint(0, 2))),
            "grade_3_plus_high": severe_high,
        }
        if position % 3 == 0:
            # Some tables give incidences to one decimal: 18.0%, which must not read 18%.
            figures = {name: value.quantize(Decimal("0.1")) for name, value in figures.items()}
        rows.append(
            planned(
                DrugAdverseEvent,
                drug=drug,
                term=term,
                context="Pooled phase III",
                **figures,
                stated_places=stated_places(**figures),
                frequency_band=FREQUENCY_BANDS[position % len(FREQUENCY_BANDS)],
                management="Interrupt, then resume at a lower dose.",
                position=position,
                citation=articles[position % ARTICLES_PER_DRUG],
            )
        )
    rows += [
        planned(
            ResistanceMechanism,
            drug=drug,
            name="Bypass signalling",
            kind="acquired",
            citation=label,
        ),
        planned(
            SubsequentTherapy,
            drug=drug,
            condition=plan.conditions[0],
            therapy="PD-1/PD-L1 immunotherapy",
            setting="After progression",
            citation=label,
        ),
        planned(
            QuestionAnswer,
            drug=drug,
            question=f"How do I take {inn}?",
            answer=f"Take it twice a day with water [@{label.key}].",
        ),
    ]
    return plan
