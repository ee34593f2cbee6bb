"""The admin of drug monographs, their vocabulary and the published record.

Importing this package registers every model of the app; the editorial base classes are
re-exported for the trials admin.
"""

from django.contrib import admin

from monographs.admin.children import EditorialChildAdmin
from monographs.admin.drugs import DrugAdmin
from monographs.admin.editorial import (
    EditorialInline,
    EditorialRootAdmin,
    EditorialStackedInline,
    kind_for_model,
)
from monographs.admin.engine import (
    EditorialEventAdmin,
    EntryAdmin,
    FacetAdmin,
    PublicationAdmin,
    ReadOnlyAdmin,
    SearchDocumentAdmin,
)
from monographs.admin.forms import EditorialChildForm, EditorialRootForm, fixed_choices
from monographs.admin.notifications import NotificationPreferenceAdmin
from monographs.admin.vocabulary import (
    AdverseEventTermAdmin,
    CitationAdmin,
    ConditionAdmin,
    TargetAdmin,
)
from monographs.admin.widgets import status_badge

admin.site.site_header = "Oncology Monographs: editorial desk"
admin.site.site_title = "Oncology Monographs editorial"
admin.site.index_title = "Editorial desk"

__all__ = [
    "AdverseEventTermAdmin",
    "CitationAdmin",
    "ConditionAdmin",
    "DrugAdmin",
    "EditorialChildAdmin",
    "EditorialChildForm",
    "EditorialEventAdmin",
    "EditorialInline",
    "EditorialRootAdmin",
    "EditorialRootForm",
    "EditorialStackedInline",
    "EntryAdmin",
    "FacetAdmin",
    "NotificationPreferenceAdmin",
    "PublicationAdmin",
    "ReadOnlyAdmin",
    "SearchDocumentAdmin",
    "TargetAdmin",
    "fixed_choices",
    "kind_for_model",
    "status_badge",
]
