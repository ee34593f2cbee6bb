from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The public site's entry pages, rendered once when what they show is published, and
    the retirement of the cached responses a publish, a withdrawal or a change of reviewers
    (named on the about page) makes stale.

    It follows publishing through a projection registered after the read tables' (INSTALLED_APPS
    order), since a drug page lists its trials from those tables.
    """

    name = "monographs.site"
    label = "site"
    verbose_name = "Stored pages"

    def ready(self) -> None:
        from monographs.publishing.projections import register_projection
        from monographs.site.invalidation import (
            responses_after_publish,
            responses_after_withdrawal,
        )
        from monographs.site.stored import (
            stored_pages_after_publish,
            stored_pages_after_withdrawal,
        )

        # Each kind names its page's render function in its declaration (registry).
        register_projection(
            "stored_pages",
            published=stored_pages_after_publish,
            withdrawn=stored_pages_after_withdrawal,
        )
        # Cached responses are retired after the commit, once the stored pages are written.
        register_projection(
            "response_cache",
            published=responses_after_publish,
            withdrawn=responses_after_withdrawal,
        )
        from monographs.site.invalidation import reviewers_follow

        reviewers_follow()
