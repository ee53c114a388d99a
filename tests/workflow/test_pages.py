"""The workflow pages: my tasks, the list, a document, acting on it, and who may see what."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sakip.workflow.models import Document
from sakip.workflow.services import document_transition
from tests.conftest import a_pdf, advance, fill_realisations, make_people, make_user, start_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(default_sop):
    return make_people(default_sop)


@pytest.fixture
def document(default_sop, people):
    return start_document(sop=default_sop, title="Pengukuran Kinerja Tahun 2026", year=2026, by=people["Sekretaris"])


def login(client, user):
    client.force_login(user)
    return client


def test_it_starts_a_document_from_the_form(client, default_sop, people):
    login(client, people["Sekretaris"])
    r = client.get("/dokumen/baru/pengukuran-kinerja/")
    assert r.status_code == 200
    r = client.post(
        "/dokumen/baru/pengukuran-kinerja/",
        {
            "year": "2026",
            "title": "",
            "note": "Surat masuk 12",
            "requirements_confirmed": "on",
            "files": a_pdf("surat-masuk.pdf"),
        },
    )
    doc = Document.objects.get()
    assert doc.attachments.get().name == "surat-masuk.pdf"
    assert r.headers["Location"] == f"/dokumen/{doc.pk}/"
    assert doc.title == "Pengukuran Kinerja Dinas Tenaga Kerja Kabupaten Lamongan Tahun 2026"
    assert doc.current_step.number == 1


def test_it_refuses_a_bad_year_with_a_message(client, default_sop, people):
    login(client, people["Sekretaris"])
    r = client.post("/dokumen/baru/pengukuran-kinerja/", {"year": "dua ribu"})
    assert r.status_code == 200
    assert "is-invalid" in r.text
    assert Document.objects.count() == 0


def test_it_lets_only_the_first_steps_actor_start(client, default_sop, people):
    login(client, people["Angg. Tim SAKIP"])
    assert client.get("/dokumen/baru/pengukuran-kinerja/").status_code == 403
    assert client.post("/dokumen/baru/pengukuran-kinerja/", {"year": "2026"}).status_code == 403
    assert client.get("/dokumen/baru/tidak-ada/").status_code == 404


def test_it_shows_the_task_to_the_holder_of_the_current_step(client, document, people):
    r = login(client, people["Sekretaris"]).get("/")
    assert document.title in r.text
    r = login(client, people["Angg. Tim SAKIP"]).get("/")
    assert document.title not in r.text


def test_it_moves_the_document_when_the_holder_acts(client, document, people):
    login(client, people["Sekretaris"])
    r = client.post(
        f"/dokumen/{document.pk}/aksi/",
        {
            "action": "complete",
            "version": document.version,
            "requirements_confirmed": "on",
            "note": "Disposisi kepada Sek. Tim",
            "files": a_pdf("disposisi.pdf"),
        },
    )
    assert r.status_code == 302
    document.refresh_from_db()
    assert document.current_step.number == 2
    r = login(client, people["Sek. Tim SAKIP"]).get("/")
    assert document.title in r.text
    r = client.get(f"/dokumen/{document.pk}/")
    assert "disposisi.pdf" in r.text
    attachment = document.attachments.get(name="disposisi.pdf")
    r = client.get(f"/dokumen/{document.pk}/lampiran/{attachment.pk}/")
    assert r.status_code == 200
    assert b"".join(r.streaming_content).startswith(b"%PDF")


def test_it_shows_every_missing_condition_at_its_field_and_keeps_the_document(client, document, people):
    login(client, people["Sekretaris"])
    r = client.post(f"/dokumen/{document.pk}/aksi/", {"action": "complete", "version": document.version})
    assert r.status_code == 400
    assert r.text.count("invalid-feedback") >= 3
    assert "Disposisi pimpinan" in r.text
    document.refresh_from_db()
    assert document.current_step.number == 1
    assert document.history.count() == 1


def test_it_refuses_a_program_disguised_as_a_pdf_with_a_message(client, document, people):
    login(client, people["Sekretaris"])
    fake = SimpleUploadedFile("disposisi.pdf", b"MZ\x90\x00")
    r = client.post(
        f"/dokumen/{document.pk}/aksi/",
        {"action": "complete", "version": document.version, "requirements_confirmed": "on", "note": "x", "files": fake},
    )
    assert r.status_code == 400
    assert "disposisi.pdf" in r.text
    assert document.attachments.count() == 1  # only the incoming letter of the start


def test_it_answers_403_to_a_person_who_may_see_but_not_act(client, document, people):
    login(client, people["Angg. Tim SAKIP"])
    assert client.get(f"/dokumen/{document.pk}/").status_code == 200
    r = client.post(f"/dokumen/{document.pk}/aksi/", {"action": "complete", "version": document.version})
    assert r.status_code == 403
    document.refresh_from_db()
    assert document.current_step.number == 1


def test_it_answers_404_to_a_person_outside_the_sop(client, document, staff_user):
    login(client, staff_user)
    assert client.get(f"/dokumen/{document.pk}/").status_code == 404
    assert client.post(f"/dokumen/{document.pk}/aksi/", {"action": "complete", "version": 0}).status_code == 404


def test_it_tells_the_second_person_that_the_document_moved_on(client, document, people):
    other = make_user("sek2", "Sekretaris")
    document_transition(
        document=document, action="complete", by=other, requirements_confirmed=True, note="x", files=[a_pdf()]
    )
    login(client, people["Sekretaris"])
    r = client.post(
        f"/dokumen/{document.pk}/aksi/",
        {"action": "complete", "version": document.version, "requirements_confirmed": "on", "note": "x"},
        follow=True,
    )
    assert "Dokumen ini sudah berpindah sejak Anda membukanya." in r.text
    assert Document.objects.get().history.count() == 2


def test_it_shows_the_return_reason_at_the_top(client, document, people):
    doc = document
    for name in ["Sekretaris", "Sek. Tim SAKIP", "Angg. Tim SAKIP", "Angg. Tim SAKIP"]:
        files = [a_pdf()] if doc.current_step.attachment_required else []
        fill_realisations(doc)
        doc = document_transition(
            document=doc, action="complete", by=people[name], requirements_confirmed=True, note="x", files=files
        )
    login(client, people["Kasubbag. Program dan Evaluasi"])
    r = client.post(f"/dokumen/{doc.pk}/aksi/", {"action": "return", "version": doc.version, "reason": ""})
    assert r.status_code == 400
    assert Document.objects.get().current_step.number == 5
    assert "invalid-feedback" in r.text
    client.post(f"/dokumen/{doc.pk}/aksi/", {"action": "return", "version": doc.version, "reason": "Angka salah"})
    r = login(client, people["Angg. Tim SAKIP"]).get(f"/dokumen/{doc.pk}/")
    # The drafter sees the reason first, above the step they must redo.
    assert r.text.index("alert-warning") < r.text.index("Angka salah") < r.text.index("border-primary")


@pytest.mark.parametrize("url", ["/", "/dokumen/", "/dokumen/baru/pengukuran-kinerja/", "/dokumen/1/"])
def test_it_redirects_anonymous_people_to_login(client, url):
    r = client.get(url)
    assert r.status_code == 302
    assert r.headers["Location"].startswith("/akun/masuk/")


def test_it_rejects_get_on_action_urls(client, document, people):
    login(client, people["Sekretaris"])
    assert client.get(f"/dokumen/{document.pk}/aksi/").status_code == 405
    assert client.get(f"/dokumen/{document.pk}/batal/").status_code == 405
    assert client.post("/dokumen/").status_code == 405


def test_it_filters_the_list(client, default_sop, people):
    for year in (2025, 2026):
        start_document(sop=default_sop, title=f"PK {year}", year=year, by=people["Sekretaris"])
    login(client, people["Sekretaris"])
    r = client.get("/dokumen/?year=2025")
    assert "PK 2025" in r.text and "PK 2026" not in r.text
    r = client.get("/dokumen/?year=abc")
    assert r.status_code == 200


def test_it_counts_unread_notifications_in_the_navigation_bar(client, document, people):
    login(client, people["Sekretaris"])
    holder = people["Sek. Tim SAKIP"]
    document_transition(
        document=document,
        action="complete",
        by=people["Sekretaris"],
        requirements_confirmed=True,
        note="x",
        files=[a_pdf()],
    )
    r = login(client, holder).get("/")
    assert 'id="unread-count">1<' in r.text
    r = client.get("/dokumen/notifikasi/")
    assert document.title in r.text
    client.post("/dokumen/notifikasi/")
    assert 'id="unread-count"' not in client.get("/").text


def test_it_drops_the_return_banner_once_the_drafter_resubmits(client, document, people):
    doc = document
    steps = ["Sekretaris", "Sek. Tim SAKIP", "Angg. Tim SAKIP", "Angg. Tim SAKIP"]
    for name in steps:
        files = [a_pdf()] if doc.current_step.attachment_required else []
        fill_realisations(doc)
        doc = document_transition(
            document=doc, action="complete", by=people[name], requirements_confirmed=True, note="x", files=files
        )
    doc = document_transition(
        document=doc, action="return", by=people["Kasubbag. Program dan Evaluasi"], reason="Salah"
    )
    assert "alert-warning" in login(client, people["Angg. Tim SAKIP"]).get(f"/dokumen/{doc.pk}/").text
    document_transition(
        document=doc, action="complete", by=people["Angg. Tim SAKIP"], requirements_confirmed=True, note="ok"
    )
    r = client.get(f"/dokumen/{doc.pk}/")
    assert "alert-warning" not in r.text
    assert "Salah" in r.text  # still in the timeline


def test_it_shows_only_the_longest_waiting_and_says_there_is_more(client, default_sop, people, monkeypatch):
    from sakip.workflow import views

    monkeypatch.setattr(views, "INBOX_SIZE", 2)
    for i in range(3):
        start_document(sop=default_sop, title=f"PK urut {i}", year=2026, by=people["Sekretaris"])
    waiting = login(client, people["Sekretaris"]).get("/").content.decode().split("<h2")[0]  # before "took part"
    assert "PK urut 0" in waiting and "PK urut 1" in waiting and "PK urut 2" not in waiting
    assert 'id="more-waiting"' in waiting and "?waiting=on" in waiting
    monkeypatch.setattr(views, "INBOX_SIZE", 3)
    waiting = client.get("/").content.decode().split("<h2")[0]
    assert "PK urut 2" in waiting and 'id="more-waiting"' not in waiting


def test_the_list_of_everything_waiting_for_me(client, default_sop, people):
    """The link under Tugas saya: every document waiting at a step of one's roles, and no other."""
    sekretaris, anggota = people["Sekretaris"], people["Angg. Tim SAKIP"]
    at_start = start_document(sop=default_sop, title="PK di awal", year=2026, by=sekretaris)
    at_data = advance(start_document(sop=default_sop, title="PK di data", year=2026, by=sekretaris), people, 3)
    mine = login(client, sekretaris).get("/dokumen/?waiting=on").content.decode()
    theirs = login(client, anggota).get("/dokumen/?waiting=on").content.decode()
    assert at_start.title in mine and at_data.title not in mine
    assert at_data.title in theirs and at_start.title not in theirs
    # Only a running document waits: with another status, nothing, and no page error.
    assert at_start.title not in login(client, sekretaris).get("/dokumen/?waiting=on&status=finished").content.decode()
    assert at_start.title in client.get("/dokumen/?waiting=on&status=active").content.decode()
    assert at_start.title not in client.get("/dokumen/?status=cancelled&step=1").content.decode()
