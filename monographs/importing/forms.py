from django import forms

MAX_FILE_BYTES = 5 * 1024 * 1024


class CitationImportForm(forms.Form):
    identifiers = forms.CharField(
        label="DOIs, PMIDs or PMCIDs",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text="One or more, separated by spaces, commas or new lines, e.g. "
        "10.1056/NEJMoa0708857, 18650514 or PMC1234567.",
    )
    file = forms.FileField(
        label="or a reference file",
        required=False,
        help_text="RIS (.ris), BibTeX (.bib), CSL-JSON (.json), PubMed XML (.xml) or MEDLINE "
        "(.nbib). Read here; nothing is fetched for a file.",
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                f"{upload.name} is {upload.size // 1024} KB; files up to "
                f"{MAX_FILE_BYTES // 1024 // 1024} MB are read. Split it into smaller files."
            )
        return upload

    def clean(self):
        data = super().clean()
        if not data.get("identifiers", "").strip() and not data.get("file"):
            raise forms.ValidationError("Paste an identifier or choose a file.")
        return data

    def identifier_list(self) -> list[str]:
        text = self.cleaned_data.get("identifiers", "")
        parts = text.replace(",", " ").replace(";", " ").split()
        # "PMID: 123" pasted from a reference list: the label is not an identifier.
        return [p for p in parts if p.lower().rstrip(":") not in {"pmid", "pmcid", "doi"}]


class TrialImportForm(forms.Form):
    nct_id = forms.CharField(
        label="NCT number",
        required=False,
        max_length=20,
        help_text="E.g. NCT00105443: the study is read from ClinicalTrials.gov.",
    )
    file = forms.FileField(
        label="or a study JSON file",
        required=False,
        help_text="A study as ClinicalTrials.gov's API v2 returns it; read here, offline.",
    )
    require_results = forms.BooleanField(
        label="Only if results are posted",
        required=False,
        help_text="Refuse a study without posted results instead of importing its registration.",
    )

    def clean_file(self):
        return CitationImportForm.clean_file(self)

    def clean(self):
        data = super().clean()
        if bool(data.get("nct_id", "").strip()) == bool(data.get("file")):
            raise forms.ValidationError("Give an NCT number or a study file (one of them).")
        return data
