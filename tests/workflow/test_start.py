"""Starting a document: step 1's requirement confirmed and its paper attached, one-line titles, no stray files."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation

from sakip.performance.models import IndicatorResult
from sakip.workflow import services
from sakip.workflow.models import Attachment, Document, HistoryEntry
from sakip.workflow.services import document_start, document_transition
from tests.conftest import a_pdf, advance, make_people, make_user
from tests.sops.factories import make_sop

Action = HistoryEntry.Action
pytestmark = pytest.mark.django_db

NEW = "/dokumen/baru/pengukuran-kinerja/"


@pytest.fixture
def people(default_sop):
    return make_people(default_sop)


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def start(sop, by, **kwargs):
    return document_start(sop=sop, title="PK 2026", year=2026, by=by, **kwargs)


# --- the service -------------------------------------------------------------------


def test_it_refuses_a_start_without_the_incoming_letter(default_sop, people):
    with pytest.raises(ValidationError) as refused:
        start(default_sop, people["Sekretaris"], requirements_confirmed=True)
    assert set(refused.value.message_dict) == {"files"}
    assert "Surat masuk" in refused.value.message_dict["files"][0]
    assert Document.objects.count() == 0


def test_it_refuses_a_start_with_the_requirements_unconfirmed(default_sop, people):
    with pytest.raises(ValidationError) as refused:
        start(default_sop, people["Sekretaris"], files=[a_pdf("surat-masuk.pdf")])
    assert set(refused.value.message_dict) == {"requirements_confirmed"}
    assert Document.objects.count() == 0
    assert stored_files() == []


def test_it_names_both_missing_conditions_at_once(default_sop, people):
    with pytest.raises(ValidationError) as refused:
        start(default_sop, people["Sekretaris"])
    assert set(refused.value.message_dict) == {"requirements_confirmed", "files"}


def test_it_starts_with_the_letter_kept_at_step_one(default_sop, people):
    doc = start(default_sop, people["Sekretaris"], requirements_confirmed=True, files=[a_pdf("surat-masuk.pdf")])
    attachment = doc.attachments.get()
    assert (attachment.name, attachment.step.number, attachment.entry.action) == ("surat-masuk.pdf", 1, Action.START)
    assert [p.name for p in stored_files()] == ["surat-masuk.pdf"]


def test_it_still_needs_the_disposition_to_complete_step_one(default_sop, people):
    doc = start(default_sop, people["Sekretaris"], requirements_confirmed=True, files=[a_pdf("surat-masuk.pdf")])
    with pytest.raises(ValidationError) as refused:
        document_transition(
            document=doc, action=Action.COMPLETE, by=people["Sekretaris"], requirements_confirmed=True, note="Disposisi"
        )
    assert set(refused.value.message_dict) == {"files"}
    doc = document_transition(
        document=doc,
        action=Action.COMPLETE,
        by=people["Sekretaris"],
        requirements_confirmed=True,
        note="Disposisi",
        files=[a_pdf("disposisi.pdf")],
    )
    assert doc.current_step.number == 2
    assert sorted(doc.attachments.values_list("name", flat=True)) == ["disposisi.pdf", "surat-masuk.pdf"]


def test_it_asks_nothing_when_the_first_step_lists_no_requirement():
    sop = make_sop(slug="tanpa-syarat")
    sop.steps.filter(number=1).update(attachment_required=True)
    doc = start(sop, make_user("kepala", "Kepala"))
    assert doc.current_step.number == 1


def test_it_asks_only_the_confirmation_when_the_requirement_is_no_paper():
    sop = make_sop(slug="tanpa-kertas")
    sop.steps.filter(number=1).update(requirement="Perintah lisan")
    kepala = make_user("kepala", "Kepala")
    with pytest.raises(ValidationError) as refused:
        start(sop, kepala)
    assert set(refused.value.message_dict) == {"requirements_confirmed"}
    assert start(sop, kepala, requirements_confirmed=True).attachments.count() == 0


@pytest.mark.parametrize("title", ["PK\n2026", "PK\r2026", "PK\t2026", "PK\x072026", "PK\u20282026"])
def test_it_refuses_a_title_of_more_than_one_line(default_sop, people, title):
    with pytest.raises(ValidationError) as refused:
        document_start(
            sop=default_sop,
            title=title,
            year=2026,
            by=people["Sekretaris"],
            requirements_confirmed=True,
            files=[a_pdf()],
        )
    assert set(refused.value.message_dict) == {"title"}
    assert Document.objects.count() == 0


# --- no stray files ------------------------------------------------------------------


def test_it_keeps_no_file_of_a_start_refused_for_want_of_an_agreement(default_sop, people):
    with pytest.raises(ValidationError) as refused:
        document_start(
            sop=default_sop,
            title="PK 2031",
            year=2031,
            by=people["Sekretaris"],
            requirements_confirmed=True,
            files=[a_pdf("surat-masuk.pdf")],
        )
    assert "year" in refused.value.message_dict
    assert Document.objects.count() == 0
    assert Attachment.objects.count() == 0
    assert stored_files() == []


def test_it_deletes_the_files_of_a_start_that_fails_after_writing_them(default_sop, people, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the notification table is gone")

    monkeypatch.setattr(services, "_notify_arrival", broken)
    with pytest.raises(RuntimeError):
        start(default_sop, people["Sekretaris"], requirements_confirmed=True, files=[a_pdf("surat-masuk.pdf")])
    assert Document.objects.count() == 0
    assert stored_files() == []


def test_it_keeps_no_file_of_a_refused_transition(default_sop, people):
    doc = start(default_sop, people["Sekretaris"], requirements_confirmed=True, files=[a_pdf("surat-masuk.pdf")])
    doc = advance(doc, people, 4)
    IndicatorResult.objects.filter(measurement__document=doc).update(realisation=None)
    before = stored_files()
    # Leaving the last content step with realisations missing is refused by the measurement's receiver.
    with pytest.raises(ValidationError):
        document_transition(
            document=doc,
            action=Action.COMPLETE,
            by=people["Angg. Tim SAKIP"],
            requirements_confirmed=True,
            note="draf",
            files=[a_pdf("draf.pdf")],
        )
    assert stored_files() == before
    assert not Attachment.objects.filter(name="draf.pdf").exists()


def test_it_deletes_the_files_of_a_transition_that_fails_after_writing_them(default_sop, people, monkeypatch):
    doc = start(default_sop, people["Sekretaris"], requirements_confirmed=True, files=[a_pdf("surat-masuk.pdf")])
    before = stored_files()

    def broken(*args, **kwargs):
        raise RuntimeError("the notification table is gone")

    monkeypatch.setattr(services, "_notify_arrival", broken)
    with pytest.raises(RuntimeError):
        document_transition(
            document=doc,
            action=Action.COMPLETE,
            by=people["Sekretaris"],
            requirements_confirmed=True,
            note="Disposisi",
            files=[a_pdf("disposisi.pdf")],
        )
    assert stored_files() == before
    assert Document.objects.get().current_step.number == 1


# --- the start form ------------------------------------------------------------------


def test_it_labels_the_start_form_from_the_first_steps_data(client, default_sop, people):
    client.force_login(people["Sekretaris"])
    r = client.get(NEW)
    assert "Lengkap: Surat masuk" in r.text
    assert "Lampirkan: Surat masuk" in r.text


def test_it_starts_from_the_form_with_the_letter_and_the_tick(client, default_sop, people):
    client.force_login(people["Sekretaris"])
    r = client.post(
        NEW, {"year": "2026", "title": "", "requirements_confirmed": "on", "files": a_pdf("surat-masuk.pdf")}
    )
    doc = Document.objects.get()
    assert r.headers["Location"] == doc.get_absolute_url()
    assert doc.attachments.get().name == "surat-masuk.pdf"
    assert doc.history.get().action == Action.START


@pytest.mark.parametrize(
    ("posted", "field"),
    [
        ({"files": "letter"}, "requirements_confirmed"),
        ({"requirements_confirmed": "on"}, "files"),
    ],
)
def test_it_shows_what_the_start_lacks_at_its_field(client, default_sop, people, posted, field):
    client.force_login(people["Sekretaris"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    data = {"year": "2026", **posted}
    if data.get("files") == "letter":
        data["files"] = a_pdf("surat-masuk.pdf")
    r = client.post(NEW, data)
    assert r.status_code == 200
    form = r.context["form"]
    assert list(form.errors) == [field]
    assert f'id="id_{field}"' in r.text and "is-invalid" in r.text
    assert Document.objects.count() == 0
    assert stored_files() == []


@pytest.mark.parametrize("title", ["PK\n2026", "PK\x1b[31m2026"])
def test_it_refuses_a_title_of_more_than_one_line_at_the_field(client, default_sop, people, title):
    client.force_login(people["Sekretaris"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    r = client.post(
        NEW, {"year": "2026", "title": title, "requirements_confirmed": "on", "files": a_pdf("surat-masuk.pdf")}
    )
    assert r.status_code == 200
    assert list(r.context["form"].errors) == ["title"]
    with translation.override("en"):
        assert "one line" in r.context["form"].errors["title"][0]
    assert Document.objects.count() == 0
    assert stored_files() == []


def test_it_says_at_the_year_why_a_start_is_refused_and_keeps_no_file(client, default_sop, people):
    client.force_login(people["Sekretaris"])
    r = client.post(
        NEW, {"year": "2031", "title": "", "requirements_confirmed": "on", "files": a_pdf("surat-masuk.pdf")}
    )
    assert r.status_code == 200
    assert list(r.context["form"].errors) == ["year"]
    assert Document.objects.count() == 0
    assert stored_files() == []


def test_it_asks_for_a_shorter_title_when_the_usual_one_is_too_long(client, default_sop, people):
    default_sop.__class__.objects.filter(pk=default_sop.pk).update(nama="Pengukuran " * 25)
    client.force_login(people["Sekretaris"])
    r = client.post(NEW, {"year": "2026", "requirements_confirmed": "on", "files": a_pdf("surat-masuk.pdf")})
    assert r.status_code == 200
    assert list(r.context["form"].errors) == ["title"]
    assert Document.objects.count() == 0
    assert stored_files() == []
