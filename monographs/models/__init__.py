from monographs.editorial.models import (
    EditorialEvent,
    EditorialRoot,
    Entry,
    Facet,
    Publication,
    RetiredSlug,
    Revision,
    Status,
)

from .citations import Citation, CitationLink, format_vancouver
from .content import (
    Contraindication,
    DoseRegimen,
    DrugAdverseEvent,
    DrugInteraction,
    DrugWarning,
    MonographSection,
    PharmacokineticParameter,
    QuestionAnswer,
    ResistanceMechanism,
    SectionKind,
    SpecialPopulation,
    SubsequentTherapy,
)
from .drugs import Approval, Drug, DrugName, DrugTarget, Formulation
from .search import SearchDocument
from .vocabulary import AdverseEventTerm, Condition, Target

__all__ = [
    "AdverseEventTerm",
    "RetiredSlug",
    "Revision",
    "Approval",
    "Citation",
    "CitationLink",
    "Condition",
    "Contraindication",
    "DoseRegimen",
    "Drug",
    "DrugAdverseEvent",
    "DrugInteraction",
    "DrugName",
    "DrugTarget",
    "DrugWarning",
    "EditorialEvent",
    "EditorialRoot",
    "Entry",
    "Facet",
    "Formulation",
    "MonographSection",
    "PharmacokineticParameter",
    "Publication",
    "QuestionAnswer",
    "ResistanceMechanism",
    "SearchDocument",
    "SectionKind",
    "SpecialPopulation",
    "Status",
    "SubsequentTherapy",
    "Target",
    "format_vancouver",
]
