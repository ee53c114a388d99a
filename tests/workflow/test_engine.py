"""The workflow engine: documents follow the SOP's data, role by role, with a complete history."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from sakip.workflow.models import Document, HistoryEntry
from sakip.workflow.outbox import outbox_send
from sakip.workflow.services import (
    DocumentMovedOn,
    available_actions,
    document_cancel,
    document_transition,
)
from tests.conftest import a_pdf, fill_realisations, make_people, make_user, start_document
from tests.sops.factories import make_sop

Action = HistoryEntry.Action
pytestmark = pytest.mark.django_db


@pytest.fixture
def people(default_sop):
    return make_people(default_sop)


def act(document, action, user, **kwargs):
    """Act as a careful person would: requirements confirmed, output noted, the paper attached."""
    files = [a_pdf()] if document.current_step.attachment_required else []
    if document.current_step.edits_content:
        fill_realisations(document)
    kwargs = {"requirements_confirmed": True, "note": "selesai", "files": files, **kwargs}
    return document_transition(document=document, action=action, by=user, **kwargs)


def holder(people, document):
    return people[document.current_step.actor.name]


def test_it_walks_the_default_sop_with_one_return(default_sop, people):
    sekretaris = people["Sekretaris"]
    doc = start_document(sop=default_sop, title="Pengukuran Kinerja Tahun 2026", year=2026, by=sekretaris)
    assert doc.current_step.number == 1
    default_sop.refresh_from_db()
    assert default_sop.is_in_use

    for _ in range(4):  # steps 1 to 4: each actor completes and hands on
        doc = act(doc, Action.COMPLETE, holder(people, doc))
    assert doc.current_step.number == 5
    assert doc.current_step.is_decision

    doc = act(doc, Action.RETURN, holder(people, doc), reason="Target indikator 2 salah ketik")
    assert doc.current_step.number == default_sop.steps.get(number=5).return_to == 4

    doc = act(doc, Action.COMPLETE, holder(people, doc))
    doc = act(doc, Action.APPROVE, holder(people, doc))
    assert doc.current_step.number == 6
    doc = act(doc, Action.APPROVE, holder(people, doc))
    assert doc.current_step.number == 7
    doc = act(doc, Action.FINISH, holder(people, doc))

    assert doc.status == Document.Status.FINISHED
    assert doc.current_step is None
    actions = list(doc.history.values_list("action", "step__number"))
    assert actions == [
        ("start", 1),
        ("complete", 1),
        ("complete", 2),
        ("complete", 3),
        ("complete", 4),
        ("return", 5),
        ("complete", 4),
        ("approve", 5),
        ("approve", 6),
        ("finish", 7),
    ]
    returned = doc.history.get(action="return")
    assert returned.reason == "Target indikator 2 salah ketik"
    assert returned.to_step.number == 4
    assert returned.standard_duration == 1 and returned.standard_unit == "working_days"


@pytest.mark.parametrize(("steps", "decisions"), [(3, {}), (9, {4: 2, 7: 5})])
def test_it_follows_an_sop_of_any_length(steps, decisions):
    # Three actors in turn, so that no decision is taken by the person who drafted.
    sop = make_sop(slug=f"sop-{steps}", steps=steps, decisions=decisions, actors=["A", "B", "C"])
    people = {actor.name: make_user(f"p{steps}-{actor.position}", actor.group.name) for actor in sop.actors.all()}
    doc = start_document(sop=sop, title="Uji", year=2026, by=people[sop.ordered_steps()[0].actor.name])
    visited = []
    while doc.status == Document.Status.ACTIVE:
        visited.append(doc.current_step.number)
        user = holder(people, doc)
        actions = available_actions(doc, user)
        action = Action.APPROVE if Action.APPROVE in actions else actions[0]
        doc = act(doc, action, user)
    assert visited == list(range(1, steps + 1))
    assert doc.history.count() == steps + 1


def test_it_refuses_a_person_who_does_not_hold_the_step(default_sop, people):
    doc = start_document(sop=default_sop, title="PK 2026", year=2026, by=people["Sekretaris"])
    with pytest.raises(PermissionDenied):
        act(doc, Action.COMPLETE, people["Angg. Tim SAKIP"])
    doc.refresh_from_db()
    assert doc.current_step.number == 1
    assert doc.history.count() == 1


def test_it_refuses_to_start_for_anyone_but_the_first_steps_actor(default_sop, people):
    with pytest.raises(PermissionDenied):
        start_document(sop=default_sop, title="PK 2026", year=2026, by=people["Angg. Tim SAKIP"])
    assert Document.objects.count() == 0


def test_it_requires_a_reason_to_return(default_sop, people):
    doc = start_document(sop=default_sop, title="PK 2026", year=2026, by=people["Sekretaris"])
    for _ in range(4):
        doc = act(doc, Action.COMPLETE, holder(people, doc))
    with pytest.raises(ValidationError):
        act(doc, Action.RETURN, holder(people, doc), reason="   ")
    doc.refresh_from_db()
    assert doc.current_step.number == 5


def test_it_refuses_an_action_the_step_does_not_have(default_sop, people):
    doc = start_document(sop=default_sop, title="PK 2026", year=2026, by=people["Sekretaris"])
    with pytest.raises(PermissionDenied):
        act(doc, Action.APPROVE, people["Sekretaris"])


def test_it_does_not_let_the_drafter_approve_their_own_draft(default_sop, people):
    both = make_user("rangkap", "Anggota Tim SAKIP", "Kasubbag. Program dan Evaluasi")
    doc = start_document(sop=default_sop, title="PK 2026", year=2026, by=people["Sekretaris"])
    doc = act(doc, Action.COMPLETE, people["Sekretaris"])
    doc = act(doc, Action.COMPLETE, people["Sek. Tim SAKIP"])
    doc = act(doc, Action.COMPLETE, both)
    doc = act(doc, Action.COMPLETE, both)
    assert Action.APPROVE not in available_actions(doc, both)
    with pytest.raises(PermissionDenied):
        act(doc, Action.APPROVE, both)
    doc = act(doc, Action.APPROVE, people["Kasubbag. Program dan Evaluasi"])
    assert doc.current_step.number == 6


def test_it_refuses_a_stale_view_of_the_document(default_sop, people):
    doc = start_document(sop=default_sop, title="PK 2026", year=2026, by=people["Sekretaris"])
    stale = Document.objects.get(pk=doc.pk)
    act(doc, Action.COMPLETE, people["Sekretaris"])
    with pytest.raises(DocumentMovedOn):
        act(stale, Action.COMPLETE, people["Sekretaris"])
    assert Document.objects.get(pk=doc.pk).attachments.count() == 2  # the incoming letter and one disposition
    assert Document.objects.get(pk=doc.pk).history.count() == 2


def test_it_cancels_with_a_reason_by_the_starter_or_an_administrator(default_sop, people):
    doc = start_document(sop=default_sop, title="PK 2026", year=2026, by=people["Sekretaris"])
    with pytest.raises(PermissionDenied):
        document_cancel(document=doc, by=people["Angg. Tim SAKIP"], reason="salah")
    with pytest.raises(ValidationError):
        document_cancel(document=doc, by=people["Sekretaris"], reason="")
    doc = document_cancel(document=doc, by=people["Sekretaris"], reason="Dobel")
    assert doc.status == Document.Status.CANCELLED
    assert doc.history.last().action == Action.CANCEL
    assert doc.history.last().reason == "Dobel"
    with pytest.raises(DocumentMovedOn):
        document_cancel(document=doc, by=make_user("boss", is_staff=True), reason="lagi")


def test_it_requires_the_requirements_confirmed_and_the_output_recorded(default_sop, people):
    doc = start_document(sop=default_sop, title="PK 2026", year=2026, by=people["Sekretaris"])
    with pytest.raises(ValidationError) as refused:
        document_transition(document=doc, action=Action.COMPLETE, by=people["Sekretaris"])
    assert set(refused.value.message_dict) == {"requirements_confirmed", "note", "files"}
    assert "Disposisi pimpinan" in refused.value.message_dict["files"][0]
    doc.refresh_from_db()
    assert doc.current_step.number == 1
    assert doc.history.count() == 1


def test_it_refuses_an_attachment_that_is_not_an_office_paper(default_sop, people):
    doc = start_document(sop=default_sop, title="PK 2026", year=2026, by=people["Sekretaris"])
    program = SimpleUploadedFile("disposisi.pdf", b"MZ\x90\x00 not a pdf")
    with pytest.raises(ValidationError) as refused:
        act(doc, Action.COMPLETE, people["Sekretaris"], files=[program])
    assert "PDF" in refused.value.messages[0]
    script = SimpleUploadedFile("disposisi.exe", b"MZ")
    with pytest.raises(ValidationError):
        act(doc, Action.COMPLETE, people["Sekretaris"], files=[script])
    doc.refresh_from_db()
    assert doc.current_step.number == 1
    assert doc.attachments.count() == 1  # only the incoming letter of the start


def test_it_refuses_an_attachment_over_the_size_limit(default_sop, people, settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    doc = start_document(sop=default_sop, title="PK 2026", year=2026, by=people["Sekretaris"])
    big = SimpleUploadedFile("besar.pdf", b"%PDF-" + b"x" * 200)
    with pytest.raises(ValidationError) as refused:
        act(doc, Action.COMPLETE, people["Sekretaris"], files=[big])
    assert "100" in refused.value.messages[0]


def test_it_notifies_the_holders_of_the_next_step(default_sop, people, mailoutbox, django_capture_on_commit_callbacks):
    people["Sek. Tim SAKIP"].email = "sektim@example.test"
    people["Sek. Tim SAKIP"].save()
    doc = start_document(sop=default_sop, title="PK 2026", year=2026, by=people["Sekretaris"])
    with django_capture_on_commit_callbacks(execute=True):
        act(doc, Action.COMPLETE, people["Sekretaris"])
    outbox_send()  # the mail waits in the outbox until manage.py send_outbox delivers it
    assert people["Sek. Tim SAKIP"].notifications.count() == 1
    assert people["Angg. Tim SAKIP"].notifications.count() == 0
    assert [m.to for m in mailoutbox] == [["sektim@example.test"]]
    assert "PK 2026" in mailoutbox[0].subject
