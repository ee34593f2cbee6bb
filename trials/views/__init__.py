"""The public trial pages."""

from trials.views.pages import (
    trial_detail,
    trial_list,
    trial_page_context,
    trial_version_detail,
    trial_versions,
)

__all__ = [
    "trial_detail",
    "trial_list",
    "trial_page_context",
    "trial_version_detail",
    "trial_versions",
]
