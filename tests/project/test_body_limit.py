"""A request body over the limit is refused before it is read, with a page that says why (in Indonesian)."""

import pytest
from django.conf import settings as project_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from sakip.workflow import verification
from sakip.workflow.models import Attachment
from tests.conftest import make_people, start_document
from tests.project.test_settings import run_manage

MB = 1024 * 1024


class UnreadableBody:
    """A request body that must never be read: the test fails if anything tries."""

    def __init__(self):
        self.reads = 0

    def read(self, *args, **kwargs):
        self.reads += 1
        raise AssertionError("the request body was read")

    readline = readlines = read

    def __iter__(self):
        return self.read()


def post_unread(client, url: str, length: str | None, **extra):
    # With a CSRF cookie, as every visitor of the login page has, Django reads the body for the token.
    if project_settings.CSRF_COOKIE_NAME not in client.cookies:
        client.cookies[project_settings.CSRF_COOKIE_NAME] = "a" * 32
    body = UnreadableBody()
    meta = {"wsgi.input": body, "CONTENT_TYPE": "multipart/form-data; boundary=batas", **extra}
    if length is not None:
        meta["CONTENT_LENGTH"] = length
    response = client.generic("POST", url, b"", **meta)
    assert body.reads == 0
    return response


def in_indonesian(message: str, **values) -> str:
    with translation.override("id"):
        return gettext(message) % values if values else gettext(message)


@pytest.mark.django_db
def test_it_refuses_a_300_mb_anonymous_post_to_an_unknown_address_unread(client):
    response = post_unread(client, "/tidak-ada/", str(300 * MB))
    assert response.status_code == 413
    assert in_indonesian("Too much sent at once") in response.text
    # Indonesian numbers (a decimal comma), the anonymous limit, and why it is lower.
    assert "300,0\xa0MB" in response.text and "21,0\xa0MB" in response.text
    assert in_indonesian("Log in first: the limit is higher for people who are logged in.") in response.text


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/akun/masuk/", "/verifikasi/xyz/", "/dokumen/1/aksi/", "/admin/login/"])
def test_it_refuses_a_large_anonymous_post_anywhere_even_with_csrf_checks(url):
    client = Client(enforce_csrf_checks=True)
    response = post_unread(client, url, str(project_settings.ANONYMOUS_REQUEST_MAX_BYTES + 1))
    assert response.status_code == 413


@pytest.mark.django_db
def test_it_refuses_a_body_over_the_limit_even_when_logged_in(staff_client):
    response = post_unread(staff_client, "/dokumen/1/aksi/", str(project_settings.REQUEST_MAX_BYTES + 1))
    assert response.status_code == 413
    limit = project_settings.REQUEST_MAX_BYTES // MB
    assert f"{limit},0\xa0MB" in response.text


@pytest.mark.django_db
def test_it_does_not_take_a_made_up_session_cookie_for_a_login(client):
    client.cookies[project_settings.SESSION_COOKIE_NAME] = "a" * 32
    response = post_unread(client, "/akun/masuk/", str(project_settings.ANONYMOUS_REQUEST_MAX_BYTES + 1))
    assert response.status_code == 413
    assert in_indonesian("Log in first: the limit is higher for people who are logged in.") in response.text


@pytest.mark.django_db
def test_it_refuses_a_chunked_body_without_a_length_unread(client):
    response = post_unread(client, "/akun/masuk/", None, HTTP_TRANSFER_ENCODING="chunked")
    assert response.status_code == 411


@pytest.mark.django_db
@pytest.mark.parametrize("length", ["lots", "-1", "1e9", "１２"])
def test_it_refuses_a_malformed_length_unread(client, length):
    assert post_unread(client, "/akun/masuk/", length).status_code == 400


@pytest.mark.django_db
def test_it_answers_in_english_for_who_chose_english(client):
    client.cookies[project_settings.LANGUAGE_COOKIE_NAME] = "en"
    response = post_unread(client, "/tidak-ada/", str(300 * MB))
    assert response.status_code == 413
    assert "Too much sent at once" in response.text
    assert "300.0\xa0MB" in response.text
    assert response.headers["Content-Language"] == "en"


@pytest.mark.django_db
def test_it_sends_the_security_headers_with_the_refusal(client):
    response = post_unread(client, "/tidak-ada/", str(300 * MB))
    assert response.headers["Content-Language"] == "id"
    assert '<html lang="id">' in response.text
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "<script" not in response.text and " style=" not in response.text


@pytest.fixture
def small_limits(settings):
    settings.REQUEST_MAX_BYTES = 2 * MB
    settings.ANONYMOUS_REQUEST_MAX_BYTES = 64 * 1024
    return settings


def a_pdf_of(size: int, name: str = "besar.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n" + b"0" * (size - 9), content_type="application/pdf")


@pytest.mark.django_db
def test_it_takes_a_logged_in_post_under_the_limit(client, default_sop, small_limits):
    people = make_people(default_sop)
    document = start_document(sop=default_sop, title="Pengukuran Kinerja 2026", year=2026, by=people["Sekretaris"])
    client.force_login(people["Sekretaris"])
    response = client.post(
        f"/dokumen/{document.pk}/aksi/",
        {
            "action": "complete",
            "version": document.version,
            "requirements_confirmed": "on",
            "note": "Disposisi",
            "files": a_pdf_of(MB),  # above the anonymous limit, under the logged-in one
        },
    )
    assert response.status_code == 302
    assert Attachment.objects.get(document=document, name="besar.pdf").size == MB


@pytest.mark.django_db
def test_it_refuses_the_same_post_without_a_login(client, small_limits):
    response = client.post("/verifikasi/xyz/", {"file": a_pdf_of(MB)})
    assert response.status_code == 413


@pytest.mark.django_db
def test_it_lets_an_anonymous_post_under_its_limit_through(client, small_limits):
    response = client.post("/verifikasi/xyz/", {"file": a_pdf_of(10 * 1024)})
    assert response.status_code == 404  # no such signature: the request got past the limit


def test_it_comes_first_in_the_middleware():
    assert project_settings.MIDDLEWARE[0] == "sakip.lib.middleware.RequestSizeLimitMiddleware"


def test_it_keeps_the_limits_consistent():
    s = project_settings
    assert s.ATTACHMENT_MAX_BYTES < s.REQUEST_MAX_BYTES
    # The verification page's own message ("larger than any signed document") stays reachable.
    assert verification.MAX_UPLOAD < s.ANONYMOUS_REQUEST_MAX_BYTES <= s.REQUEST_MAX_BYTES
    assert s.DATA_UPLOAD_MAX_MEMORY_SIZE <= s.REQUEST_MAX_BYTES
    assert s.FILE_UPLOAD_MAX_MEMORY_SIZE <= s.ATTACHMENT_MAX_BYTES


def test_it_defaults_to_five_attachments_and_a_megabyte():
    assert project_settings.REQUEST_MAX_BYTES == (5 * project_settings.ATTACHMENT_MAX_BYTES // MB + 1) * MB


@pytest.mark.parametrize("value", ["banyak", "5"])
def test_it_refuses_a_malformed_or_too_small_request_limit_at_start_up(value):
    result = run_manage("check", REQUEST_MAX_MB=value, ATTACHMENT_MAX_MB="10")
    assert result.returncode != 0
    assert "REQUEST_MAX_MB" in result.stderr
    assert "Traceback" not in result.stderr
