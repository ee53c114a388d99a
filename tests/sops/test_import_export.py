"""export_sop and import_sop: the file format, the round trip, and refusing a bad file without a trace."""

import copy
import json
import re
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError

from sakip.sops.management.commands.load_default_sop import DEFAULT_SOP
from sakip.sops.models import Actor, Sop, Step
from sakip.sops.serialization import sop_to_dict
from tests.sops.factories import make_sop, sop_data

pytestmark = pytest.mark.django_db

NEW_GROUP = "Kelompok Baru Dari Berkas"


def export(*args: str) -> str:
    out = StringIO()
    call_command("export_sop", *args, stdout=out)
    return out.getvalue()


def import_file(path) -> str:
    out = StringIO()
    call_command("import_sop", str(path), stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Sop, Actor, Step, Group)}


def default_data() -> dict:
    return json.loads(DEFAULT_SOP.read_text(encoding="utf-8"))


def write_json(tmp_path, data, name="sop.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


# --- export ---------------------------------------------------------------


def test_it_exports_the_default_sop_exactly_as_shipped(default_sop):
    assert export("pengukuran-kinerja") == DEFAULT_SOP.read_text(encoding="utf-8")


def test_it_exports_the_identity_actors_and_steps(default_sop):
    data = json.loads(export("pengukuran-kinerja"))
    assert list(data) == ["format", "slug", "identity", "actors", "steps"]
    assert data["format"] == "sakip.sop/1"
    assert data["slug"] == "pengukuran-kinerja"
    assert data["identity"]["instansi"] == "PEMERINTAH KABUPATEN LAMONGAN\nDINAS TENAGA KERJA"
    assert data["actors"][2] == {"name": "Sek. Tim SAKIP", "group": "Sekretaris Tim SAKIP"}
    assert [s["number"] for s in data["steps"]] == [1, 2, 3, 4, 5, 6, 7]
    assert data["steps"][4]["kind"] == "decision"
    assert data["steps"][4]["return_to"] == 4
    assert "revision" not in data
    assert "created_at" not in data


def test_it_writes_readable_utf8_with_two_space_indent_and_a_trailing_newline():
    make_sop(slug="sop-unicode", nama="Pengukuran — Kinerja «uji» é")
    text = export("sop-unicode")
    assert '  "slug": "sop-unicode",\n' in text
    assert "Pengukuran — Kinerja «uji» é" in text
    assert "\\u" not in text
    assert text.endswith("}\n")
    assert not text.endswith("\n\n")


def test_it_exports_the_newest_revision_by_default():
    make_sop(slug="sop-rev", nama="Nama lama")
    make_sop(slug="sop-rev", nama="Nama baru")
    assert json.loads(export("sop-rev"))["identity"]["nama"] == "Nama baru"


def test_it_exports_an_older_revision_on_request():
    make_sop(slug="sop-rev", nama="Nama lama")
    make_sop(slug="sop-rev", nama="Nama baru")
    assert json.loads(export("sop-rev", "--revision", "1"))["identity"]["nama"] == "Nama lama"


def test_it_writes_the_output_file(tmp_path, default_sop):
    target = tmp_path / "out.json"
    printed = export("pengukuran-kinerja", "--output", str(target))
    assert target.read_bytes() == DEFAULT_SOP.read_bytes()
    assert str(target) in printed
    assert "{" not in printed


def test_it_refuses_an_unknown_slug(default_sop):
    with pytest.raises(CommandError, match=r"^No SOP with code 'tidak-ada'\.$"):
        export("tidak-ada")


def test_it_refuses_an_unknown_revision(default_sop):
    with pytest.raises(CommandError, match=r"^SOP 'pengukuran-kinerja' has no revision 3 \(its revisions: 1\)\.$"):
        export("pengukuran-kinerja", "--revision", "3")


# --- round trip -----------------------------------------------------------


def test_it_round_trips_the_default_sop_byte_for_byte(tmp_path, default_sop):
    first = export("pengukuran-kinerja")
    path = tmp_path / "sop.json"
    path.write_text(first, encoding="utf-8")
    import_file(path)
    assert Sop.objects.latest_of("pengukuran-kinerja").revision == 2
    assert export("pengukuran-kinerja") == first
    assert export("pengukuran-kinerja", "--revision", "1") == first


def test_it_round_trips_a_larger_sop_into_a_new_code(tmp_path):
    make_sop(
        slug="sop-besar",
        steps=9,
        decisions={5: 4, 8: 2},
        actors=["Kepala Dinas", "Sekretaris", "Staf — Umum"],
        instansi="PEMERINTAH\nDINAS",
        dasar_hukum=["Perbup № 1", "Perda 2"],
        disahkan_oleh="Kepala Dinas\nttd.",
    )
    first = export("sop-besar")
    # Step.actor is PROTECT, which also blocks the cascade from Sop: the steps go first.
    Step.objects.filter(sop__slug="sop-besar").delete()
    Sop.objects.filter(slug="sop-besar").delete()
    path = tmp_path / "sop.json"
    path.write_text(first, encoding="utf-8")
    import_file(path)
    assert Sop.objects.get(slug="sop-besar").revision == 1
    assert export("sop-besar") == first


# --- import ---------------------------------------------------------------


def test_it_imports_a_new_sop_as_revision_one(tmp_path):
    path = write_json(tmp_path, sop_data(slug="sop-baru", steps=4, decisions={3: 2}))
    printed = import_file(path)
    sop = Sop.objects.get(slug="sop-baru")
    assert sop.revision == 1
    assert [(s.number, s.kind, s.actor.name, s.return_to) for s in sop.ordered_steps()] == [
        (1, "start", "Kepala", None),
        (2, "process", "Staf", None),
        (3, "decision", "Kepala", 2),
        (4, "end", "Staf", None),
    ]
    assert [(a.position, a.name, a.group.name) for a in sop.actors.order_by("position")] == [
        (1, "Kepala", "Kepala"),
        (2, "Staf", "Staf"),
    ]
    assert "Created new SOP 'sop-baru' revision 1: SOP Uji sop-baru (2 actors, 4 steps)." in printed
    assert "Created group(s) 'Kepala', 'Staf'" in printed


def test_it_imports_an_existing_code_as_the_next_revision(tmp_path, default_sop):
    before = sop_to_dict(default_sop)
    data = default_data()
    data["identity"]["tanggal_revisi"] = "Februari 2026"
    data["steps"][1]["duration"] = 45
    printed = import_file(write_json(tmp_path, data))

    assert list(Sop.objects.filter(slug="pengukuran-kinerja").values_list("revision", flat=True)) == [2, 1]
    new = Sop.objects.get(slug="pengukuran-kinerja", revision=2)
    assert new.tanggal_revisi == "Februari 2026"
    assert new.steps.get(number=2).duration == 45
    old = Sop.objects.get(pk=default_sop.pk)
    assert old.revision == 1
    assert sop_to_dict(old) == before
    assert old.steps.get(number=2).duration == 20
    assert "Created new revision 'pengukuran-kinerja' revision 2" in printed
    assert "group" not in printed


def test_it_keeps_the_revision_note(tmp_path, default_sop):
    call_command("import_sop", str(write_json(tmp_path, default_data())), "--note", "Waktu diubah", stdout=StringIO())
    assert Sop.objects.latest_of("pengukuran-kinerja").revision_note == "Waktu diubah"


def test_it_refuses_a_note_longer_than_the_database_holds(tmp_path, default_sop):
    before = counts()
    with pytest.raises(CommandError, match=r"^revision_note: "):
        call_command("import_sop", str(write_json(tmp_path, bad_base())), "--note", "x" * 301, stdout=StringIO())
    assert counts() == before
    assert not Group.objects.filter(name=NEW_GROUP).exists()


def test_it_accepts_steps_in_any_order_and_stores_them_by_number(tmp_path):
    data = sop_data(slug="sop-acak", steps=5, decisions={4: 2})
    data["steps"].reverse()
    import_file(write_json(tmp_path, data))
    sop = Sop.objects.get(slug="sop-acak")
    assert [s.number for s in sop.ordered_steps()] == [1, 2, 3, 4, 5]
    assert [s["number"] for s in json.loads(export("sop-acak"))["steps"]] == [1, 2, 3, 4, 5]


def test_it_accepts_a_utf8_file_with_a_byte_order_mark(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(sop_data(slug="sop-bom")).encode())
    import_file(path)
    assert Sop.objects.filter(slug="sop-bom").exists()


def test_it_creates_the_new_group_of_a_good_file(tmp_path, default_sop):
    # The control for the malformed cases below: this file, unchanged, would create NEW_GROUP.
    import_file(write_json(tmp_path, bad_base()))
    assert Group.objects.filter(name=NEW_GROUP).exists()


# --- malformed files ------------------------------------------------------


def bad_base() -> dict:
    """The default SOP with one actor held by a group that does not exist yet."""
    data = default_data()
    data["actors"][1]["group"] = NEW_GROUP
    return data


def setting(path: str, value):
    """A change to bad_base(): ``path`` like "steps[2].duration"; value DELETE removes the key."""

    def change(data):
        *parents, last = re.findall(r"[^.\[\]]+", path)
        target = data
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        key = int(last) if last.isdigit() else last
        if value is DELETE:
            del target[key]
        else:
            target[key] = value

    return change


DELETE = object()


def several(*changes):
    def change(data):
        for c in changes:
            c(data)

    return change


def drop_step_4(data):
    del data["steps"][3]


BAD_DATA = {
    "wrong format tag": (setting("format", "sakip.sop/2"), "format: must be 'sakip.sop/1' (found 'sakip.sop/2')"),
    "missing format tag": (setting("format", DELETE), "format: missing"),
    "missing slug": (setting("slug", DELETE), "slug: missing"),
    "missing identity field": (setting("identity.nama", DELETE), "identity.nama: missing"),
    "missing step field": (setting("steps[2].output", DELETE), "steps[2].output: missing"),
    "unknown top-level key": (setting("komentar", "x"), "komentar: unknown field"),
    "unknown identity key": (setting("identity.nomor_sop", "1"), "identity.nomor_sop: unknown field"),
    "unknown actor key": (setting("actors[0].jabatan", "x"), "actors[0].jabatan: unknown field"),
    "unknown step key": (setting("steps[3].warna", "merah"), "steps[3].warna: unknown field"),
    "empty object": (lambda d: d.clear(), "format: missing: this is not a sakip.sop/1 file"),
    "identity not an object": (setting("identity", []), "identity: must be a JSON object"),
    "step not an object": (setting("steps[1]", "langkah"), "steps[1]: must be a JSON object"),
    "steps not a list": (setting("steps", {}), "steps: must be a list"),
    "no steps": (setting("steps", []), "steps: must hold at least a start step and an end step"),
    "no actors": (setting("actors", []), "actors: must be a non-empty list"),
    "identity text not text": (setting("identity.nomor", 12), "identity.nomor: must be text"),
    "identity list not a list": (setting("identity.dasar_hukum", "PP 8/2006"), "identity.dasar_hukum: must be a list"),
    "identity list item not text": (setting("identity.keterkaitan[1]", 2), "identity.keterkaitan[1]: must be text"),
    "empty name": (setting("identity.nama", "  "), "identity.nama: must not be empty"),
    "bad slug": (setting("slug", "Pengukuran Kinerja"), "slug: must be a short code"),
    "duration zero": (setting("steps[2].duration", 0), "steps[2].duration: must be a whole number greater than zero"),
    "duration negative": (setting("steps[2].duration", -1), "steps[2].duration: must be a whole number"),
    "duration string": (setting("steps[2].duration", "1 hari"), "steps[2].duration: must be a whole number"),
    "duration fraction": (setting("steps[2].duration", 1.5), "steps[2].duration: must be a whole number"),
    "duration boolean": (setting("steps[2].duration", True), "steps[2].duration: must be a whole number"),
    "duration too large": (setting("steps[2].duration", 2**31), "steps[2].duration: must be a whole number"),
    "unknown time unit": (setting("steps[2].duration_unit", "days"), "steps[2].duration_unit: must be one of"),
    "unknown kind": (setting("steps[1].kind", "mulai"), "steps[1].kind: must be one of"),
    "kind not text": (setting("steps[1].kind", ["process"]), "steps[1].kind: must be one of"),
    "number string": (setting("steps[2].number", "3"), "steps[2].number: must be a whole number from 1 to 32767"),
    "number zero": (setting("steps[0].number", 0), "steps[0].number: must be a whole number from 1"),
    "number too large": (setting("steps[6].number", 40000), "steps[6].number: must be a whole number from 1 to 32767"),
    "return_to string": (setting("steps[4].return_to", "4"), "steps[4].return_to: must be a step number or null"),
    "decision without return_to": (
        setting("steps[4].return_to", None),
        "steps[4].return_to: step 5 is a decision, so it needs the earlier step a draft goes back to",
    ),
    "return_to later than decision": (
        setting("steps[4].return_to", 6),
        "steps[4].return_to: step 6 is not earlier than the decision (step 5)",
    ),
    "return_to to itself": (
        setting("steps[4].return_to", 5),
        "steps[4].return_to: step 5 is not earlier than the decision (step 5)",
    ),
    "return_to to a missing step": (drop_step_4, "steps[3].return_to: step 4 does not exist"),
    "return_to on a process step": (
        setting("steps[1].return_to", 1),
        "steps[1].return_to: must be null: step 2 is not a decision",
    ),
    "duplicate numbers": (setting("steps[2].number", 2), "steps[2].number: step number 2 is already used by steps[1]"),
    "no start": (setting("steps[0].kind", "process"), "steps[0].kind: the first step must be the start step"),
    "two starts": (setting("steps[2].kind", "start"), "steps[2].kind: a second start step (steps[0] is one)"),
    "start not first": (
        several(setting("steps[0].kind", "process"), setting("steps[1].kind", "start")),
        "steps[1].kind: the start step must be the first step by number, but step 1 is",
    ),
    "no end": (setting("steps[6].kind", "process"), "steps[6].kind: the last step must be the end step"),
    "two ends": (setting("steps[3].kind", "end"), "steps[3].kind: a second end step (steps[6] is one)"),
    "end not last": (
        several(setting("steps[6].kind", "process"), setting("steps[3].kind", "end")),
        "steps[3].kind: the end step must be the last step by number, but step 7 is",
    ),
    "actor not among actors": (
        setting("steps[2].actor", "Kepala Dinas"),
        "steps[2].actor: 'Kepala Dinas' is not one of the actors",
    ),
    "actor not text": (setting("steps[2].actor", ["Sekretaris"]), "steps[2].actor: must be text"),
    "duplicate actor names": (
        setting("actors[3].name", "Sekretaris"),
        "actors[3].name: 'Sekretaris' is already the name of actors[0]",
    ),
    "actor name with spaces around": (
        setting("actors[0].name", " Sekretaris"),
        "actors[0].name: must not start or end with spaces",
    ),
    "group name with spaces around": (
        setting("actors[0].group", "Sekretaris "),
        "actors[0].group: must not start or end with spaces",
    ),
    "empty group": (setting("actors[2].group", ""), "actors[2].group: must not be empty"),
    "empty activity": (setting("steps[2].activity", " "), "steps[2].activity: must not be empty"),
    "NUL character": (setting("steps[2].notes", "a\x00b"), "steps[2].notes: must not contain a NUL character"),
    "actor name too long": (setting("actors[0].name", "A" * 121), "actors[0].name: at most 120 characters (has 121)"),
    "group name too long": (setting("actors[0].group", "G" * 151), "actors[0].group: at most 150 characters (has 151)"),
    "slug too long": (setting("slug", "a" * 81), "slug: at most 80 characters (has 81)"),
    "nomor too long": (setting("identity.nomor", "1" * 121), "identity.nomor: at most 120 characters"),
    "nama too long": (setting("identity.nama", "N" * 301), "identity.nama: at most 300 characters"),
    "date too long": (setting("identity.tanggal_revisi", "J" * 61), "identity.tanggal_revisi: at most 60 characters"),
}


@pytest.mark.parametrize("change, message", BAD_DATA.values(), ids=BAD_DATA.keys())
def test_it_refuses_a_malformed_file_and_changes_nothing(tmp_path, default_sop, change, message):
    data = bad_base()
    change(data)
    path = write_json(tmp_path, data)
    before = counts()
    with pytest.raises(CommandError) as caught:
        import_file(path)
    assert str(caught.value).startswith(message)
    assert counts() == before
    assert not Group.objects.filter(name=NEW_GROUP).exists()
    assert list(Sop.objects.values_list("slug", "revision")) == [("pengukuran-kinerja", 1)]


def json_text() -> str:
    return json.dumps(bad_base(), ensure_ascii=False, indent=2)


BAD_FILES = {
    "not JSON": (b"{ this is not JSON", "(file): not valid JSON: "),
    "truncated JSON": (json_text()[:200].encode(), "(file): not valid JSON: "),
    "not UTF-8": (json_text().replace("Angota", "Anggöta").encode("latin-1"), "(file): not UTF-8 text"),
    "JSON but not an object": (b"[1, 2, 3]", "(file): must be a JSON object"),
    "empty file": (b"", "(file): not valid JSON: "),
    "duplicate key": (
        json_text().replace('"duration": 20,', '"duration": 20,\n      "duration": 30,').encode(),
        "steps[1].duration: appears more than once",
    ),
    "unpaired surrogate escape": (
        json_text().replace("Surat masuk", "Surat \\ud800 masuk").encode(),
        "steps[0].requirement: contains an invalid \\u escape",
    ),
}


@pytest.mark.parametrize("content, message", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_it_refuses_a_file_that_is_not_utf8_json_and_changes_nothing(tmp_path, default_sop, content, message):
    path = tmp_path / "sop.json"
    path.write_bytes(content)
    before = counts()
    with pytest.raises(CommandError) as caught:
        import_file(path)
    assert str(caught.value).startswith(message)
    assert counts() == before
    assert not Group.objects.filter(name=NEW_GROUP).exists()


def test_it_refuses_a_missing_file(tmp_path, default_sop):
    before = counts()
    with pytest.raises(CommandError, match=r"^Cannot read .*nowhere\.json: No such file or directory\.$"):
        import_file(tmp_path / "nowhere.json")
    assert counts() == before


def test_it_refuses_the_second_error_after_the_first_is_fixed(tmp_path, default_sop):
    # One field at a time, in file order: the administrator fixes and retries.
    data = bad_base()
    data["steps"][2]["duration"] = 0
    data["steps"][5]["return_to"] = 9
    with pytest.raises(CommandError, match=r"^steps\[2\]\.duration: "):
        import_file(write_json(tmp_path, data))
    fixed = copy.deepcopy(data)
    fixed["steps"][2]["duration"] = 1
    with pytest.raises(CommandError, match=r"^steps\[5\]\.return_to: step 9 is not earlier"):
        import_file(write_json(tmp_path, fixed))
    assert Sop.objects.count() == 1
