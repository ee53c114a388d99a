"""The record is append-only in the database itself: every entry is chained, and UPDATE and DELETE of
history entries, signatures and attachments are refused by triggers (sakip.workflow.records)."""

import django.db.models.functions.text
import django.db.models.lookups
from django.db import migrations, models

from sakip.workflow import records


def install_guards(apps, schema_editor):
    records.install(schema_editor.connection)


def uninstall_guards(apps, schema_editor):
    records.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0003_history_chain"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="historyentry",
            constraint=models.UniqueConstraint(fields=("document", "prev_hash"), name="historyentry_one_successor"),
        ),
        migrations.AddConstraint(
            model_name="historyentry",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    django.db.models.lookups.Exact(django.db.models.functions.text.Length("hash"), 64),
                    django.db.models.lookups.Exact(django.db.models.functions.text.Length("prev_hash"), 64),
                ),
                name="historyentry_chained",
            ),
        ),
        # Last: on SQLite adding a constraint rebuilds the table, which would drop triggers made before it.
        migrations.RunPython(install_guards, uninstall_guards, elidable=False),
    ]
