"""/healthz: whether this instance can serve, for the reverse proxy, the monitoring and the benchmark."""

import functools
import logging
import uuid

from django.contrib.auth.decorators import login_not_required
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

PROBE_FOLDER = "healthz"
PROBE_CONTENT = b"sakip healthz\n"


@functools.cache
def migrations_in_code() -> frozenset[tuple[str, str]]:
    """Every migration of the code this process runs, as (app, name).

    Read from disk once per process: building the migration graph takes milliseconds, several times
    the rest of the check, and the code a process runs does not change until it is restarted.
    Without a connection the loader keeps a squashed migration in place of those it replaces;
    `migrate` records both, so a database that is up to date holds every name of this set.
    """
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


def _database_and_migrations() -> tuple[str, str]:
    """One query: the migrations the database has applied. That it answers is the database check."""
    try:
        applied = set(MigrationRecorder(connection).migration_qs.values_list("app", "name"))
    except DatabaseError:
        logger.exception("healthz: reading the applied migrations failed")
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError:
            return "failed", "not checked"
        return "ok", "failed"  # the database answers but has no migration table: never migrated
    pending = migrations_in_code() - applied
    if pending:
        logger.error("healthz: %d migrations not applied: %s", len(pending), sorted(pending))
        return "ok", "failed"
    return "ok", "ok"


def _storage() -> str:
    """Write, read back and delete a tiny file where attachments and signed PDFs go."""
    name = None
    try:
        name = default_storage.save(f"{PROBE_FOLDER}/{uuid.uuid4().hex}.txt", ContentFile(PROBE_CONTENT))
        with default_storage.open(name, "rb") as handle:
            if handle.read() != PROBE_CONTENT:
                logger.error("healthz: the storage gave back other bytes than were written to %s", name)
                return "failed"
    except Exception:  # any backend's error: a full disk, a missing mount, a refused permission
        logger.exception("healthz: the storage failed")
        return "failed"
    finally:
        if name is not None:
            try:
                default_storage.delete(name)
            except Exception:
                logger.exception("healthz: deleting the probe %s failed", name)
    return "ok"


@login_not_required
@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when every check passes, else 503; one line per check.

    Read by machines (monitoring, the proxy, `curl`), so the words are fixed and not translated.
    No session, no template and one query: it is the baseline the benchmark compares pages with.
    """
    database, migrations = _database_and_migrations()
    checks = {"database": database, "storage": _storage(), "migrations": migrations}
    healthy = all(result == "ok" for result in checks.values())
    body = "".join(f"{check}: {result}\n" for check, result in checks.items())
    return HttpResponse(body, status=200 if healthy else 503, content_type="text/plain; charset=utf-8")
