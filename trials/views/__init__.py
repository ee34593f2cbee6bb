"""The public trial pages."""

from trials.views.pages import (
    trial_detail,
    trial_list,
    trial_page_context,
    trial_version_detail,
    trial_versions,
)

# The staff preview in the admin renders drafts through the same context.
_trial_context = trial_page_context

__all__ = [
    "trial_detail",
    "trial_list",
    "trial_page_context",
    "trial_version_detail",
    "trial_versions",
]
