import uuid

import django.db.models.deletion
from django.db import migrations, models


def entry_uids_fill(apps, schema_editor):
    """Each entry takes its root's permanent identifier; an entry whose root is gone, a new one."""
    Entry = apps.get_model("monographs", "Entry")
    roots = {
        "drug": dict(apps.get_model("monographs", "Drug").objects.values_list("pk", "uid")),
        "trial": dict(apps.get_model("trials", "Trial").objects.values_list("pk", "uid")),
    }
    for entry in Entry.objects.only("pk", "kind", "root_id").iterator():
        uid = roots.get(entry.kind, {}).get(entry.root_id) or uuid.uuid4()
        Entry.objects.filter(pk=entry.pk).update(uid=uid)


class Migration(migrations.Migration):
    dependencies = [
        ("monographs", "0013_revisions_identifiers_retired_slugs"),
        ("trials", "0005_trial_uid"),
    ]

    operations = [
        migrations.AddField(
            model_name="entry",
            name="uid",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(entry_uids_fill, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="entry",
            name="uid",
            field=models.UUIDField(
                default=uuid.uuid4,
                editable=False,
                help_text="The root's permanent identifier, served wherever the entry is.",
                unique=True,
                verbose_name="permanent identifier",
            ),
        ),
        migrations.CreateModel(
            name="RetiredSlug",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(max_length=20)),
                ("slug", models.SlugField(max_length=120)),
                ("retired_at", models.DateTimeField()),
                (
                    "entry",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="retired_slugs",
                        to="monographs.entry",
                    ),
                ),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("kind", "slug"), name="retired_slug_unique")],
            },
        ),
    ]
