"""gunicorn settings for sakip, tuned by environment variables (README, "Deployment").

gunicorn -c deploy/gunicorn.conf.py          # serves sakip.wsgi
"""

import os


def _int(name: str, default: int, *, minimum: int) -> int:
    # The same loud failure as sakip/lib/env.py: this file runs before Django is importable.
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"Environment variable {name}: expected a whole number, got {raw!r}.") from None
    if value < minimum:
        raise SystemExit(f"Environment variable {name}: must be at least {minimum}, got {value}.")
    return value


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise SystemExit(f"Environment variable {name}: expected true or false, got {raw!r}.")


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this process may use, not all the machine has
    except AttributeError:
        return os.cpu_count() or 1


wsgi_app = "sakip.wsgi:application"

# Behind the reverse proxy on the same machine; a comma-separated list, `unix:/path` for a socket.
bind = [item.strip() for item in os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",") if item.strip()]

# Sync workers: every request is database work or a PDF render, CPU-bound and short, and nginx buffers
# slow clients and uploads, so a worker is never held by a slow connection. gunicorn's advice of
# 2 × CPUs + 1, capped: each worker holds about 120 MiB and, on PostgreSQL, one connection.
worker_class = "sync"
workers = _int("GUNICORN_WORKERS", min(2 * _cpus() + 1, 9), minimum=1)

# The slowest honest request renders the PDF of a large measurement (1.4 s for 200 indicators on a
# 2-core machine); a minute leaves room for a slow office server and still frees a stuck worker.
timeout = _int("GUNICORN_TIMEOUT", 60, minimum=1)
graceful_timeout = 30

# PDF rendering leaves memory behind in the worker; a worker that has served this many requests is
# replaced (0: never). The jitter keeps the workers from being replaced all at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000, minimum=0)
max_requests_jitter = max_requests // 10

# Load Django once in the master: workers share its memory, and a broken setting stops the start
# instead of every worker failing in a loop. Code changes therefore need a restart, not a HUP.
preload_app = _bool("GUNICORN_PRELOAD", True)

# The heartbeat file on a RAM disk: on a disk-backed /tmp its fchmod can stall a worker.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

# To standard output, which systemd's journal collects; GUNICORN_ACCESS_LOG= (empty) turns it off.
# The client's address as the proxy saw it, the request, status, size and the time taken in ms.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
access_log_format = '%({x-forwarded-for}i)s %(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# gunicorn's control socket defaults to one path per user account: a second instance on the same
# account would take it over. Off unless a path is given.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "gunicorn.ctl")
control_socket_disable = not os.environ.get("GUNICORN_CONTROL_SOCKET")


def when_ready(server):
    """With the app preloaded, import every view in the master too (weasyprint is the largest): a new
    worker, including one replaced after max_requests, answers its first request without importing."""
    if not server.cfg.preload_app:
        return
    from django.db import connections
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  (the property imports every urls module and its views)
    from sakip.ops.views import migrations_in_code

    migrations_in_code()  # /healthz reads the migration files once: here, for every worker at once
    # Nothing should have connected, but a connection opened here would be shared by every fork.
    connections.close_all()
