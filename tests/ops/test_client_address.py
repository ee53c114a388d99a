"""Behind the reverse proxy every request arrives from the proxy's address: the login lock must count
the address the proxy saw (FORWARDED_ALLOW_IPS), or five wrong passwords from anywhere lock the account
for everyone."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import override_settings

from tests.conftest import PASSWORD, make_user

PROXY = "127.0.0.1"
ATTACKER, COLLEAGUE = "203.0.113.7", "198.51.100.9"


def post_login(client, password, *, remote, forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        # nginx's $proxy_add_x_forwarded_for: what the client sent, then the address nginx saw.
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post("/akun/masuk/", {"username": "sekretaris", "password": password}, **headers)


@pytest.fixture
def person(db):
    return make_user("sekretaris")


@override_settings(AXES_FAILURE_LIMIT=3)
def test_it_does_not_lock_a_colleague_behind_the_same_proxy(client, person):
    for _ in range(3):
        post_login(client, "wrong-password", remote=PROXY, forwarded=ATTACKER)
    assert post_login(client, PASSWORD, remote=PROXY, forwarded=COLLEAGUE).status_code == 302


@override_settings(AXES_FAILURE_LIMIT=3)
def test_it_locks_the_address_the_proxy_saw(client, person):
    for _ in range(3):
        post_login(client, "wrong-password", remote=PROXY, forwarded=ATTACKER)
    # A made-up first entry does not help: the proxy's own entry, the last, counts.
    assert post_login(client, PASSWORD, remote=PROXY, forwarded=f"192.0.2.55, {ATTACKER}").status_code == 429


@override_settings(AXES_FAILURE_LIMIT=3)
def test_it_ignores_the_header_from_anyone_but_the_proxy(client, person):
    for index in range(3):
        post_login(client, "wrong-password", remote=ATTACKER, forwarded=f"192.0.2.{index}")
    assert post_login(client, PASSWORD, remote=ATTACKER, forwarded=COLLEAGUE).status_code == 429
    assert post_login(client, PASSWORD, remote=COLLEAGUE).status_code == 302


def test_it_stops_start_up_on_a_malformed_proxy_address():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env={**env, "FORWARDED_ALLOW_IPS": "127.0.0.1,nginx.local"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "FORWARDED_ALLOW_IPS" in result.stderr
    assert "Traceback" not in result.stderr
