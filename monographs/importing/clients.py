"""The three services the importers read, one small client each.

Crossref REST (/works/{doi}), NCBI E-utilities (esearch and efetch on PubMed, XML) and
ClinicalTrials.gov API v2 (/studies/{nct}). Base URLs come from settings, so a test or a
mirror points them elsewhere.
"""

from typing import Any
from urllib.parse import quote

from django.conf import settings

from monographs.importing.errors import NotFound
from monographs.importing.http import ServiceClient


class CrossrefClient(ServiceClient):
    service = "Crossref"
    base_url_setting = "CROSSREF_API_URL"

    def work(self, doi: str) -> dict[str, Any]:
        """The Crossref work of a DOI: the `message` of its JSON answer."""
        record = f"DOI {doi}"
        params = (
            {"mailto": settings.IMPORT_CONTACT_EMAIL} if settings.IMPORT_CONTACT_EMAIL else None
        )
        payload = self.get_json(f"works/{quote(doi, safe='/')}", params=params, record=record)
        message = payload.get("message") if isinstance(payload, dict) else None
        if not isinstance(message, dict) or payload.get("message-type") not in (None, "work"):
            raise NotFound("Crossref's answer holds no work.", source=self.service, record=record)
        return message


class PubMedClient(ServiceClient):
    service = "PubMed"
    base_url_setting = "NCBI_EUTILS_URL"

    def _params(self, **params: str) -> dict[str, str]:
        params["tool"] = "oncology-monographs"
        if settings.IMPORT_CONTACT_EMAIL:
            params["email"] = settings.IMPORT_CONTACT_EMAIL
        if settings.NCBI_API_KEY:
            params["api_key"] = settings.NCBI_API_KEY
        return params

    def articles_xml(self, pmids: list[str]) -> bytes:
        """PubMed XML (a <PubmedArticleSet>) for the given PMIDs, from efetch."""
        record = "PMID " + ", ".join(pmids)
        response = self.get(
            "efetch.fcgi",
            params=self._params(db="pubmed", id=",".join(pmids), retmode="xml"),
            record=record,
        )
        return response.content

    def pmid_for_pmcid(self, pmcid: str) -> str:
        """The PMID of a PubMed Central article, found with esearch."""
        record = f"PMCID {pmcid}"
        payload = self.get_json(
            "esearch.fcgi",
            params=self._params(db="pubmed", term=f"{pmcid}[pmcid]", retmode="json"),
            record=record,
        )
        ids = ((payload or {}).get("esearchresult") or {}).get("idlist") or []
        if not ids:
            raise NotFound(
                "PubMed knows no article with this PMCID.", source="PubMed", record=record
            )
        return str(ids[0])


class ClinicalTrialsClient(ServiceClient):
    service = "ClinicalTrials.gov"
    base_url_setting = "CLINICALTRIALS_API_URL"

    def study(self, nct_id: str) -> dict[str, Any]:
        """One study as API v2 returns it: protocolSection, resultsSection, hasResults."""
        payload = self.get_json(
            f"studies/{nct_id}", params={"format": "json"}, record=f"study {nct_id}"
        )
        if not isinstance(payload, dict) or "protocolSection" not in payload:
            raise NotFound(
                "the answer holds no protocolSection.", source=self.service, record=nct_id
            )
        return payload
