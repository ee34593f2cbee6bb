from django.db import migrations

MENTIONS = (
    ("interacts_with", "interactions", "interacting_drug"),
    ("followed_by", "subsequent_therapies", "therapy_drug"),
)


def add_mention_facets(apps, schema_editor):
    """Publications made before drugs named in rows were written as facets get them now.

    Read from each frozen document, as publishing writes them (documents.drug_mention_facets),
    so a drug's page can list where other published monographs mention it.
    """
    Publication = apps.get_model("monographs", "Publication")
    Facet = apps.get_model("monographs", "Facet")
    existing = set(
        Facet.objects.filter(name__in=[name for name, _, _ in MENTIONS]).values_list(
            "publication_id", "name", "value"
        )
    )
    new = []
    for publication in Publication.objects.filter(kind="drug").iterator(chunk_size=200):
        document = publication.document or {}
        for name, member, key in MENTIONS:
            for row in document.get(member) or []:
                slug = (row.get(key) or {}).get("slug")
                if slug and (publication.pk, name, slug) not in existing:
                    existing.add((publication.pk, name, slug))
                    new.append(Facet(publication_id=publication.pk, name=name, value=slug))
    Facet.objects.bulk_create(new, batch_size=500)


def remove_mention_facets(apps, schema_editor):
    apps.get_model("monographs", "Facet").objects.filter(
        name__in=[name for name, _, _ in MENTIONS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("monographs", "0019_figure_bounds_fit_their_ends")]

    operations = [migrations.RunPython(add_mention_facets, remove_mention_facets)]
