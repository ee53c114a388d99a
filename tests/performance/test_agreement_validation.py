"""An agreement's year and its parties' NIPs are checked at the field, on the page and in the admin."""

import pytest
from django.utils import translation
from django.utils.translation import gettext

from sakip.performance.forms import AgreementForm
from sakip.performance.models import Agreement
from tests.conftest import make_people

pytestmark = pytest.mark.django_db

VALID_NIP = "197001011995031001"
BAD_NIPS = [
    "١٩٧٠٠١٠١١٩٩٥٠٣١٠٠١",  # Arabic-Indic digits
    "１９７００１０１１９９５０３１００１",  # full-width digits
    "19700101199503100²",  # superscript two
    "197001010000011001",  # appointed in the year 0000
    "197013011995031001",  # born in month 13
    "12345",
]


def agreement_data(**changes) -> dict:
    return {
        "year": "2027",
        "instansi": "Dinas Tenaga Kerja Kabupaten Lamongan",
        "first_party_name": "Kepala Dinas",
        "first_party_position": "Kepala Dinas Tenaga Kerja",
        "first_party_nip": VALID_NIP,
        "second_party_name": "Bupati",
        "second_party_position": "Bupati Lamongan",
        "second_party_nip": "",
    } | changes


def test_it_accepts_a_nip_written_in_groups():
    form = AgreementForm(agreement_data(first_party_nip="19700101 199503 1 001"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["first_party_nip"] == VALID_NIP


@pytest.mark.parametrize("nip", BAD_NIPS)
@pytest.mark.parametrize("field", ["first_party_nip", "second_party_nip"])
def test_it_refuses_a_nip_that_is_not_a_real_nip_at_the_field(field, nip):
    form = AgreementForm(agreement_data(**{field: nip}))
    assert not form.is_valid()
    assert form.errors[field]
    assert set(form.errors) == {field}


@pytest.mark.parametrize("year", ["0", "70000", "1999", "2101"])
def test_it_refuses_a_year_outside_2000_to_2100_at_the_field(year):
    form = AgreementForm(agreement_data(year=year))
    assert not form.is_valid()
    assert set(form.errors) == {"year"}


@pytest.fixture
def kasubbag_client(client, default_sop):
    client.force_login(make_people(default_sop)["Kasubbag. Program dan Evaluasi"])
    return client


@pytest.mark.parametrize("year", ["0", "70000"])
def test_it_refuses_a_bad_year_on_the_page(kasubbag_client, year):
    response = kasubbag_client.post("/kinerja/baru/", agreement_data(year=year))
    assert response.status_code == 200
    assert response.context["form"].errors["year"]
    assert not Agreement.objects.filter(first_party_name="Kepala Dinas", year__gt=2026).exists()


def test_it_refuses_an_arabic_indic_nip_on_the_page(kasubbag_client):
    response = kasubbag_client.post("/kinerja/baru/", agreement_data(first_party_nip=BAD_NIPS[0]))
    assert response.status_code == 200
    with translation.override("id"):
        assert gettext("A NIP has 18 digits.") in response.text
    assert not Agreement.objects.filter(year=2027).exists()


@pytest.mark.parametrize("changes", [{"year": "0"}, {"year": "70000"}, {"first_party_nip": BAD_NIPS[0]}])
def test_it_refuses_bad_input_in_the_admin_at_the_field(admin_client_, changes):
    response = admin_client_.post("/admin/performance/agreement/add/", agreement_data(**changes))
    assert response.status_code == 200
    [field] = changes
    assert response.context["adminform"].form.errors[field]
    assert not Agreement.objects.exists()


def test_it_saves_a_good_agreement_from_the_admin(admin_client_):
    response = admin_client_.post("/admin/performance/agreement/add/", agreement_data())
    assert response.status_code == 302
    assert Agreement.objects.get(year=2027).first_party_nip == VALID_NIP
