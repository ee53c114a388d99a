"""Small Perjanjian Kinerja for tests.

    make_agreement()                                  # 2026: 2 objectives × 2 indicators, 1 programme each
    make_agreement(year=2027, objectives=1, indicators_per_objective=3, programmes_per_objective=0)

Indicator n of objective m is named "Indikator m.n", in percent, higher is better, with the target
70 + 10·n + m (81, 91, 82, 92 for the default); programme m has a pagu of m × 100.000.000,00.
Tests change what they need afterwards (a polarity, allow_negative) with an update().
"""

from __future__ import annotations

from decimal import Decimal

from sakip.performance.models import Agreement, Indicator, Objective, Programme


def make_agreement(
    *,
    year: int = 2026,
    objectives: int = 2,
    indicators_per_objective: int = 2,
    programmes_per_objective: int = 1,
) -> Agreement:
    agreement = Agreement.objects.create(
        year=year,
        first_party_name="Kepala Dinas",
        first_party_position="Kepala Dinas Tenaga Kerja",
        second_party_name="Bupati",
        second_party_position="Bupati Lamongan",
    )
    for m in range(1, objectives + 1):
        objective = Objective.objects.create(agreement=agreement, position=m, text=f"Sasaran {m}")
        for n in range(1, indicators_per_objective + 1):
            Indicator.objects.create(
                objective=objective,
                position=n,
                name=f"Indikator {m}.{n}",
                unit="%",
                target=Decimal(70 + 10 * n + m),
            )
        for n in range(1, programmes_per_objective + 1):
            Programme.objects.create(
                objective=objective,
                position=n,
                name=f"Program {m}.{n}",
                budget=Decimal(m * 100_000_000),
            )
    return agreement
