"""The letterhead set by an administrator in the admin: one row, a checked logo, a cached read."""

import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.translation import gettext_lazy
from PIL import Image

from sakip.office.models import Office

pytestmark = pytest.mark.django_db

URL = "/admin/office/office/"
NOT_AN_IMAGE = gettext_lazy("The logo must be a PNG or JPEG image.")


def png(size=(40, 40), kind="PNG", name="logo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, kind)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def form(**changes) -> dict:
    data = {
        "government": "PEMERINTAH KABUPATEN LAMONGAN",
        "name": "DINAS TENAGA KERJA",
        "address": "Jl. Basuki Rahmat No. 1, Lamongan",
        "postal_code": "62211",
        "telephone": "(0322) 321234",
        "email": "disnaker@lamongankab.go.id",
        "website": "disnaker.lamongankab.go.id",
        "print_explanation": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_it_opens_the_form_of_the_one_row(admin_client):
    assert admin_client.get(URL).url == f"{URL}add/"
    office = Office.objects.create()
    assert admin_client.get(URL).url == f"{URL}{office.pk}/change/"


def test_it_saves_the_letterhead_with_an_uploaded_logo(admin_client):
    response = admin_client.post(f"{URL}add/", form(logo=png()))
    assert response.status_code == 302, response.context["adminform"].form.errors
    office = Office.objects.get()
    assert office.pk == Office.SINGLETON_PK
    assert (office.postal_code, office.website, office.print_explanation) == (
        "62211",
        "disnaker.lamongankab.go.id",
        True,
    )
    assert office.logo.name.startswith("office/") and office.logo.storage.exists(office.logo.name)
    assert office.logo_data_uri().startswith("data:image/png;base64,")


def test_it_takes_a_jpeg_logo(admin_client):
    response = admin_client.post(f"{URL}add/", form(logo=png(kind="JPEG", name="logo.jpg")))
    assert response.status_code == 302
    assert Office.objects.get().logo_data_uri().startswith("data:image/jpeg;base64,")


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("logo.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>"), NOT_AN_IMAGE),
        (SimpleUploadedFile("logo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64), NOT_AN_IMAGE),  # broken PNG
        (png(size=(2500, 100)), "2500"),
        (SimpleUploadedFile("logo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * (1024 * 1024 + 1)), "1"),
    ],
    ids=["svg-renamed", "truncated-png", "too-many-pixels", "too-large"],
)
def test_it_refuses_a_bad_logo_at_the_field(admin_client, upload, message):
    response = admin_client.post(f"{URL}add/", form(logo=upload))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    with translation.override(settings.LANGUAGE_CODE):  # the admin speaks the office's language
        message = str(message)
    assert list(errors) == ["logo"] and message in errors["logo"][0]
    assert not Office.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("postal_code", "6221"), ("telephone", "0322<script>"), ("email", "bukan-surel"), ("website", "bukan alamat")],
)
def test_it_refuses_a_malformed_contact_at_the_field(admin_client, field, value):
    response = admin_client.post(f"{URL}add/", form(**{field: value}))
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == [field]
    assert not Office.objects.exists()


def test_it_has_one_row_that_cannot_be_added_twice_nor_deleted(admin_client):
    office = Office.objects.create()
    assert admin_client.get(f"{URL}add/").status_code == 403
    assert admin_client.post(f"{URL}add/", form()).status_code == 403
    assert admin_client.get(f"{URL}{office.pk}/delete/").status_code == 403
    assert Office.objects.count() == 1
    response = admin_client.post(f"{URL}{office.pk}/change/", form(name="DINAS TENAGA KERJA BARU"))
    assert response.status_code == 302
    assert Office.objects.get().name == "DINAS TENAGA KERJA BARU"


def test_it_starts_from_the_settings(settings):
    settings.OFFICE_GOVERNMENT = "PEMERINTAH KOTA CONTOH"
    settings.OFFICE_NAME = "DINAS CONTOH"
    office = Office.current()
    assert (office.government, office.name, office.pk) == ("PEMERINTAH KOTA CONTOH", "DINAS CONTOH", None)
    assert not Office.objects.exists()  # reading writes nothing


def test_it_caches_the_row_and_forgets_it_on_save(django_assert_num_queries):
    Office.objects.create(name="LAMA")
    assert Office.current().name == "LAMA"
    with django_assert_num_queries(0):
        assert Office.current().name == "LAMA"
    office = Office.objects.get()
    office.name = "BARU"
    office.save()
    assert Office.current().name == "BARU"
    Office.objects.update(name="LEWAT UPDATE")  # bypasses save(): the cache still answers ...
    assert Office.current().name == "BARU"
    assert Office.current(fresh=True).name == "LEWAT UPDATE"  # ... except for a fresh read (the signed PDF)
