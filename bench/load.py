"""Benchmark: the pages under load at 1,000 and 100,000 documents, on SQLite and PostgreSQL, served by gunicorn.

    python bench/load.py                     # every configuration (make bench)
    python bench/load.py load-sqlite-1k      # one or more of: load-sqlite-1k load-sqlite-100k load-pg-1k load-pg-100k
    python bench/load.py --table             # the README's table again, from the results saved by the last runs

For each configuration: a database seeded by `manage.py seed_volume` (built once and kept under data/bench/,
PostgreSQL as sakip_bench_1k and sakip_bench_100k; built again when the seeder or the migrations change),
production settings, gunicorn with deploy/gunicorn.conf.py and 2 sync workers on 127.0.0.1, and the load
generator of bench/httpload.py with 8 connections. Each page is loaded for a fixed time after a warm-up;
the table gives requests per second, p50 and p99, and the ratio to /healthz in the same run. Worker memory
is read after the warm-up and after 500 requests of the SOP sheet's PDF.

Environment: BENCH_SECONDS (per page, default 10), BENCH_WARMUP (seconds, 2), BENCH_CONNECTIONS (8),
BENCH_WORKERS (2), BENCH_PDF_RENDERS (500), BENCH_PG_URL (postgres://postgres@127.0.0.1:5432),
BENCH_DATA (data/bench). Raw results are also written to data/bench/results-<configuration>.json.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import httpload  # noqa: E402

HOST = "127.0.0.1"
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
WARMUP = float(os.environ.get("BENCH_WARMUP", "2"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
PDF_RENDERS = int(os.environ.get("BENCH_PDF_RENDERS", "500"))
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
DATA = Path(os.environ.get("BENCH_DATA") or ROOT / "data" / "bench").resolve()
PYTHON = sys.executable


@dataclass(frozen=True)
class Config:
    name: str
    vendor: str  # "sqlite" or "postgresql"
    documents: int

    @property
    def label(self) -> str:
        database = "SQLite" if self.vendor == "sqlite" else "PostgreSQL"
        return f"{database}, {self.documents:,} documents"

    @property
    def database_url(self) -> str:
        if self.vendor == "sqlite":
            return f"sqlite:///{DATA / f'{self.name}.sqlite3'}"
        return f"{PG_URL}/{self.pg_name}"

    @property
    def pg_name(self) -> str:
        return f"sakip_bench_{self.name.rsplit('-', 1)[1]}"

    @property
    def media(self) -> Path:
        return DATA / f"media-{self.name}"


CONFIGS = {
    c.name: c
    for c in (
        Config("load-sqlite-1k", "sqlite", 1_000),
        Config("load-sqlite-100k", "sqlite", 100_000),
        Config("load-pg-1k", "postgresql", 1_000),
        Config("load-pg-100k", "postgresql", 100_000),
    )
}


@dataclass(frozen=True)
class Page:
    label: str
    path: str
    person: str | None  # whose session; None for anonymous


def pages(info: dict) -> list[Page]:
    document = info["document"]
    return [
        Page("/healthz (baseline)", "/healthz", None),
        Page("login page", "/akun/masuk/", None),
        Page("static CSS (whitenoise)", info["css"], None),
        Page("Tugas saya (sekretaris)", "/", "sekretaris"),
        Page("Dokumen, admin, page 1", "/dokumen/", "admin"),
        Page("Dokumen, anggota, status=finished", "/dokumen/?status=finished", "anggota"),
        Page("document page (sekretaris)", f"/dokumen/{document}/", "sekretaris"),
        Page("stored signed PDF", f"/kinerja/dokumen/{document}/pengukuran.pdf", "sekretaris"),
        Page("SOP sheet PDF", f"/sop/{info['sop']}/pdf/", "sekretaris"),
    ]


# ---------------------------------------------------------------------------------------------
# The instance: environment, static files, database


def environment(config: Config, secret_key: str) -> dict[str, str]:
    """Production settings on plain HTTP at loopback, as `make serve` runs them."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUNICORN_", "CACHE_"))}
    return {
        **keep,
        "DEBUG": "false",
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "DATABASE_URL": config.database_url,
        "MEDIA_ROOT": str(config.media),
        "STATIC_ROOT": str(DATA / "static"),
        "LOG_LEVEL": "ERROR",
    }


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603 (this project's manage.py, with arguments of this script)
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def fingerprint(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if file.is_file() and "__pycache__" not in file.parts:
                digest.update(str(file.relative_to(ROOT)).encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def ensure_static(env: dict[str, str]) -> None:
    """collectstatic (compressing every file takes a while) only when static/ changed."""
    stamp = DATA / "static.stamp"
    wanted = fingerprint(ROOT / "static")
    if stamp.exists() and stamp.read_text() == wanted and (DATA / "static" / "staticfiles.json").exists():
        return
    print("  collecting static files", flush=True)
    manage(env, "collectstatic", "--noinput", "--clear", "-v0")
    stamp.write_text(wanted)


def seed_fingerprint() -> str:
    """What the seeded data depends on: the seeder and the schema."""
    migrations = sorted(ROOT.glob("sakip/*/migrations/0*.py"))
    return fingerprint(ROOT / "sakip" / "ops" / "volume.py", *migrations)


def ensure_database(config: Config, env: dict[str, str]) -> None:
    """The seeded database, from the cache when it was built by this seeder for this schema."""
    stamp = DATA / f"{config.name}.stamp"
    wanted = f"{seed_fingerprint()} {config.documents}"
    if stamp.exists() and stamp.read_text() == wanted and database_exists(config):
        manage(env, "migrate", "--noinput", "-v0")
        return
    print(f"  seeding {config.documents:,} documents (kept for later runs)", flush=True)
    stamp.unlink(missing_ok=True)
    drop_database(config)
    shutil.rmtree(config.media, ignore_errors=True)
    create_database(config)
    manage(env, "migrate", "--noinput", "-v0")
    started = time.monotonic()
    output = manage(env, "seed_volume", "--documents", str(config.documents))
    print(f"  {output.strip().splitlines()[-1]} (wall {time.monotonic() - started:.0f} s)", flush=True)
    if config.vendor == "postgresql":
        manage(env, "shell", "-c", "from django.db import connection; connection.cursor().execute('VACUUM ANALYZE')")
    stamp.write_text(wanted)


def pg_admin():
    import psycopg

    return psycopg.connect(f"{PG_URL}/postgres", autocommit=True, connect_timeout=5)


def postgres_available() -> str:
    """Empty when PostgreSQL answers, else why not."""
    try:
        with pg_admin():
            return ""
    except Exception as exc:  # any failure to connect means: not here
        return str(exc).strip().splitlines()[0]


def database_exists(config: Config) -> bool:
    if config.vendor == "sqlite":
        return Path(urllib.parse.urlparse(config.database_url).path).exists()
    with pg_admin() as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config.pg_name]).fetchone() is not None


def drop_database(config: Config) -> None:
    if config.vendor == "sqlite":
        Path(urllib.parse.urlparse(config.database_url).path).unlink(missing_ok=True)
        return
    with pg_admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{config.pg_name}" WITH (FORCE)')


def create_database(config: Config) -> None:
    if config.vendor == "postgresql":
        with pg_admin() as conn:
            conn.execute(f'CREATE DATABASE "{config.pg_name}"')


# ---------------------------------------------------------------------------------------------
# gunicorn


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn(config: Config, env: dict[str, str]) -> Iterator[tuple[int, int]]:
    """gunicorn on a free loopback port: yields (port, master pid) once /healthz answers; always stops it."""
    port = free_port()
    conf = ROOT / "deploy" / "gunicorn.conf.py"
    if conf.exists():
        command = [PYTHON, "-m", "gunicorn", "-c", str(conf)]
    else:  # before deploy/gunicorn.conf.py existed: the same settings as flags
        command = [PYTHON, "-m", "gunicorn", "sakip.wsgi:application", "--preload", "--worker-tmp-dir", "/dev/shm"]  # noqa: S108
        command += ["--bind", f"{HOST}:{port}", "--workers", str(WORKERS)]
    log = DATA / f"gunicorn-{config.name}.log"
    server_env = {
        **env,
        "GUNICORN_BIND": f"{HOST}:{port}",
        "GUNICORN_WORKERS": str(WORKERS),
        "GUNICORN_ACCESS_LOG": "",  # off: writing a line per request is not what is measured
        # Workers are never replaced during the run: the memory they keep is part of what is measured.
        "GUNICORN_MAX_REQUESTS": "0",
    }
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 (gunicorn from this venv, with arguments of this script)
            command, cwd=ROOT, env=server_env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            deadline = time.monotonic() + 120
            while True:
                if process.poll() is not None:
                    sys.exit(f"gunicorn exited with {process.returncode}; see {log}")
                if time.monotonic() > deadline:
                    sys.exit(f"gunicorn did not answer /healthz within 120 s; see {log}")
                with contextlib.suppress(OSError):
                    status, _size, _head = httpload.fetch(HOST, port, httpload.request_bytes(HOST, port, "/healthz"))
                    if status == 200:
                        break
                time.sleep(0.3)
            yield port, process.pid
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)


def worker_rss_mib(master: int) -> list[float]:
    """Resident memory of each worker of the gunicorn ``master``, in MiB."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    sizes = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sizes


# ---------------------------------------------------------------------------------------------
# One configuration


def run_config(config: Config) -> dict:
    DATA.mkdir(parents=True, exist_ok=True)
    print(f"\n== {config.name}: {config.label} ==", flush=True)
    env = environment(config, secrets.token_urlsafe(50))
    ensure_static(env)
    ensure_database(config, env)
    info = json.loads(
        subprocess.run(  # noqa: S603 (bench/prepare.py, no arguments)
            [PYTHON, str(ROOT / "bench" / "prepare.py")], cwd=ROOT, env=env, capture_output=True, text=True, check=True
        ).stdout
    )
    result = {
        "config": config.name,
        "label": config.label,
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average": os.getloadavg(),
        "documents": info["documents"],
        "running": info["running"],
        "entries": info["entries"],
        "pages": [],
    }
    print(
        f"  {info['documents']:,} documents ({info['running']:,} running), {info['entries']:,} history entries; "
        f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        flush=True,
    )
    with gunicorn(config, env) as (port, master):
        measured = pages(info)

        def load(page: Page, **how) -> httpload.Result:
            cookies = {info["cookie"]: info["sessions"][page.person]} if page.person else None
            return httpload.run(HOST, port, page.path, cookies=cookies, connections=CONNECTIONS, **how)

        # Warm-up: every page answers 200 (a redirect to the login would measure the wrong page).
        for page in measured:
            warm = load(page, seconds=WARMUP)
            if warm.failed or not warm.ok:
                sys.exit(f"{page.label} ({page.path}) answered {dict(warm.statuses)} during the warm-up.")
        rss_warm = worker_rss_mib(master)
        sop_pdf = measured[-1]
        renders = httpload.run(
            HOST,
            port,
            sop_pdf.path,
            cookies={info["cookie"]: info["sessions"][sop_pdf.person]},
            connections=WORKERS,
            requests=PDF_RENDERS,
        )
        rss_after = worker_rss_mib(master)
        result["memory"] = {
            "workers_after_warmup_mib": rss_warm,
            "workers_after_pdf_mib": rss_after,
            "pdf_requests": renders.ok,
            "pdf_failed": renders.failed,
            "growth_mib": sum(rss_after) - sum(rss_warm),
        }
        print(
            f"  worker RSS after warm-up {fmt_mib(rss_warm)}; after {renders.ok} SOP-sheet PDFs {fmt_mib(rss_after)}: "
            f"growth {sum(rss_after) - sum(rss_warm):+.1f} MiB",
            flush=True,
        )
        print(f"  {'page':<38} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'×healthz':>9} {'answers':>8} {'failed':>7}")
        baseline = None
        for page in measured:
            measure = load(page, seconds=SECONDS)
            baseline = baseline or measure.rate
            row = {
                "page": page.label,
                "path": page.path,
                "rate": measure.rate,
                "p50_ms": measure.p50 * 1000,
                "p99_ms": measure.p99 * 1000,
                "ratio": measure.rate / baseline if baseline else 0.0,
                "answers": measure.ok,
                "failed": measure.failed,
                "statuses": {str(k): v for k, v in measure.statuses.items()},
                "seconds": measure.seconds,
            }
            result["pages"].append(row)
            print(
                f"  {page.label:<38} {row['rate']:>8.1f} {row['p50_ms']:>8.1f} {row['p99_ms']:>8.1f} "
                f"{row['ratio']:>9.3f} {row['answers']:>8} {row['failed']:>7}",
                flush=True,
            )
    (DATA / f"results-{config.name}.json").write_text(json.dumps(result, indent=2))
    return result


def fmt_mib(sizes: list[float]) -> str:
    return f"{' + '.join(f'{s:.0f}' for s in sizes)} = {sum(sizes):.0f} MiB"


# ---------------------------------------------------------------------------------------------
# The report


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    parts = [
        f"{cpu}, {os.cpu_count()} cores",
        f"Python {platform.python_version()}",
        f"SQLite {sqlite3.sqlite_version}",
    ]
    with contextlib.suppress(Exception), pg_admin() as conn:
        parts.append(f"PostgreSQL {conn.execute('SHOW server_version').fetchone()[0]} (same machine)")
    with contextlib.suppress(Exception):
        import gunicorn as gunicorn_package

        parts.append(f"gunicorn {gunicorn_package.__version__} ({WORKERS} sync workers)")
    git = shutil.which("git")
    commit = ""
    if git and (ROOT / ".git").exists():
        commit = subprocess.run(  # noqa: S603 (git, fixed arguments)
            [git, "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()
    if commit:
        dirty = subprocess.run(  # noqa: S603 (git, fixed arguments)
            [git, "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout
        parts.append(f"commit {commit}{' with local changes' if dirty.strip() else ''}")
    return "; ".join(parts)


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def summary(results: list[dict]) -> str:
    """The README's table, one column per configuration: req/s · p50 ms · p99 ms · ratio to /healthz."""
    head = "| page | " + " | ".join(r["label"].replace(" documents", " docs") for r in results) + " |"
    lines = [head, "|---" * (len(results) + 1) + "|"]
    for i, page in enumerate(results[0]["pages"]):
        cells = []
        for r in results:
            row = r["pages"][i]
            cell = f"{_number(row['rate'])} · {_number(row['p50_ms'])} · {_number(row['p99_ms'])}"
            cells.append(cell + (f" · {row['ratio']:.3f}×" if i else ""))
        lines.append(f"| {page['page']} | " + " | ".join(cells) + " |")
    memory = [
        f"{sum(r['memory']['workers_after_warmup_mib']):.0f} → {sum(r['memory']['workers_after_pdf_mib']):.0f} MiB "
        f"({r['memory']['growth_mib']:+.0f})"
        for r in results
    ]
    pdfs = results[0]["memory"]["pdf_requests"]
    lines.append(f"| worker RSS (both), warm → after {pdfs} SOP-sheet PDFs | " + " | ".join(memory) + " |")
    return "\n".join(lines)


def saved_table() -> None:
    """The table again from the results the last runs saved (data/bench/results-*.json)."""
    saved = [DATA / f"results-{name}.json" for name in CONFIGS]
    results = [json.loads(path.read_text()) for path in saved if path.exists()]
    if not results:
        sys.exit(f"No results under {DATA}: run the benchmark first.")
    print(summary(results))


def main(argv: list[str]) -> None:
    if argv == ["--table"]:
        saved_table()
        return
    names = [a for a in argv if a.startswith("load")]
    if argv and not names:
        print(f"bench/load.py: nothing to run for {' '.join(argv)} (configurations: {', '.join(CONFIGS)})")
        return
    explicit = [name for name in names if name != "load"]
    for name in explicit:
        if name not in CONFIGS:
            sys.exit(f"Unknown configuration {name!r}; choose from {', '.join(CONFIGS)}.")
    chosen = [CONFIGS[name] for name in explicit] or list(CONFIGS.values())
    if any(c.vendor == "postgresql" for c in chosen) and (why := postgres_available()):
        if explicit:
            sys.exit(f"PostgreSQL is not reachable at {PG_URL} ({why}); set BENCH_PG_URL.")
        print(f"PostgreSQL is not reachable at {PG_URL} ({why}): its configurations are skipped.")
        chosen = [c for c in chosen if c.vendor != "postgresql"]
    print(f"Load at scale: {machine()}")
    print(f"{CONNECTIONS} connections, {SECONDS:g} s per page after {WARMUP:g} s of warm-up")
    results = [run_config(config) for config in chosen]
    if results:
        print("\n" + summary(results))


if __name__ == "__main__":
    main(sys.argv[1:])
