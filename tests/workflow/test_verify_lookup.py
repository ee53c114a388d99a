"""/verifikasi/: the code printed on a signed PDF, typed by hand, finds its verification page; lookups are limited."""

import re

import pytest
from django.conf import settings

from sakip.workflow import verification
from sakip.workflow.models import Signature
from sakip.workflow.verification import code_of_token, normalise_code, signature_for_code
from tests.conftest import advance, make_people, start_document

LOOKUP = "/verifikasi/"
UNKNOWN = "ABCD-EFGH-IJKL"
PROXY = "127.0.0.1"


@pytest.fixture
def signature(default_sop) -> Signature:
    people = make_people(default_sop)
    doc = start_document(sop=default_sop, title="Pengukuran Kinerja Tahun 2026", year=2026, by=people["Sekretaris"])
    advance(doc, people, 7)
    return Signature.objects.get(document=doc)


def field_error(response) -> str:
    found = re.search(r'id="error_1_id_code"[^>]*>\s*<strong>(.*?)</strong>', response.text, re.S)
    return found.group(1) if found else ""


# --- reading what was typed ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "ABCD-EFGH-IJKL",
        "abcd-efgh-ijkl",
        "ABCDEFGHIJKL",
        " abcd efgh ijkl ",
        "ABCD – EFGH – IJKL",
        "https://sakip.lamongankab.go.id/verifikasi/ABCD-EFGH-IJKL",
    ],
)
def test_it_reads_the_code_however_it_was_typed(typed):
    assert normalise_code(typed) == "ABCD-EFGH-IJKL"


def test_it_reads_the_digits_that_look_like_letters_as_those_letters():
    # Base32 has no 0, 1 or 8: typed for O, I and B they can mean nothing else.
    assert normalise_code("0BCD-EFGH-1JK8") == "OBCD-EFGH-IJKB"
    assert normalise_code("2345-6723-4567") == "2345-6723-4567"


@pytest.mark.parametrize("typed", ["", "ABCD-EFGH", "ABCD-EFGH-IJKL-M", "ABCD-EFGH-IJK9", "ABCD-EFGH-IJK?"])
def test_it_refuses_what_cannot_be_a_code(typed):
    assert normalise_code(typed) is None


def test_it_computes_the_code_as_the_signature_prints_it():
    token = "Zq3-made-up-token_for-the-test"
    assert code_of_token(token) == Signature(token=token).short_code


# --- the page ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_shows_the_form_to_anyone(client):
    r = client.get(LOOKUP)
    assert r.status_code == 200
    assert 'name="code"' in r.text
    assert r.headers["X-Robots-Tag"] == "noindex"


@pytest.mark.django_db
def test_it_opens_the_verification_page_of_the_typed_code(client, signature):
    typed = signature.short_code.lower().replace("-", " ")
    r = client.post(LOOKUP, {"code": typed})
    assert r.status_code == 302
    assert r.headers["Location"] == f"/verifikasi/{signature.token}/"
    page = client.get(r.headers["Location"])
    assert page.status_code == 200
    assert signature.document.title in page.text


@pytest.mark.django_db
def test_it_finds_the_code_in_the_address_too(client, signature):
    r = client.get(LOOKUP, {"kode": signature.short_code.replace("-", "")})
    assert r.headers["Location"] == f"/verifikasi/{signature.token}/"
    # The code written after the address, as a person may copy it from the paper.
    r = client.get(f"/verifikasi/{signature.short_code}/", follow=True)
    assert r.redirect_chain[-1][0] == f"/verifikasi/{signature.token}/"


@pytest.mark.django_db
def test_it_still_opens_the_page_of_a_token(client, signature):
    page = client.get(f"/verifikasi/{signature.token}/")
    assert page.status_code == 200
    assert 'href="/verifikasi/"' in page.text  # and from there, another code
    assert client.get("/verifikasi/not-a-token/").status_code == 404


@pytest.mark.django_db
def test_it_says_at_the_field_that_no_document_has_the_code(client, signature):
    assert signature.short_code != UNKNOWN
    r = client.post(LOOKUP, {"code": UNKNOWN})
    assert r.status_code == 200
    assert field_error(r) == (
        "Tidak ada dokumen bertanda tangan dengan kode ini. Periksa kode pada kertas dan ketik kembali."
    )
    assert 'value="ABCD-EFGH-IJKL"' in r.text


@pytest.mark.django_db
def test_it_says_at_the_field_what_a_code_looks_like(client):
    r = client.post(LOOKUP, {"code": "ABC"})
    assert r.status_code == 200
    assert "ABCD-EFGH-IJKL" in field_error(r)
    r = client.post(LOOKUP, {"code": ""})
    assert r.status_code == 200
    assert field_error(r)


@pytest.mark.django_db
def test_it_looks_up_in_english_too(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    r = client.post(LOOKUP, {"code": UNKNOWN})
    assert field_error(r) == "No signed document has this code. Check the code on the paper and type it again."


@pytest.mark.django_db
def test_it_finds_a_signature_by_its_code(signature):
    assert signature_for_code(signature.short_code) == signature
    assert signature_for_code(UNKNOWN) is None


# --- the limit -----------------------------------------------------------------------------------


@pytest.fixture
def limit(settings):
    settings.VERIFY_LOOKUP_LIMIT = 3
    settings.VERIFY_LOOKUP_WINDOW = 600
    return 3


@pytest.mark.django_db
def test_it_limits_the_lookups_of_one_address(client, limit):
    for _ in range(limit):
        assert client.post(LOOKUP, {"code": UNKNOWN}, REMOTE_ADDR="203.0.113.7").status_code == 200
    r = client.post(LOOKUP, {"code": UNKNOWN}, REMOTE_ADDR="203.0.113.7")
    assert r.status_code == 429
    assert 'id="lookup-limited"' in r.text
    assert field_error(r)
    assert 0 < int(r.headers["Retry-After"]) <= 600
    # Another address is not held back by the first.
    assert client.post(LOOKUP, {"code": UNKNOWN}, REMOTE_ADDR="198.51.100.9").status_code == 200


@pytest.mark.django_db
def test_it_counts_the_address_the_proxy_saw(client, limit):
    for _ in range(limit):
        client.post(LOOKUP, {"code": UNKNOWN}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert (
        client.post(LOOKUP, {"code": UNKNOWN}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    )
    # A colleague behind the same proxy may still look up; a made-up first entry does not help the first.
    assert (
        client.post(LOOKUP, {"code": UNKNOWN}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.9").status_code
        == 200
    )
    assert (
        client.post(
            LOOKUP, {"code": UNKNOWN}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.7"
        ).status_code
        == 429
    )


@pytest.mark.django_db
def test_it_limits_a_found_code_too_and_lets_go_after_the_window(client, limit, signature, monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr(verification, "_now", lambda: now[0])
    for _ in range(limit):
        assert client.post(LOOKUP, {"code": signature.short_code}).status_code == 302
    assert client.post(LOOKUP, {"code": signature.short_code}).status_code == 429
    now[0] += 601
    assert client.post(LOOKUP, {"code": signature.short_code}).status_code == 302


@pytest.mark.django_db
def test_it_does_not_count_what_cannot_be_a_code(client, limit):
    for _ in range(limit + 2):
        assert client.post(LOOKUP, {"code": "salah"}).status_code == 200
    assert client.post(LOOKUP, {"code": UNKNOWN}).status_code == 200


@pytest.mark.django_db
def test_it_refuses_other_methods(client):
    assert client.put(LOOKUP).status_code == 405


# --- the stored code ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_code_is_stored_with_the_signature_and_found_by_it(signature, django_assert_num_queries):
    assert signature.code == signature.short_code == code_of_token(signature.token)
    with django_assert_num_queries(1):
        assert signature_for_code(signature.code) == signature


@pytest.mark.django_db
def test_the_migration_gives_every_earlier_signature_its_code(signature):
    from importlib import import_module
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    from sakip.workflow import records

    migration = import_module("sakip.workflow.migrations.0009_register")
    records.uninstall(connection)
    Signature.objects.update(code=None)  # as a signature made before the column existed
    editor = SimpleNamespace(connection=connection)
    migration.fill_codes(apps, editor)
    migration.install_guards(apps, editor)
    signature.refresh_from_db()
    assert signature.code == code_of_token(signature.token)
    assert signature_for_code(signature.code) == signature
    assert records.missing(connection) == []
