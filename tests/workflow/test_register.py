"""The register (buku agenda): each signed document gets the next number of its year, once, from a pattern."""

import datetime as dt
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from pypdf import PdfReader

from sakip.accounts.models import Profile
from sakip.performance import pdf
from sakip.workflow import register
from sakip.workflow.models import Distribution, Document, RegisterCounter, RegisterEntry, RegisterSettings, Signature
from sakip.workflow.register import format_number, pattern_problems
from sakip.workflow.services import DistributionInput, DocumentMovedOn, document_transition
from tests.conftest import advance, make_people, make_user, start_document

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    """The messages are compared in English (the msgids); pages follow the language their cookie asks."""
    with translation.override("en"):
        yield


# --- the pattern -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "number"),
    [
        ("050/{nomor}/413.110/{tahun}", "050/7/413.110/2026"),
        ("050/{nomor:03}/413.110/{tahun}", "050/007/413.110/2026"),
        ("{nomor}/DISNAKER/{bulan}/{tahun}", "7/DISNAKER/XI/2026"),
        ("{nomor}", "7"),
    ],
)
def test_it_writes_the_number_as_the_pattern_says(pattern, number):
    assert pattern_problems(pattern) == []
    assert format_number(pattern, sequence=7, on=dt.date(2026, 11, 29)) == number


def test_it_pads_only_up_to_the_width_and_never_cuts():
    assert format_number("{nomor:03}", sequence=1234, on=dt.date(2026, 1, 1)) == "1234"


@pytest.mark.parametrize(
    ("pattern", "says"),
    [
        ("050/413.110/{tahun}", "needs {nomor}"),
        ("050/{nomer}/{tahun}", "Unknown placeholder {nomer}"),
        ("050/{nomor}/{year}", "Unknown placeholder {year}"),
        ("050/{nomor}/{tahun", "Every { needs its }"),
        ("050/{nomor}}/{tahun}", "Every { needs its }"),
        ("{nomor}/{nomor}", "only once"),
        ("{nomor:3}", "not a known format"),
        ("{tahun:04}/{nomor}", "not a known format"),
        ("{nomor}" + "x" * 99, "longer than 100 characters"),
    ],
)
def test_it_refuses_a_pattern_that_cannot_number(pattern, says):
    assert any(says in problem for problem in pattern_problems(pattern)), pattern_problems(pattern)


def test_the_pattern_is_checked_at_its_field():
    row = RegisterSettings(pattern="050/{nomer}/{tahun}")
    with pytest.raises(ValidationError) as refused:
        row.full_clean()
    assert "Unknown placeholder {nomer}" in " ".join(refused.value.message_dict["pattern"])


def test_the_admin_sets_the_pattern_and_sees_a_bad_one_refused_at_the_field(admin_client_):
    admin_client_.cookies["django_language"] = "en"
    r = admin_client_.get("/admin/workflow/registersettings/")
    assert r.status_code == 302 and r["Location"].endswith("/add/")
    r = admin_client_.post("/admin/workflow/registersettings/add/", {"pattern": "050/{nomer}/{tahun}"})
    assert r.status_code == 200
    assert "Unknown placeholder {nomer}" in r.text
    assert not RegisterSettings.objects.exists()
    r = admin_client_.post("/admin/workflow/registersettings/add/", {"pattern": "050/{nomor:03}/413.110/{tahun}"})
    assert r.status_code == 302
    assert RegisterSettings.current().pattern == "050/{nomor:03}/413.110/{tahun}"
    assert admin_client_.get("/admin/workflow/registersettings/add/").status_code == 403  # one row only


# --- numbers at signing ---------------------------------------------------------------------------------------------


@pytest.fixture
def people(default_sop):
    return make_people(default_sop)


def at_signature(sop, people, title="PK"):
    doc = advance(start_document(sop=sop, title=title, year=2026, by=people["Sekretaris"]), people, 6)
    assert doc.current_step.is_signature
    return doc


def sign(doc, by):
    return document_transition(document=doc, action="approve", by=by, requirements_confirmed=True)


def pdf_text(data: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


def test_signing_gives_the_next_number_of_the_year(default_sop, people):
    RegisterSettings.objects.create(pk=1, pattern="050/{nomor:03}/413.110/{tahun}")
    year = timezone.localdate().year
    numbers = []
    for title in ("A", "B", "C"):
        signed = sign(at_signature(default_sop, people, title), people["Sekretaris"])
        numbers.append(signed.number)
    assert numbers == [f"050/{n:03}/413.110/{year}" for n in (1, 2, 3)]
    assert list(RegisterEntry.objects.values_list("sequence", "number")) == list(enumerate(numbers, start=1))
    assert RegisterCounter.objects.get(year=year).last == 3


def test_the_signed_pdf_is_made_with_the_number_it_is_given(default_sop, people, monkeypatch):
    rendered = []
    real_render = pdf.render_measurement_pdf

    def render(measurement, signature=None, **kwargs):
        rendered.append(measurement.document.number)
        return real_render(measurement, signature, **kwargs)

    monkeypatch.setattr(pdf, "render_measurement_pdf", render)
    signed = sign(at_signature(default_sop, people), people["Sekretaris"])
    assert rendered == [signed.number] and signed.number


def test_the_signed_pdf_prints_the_number_it_was_given(default_sop, people):
    signed = sign(at_signature(default_sop, people), people["Sekretaris"])
    signature = Signature.objects.get(document=signed)
    with signature.pdf.open("rb") as handle:
        assert signed.number in pdf_text(handle.read())


def test_a_refused_signing_gives_no_number(default_sop, people):
    doc = at_signature(default_sop, people)
    Profile.objects.filter(user=people["Sekretaris"]).update(nip="")
    with pytest.raises(ValidationError):
        sign(doc, people["Sekretaris"])
    assert not RegisterEntry.objects.exists()
    assert not RegisterCounter.objects.exists()
    assert Document.objects.get(pk=doc.pk).number == ""


def test_a_signing_that_fails_after_taking_the_number_keeps_none(default_sop, people, monkeypatch):
    from sakip.workflow import services

    doc = at_signature(default_sop, people)

    def broken(*args, **kwargs):
        raise RuntimeError("the history table is gone")

    monkeypatch.setattr(services, "_store_files", broken)
    with pytest.raises(RuntimeError):
        sign(doc, people["Sekretaris"])
    assert not RegisterEntry.objects.exists()
    assert Document.objects.get(pk=doc.pk).number == ""
    monkeypatch.undo()
    assert sign(Document.objects.get(pk=doc.pk), people["Sekretaris"]).number.startswith("050/1/")


def test_a_number_taken_meanwhile_makes_the_signing_start_again_with_the_next(default_sop, people, monkeypatch):
    """Between the prediction (printed in the PDF) and the lock, another signing took the number."""
    first, second = at_signature(default_sop, people, "A"), at_signature(default_sop, people, "B")
    real_predict = register.number_predict
    rendered = []
    real_render = pdf.render_measurement_pdf

    def render(measurement, signature=None, **kwargs):
        rendered.append(measurement.document.number)
        return real_render(measurement, signature, **kwargs)

    calls = {"n": 0}

    def predict_then_someone_else_signs(at):
        calls["n"] += 1
        reservation = real_predict(at)
        if calls["n"] == 1:
            monkeypatch.setattr("sakip.workflow.services.number_predict", real_predict)
            sign(second, people["Sekretaris"])  # takes the number the first signing predicted
        return reservation

    monkeypatch.setattr(pdf, "render_measurement_pdf", render)
    monkeypatch.setattr("sakip.workflow.services.number_predict", predict_then_someone_else_signs)
    signed = sign(first, people["Sekretaris"])

    year = timezone.localdate().year
    assert Document.objects.get(pk=second.pk).number == f"050/1/413.110/{year}"
    assert signed.number == f"050/2/413.110/{year}"
    # The PDF kept is the one made with the number the document got; the first one is gone from storage.
    signature = Signature.objects.get(document=first)
    with signature.pdf.open("rb") as handle:
        assert signed.number in pdf_text(handle.read())
    assert rendered == [f"050/1/413.110/{year}", f"050/1/413.110/{year}", f"050/2/413.110/{year}"]
    stored = {s.pdf.name for s in Signature.objects.all()}
    assert len(list(signature.pdf.storage.listdir(f"ditandatangani/{first.pk}")[1])) == 1
    assert signature.pdf.name in stored


def test_it_gives_up_after_several_numbers_were_taken(default_sop, people, monkeypatch):
    doc = at_signature(default_sop, people)

    def always_taken(*args, **kwargs):
        raise register.NumberTaken

    monkeypatch.setattr("sakip.workflow.services.number_take", always_taken)
    with pytest.raises(ValidationError) as refused:
        sign(doc, people["Sekretaris"])
    assert "signature" in refused.value.message_dict
    assert not Signature.objects.exists()


def test_the_year_is_the_year_of_signing_and_each_year_starts_at_one(default_sop, people):
    RegisterCounter.objects.create(year=timezone.localdate().year - 1, last=41)
    signed = sign(at_signature(default_sop, people), people["Sekretaris"])
    entry = RegisterEntry.objects.get(document=signed)
    assert (entry.year, entry.sequence) == (timezone.localdate().year, 1)


def test_a_number_is_never_given_twice_even_if_the_counter_was_set_back(default_sop, people):
    sign(at_signature(default_sop, people, "A"), people["Sekretaris"])
    RegisterCounter.objects.update(last=0)  # someone set the counter back by hand
    with pytest.raises(Exception):  # noqa: B017  (the unique (year, sequence) refuses it)
        sign(at_signature(default_sop, people, "B"), people["Sekretaris"])
    assert RegisterEntry.objects.count() == 1


# --- a.n. ---------------------------------------------------------------------------------------------------------


def test_the_signature_is_given_on_behalf_of_whom_the_step_says(default_sop, people):
    assert default_sop.steps.get(number=6).signs_on_behalf_of == "a.n. KEPALA DINAS TENAGA KERJA"
    signed = sign(at_signature(default_sop, people), people["Sekretaris"])
    assert Signature.objects.get(document=signed).on_behalf_of == "a.n. KEPALA DINAS TENAGA KERJA"


def test_without_the_mark_the_signer_signs_in_their_own_name(default_sop, people):
    default_sop.steps.filter(number=6).update(signs_on_behalf_of="")
    signed = sign(at_signature(default_sop, people), people["Sekretaris"])
    assert Signature.objects.get(document=signed).on_behalf_of == ""


def test_only_the_signature_step_can_sign_on_behalf(default_sop):
    step = default_sop.steps.get(number=5)
    step.signs_on_behalf_of = "a.n. KEPALA DINAS"
    with pytest.raises(ValidationError) as refused:
        step.full_clean()
    assert "signs_on_behalf_of" in refused.value.message_dict


# --- the explicit confirmation ---------------------------------------------------------------------------------


def test_a_signature_the_signer_did_not_confirm_is_refused_with_no_number_and_no_pdf(default_sop, people):
    doc = at_signature(default_sop, people)
    with pytest.raises(ValidationError) as refused:
        document_transition(
            document=doc,
            action="approve",
            by=people["Sekretaris"],
            requirements_confirmed=True,
            signature_confirmed=False,
        )
    assert "signature_confirmed" in refused.value.message_dict
    assert not Signature.objects.exists() and not RegisterEntry.objects.exists()


def test_a_return_needs_no_confirmation(default_sop, people):
    doc = at_signature(default_sop, people)
    returned = document_transition(
        document=doc, action="return", by=people["Sekretaris"], reason="Perbaiki", signature_confirmed=False
    )
    assert returned.current_step.number == 4


# --- the distribution (step 7) ------------------------------------------------------------------------------------


def finish(doc, people, distribution):
    return document_transition(
        document=doc,
        action="finish",
        by=people[doc.current_step.actor.name],
        requirements_confirmed=True,
        note="Digandakan dan dikirim",
        distribution=distribution,
    )


def test_the_distribution_step_records_recipients_copies_and_date(default_sop, people):
    signed = sign(at_signature(default_sop, people), people["Sekretaris"])
    assert signed.current_step.records_distribution
    today = timezone.localdate()
    finished = finish(signed, people, DistributionInput("Bupati Lamongan\nInspektorat", 3, today))
    distribution = Distribution.objects.get(document=finished)
    assert (distribution.recipients, distribution.copies, distribution.distributed_on) == (
        "Bupati Lamongan\nInspektorat",
        3,
        today,
    )
    assert distribution.entry.action == "finish"


@pytest.mark.parametrize(
    ("recipients", "copies", "days", "field"),
    [
        ("  ", 3, 0, "recipients"),
        ("Bupati", 0, 0, "copies"),
        ("Bupati", 2, 1, "distributed_on"),  # in the future
        ("Bupati", 2, -400, "distributed_on"),  # before the signature
    ],
)
def test_it_refuses_a_distribution_that_cannot_be(default_sop, people, recipients, copies, days, field):
    signed = sign(at_signature(default_sop, people), people["Sekretaris"])
    on = timezone.localdate() + dt.timedelta(days=days)
    with pytest.raises(ValidationError) as refused:
        finish(signed, people, DistributionInput(recipients, copies, on))
    assert list(refused.value.message_dict) == [field]
    assert not Distribution.objects.exists()
    assert Document.objects.get(pk=signed.pk).status == "active"


def test_the_step_number_is_nowhere_in_the_rule(default_sop, people):
    """The SOP is data: a step without the mark records nothing, whatever its number."""
    default_sop.steps.filter(number=7).update(records_distribution=False)
    signed = sign(at_signature(default_sop, people), people["Sekretaris"])
    finish(signed, people, DistributionInput("Bupati", 1, timezone.localdate()))
    assert not Distribution.objects.exists()


def test_a_stale_page_is_told_the_document_moved_on_before_any_number(default_sop, people):
    doc = at_signature(default_sop, people)
    stale = Document.objects.get(pk=doc.pk)
    sign(doc, people["Sekretaris"])
    other = make_user("other", "Sekretaris", first_name="Lain", last_name="Orang")
    Profile.objects.create(user=other, nip="198001012005011099", jabatan="Sekretaris")
    with pytest.raises(DocumentMovedOn):
        sign(stale, other)
    assert RegisterEntry.objects.count() == 1


def test_the_admin_shows_the_register_and_the_distributions_read_only(admin_client_, default_sop, people):
    signed = sign(at_signature(default_sop, people), people["Sekretaris"])
    finish(signed, people, DistributionInput("Bupati", 2, timezone.localdate()))
    for url in ("/admin/workflow/registerentry/", "/admin/workflow/distribution/", "/admin/workflow/document/"):
        r = admin_client_.get(url)
        assert r.status_code == 200, url
        assert signed.number in r.text or "Bupati" in r.text, url
    entry = RegisterEntry.objects.get()
    assert admin_client_.post(f"/admin/workflow/registerentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert RegisterEntry.objects.exists()
