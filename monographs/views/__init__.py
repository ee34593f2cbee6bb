"""The public site's drug, adverse-event, reference and site-wide pages."""

from monographs.views.drugs import (
    drug_detail,
    drug_list,
    drug_version_detail,
    drug_versions,
    version_list,
)
from monographs.views.pages import about, favicon, home, robots_txt, search
from monographs.views.vocabulary import (
    adverse_event_detail,
    adverse_event_list,
    reference_detail,
    reference_list,
)

__all__ = [
    "about",
    "adverse_event_detail",
    "adverse_event_list",
    "drug_detail",
    "drug_list",
    "drug_version_detail",
    "drug_versions",
    "favicon",
    "home",
    "reference_detail",
    "reference_list",
    "robots_txt",
    "search",
    "version_list",
]
