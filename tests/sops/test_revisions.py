"""Revisions and copies of an SOP: sop_new_revision, sop_copy and Sop.objects.current()."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.formats import date_format

from sakip.sops.models import Actor, Sop, Step
from sakip.sops.serialization import sop_to_dict
from sakip.sops.services import sop_copy, sop_new_revision
from tests.conftest import make_user
from tests.sops.factories import make_sop

pytestmark = pytest.mark.django_db


def without_revision_date(data: dict) -> dict:
    return {**data, "identity": {**data["identity"], "tanggal_revisi": None}}


def test_it_creates_the_next_revision_with_the_same_actors_and_steps(default_sop):
    new = sop_new_revision(sop=default_sop)
    assert (new.slug, new.revision) == ("pengukuran-kinerja", 2)
    assert new.pk != default_sop.pk
    assert without_revision_date(sop_to_dict(new)) == without_revision_date(sop_to_dict(default_sop))
    assert new.actors.count() == 4
    assert new.steps.count() == 7
    assert not new.actors.filter(pk__in=default_sop.actors.all()).exists()
    assert not new.steps.filter(pk__in=default_sop.steps.all()).exists()
    assert set(new.actors.values_list("group", flat=True)) == set(default_sop.actors.values_list("group", flat=True))


def test_it_dates_the_new_revision_today_in_indonesian(default_sop):
    new = sop_new_revision(sop=default_sop)
    with translation.override("id"):
        today = date_format(timezone.localdate(), "DATE_FORMAT")
    assert new.tanggal_revisi == today
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]+ \d{4}", new.tanggal_revisi)


def test_it_writes_the_indonesian_month_name(default_sop, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: datetime.date(2027, 1, 5))
    assert sop_new_revision(sop=default_sop).tanggal_revisi == "5 Januari 2027"
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: datetime.date(2026, 11, 25))
    assert sop_new_revision(sop=default_sop).tanggal_revisi == "25 November 2026"


def test_it_writes_the_revision_date_in_indonesian_for_an_english_reader(default_sop, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: datetime.date(2027, 1, 5))
    with translation.override("en"):
        new = sop_new_revision(sop=default_sop)
    assert new.tanggal_revisi == "5 Januari 2027"


def test_it_leaves_the_old_revision_unchanged(default_sop):
    before = sop_to_dict(default_sop)
    step_pks = list(default_sop.steps.order_by("number").values_list("pk", flat=True))
    new = sop_new_revision(sop=default_sop)
    new.steps.filter(number=2).update(activity="Diubah", duration=99)
    new.actors.filter(position=1).update(name="Kepala Dinas")

    old = Sop.objects.get(pk=default_sop.pk)
    assert old.revision == 1
    assert old.tanggal_revisi == "Januari 2020"
    assert sop_to_dict(old) == before
    assert list(old.steps.order_by("number").values_list("pk", flat=True)) == step_pks


def test_it_keeps_the_steps_of_a_revision_in_use(default_sop):
    default_sop.in_use_since = timezone.now()
    default_sop.save(update_fields=["in_use_since"])
    before = sop_to_dict(default_sop)

    new = sop_new_revision(sop=default_sop, note="Waktu langkah 2")
    assert new.in_use_since is None
    assert new.revision_note == "Waktu langkah 2"
    step = new.steps.get(number=2)
    step.duration = 45
    step.save()
    new.steps.filter(number=3).delete()

    old = Sop.objects.get(pk=default_sop.pk)
    assert old.is_in_use
    assert sop_to_dict(old) == before
    assert old.steps.get(number=2).duration == 20
    assert old.steps.filter(number=3).exists()


def test_it_copies_the_newest_revision_whichever_it_is_given(default_sop):
    second = sop_new_revision(sop=default_sop)
    second.steps.filter(number=2).update(duration=45)
    third = sop_new_revision(sop=default_sop)
    assert third.revision == 3
    assert third.steps.get(number=2).duration == 45


def test_it_records_who_made_the_revision(default_sop):
    admin = make_user("admin-sop", is_staff=True)
    new = sop_new_revision(sop=default_sop, by=admin)
    assert new.created_by == admin
    assert Sop.objects.get(pk=default_sop.pk).created_by is None


def test_it_lists_only_the_newest_revision_of_each_sop(default_sop):
    sop_new_revision(sop=default_sop)
    sop_new_revision(sop=default_sop)
    make_sop(slug="sop-lain")
    make_sop(slug="sop-ketiga", steps=5, decisions={4: 2})
    make_sop(slug="sop-ketiga", steps=4)
    current = sorted(Sop.objects.current().values_list("slug", "revision"))
    assert current == [("pengukuran-kinerja", 3), ("sop-ketiga", 2), ("sop-lain", 1)]
    assert Sop.objects.count() == 6


def test_it_filters_current_revisions_further(default_sop):
    sop_new_revision(sop=default_sop)
    make_sop(slug="sop-lain")
    assert list(Sop.objects.filter(slug="pengukuran-kinerja").current().values_list("revision", flat=True)) == [2]


def test_it_finds_the_latest_revision_of_a_code(default_sop):
    sop_new_revision(sop=default_sop)
    assert Sop.objects.latest_of("pengukuran-kinerja").revision == 2
    assert Sop.objects.get(pk=default_sop.pk).is_latest() is False
    with pytest.raises(Sop.DoesNotExist):
        Sop.objects.latest_of("tidak-ada")


def test_it_copies_an_sop_into_an_independent_one(default_sop):
    before = sop_to_dict(default_sop)
    copy = sop_copy(sop=default_sop, slug="pengukuran-kinerja-salinan", nama="Salinan Pengukuran Kinerja")
    assert (copy.slug, copy.revision, copy.nama) == ("pengukuran-kinerja-salinan", 1, "Salinan Pengukuran Kinerja")
    expected = {**before, "slug": copy.slug, "identity": {**before["identity"], "nama": copy.nama}}
    assert sop_to_dict(copy) == expected

    step = copy.steps.get(number=4)
    step.activity = "Anggota Tim merumuskan draf"
    step.save()
    copy.actors.filter(position=2).update(name="Kasubbag. Umum")
    Step.objects.filter(sop=copy, number=7).update(duration=5)

    assert sop_to_dict(Sop.objects.get(pk=default_sop.pk)) == before
    assert default_sop.steps.get(number=4).activity == "Angota Tim merumuskan draf dokumen kinerja"
    assert Actor.objects.filter(sop=default_sop, name="Kasubbag. Program dan Evaluasi").exists()


def test_it_copies_into_a_new_sop_without_touching_the_revisions_of_the_original(default_sop):
    sop_copy(sop=default_sop, slug="salinan", nama="Salinan")
    assert sorted(Sop.objects.values_list("slug", "revision")) == [("pengukuran-kinerja", 1), ("salinan", 1)]
    assert sop_new_revision(sop=default_sop).revision == 2


def test_it_refuses_to_copy_onto_a_code_in_use(default_sop):
    make_sop(slug="lain")
    with pytest.raises(ValidationError):
        sop_copy(sop=default_sop, slug="lain", nama="Salah")
    assert Sop.objects.filter(slug="lain").count() == 1
    assert Sop.objects.get(slug="lain").nama == "SOP Uji lain"
