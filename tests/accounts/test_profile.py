"""The profile page: a person's roles, acting assignments, how their signature prints, and the e-mail choice."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.formats import date_format

from sakip.accounts.models import ActingAssignment, Profile
from sakip.accounts.views import printed_signature
from sakip.workflow.services import document_transition
from tests.conftest import advance, make_people, make_user, start_document

pytestmark = pytest.mark.django_db

SEK, KASUBBAG = "Sekretaris", "Kasubbag. Program dan Evaluasi"


@pytest.fixture
def siti(default_sop):
    person = make_user("siti", SEK, first_name="Siti", last_name="Rahmawati, S.Sos., M.M.", email="siti@example.org")
    Profile.objects.create(
        user=person, nip="197805122003122004", jabatan="Sekretaris Dinas Tenaga Kerja", pangkat="Pembina (IV/a)"
    )
    return person


def test_it_shows_the_roles_and_the_signature_as_it_prints(client, siti):
    client.force_login(siti)
    r = client.get("/akun/")
    assert r.status_code == 200
    page = r.text
    assert "<li>Sekretaris</li>" in page
    signature = page.split('id="signature"')[1]
    for line in [
        "Sekretaris Dinas Tenaga Kerja",
        "Siti Rahmawati, S.Sos., M.M.",
        "Pembina (IV/a)",
        "NIP. 19780512 200312 2 004",
        "Lamongan",
    ]:
        assert line in signature, line


def test_it_shows_acting_assignments_with_their_period(client, siti):
    today = timezone.localdate()
    ActingAssignment.objects.create(
        person=siti,
        role=Group.objects.get_or_create(name=KASUBBAG)[0],
        jabatan="Kepala Sub Bagian Program dan Evaluasi",
        prefix="Plh.",
        starts_on=today - timedelta(days=2),
        ends_on=today + timedelta(days=5),
    )
    client.force_login(siti)
    acting = client.get("/akun/").text.split('id="acting"')[1].split("</section>")[0]
    assert "Plh. Kepala Sub Bagian Program dan Evaluasi" in acting
    assert KASUBBAG in acting
    assert date_format(today - timedelta(days=2), "DATE_FORMAT") in acting
    assert date_format(today + timedelta(days=5), "DATE_FORMAT") in acting


def test_an_acting_signer_sees_the_prefix_that_will_print(client, default_sop):
    person = make_user("budi", first_name="Budi", last_name="Santoso")
    Profile.objects.create(user=person, nip="198203172006041011", jabatan="Kepala Bidang", pangkat="Penata (III/c)")
    today = timezone.localdate()
    ActingAssignment.objects.create(
        person=person,
        role=Group.objects.get(name=SEK),
        jabatan="Sekretaris Dinas Tenaga Kerja",
        prefix="Plt.",
        starts_on=today,
        ends_on=today + timedelta(days=30),
    )
    client.force_login(person)
    signature = client.get("/akun/").text.split('id="signature"')[1]
    assert "Plt. Sekretaris Dinas Tenaga Kerja" in signature
    assert "Kepala Bidang" not in signature


def test_what_it_shows_is_what_signing_freezes(default_sop):
    people = make_people(default_sop)
    Profile.objects.filter(user=people[SEK]).update(pangkat="Pembina (IV/a)")
    document = advance(start_document(sop=default_sop, title="PK 2026", year=2026, by=people[SEK]), people, 6)
    shown = printed_signature(people[SEK], document.current_step)
    signed = document_transition(
        document=document, action="approve", by=people[SEK], requirements_confirmed=True
    ).signed
    fields = ["name", "prefix", "jabatan", "pangkat", "nip", "place"]
    fields += ["on_behalf_of"] if hasattr(signed, "on_behalf_of") else []
    assert {f: getattr(shown, f) for f in fields} == {f: getattr(signed, f) for f in fields}


def test_it_says_what_keeps_someone_from_signing(client, default_sop):
    person = make_user("baru", SEK, first_name="Orang", last_name="Baru")
    client.force_login(person)
    signature = client.get("/akun/").text.split('id="signature"')[1].split("</section>")[0]
    assert "alert-warning" in signature
    assert "NIP" in signature


def test_someone_who_signs_nothing_is_told_so(client, default_sop):
    person = make_user("anggota", "Angg. Tim SAKIP", first_name="Agus", last_name="Prasetyo")
    client.force_login(person)
    signature = client.get("/akun/").text.split('id="signature"')[1].split("</section>")[0]
    assert "NIP." not in signature and "alert-warning" not in signature


def test_it_saves_the_email_choice(client, siti):
    client.force_login(siti)
    assert 'name="email_notifications"' in client.get("/akun/").text
    r = client.post("/akun/", {})  # the box unticked
    assert r.status_code == 302 and r.url == "/akun/"
    assert Profile.objects.get(user=siti).email_notifications is False
    assert "checked" not in client.get("/akun/").text.split('name="email_notifications"')[1].split(">")[0]
    client.post("/akun/", {"email_notifications": "on"})
    assert Profile.objects.get(user=siti).email_notifications is True
    # The rest of the profile is untouched.
    assert Profile.objects.get(user=siti).nip == "197805122003122004"


def test_someone_without_a_profile_gets_one_with_the_choice(client, db):
    person = make_user("admin2", is_staff=True)
    client.force_login(person)
    page = client.get("/akun/").text
    assert "checked" in page.split('name="email_notifications"')[1].split(">")[0]  # on by default
    client.post("/akun/", {})
    assert Profile.objects.get(user=person).email_notifications is False
