"""The portable backup as docs/reliability.md documents it, and a summary to compare databases.

Everything is dumped with its primary keys (Publication.root_id and EditorialEvent.root_id
are plain numbers pointing at them). Left out: what migrate recreates (content types,
permissions, the two editorial groups), what is transient (sessions, login attempts) and
the search index, which `rebuild_search_index` derives from the publications.
"""

from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model

from monographs.editorial.documents import document_hash
from monographs.editorial.models import EditorialEvent
from monographs.publishing.models import Entry, Publication

BACKUP_EXCLUDES = [
    "contenttypes",
    "auth.permission",
    "auth.group",
    "sessions",
    "axes",
    "monographs.searchdocument",
]
# XML keeps timestamps to the microsecond; Django's JSON keeps milliseconds only.
DUMP_ARGUMENTS = [
    "--format=xml",
    "--natural-foreign",
    *(f"--exclude={name}" for name in BACKUP_EXCLUDES),
]
CONTENT_APPS = ("monographs", "trials", "public_api", "editorial", "publishing")


def database_summary() -> dict[str, Any]:
    """Row counts of every content table, and each publication, entry and event by identity."""
    counts = {
        model._meta.label: model.objects.count()
        for label in CONTENT_APPS
        for model in apps.get_app_config(label).get_models()
    }
    counts["auth.User"] = get_user_model().objects.count()
    return {
        "counts": counts,
        "publications": [
            [p.kind, p.root_id, p.version, p.content_hash, document_hash(p.document)]
            for p in Publication.objects.order_by("kind", "root_id", "version")
        ],
        "entries": [
            [e.kind, e.slug, e.root_id, e.current.version, str(e.withdrawn_at)]
            for e in Entry.objects.select_related("current").order_by("kind", "slug")
        ],
        "events": [
            [e.kind, e.root_id, e.action, e.user_id, e.publication_id, e.created_at.isoformat()]
            for e in EditorialEvent.objects.order_by("id")
        ],
    }
