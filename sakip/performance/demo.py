"""A demonstration Perjanjian Kinerja for the current year, so that `make run` shows a real measurement.

The names and numbers are invented; an office enters its own agreement.
"""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from sakip.performance.capaian import LowerFormula, Polarity
from sakip.performance.models import Agreement, Indicator, Objective, Programme

# Units that count things: their indicators take whole numbers (decimals 0); the others two decimals.
WHOLE_UNITS = frozenset({"orang", "kasus", "dokumen", "perusahaan", "kegiatan"})

OBJECTIVES = [
    (
        "Meningkatnya penyerapan tenaga kerja",
        [
            ("Tingkat Pengangguran Terbuka (TPT)", "%", "4.50", Polarity.LOWER, LowerFormula.MIRROR),
            ("Jumlah pencari kerja yang ditempatkan", "orang", "1160", Polarity.HIGHER, ""),
        ],
        [("Program Penempatan Tenaga Kerja", "1250000000")],
    ),
    (
        "Meningkatnya kompetensi dan produktivitas tenaga kerja",
        [
            ("Persentase tenaga kerja bersertifikat kompetensi", "%", "60", Polarity.HIGHER, ""),
            ("Jumlah peserta pelatihan berbasis kompetensi", "orang", "480", Polarity.HIGHER, ""),
        ],
        [("Program Pelatihan Kerja dan Produktivitas Tenaga Kerja", "2100000000")],
    ),
    (
        "Terwujudnya hubungan industrial yang harmonis",
        [
            ("Persentase kasus perselisihan hubungan industrial yang diselesaikan", "%", "85", Polarity.HIGHER, ""),
            ("Jumlah kasus perselisihan hubungan industrial", "kasus", "40", Polarity.LOWER, LowerFormula.INVERSE),
        ],
        [("Program Hubungan Industrial", "850000000")],
    ),
]


def create_demo_agreement(year: int | None = None) -> Agreement | None:
    """Create the demo agreement for ``year`` (default: this year) unless one exists. Safe to run twice."""
    year = year or timezone.localdate().year
    with transaction.atomic():
        if Agreement.objects.filter(year=year).exists():
            return None
        agreement = Agreement.objects.create(
            year=year,
            first_party_name="Drs. Contoh Kepala Dinas, M.Si.",
            first_party_position="Kepala Dinas Tenaga Kerja Kabupaten Lamongan",
            first_party_nip="197001011995031001",
            second_party_name="Contoh Bupati",
            second_party_position="Bupati Lamongan",
        )
        for position, (text, indicators, programmes) in enumerate(OBJECTIVES, start=1):
            objective = Objective.objects.create(agreement=agreement, position=position, text=text)
            for number, (name, unit, target, polarity, formula) in enumerate(indicators, start=1):
                Indicator.objects.create(
                    objective=objective,
                    position=number,
                    name=name,
                    unit=unit,
                    decimals=0 if unit in WHOLE_UNITS else 2,
                    target=Decimal(target),
                    polarity=polarity,
                    lower_formula=formula,
                )
            for number, (name, budget) in enumerate(programmes, start=1):
                Programme.objects.create(objective=objective, position=number, name=name, budget=Decimal(budget))
    return agreement
