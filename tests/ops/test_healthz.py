"""/healthz: 200 when the database, the storage and the migrations are fine, 503 naming what is not."""

import pytest
from django.core.files.base import ContentFile
from django.db import OperationalError
from django.db.migrations.recorder import MigrationRecorder

from sakip.ops import views
from tests.conftest import make_user

HEALTHY = "database: ok\nstorage: ok\nmigrations: ok\n"


@pytest.mark.django_db
def test_it_answers_ok_without_a_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content.decode() == HEALTHY
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_it_costs_one_query_and_sets_no_cookie(client, django_assert_num_queries):
    client.get("/healthz")  # the migration files are read once per process, not per request
    with django_assert_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert not response.cookies  # no session saved, no CSRF cookie set


@pytest.mark.django_db
def test_it_answers_a_logged_in_person_too(client):
    # Django's LoginRequiredMiddleware reads the session of whoever sends one (two queries more);
    # the monitoring and the benchmark send none.
    client.force_login(make_user("sekretaris"))
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content.decode() == HEALTHY


@pytest.mark.django_db
def test_it_answers_plain_http_where_every_other_page_redirects_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/akun/masuk/").status_code == 301
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_it_answers_head_and_rejects_post(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_it_leaves_no_probe_file_behind(client, settings):
    client.get("/healthz")
    client.get("/healthz")
    assert list((settings.MEDIA_ROOT / views.PROBE_FOLDER).iterdir()) == []


@pytest.mark.django_db
def test_it_fails_with_a_migration_not_applied_to_the_database(client):
    MigrationRecorder.Migration.objects.filter(app="workflow").order_by("-id")[:1].get().delete()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content.decode() == "database: ok\nstorage: ok\nmigrations: failed\n"


@pytest.mark.django_db
def test_it_fails_with_a_migration_in_the_code_the_database_lacks(client, monkeypatch):
    in_code = views.migrations_in_code() | {("ops", "0001_not_applied_yet")}
    monkeypatch.setattr(views, "migrations_in_code", lambda: in_code)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "migrations: failed\n" in response.content.decode()


@pytest.mark.django_db
def test_it_fails_when_the_storage_cannot_be_written(client, settings, tmp_path):
    # A file where the media folder should be: even root cannot create a folder inside it.
    settings.MEDIA_ROOT = tmp_path / "not-a-folder"
    settings.MEDIA_ROOT.write_text("x")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content.decode() == "database: ok\nstorage: failed\nmigrations: ok\n"


@pytest.mark.django_db
def test_it_fails_when_the_storage_gives_back_other_bytes(client, monkeypatch):
    monkeypatch.setattr(views.default_storage, "open", lambda name, mode="rb": ContentFile(b"something else"))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content.decode() == "database: ok\nstorage: failed\nmigrations: ok\n"


@pytest.mark.django_db
def test_it_fails_when_the_database_does_not_answer(client):
    from django.db import connection

    def refuse(execute, sql, params, many, context):
        raise OperationalError("connection refused")

    with connection.execute_wrapper(refuse):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content.decode() == "database: failed\nstorage: ok\nmigrations: not checked\n"
