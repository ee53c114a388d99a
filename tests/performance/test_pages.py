"""The agreement pages and the realisation form: bad values get a message at their field, nothing half-saved."""

from decimal import Decimal

import pytest

from sakip.performance.models import Agreement, Indicator, IndicatorResult, Objective, Programme
from sakip.workflow.models import Document
from sakip.workflow.services import document_transition
from tests.conftest import advance, make_people, start_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(default_sop):
    return make_people(default_sop)


@pytest.fixture
def at_data_step(default_sop, people):
    doc = start_document(sop=default_sop, title="PK 2026", year=2026, by=people["Sekretaris"])
    return advance(doc, people, 3)


def realisation_post(doc, **overrides):
    data = {"version": Document.objects.get(pk=doc.pk).version}
    for result in IndicatorResult.objects.filter(measurement__document=doc):
        data[f"i{result.pk}-realisation"] = "100"
        data[f"i{result.pk}-helped"] = ""
        data[f"i{result.pk}-held_back"] = ""
    for result in doc.measurement.programme_results.all():
        data[f"p{result.pk}-realised"] = "1.000.000,50"
    data.update(overrides)
    return data


def test_it_refuses_to_start_a_measured_document_without_an_agreement(client, default_sop, people):
    client.force_login(people["Sekretaris"])
    r = client.post("/dokumen/baru/pengukuran-kinerja/", {"year": "2031"})
    assert r.status_code == 200
    assert "Perjanjian Kinerja" in r.text and "2031" in r.text
    assert not default_sop.documents.exists()


def test_it_creates_one_result_row_per_indicator_and_programme(at_data_step):
    measurement = at_data_step.measurement
    assert measurement.agreement.year == 2026
    assert measurement.indicator_results.count() == Indicator.objects.filter(objective__agreement__year=2026).count()
    assert measurement.programme_results.count() == Programme.objects.filter(objective__agreement__year=2026).count()


def test_it_saves_realisations_typed_the_indonesian_way(client, at_data_step, people):
    doc = at_data_step
    IndicatorResult.objects.filter(measurement__document=doc).update(realisation=None)
    first = IndicatorResult.objects.filter(measurement__document=doc).order_by("pk").first()
    client.force_login(people["Angg. Tim SAKIP"])
    assert client.get(f"/kinerja/dokumen/{doc.pk}/realisasi/").status_code == 200
    r = client.post(
        f"/kinerja/dokumen/{doc.pk}/realisasi/",
        realisation_post(doc, **{f"i{first.pk}-realisation": "1.234,56", f"i{first.pk}-helped": "Job fair"}),
    )
    assert r.status_code == 302
    first.refresh_from_db()
    assert first.realisation == Decimal("1234.56")
    assert first.helped == "Job fair"
    assert doc.measurement.programme_results.first().realised == Decimal("1000000.50")


@pytest.mark.parametrize(
    ("typed", "message"),
    [("sepuluh", "1.234,56"), ("12.34", "tiga digit"), ("1,2,3", "satu koma"), ("-5", "negatif")],
)
def test_it_refuses_a_bad_number_at_its_field_and_saves_nothing(client, at_data_step, people, typed, message):
    doc = at_data_step
    results = list(IndicatorResult.objects.filter(measurement__document=doc).order_by("pk"))
    before = [(r.pk, r.realisation) for r in results]
    client.force_login(people["Angg. Tim SAKIP"])
    data = realisation_post(doc, **{f"i{results[1].pk}-realisation": typed})
    r = client.post(f"/kinerja/dokumen/{doc.pk}/realisasi/", data)
    assert r.status_code == 400
    assert message in r.text
    assert "is-invalid" in r.text
    assert [
        (r.pk, r.realisation) for r in IndicatorResult.objects.filter(measurement__document=doc).order_by("pk")
    ] == before


def test_it_keeps_the_measurement_read_only_outside_the_data_steps(client, default_sop, people):
    doc = start_document(sop=default_sop, title="PK 2026", year=2026, by=people["Sekretaris"])
    doc = advance(doc, people, 5)
    client.force_login(people["Angg. Tim SAKIP"])
    r = client.post(f"/kinerja/dokumen/{doc.pk}/realisasi/", realisation_post(doc))
    assert r.status_code == 403
    client.force_login(people["Kasubbag. Program dan Evaluasi"])
    page = client.get(f"/dokumen/{doc.pk}/").text
    assert "Isi realisasi" not in page
    assert "measurement-table" in page


def test_it_shows_capaian_and_rating_on_the_document_page(client, at_data_step, people):
    doc = at_data_step
    tpt = IndicatorResult.objects.get(measurement__document=doc, indicator__name__startswith="Tingkat Pengangguran")
    # Lower is better, mirror formula: (2 × 4,5 − 4,2) / 4,5 × 100 = 4,8 / 4,5 × 100 = 106,666… → 106,67
    tpt.realisation = Decimal("4.2")
    tpt.save()
    placed = IndicatorResult.objects.get(measurement__document=doc, indicator__name__startswith="Jumlah pencari")
    # Higher is better: 870 / 1.160 × 100 = 75 → "Cukup" (66–75)
    placed.realisation = Decimal("870")
    placed.save()
    IndicatorResult.objects.filter(measurement__document=doc, indicator__name__startswith="Jumlah peserta").update(
        realisation=None
    )
    client.force_login(people["Angg. Tim SAKIP"])
    page = client.get(f"/dokumen/{doc.pk}/").text
    assert "106,67" in page
    assert "75,00" in page and "Cukup" in page
    assert "belum ada realisasi" in page  # a missing realisation is a state, not a 0
    assert 'class="capaian-svg"' in page


def test_it_shows_the_reviewer_what_changed_after_a_return(client, default_sop, people):
    doc = start_document(sop=default_sop, title="PK 2026", year=2026, by=people["Sekretaris"])
    doc = advance(doc, people, 5)
    doc = document_transition(
        document=doc, action="return", by=people["Kasubbag. Program dan Evaluasi"], reason="TPT salah"
    )
    tpt = IndicatorResult.objects.get(measurement__document=doc, indicator__name__startswith="Tingkat Pengangguran")
    tpt.realisation = Decimal("4.25")
    tpt.save()
    doc = document_transition(
        document=doc, action="complete", by=people["Angg. Tim SAKIP"], requirements_confirmed=True, note="diperbaiki"
    )
    client.force_login(people["Kasubbag. Program dan Evaluasi"])
    page = client.get(f"/dokumen/{doc.pk}/").text
    assert 'id="changes"' in page
    assert "Tingkat Pengangguran Terbuka (TPT): <del>100,00</del> → <ins>4,25</ins>" in page


def test_it_refuses_to_hand_on_an_incomplete_measurement(client, at_data_step, people):
    doc = at_data_step
    doc = advance(doc, people, 4)
    IndicatorResult.objects.filter(measurement__document=doc).update(realisation=None)
    client.force_login(people["Angg. Tim SAKIP"])
    r = client.post(
        f"/dokumen/{doc.pk}/aksi/",
        {"action": "complete", "version": doc.version, "requirements_confirmed": "on", "note": "draf"},
    )
    assert r.status_code == 400
    assert "6" in r.text and "realisasi" in r.text
    doc.refresh_from_db()
    assert doc.current_step.number == 4


def test_it_lets_the_kasubbag_build_an_agreement(client, default_sop, people):
    client.force_login(people["Kasubbag. Program dan Evaluasi"])
    r = client.post(
        "/kinerja/baru/",
        {
            "year": "2027",
            "instansi": "Dinas Tenaga Kerja Kabupaten Lamongan",
            "first_party_name": "Kepala",
            "first_party_position": "Kepala Dinas",
            "first_party_nip": "19700101 199503 1 001",
            "second_party_name": "Bupati",
            "second_party_position": "Bupati Lamongan",
            "second_party_nip": "",
        },
    )
    assert r.status_code == 302
    agreement = Agreement.objects.get(year=2027)
    assert agreement.first_party_nip == "197001011995031001"
    form = {
        "position": "1",
        "text": "Meningkatnya penempatan",
        "indicators-TOTAL_FORMS": "1",
        "indicators-INITIAL_FORMS": "0",
        "indicators-0-position": "1",
        "indicators-0-name": "TPT",
        "indicators-0-unit": "%",
        "indicators-0-decimals": "2",
        "indicators-0-target": "4,5",
        "indicators-0-polarity": "lower",
        "indicators-0-lower_formula": "",
        "programmes-TOTAL_FORMS": "1",
        "programmes-INITIAL_FORMS": "0",
        "programmes-0-position": "1",
        "programmes-0-name": "Program Penempatan",
        "programmes-0-budget": "1.250.000.000",
    }
    r = client.post("/kinerja/2027/sasaran/baru/", form)
    assert r.status_code == 400
    assert "Pilih rumus" in r.text
    assert not Objective.objects.filter(agreement=agreement).exists()
    form["indicators-0-lower_formula"] = "mirror"
    r = client.post("/kinerja/2027/sasaran/baru/", form)
    assert r.status_code == 302
    indicator = Indicator.objects.get(objective__agreement=agreement)
    assert indicator.target == Decimal("4.5")
    assert Programme.objects.get(objective__agreement=agreement).budget == Decimal("1250000000")


def test_it_refuses_a_malformed_nip(client, default_sop, people):
    client.force_login(people["Kasubbag. Program dan Evaluasi"])
    r = client.post(
        "/kinerja/baru/",
        {
            "year": "2027",
            "instansi": "X",
            "first_party_name": "K",
            "first_party_position": "K",
            "first_party_nip": "12345",
            "second_party_name": "B",
            "second_party_position": "B",
        },
    )
    assert r.status_code == 200
    assert "18 digit" in r.text
    assert not Agreement.objects.filter(year=2027).exists()


def test_it_asks_before_removing_an_objective(client, default_sop, people):
    from tests.performance.factories import make_agreement

    agreement = make_agreement(year=2031)
    objective = agreement.objectives.first()
    client.force_login(people["Kasubbag. Program dan Evaluasi"])
    r = client.get(f"/kinerja/2031/sasaran/{objective.pk}/hapus/")
    assert r.status_code == 200
    assert "Sasaran 1" in r.text and "2 indikator" in r.text
    assert Objective.objects.filter(pk=objective.pk).exists()
    r = client.post(f"/kinerja/2031/sasaran/{objective.pk}/hapus/")
    assert r.status_code == 302
    assert not Objective.objects.filter(pk=objective.pk).exists()
    assert Indicator.objects.filter(objective__agreement=agreement).count() == 2
