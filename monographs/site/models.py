"""Entry pages rendered once, when what they show was published, and served as stored bytes.

A row is the page of an entry's current publication exactly as the live view renders it, with
the address of the site written as a placeholder (stored_render.ORIGIN) so the bytes are the
same for every host the site answers at. Its keys name every entry the page shows or would
show if it were live (a drug page's trials, the drugs it links to, the drugs that mention
it): publishing or withdrawing any of them renders the page again in the same transaction.
"""

from django.db import models

from monographs.publishing.models import Entry, Publication


class StoredPage(models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="+", db_index=False)
    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    body = models.BinaryField(help_text="UTF-8 HTML, the site's address as a placeholder.")
    body_deflated = models.BinaryField(
        default=b"",
        help_text="The body between placeholders, compressed piece by piece (site.compression).",
    )
    body_deflated_index = models.TextField(
        default="",
        help_text="Each compressed piece's length, text length and CRC-32, as JSON.",
    )
    etag = models.CharField(max_length=64, help_text="SHA-256 of the body, shortened.")
    keys = models.TextField(
        help_text="The entry keys the page depends on, space-separated (its Surrogate-Key)."
    )
    rendered_at = models.DateTimeField()
    renderer = models.CharField(
        max_length=16, help_text="Fingerprint of the templates and code that rendered it."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "publication"], name="stored_page_unique"),
        ]
        indexes = [models.Index(fields=["publication"], name="stored_page_publication")]

    def __str__(self) -> str:
        return f"Stored page of {self.entry_id} (publication {self.publication_id})"


class StoredPageKey(models.Model):
    """One entry the stored page of `entry` depends on, indexed to find the pages a publish
    changes. Kept by the page's entry, not the page, so a run forgets pages and keys in two
    statements whatever it selects (stored.pages_forget)."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=140)
    dependence = models.CharField(
        max_length=10,
        choices=[("shows", "shows it"), ("links", "links to it"), ("names", "names it unlinked")],
    )

    class Meta:
        indexes = [models.Index(fields=["key"], name="stored_page_key")]

    def __str__(self) -> str:
        return self.key
