"""Small helpers the parsers share."""

import re

from monographs.importing.errors import ImportProblem, ImportProblems
from monographs.importing.records import CitationRecord

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
YEAR = re.compile(r"\b(1[89][0-9]{2}|20[0-9]{2}|2100)\b")


def month_name(value) -> str:
    """1 or '07' or 'July' or 'jul' -> 'Jul'; anything else is kept as it was given."""
    text = str(value or "").strip()
    if not text:
        return ""
    if text.isdigit() and 1 <= int(text) <= 12:
        return MONTHS[int(text) - 1]
    for name in MONTHS:
        if text.lower().startswith(name.lower()):
            return name
    return text


def year_of(value, record: CitationRecord, field_name: str) -> int | None:
    text = str(value or "").strip()
    if not text:
        return None
    match = YEAR.search(text)
    if not match:
        raise record.problem(f"{text!r} holds no year.", field_name)
    return int(match.group(1))


def page_range(start: str, end: str) -> str:
    start, end = (start or "").strip(), (end or "").strip()
    return f"{start}-{end}" if start and end and end != start else start


def finish(records: list[CitationRecord]) -> list[CitationRecord]:
    """Normalise every record; report all the bad ones together."""
    problems: list[ImportProblem] = []
    for record in records:
        try:
            record.normalise()
        except ImportProblems as error:
            problems.extend(error.problems)
        except ImportProblem as error:
            problems.append(error)
    if problems:
        raise problems[0] if len(problems) == 1 else ImportProblems(problems)
    return records
