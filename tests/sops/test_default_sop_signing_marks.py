"""An office that loaded the default SOP before its marks existed gets them, properly: a revision in use is
never edited, so the marks come in a new revision; running documents finish under the old one."""

import importlib

import pytest
from django.apps import apps

from sakip.sops.models import Sop
from sakip.sops.serialization import sop_to_dict
from tests.conftest import make_people, start_document

pytestmark = pytest.mark.django_db

migration = importlib.import_module("sakip.sops.migrations.0006_default_sop_signing_marks")


def strip_marks(sop):
    sop.steps.update(needs_other_person=False, signs_on_behalf_of="", records_distribution=False)


def marks(sop):
    return {
        s.number: (s.is_signature, s.needs_other_person, s.signs_on_behalf_of, s.records_distribution)
        for s in sop.steps.all()
        if s.number in (6, 7)
    }


SHIPPED = {6: (True, True, "a.n. KEPALA DINAS TENAGA KERJA", False), 7: (False, False, "", True)}


def test_an_unused_revision_gets_the_marks_in_place(default_sop):
    strip_marks(default_sop)
    migration.mark_default_sop(apps)
    assert Sop.objects.filter(slug="pengukuran-kinerja").count() == 1
    assert marks(default_sop) == SHIPPED


def test_a_revision_in_use_stays_as_it_is_and_a_new_revision_carries_the_marks(default_sop):
    strip_marks(default_sop)
    people = make_people(default_sop)
    running = start_document(sop=default_sop, title="PK", year=2026, by=people["Sekretaris"])
    before = sop_to_dict(Sop.objects.get(pk=default_sop.pk))

    migration.mark_default_sop(apps)

    old = Sop.objects.get(pk=default_sop.pk)
    assert sop_to_dict(old) == before  # the revision in use is untouched
    new = Sop.objects.latest_of("pengukuran-kinerja")
    assert new.revision == old.revision + 1 and new.in_use_since is None
    assert marks(new) == SHIPPED
    assert "a.n. Kepala Dinas" in new.revision_note
    # Everything else is the same SOP: actors, steps, identity.
    old_dict, new_dict = sop_to_dict(old), sop_to_dict(new)
    for step in old_dict["steps"] + new_dict["steps"]:
        for name in ("needs_other_person", "signs_on_behalf_of", "records_distribution"):
            step.pop(name)
    old_dict["identity"].pop("tanggal_revisi"), new_dict["identity"].pop("tanggal_revisi")
    assert old_dict == new_dict
    assert running.sop_id == old.pk

    migration.mark_default_sop(apps)  # a second run finds nothing to do
    assert Sop.objects.filter(slug="pengukuran-kinerja").count() == 2


def test_a_step_the_office_changed_keeps_what_the_office_made_of_it(default_sop):
    strip_marks(default_sop)
    default_sop.steps.filter(number=7).update(activity="Mengarsipkan dokumen")
    migration.mark_default_sop(apps)
    assert marks(default_sop)[7] == (False, False, "", False)
    assert marks(default_sop)[6] == SHIPPED[6]


def test_a_shipped_sop_needs_nothing(default_sop):
    migration.mark_default_sop(apps)
    assert Sop.objects.filter(slug="pengukuran-kinerja").count() == 1
    assert marks(default_sop) == SHIPPED


def test_no_default_sop_no_change(db):
    migration.mark_default_sop(apps)
    assert not Sop.objects.exists()


def test_the_file_exports_and_imports_the_new_marks(default_sop):
    from sakip.sops.serialization import check_sop_dict

    data = sop_to_dict(default_sop)
    steps = {s["number"]: s for s in data["steps"]}
    assert steps[6]["signs_on_behalf_of"] == "a.n. KEPALA DINAS TENAGA KERJA"
    assert steps[7]["records_distribution"] is True
    check_sop_dict(data)
    steps[5]["signs_on_behalf_of"] = "a.n. KEPALA DINAS"
    with pytest.raises(ValueError, match=r"steps\[4\]\.signs_on_behalf_of"):
        check_sop_dict(data)
