from django.db import migrations, models

from monographs.publishing.commit_stamp import install_sql, uninstall_sql
from monographs.publishing.immutability import install_sql as immutable_sql
from monographs.publishing.immutability import uninstall_sql as mutable_sql


def install(apps, schema_editor):
    for statement in install_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


def uninstall(apps, schema_editor):
    for statement in uninstall_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


def reinstall_sqlite_triggers(apps, schema_editor):
    """An index added on SQLite can remake the table; its immutability goes with the old one."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for statement in mutable_sql(vendor) + immutable_sql(vendor):
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("monographs", "0022_default_source_of_a_drug_and_a_section"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="editorialevent",
            index=models.Index(fields=["txid"], name="event_writing_transaction"),
        ),
        migrations.RunPython(reinstall_sqlite_triggers, migrations.RunPython.noop),
        migrations.RunPython(install, uninstall),
    ]
