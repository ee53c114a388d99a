"""Benchmark: Excel uploads made to exhaust memory, each refused in a fresh process, with its cost.

Run with `make bench`. The files are those of tests/performance/excel_bombs.py. For each, a new Python
process logs in, uploads an honest file once (so that every module is loaded), then uploads the
crafted file through the real upload view and measures the wall time and the peak resident memory
above the memory the process had just before. Exits non-zero when any refusal needs more than
100 MB or 2 s, or when a file is not refused, or when anything was saved.
"""

import gc
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MAX_MEMORY_MB = 100
MAX_SECONDS = 2.0
YEAR = 2044


def _django(workdir: str, database: str = "bench") -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/{database}.sqlite3"
    os.environ["MEDIA_ROOT"] = f"{workdir}/media"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sakip.settings")
    import django

    django.setup()


def _memory_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        return int(re.search(rf"^{field}:\s+(\d+) kB", status.read(), re.MULTILINE).group(1))


def _reset_peak() -> bool:
    """Make the kernel forget the peak so far (Linux 4.0+): the next peak is this upload's own."""
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
    except OSError:
        return False
    return True


# ---------------------------------------------------------------------------------------------
# The document every upload goes to, made once by the parent


def _prepare(workdir: str) -> dict:
    _django(workdir)
    import inspect

    from django.contrib.auth.models import Group, User
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command

    from sakip.sops.models import Sop
    from sakip.workflow.services import document_start, document_transition
    from tests.performance.factories import make_agreement

    call_command("migrate", verbosity=0)
    call_command("load_default_sop", verbosity=0)
    sop = Sop.objects.get(slug="pengukuran-kinerja")
    people = {}
    for actor in sop.actors.all():
        user = User.objects.create_user(f"x{actor.position}", first_name=actor.name, last_name="Bench")
        user.groups.add(Group.objects.get(pk=actor.group_id))
        people[actor.name] = user
    make_agreement(year=YEAR)

    def paper():
        return [SimpleUploadedFile("surat.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")]

    start = {"sop": sop, "title": f"PK {YEAR}", "year": YEAR, "by": people["Sekretaris"], "files": paper()}
    if "requirements_confirmed" in inspect.signature(document_start).parameters:  # older code had none
        start["requirements_confirmed"] = True
    document = document_start(**start)
    while not document.current_step.edits_content:
        step = document.current_step
        document = document_transition(
            document=document,
            action="approve" if step.is_decision else "complete",
            by=people[step.actor.name],
            requirements_confirmed=True,
            note="bench",
            files=paper() if step.attachment_required else [],
        )
    # The crafted files, made for this measurement's rows.
    from tests.performance.excel_bombs import BOMBS, budget_rows, realisation_rows

    measurement = document.measurement
    realisation = realisation_rows(
        list(measurement.indicator_results.order_by("pk").values_list("indicator", flat=True))
    )
    budget = budget_rows(list(measurement.programme_results.order_by("pk").values_list("programme", flat=True)))
    for name, make in BOMBS.items():
        Path(workdir, f"{name}.xlsx").write_bytes(make(realisation, budget))
    return {"document": document.pk, "user": people[document.current_step.actor.name].pk}


# ---------------------------------------------------------------------------------------------
# One crafted upload, in a process of its own


def _one(name: str, workdir: str, setup: dict) -> dict:
    _django(workdir, name)
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.contrib.messages import get_messages
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    from sakip.performance.models import IndicatorResult, Measurement, ProgrammeResult
    from sakip.workflow.models import Document
    from tests.performance.excel_bombs import budget_rows, realisation_rows, workbook

    document = Document.objects.get(pk=setup["document"])
    measurement = Measurement.objects.get(document=document)
    indicators = IndicatorResult.objects.filter(measurement=measurement).order_by("pk")
    programmes = ProgrammeResult.objects.filter(measurement=measurement).order_by("pk")
    realisation = realisation_rows([r.indicator_id for r in indicators])
    budget = budget_rows([r.programme_id for r in programmes])
    # Made by the parent: what making it cost is not this process's.
    data = Path(workdir, f"{name}.xlsx").read_bytes()

    def stored():
        return list(indicators.values_list("realisation", "helped", "held_back")), list(
            programmes.values_list("realised", flat=True)
        )

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(pk=setup["user"]))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("performance:upload", args=[document.pk])

    def upload(data: bytes):
        version = Document.objects.get(pk=document.pk).version
        response = client.post(url, {"file": SimpleUploadedFile("realisasi.xlsx", data), "version": version})
        messages = [str(m) for m in get_messages(response.wsgi_request)]
        client.cookies.pop("messages", None)  # read here: the next upload starts with none
        return messages

    before = stored()
    # Warm up on an honest file with one bad value: refused by row, so nothing is saved, and every
    # module the reader and the messages need is loaded before the measurement.
    upload(workbook([(*realisation[0][:6], "sepuluh", "", ""), *realisation[1:]], budget))
    gc.collect()
    exact = _reset_peak()
    baseline = _memory_kib("VmRSS")
    start = time.perf_counter()
    messages = upload(data)
    seconds = time.perf_counter() - start
    peak = _memory_kib("VmHWM")  # without the reset, the peak of the whole process: an upper bound
    return {
        "name": name,
        "size": len(data),
        "memory_mb": max(0, peak - baseline) / 1024,
        "seconds": seconds,
        "message": next(
            (m for m in messages if not m.startswith("Nothing was saved")), messages[0] if messages else ""
        ),
        "refused": bool(messages) and not messages[0].startswith("The realisation from"),
        "saved": stored() != before,
        "exact": exact,
    }


# ---------------------------------------------------------------------------------------------


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--one":
        print(json.dumps(_one(sys.argv[2], sys.argv[3], json.loads(os.environ["BENCH_SETUP"]))))
        return 0
    from tests.performance.excel_bombs import BOMBS

    workdir = tempfile.mkdtemp(prefix="sakip-bench-excel-")
    # The set-up runs in its own process too, so that no child inherits its memory.
    setup = (
        subprocess.run(  # noqa: S603 (this script, with arguments of its own)
            [sys.executable, __file__, "--prepare", workdir], capture_output=True, text=True, check=True, cwd=ROOT
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    results, failed = [], False
    for name in BOMBS:
        # A copy of the database each: what one file saved cannot hide what the next one saves.
        shutil.copyfile(f"{workdir}/bench.sqlite3", f"{workdir}/{name}.sqlite3")
        child = subprocess.run(  # noqa: S603 (this script, with arguments of its own)
            [sys.executable, __file__, "--one", name, workdir],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**os.environ, "BENCH_SETUP": setup},
            timeout=300,
        )
        if child.returncode != 0:
            print(f"{name}: the process failed\n{child.stderr[-3000:]}", file=sys.stderr)
            failed = True
            continue
        results.append(json.loads(child.stdout.strip().splitlines()[-1]))
    print(
        f"Crafted Excel uploads, each in a fresh process (limits: {MAX_MEMORY_MB} MB above baseline, {MAX_SECONDS} s):"
    )
    print(f"{'file':<18} {'on disk':>9} {'memory':>9} {'time':>7}  outcome")
    for r in results:
        over = r["memory_mb"] > MAX_MEMORY_MB or r["seconds"] > MAX_SECONDS or not r["refused"] or r["saved"]
        failed |= over
        outcome = ("SAVED " if r["saved"] else "") + ("refused: " if r["refused"] else "ACCEPTED: ") + r["message"]
        print(
            f"{r['name']:<18} {r['size'] / 1024:>6.0f} KB {r['memory_mb']:>6.1f} MB {r['seconds']:>5.2f} s"
            f"  {'OVER  ' if over else ''}{outcome[:110]}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--prepare":
        print(json.dumps(_prepare(sys.argv[2])))
        sys.exit(0)
    sys.exit(main())
