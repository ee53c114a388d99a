"""Start-up configuration: every malformed variable stops start-up naming the variable."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "sakip.lamongankab.go.id",
}


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEBUG", "maybe"),
        ("SESSION_COOKIE_AGE", "eight hours"),
        ("EMAIL_PORT", "smtp"),
        ("AXES_FAILURE_LIMIT", "0"),
        ("TIME_ZONE", "Asia/Lamongan"),
        ("DATABASE_URL", "nosuchdb://somewhere/x"),
        ("SECURE_HSTS_SECONDS", "-1"),
    ],
)
def test_it_refuses_a_malformed_variable_naming_it(variable, value):
    result = run_manage("check", **{variable: value})
    assert result.returncode != 0
    assert variable in result.stderr
    assert "Traceback" not in result.stderr


def test_it_refuses_to_start_without_secret_key_when_debug_is_off():
    result = run_manage("check", DEBUG="false", ALLOWED_HOSTS="x")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_it_passes_the_deploy_check_with_the_documented_production_variables():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_uses_the_jakarta_time_zone_and_indonesian_by_default():
    assert settings.TIME_ZONE == "Asia/Jakarta"
    assert settings.LANGUAGE_CODE == "id"
    assert [code for code, _ in settings.LANGUAGES] == ["id", "en"]


def test_it_expires_sessions_after_a_working_day():
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60


@pytest.mark.django_db
def test_it_speaks_indonesian_even_to_an_english_browser(client):
    r = client.get("/akun/masuk/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="id"' in r.text


@pytest.mark.django_db
def test_it_switches_to_english_when_chosen(client):
    r = client.post("/i18n/setlang/", {"language": "en", "next": "/akun/masuk/"})
    assert r.status_code == 302
    r = client.get("/akun/masuk/")
    assert 'lang="en"' in r.text
    assert "Log in" in r.text
