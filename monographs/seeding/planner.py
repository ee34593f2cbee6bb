"""Turning checked seed records into planned rows."""

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from monographs.models import Drug, MonographSection
from monographs.seeding import schema
from monographs.seeding.plans import (
    DECLARED_KINDS,
    SECTION_ORDER,
    SEED_KEY_MAX_LENGTH,
    PlannedRow,
    Record,
    Ref,
    SeedProblems,
    spec_default,
)
from monographs.seeding.reading import SeedFile
from monographs.seeding.schema import Kind, RecordSpec, Reference
from trials.models import (
    Arm,
    DatePrecision,
    Intervention,
    Trial,
)


class Planner:
    """Turns checked records into planned rows, file by file."""

    def __init__(self, problems: SeedProblems) -> None:
        self.problems = problems
        self.rows: list[PlannedRow] = []

    def file(self, seed_file: SeedFile, record: Record) -> None:
        source = record.nested.get("source")
        source_citation = source.nested.get("citation") if source else None
        default_citation = None
        if source_citation is not None:
            self.citation(seed_file, source_citation)
            if source_citation.values.get("key"):
                default_citation = Ref(Reference.CITATION, source_citation.values["key"])
        for name, spec in (
            ("conditions", schema.CONDITION),
            ("targets", schema.TARGET),
            ("adverse_event_terms", schema.TERM),
        ):
            for item in record.records.get(name, []):
                self.add(self.row(seed_file, item, spec, identity=[spec.identity]))
        for item in record.records.get("citations", []):
            self.citation(seed_file, item)
        for item in record.records.get("drugs", []):
            self.add(self.row(seed_file, item, schema.DRUG, identity=["slug"]))
        for item in record.records.get("drug_content", []):
            if item.values.get("drug"):
                self.drug_content(seed_file, item, default_citation)
        declared_trials = set()
        for item in record.records.get("trials", []):
            declared_trials.add(item.values.get("slug"))
            self.trial(seed_file, item, default_citation, declared=True)
        for item in record.records.get("trial_content", []):
            if not item.values.get("trial"):
                continue
            if item.values["trial"] in declared_trials:
                self.problems.add(
                    seed_file,
                    item.line_of("trial"),
                    item.path,
                    "trial",
                    f"the trial '{item.values['trial']}' is declared in this same file: "
                    "put these rows in its own record under 'trials'.",
                )
                continue
            self.trial(seed_file, item, default_citation, declared=False)

    def add(self, row: PlannedRow | None) -> None:
        if row is not None:
            self.rows.append(row)

    def citation(self, seed_file: SeedFile, record: Record) -> None:
        self.add(self.row(seed_file, record, schema.CITATION, identity=["key"]))
        if not record.values.get("key"):
            return
        citing = Ref(Reference.CITATION, record.values["key"])
        for link in record.records.get("cites", []):
            if not link.values.get("citation"):
                continue
            self.add(
                self.row(
                    seed_file,
                    link,
                    schema.CITATION_LINK,
                    identity=["citing", "cited"],
                    fixed={
                        "citing": citing,
                        "cited": Ref(Reference.CITATION, link.values["citation"]),
                    },
                    skip=("citation",),
                )
            )

    def drug_content(self, seed_file: SeedFile, record: Record, citation: Ref | None) -> None:
        drug = Ref(Reference.DRUG, record.values["drug"])
        for name, spec in schema.DRUG_ROWS.items():
            for index, item in enumerate(record.records.get(name, []), start=1):
                self.add(
                    self.child(
                        seed_file,
                        item,
                        spec,
                        parent=("drug", drug),
                        root=drug,
                        index=index,
                        citation=citation,
                        block=record,
                    )
                )

    def trial(
        self, seed_file: SeedFile, record: Record, citation: Ref | None, *, declared: bool
    ) -> None:
        slug = record.values.get("slug") if declared else record.values.get("trial")
        if not slug:
            return
        trial = Ref(Reference.TRIAL, slug)
        if declared:
            self.add(self.row(seed_file, record, schema.TRIAL, identity=["slug"], root=trial))
        for name, spec in schema.TRIAL_ROWS.items():
            for index, item in enumerate(record.records.get(name, []), start=1):
                self.add(
                    self.child(
                        seed_file,
                        item,
                        spec,
                        parent=("trial", trial),
                        root=trial,
                        index=index,
                        citation=citation,
                        block=record,
                    )
                )

    def child(
        self,
        seed_file: SeedFile,
        record: Record,
        spec: RecordSpec,
        *,
        parent: tuple[str, Ref],
        root: Ref,
        index: int,
        citation: Ref | None,
        block: Record,
    ) -> PlannedRow | None:
        parent_field, parent_ref = parent
        fixed: dict[str, Any] = {parent_field: parent_ref}
        identity = [parent_field]
        if spec.keyed:
            identity.append("seed_key")
        else:
            identity.append(spec.identity)
        if "seed_key" in {f.name for f in spec.model._meta.concrete_fields}:
            key = record.values.get(spec.identity)
            seed_key = f"{seed_file.file_id}:{key}"
            if len(seed_key) > SEED_KEY_MAX_LENGTH:
                self.problems.add(
                    seed_file,
                    record.line_of(spec.identity),
                    record.path,
                    spec.identity,
                    f"is too long to identify the row (file id and key may have at most "
                    f"{SEED_KEY_MAX_LENGTH} characters together): shorten it.",
                )
                return None
            fixed["seed_key"] = seed_key
        if "citation" in spec.fields and "citation" not in record.values:
            fixed["citation"] = citation
        if "position" in spec.fields and "position" not in record.values:
            if spec.model is MonographSection:
                fixed["position"] = SECTION_ORDER.get(record.values.get("kind"), index)
            else:
                fixed["position"] = index
        row = self.row(seed_file, record, spec, identity=identity, fixed=fixed, root=root)
        if row is not None:
            row.block = block
        if row is not None and spec.model is Arm:
            for item in record.records.get("interventions", []):
                values = {
                    name: item.values.get(name, spec_default(Intervention, name))
                    for name in schema.INTERVENTION.fields
                }
                self.intervention_check(seed_file, item, values)
                if values.get("drug") is not None:
                    values["drug"] = Ref(Reference.DRUG, values["drug"])
                row.interventions.append((item, values))
        return row

    def intervention_check(self, seed_file: SeedFile, item: Record, values: dict) -> None:
        """An intervention names a drug or something else, and fits the model's fields."""
        if not values.get("drug") and not values.get("name"):
            self.problems.add(
                seed_file, item.line, item.path, "drug", "give either 'drug' or 'name'."
            )
        instance = Intervention(**{k: v for k, v in values.items() if k != "drug"})
        try:
            instance.full_clean(
                exclude=["arm", "drug"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                for message in messages:
                    self.problems.add(
                        seed_file,
                        item.line_of(name),
                        item.path,
                        "" if name == NON_FIELD_ERRORS else name,
                        f"{message.rstrip('.')}: correct it in the seed file.",
                    )

    def row(
        self,
        seed_file: SeedFile,
        record: Record,
        spec: RecordSpec,
        *,
        identity: list[str],
        fixed: dict[str, Any] | None = None,
        skip: tuple[str, ...] = (),
        root: Ref | None = None,
    ) -> PlannedRow | None:
        model = spec.model
        trial_slug = fixed["trial"].key if fixed and "trial" in fixed else None
        values: dict[str, Any] = {}
        many: dict[str, list[Ref]] = {}
        for name, field_spec in spec.fields.items():
            if name in skip or field_spec.kind in (Kind.RECORDS, Kind.RECORD):
                continue
            if spec.keyed and name == "key":
                continue
            raw = record.values.get(name)
            if field_spec.kind == Kind.REFERENCE_LIST:
                many[name] = [Ref(field_spec.reference, key) for key in raw or []]
            elif field_spec.kind == Kind.REFERENCE:
                if raw is None:
                    values[name] = None
                elif field_spec.reference == Reference.ARM:
                    values[name] = Ref(Reference.ARM, (trial_slug, raw))
                else:
                    values[name] = Ref(field_spec.reference, raw)
            elif field_spec.kind == Kind.PARTIAL_DATE:
                day, precision = raw if raw is not None else (None, DatePrecision.DAY)
                values[name] = day
                values[f"{name}_precision"] = precision
            elif name in record.values:
                values[name] = raw
            else:
                values[name] = spec_default(model, name)
        values.update(fixed or {})
        if model is Drug or model is Trial:
            root = Ref(DECLARED_KINDS[model], values.get("slug"))
        missing = [name for name in identity if values.get(name) is None]
        if missing:
            return None  # the schema already reported the missing identity field
        identity_values = {name: values.pop(name) for name in identity}
        return PlannedRow(
            model=model,
            file=seed_file,
            record=record,
            identity=identity_values,
            values=values,
            many=many,
            root=root,
        )
