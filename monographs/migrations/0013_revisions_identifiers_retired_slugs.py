import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The namespace of monographs.editorial.identity, copied so this migration never changes.
SEED_NAMESPACE = uuid.UUID("6f1f3c52-4d0e-4b8e-9a51-2f9c8e0b7d41")


def drug_uids_fill(apps, schema_editor):
    """Existing drugs get the identifier the seeds would give them: databases agree."""
    Drug = apps.get_model("monographs", "Drug")
    for drug in Drug.objects.only("pk", "slug").iterator():
        Drug.objects.filter(pk=drug.pk).update(uid=uuid.uuid5(SEED_NAMESPACE, f"drug:{drug.slug}"))


class Migration(migrations.Migration):
    dependencies = [
        ("monographs", "0012_index_pages_read_in_order"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Revision",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(max_length=20)),
                ("root_id", models.PositiveBigIntegerField()),
                ("document", models.JSONField()),
                ("content_hash", models.CharField(help_text="SHA-256 of the canonical document.", max_length=64)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("note", models.TextField(blank=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["kind", "root_id", "id"],
                "indexes": [models.Index(fields=["kind", "root_id", "-id"], name="revision_of_root_newest")],
            },
        ),
        migrations.AddField(
            model_name="editorialevent",
            name="revision",
            field=models.ForeignKey(
                blank=True,
                help_text="The document as it stood after this event: approving freezes this one.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="monographs.revision",
            ),
        ),
        migrations.AlterField(
            model_name="editorialevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("created", "Created"),
                    ("edited", "Edited"),
                    ("submitted", "Submitted for review"),
                    ("changes_requested", "Changes requested"),
                    ("approved", "Approved"),
                    ("published", "Published"),
                    ("withdrawn", "Withdrawn"),
                    ("restored", "Restored from a version"),
                    ("approval_void", "Approval void"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="drug",
            name="uid",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(drug_uids_fill, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="drug",
            name="uid",
            field=models.UUIDField(
                default=uuid.uuid4,
                editable=False,
                help_text="Never changes, whatever the slug: mirrors and exports follow an entry by it.",
                unique=True,
                verbose_name="permanent identifier",
            ),
        ),
    ]
