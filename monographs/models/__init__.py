from .citation_links import CitationLink, reference_lists_attach
from .citations import Citation, Standing, format_vancouver, standing_text
from .content import (
    Contraindication,
    DoseRegimen,
    DrugInteraction,
    DrugWarning,
    MonographSection,
    PharmacokineticParameter,
    SectionKind,
    SpecialPopulation,
)
from .drugs import Approval, Drug, DrugName, DrugTarget, Formulation
from .experience import DrugAdverseEvent, QuestionAnswer, ResistanceMechanism, SubsequentTherapy
from .search import SearchDocument
from .vocabulary import AdverseEventTerm, Condition, Target

__all__ = [
    "AdverseEventTerm",
    "Approval",
    "Citation",
    "CitationLink",
    "Standing",
    "Condition",
    "Contraindication",
    "DoseRegimen",
    "Drug",
    "DrugAdverseEvent",
    "DrugInteraction",
    "DrugName",
    "DrugTarget",
    "DrugWarning",
    "Formulation",
    "MonographSection",
    "PharmacokineticParameter",
    "QuestionAnswer",
    "ResistanceMechanism",
    "SearchDocument",
    "SectionKind",
    "SpecialPopulation",
    "SubsequentTherapy",
    "Target",
    "format_vancouver",
    "reference_lists_attach",
    "standing_text",
]
