"""The real gunicorn in production mode (DEBUG off): health, login, a page, logout, over HTTP.

On its own SQLite file, or, in the PostgreSQL run, on its own PostgreSQL database.
"""

import contextlib
import os
import re

from tests.ops.serving import (
    Browser,
    is_postgresql_run,
    page_text,
    postgresql_database,
    prepare_instance,
    production_env,
    running_gunicorn,
)

PASSWORD = "a-real-password-not-the-demo-one"

SET_UP = f"""
from django.contrib.auth.models import User
from django.core.management import call_command

call_command("migrate", interactive=False, verbosity=0)
call_command("createcachetable", verbosity=0)
call_command("load_default_sop", verbosity=0)
call_command("seed_demo", verbosity=0)
# The demo password is refused when DEBUG is off: the Sekretaris gets a real one.
person = User.objects.get(username="sekretaris")
person.set_password({PASSWORD!r})
person.save()
"""


def test_it_serves_health_login_a_page_and_logout_through_gunicorn(tmp_path, tmp_path_factory):
    database = (
        postgresql_database(f"sakip_gunicorn_smoke_{os.getpid()}")
        if is_postgresql_run()
        else contextlib.nullcontext(f"sqlite:///{tmp_path / 'sakip.sqlite3'}")
    )
    with database as database_url:
        # The database cache, as a deployment with several processes uses it.
        env = production_env(tmp_path, database_url, CACHE_URL="db://sakip_cache")
        env, _ = prepare_instance(tmp_path_factory, env, SET_UP)

        with running_gunicorn(env, tmp_path / "gunicorn.log") as base:
            browser = Browser(base)
            status, _, body = browser.get("/healthz")
            assert (status, body) == (200, "database: ok\nstorage: ok\nmigrations: ok\n")

            status, _, page = browser.get("/akun/masuk/")
            assert status == 200
            stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page).group(1)
            status, headers, _ = browser.get(stylesheet)
            assert status == 200, f"{stylesheet} is not served (collectstatic, whitenoise)"
            assert headers["Content-Type"].startswith("text/css")

            # The published demo password does not open a production server.
            status, _, page = browser.request(
                "POST",
                "/akun/masuk/",
                {
                    "csrfmiddlewaretoken": browser.cookie("csrftoken"),
                    "username": "sekretaris",
                    "password": "sakip-demo-2026",
                },
            )
            assert status == 200  # the form again, with its error
            assert browser.get("/")[0] == 302

            browser.log_in("sekretaris", PASSWORD)
            status, _, page = browser.get("/")
            assert status == 200
            assert "Tugas saya" in page_text(page)
            assert "Mulai: Pengukuran Kinerja" in page_text(page)  # the Sekretaris may start a document

            status, headers, _ = browser.post("/akun/keluar/", {})
            assert (status, headers["Location"]) == (302, "/akun/masuk/")
            status, headers, _ = browser.get("/")
            assert status == 302
            assert headers["Location"].startswith("/akun/masuk/")

            assert browser.get("/healthz")[:3:2] == (200, "database: ok\nstorage: ok\nmigrations: ok\n")
