from django.db import migrations, models

BATCH_SIZE = 500


def fill_from_existing_publications(apps, schema_editor):
    """The term synonyms of every incidence row already written, from its drug document (as
    read_tables writes them at publish), matched by the row's position in the document."""
    Publication = apps.get_model("monographs", "Publication")
    PublishedAdverseEvent = apps.get_model("public_api", "PublishedAdverseEvent")
    changed = []
    publications = Publication.objects.filter(kind="drug").order_by("id")
    for publication in publications.iterator(chunk_size=BATCH_SIZE):
        events = publication.document.get("adverse_events") or []
        rows = PublishedAdverseEvent.objects.filter(publication_id=publication.id)
        for row in rows.only("id", "sort_key"):
            position = int(row.sort_key.rsplit("/", 1)[1])
            synonyms = events[position]["term"].get("synonyms") or []
            if synonyms:
                row.term_synonyms = synonyms
                changed.append(row)
        if len(changed) >= BATCH_SIZE:
            PublishedAdverseEvent.objects.bulk_update(changed, ["term_synonyms"])
            changed = []
    PublishedAdverseEvent.objects.bulk_update(changed, ["term_synonyms"])


class Migration(migrations.Migration):
    dependencies = [
        ("public_api", "0005_published_trial_listing"),
    ]

    operations = [
        migrations.AddField(
            model_name="publishedadverseevent",
            name="term_synonyms",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Other names of the term, as the document gives them.",
            ),
        ),
        migrations.RunPython(fill_from_existing_publications, migrations.RunPython.noop),
    ]
