"""What is signed is what was reviewed: a measurement keeps its own copy, and approval binds the content."""

import io
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from sakip.accounts.models import Profile
from sakip.lib.numbers import format_id_decimal
from sakip.performance.models import Indicator, IndicatorResult, Objective, Programme
from sakip.performance.services import agreement_changes, measurement_save, measurement_take_changes
from sakip.workflow.content import content_digest
from sakip.workflow.models import Document, HistoryEntry, Signature
from sakip.workflow.services import DocumentMovedOn, document_transition
from tests.conftest import advance, fill_realisations, make_user, start_document

pytestmark = pytest.mark.django_db

SEKRETARIS, KASUBBAG, ANGGOTA = "Sekretaris", "Kasubbag. Program dan Evaluasi", "Angg. Tim SAKIP"


@pytest.fixture
def people(default_sop):
    people = {
        actor.name: make_user(
            f"u{actor.position}", actor.group.name, first_name=f"Nama{actor.position}", last_name="Uji"
        )
        for actor in default_sop.actors.all()
    }
    Profile.objects.create(user=people[SEKRETARIS], nip="197805122003122004", jabatan="Sekretaris Dinas")
    return people


@pytest.fixture
def document(default_sop, people):
    return start_document(sop=default_sop, title="Pengukuran Kinerja Tahun 2026", year=2026, by=people[SEKRETARIS])


def first_indicator(doc) -> Indicator:
    return IndicatorResult.objects.filter(measurement__document=doc).in_sheet_order().first().indicator


def change_agreement(indicator: Indicator, *, target="41.5", name="Indikator yang diganti") -> None:
    """What the Kasubbag does on /kinerja/<year>/ while the document runs."""
    indicator.target, indicator.name = Decimal(target), name
    indicator.save()


def sign(doc, by):
    return document_transition(document=doc, action="approve", by=by, requirements_confirmed=True)


def pdf_text(data: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def test_it_copies_what_each_row_is_judged_against_when_the_document_starts(document):
    row = IndicatorResult.objects.filter(measurement__document=document).in_sheet_order().first()
    indicator = row.indicator
    assert (row.name, row.unit, row.target, row.polarity) == (
        indicator.name,
        indicator.unit,
        indicator.target,
        indicator.polarity,
    )
    assert row.objective_text == indicator.objective.text
    budget = document.measurement.programme_results.in_sheet_order().first()
    assert (budget.name, budget.budget) == (budget.programme.name, budget.programme.budget)


def test_it_never_changes_a_running_document_when_the_agreement_changes(document):
    indicator = first_indicator(document)
    before = IndicatorResult.objects.get(measurement__document=document, indicator=indicator).target
    change_agreement(indicator)
    row = IndicatorResult.objects.get(measurement__document=document, indicator=indicator)
    assert row.target == before and row.name != "Indikator yang diganti"


def test_it_lists_the_agreements_later_changes_before_and_after(document):
    indicator = first_indicator(document)
    old_target = indicator.target
    change_agreement(indicator)
    Indicator.objects.create(
        objective=indicator.objective, position=9, name="Indikator baru", unit="%", target=Decimal("75")
    )
    changes = agreement_changes(document.measurement)
    assert any(c.before == format_id_decimal(old_target) and c.after == "41,5" for c in changes)
    assert any(c.after == "Indikator yang diganti" for c in changes)
    assert any(c.item == "Indikator baru" and c.field == "" for c in changes)


def test_it_refuses_to_sign_what_no_reviewer_saw(default_sop, people, document):
    """Finding 3: at step 6 the agreement's target goes 100 → 40; the stale signature must not pass."""
    doc = advance(document, people, 6)
    row = IndicatorResult.objects.filter(measurement__document=doc).in_sheet_order().first()
    change_agreement(row.indicator, target="41.5")
    with pytest.raises(ValidationError) as refused:
        sign(doc, people[SEKRETARIS])
    assert "content" in refused.value.message_dict
    assert not Signature.objects.filter(document=doc).exists()
    row.refresh_from_db()
    assert row.target != Decimal("41.5")


def test_it_signs_the_new_target_only_after_it_is_taken_in_and_approved_again(default_sop, people, document):
    doc = advance(document, people, 6)
    indicator = first_indicator(doc)
    change_agreement(indicator, target="41.5")
    doc = document_transition(document=doc, action="return", by=people[SEKRETARIS], reason="Target berubah")
    assert doc.current_step.number == 4 and doc.current_step.edits_content
    measurement_take_changes(measurement=doc.measurement, by=people[ANGGOTA], version=doc.version)
    entry = doc.history.order_by("-pk").first()
    assert entry.action == HistoryEntry.Action.TAKE_IN
    assert "→ 41,5" in entry.note
    doc = Document.objects.get(pk=doc.pk)
    assert agreement_changes(doc.measurement) == []
    doc = advance(doc, people, 6)
    doc = sign(doc, people[SEKRETARIS])
    text = pdf_text(Signature.objects.get(document=doc).pdf.read())
    assert "Indikator yang diganti" in text


def test_it_refuses_to_sign_content_changed_after_the_approval(default_sop, people, document):
    doc = advance(document, people, 6)
    # A change by any route other than a content step (raw SQL, a slip in the admin): not what was approved.
    IndicatorResult.objects.filter(measurement__document=doc).update(realisation=Decimal("55"))
    with translation.override("id"), pytest.raises(ValidationError) as refused:
        sign(doc, people[SEKRETARIS])
    assert "disetujui pada langkah 5" in refused.value.message_dict["content"][0]


def test_the_signature_entry_records_the_content_that_was_approved(default_sop, people, document):
    doc = advance(document, people, 6)
    approved = doc.history.filter(action="approve").order_by("-pk").first()
    assert approved.content_sha256 == content_digest(doc)
    doc = sign(doc, people[SEKRETARIS])
    signed = Signature.objects.select_related("entry").get(document=doc).entry
    assert signed.content_sha256 == approved.content_sha256


def test_the_document_page_says_approved_equals_signed(client, default_sop, people, document):
    doc = sign(advance(document, people, 6), people[SEKRETARIS])
    client.force_login(people[SEKRETARIS])
    page = client.get(doc.get_absolute_url()).content.decode()
    assert 'id="content-binding"' in page and "= ditandatangani" in page


def test_it_tells_the_signer_when_the_content_changed_after_approval(client, default_sop, people, document):
    doc = advance(document, people, 6)
    client.force_login(people[SEKRETARIS])
    assert "Tidak berubah sejak disetujui" in client.get(doc.get_absolute_url()).content.decode()
    IndicatorResult.objects.filter(measurement__document=doc).update(realisation=Decimal("55"))
    page = client.get(doc.get_absolute_url()).content.decode()
    assert "alert-danger" in page and "berubah setelah disetujui" in page


def test_every_content_save_moves_the_version_on(default_sop, people, document):
    doc = advance(document, people, 3)
    anggota = people[ANGGOTA]
    row = IndicatorResult.objects.filter(measurement__document=doc).first()
    measurement_save(
        measurement=doc.measurement, by=anggota, version=doc.version, indicators={row.pk: {"realisation": 5}}
    )
    with pytest.raises(DocumentMovedOn):  # the same page saved a second time
        measurement_save(
            measurement=doc.measurement, by=anggota, version=doc.version, indicators={row.pk: {"realisation": 6}}
        )
    row.refresh_from_db()
    assert row.realisation == 5
    entry = doc.history.order_by("-pk").first()
    assert entry.action == HistoryEntry.Action.EDIT and entry.by == anggota


def test_a_stale_hand_on_after_a_save_is_told_the_document_moved_on(default_sop, people, document):
    doc = advance(document, people, 4)
    fill_realisations(doc)
    row = IndicatorResult.objects.filter(measurement__document=doc).first()
    measurement_save(
        measurement=doc.measurement, by=people[ANGGOTA], version=doc.version, indicators={row.pk: {"realisation": 7}}
    )
    with pytest.raises(DocumentMovedOn):
        document_transition(document=doc, action="complete", by=people[ANGGOTA], requirements_confirmed=True, note="x")


def test_the_realisation_page_refuses_a_stale_form(client, default_sop, people, document):
    doc = advance(document, people, 3)
    row = IndicatorResult.objects.filter(measurement__document=doc).first()
    measurement_save(
        measurement=doc.measurement, by=people[ANGGOTA], version=doc.version, indicators={row.pk: {"realisation": 1}}
    )
    client.force_login(people[ANGGOTA])
    data = {"version": doc.version, f"i{row.pk}-realisation": "2"}
    response = client.post(reverse("performance:realisation", args=[doc.pk]), data)
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.realisation == 1


def test_the_page_takes_in_the_agreements_changes(client, default_sop, people, document):
    doc = advance(document, people, 3)
    change_agreement(first_indicator(doc), target="41.5")
    client.force_login(people[ANGGOTA])
    page = client.get(doc.get_absolute_url()).content.decode()
    assert 'id="agreement-changes"' in page and "<ins>41,5</ins>" in page
    response = client.post(reverse("performance:take_changes", args=[doc.pk]), {"version": doc.version})
    assert response.status_code == 302
    assert IndicatorResult.objects.filter(measurement__document=doc, target=Decimal("41.5")).exists()
    assert 'id="agreement-changes"' not in client.get(doc.get_absolute_url()).content.decode()


def test_only_the_drafter_at_a_content_step_takes_in_changes(client, default_sop, people, document):
    doc = advance(document, people, 5)
    change_agreement(first_indicator(doc), target="41.5")
    client.force_login(people[KASUBBAG])
    response = client.post(reverse("performance:take_changes", args=[doc.pk]), {"version": doc.version})
    assert response.status_code == 403
    assert not IndicatorResult.objects.filter(measurement__document=doc, target=Decimal("41.5")).exists()


def test_an_agreement_in_use_keeps_its_year(client, default_sop, people, document):
    kasubbag = people[KASUBBAG]
    client.force_login(kasubbag)
    agreement = document.measurement.agreement
    form = {
        "year": "2031",
        "instansi": agreement.instansi,
        "first_party_name": "A",
        "first_party_position": "B",
        "second_party_name": "C",
        "second_party_position": "D",
    }
    response = client.post(reverse("performance:agreement_edit", args=[agreement.year]), form)
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.year == 2026 and agreement.first_party_name == "A"


def test_the_admin_shows_the_year_of_an_agreement_in_use_read_only(admin_client_, document):
    agreement = document.measurement.agreement
    page = admin_client_.get(reverse("admin:performance_agreement_change", args=[agreement.pk])).content.decode()
    assert 'name="year"' not in page


def test_an_indicator_in_use_cannot_be_deleted_and_the_page_says_why(client, people, document):
    indicator = first_indicator(document)
    objective = indicator.objective
    client.force_login(people[KASUBBAG])
    url = reverse("performance:objective_edit", args=[2026, objective.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = _formset_post(page.context)
    data[f"indicators-{_index_of(page.context['indicators'], indicator)}-DELETE"] = "on"
    response = client.post(url, data)
    assert response.status_code == 400
    assert "tidak dapat dihapus" in response.content.decode()
    assert Indicator.objects.filter(pk=indicator.pk).exists()


def test_the_admin_refuses_to_delete_an_indicator_in_use(admin_client_, document):
    indicator = first_indicator(document)
    objective = indicator.objective
    url = reverse("admin:performance_objective_change", args=[objective.pk])
    page = admin_client_.get(url)
    data = _admin_post(page.context)
    index = [f.instance.pk for f in page.context["inline_admin_formsets"][0].formset.forms].index(indicator.pk)
    data[f"indicators-{index}-DELETE"] = "on"
    response = admin_client_.post(url, data)
    assert response.status_code == 200  # the form again, with the message
    assert Indicator.objects.filter(pk=indicator.pk).exists()
    # Django's admin names the measurement rows that keep it (its own check for protected rows).
    assert "errorlist" in response.content.decode()


def test_a_programme_in_use_cannot_be_deleted(client, people, document):
    programme = document.measurement.programme_results.in_sheet_order().first().programme
    client.force_login(people[KASUBBAG])
    url = reverse("performance:objective_edit", args=[2026, programme.objective.pk])
    page = client.get(url)
    data = _formset_post(page.context)
    index = [f.instance.pk for f in page.context["programmes"].forms].index(programme.pk)
    data[f"programmes-{index}-DELETE"] = "on"
    assert client.post(url, data).status_code == 400
    assert Programme.objects.filter(pk=programme.pk).exists()


def test_a_new_indicator_is_taken_in_as_a_new_row(default_sop, people, document):
    doc = advance(document, people, 3)
    objective = Objective.objects.filter(agreement=doc.measurement.agreement).first()
    Indicator.objects.create(objective=objective, position=9, name="Indikator baru", unit="orang", target=12)
    measurement_take_changes(measurement=doc.measurement, by=people[ANGGOTA], version=doc.version)
    row = IndicatorResult.objects.get(measurement__document=doc, name="Indikator baru")
    assert row.target == 12 and row.realisation is None


# ---------------------------------------------------------------------------------------------
# Posting the objective page's formsets back as a browser would


def _index_of(formset, item) -> int:
    return [f.instance.pk for f in formset.forms].index(item.pk)


def _form_values(form) -> dict:
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None or value is False:
            continue
        if value is True:
            value = "on"
        data[form.add_prefix(name)] = field.prepare_value(value) if hasattr(field, "prepare_value") else value
    return data


def _formset_post(context) -> dict:
    data = _form_values(context["form"])
    for key in ("indicators", "programmes"):
        formset = context[key]
        for name, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{name}"] = value
        data[f"{formset.prefix}-TOTAL_FORMS"] = len(formset.initial_forms)
        for form in formset.initial_forms:
            data.update(_form_values(form))
    return data


def _admin_post(context) -> dict:
    data = _form_values(context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        data[f"{formset.prefix}-TOTAL_FORMS"] = len(formset.initial_forms)
        data[f"{formset.prefix}-INITIAL_FORMS"] = len(formset.initial_forms)
        for form in formset.initial_forms:
            data.update(_form_values(form))
    return data


def test_the_agreement_moves_its_revision_on_with_every_change_a_measurement_copies():
    from tests.performance.factories import make_agreement

    agreement = make_agreement(year=2031)

    def revised():
        return type(agreement).objects.get(pk=agreement.pk).revised_at

    before = revised()
    indicator = Indicator.objects.filter(objective__agreement=agreement).first()
    indicator.target = Decimal("1")
    indicator.save()
    after_edit = revised()
    assert after_edit > before
    Programme.objects.filter(objective__agreement=agreement).first().delete()
    after_delete = revised()
    assert after_delete > after_edit
    Objective.objects.filter(agreement=agreement).first().delete()  # its indicators and programmes go with it
    assert revised() > after_delete
