"""Small SOPs for tests, built through the same path as an imported file (sop_from_dict).

    make_sop()                                   # 3 steps: start, process, end; two actors
    make_sop(slug="cuti", steps=9, decisions={5: 4, 7: 2})
    make_sop(steps=4, actors=["Kepala", "Staf"], step_actors={2: "Staf"})

Each actor's group is named like the actor unless ``groups`` says otherwise, so
``make_user("u", "Staf")`` from tests/conftest.py gives a person who acts for
the "Staf" column.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction

from sakip.sops.models import Sop
from sakip.sops.serialization import FORMAT, sop_from_dict

DEFAULT_ACTORS = ("Kepala", "Staf")


def sop_data(
    *,
    slug: str = "sop-uji",
    steps: int = 3,
    decisions: Mapping[int, int] | None = None,
    actors: Sequence[str] = DEFAULT_ACTORS,
    groups: Mapping[str, str] | None = None,
    step_actors: Mapping[int, str] | None = None,
    **identity: Any,
) -> dict[str, Any]:
    """A sakip.sop/1 dict of ``steps`` steps numbered 1..N.

    Step 1 is the start and step N the end; ``decisions`` maps a decision's
    number to the step it returns to; every other step is a process. Steps go
    to the actors in turn (step 1 to the first) unless ``step_actors`` names
    the actor of a step. ``identity`` overrides fields of the identity block.
    """
    if steps < 2:
        raise ValueError("An SOP needs at least a start step and an end step.")
    decisions = dict(decisions or {})
    groups = dict(groups or {})
    step_actors = dict(step_actors or {})

    def kind(n: int) -> str:
        if n == 1:
            return "start"
        if n == steps:
            return "end"
        return "decision" if n in decisions else "process"

    return {
        "format": FORMAT,
        "slug": slug,
        "identity": {
            "instansi": "PEMERINTAH KABUPATEN UJI\nDINAS UJI",
            "nomor": "",
            "tanggal_pembuatan": "Januari 2026",
            "tanggal_revisi": "Januari 2026",
            "tanggal_efektif": "Januari 2026",
            "disahkan_oleh": "",
            "nama": f"SOP Uji {slug}",
            "kualifikasi_pelaksana": "",
            "peralatan": "",
            "peringatan": "",
            "dasar_hukum": [],
            "keterkaitan": [],
            "pencatatan": [],
            **identity,
        },
        "actors": [{"name": name, "group": groups.get(name, name)} for name in actors],
        "steps": [
            {
                "number": n,
                "activity": f"Langkah {n}",
                "actor": step_actors.get(n, actors[(n - 1) % len(actors)]),
                "kind": kind(n),
                "requirement": "",
                "duration": 10,
                "duration_unit": "minutes",
                "output": f"Hasil langkah {n}",
                "notes": "",
                "return_to": decisions.get(n),
            }
            for n in range(1, steps + 1)
        ],
    }


def make_sop(*, by=None, revision_note: str = "", **kwargs: Any) -> Sop:
    """A saved SOP (or the next revision of ``slug``); takes the arguments of sop_data()."""
    with transaction.atomic():
        return sop_from_dict(sop_data(**kwargs), by=by, revision_note=revision_note)
