from django.db import migrations, models


def not_known_becomes_not_stated(apps, schema_editor):
    """Every "not known" band so far is the field's old default, never a band a source gave:
    the seed records name none, and the admin preselected it. Saying "not known" (the rate
    cannot be estimated) where the source is only silent misstates it, so they read "not
    stated" from now on. Published versions keep what they froze; the working copies differ
    from them until the next publication, as any edit would."""
    DrugAdverseEvent = apps.get_model("monographs", "DrugAdverseEvent")
    DrugAdverseEvent.objects.filter(frequency_band="not_known").update(frequency_band="")


class Migration(migrations.Migration):
    dependencies = [
        ("monographs", "0029_drug_interaction_stated_places"),
    ]

    operations = [
        migrations.AlterField(
            model_name="drugadverseevent",
            name="frequency_band",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "Not stated in the source"),
                    ("very_common", "Very common (≥10%)"),
                    ("common", "Common (1-10%)"),
                    ("uncommon", "Uncommon (0.1-1%)"),
                    ("rare", "Rare (0.01-0.1%)"),
                    ("very_rare", "Very rare (<0.01%)"),
                    ("not_known", "Not known"),
                ],
                default="",
                max_length=20,
            ),
        ),
        migrations.RunPython(not_known_becomes_not_stated, migrations.RunPython.noop),
    ]
