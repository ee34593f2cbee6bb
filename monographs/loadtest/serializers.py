"""The naive baseline: nested ModelSerializers over the working tables, the first thing one
would write without publications, documents or read tables. Measured against the real API.
"""

from rest_framework import serializers

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


def _serializer(model_class, **nested):
    """A ModelSerializer of every field of the model, with these fields nested."""
    meta = type("Meta", (), {"model": model_class, "fields": "__all__"})
    attributes = {"Meta": meta, **nested}
    return type(f"{model_class.__name__}Serializer", (serializers.ModelSerializer,), attributes)


CitationSerializer = _serializer(Citation)
ConditionSerializer = _serializer(Condition)
TargetSerializer = _serializer(Target)
TermSerializer = _serializer(AdverseEventTerm)


def _sourced(model_class, **nested):
    return _serializer(model_class, citation=CitationSerializer(read_only=True), **nested)


DrugSerializer = _serializer(
    Drug,
    names=_sourced(DrugName)(many=True, read_only=True),
    drug_targets=_sourced(DrugTarget, target=TargetSerializer(read_only=True))(
        many=True, read_only=True
    ),
    approvals=_sourced(Approval, condition=ConditionSerializer(read_only=True))(
        many=True, read_only=True
    ),
    formulations=_sourced(Formulation)(many=True, read_only=True),
    sections=_serializer(MonographSection)(many=True, read_only=True),
    dose_regimens=_sourced(DoseRegimen)(many=True, read_only=True),
    pk_parameters=_sourced(PharmacokineticParameter)(many=True, read_only=True),
    interactions=_sourced(DrugInteraction)(many=True, read_only=True),
    warnings=_sourced(DrugWarning)(many=True, read_only=True),
    contraindications=_sourced(Contraindication)(many=True, read_only=True),
    special_populations=_sourced(SpecialPopulation)(many=True, read_only=True),
    adverse_events=_sourced(DrugAdverseEvent, term=TermSerializer(read_only=True))(
        many=True, read_only=True
    ),
    resistance_mechanisms=_sourced(ResistanceMechanism)(many=True, read_only=True),
    subsequent_therapies=_sourced(SubsequentTherapy, condition=ConditionSerializer(read_only=True))(
        many=True, read_only=True
    ),
    questions=_sourced(QuestionAnswer)(many=True, read_only=True),
)
