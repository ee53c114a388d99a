"""Backups of an instance: one dated archive holding a consistent copy of the database, every media file and the
SHA-256 of each; and the restore of such an archive into an empty instance.

The archive is a .tar.gz that ordinary tools open: the database (``database/sakip.sqlite3``, or
``database/sakip.pgdump`` in pg_dump's custom format), ``media/<name>`` for every file of the media storage,
``manifest.json`` (format, version, migration state, counts, every file's size and SHA-256) and ``SHA256SUMS``
(the same hashes for ``sha256sum -c``, so an archive can be checked without sakip).

Consistency. The database is copied first, as of one moment:
- SQLite: with SQLite's online backup API in one step, inside one read transaction. Other connections go on
  writing; in the default rollback-journal mode a commit waits for the copy (milliseconds per megabyte), in
  WAL mode not at all. A copy of the file itself would miss what sits in the -wal file, or catch a commit
  half-written.
- PostgreSQL: ``pg_dump --format=custom`` in a snapshot that sakip exports from its own repeatable-read
  transaction, so that the migration state, the counts and the file names in the manifest are read from
  exactly the data that is dumped.
The media files are listed and read after that. Attachments and signed PDFs are written to storage before the
row that names them commits (sakip.workflow.services), and they are never changed or deleted afterwards, so
every file the copied database names is already in storage when it is listed. Files that appear later are
taken too and do no harm; a file the copy names but storage lacks is reported, because that instance has
already lost it.

Media go through Django's storage API (``storages["default"]``), not the folder under MEDIA_ROOT: sakip writes
its files only through that API, so a backup reads exactly what the application sees, and keeps working when
the storage becomes shared (a network folder, an object store) for a second server. With the shipped
FileSystemStorage it is the same set of files as the folder under MEDIA_ROOT.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import posixpath
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import tomllib
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

import django
from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import DatabaseError, connections, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from sakip.workflow import records
from sakip.workflow.models import Attachment, Document, HistoryEntry, Signature

FORMAT = 1
ARCHIVE_PREFIX = "sakip-backup-"
ARCHIVE_SUFFIX = ".tar.gz"
ARCHIVE_PATTERN = re.compile(r"^sakip-backup-\d{8}-\d{6}\.tar\.gz$")
MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"
# The database's name in the archive, by vendor.
DATABASE_MEMBERS = {"sqlite": "database/sakip.sqlite3", "postgresql": "database/sakip.pgdump"}
MEDIA_DIR = "media"
VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}

# gzip's own default level: 9 costs much more time for a few per cent on PDFs and database pages.
COMPRESS_LEVEL = 6
# A media file is copied into memory up to this size before it goes into the archive, a larger one into a
# temporary file: the archive entry needs its exact size before its bytes, and a file may change under us.
SPOOL_BYTES = 16 * 1024 * 1024
CHUNK = 1024 * 1024
# How long a connection of ours waits for another one's write lock (as the application's own connections).
SQLITE_TIMEOUT = 20
# pg_dump and pg_restore of an office's database take seconds; an hour means something is stuck.
PG_TIMEOUT = 3600

COUNTED = (
    ("documents", Document),
    ("history_entries", HistoryEntry),
    ("attachments", Attachment),
    ("signatures", Signature),
)


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass
class BackupResult:
    path: Path
    media_files: int
    size: int
    counts: dict[str, int]
    # Files the copied database names that the storage does not hold.
    missing_media: list[str] = field(default_factory=list)
    # Archives removed by ``keep``.
    removed: list[Path] = field(default_factory=list)


@dataclass
class RestoreResult:
    archive: Path
    created_at: str
    media_files: int
    counts: dict[str, int]
    # Migrations of this code that the restored database has not had yet: run `manage.py migrate`.
    pending_migrations: list[str] = field(default_factory=list)
    restored: bool = True


@dataclass
class _State:
    """What the manifest says about the database, read from the copy itself."""

    migrations: dict[str, list[str]]
    counts: dict[str, int]
    referenced: set[str]


# ----------------------------------------------------------------------------------------------------------
# Backup


def backup_create(
    *, output_dir: Path | None = None, keep: int | None = None, now: datetime | None = None
) -> BackupResult:
    """Write one archive of this instance into ``output_dir`` (default: data/backups in the project folder);
    with ``keep``, remove all but the newest ``keep`` archives there."""
    vendor = _vendor()
    output_dir = Path(output_dir or Path(settings.BASE_DIR) / "data" / "backups").resolve()
    _refuse_inside_media(output_dir)
    if keep is not None and keep < 1:
        raise BackupError("--keep must be at least 1: the archive just written is always kept.")
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"Cannot create the folder {output_dir}: {exc.strerror or exc}.") from None
    stamp = timezone.localtime(now or timezone.now())
    final = output_dir / f"{ARCHIVE_PREFIX}{stamp:%Y%m%d-%H%M%S}{ARCHIVE_SUFFIX}"
    if final.exists():
        raise BackupError(f"{final} already exists; run the backup again in a second.")

    # Beside the archive, on the same disk: the database copy may be large, and /tmp is often small.
    with (
        _os_errors("The backup stopped"),
        tempfile.TemporaryDirectory(prefix=".sakip-backup-", dir=output_dir) as staging,
    ):
        staging = Path(staging)
        copy = staging / PurePosixPath(DATABASE_MEMBERS[vendor]).name
        state = _sqlite_backup(copy) if vendor == "sqlite" else _pg_dump(copy)

        storage = storages["default"]
        partial = output_dir / f".{final.name}.partial"
        files: list[dict] = []
        try:
            with tarfile.open(partial, "w:gz", compresslevel=COMPRESS_LEVEL) as archive:
                with copy.open("rb") as fh:
                    files.append(_add_member(archive, DATABASE_MEMBERS[vendor], fh, copy.stat().st_size))
                archived = set()
                for name in _storage_files(storage):
                    entry = _add_media(archive, storage, name, staging)
                    if entry is not None:
                        files.append(entry)
                        archived.add(name)
                missing = sorted(state.referenced - archived)
                manifest = {
                    "format": FORMAT,
                    "application": "sakip",
                    "sakip_version": _sakip_version(),
                    "django_version": django.get_version(),
                    "created_at": stamp.isoformat(timespec="seconds"),
                    "database": {"vendor": vendor, "file": DATABASE_MEMBERS[vendor]},
                    "media": {"storage": f"{type(storage).__module__}.{type(storage).__qualname__}"},
                    "migrations": state.migrations,
                    "counts": state.counts,
                    "missing_media": missing,
                    "files": files,
                }
                _add_bytes(archive, MANIFEST, (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode())
                _add_bytes(archive, CHECKSUMS, "".join(f"{f['sha256']}  {f['path']}\n" for f in files).encode())
            with partial.open("rb") as fh:
                os.fsync(fh.fileno())
            # Under its final name only once complete: a half-written archive never looks like a backup.
            os.replace(partial, final)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise

    removed = _prune(output_dir, keep, final) if keep is not None else []
    return BackupResult(
        path=final,
        media_files=len(files) - 1,
        size=final.stat().st_size,
        counts=state.counts,
        missing_media=missing,
        removed=removed,
    )


def _sqlite_backup(copy: Path) -> _State:
    source = _sqlite_file()
    if not source.is_file():
        raise BackupError(f"There is no database at {source}: nothing to back up.")
    sqlite_copy(source, copy)
    with contextlib.closing(_sqlite_connect(copy)) as snapshot:
        # The archive holds one file, with no -wal beside it.
        snapshot.execute("PRAGMA journal_mode=DELETE")
        _check_integrity(snapshot, "The copy of the database")
        return _read_state(lambda sql: snapshot.execute(sql).fetchall(), "sqlite")


def sqlite_copy(source: Path, target: Path) -> None:
    """Copy the SQLite database ``source`` into ``target`` with SQLite's online backup API.

    One step (pages=-1) inside one read transaction: the copy is the database as of one commit. Copied step by
    step, a write by another connection between steps would make SQLite start over, and a busy office could
    keep it starting over.
    """
    with (
        contextlib.closing(_sqlite_connect(source, create=False)) as src,
        contextlib.closing(_sqlite_connect(target)) as dst,
    ):
        # The read transaction is opened by a statement, which waits for a writer's commit with the
        # connection's busy timeout, a few milliseconds at a time. Left to itself, the backup step retries a
        # busy source only every quarter of a second, and a steady stream of commits can keep it waiting.
        src.isolation_level = None
        try:
            src.execute("BEGIN")
            src.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError as exc:
            raise BackupError(
                f"The database {source} stayed locked by writers for {SQLITE_TIMEOUT} s ({exc}); try again."
            ) from None
        try:
            src.backup(dst, pages=-1)
        except sqlite3.Error as exc:  # a full disk, a file that is not a database
            raise BackupError(f"Copying the SQLite database {source} to {target} failed: {exc}.") from None
        finally:
            src.execute("ROLLBACK")


def _pg_dump(copy: Path) -> _State:
    pg_dump = _pg_tool("pg_dump")
    connection = connections["default"]
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            # pg_dump reads the very snapshot this transaction sees, for as long as it stays open.
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]

            def rows(sql: str) -> list[tuple]:
                cursor.execute(sql)
                return cursor.fetchall()

            state = _read_state(rows, "postgresql")
            _run_pg([pg_dump, "--format=custom", f"--snapshot={snapshot}", "--file", str(copy)], connection)
    except DatabaseError as exc:
        raise BackupError(f"Cannot read the PostgreSQL database: {exc}".strip()) from None
    return state


def _add_media(archive: tarfile.TarFile, storage, name: str, staging: Path) -> dict | None:
    """Put one file of the storage into the archive; None when it vanished between the listing and the read."""
    try:
        source = storage.open(name, "rb")
    except FileNotFoundError:
        # Only a file whose row never committed is removed (a refused upload, a signature rolled back).
        return None
    with source, tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, dir=staging) as spool:
        shutil.copyfileobj(source, spool, CHUNK)
        size = spool.tell()
        spool.seek(0)
        return _add_member(archive, f"{MEDIA_DIR}/{name}", spool, size)


def _add_member(archive: tarfile.TarFile, path: str, fh, size: int) -> dict:
    info = tarfile.TarInfo(path)
    info.size = size
    info.mode = 0o640
    info.mtime = int(timezone.now().timestamp())
    reader = _Hashing(fh)
    archive.addfile(info, reader)
    if reader.size != size:
        raise BackupError(f"{path} changed while it was being copied; run the backup again.")
    return {"path": path, "size": size, "sha256": reader.sha256.hexdigest()}


def _add_bytes(archive: tarfile.TarFile, path: str, data: bytes) -> None:
    _add_member(archive, path, io.BytesIO(data), len(data))


class _Hashing:
    """A file wrapper that hashes what is read through it."""

    def __init__(self, raw):
        self.raw = raw
        self.sha256 = hashlib.sha256()
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        self.sha256.update(data)
        self.size += len(data)
        return data


def _prune(output_dir: Path, keep: int, newest: Path) -> list[Path]:
    # Only names this command writes: any other file in the folder is left alone. The names sort by date.
    archives = sorted(p for p in output_dir.iterdir() if ARCHIVE_PATTERN.match(p.name) and p.is_file())
    old = [p for p in archives[:-keep] if p != newest]
    for path in old:
        path.unlink()
    return old


def _refuse_inside_media(output_dir: Path) -> None:
    # Otherwise every backup would carry all the earlier ones.
    location = getattr(storages["default"], "location", None)
    if location is None:
        return
    media = Path(location).resolve()
    if output_dir == media or media in output_dir.parents:
        raise BackupError(f"The backup folder {output_dir} is inside the media folder {media}: choose another one.")


# ----------------------------------------------------------------------------------------------------------
# Restore


def backup_restore(*, archive: Path, force: bool = False, check_only: bool = False) -> RestoreResult:
    """Check an archive whole, then restore it into this instance, whose database and media must be empty.

    Nothing is touched until every file of the archive matched its SHA-256 and the database in it passed its
    checks. The media files are restored first and the database last, so that an interrupted restore leaves an
    instance with no documents (which --force may restore over), never documents whose files are missing.
    """
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"There is no archive at {archive}.")
    vendor = _vendor()
    # Unpacked beside the target SQLite database, on its disk; for PostgreSQL in the temporary folder.
    work = _sqlite_file().parent if vendor == "sqlite" and not check_only else None
    with _os_errors("The restore stopped"):
        if work is not None:
            work.mkdir(parents=True, exist_ok=True)
        staging_folder = tempfile.TemporaryDirectory(prefix=".sakip-restore-", dir=work)
    with _os_errors("The restore stopped"), staging_folder as staging:
        staging = Path(staging)
        manifest = _read_archive(archive, staging)
        archived_vendor = manifest["database"]["vendor"]
        database = staging / manifest["database"]["file"]
        _check_staged_database(database, archived_vendor)
        media = [f["path"] for f in manifest["files"] if f["path"] != manifest["database"]["file"]]
        if check_only:
            return RestoreResult(
                archive=archive,
                created_at=manifest["created_at"],
                media_files=len(media),
                counts=manifest.get("counts", {}),
                pending_migrations=_pending(manifest["migrations"]),
                restored=False,
            )
        if archived_vendor != vendor:
            raise BackupError(
                f"The archive holds a {VENDOR_NAMES[archived_vendor]} database and this instance runs on "
                f"{VENDOR_NAMES[vendor]}: restore it into a {VENDOR_NAMES[archived_vendor]} instance. "
                "Nothing was changed."
            )
        storage = storages["default"]
        if not force:
            documents, media_files = _documents_here(), sum(1 for _ in _storage_files(storage))
            if documents or media_files:
                raise BackupError(
                    f"This instance is not empty: its database holds {documents} documents and its media "
                    f"storage {media_files} files. A restore replaces the database whole and writes the "
                    "archive's files over files of the same name. Nothing was changed. To restore anyway, "
                    "run it again with --force."
                )

        connections.close_all()
        for path in media:
            name = path[len(MEDIA_DIR) + 1 :]
            if storage.exists(name):
                storage.delete(name)
            with (staging / path).open("rb") as fh:
                saved = storage.save(name, File(fh, name=name))
            if saved != name:
                raise BackupError(f"The storage saved {name} as {saved}; the restore stopped.")
        if vendor == "sqlite":
            sqlite_copy(database, _sqlite_file())
        else:
            _pg_restore(database)

    # The restored database as the application will see it: through Django's own connection.
    connections.close_all()
    connection = connections["default"]
    unguarded = records.missing(connection)
    if unguarded:
        raise BackupError(
            "The restored database lacks the append-only guard on " + ", ".join(unguarded) + ": run "
            "manage.py migrate, then manage.py verify_history."
        )
    with connection.cursor() as cursor:

        def rows(sql: str) -> list[tuple]:
            cursor.execute(sql)
            return cursor.fetchall()

        counts = _read_state(rows, vendor).counts
    return RestoreResult(
        archive=archive,
        created_at=manifest["created_at"],
        media_files=len(media),
        counts=counts,
        pending_migrations=_pending(manifest["migrations"]),
    )


def _pg_restore(dump: Path) -> None:
    connection = connections["default"]
    # --clean --if-exists: the tables of a migrated but empty instance are replaced by the archive's;
    # --single-transaction: a restore that fails changes nothing; --no-owner: the objects belong to the
    # role sakip connects as, whatever role owned them where the archive was made.
    _run_pg(
        [
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            str(connection.settings_dict["NAME"]),
            str(dump),
        ],
        connection,
    )


def _read_archive(archive: Path, staging: Path) -> dict:
    """Unpack the archive into ``staging`` while hashing every file; return its manifest once all match."""
    seen: dict[str, dict] = {}
    names: set[str] = set()
    manifest_bytes = None
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                path = member.name
                if path in names:
                    raise BackupError(f"The archive holds {path} twice: it was not written by manage.py backup.")
                names.add(path)
                if not member.isfile():
                    raise BackupError(f"The archive holds {path}, which is not a plain file: refused.")
                fh = tar.extractfile(member)
                if path == MANIFEST:
                    manifest_bytes = fh.read()
                    continue
                if path == CHECKSUMS:
                    continue
                _check_member_name(path)
                destination = staging / path
                destination.parent.mkdir(parents=True, exist_ok=True)
                reader = _Hashing(fh)
                with destination.open("wb") as out:
                    shutil.copyfileobj(reader, out, CHUNK)
                seen[path] = {"size": reader.size, "sha256": reader.sha256.hexdigest()}
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        # A damaged gzip stream, a truncated file, or no room to unpack it: said as it is.
        raise BackupError(f"{archive} could not be unpacked ({exc}). Nothing was changed.") from None

    if manifest_bytes is None:
        raise BackupError(f"{archive} has no {MANIFEST}: it was not written by manage.py backup.")
    manifest = _parse_manifest(manifest_bytes)
    expected = {f["path"]: f for f in manifest["files"]}
    for path in sorted(seen.keys() - expected.keys()):
        raise BackupError(f"{path} is in the archive but not in its manifest: the archive was changed. Refused.")
    for path in sorted(expected.keys() - seen.keys()):
        raise BackupError(f"{path} is in the manifest but missing from the archive: the archive is incomplete.")
    for path in sorted(expected):
        if seen[path]["sha256"] != expected[path]["sha256"] or seen[path]["size"] != expected[path]["size"]:
            raise BackupError(
                f"{path} does not match its SHA-256 in the manifest (expected {expected[path]['sha256']}, found "
                f"{seen[path]['sha256']}): the archive is damaged or was changed. Nothing was restored."
            )
    _refuse_unknown_migrations(manifest["migrations"])
    return manifest


def _parse_manifest(data: bytes) -> dict:
    try:
        manifest = json.loads(data)
        files = manifest["files"]
        database = manifest["database"]
        ok = (
            manifest.get("format") == FORMAT
            and DATABASE_MEMBERS.get(database["vendor"]) == database["file"]
            and isinstance(manifest.get("migrations"), dict)
            and isinstance(manifest.get("created_at"), str)
            and all(
                isinstance(f["path"], str) and isinstance(f["size"], int) and isinstance(f["sha256"], str)
                for f in files
            )
            and any(f["path"] == database["file"] for f in files)
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        ok = False
    if not ok:
        raise BackupError(f"The archive's {MANIFEST} is not one this version of sakip reads (format {FORMAT}).")
    return manifest


def _check_member_name(path: str) -> None:
    """Only a database file and relative names under media/: no absolute path, no "..", nothing else."""
    if path in DATABASE_MEMBERS.values():
        return
    pure = PurePosixPath(path)
    if (
        pure.is_absolute()
        or len(pure.parts) < 2
        or pure.parts[0] != MEDIA_DIR
        or any(part in ("..", ".", "") for part in pure.parts)
        or "\\" in path
        or "\x00" in path
        or posixpath.normpath(path) != path
    ):
        raise BackupError(f"The archive holds {path!r}, a name a sakip backup never has: refused.")


def _check_staged_database(path: Path, vendor: str) -> None:
    """The archive's database is whole and keeps the append-only guard of the history."""
    if vendor == "sqlite":
        with contextlib.closing(_sqlite_connect(path, create=False)) as db:
            _check_integrity(db, "The database in the archive")
            unguarded = records.missing(_SqliteFile(db))
    else:
        # Without a server to restore into, pg_restore can still read the dump's table of contents.
        listing = _run_pg([_pg_tool("pg_restore"), "--list", str(path)], None)
        unguarded = [
            table
            for table in records.GUARDED_TABLES
            if not re.search(rf"\bTRIGGER \S+ {table} sakip_append_only_{table}\b", listing)
        ]
    if unguarded:
        raise BackupError(
            "The database in the archive lacks the append-only guard on " + ", ".join(unguarded) + ". Refused."
        )


def _refuse_unknown_migrations(applied: dict[str, list[str]]) -> None:
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = sorted(f"{app}.{name}" for app, names in applied.items() for name in names if (app, name) not in known)
    if unknown:
        raise BackupError(
            "The archive comes from a newer version of sakip: its database has migrations this code does not "
            f"know ({', '.join(unknown)}). Install that version first. Nothing was changed."
        )


def _pending(applied: dict[str, list[str]]) -> list[str]:
    done = {(app, name) for app, names in applied.items() for name in names}
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    return sorted(f"{app}.{name}" for app, name in known if (app, name) not in done)


def _documents_here() -> int:
    """Documents in this instance's database, without creating a SQLite file that does not exist."""
    if _vendor() == "sqlite":
        database = _sqlite_file()
        if not database.exists():
            return 0
        with contextlib.closing(_sqlite_connect(database, create=False)) as db:
            return _read_state(lambda sql: db.execute(sql).fetchall(), "sqlite").counts["documents"]
    with connections["default"].cursor() as cursor:

        def rows(sql: str) -> list[tuple]:
            cursor.execute(sql)
            return cursor.fetchall()

        return _read_state(rows, "postgresql").counts["documents"]


# ----------------------------------------------------------------------------------------------------------
# Shared


@contextlib.contextmanager
def _os_errors(what: str) -> Iterator[None]:
    """A folder that cannot be written, a full disk: said in one line, not a traceback."""
    try:
        yield
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        raise BackupError(f"{what}: {exc.strerror or exc}{where}.") from None


def _vendor() -> str:
    vendor = connections["default"].vendor
    if vendor not in DATABASE_MEMBERS:
        raise BackupError(f"manage.py backup and restore handle SQLite and PostgreSQL, not {vendor}.")
    return vendor


def _sqlite_file() -> Path:
    name = str(connections["default"].settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:"):
        raise BackupError(f"The database {name!r} is not a file: nothing to back up or restore.")
    return Path(name).resolve()


def _sqlite_connect(path: Path, *, create: bool = True) -> sqlite3.Connection:
    # mode=rw: a connection of ours never creates an empty database where the real one was expected.
    uri = Path(path).resolve().as_uri() + ("?mode=rwc" if create else "?mode=rw")
    try:
        return sqlite3.connect(uri, uri=True, timeout=SQLITE_TIMEOUT)
    except sqlite3.Error as exc:
        raise BackupError(f"Cannot open the SQLite database {path}: {exc}.") from None


def _check_integrity(db: sqlite3.Connection, what: str) -> None:
    try:
        result = db.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{what} is not a usable SQLite database: {exc}.") from None
    if result != [("ok",)]:
        problems = "; ".join(str(row[0]) for row in result[:5])
        raise BackupError(f"{what} fails SQLite's integrity check: {problems}.")


class _SqliteFile:
    """Enough of a Django connection for sakip.workflow.records to look at a database file that is not ours."""

    vendor = "sqlite"

    def __init__(self, db: sqlite3.Connection):
        self._db = db

    @contextlib.contextmanager
    def cursor(self) -> Iterator[sqlite3.Cursor]:
        cursor = self._db.cursor()
        try:
            yield cursor
        finally:
            cursor.close()


# Every table and its columns: only these are asked about, so that a table a database does not have yet
# (an older archive) is not an error, which on PostgreSQL would end the transaction.
_COLUMNS_SQL = {
    "sqlite": "SELECT m.name, p.name FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS p "
    "WHERE m.type = 'table'",
    "postgresql": "SELECT table_name, column_name FROM information_schema.columns "
    "WHERE table_schema = current_schema()",
}


def _read_state(rows: Callable[[str], list[tuple]], vendor: str) -> _State:
    """The migration state, the counts and the file names a database holds, through ``rows(sql)``."""
    columns: dict[str, set[str]] = {}
    for table, column in rows(_COLUMNS_SQL[vendor]):
        columns.setdefault(table, set()).add(column)
    migrations: dict[str, list[str]] = {}
    if "django_migrations" in columns:
        for app, name in rows("SELECT app, name FROM django_migrations ORDER BY app, id"):
            migrations.setdefault(app, []).append(name)
    counts = {}
    for key, model in COUNTED:
        table = model._meta.db_table
        counts[key] = rows(f'SELECT COUNT(*) FROM "{table}"')[0][0] if table in columns else 0  # noqa: S608
    referenced: set[str] = set()
    for model in apps.get_models():
        table = model._meta.db_table
        for f in model._meta.concrete_fields:
            if isinstance(f, models.FileField) and f.column in columns.get(table, ()):
                sql = f'SELECT "{f.column}" FROM "{table}" WHERE "{f.column}" <> \'\''  # noqa: S608
                referenced.update(row[0] for row in rows(sql))
    return _State(migrations=migrations, counts=counts, referenced=referenced)


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not installed. On Debian: apt-get install postgresql-client (the server's major version "
            "or newer)."
        )
    return path


def _run_pg(command: list[str], connection) -> str:
    """Run pg_dump or pg_restore, connected as Django is (through libpq's environment variables)."""
    env = dict(os.environ)
    if connection is not None:
        params = connection.settings_dict
        for variable, value in (
            ("PGHOST", params.get("HOST")),
            ("PGPORT", params.get("PORT")),
            ("PGUSER", params.get("USER")),
            ("PGPASSWORD", params.get("PASSWORD")),
            ("PGDATABASE", params.get("NAME")),
            ("PGSSLMODE", params.get("OPTIONS", {}).get("sslmode")),
        ):
            if value:
                env[variable] = str(value)
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=PG_TIMEOUT, check=False)  # noqa: S603
    except subprocess.TimeoutExpired:
        raise BackupError(f"{Path(command[0]).name} did not finish within {PG_TIMEOUT} s.") from None
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip() or result.returncode}")
    return result.stdout


def _storage_files(storage, path: str = "") -> Iterator[str]:
    try:
        folders, files = storage.listdir(path)
    except FileNotFoundError:  # no media folder yet: no files
        return
    for name in sorted(files):
        yield posixpath.join(path, name) if path else name
    for folder in sorted(folders):
        yield from _storage_files(storage, posixpath.join(path, folder) if path else folder)


def describe(counts: dict[str, int], media_files: int) -> str:
    """What an archive holds, for the commands' output: "3 documents, 14 history entries, ..."."""
    parts = [
        (counts.get("documents", 0), "document", "documents"),
        (counts.get("history_entries", 0), "history entry", "history entries"),
        (counts.get("attachments", 0), "attachment", "attachments"),
        (counts.get("signatures", 0), "signature", "signatures"),
        (media_files, "media file", "media files"),
    ]
    return ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in parts)


def _sakip_version() -> str:
    try:
        with (Path(settings.BASE_DIR) / "pyproject.toml").open("rb") as fh:
            return str(tomllib.load(fh)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"
