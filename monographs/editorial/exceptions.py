from django.core.exceptions import PermissionDenied


class EditorialError(Exception):
    """A workflow rule refused the action; the message says what to do instead."""


class TransitionNotAllowed(EditorialError):
    pass


class ApprovalVoid(TransitionNotAllowed):
    """What was approved no longer matches the working copy: the approval was voided."""


class EditorialPermissionDenied(EditorialError, PermissionDenied):
    pass


class FourEyesViolation(EditorialPermissionDenied):
    pass


class ConcurrentEditError(EditorialError):
    pass


class QualityCheckFailed(EditorialError):
    def __init__(self, findings) -> None:
        self.findings = [f for f in findings if f.is_error]
        listed = "; ".join(str(f) for f in self.findings)
        super().__init__(f"Quality checks found {len(self.findings)} error(s): {listed}")
