"""Benchmark: PDF render time at 10, 50 and 200 indicators, and the time to serve a stored signed PDF.

Run with `make bench`. Uses a throw-away SQLite database; prints medians in milliseconds.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
workdir = tempfile.mkdtemp(prefix="sakip-bench-")
os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
os.environ["MEDIA_ROOT"] = f"{workdir}/media"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sakip.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

RUNS = 5


def median_ms(func, runs: int) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("load_default_sop", verbosity=0)

    from decimal import Decimal

    from django.contrib.auth.models import Group, User
    from django.utils import timezone

    from sakip.accounts.models import Profile
    from sakip.performance.models import Agreement, Indicator, IndicatorResult, Objective, Programme
    from sakip.performance.pdf import render_measurement_pdf
    from sakip.sops.models import Sop
    from sakip.workflow.models import Signature
    from sakip.workflow.services import document_start, document_transition

    def letter():
        """The incoming letter the default SOP's first step requires."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        return SimpleUploadedFile("surat-masuk.pdf", b"%PDF-1.4\n%%EOF\n")

    sop = Sop.objects.get(slug="pengukuran-kinerja")
    people = {}
    for actor in sop.actors.all():
        user = User.objects.create_user(f"b{actor.position}", first_name=actor.name, last_name="Bench")
        user.groups.add(Group.objects.get(pk=actor.group_id))
        Profile.objects.create(user=user, nip=f"198001012005011{actor.position:03d}", jabatan=actor.name)
        people[actor.name] = user

    # Imported once up front, so that the figures below are render times only.
    import weasyprint

    print(f"PDF render, median of {RUNS} runs (weasyprint {weasyprint.__version__}):")
    for year, count in ((2040, 10), (2041, 50), (2042, 200)):
        agreement = Agreement.objects.create(
            year=year, first_party_name="A", first_party_position="A", second_party_name="B", second_party_position="B"
        )
        for m in range(count // 5):
            objective = Objective.objects.create(agreement=agreement, position=m + 1, text=f"Sasaran {m + 1}")
            Programme.objects.create(objective=objective, position=1, name=f"Program {m + 1}", budget=Decimal(10**9))
            for n in range(5):
                Indicator.objects.create(
                    objective=objective, position=n + 1, name=f"Indikator {m + 1}.{n + 1}", unit="%", target=80
                )
        document = document_start(
            sop=sop,
            title=f"PK {year}",
            year=year,
            by=people["Sekretaris"],
            requirements_confirmed=True,
            files=[letter()],
        )
        IndicatorResult.objects.filter(measurement__document=document).update(realisation=Decimal("85.5"))
        measurement = document.measurement
        draft = median_ms(lambda measurement=measurement: render_measurement_pdf(measurement), RUNS)
        # What signing renders: an unsaved signature, so the QR code and the e-signature footer on every page.
        signature = Signature(
            document=document,
            name="Nama Penanda Tangan",
            jabatan="Sekretaris Dinas",
            pangkat="Pembina (IV/a)",
            nip="198001012005011001",
            place="Lamongan",
            signed_at=timezone.now(),
            token="b" * 43,
        )
        signed = median_ms(lambda m=measurement, s=signature: render_measurement_pdf(m, s), RUNS)
        print(f"  {count:>3} indicators: {draft:8.1f} ms draft, {signed:8.1f} ms signed")

    # A signed document: the stored file is served as it is.
    document = document_start(
        sop=sop, title="PK 2042 b", year=2042, by=people["Sekretaris"], requirements_confirmed=True, files=[letter()]
    )
    IndicatorResult.objects.filter(measurement__document=document).update(realisation=Decimal("85.5"))
    document.measurement.programme_results.update(realised=Decimal(1))
    while document.current_step is not None and not Signature.objects.filter(document=document).exists():
        step = document.current_step
        files = []
        if step.attachment_required:
            from django.core.files.uploadedfile import SimpleUploadedFile

            files = [SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n")]
        document = document_transition(
            document=document,
            action="approve" if step.is_decision else "complete",
            by=people[step.actor.name],
            requirements_confirmed=True,
            note="bench",
            files=files,
        )
    client = Client()
    client.force_login(people["Sekretaris"])
    url = f"/kinerja/dokumen/{document.pk}/pengukuran.pdf"

    def serve():
        response = client.get(url, HTTP_HOST="127.0.0.1")
        b"".join(response.streaming_content)

    serve()
    ms = median_ms(serve, 50)
    size = Signature.objects.get(document=document).pdf.size
    print(f"Serving the stored signed PDF (200 indicators, {size / 1024:.0f} KiB), median of 50: {ms:.1f} ms")


if __name__ == "__main__":
    main()
