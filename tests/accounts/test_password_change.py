"""A person changes their own password; an administrator gives a temporary one, which must be changed at the next
login before anything else; wrong current passwords count towards the login's lock."""

import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.test import Client, override_settings

from sakip.accounts.middleware import SESSION_KEY
from sakip.accounts.models import Profile
from tests.conftest import PASSWORD, make_user

CHANGE = "/akun/kata-sandi/"
NEW = "Lamongan-kerja-2027"
TEMPORARY = "Sementara-0815-x"


@pytest.fixture
def person(db):
    return make_user("anggota", "Angg. Tim SAKIP", first_name="Agus", last_name="Prasetyo")


def change(client, old, new=NEW, again=None, **extra):
    data = {"old_password": old, "new_password1": new, "new_password2": again or new}
    return client.post(CHANGE, data, REMOTE_ADDR="10.0.0.9", **extra)


def log_in(client, username, password):
    return client.post("/akun/masuk/", {"username": username, "password": password}, REMOTE_ADDR="10.0.0.9")


# Changing one's own password.


def test_it_shows_the_form_in_the_projects_page(client, person):
    client.force_login(person)
    r = client.get(CHANGE)
    assert r.status_code == 200
    assert 'name="old_password"' in r.text and 'name="new_password1"' in r.text
    assert '<nav class="navbar' in r.text  # the project's page, not the admin's
    assert 'href="/akun/kata-sandi/"' in client.get("/akun/").text  # linked from the profile
    assert 'href="/akun/"' in client.get("/").text  # the profile, from the navigation bar


def test_it_changes_the_password_and_keeps_the_person_logged_in(client, person):
    client.force_login(person)
    r = change(client, PASSWORD)
    assert r.status_code == 302 and r.url == "/akun/"
    person.refresh_from_db()
    assert person.check_password(NEW)
    assert client.get("/").status_code == 200  # the session lives on
    client.logout()
    assert log_in(client, "anggota", NEW).status_code == 302


def test_it_refuses_a_wrong_current_password_at_the_field(client, person):
    client.force_login(person)
    r = change(client, "not-my-password")
    assert r.status_code == 200
    assert "is-invalid" in r.text
    person.refresh_from_db()
    assert person.check_password(PASSWORD)


def test_it_refuses_the_same_password_again(client, person):
    client.force_login(person)
    r = change(client, PASSWORD, new=PASSWORD)
    assert r.status_code == 200
    assert 'id="error_1_id_new_password1"' in r.text or "new_password1" in r.context["form"].errors
    assert "new_password1" in r.context["form"].errors


def test_it_refuses_a_weak_or_mistyped_new_password(client, person):
    client.force_login(person)
    assert "new_password2" in change(client, PASSWORD, new="123").context["form"].errors
    assert "new_password2" in change(client, PASSWORD, again="Lamongan-kerja-2028").context["form"].errors


@override_settings(AXES_FAILURE_LIMIT=3)
def test_wrong_current_passwords_count_towards_the_lock(client, person):
    client.force_login(person)
    for _ in range(2):
        change(client, "guess")
    assert AccessAttempt.objects.filter(username="anggota").exists()
    r = change(client, "guess")
    assert r.status_code == 429  # the third: locked, like the login
    # While locked, even the right current password is refused, and so is the login.
    r = change(client, PASSWORD)
    assert r.status_code == 429
    person.refresh_from_db()
    assert person.check_password(PASSWORD)
    client.logout()
    assert log_in(client, "anggota", PASSWORD).status_code == 429


# A temporary password from the administrator.


@pytest.fixture
def admin_client(admin_user):
    """The administrator, in a browser of their own."""
    admin = Client()
    admin.force_login(admin_user)
    return admin


def set_password(client, person, password=TEMPORARY, temporary=True):
    data = {"password1": password, "password2": password, "usable_password": "true", "set-password": "1"}
    if temporary:
        data["temporary"] = "on"
    return client.post(f"/admin/auth/user/{person.pk}/password/", data)


def test_the_admins_password_page_offers_a_temporary_password(admin_client, person):
    r = admin_client.get(f"/admin/auth/user/{person.pk}/password/")
    assert r.status_code == 200
    [checkbox] = re.findall(r'<input[^>]*name="temporary"[^>]*>', r.text)
    assert "checked" in checkbox  # temporary unless the administrator says otherwise


def test_a_temporary_password_must_be_changed_at_the_next_login(client, admin_client, person):
    r = set_password(admin_client, person)
    assert r.status_code == 302
    assert Profile.objects.get(user=person).must_change_password
    client.logout()
    assert log_in(client, "anggota", TEMPORARY).status_code == 302
    assert client.session[SESSION_KEY] is True
    # Every page leads to the password change, GET or POST.
    for url in ["/", "/dokumen/", "/akun/", "/sop/"]:
        r = client.get(url)
        assert (r.status_code, r.url) == (302, CHANGE), url
    assert client.post("/dokumen/notifikasi/").url == CHANGE
    r = client.get(CHANGE)
    assert r.status_code == 200
    assert 'id="password-change-required"' in r.text
    # Choosing one's own password ends it.
    r = change(client, TEMPORARY)
    assert r.status_code == 302 and r.url == "/akun/"
    assert not Profile.objects.get(user=person).must_change_password
    assert SESSION_KEY not in client.session
    assert client.get("/").status_code == 200
    # And it stays ended at the next login.
    client.logout()
    log_in(client, "anggota", NEW)
    assert client.get("/").status_code == 200


def test_one_may_still_log_out_and_use_the_public_pages(client, admin_client, person):
    set_password(admin_client, person)
    client.logout()
    log_in(client, "anggota", TEMPORARY)
    assert client.get("/healthz").status_code == 200
    assert client.get("/verifikasi/").status_code == 200
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302
    r = client.post("/akun/keluar/")
    assert r.status_code == 302 and "_auth_user_id" not in client.session


def test_a_password_that_is_not_temporary_asks_nothing(client, admin_client, person):
    Profile.objects.create(user=person, must_change_password=True)
    set_password(admin_client, person, temporary=False)
    assert not Profile.objects.get(user=person).must_change_password
    client.logout()
    log_in(client, "anggota", TEMPORARY)
    assert client.get("/").status_code == 200


@override_settings(AXES_FAILURE_LIMIT=3)
def test_a_new_password_from_the_admin_lifts_the_lock(client, admin_client, person):
    for _ in range(3):
        log_in(client, "anggota", "wrong")
    assert log_in(client, "anggota", PASSWORD).status_code == 429
    set_password(admin_client, person)
    client.logout()
    assert log_in(client, "anggota", TEMPORARY).status_code == 302


def test_the_admin_can_require_a_new_password_of_several_people(admin_client, person):
    other = make_user("kasubbag")
    Profile.objects.create(user=other, nip="198203172006041011")
    r = admin_client.post(
        "/admin/auth/user/",
        {"action": "require_password_change", "_selected_action": [person.pk, other.pk]},
    )
    assert r.status_code == 302
    assert set(Profile.objects.filter(must_change_password=True).values_list("user__username", flat=True)) == {
        "anggota",
        "kasubbag",
    }
    assert Profile.objects.get(user=other).nip == "198203172006041011"  # the rest of the profile is kept


def test_the_flag_is_read_at_login_not_on_every_page(client, person):
    Profile.objects.create(user=person, must_change_password=True)
    client.force_login(person)
    assert client.session[SESSION_KEY] is True
    Profile.objects.filter(user=person).update(must_change_password=False)
    # The session remembers it until the password is changed (changing it ends every other session anyway).
    assert client.get("/").url == CHANGE
    assert User.objects.get(pk=person.pk).profile.must_change_password is False
