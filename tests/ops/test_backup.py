"""manage.py backup and restore: a real office's work comes back byte for byte, a changed archive is refused.

Each test makes its own instances (a database and a media folder) and drives them through manage.py in
subprocesses with their own DATABASE_URL and MEDIA_ROOT, the way an administrator would. SQLite instances are
files in tmp_path, so the SQLite tests run, and mean the same, in the SQLite run and in the PostgreSQL run of CI.
When the suite runs on PostgreSQL the same tests also run on fresh databases of that server: they are only
generated there (nothing is skipped elsewhere).
"""

import hashlib
import io
import itertools
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

from sakip.ops.backup import sqlite_copy

SUITE_ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
VENDORS = ["sqlite", "postgresql"] if SUITE_ON_POSTGRESQL else ["sqlite"]
GUARD_TRIGGERS = {
    "sqlite": {
        f"sakip_append_only_workflow_{t}_{e}"
        for t in ("historyentry", "signature", "attachment")
        for e in ("update", "delete")
    },
    "postgresql": {f"sakip_append_only_workflow_{t}" for t in ("historyentry", "signature", "attachment")},
}
_numbers = itertools.count()


@dataclass
class Instance:
    """One sakip instance: its database (a SQLite file or a PostgreSQL database) and its media folder."""

    vendor: str
    url: str
    media: Path
    db_file: Path | None = None  # SQLite
    db_name: str = ""  # PostgreSQL

    def manage(self, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
        env = {**os.environ, "DATABASE_URL": self.url, "MEDIA_ROOT": str(self.media)}
        command = [*args] if args[0] == "-m" else ["manage.py", *args]
        return subprocess.run(
            [sys.executable, *command], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=timeout
        )

    def query(self, sql: str, params=()) -> list[tuple]:
        if self.vendor == "sqlite":
            with sqlite3.connect(self.db_file) as conn:
                found = conn.execute(sql, params).fetchall()
            conn.close()
            return found
        import psycopg

        with psycopg.connect(**_server(), dbname=self.db_name) as conn:
            return conn.execute(sql, params).fetchall()

    def rows(self) -> dict[str, list]:
        """Every table's rows (in a stable order), and its triggers."""
        if self.vendor == "sqlite":
            tables = [r[0] for r in self.query("SELECT name FROM sqlite_master WHERE type = 'table'")]
            triggers = self.query("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
        else:
            tables = [
                r[0]
                for r in self.query(
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
                )
            ]
            triggers = self.query(
                "SELECT c.relname, t.tgname, t.tgtype FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal ORDER BY t.tgname"
            )
        data = {t: sorted(map(repr, self.query(f'SELECT * FROM "{t}"'))) for t in sorted(tables)}  # noqa: S608
        data["(triggers)"] = triggers
        return data

    def counts(self) -> dict[str, int]:
        tables = {
            "documents": "workflow_document",
            "history_entries": "workflow_historyentry",
            "attachments": "workflow_attachment",
            "signatures": "workflow_signature",
        }
        return {key: self.query(f'SELECT COUNT(*) FROM "{t}"')[0][0] for key, t in tables.items()}  # noqa: S608

    def is_untouched(self) -> bool:
        """No database was created or filled, no media file written."""
        media_empty = not self.media.exists() or not any(p.is_file() for p in self.media.rglob("*"))
        if self.vendor == "sqlite":  # nor anything beside it: no database, no unpacked archive left behind
            return not any(self.db_file.parent.iterdir()) and media_empty
        return self.query("SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)] and media_empty


def _server() -> dict:
    """How to reach the PostgreSQL server the suite runs on."""
    db = settings.DATABASES["default"]
    return {
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
    }


@pytest.fixture(scope="module")
def make_instance(tmp_path_factory):
    """Make empty instances: a SQLite path (no file yet) or a new, empty PostgreSQL database."""
    created = []

    def make(vendor: str) -> Instance:
        n = next(_numbers)
        root = tmp_path_factory.mktemp(f"instance-{vendor}")
        if vendor == "sqlite":
            db = root / "db" / "sakip.sqlite3"
            db.parent.mkdir()
            return Instance(vendor, f"sqlite:///{db}", root / "media", db_file=db)
        import psycopg

        name = f"sakip_backup_{os.getpid()}_{n}"
        with psycopg.connect(**_server(), dbname="postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        server = _server()
        credentials = quote(server["user"] or "", safe="") + (
            ":" + quote(server["password"], safe="") if server["password"] else ""
        )
        url = f"postgres://{credentials}@{server['host'] or '127.0.0.1'}:{server['port'] or 5432}/{name}"
        return Instance(vendor, url, root / "media", db_name=name)

    yield make
    if created:
        import psycopg

        with psycopg.connect(**_server(), dbname="postgres", autocommit=True) as conn:
            for name in created:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def refused(result: subprocess.CompletedProcess) -> str:
    assert result.returncode != 0, f"expected a refusal, got\n{result.stdout}"
    assert "Traceback" not in result.stderr, result.stderr
    return result.stderr


def digests(media: Path) -> dict[str, str]:
    return {
        p.relative_to(media).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(media.rglob("*"))
        if p.is_file()
    }


def members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar}


def write_archive(target: Path, content: dict[str, bytes]) -> Path:
    with tarfile.open(target, "w:gz") as tar:
        for name, data in content.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return target


@pytest.fixture(scope="module", params=VENDORS)
def office(request, make_instance, tmp_path_factory) -> dict:
    """An instance after a real journey (attachments, a signed PDF), and one backup of it."""
    source = make_instance(request.param)
    made = json.loads(ok(source.manage("-m", "tests.ops.journey")))
    backups = tmp_path_factory.mktemp("backups")
    out = ok(source.manage("backup", "--output", str(backups)))
    (archive,) = backups.glob("sakip-backup-*.tar.gz")
    return {"source": source, "archive": archive, "made": made, "backup_output": out}


@pytest.fixture(scope="module")
def pristine(office, make_instance) -> Instance:
    """An empty instance of the office's database vendor, which every refused archive must leave untouched."""
    return make_instance(office["source"].vendor)


def test_it_writes_one_dated_archive_with_the_database_the_media_and_their_sha256(office):
    source = office["source"]
    assert office["archive"].name.startswith("sakip-backup-2")
    made = source.counts()
    assert made["documents"] == 3 and made["signatures"] == 1 and made["attachments"] >= 5
    assert f"{made['documents']} documents, {made['history_entries']} history entries" in office["backup_output"]
    content = members(office["archive"])
    manifest = json.loads(content["manifest.json"])
    listed = {f["path"]: f["sha256"] for f in manifest["files"]}
    assert set(listed) == set(content) - {"manifest.json", "SHA256SUMS"}
    assert {name: hashlib.sha256(data).hexdigest() for name, data in content.items() if name in listed} == listed
    database = {"sqlite": "database/sakip.sqlite3", "postgresql": "database/sakip.pgdump"}[source.vendor]
    assert manifest["database"] == {"vendor": source.vendor, "file": database}
    assert {f"media/{name}" for name in digests(source.media)} == set(listed) - {database}
    assert f"media/{office['made']['signed_pdf']}" in listed
    assert manifest["counts"] == made
    assert "0004_history_append_only" in manifest["migrations"]["workflow"]
    assert manifest["missing_media"] == []
    # The same hashes for people without sakip: `sha256sum -c SHA256SUMS` in the unpacked folder.
    assert sorted(content["SHA256SUMS"].decode().splitlines()) == sorted(f"{h}  {p}" for p, h in listed.items())


def test_it_names_the_files_the_database_refers_to_that_storage_lost(office, tmp_path):
    source = office["source"]
    lost = Instance(source.vendor, source.url, tmp_path / "empty-media", db_file=source.db_file, db_name=source.db_name)
    error = refused(lost.manage("backup", "--output", str(tmp_path / "backups")))
    assert f"missing from the media storage: {office['made']['signed_pdf']}" in error
    assert "The backup was written, but" in error
    (archive,) = (tmp_path / "backups").glob("sakip-backup-*.tar.gz")
    manifest = json.loads(members(archive)["manifest.json"])
    assert set(manifest["missing_media"]) == {office["made"]["signed_pdf"], *office["made"]["attachments"]}


def test_it_restores_every_document_attachment_and_signed_pdf_byte_identical(office, make_instance):
    source, target = office["source"], make_instance(office["source"].vendor)
    out = ok(target.manage("restore", str(office["archive"])))
    assert "3 documents" in out and "every SHA-256 checked" in out

    assert target.rows() == source.rows()
    restored = digests(target.media)
    assert restored == digests(source.media)
    assert restored[office["made"]["signed_pdf"]] == office["made"]["signed_sha256"]
    assert set(office["made"]["attachments"]) <= set(restored)
    trigger_names = {row[0 if target.vendor == "sqlite" else 1] for row in target.rows()["(triggers)"]}
    assert trigger_names >= GUARD_TRIGGERS[target.vendor]
    if target.vendor == "sqlite":  # nothing left beside the database: no unpacked archive, no journal
        assert [p.name for p in target.db_file.parent.iterdir()] == [target.db_file.name]

    verified = ok(target.manage("verify_history"))
    assert f"OK: 3 documents, {source.counts()['history_entries']} history entries, every chain intact." in verified


def test_it_refuses_an_archive_with_one_byte_changed_naming_the_file(office, pristine, tmp_path):
    signed = f"media/{office['made']['signed_pdf']}"
    content = members(office["archive"])
    content[signed] = content[signed][:100] + bytes([content[signed][100] ^ 1]) + content[signed][101:]
    tampered = write_archive(tmp_path / "sakip-backup-tampered.tar.gz", content)
    error = refused(pristine.manage("restore", str(tampered)))
    assert f"{signed} does not match its SHA-256 in the manifest" in error
    assert pristine.is_untouched()
    assert signed in refused(pristine.manage("restore", "--check", str(tampered)))
    truncated = tmp_path / "sakip-backup-truncated.tar.gz"
    truncated.write_bytes(office["archive"].read_bytes()[:-2000])
    assert "could not be unpacked" in refused(pristine.manage("restore", str(truncated)))
    assert pristine.is_untouched()
    assert "is intact" in ok(pristine.manage("restore", "--check", str(office["archive"])))


def test_it_refuses_a_file_slipped_into_the_archive(office, pristine, tmp_path):
    content = {**members(office["archive"]), "media/lampiran/1/virus.pdf": b"%PDF-1.4 not from this office"}
    slipped = write_archive(tmp_path / "slipped.tar.gz", content)
    error = refused(pristine.manage("restore", str(slipped)))
    assert "media/lampiran/1/virus.pdf is in the archive but not in its manifest" in error
    assert pristine.is_untouched()


def test_it_refuses_a_name_outside_the_media_folder(office, pristine, tmp_path):
    content = members(office["archive"])
    manifest = json.loads(content["manifest.json"])
    evil = b"owned"
    manifest["files"].append({"path": "media/../../evil.txt", "size": 5, "sha256": hashlib.sha256(evil).hexdigest()})
    content.update({"manifest.json": json.dumps(manifest).encode(), "media/../../evil.txt": evil})
    error = refused(pristine.manage("restore", str(write_archive(tmp_path / "evil.tar.gz", content))))
    assert "media/../../evil.txt" in error and "never has" in error
    assert pristine.is_untouched()
    assert not (Path(tempfile.gettempdir()) / "evil.txt").exists()


def test_it_refuses_to_restore_over_documents_unless_forced(office, make_instance):
    source, target = office["source"], make_instance(office["source"].vendor)
    ok(target.manage("restore", str(office["archive"])))
    (target.media / "lampiran" / "later.pdf").write_bytes(b"%PDF-1.4 added after the restore")
    before = target.rows()

    error = refused(target.manage("restore", str(office["archive"])))
    assert "holds 3 documents" in error and "--force" in error and "Nothing was changed" in error
    assert target.rows() == before

    ok(target.manage("restore", "--force", str(office["archive"])))
    assert target.rows() == source.rows()
    assert digests(target.media) == {
        **digests(source.media),
        "lampiran/later.pdf": digests(target.media)["lampiran/later.pdf"],
    }
    assert "every chain intact" in ok(target.manage("verify_history"))


def test_it_refuses_an_archive_of_the_other_database(office, tmp_path):
    other = {"sqlite": "postgresql", "postgresql": "sqlite"}[office["source"].vendor]
    # Refused before any connection: the PostgreSQL address need not exist.
    url = "postgres://nobody@127.0.0.1:9/none" if other == "postgresql" else f"sqlite:///{tmp_path / 'x.sqlite3'}"
    target = Instance(other, url, tmp_path / "media", db_file=tmp_path / "x.sqlite3")
    error = refused(target.manage("restore", str(office["archive"])))
    assert "restore it into a" in error and "Nothing was changed" in error
    assert not (tmp_path / "x.sqlite3").exists() and not target.media.exists()


def test_it_says_so_when_postgresql_cannot_be_reached(tmp_path):
    target = Instance("postgresql", "postgres://nobody@127.0.0.1:9/none", tmp_path / "media")
    error = refused(target.manage("backup", "--output", str(tmp_path / "backups")))
    assert "Cannot read the PostgreSQL database" in error
    assert list((tmp_path / "backups").iterdir()) == []


@pytest.mark.parametrize("journal_mode", ["delete", "wal"])
def test_it_copies_a_consistent_sqlite_database_while_another_connection_writes(tmp_path, journal_mode):
    """A writer holds an open transaction through one backup and commits pairs of rows through other copies.

    The copy must hold every committed pair and nothing uncommitted. In WAL mode the committed rows still sit
    in the -wal file (nothing checkpoints them), which a plain copy of the database file would miss.
    """
    db = tmp_path / "busy.sqlite3"
    instance = Instance("sqlite", f"sqlite:///{db}", tmp_path / "media", db_file=db)

    def connect():
        return sqlite3.connect(db, timeout=30, isolation_level=None, check_same_thread=False)

    setup = connect()
    setup.execute(f"PRAGMA journal_mode={journal_mode}")
    setup.execute("PRAGMA wal_autocheckpoint=0")
    setup.execute("CREATE TABLE pair_a (id INTEGER PRIMARY KEY, note TEXT)")
    setup.execute("CREATE TABLE pair_b (id INTEGER PRIMARY KEY, note TEXT)")
    # Ballast, so that a copy takes long enough for commits to land around it.
    setup.execute("BEGIN")
    setup.execute("CREATE TABLE ballast (data BLOB)")
    setup.executemany("INSERT INTO ballast VALUES (?)", [(os.urandom(4096),) for _ in range(5000)])
    setup.execute("COMMIT")
    for i in range(100):
        setup.execute("BEGIN")
        setup.execute("INSERT INTO pair_a VALUES (?, 'committed before')", (i,))
        setup.execute("INSERT INTO pair_b VALUES (?, 'committed before')", (i,))
        setup.execute("COMMIT")

    # 1. A write transaction left open during the whole backup: the backup neither waits for it nor sees it.
    in_transaction, backup_done = threading.Event(), threading.Event()

    def open_writer():
        conn = connect()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO pair_a VALUES (1000, 'uncommitted')")
        in_transaction.set()
        backup_done.wait(120)
        conn.execute("COMMIT")
        conn.close()

    writer = threading.Thread(target=open_writer)
    writer.start()
    assert in_transaction.wait(30)
    try:
        ok(instance.manage("backup", "--output", str(tmp_path / "one"), timeout=120))
    finally:
        backup_done.set()
        writer.join()
    (archive,) = (tmp_path / "one").glob("*.tar.gz")
    copy = Instance("sqlite", "", tmp_path, db_file=tmp_path / "one.sqlite3")
    copy.db_file.write_bytes(members(archive)["database/sakip.sqlite3"])
    assert copy.query("PRAGMA integrity_check") == [("ok",)]
    assert copy.query("SELECT COUNT(*) FROM pair_a") == [(100,)]
    assert copy.query("SELECT COUNT(*) FROM pair_a WHERE note = 'uncommitted'") == [(0,)]
    assert setup.execute("SELECT COUNT(*) FROM pair_a WHERE id = 1000").fetchone() == (1,)  # it committed after
    setup.execute("DELETE FROM pair_a WHERE id = 1000")

    # 2. Pairs committed all along while copies are made: each copy holds whole pairs only.
    stop, committed, waits = threading.Event(), [], []

    def pair_writer():
        conn, i = connect(), 2000
        while not stop.is_set():
            started = time.monotonic()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO pair_a VALUES (?, 'during')", (i,))
            conn.execute("INSERT INTO pair_b VALUES (?, 'during')", (i,))
            conn.execute("COMMIT")
            waits.append(time.monotonic() - started)
            committed.append(i)
            i += 1
            # Hundreds of commits a second, far beyond an office. Without any pause a writer that takes the
            # lock again at once keeps every reader out for as long as it likes, in SQLite's rollback mode.
            time.sleep(0.002)
        conn.close()

    writer = threading.Thread(target=pair_writer)
    writer.start()
    try:
        counts = []
        for n in range(5):
            while len(committed) < 20 * (n + 1):
                time.sleep(0.001)
            copy = Instance("sqlite", "", tmp_path, db_file=tmp_path / f"copy-{n}.sqlite3")
            sqlite_copy(db, copy.db_file)
            assert copy.query("PRAGMA integrity_check") == [("ok",)]
            a = copy.query("SELECT COUNT(*) FROM pair_a")[0][0]
            b = copy.query("SELECT COUNT(*) FROM pair_b")[0][0]
            assert a == b, f"copy {n} is torn: {a} rows in pair_a, {b} in pair_b"
            counts.append(a)
    finally:
        stop.set()
        writer.join()
    # The writer went on between the copies (each copy holds at least 20 more pairs than the one before),
    # and no commit waited longer than a few copies of this 20 MB database take.
    assert all(count >= 100 + 20 * (n + 1) for n, count in enumerate(counts)), counts
    assert max(waits) < 5, max(waits)
    setup.close()
