"""Helpers for the tests that run the real gunicorn in production mode and talk to it over HTTP."""

import contextlib
import html
import http.cookiejar
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import dj_database_url
import psycopg
import pytest
from django.conf import settings

# What the project's test run sets for itself and a production process must not inherit.
_NOT_INHERITED = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG", "SECRET_KEY", "DATABASE_URL"}
_STARTUP_SECONDS = 60
_REQUEST_SECONDS = 30
_SET_UP_SECONDS = 300
_static_root: Path | None = None


def production_env(tmp: Path, database_url: str, **extra: str) -> dict[str, str]:
    """The variables of a production instance on plain HTTP at loopback, as `make serve` sets them."""
    inherited = {
        key: value
        for key, value in os.environ.items()
        if key not in _NOT_INHERITED and not key.startswith(("GUNICORN_", "CACHE_", "MEDIA_", "STATIC_"))
    }
    return {
        **inherited,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(tmp / "media"),
        **extra,
    }


def _manage(env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(process: subprocess.Popen, what: str) -> str:
    try:
        stdout, stderr = process.communicate(timeout=_SET_UP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
        pytest.fail(f"manage.py {what} took more than {_SET_UP_SECONDS} s:\n{stdout}\n{stderr}")
    assert process.returncode == 0, f"manage.py {what} failed:\n{stdout}\n{stderr}"
    return stdout


def prepare_instance(tmp_path_factory, env: dict[str, str], script: str) -> tuple[dict[str, str], str]:
    """Runs ``script`` in `manage.py shell` (migrations, data) and gives the environment its STATIC_ROOT.

    collectstatic compresses every file and is the slowest part: it runs once per test run, at the same
    time as the script.
    """
    global _static_root
    collecting = None
    if _static_root is None:
        root = tmp_path_factory.mktemp("staticfiles")
        collecting = _manage({**env, "STATIC_ROOT": str(root)}, "collectstatic", "--noinput", "-v0")
    output = _finish(_manage(env, "shell", "-c", script), "shell")
    if collecting is not None:
        _finish(collecting, "collectstatic")
        _static_root = root
    return {**env, "STATIC_ROOT": str(_static_root)}, output


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _log_tail(path: Path) -> str:
    return path.read_text(errors="replace")[-4000:] if path.exists() else "(no log)"


@contextlib.contextmanager
def running_gunicorn(env: dict[str, str], log_path: Path, *, workers: int = 2) -> Iterator[str]:
    """gunicorn with deploy/gunicorn.conf.py on a free loopback port; yields its address once /healthz
    answers 200, and always stops it and its workers."""
    port = free_port()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"],
            cwd=settings.BASE_DIR,
            env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": str(workers)},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the workers can be ended with it
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + _STARTUP_SECONDS
            while True:
                if process.poll() is not None:
                    pytest.fail(f"gunicorn exited with {process.returncode}:\n{_log_tail(log_path)}")
                if time.monotonic() > deadline:
                    pytest.fail(f"gunicorn did not answer /healthz within {_STARTUP_SECONDS} s:\n{_log_tail(log_path)}")
                try:
                    with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:  # noqa: S310
                        if response.status == 200:
                            break
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    time.sleep(0.2)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # a worker left behind by a killed master


class _KeepRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the test looks at each 302 itself


class Browser:
    """One person's browser against one server: its own cookies, redirects not followed."""

    def __init__(self, base: str, jar: http.cookiejar.CookieJar | None = None):
        self.base = base
        self.jar = jar if jar is not None else http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _KeepRedirects())

    def request(self, method: str, path: str, data: dict | None = None) -> tuple[int, dict, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(f"{self.base}{path}", data=body, method=method)  # noqa: S310
        try:
            with self._opener.open(request, timeout=_REQUEST_SECONDS) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, dict(error.headers), error.read().decode(errors="replace")

    def get(self, path: str) -> tuple[int, dict, str]:
        return self.request("GET", path)

    def post(self, path: str, data: dict) -> tuple[int, dict, str]:
        """A form post with the CSRF token the browser holds, as the page's form would send it."""
        return self.request("POST", path, {"csrfmiddlewaretoken": self.cookie("csrftoken"), **data})

    def cookie(self, name: str) -> str:
        return next(cookie.value for cookie in self.jar if cookie.name == name)

    def log_in(self, username: str, password: str) -> None:
        status, _, page = self.get("/akun/masuk/")
        assert status == 200, page
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, headers, page = self.request(
            "POST", "/akun/masuk/", {"csrfmiddlewaretoken": token, "username": username, "password": password}
        )
        assert (status, headers.get("Location")) == (302, "/"), f"login as {username}: {status}\n{page[:2000]}"


def page_text(page: str) -> str:
    return html.unescape(page)


@contextlib.contextmanager
def postgresql_database(name: str) -> Iterator[str]:
    """A new, empty PostgreSQL database on the server of DATABASE_URL when that is PostgreSQL, else on
    127.0.0.1:5432 as postgres (CI's server); yields its URL and drops it afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    server = dj_database_url.parse(url) if url.startswith(("postgres", "postgresql")) else {}
    params = {
        "host": server.get("HOST") or "127.0.0.1",
        "port": int(server.get("PORT") or 5432),
        "user": server.get("USER") or "postgres",
        "password": server.get("PASSWORD") or None,
    }
    try:
        admin = psycopg.connect(dbname="postgres", autocommit=True, connect_timeout=5, **params)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL is not reachable at {params['host']}:{params['port']}: {exc}".splitlines()[0])
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            credentials = params["user"] + (f":{urllib.parse.quote(params['password'])}" if params["password"] else "")
            yield f"postgres://{credentials}@{params['host']}:{params['port']}/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def is_postgresql_run() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql"))
