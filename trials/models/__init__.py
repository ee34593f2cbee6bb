from .results import Outcome, TrialAdverseEvent
from .trials import Arm, DatePrecision, Intervention, Trial, TrialPublication

__all__ = [
    "Arm",
    "DatePrecision",
    "Intervention",
    "Outcome",
    "Trial",
    "TrialAdverseEvent",
    "TrialPublication",
]
