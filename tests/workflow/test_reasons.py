"""A reason to return or cancel must say something: invisible characters are no reason."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext

from sakip.lib.text import has_text
from sakip.workflow.models import Document, HistoryEntry
from sakip.workflow.services import document_cancel, document_transition
from tests.conftest import advance, make_people, start_document

INVISIBLE = [
    "",
    "   ",
    "\u200b",  # zero-width space
    "\u200b\u200c\u200d\ufeff\u2060",  # zero-width (non-)joiners, BOM, word joiner
    "\u00a0\u3000\u2028\u2029",  # no-break, ideographic, line and paragraph separators
    "\u202e\u200e\u200f",  # direction override and marks
    "\u3164\uffa0\u115f\u1160",  # Hangul fillers
    "\u2800",  # blank Braille cell
    "\u0301\u034f",  # lone combining marks
    "\x00\x07\x1b",  # control characters
    "\ue000",  # private use
]


@pytest.mark.parametrize("value", INVISIBLE)
def test_it_finds_no_text_in_invisible_characters(value):
    assert has_text(value) is False


@pytest.mark.parametrize("value", ["a", "Target belum sesuai", "\u200bok", "١", "—", "7", "€", "é"])
def test_it_finds_text_in_anything_visible(value):
    assert has_text(value) is True


@pytest.fixture
def people(default_sop):
    return make_people(default_sop)


@pytest.fixture
def at_review(default_sop, people):
    """A document at step 5, the first decision, which may return the draft."""
    document = start_document(sop=default_sop, title="Pengukuran Kinerja 2026", year=2026, by=people["Sekretaris"])
    return advance(document, people, until_step=5)


@pytest.mark.django_db
def test_it_refuses_to_return_with_only_a_zero_width_space(at_review, people):
    with pytest.raises(ValidationError) as refused:
        document_transition(
            document=at_review, action="return", by=people["Kasubbag. Program dan Evaluasi"], reason="\u200b"
        )
    assert refused.value.message_dict["reason"] == [gettext("Say why the draft goes back.")]
    assert Document.objects.get(pk=at_review.pk).current_step.number == 5


@pytest.mark.django_db
def test_it_shows_the_missing_reason_at_the_field_of_the_page(client, at_review, people):
    client.force_login(people["Kasubbag. Program dan Evaluasi"])
    response = client.post(
        f"/dokumen/{at_review.pk}/aksi/", {"action": "return", "version": at_review.version, "reason": "\u200b \u200b"}
    )
    assert response.status_code == 400
    with translation.override("id"):
        message = gettext("Say why the draft goes back.")
    form = response.context["action_form"]
    assert form.errors["reason"] == [message]
    assert message in response.text
    assert Document.objects.get(pk=at_review.pk).current_step.number == 5
    assert not HistoryEntry.objects.filter(document=at_review, action=HistoryEntry.Action.RETURN).exists()


@pytest.mark.django_db
def test_it_still_returns_with_a_real_reason(at_review, people):
    document = document_transition(
        document=at_review, action="return", by=people["Kasubbag. Program dan Evaluasi"], reason="\u200bTarget salah"
    )
    assert document.current_step.number == 4


@pytest.mark.django_db
def test_it_refuses_to_cancel_with_only_a_zero_width_space(at_review, people):
    with pytest.raises(ValidationError) as refused:
        document_cancel(document=at_review, by=people["Sekretaris"], reason="\u200b")
    assert refused.value.message_dict["reason"] == [gettext("Say why the document is cancelled.")]
    assert Document.objects.get(pk=at_review.pk).status == Document.Status.ACTIVE


@pytest.mark.django_db
def test_it_tells_the_page_why_an_invisible_cancel_reason_is_refused(client, at_review, people):
    client.force_login(people["Sekretaris"])
    response = client.post(
        f"/dokumen/{at_review.pk}/batal/", {"version": at_review.version, "reason": "\u200b"}, follow=True
    )
    assert response.status_code == 200
    with translation.override("id"):
        assert gettext("Say why the document is cancelled.") in response.text
    assert Document.objects.get(pk=at_review.pk).status == Document.Status.ACTIVE
