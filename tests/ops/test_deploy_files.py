"""The example files under deploy/ agree with the application they deploy."""

import os
import re
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

DEPLOY = settings.BASE_DIR / "deploy"


def read_env_example() -> dict[str, str]:
    values = {}
    for line in (DEPLOY / "env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value
    return values


def clean_env() -> dict[str, str]:
    return {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"} and not k.startswith("GUNICORN_")
    }


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env={**clean_env(), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_it_passes_the_deploy_check_with_the_example_environment():
    env = {name: value.replace("CHANGE-ME", secrets.token_urlsafe(50)) for name, value in read_env_example().items()}
    result = run("manage.py", "check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_gives_nginx_the_same_body_limit_as_sakip():
    nginx = re.search(r"^\s*client_max_body_size (\d+)m;", (DEPLOY / "nginx.conf").read_text(), re.MULTILINE)
    assert int(nginx.group(1)) == int(read_env_example()["REQUEST_MAX_MB"]) == settings.REQUEST_MAX_BYTES // 2**20


def test_it_runs_the_service_from_where_the_example_environment_puts_the_files():
    unit = (DEPLOY / "sakip.service").read_text()
    env = read_env_example()
    home = re.search(r"^WorkingDirectory=(\S+)$", unit, re.MULTILINE).group(1)
    assert f"ExecStart={home}/.venv/bin/gunicorn -c deploy/gunicorn.conf.py" in unit
    assert env["STATIC_ROOT"].startswith(f"{home}/")
    assert env["MEDIA_ROOT"].startswith("/var/lib/sakip/")  # the unit's StateDirectory, writable
    assert "StateDirectory=sakip" in unit
    assert "EnvironmentFile=/etc/sakip/env" in unit


def test_it_configures_gunicorn_from_the_environment():
    result = run(
        "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "--print-config",
        GUNICORN_WORKERS="3", GUNICORN_BIND="127.0.0.1:8123,unix:/run/sakip.sock", GUNICORN_MAX_REQUESTS="500",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    config = dict(re.findall(r"^(\w+)\s+= (.*)$", result.stdout, re.MULTILINE))
    assert config["workers"] == "3"
    assert config["bind"] == "['127.0.0.1:8123', 'unix:/run/sakip.sock']"
    assert (config["max_requests"], config["max_requests_jitter"]) == ("500", "50")
    assert (config["worker_class"], config["preload_app"], config["timeout"]) == ("sync", "True", "60")
    assert config["control_socket_disable"] == "True"


@pytest.mark.parametrize(("variable", "value"), [("GUNICORN_WORKERS", "two"), ("GUNICORN_TIMEOUT", "0")])
def test_it_stops_gunicorn_on_a_malformed_variable_naming_it(variable, value):
    result = run("-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "--check-config", **{variable: value})
    assert result.returncode != 0
    assert variable in result.stderr
    assert "Traceback" not in result.stderr
