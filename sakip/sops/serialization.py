"""An SOP as a JSON document: the format of export_sop, import_sop and the shipped default SOP."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.text import slugify

from sakip.sops.definition import StepSpec, definition_errors
from sakip.sops.models import Actor, Sop, Step

FORMAT = "sakip.sop/1"
TEXT_FIELDS = (
    "instansi",
    "nomor",
    "tanggal_pembuatan",
    "tanggal_revisi",
    "tanggal_efektif",
    "disahkan_oleh",
    "nama",
    "kualifikasi_pelaksana",
    "peralatan",
    "peringatan",
)
LIST_FIELDS = ("dasar_hukum", "keterkaitan", "pencatatan")
REQUIRED_TEXT = ("instansi", "nama")
STEP_TEXT = ("activity", "requirement", "output", "notes")


class SopFileError(ValueError):
    """A file that cannot become an SOP; the message names the offending field."""


def sop_to_dict(sop: Sop) -> dict[str, Any]:
    identity: dict[str, Any] = {name: getattr(sop, name) for name in TEXT_FIELDS}
    identity.update({name: list(getattr(sop, name)) for name in LIST_FIELDS})
    actors = list(sop.actors.select_related("group").order_by("position"))
    return {
        "format": FORMAT,
        "slug": sop.slug,
        "identity": {name: identity[name] for name in (*TEXT_FIELDS, *LIST_FIELDS)},
        "actors": [{"name": a.name, "group": a.group.name} for a in actors],
        "steps": [
            {
                "number": s.number,
                "activity": s.activity,
                "actor": s.actor.name,
                "kind": s.kind,
                "requirement": s.requirement,
                "duration": s.duration,
                "duration_unit": s.duration_unit,
                "output": s.output,
                "notes": s.notes,
                "return_to": s.return_to,
            }
            for s in sop.steps.select_related("actor").order_by("number")
        ],
    }


def _require(condition: bool, field: str, message: str) -> None:
    if not condition:
        raise SopFileError(f"{field}: {message}")


def _check_keys(obj: dict[str, Any], where: str, allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(obj) - set(allowed))
    _require(not unknown, where, f"unknown field(s) {', '.join(unknown)}")
    missing = [key for key in allowed if key not in obj]
    _require(not missing, where, f"missing field(s) {', '.join(missing)}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_sop_dict(data: Any) -> None:
    """Raise SopFileError naming the first field that is malformed or inconsistent."""
    _require(isinstance(data, dict), "(file)", "must be a JSON object")
    _check_keys(data, "(file)", ("format", "slug", "identity", "actors", "steps"))
    _require(data["format"] == FORMAT, "format", f"must be {FORMAT!r}")
    slug = data["slug"]
    _require(
        isinstance(slug, str) and slug != "" and slugify(slug) == slug and len(slug) <= 80,
        "slug",
        "must be a short code of lowercase letters, digits and hyphens",
    )

    identity = data["identity"]
    _require(isinstance(identity, dict), "identity", "must be an object")
    _check_keys(identity, "identity", (*TEXT_FIELDS, *LIST_FIELDS))
    for name in TEXT_FIELDS:
        _require(isinstance(identity[name], str), f"identity.{name}", "must be text")
    for name in REQUIRED_TEXT:
        _require(identity[name].strip() != "", f"identity.{name}", "must not be empty")
    for name in LIST_FIELDS:
        value = identity[name]
        _require(
            isinstance(value, list) and all(isinstance(v, str) for v in value),
            f"identity.{name}",
            "must be a list of texts",
        )
    for name, limit in (("nomor", 120), ("nama", 300)):
        _require(len(identity[name]) <= limit, f"identity.{name}", f"at most {limit} characters")

    actors = data["actors"]
    _require(isinstance(actors, list) and actors, "actors", "must be a non-empty list")
    names: set[str] = set()
    for i, actor in enumerate(actors):
        where = f"actors[{i}]"
        _require(isinstance(actor, dict), where, "must be an object")
        _check_keys(actor, where, ("name", "group"))
        for key in ("name", "group"):
            value = actor[key]
            _require(isinstance(value, str) and value.strip() != "", f"{where}.{key}", "must be non-empty text")
        _require(actor["name"] not in names, f"{where}.name", f"{actor['name']!r} appears twice")
        names.add(actor["name"])

    steps = data["steps"]
    _require(isinstance(steps, list), "steps", "must be a list")
    units = set(Step.TimeUnit.values)
    kinds = set(Step.Kind.values)
    specs = []
    for i, step in enumerate(steps):
        where = f"steps[{i}]"
        _require(isinstance(step, dict), where, "must be an object")
        _check_keys(
            step,
            where,
            (
                "number",
                "activity",
                "actor",
                "kind",
                "requirement",
                "duration",
                "duration_unit",
                "output",
                "notes",
                "return_to",
            ),
        )
        _require(
            _is_int(step["number"]) and step["number"] >= 1, f"{where}.number", "must be a whole number of 1 or more"
        )
        for key in STEP_TEXT:
            _require(isinstance(step[key], str), f"{where}.{key}", "must be text")
        _require(step["activity"].strip() != "", f"{where}.activity", "must not be empty")
        _require(step["actor"] in names, f"{where}.actor", f"{step['actor']!r} is not one of the actors")
        _require(step["kind"] in kinds, f"{where}.kind", f"must be one of {', '.join(sorted(kinds))}")
        _require(
            _is_int(step["duration"]) and step["duration"] > 0,
            f"{where}.duration",
            "must be a whole number greater than zero",
        )
        _require(step["duration_unit"] in units, f"{where}.duration_unit", f"must be one of {', '.join(sorted(units))}")
        _require(
            step["return_to"] is None or _is_int(step["return_to"]),
            f"{where}.return_to",
            "must be a step number or null",
        )
        specs.append(
            StepSpec(
                number=step["number"],
                kind=step["kind"],
                has_actor=True,
                duration=step["duration"],
                return_to=step["return_to"],
            )
        )
    errors = definition_errors(specs)
    _require(not errors, "steps", " ".join(errors))


def sop_from_dict(data: dict[str, Any], *, by=None, revision_note: str = "") -> Sop:
    """Create the SOP (or its next revision) from a checked dict. Call inside a transaction."""
    from django.contrib.auth.models import Group

    check_sop_dict(data)
    identity = data["identity"]
    previous = Sop.objects.filter(slug=data["slug"]).order_by("-revision").first()
    sop = Sop(
        slug=data["slug"],
        revision=previous.revision + 1 if previous else 1,
        created_by=by,
        revision_note=revision_note,
        **{name: identity[name] for name in (*TEXT_FIELDS, *LIST_FIELDS)},
    )
    try:
        sop.full_clean(exclude=["created_by"])
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise SopFileError(f"identity.{field}: {' '.join(messages)}") from None
    sop.save()
    actors = {}
    for position, row in enumerate(data["actors"], start=1):
        group, _created = Group.objects.get_or_create(name=row["group"])
        actors[row["name"]] = Actor.objects.create(sop=sop, position=position, name=row["name"], group=group)
    Step.objects.bulk_create(Step(sop=sop, **{**row, "actor": actors[row["actor"]]}) for row in data["steps"])
    return sop
