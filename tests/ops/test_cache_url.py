"""CACHE_URL: Django's own cache backends, chosen by one variable; a malformed value stops start-up."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from sakip.settings import cache_from_url


def test_it_keeps_the_cache_in_each_process_by_default():
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


@pytest.mark.parametrize(
    ("url", "backend", "location"),
    [
        ("locmem://", "locmem.LocMemCache", ""),
        ("db://sakip_cache", "db.DatabaseCache", "sakip_cache"),
        ("file:///var/cache/sakip", "filebased.FileBasedCache", "/var/cache/sakip"),
    ],
)
def test_it_reads_each_backend(url, backend, location):
    assert cache_from_url(url) == {"BACKEND": f"django.core.cache.backends.{backend}", "LOCATION": location}


@pytest.mark.parametrize(
    "url",
    ["redis://127.0.0.1:6379/0", "db://", "db://cache; DROP TABLE x", "file://relative/path", "file:///", "locmem"],
)
def test_it_refuses_anything_else_naming_the_variable(url):
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL"):
        cache_from_url(url)


def test_it_stops_start_up_on_a_malformed_value():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env={**env, "CACHE_URL": "memcached://127.0.0.1:11211"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "CACHE_URL" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.django_db
def test_it_keeps_a_database_cache_in_its_table_where_every_process_finds_it(settings):
    settings.CACHES = {"default": cache_from_url("locmem://"), "shared": cache_from_url("db://sakip_test_cache")}
    call_command("createcachetable", verbosity=0)
    caches["shared"].set("answer", 42)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM sakip_test_cache")
        assert cursor.fetchone()[0] == 1
    assert caches["shared"].get("answer") == 42
