"""Problems found in seed files, each saying where (file, line, record, field) and what to do."""

from dataclasses import dataclass


@dataclass(frozen=True)
class SeedError:
    """One problem in one field of one record of one seed file."""

    file: str
    line: int | None
    record: str
    field: str
    problem: str

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" if self.line else self.file
        record = self.record or "(file)"
        field = f", field '{self.field}'" if self.field else ""
        return f"{where}: {record}{field}: {self.problem}"


class SeedFilesInvalid(Exception):
    """The seed files have problems; nothing was written."""

    def __init__(self, errors: list[SeedError]) -> None:
        self.errors = errors
        count = len(errors)
        heading = (
            f"{count} problem{'s' if count != 1 else ''} in the seed files; nothing was loaded:"
        )
        super().__init__("\n".join([heading, *(f"  - {error}" for error in errors)]))
