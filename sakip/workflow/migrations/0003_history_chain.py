"""History entries freeze who acted (name and position as they were) and are chained by SHA-256.

Existing entries get the names of their people as they are now (the best that is known), an empty
content digest (it was not recorded), and their chain, document by document in the order of writing.
"""

from django.db import migrations, models
from django.utils import timezone

from sakip.workflow.history import CHAIN_ORDER, GENESIS, entry_hash


def fill_names_and_chain(apps, schema_editor):
    HistoryEntry = apps.get_model("workflow", "HistoryEntry")
    Profile = apps.get_model("accounts", "Profile")
    ActingAssignment = apps.get_model("accounts", "ActingAssignment")
    Step = apps.get_model("sops", "Step")
    Actor = apps.get_model("sops", "Actor")
    db = schema_editor.connection.alias

    jabatan = dict(Profile.objects.using(db).values_list("user_id", "jabatan"))
    step_numbers = dict(Step.objects.using(db).values_list("pk", "number"))
    actor_groups = dict(Actor.objects.using(db).values_list("pk", "group_id"))
    previous: dict[int, str] = {}
    entries = HistoryEntry.objects.using(db).select_related("by").order_by("document_id", *CHAIN_ORDER)
    for entry in entries.iterator(chunk_size=2000):
        by = entry.by
        entry.by_name = f"{by.first_name} {by.last_name}".strip() or by.username
        entry.by_jabatan = jabatan.get(by.pk) or ""
        group = actor_groups.get(entry.actor_id)
        if group is not None and not by.groups.filter(pk=group).exists():
            # Not a member of the role: they acted for it, under the assignment that covered that day.
            day = timezone.localtime(entry.step_ended_at).date()
            acting = (
                ActingAssignment.objects.using(db)
                .filter(person=by, role_id=group, starts_on__lte=day, ends_on__gte=day)
                .order_by("-starts_on")
                .first()
            )
            if acting is not None:
                entry.by_jabatan = f"{acting.prefix} {acting.jabatan}".strip()
        entry.content_sha256 = ""
        entry.prev_hash = previous.get(entry.document_id, GENESIS)
        entry.hash = entry_hash(entry, step_number=step_numbers[entry.step_id], prev_hash=entry.prev_hash)
        previous[entry.document_id] = entry.hash
        entry.save(update_fields=["by_name", "by_jabatan", "content_sha256", "prev_hash", "hash"])


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0002_signature"),
        ("accounts", "0001_initial"),
        ("sops", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="historyentry",
            name="by_name",
            field=models.CharField(default="", max_length=301, verbose_name="name"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="historyentry",
            name="by_jabatan",
            field=models.CharField(blank=True, max_length=206, verbose_name="position"),
        ),
        migrations.AddField(
            model_name="historyentry",
            name="content_sha256",
            field=models.CharField(blank=True, max_length=64, verbose_name="SHA-256 of the content"),
        ),
        migrations.AddField(
            model_name="historyentry",
            name="prev_hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="previous hash"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="historyentry",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="hash"),
            preserve_default=False,
        ),
        migrations.RunPython(fill_names_and_chain, migrations.RunPython.noop, elidable=False),
    ]
