from django.apps import AppConfig


class EditorialConfig(AppConfig):
    """The editorial engine every root kind shares: the workflow of a root's working copy
    (draft, review, approval, publish-at, withdrawal), its revisions and timeline events,
    review comments and notification preferences, the workflow actions, locking against
    stale saves, quality checks, the review diff and the four-eyes rule. It decides what may
    go live and when; monographs.publishing writes what then is public.
    """

    name = "monographs.editorial"
    label = "editorial"
    verbose_name = "Editorial workflow"
