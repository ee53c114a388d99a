"""An SOP as a JSON document: the format of export_sop, import_sop and the shipped default SOP."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
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
FILE_KEYS = ("format", "slug", "identity", "actors", "steps")
ACTOR_KEYS = ("name", "group")
STEP_KEYS = (
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
)
# Yes/no properties of a step that the workflow reads. Optional in a file
# (absent means no), always written by export.
STEP_FLAGS = ("attachment_required", "edits_content", "is_signature", "needs_other_person", "records_distribution")
# Optional texts of a step (absent means empty), always written by export.
STEP_OPTIONAL_TEXT = ("signs_on_behalf_of",)

# PostgreSQL enforces these limits and SQLite does not, so a file must be
# measured against them here: otherwise it would load in development and fail
# with a DataError in production.
SMALLINT_MAX = 32767  # PositiveSmallIntegerField: Step.number, Step.return_to, Actor.position
INTEGER_MAX = 2147483647  # PositiveIntegerField: Step.duration


def _max_length(model: type[models.Model], name: str) -> int | None:
    return model._meta.get_field(name).max_length


class SopFileError(ValueError):
    """A file that cannot become an SOP; the message starts with the path of the offending field."""


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
                **{flag: getattr(s, flag) for flag in STEP_FLAGS},
                **{name: getattr(s, name) for name in STEP_OPTIONAL_TEXT},
            }
            for s in sop.steps.select_related("actor").order_by("number")
        ],
    }


def sop_to_json(sop: Sop) -> str:
    """The file export_sop writes: stable key order, readable Indonesian text, one trailing newline."""
    return json.dumps(sop_to_dict(sop), ensure_ascii=False, indent=2) + "\n"


class _JsonObject(dict):
    """A JSON object that remembers the keys the file gave twice (json.loads keeps the last silently)."""

    duplicate_keys: tuple[str, ...] = ()


def _object_from_pairs(pairs: list[tuple[str, Any]]) -> _JsonObject:
    obj = _JsonObject(pairs)
    if len(obj) != len(pairs):
        keys = [key for key, _value in pairs]
        obj.duplicate_keys = tuple(key for key in obj if keys.count(key) > 1)
    return obj


def sop_dict_from_json(raw: bytes | str) -> Any:
    """Parse a file's content; SopFileError when it is not UTF-8 JSON. The result still needs check_sop_dict."""
    if isinstance(raw, bytes):
        try:
            # utf-8-sig: Windows editors put a byte order mark at the start of a UTF-8 file.
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SopFileError(f"(file): not UTF-8 text (byte {exc.start}: {exc.reason})") from None
    try:
        return json.loads(raw, object_pairs_hook=_object_from_pairs)
    except json.JSONDecodeError as exc:
        raise SopFileError(f"(file): not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None


def _path(where: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{where}[{key}]"
    return f"{where}.{key}" if where else key


def _require(condition: Any, field: str, message: str) -> None:
    if not condition:
        raise SopFileError(f"{field}: {message}")


def _check_object(obj: Any, where: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> None:
    _require(isinstance(obj, dict), where or "(file)", "must be a JSON object")
    for key in getattr(obj, "duplicate_keys", ()):
        _require(False, _path(where, key), "appears more than once")
    allowed = (*required, *optional)
    for key in obj:
        _require(key in allowed, _path(where, key), f"unknown field (expected: {', '.join(allowed)})")
    for key in required:
        _require(key in obj, _path(where, key), "missing")


def _check_text(value: Any, field: str, *, required: bool = False, max_length: int | None = None) -> None:
    _require(isinstance(value, str), field, "must be text")
    # PostgreSQL stores neither NUL characters nor unpaired surrogates (which
    # json.loads accepts from "\ud800" escapes); both would fail on insert.
    _require("\x00" not in value, field, "must not contain a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise SopFileError(f"{field}: contains an invalid \\u escape (unpaired surrogate)") from None
    if required:
        _require(value.strip() != "", field, "must not be empty")
    if max_length is not None:
        _require(len(value) <= max_length, field, f"at most {max_length} characters (has {len(value)})")


def _check_name(value: Any, field: str, max_length: int | None) -> None:
    _check_text(value, field, required=True, max_length=max_length)
    # " Sekretaris" would silently become a second, empty group that nobody can act for.
    _require(value == value.strip(), field, "must not start or end with spaces")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_sop_dict(data: Any) -> None:
    """Raise SopFileError naming the first field that is malformed or inconsistent."""
    _require(isinstance(data, dict), "(file)", "must be a JSON object")
    _require("format" in data, "format", f"missing: this is not a {FORMAT} file")
    _require(data["format"] == FORMAT, "format", f"must be {FORMAT!r} (found {data['format']!r})")
    _check_object(data, "", FILE_KEYS)

    slug = data["slug"]
    slug_limit = _max_length(Sop, "slug")
    _check_text(slug, "slug", required=True, max_length=slug_limit)
    _require(slugify(slug) == slug, "slug", "must be a short code of lowercase letters, digits and hyphens")

    identity = data["identity"]
    _check_object(identity, "identity", (*TEXT_FIELDS, *LIST_FIELDS))
    for name in TEXT_FIELDS:
        _check_text(
            identity[name],
            f"identity.{name}",
            required=name in REQUIRED_TEXT,
            max_length=_max_length(Sop, name),
        )
    for name in LIST_FIELDS:
        _require(isinstance(identity[name], list), f"identity.{name}", "must be a list of texts")
        for i, item in enumerate(identity[name]):
            _check_text(item, f"identity.{name}[{i}]")

    actors = data["actors"]
    _require(isinstance(actors, list) and actors, "actors", "must be a non-empty list")
    _require(len(actors) <= SMALLINT_MAX, "actors", f"at most {SMALLINT_MAX} actors")
    names: dict[str, int] = {}
    for i, actor in enumerate(actors):
        where = f"actors[{i}]"
        _check_object(actor, where, ACTOR_KEYS)
        _check_name(actor["name"], f"{where}.name", _max_length(Actor, "name"))
        _check_name(actor["group"], f"{where}.group", _max_length(Group, "name"))
        name = actor["name"]
        _require(name not in names, f"{where}.name", f"{name!r} is already the name of actors[{names.get(name)}]")
        names[name] = i

    steps = data["steps"]
    _require(isinstance(steps, list), "steps", "must be a list")
    _require(steps, "steps", "must hold at least a start step and an end step")
    kinds = Step.Kind.values
    units = Step.TimeUnit.values
    for i, step in enumerate(steps):
        where = f"steps[{i}]"
        _check_object(step, where, STEP_KEYS, (*STEP_FLAGS, *STEP_OPTIONAL_TEXT))
        for key in STEP_FLAGS:
            _require(isinstance(step.get(key, False), bool), f"{where}.{key}", "must be true or false")
        for key in STEP_OPTIONAL_TEXT:
            _check_text(step.get(key, ""), f"{where}.{key}", max_length=_max_length(Step, key))
        _require(
            not step.get("signs_on_behalf_of") or step.get("is_signature"),
            f"{where}.signs_on_behalf_of",
            "only the signature step signs, so only it can sign on behalf of someone",
        )
        _require(
            not (step.get("records_distribution") and step.get("is_signature")),
            f"{where}.records_distribution",
            "the distribution is recorded at a step after the signature, not at it",
        )
        number = step["number"]
        _require(
            _is_int(number) and 1 <= number <= SMALLINT_MAX,
            f"{where}.number",
            f"must be a whole number from 1 to {SMALLINT_MAX}",
        )
        for key in STEP_TEXT:
            _check_text(step[key], f"{where}.{key}", required=key == "activity")
        actor = step["actor"]
        _check_text(actor, f"{where}.actor")
        _require(actor in names, f"{where}.actor", f"{actor!r} is not one of the actors")
        _require(
            isinstance(step["kind"], str) and step["kind"] in kinds,
            f"{where}.kind",
            f"must be one of {', '.join(kinds)}",
        )
        duration = step["duration"]
        _require(
            _is_int(duration) and 0 < duration <= INTEGER_MAX,
            f"{where}.duration",
            "must be a whole number greater than zero",
        )
        _require(
            isinstance(step["duration_unit"], str) and step["duration_unit"] in units,
            f"{where}.duration_unit",
            f"must be one of {', '.join(units)}",
        )
        _require(
            step["return_to"] is None or _is_int(step["return_to"]),
            f"{where}.return_to",
            "must be a step number or null",
        )
    _check_consistency(steps)


def _check_consistency(steps: list[dict[str, Any]]) -> None:
    """The rules of definition.py, reported against the step and field of the file that breaks them."""
    index_of: dict[int, int] = {}
    for i, step in enumerate(steps):
        number = step["number"]
        _require(
            number not in index_of,
            f"steps[{i}].number",
            f"step number {number} is already used by steps[{index_of.get(number)}]",
        )
        index_of[number] = i

    # "First" and "last" are by number: the file may list the steps in any order.
    first, last = index_of[min(index_of)], index_of[max(index_of)]
    for kind, edge, word in ((Step.Kind.START, first, "first"), (Step.Kind.END, last, "last")):
        found = [i for i, step in enumerate(steps) if step["kind"] == kind]
        _require(found, f"steps[{edge}].kind", f"the {word} step must be the {kind} step; the SOP has none")
        if len(found) > 1:
            # Blame the one away from its place: that is the step the author mislabelled.
            kept = edge if edge in found else found[0]
            extra = next(i for i in found if i != kept)
            _require(
                False, f"steps[{extra}].kind", f"a second {kind} step (steps[{kept}] is one); an SOP has exactly one"
            )
        _require(
            found[0] == edge,
            f"steps[{found[0]}].kind",
            f"the {kind} step must be the {word} step by number, but step {steps[edge]['number']} is",
        )

    for i, step in enumerate(steps):
        field, number, target = f"steps[{i}].return_to", step["number"], step["return_to"]
        if step["kind"] == Step.Kind.DECISION:
            _require(
                target is not None,
                field,
                f"step {number} is a decision, so it needs the earlier step a draft goes back to",
            )
            _require(target < number, field, f"step {target} is not earlier than the decision (step {number})")
            _require(target in index_of, field, f"step {target} does not exist")
        else:
            _require(target is None, field, f"must be null: step {number} is not a decision, so it returns no draft")

    decisions = [step["number"] for step in steps if step["kind"] == Step.Kind.DECISION]
    for i, step in enumerate(steps):
        number = step["number"]
        _require(
            not step.get("needs_other_person") or any(d < number for d in decisions),
            f"steps[{i}].needs_other_person",
            f"step {number} has no earlier decision step whose approver it could differ from",
        )

    # The checks above mirror definition_errors(); should the two ever drift
    # apart, the shared rules still have the last word.
    errors = definition_errors(
        StepSpec(
            number=step["number"],
            kind=step["kind"],
            has_actor=True,
            duration=step["duration"],
            return_to=step["return_to"],
            is_signature=bool(step.get("is_signature")),
            needs_other_person=bool(step.get("needs_other_person")),
        )
        for step in steps
    )
    _require(not errors, "steps", " ".join(errors))


def sop_from_dict(data: dict[str, Any], *, by=None, revision_note: str = "") -> Sop:
    """Create the SOP (or its next revision) from a checked dict. Call inside a transaction.

    Everything is checked before the first row is written: a bad file raises
    SopFileError before any SOP, actor, step or group exists.
    """
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
        path = {"slug": "slug", NON_FIELD_ERRORS: "slug", "revision_note": "revision_note"}.get(field)
        path = path or f"identity.{field}"
        raise SopFileError(f"{path}: {' '.join(messages)}") from None
    try:
        with transaction.atomic():
            sop.save()
    except IntegrityError:
        # Another import or revision of the same SOP took this number between the read and the write.
        raise SopFileError(
            f"slug: revision {sop.revision} of {sop.slug!r} was created by someone else meanwhile; try again"
        ) from None
    actors = {}
    for position, row in enumerate(data["actors"], start=1):
        group, _created = Group.objects.get_or_create(name=row["group"])
        actors[row["name"]] = Actor.objects.create(sop=sop, position=position, name=row["name"], group=group)
    Step.objects.bulk_create(Step(sop=sop, **{**row, "actor": actors[row["actor"]]}) for row in data["steps"])
    return sop
