import uuid

from django.db import migrations, models

# The namespace of monographs.editorial.identity, copied so this migration never changes.
SEED_NAMESPACE = uuid.UUID("6f1f3c52-4d0e-4b8e-9a51-2f9c8e0b7d41")


def trial_uids_fill(apps, schema_editor):
    """Existing trials get the identifier the seeds would give them: databases agree."""
    Trial = apps.get_model("trials", "Trial")
    for trial in Trial.objects.only("pk", "slug").iterator():
        Trial.objects.filter(pk=trial.pk).update(
            uid=uuid.uuid5(SEED_NAMESPACE, f"trial:{trial.slug}")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("trials", "0004_tighter_number_rules"),
        ("monographs", "0013_revisions_identifiers_retired_slugs"),
    ]

    operations = [
        migrations.AddField(
            model_name="trial",
            name="uid",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(trial_uids_fill, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="trial",
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
