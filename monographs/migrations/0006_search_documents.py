import django.contrib.postgres.search
from django.db import migrations, models

GIN_INDEX = "monographs_searchdocument_vector_gin"


def create_gin_index(apps, schema_editor):
    """The GIN index exists only where tsvector does: PostgreSQL. SQLite searches text."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX {GIN_INDEX} ON monographs_searchdocument USING gin (search_vector)"
        )


def drop_gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {GIN_INDEX}")


def add_term_and_citation_facets(apps, schema_editor):
    """Publications frozen before drugs had term facets and both kinds had citation facets."""
    Publication = apps.get_model("monographs", "Publication")
    Facet = apps.get_model("monographs", "Facet")
    for publication in Publication.objects.iterator():
        document = publication.document or {}
        wanted = {("citation", r["key"]) for r in document.get("references") or []}
        wanted |= {("term", ae["term"]["slug"]) for ae in document.get("adverse_events") or []}
        existing = set(
            Facet.objects.filter(publication=publication).values_list("name", "value")
        )
        Facet.objects.bulk_create(
            Facet(publication=publication, name=name, value=value)
            for name, value in sorted(wanted - existing)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("monographs", "0005_identifier_formats_anchor_end"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("drug", "Drug"), ("trial", "Trial"), ("adverse_event", "Adverse event"), ("reference", "Reference")], max_length=20)),
                ("slug", models.CharField(max_length=120)),
                ("title", models.CharField(max_length=500)),
                ("description", models.CharField(blank=True, help_text="One line shown under the title in lists.", max_length=500)),
                ("names", models.TextField(blank=True, help_text="Other names, synonyms and identifiers.")),
                ("body", models.TextField(blank=True)),
                ("search_vector", django.contrib.postgres.search.SearchVectorField(editable=False, null=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "ordering": ["kind", "title"],
                "constraints": [models.UniqueConstraint(fields=("kind", "slug"), name="search_document_unique_slug")],
            },
        ),
        migrations.RunPython(create_gin_index, drop_gin_index),
        migrations.RunPython(add_term_and_citation_facets, migrations.RunPython.noop),
    ]
