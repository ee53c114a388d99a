"""The signed PDF is made before the write lock: nobody else's work waits for a slow render."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from sakip.performance import pdf
from sakip.workflow.models import Document, Signature
from sakip.workflow.services import document_transition
from tests.conftest import advance, fill_realisations, make_people, start_document


@pytest.mark.django_db(transaction=True)
def test_another_persons_action_goes_through_while_the_pdf_renders(default_sop, monkeypatch):
    people = make_people(default_sop)
    to_sign = advance(start_document(sop=default_sop, title="PK A", year=2026, by=people["Sekretaris"]), people, 6)
    other = advance(start_document(sop=default_sop, title="PK B", year=2026, by=people["Sekretaris"]), people, 2)
    rendering, other_done = threading.Event(), threading.Event()
    outcome = {}
    real_render = pdf.render_measurement_pdf

    def slow_render(measurement, signature=None):
        rendering.set()
        # Hold the render until the other person's action is through: it must not have to wait for this one.
        outcome["through_during_render"] = other_done.wait(timeout=10)
        return real_render(measurement, signature)

    monkeypatch.setattr(pdf, "render_measurement_pdf", slow_render)

    def the_other_person():
        try:
            rendering.wait(timeout=20)
            document_transition(
                document=other, action="complete", by=people["Sek. Tim SAKIP"], requirements_confirmed=True, note="ok"
            )
            outcome["other"] = "moved"
        except Exception as exc:
            outcome["other"] = repr(exc)
        finally:
            other_done.set()
            connection.close()

    thread = threading.Thread(target=the_other_person)
    thread.start()
    document_transition(document=to_sign, action="approve", by=people["Sekretaris"], requirements_confirmed=True)
    thread.join(timeout=30)
    assert outcome == {"other": "moved", "through_during_render": True}
    assert Document.objects.get(pk=other.pk).current_step.number == 3
    assert Signature.objects.get(document=to_sign).sha256


@pytest.mark.django_db(transaction=True)
def test_a_change_during_the_render_refuses_the_signature_and_keeps_no_pdf(default_sop, monkeypatch, settings):
    people = make_people(default_sop)
    doc = advance(start_document(sop=default_sop, title="PK A", year=2026, by=people["Sekretaris"]), people, 6)
    real_render = pdf.render_measurement_pdf

    def render_while_someone_changes_it(measurement, signature=None):
        data = real_render(measurement, signature)
        fill_realisations(doc, "77")  # not what the PDF shows
        return data

    monkeypatch.setattr(pdf, "render_measurement_pdf", render_while_someone_changes_it)
    with pytest.raises(ValidationError) as refused:
        document_transition(document=doc, action="approve", by=people["Sekretaris"], requirements_confirmed=True)
    assert "content" in refused.value.message_dict
    assert not Signature.objects.exists()
    signed = settings.MEDIA_ROOT / "ditandatangani"
    assert not signed.exists() or not any(signed.rglob("*.pdf"))
