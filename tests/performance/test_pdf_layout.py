"""The signed PDF at 10 and 120 indicators: every value printed, pages numbered, page 1 kept as a PNG to look at."""

import io
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from sakip.accounts.models import Profile
from sakip.performance.models import IndicatorResult
from sakip.workflow.models import Signature
from sakip.workflow.services import document_transition
from tests.conftest import advance, make_user, start_document
from tests.performance.factories import make_agreement

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
pytestmark = pytest.mark.django_db


def signed_pdf(default_sop, indicators: int) -> tuple[bytes, list[IndicatorResult]]:
    make_agreement(year=2030, objectives=indicators // 5, indicators_per_objective=5, programmes_per_objective=1)
    people = {a.name: make_user(f"p{a.position}", a.group.name, first_name=a.name) for a in default_sop.actors.all()}
    Profile.objects.create(user=people["Sekretaris"], nip="197805122003122004", jabatan="Sekretaris Dinas")
    doc = start_document(sop=default_sop, title="PK 2030", year=2030, by=people["Sekretaris"])
    doc = advance(doc, people, 3)
    results = list(IndicatorResult.objects.filter(measurement__document=doc).order_by("pk"))
    for i, result in enumerate(results):
        result.realisation = Decimal(60 + i) + Decimal("0.25")
    IndicatorResult.objects.bulk_update(results, ["realisation"])
    doc = advance(doc, people, 4)
    # advance() fills every realisation with 100 at a content step; put ours back before handing on.
    IndicatorResult.objects.bulk_update(results, ["realisation"])
    doc = document_transition(
        document=doc, action="complete", by=people["Angg. Tim SAKIP"], requirements_confirmed=True, note="draf"
    )
    doc = advance(doc, people, 6)
    doc = document_transition(document=doc, action="approve", by=people["Sekretaris"], requirements_confirmed=True)
    return Signature.objects.get(document=doc).pdf.read(), results


@pytest.mark.parametrize(("indicators", "pages"), [(10, (1, 2)), (120, (5, 9))])
def test_it_prints_every_indicator_on_numbered_pages(default_sop, indicators, pages):
    data, results = signed_pdf(default_sop, indicators)
    if shutil.which("pdftoppm"):
        ARTIFACTS.mkdir(exist_ok=True)
        pdf = ARTIFACTS / f"pdf-{indicators}.pdf"
        pdf.write_bytes(data)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "2", str(pdf), str(pdf.with_suffix(""))], check=True
        )
    reader = PdfReader(io.BytesIO(data))
    count = len(reader.pages)
    assert pages[0] <= count <= pages[1]
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))
    for result in results:
        assert result.indicator.name in text
        assert f"{result.realisation:.2f}".replace(".", ",") in text
    for number in range(1, count + 1):
        assert f"Halaman {number} dari {count}" in text
    # The signature never stands alone: its page also carries the last lines of the tables.
    last_page = re.sub(r"\s+", " ", reader.pages[-1].extract_text())
    assert "Sekretaris Dinas" in last_page and "Jumlah" in last_page
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(width), round(height)) == (595, 842)  # A4 portrait, in points
