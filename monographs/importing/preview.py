"""Plain-text lines describing an import plan: shared by the commands and the admin pages."""

from monographs.importing.citations import CREATE, UPDATE, PlannedCitation


def describe_record(planned: PlannedCitation) -> str:
    record = planned.record
    first = record.authors[0] if record.authors else record.group_author or "Anon."
    more = " et al." if len(record.authors) > 1 or record.authors_incomplete else ""
    title = record.title if len(record.title) <= 80 else record.title[:79] + "…"
    return f"{first}{more} ({record.year or 'n.d.'}) {title}"


def plan_lines(plan: list[PlannedCitation]) -> list[str]:
    lines = []
    for planned in plan:
        where = f"[{planned.record.source}, {planned.record.label}]"
        if planned.action == CREATE:
            lines.append(f"create  {planned.key}: {describe_record(planned)} {where}")
        elif planned.action == UPDATE:
            filled = ", ".join(planned.changes)
            lines.append(f"update  {planned.key}: fill {filled} {where}")
        else:
            lines.append(f"skip    {describe_record(planned)}: {planned.reason} {where}")
        for name, (old, new) in planned.differences.items():
            lines.append(
                f"        differs, kept as it is: {name} is {old!r}, the source says {new!r}"
            )
    return lines
