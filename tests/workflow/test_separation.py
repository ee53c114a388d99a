"""Separation of duties: a step marked in the SOP must be taken by someone other than the earlier approvers."""

import json

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import translation

from sakip.accounts.models import Profile
from sakip.sops.management.commands.load_default_sop import DEFAULT_SOP
from sakip.sops.models import Sop, Step
from sakip.sops.serialization import check_sop_dict, sop_from_dict, sop_to_json
from sakip.workflow.models import Document, HistoryEntry, Signature
from sakip.workflow.services import available_actions, document_transition
from tests.conftest import advance, make_people, make_user, start_document
from tests.sops.factories import make_sop, sop_data
from tests.sops.test_admin_steps import page_data_of_step, step_url

Action = HistoryEntry.Action
pytestmark = pytest.mark.django_db

KASUBBAG = "Kasubbag. Program dan Evaluasi"
REFUSAL = "You approved this document at step 5 (paraf); the signature must come from someone else."


@pytest.fixture
def people(default_sop):
    return make_people(default_sop)


@pytest.fixture
def both(default_sop):
    """A person who holds the Kasubbag's role (paraf, step 5) and the Sekretaris' role (signature, step 6)."""
    groups = {actor.name: actor.group.name for actor in default_sop.actors.select_related("group")}
    user = make_user("ganda", groups[KASUBBAG], groups["Sekretaris"], first_name="Dua", last_name="Peran")
    Profile.objects.create(user=user, nip="198001012005011999", jabatan="Sekretaris")
    return user


@pytest.fixture
def paraf_by_both(default_sop, people, both):
    """A document at the signature step, whose paraf (step 5) ``both`` gave."""
    doc = start_document(sop=default_sop, title="PK 2026", year=2026, by=people["Sekretaris"])
    doc = advance(doc, people, 5)
    doc = approve(doc, both)
    assert doc.current_step.number == 6 and doc.current_step.is_signature
    return doc


def approve(doc, user):
    return document_transition(document=doc, action=Action.APPROVE, by=user, requirements_confirmed=True)


def test_it_marks_only_the_signature_step_of_the_default_sop(default_sop):
    marked = list(default_sop.steps.filter(needs_other_person=True).values_list("number", flat=True))
    assert marked == [6]


def test_it_does_not_offer_the_signature_to_who_gave_the_paraf(paraf_by_both, both):
    assert available_actions(paraf_by_both, both) == [Action.RETURN]


def test_it_refuses_the_signature_of_who_gave_the_paraf(paraf_by_both, both):
    with translation.override("en"), pytest.raises(PermissionDenied) as refused:
        approve(paraf_by_both, both)
    assert str(refused.value) == REFUSAL
    doc = Document.objects.get()
    assert doc.current_step.number == 6
    assert not Signature.objects.exists()
    assert doc.history.filter(action=Action.APPROVE, step__number=6).count() == 0


def test_it_lets_another_sekretaris_sign(paraf_by_both, people):
    doc = approve(paraf_by_both, people["Sekretaris"])
    assert doc.current_step.number == 7
    assert Signature.objects.get(document=doc).signer == people["Sekretaris"]


def test_it_still_lets_who_gave_the_paraf_return_it(paraf_by_both, both):
    doc = document_transition(document=paraf_by_both, action=Action.RETURN, by=both, reason="Perlu diperbaiki")
    assert doc.current_step.number == 4


def test_it_counts_only_the_latest_approval_of_an_earlier_step(paraf_by_both, people, both):
    # Returned after the paraf; this time another Kasubbag gives it: the first person may now sign.
    doc = document_transition(document=paraf_by_both, action=Action.RETURN, by=people["Sekretaris"], reason="Ulang")
    doc = advance(doc, people, 5)
    doc = approve(doc, people[KASUBBAG])
    assert Action.APPROVE in available_actions(doc, both)
    doc = approve(doc, both)
    assert Signature.objects.get(document=doc).signer == both


def test_it_leaves_a_step_without_the_mark_alone(default_sop, people, both):
    default_sop.steps.filter(is_signature=True).update(needs_other_person=False)
    doc = start_document(sop=default_sop, title="PK 2026", year=2026, by=people["Sekretaris"])
    doc = approve(advance(doc, people, 5), both)
    assert available_actions(doc, both) == [Action.APPROVE, Action.RETURN]
    doc = approve(doc, both)
    assert Signature.objects.get(document=doc).signer == both


def test_it_marks_any_step_of_any_sop_not_only_a_signature():
    # Four steps: 2 and 3 are decisions; one person holds both their actors. Step 3 is marked.
    sop = make_sop(slug="dua-keputusan", steps=4, decisions={2: 1, 3: 1}, actors=["A", "B", "C"])
    sop.steps.filter(number=3).update(needs_other_person=True)
    starter, decider, other = make_user("a", "A"), make_user("bc", "B", "C"), make_user("c", "C")
    doc = start_document(sop=sop, title="Uji", year=2026, by=starter)
    doc = document_transition(document=doc, action=Action.COMPLETE, by=starter, note="x")
    doc = approve(doc, decider)
    with translation.override("en"):
        assert available_actions(doc, decider) == [Action.RETURN]
        with pytest.raises(PermissionDenied, match="You approved this document at step 2; this step must be taken"):
            approve(doc, decider)
    assert approve(doc, other).current_step.number == 4


# --- the document page -----------------------------------------------------------


def test_it_explains_on_the_page_why_there_is_no_sign_button(client, paraf_by_both, both):
    client.force_login(both)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    r = client.get(paraf_by_both.get_absolute_url())
    assert r.status_code == 200
    assert REFUSAL.replace("'", "&#x27;") in r.text
    assert 'value="approve"' not in r.text
    assert 'value="return"' in r.text


def test_it_shows_the_sign_button_to_another_sekretaris(client, paraf_by_both, people):
    client.force_login(people["Sekretaris"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    r = client.get(paraf_by_both.get_absolute_url())
    assert 'value="approve"' in r.text
    assert "someone else" not in r.text


def test_it_refuses_a_posted_signature_with_the_reason(client, paraf_by_both, both):
    client.force_login(both)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    r = client.post(
        f"/dokumen/{paraf_by_both.pk}/aksi/",
        {"action": "approve", "version": paraf_by_both.version, "requirements_confirmed": "on"},
    )
    assert r.status_code == 403
    assert REFUSAL.replace("'", "&#x27;") in r.text
    assert not Signature.objects.exists()


# --- the SOP's data: admin, definition, file ---------------------------------------


@pytest.fixture
def admin(admin_client_):
    admin_client_.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return admin_client_


def test_it_lets_the_admin_set_the_mark(admin, default_sop):
    # The mark is set on each step's own page (the steps table shows only the main columns).
    six, seven = default_sop.steps.get(number=6), default_sop.steps.get(number=7)
    data = page_data_of_step(admin, six)
    assert data["needs_other_person"] == "on"
    assert "needs_other_person" not in page_data_of_step(admin, seven)  # an unticked checkbox posts nothing
    del data["needs_other_person"]
    assert admin.post(step_url(six), data).status_code == 302
    data = page_data_of_step(admin, seven)
    data["needs_other_person"] = "on"

    r = admin.post(step_url(seven), data)

    assert r.status_code == 302, r.context and r.context["errors"]
    assert list(default_sop.steps.filter(needs_other_person=True).values_list("number", flat=True)) == [7]


def test_it_refuses_the_mark_where_no_decision_comes_before(admin, default_sop):
    three = default_sop.steps.get(number=3)
    data = page_data_of_step(admin, three)
    data["needs_other_person"] = "on"

    r = admin.post(step_url(three), data)

    assert r.status_code == 200
    assert "Step 3 must be taken by someone other than the earlier approvers, but no decision step" in r.text
    assert list(default_sop.steps.filter(needs_other_person=True).values_list("number", flat=True)) == [6]


def test_it_exports_and_imports_the_mark(default_sop):
    text = sop_to_json(default_sop)
    data = json.loads(text)
    assert [s["needs_other_person"] for s in data["steps"]] == [False] * 5 + [True, False]
    assert text == DEFAULT_SOP.read_text(encoding="utf-8")
    copy = sop_from_dict(data)
    assert copy.revision == 2
    assert sop_to_json(copy) == text


def test_it_imports_an_older_file_without_the_mark_as_unmarked():
    data = sop_data(slug="lama", steps=4, decisions={3: 2})
    assert all("needs_other_person" not in step for step in data["steps"])
    sop = sop_from_dict(data)
    assert not Step.objects.filter(sop=sop, needs_other_person=True).exists()


def test_it_refuses_a_file_with_the_mark_where_no_decision_comes_before():
    data = sop_data(slug="salah", steps=4, decisions={3: 2})
    data["steps"][1]["needs_other_person"] = True
    with pytest.raises(ValueError, match=r"steps\[1\]\.needs_other_person: step 2 has no earlier decision step"):
        check_sop_dict(data)
    data["steps"][1]["needs_other_person"] = "ya"
    with pytest.raises(ValueError, match=r"steps\[1\]\.needs_other_person: must be true or false"):
        check_sop_dict(data)
    assert not Sop.objects.filter(slug="salah").exists()
