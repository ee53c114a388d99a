"""The shipped default SOP matches the project's reading of the office's sheet, field for field.

The expected values are parsed from sakip/sops/defaults/pengukuran-kinerja.md (the project's
reading, kept beside the data it describes) rather than copied here, so the page and the data
cannot drift apart unseen.
"""

import re
from dataclasses import dataclass
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command

from sakip.sops.models import Actor, Sop, Step

SHEET = settings.BASE_DIR / "sakip" / "sops" / "defaults" / "pengukuran-kinerja.md"

pytestmark = pytest.mark.django_db

# Row label in the page's identity table -> field of Sop.
IDENTITY_FIELDS = {
    "Instansi": "instansi",
    "Nomor SOP": "nomor",
    "Tgl. pembuatan / revisi / efektif": ("tanggal_pembuatan", "tanggal_revisi", "tanggal_efektif"),
    "Disahkan oleh": "disahkan_oleh",
    "Nama SOP": "nama",
    "Dasar hukum": "dasar_hukum",
    "Kualifikasi pelaksana": "kualifikasi_pelaksana",
    "Keterkaitan": "keterkaitan",
    "Peralatan / perlengkapan": "peralatan",
    "Peringatan": "peringatan",
    "Pencatatan dan pendataan": "pencatatan",
}
LIST_FIELDS = {"dasar_hukum", "keterkaitan", "pencatatan"}
UNITS = {"menit": "minutes", "hari": "working_days"}


@dataclass(frozen=True)
class ExpectedStep:
    number: int
    actor: str
    activity: str
    requirement: str
    duration: int
    duration_unit: str
    output: str
    kind: str
    notes: str
    return_to: int | None


@pytest.fixture(scope="module")
def sheet() -> dict[str, list[str]]:
    """The page's sections: heading -> lines."""
    sections: dict[str, list[str]] = {}
    current = ""
    for line in SHEET.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
            sections[current] = []
        elif current:
            sections[current].append(line)
    return sections


def section(sheet: dict[str, list[str]], prefix: str) -> list[str]:
    [lines] = [lines for heading, lines in sheet.items() if heading.startswith(prefix)]
    return lines


def table(lines: list[str]) -> list[list[str]]:
    """The body rows of the first markdown table in ``lines``, cells stripped."""
    rows = [line.strip() for line in lines if line.strip().startswith("|")]
    header, separator, *body = rows
    assert set(separator) <= set("|- ")
    width = header.count("|")
    assert all(row.count("|") == width for row in body), "a cell contains a '|'; the parser cannot split it"
    return [[cell.strip() for cell in row[1:-1].split("|")] for row in body]


def expected_identity(sheet) -> dict[str, object]:
    rows = dict(table(section(sheet, "Identity block")))
    assert set(rows) == set(IDENTITY_FIELDS), "the page's identity table has rows this test does not know"
    expected: dict[str, object] = {}
    for label, value in rows.items():
        field = IDENTITY_FIELDS[label]
        if label == "Instansi":
            expected[field] = value.replace(" — ", "\n")
        elif label == "Nomor SOP":
            expected[field] = re.fullmatch(r"`([^`]*)`.*", value).group(1)
        elif label.startswith("Tgl."):
            dates = value.split(" / ")
            assert len(dates) == 3
            expected.update(zip(field, dates, strict=True))
        elif label == "Disahkan oleh":
            expected[field] = "" if value.startswith("(blank") else value
        elif field in LIST_FIELDS:
            expected[field] = [re.sub(r"^\d+\.\s+", "", item) for item in value.split(" · ")]
        else:
            expected[field] = value
    return expected


def expected_actors(sheet) -> list[tuple[str, str]]:
    """(name on the sheet, group): the group is the full title in parentheses, if the page gives one."""
    actors = []
    for line in section(sheet, "Actors"):
        match = re.fullmatch(r"\d+\. ([^(]+?)(?: \((.+)\))?", line.strip())
        if match:
            actors.append((match.group(1), match.group(2) or match.group(1)))
    return actors


def expected_steps(sheet) -> list[ExpectedStep]:
    steps = []
    for no, actor, activity, requirement, waktu, output, ket in table(section(sheet, "Steps")):
        amount, unit = re.fullmatch(r"(\d+) (\w+)", waktu).groups()
        number = int(no)
        if ket.startswith("decision:"):
            kind, notes, return_to = "decision", "", int(re.search(r"return → step (\d+)", ket).group(1))
        elif ket == "end":
            kind, notes, return_to = "end", "", None
        else:
            kind, notes, return_to = ("start" if number == 1 else "process"), ket, None
        steps.append(
            ExpectedStep(
                number=number,
                actor=actor,
                # "*(reconstructed)*" and the like are the page's remarks, not the sheet's text.
                activity=re.sub(r"\s*\*\([^)]*\)\*", "", activity).strip(),
                requirement=requirement,
                duration=int(amount),
                duration_unit=UNITS[unit],
                output=output,
                kind=kind,
                notes=notes,
                return_to=return_to,
            )
        )
    return steps


@pytest.fixture
def loaded() -> Sop:
    call_command("load_default_sop", stdout=StringIO())
    return Sop.objects.get(slug="pengukuran-kinerja")


def test_it_loads_one_revision(loaded):
    assert list(Sop.objects.values_list("slug", "revision")) == [("pengukuran-kinerja", 1)]


def test_it_matches_the_identity_block(sheet, loaded):
    expected = expected_identity(sheet)
    assert len(expected) == 13
    assert {field: getattr(loaded, field) for field in expected} == expected


def test_it_matches_the_actors_in_column_order(sheet, loaded):
    actors = [(a.position, a.name, a.group.name) for a in loaded.actors.select_related("group").order_by("position")]
    expected = [(i, name, group) for i, (name, group) in enumerate(expected_actors(sheet), start=1)]
    assert len(expected) == 4
    assert actors == expected


def test_it_matches_the_steps(sheet, loaded):
    steps = [
        ExpectedStep(
            number=s.number,
            actor=s.actor.name,
            activity=s.activity,
            requirement=s.requirement,
            duration=s.duration,
            duration_unit=s.duration_unit,
            output=s.output,
            kind=s.kind,
            notes=s.notes,
            return_to=s.return_to,
        )
        for s in loaded.ordered_steps()
    ]
    expected = expected_steps(sheet)
    assert len(expected) == 7
    assert [s.number for s in steps] == [s.number for s in expected]
    for got, want in zip(steps, expected, strict=True):
        assert got == want


def test_it_parses_the_page_as_intended(sheet):
    # Guards the parser itself, so a parsing slip cannot make both sides agree on nonsense.
    identity = expected_identity(sheet)
    assert identity["instansi"] == "PEMERINTAH KABUPATEN LAMONGAN\nDINAS TENAGA KERJA"
    assert identity["nomor"] == "/ SOP / DISNAKER / 2020"
    assert identity["disahkan_oleh"] == ""
    assert identity["keterkaitan"][2] == "Penyusunan Laporan Kinerja Instansi Pemerintah (LKJIP)"
    assert expected_actors(sheet)[2] == ("Sek. Tim SAKIP", "Sekretaris Tim SAKIP")
    steps = {s.number: s for s in expected_steps(sheet)}
    assert (steps[3].duration, steps[3].duration_unit, steps[3].notes) == (1, "working_days", "SOP rapat internal")
    assert (steps[5].kind, steps[5].return_to) == ("decision", 4)
    assert (
        steps[6].activity
        == "Menandatangani dokumen pengukuran kinerja; jika tidak setuju dikembalikan untuk diperbaiki"
    )
    assert (steps[7].kind, steps[7].duration, steps[7].duration_unit) == ("end", 30, "minutes")


def test_it_keeps_the_office_typos_verbatim(loaded):
    steps = {s.number: s for s in loaded.ordered_steps()}
    assert "anggota tim sakiip untuk" in steps[2].activity
    assert "Sek. tim sakiip berdasarkan" in steps[3].requirement
    assert steps[4].activity.startswith("Angota Tim ")
    assert "data pengkuran kinerja" in steps[5].activity
    assert "mengandakan" in steps[7].activity
    assert "tata cara reuiv atas" in loaded.dasar_hukum[1]
    assert "tentang tentang" in loaded.dasar_hukum[0]


def test_it_loads_nothing_the_second_time(loaded):
    before = {model.__name__: model.objects.count() for model in (Sop, Actor, Step, Group)}
    assert before == {"Sop": 1, "Actor": 4, "Step": 7, "Group": 4}
    out = StringIO()
    call_command("load_default_sop", stdout=out)
    assert "nothing changed" in out.getvalue()
    assert {model.__name__: model.objects.count() for model in (Sop, Actor, Step, Group)} == before
