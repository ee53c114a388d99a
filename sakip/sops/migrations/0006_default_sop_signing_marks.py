"""The default SOP that an office already runs gets the marks the shipped SOP now carries.

load_default_sop only creates the SOP when its code is absent, so an office that loaded it before a
mark was added never got it (step 6's "someone other than the earlier approvers" was such a mark).
Here the office's newest revision of the default SOP gets the marks of the steps that are still the
shipped ones (same number, same activity): step 6 signs, by someone other than the earlier approvers,
on behalf of the Kepala Dinas; step 7 records the distribution. A revision that documents use is
never edited: the marks then go to a new revision, which new documents start under, while running
documents finish under the one they started with. A step the office changed is left as it is.
"""

from django.conf import settings
from django.db import migrations
from django.utils import timezone, translation
from django.utils.formats import date_format

SLUG = "pengukuran-kinerja"
# number: (the activity as shipped, the marks the shipped step carries)
MARKS = {
    6: (
        "Menandatangani dokumen pengukuran kinerja; jika tidak setuju dikembalikan untuk diperbaiki",
        {"is_signature": True, "needs_other_person": True, "signs_on_behalf_of": "a.n. KEPALA DINAS TENAGA KERJA"},
    ),
    7: (
        "Mengagendakan, mengandakan dan mendistribusikan dokumen pengukuran kinerja",
        {"records_distribution": True},
    ),
}
NOTE = (
    "Langkah 6 ditandatangani a.n. Kepala Dinas dan oleh orang selain pemberi paraf; "
    "langkah 7 mencatat penerima, jumlah salinan dan tanggal distribusi."
)


def _changes(steps) -> dict[int, dict]:
    """The marks each shipped step of ``steps`` lacks, by step number; only those the SOP's rules allow."""
    signature_elsewhere = any(s.is_signature and s.number not in MARKS for s in steps)
    decisions = [s.number for s in steps if s.kind == "decision"]
    changes = {}
    for step in steps:
        shipped = MARKS.get(step.number)
        if shipped is None or step.activity != shipped[0]:
            continue
        marks = dict(shipped[1])
        if signature_elsewhere:  # one signature step only: the office chose another one
            for name in ("is_signature", "signs_on_behalf_of"):
                marks.pop(name, None)
        if not any(d < step.number for d in decisions):
            marks.pop("needs_other_person", None)
        if marks.get("records_distribution") and step.is_signature:
            marks.pop("records_distribution")
        wanted = {name: value for name, value in marks.items() if getattr(step, name) != value}
        if wanted:
            changes[step.number] = wanted
    return changes


def mark_default_sop(apps, schema_editor=None):
    Sop, Actor, Step = (apps.get_model("sops", name) for name in ("Sop", "Actor", "Step"))
    latest = Sop.objects.filter(slug=SLUG).order_by("-revision").first()
    if latest is None:
        return
    steps = list(Step.objects.filter(sop=latest).order_by("number"))
    changes = _changes(steps)
    if not changes:
        return
    if latest.in_use_since is None:
        for step in steps:
            for name, value in changes.get(step.number, {}).items():
                setattr(step, name, value)
            step.save()
        return
    # In use: a new revision, as the admin's "new revision" makes it (sakip.sops.services.sop_new_revision).
    copied = {f.attname: getattr(latest, f.attname) for f in latest._meta.concrete_fields}
    for name in ("id", "created_at", "in_use_since", "created_by_id"):
        copied.pop(name)
    with translation.override(settings.LANGUAGE_CODE):
        copied["tanggal_revisi"] = date_format(timezone.localdate(), "DATE_FORMAT")
    revision = Sop.objects.create(**{**copied, "revision": latest.revision + 1, "revision_note": NOTE, "sheet_pdf": ""})
    actors = {
        actor.pk: Actor.objects.create(sop=revision, position=actor.position, name=actor.name, group_id=actor.group_id)
        for actor in Actor.objects.filter(sop=latest)
    }
    for step in steps:
        values = {f.attname: getattr(step, f.attname) for f in step._meta.concrete_fields if f.attname != "id"}
        values.update(sop_id=revision.pk, actor_id=actors[step.actor_id].pk, **changes.get(step.number, {}))
        Step.objects.create(**values)


class Migration(migrations.Migration):
    dependencies = [
        ("sops", "0005_step_signing_and_distribution"),
    ]

    operations = [
        migrations.RunPython(mark_default_sop, migrations.RunPython.noop),
    ]
