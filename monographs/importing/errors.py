"""What goes wrong in an import, said so that an editor knows what, where and what to do."""


class ImportProblem(Exception):
    """The input cannot be imported: a file, a record or a field is not what it should be.

    Raised before anything is written; the message names the file (or service), the record
    and the field.
    """

    def __init__(
        self, message: str, *, source: str = "", record: str = "", field: str = ""
    ) -> None:
        self.source, self.record, self.field, self.detail = source, record, field, message
        super().__init__(self.describe())

    def describe(self) -> str:
        where = ", ".join(
            part
            for part in (
                self.source,
                self.record,
                f"field {self.field}" if self.field else "",
            )
            if part
        )
        return f"{where}: {self.detail}" if where else self.detail


class ImportProblems(ImportProblem):
    """Several records of one input are wrong: all are reported at once, nothing is written."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        self.problems = problems
        Exception.__init__(self, "\n".join(p.describe() for p in problems))

    def describe(self) -> str:
        return "\n".join(p.describe() for p in self.problems)


class ServiceUnavailable(Exception):
    """A remote service did not answer usefully (network down, timeouts, server errors)."""

    def __init__(self, service: str, reason: str = "") -> None:
        self.service, self.reason = service, reason
        message = f"{service} could not be reached; nothing was changed."
        if reason:
            message += f" ({reason})"
        super().__init__(message)


class NotFound(ImportProblem):
    """The service answered, but knows no record under that identifier."""
