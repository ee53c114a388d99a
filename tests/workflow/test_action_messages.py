"""After each action the page says what happened: which step was done, and to which step and actor the document went."""

import html
import re

import pytest
from django import forms
from django.conf import settings
from django.contrib import messages
from django.utils import timezone, translation

from sakip.sops.models import Actor, Step
from sakip.workflow.action_messages import start_message, transition_message
from sakip.workflow.forms import ActionForm
from sakip.workflow.models import Document, HistoryEntry
from sakip.workflow.services import document_transition
from tests.conftest import a_pdf, advance, make_people, make_user, start_document
from tests.sops.factories import make_sop

Action = HistoryEntry.Action
pytestmark = pytest.mark.django_db

KASUBBAG = "Kasubbag. Program dan Evaluasi"

# What the person reads, in the office's language and in English.
EXPECTED = {
    "id": {
        "start": "Dokumen telah dimulai. Kini di Langkah 1 · Sekretaris.",
        "complete": "Langkah 1 diselesaikan; diteruskan ke Langkah 2 · Sek. Tim SAKIP.",
        "return": "Dikembalikan ke Langkah 4 · Angg. Tim SAKIP untuk perbaikan.",
        "approve": "Disetujui dan diparaf pada Langkah 5; diteruskan ke Langkah 6 · Sekretaris.",
        "sign": f"Ditandatangani pada Langkah 6; diteruskan ke Langkah 7 · {KASUBBAG}.",
        "finish": "Langkah 7 diselesaikan: proses dokumen telah selesai.",
        "cancel": "Dokumen dibatalkan pada Langkah 3.",
    },
    "en": {
        "start": "Document started. It is now at step 1 · Sekretaris.",
        "complete": "Step 1 completed; handed on to step 2 · Sek. Tim SAKIP.",
        "return": "Returned to step 4 · Angg. Tim SAKIP for correction.",
        "approve": "Approved and initialled (paraf) at step 5; handed on to step 6 · Sekretaris.",
        "sign": f"Signed at step 6; handed on to step 7 · {KASUBBAG}.",
        "finish": "Step 7 completed: the document is finished.",
        "cancel": "Document cancelled at step 3.",
    },
}
NUMBER = {"id": "Nomor naskah: %s.", "en": "Document number: %s."}
# The old message, said after every action whatever it was.
HANDED_ON = ("Selesai: dokumen telah diteruskan.", "Done: the document has been handed on.")


@pytest.fixture(params=["id", "en"])
def language(request, client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = request.param
    return request.param


@pytest.fixture
def people(default_sop):
    return make_people(default_sop)


def alerts(response) -> list[tuple[str, str]]:
    """The (kind, text) of each message shown at the top of the page."""
    found = re.findall(r'<div class="alert alert-(\w+)" role="alert">(.*?)</div>', response.text, re.S)
    return [(kind, html.unescape(text).strip()) for kind, text in found]


def act(client, doc, by, action, **data):
    """Post the action as a careful person fills the page's form: every box ticked, every field of the step given."""
    client.force_login(by)
    filled = {}
    for name, field in ActionForm(step=doc.current_step).fields.items():
        if name in ("action", "version", "files", "reason"):
            continue
        if isinstance(field, forms.BooleanField):
            filled[name] = "on"
        elif isinstance(field, forms.IntegerField):
            filled[name] = "1"
        elif isinstance(field, forms.DateField):
            filled[name] = timezone.localdate().isoformat()
        else:
            filled[name] = "ok"
    post = {**filled, "action": action, "version": doc.version, **data}
    if doc.current_step.attachment_required and action != Action.RETURN:
        post["files"] = a_pdf()
    return client.post(f"/dokumen/{doc.pk}/aksi/", post, follow=True)


def at_step(default_sop, people, number):
    doc = start_document(sop=default_sop, title="Pengukuran Kinerja Tahun 2026", year=2026, by=people["Sekretaris"])
    return advance(doc, people, number)


def test_it_says_the_document_started_and_where_it_is(client, default_sop, people, language):
    client.force_login(people["Sekretaris"])
    r = client.post(
        "/dokumen/baru/pengukuran-kinerja/",
        {"year": "2026", "title": "", "note": "", "requirements_confirmed": "on", "files": a_pdf("surat-masuk.pdf")},
        follow=True,
    )
    assert alerts(r) == [("success", EXPECTED[language]["start"])]


def test_it_says_which_step_was_completed_and_who_has_it_now(client, default_sop, people, language):
    doc = at_step(default_sop, people, 1)
    r = act(client, doc, people["Sekretaris"], Action.COMPLETE)
    assert alerts(r) == [("success", EXPECTED[language]["complete"])]


def test_it_says_to_which_step_and_actor_a_return_went(client, default_sop, people, language):
    doc = at_step(default_sop, people, 5)
    r = act(client, doc, people[KASUBBAG], Action.RETURN, reason="Angka realisasi salah")
    # Only the return: no "handed on" in green above the yellow reason.
    assert alerts(r)[0] == ("info", EXPECTED[language]["return"])
    assert not any(old in r.text for old in HANDED_ON)
    assert not any(kind == "success" for kind, _ in alerts(r))


def test_it_says_the_approval_is_a_paraf_and_who_comes_next(client, default_sop, people, language):
    doc = at_step(default_sop, people, 5)
    r = act(client, doc, people[KASUBBAG], Action.APPROVE)
    assert alerts(r) == [("success", EXPECTED[language]["approve"])]


def test_it_says_the_document_was_signed_and_who_has_it_now(client, default_sop, people, language):
    doc = at_step(default_sop, people, 6)
    r = act(client, doc, people["Sekretaris"], Action.APPROVE)
    signed = Document.objects.get(pk=doc.pk)
    assert signed.signed is not None
    expected = EXPECTED[language]["sign"]
    # The nomor naskah the register gave at signing, when the register is there.
    if number := getattr(signed, "number", ""):
        expected += " " + NUMBER[language] % number
    assert alerts(r)[0] == ("success", expected)


def test_it_says_the_document_is_finished(client, default_sop, people, language):
    doc = at_step(default_sop, people, 7)
    r = act(client, doc, people[KASUBBAG], Action.FINISH)
    assert Document.objects.get(pk=doc.pk).status == Document.Status.FINISHED
    assert alerts(r)[0] == ("success", EXPECTED[language]["finish"])
    assert not any(old in r.text for old in HANDED_ON)


def test_it_says_the_document_was_cancelled_and_where(client, default_sop, people, language):
    doc = at_step(default_sop, people, 3)
    client.force_login(people["Sekretaris"])
    r = client.post(f"/dokumen/{doc.pk}/batal/", {"version": doc.version, "reason": "Dobel"}, follow=True)
    assert alerts(r) == [("info", EXPECTED[language]["cancel"])]


def test_it_still_says_when_someone_else_acted_first(client, default_sop, people, language):
    doc = at_step(default_sop, people, 1)
    advance(doc, people, 2)
    r = act(client, doc, people["Sekretaris"], Action.COMPLETE)
    [(kind, _text)] = alerts(r)
    assert kind == "warning"


# --- built from the SOP's data, whatever its numbers and names ------------------------------------


def test_it_reads_the_return_target_from_the_sop(client):
    sop = make_sop(slug="cuti", steps=6, decisions={5: 2}, actors=["Kepala", "Staf", "Verifikator"])
    holders = {name: make_user(f"p-{name}", name) for name in ("Kepala", "Staf", "Verifikator")}
    doc = start_document(sop=sop, title="Cuti 2026", year=2026, by=holders["Kepala"])
    while doc.current_step.number < 5:
        doc = document_transition(
            document=doc, action=Action.COMPLETE, by=holders[doc.current_step.actor.name], note="ok"
        )
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    r = act(client, doc, holders[doc.current_step.actor.name], Action.RETURN, reason="Kurang lengkap")
    assert alerts(r)[0] == ("info", "Returned to step 2 · Staf for correction.")


def step(number, *, kind=Step.Kind.PROCESS, is_signature=False, actor="Kepala"):
    return Step(number=number, kind=kind, is_signature=is_signature, actor=Actor(name=actor))


def closed(status=Document.Status.FINISHED):
    return Document(status=status, current_step=None)


@pytest.mark.parametrize(
    ("action", "at", "expected"),
    [
        (Action.FINISH, step(3, kind=Step.Kind.END), "Step 3 completed: the document is finished."),
        (
            Action.FINISH,
            step(8, kind=Step.Kind.END, is_signature=True),
            "Signed at step 8: the document is finished.",
        ),
        (
            Action.APPROVE,
            step(4, kind=Step.Kind.DECISION),
            "Approved and initialled (paraf) at step 4: the document is finished.",
        ),
    ],
)
def test_it_says_the_document_is_finished_by_whatever_action_closed_it(action, at, expected):
    with translation.override("en"):
        message = transition_message(action=action, step=at, document=closed())
    assert (message.level, message.text) == (messages.SUCCESS, expected)


def test_it_gives_the_number_a_signature_received():
    after = Document(status=Document.Status.ACTIVE, current_step=step(7, actor="Kasubbag"))
    after.number = "050/12/413.110/2026"  # set at signing by the register
    with translation.override("en"):
        message = transition_message(action=Action.APPROVE, step=step(6, is_signature=True), document=after)
    assert message.text == "Signed at step 6; handed on to step 7 · Kasubbag. Document number: 050/12/413.110/2026."


def test_it_says_where_a_started_document_is():
    with translation.override("en"):
        message = start_message(Document(status=Document.Status.ACTIVE, current_step=step(1, actor="Staf")))
    assert message.text == "Document started. It is now at step 1 · Staf."
