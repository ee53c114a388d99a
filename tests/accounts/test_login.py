"""Logging in and out, the login requirement, and the lock after repeated failures."""

import pytest
from axes.models import AccessAttempt
from django.test import override_settings

from tests.conftest import PASSWORD, make_user

LOGIN = "/akun/masuk/"


@pytest.fixture
def person(db):
    return make_user("sekretaris", "Sekretaris", first_name="Siti", last_name="Aminah")


def post_login(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR="10.0.0.7")


@pytest.mark.django_db
def test_it_shows_the_login_page_in_indonesian(client):
    r = client.get(LOGIN)
    assert r.status_code == 200
    assert "Masuk" in r.text
    assert 'lang="id"' in r.text


def test_it_logs_in_and_lands_on_the_home_page(client, person):
    r = post_login(client, "sekretaris", PASSWORD)
    assert r.status_code == 302
    assert r.headers["Location"] == "/"
    r = client.get("/", follow=True)
    assert "Siti Aminah" in r.text


def test_it_rejects_a_wrong_password_with_a_message(client, person):
    r = post_login(client, "sekretaris", "wrong-password")
    assert r.status_code == 200
    assert "benar" in r.text  # "Masukkan nama pengguna dan sandi yang benar ..."
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/sop/", "/sop/pengukuran-kinerja/"])
def test_it_requires_login_everywhere_but_the_login_page(client, url):
    r = client.get(url)
    assert r.status_code == 302
    assert r.headers["Location"].startswith(LOGIN)


def test_it_logs_out_by_post_only(client, person):
    client.force_login(person)
    assert client.get("/akun/keluar/").status_code == 405
    r = client.post("/akun/keluar/")
    assert r.status_code == 302
    assert "_auth_user_id" not in client.session


@override_settings(AXES_FAILURE_LIMIT=3)
def test_it_locks_the_account_after_repeated_failures_even_for_the_right_password(client, person):
    for _ in range(3):
        post_login(client, "sekretaris", "wrong-password")
    r = post_login(client, "sekretaris", PASSWORD)
    assert r.status_code == 429
    assert "dikunci" in r.text
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.filter(username="sekretaris").exists()


@override_settings(AXES_FAILURE_LIMIT=3)
def test_it_does_not_lock_another_account_from_the_same_address(client, person):
    make_user("kasubbag")
    for _ in range(3):
        post_login(client, "sekretaris", "wrong-password")
    r = post_login(client, "kasubbag", PASSWORD)
    assert r.status_code == 302


@override_settings(DEBUG=False)
def test_it_refuses_the_demo_password_when_debug_is_off(client, db, demo_password):
    user = make_user("demo")
    user.set_password(demo_password)
    user.save()
    r = post_login(client, "demo", demo_password)
    assert r.status_code == 200
    assert "hanya berlaku" in r.text
    assert "_auth_user_id" not in client.session


@override_settings(DEBUG=True)
def test_it_accepts_the_demo_password_in_debug(client, db, demo_password):
    user = make_user("demo")
    user.set_password(demo_password)
    user.save()
    assert post_login(client, "demo", demo_password).status_code == 302


@pytest.mark.django_db
def test_it_keeps_non_staff_out_of_the_admin(client, person):
    client.force_login(person)
    r = client.get("/admin/")
    assert r.status_code == 302
    assert "/admin/login/" in r.headers["Location"]
