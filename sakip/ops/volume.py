"""Many documents at once, as the workflow would have left them: for measuring the pages at scale.

``volume_seed`` writes documents in bulk, a chunk at a time, but every row is what the one write path
(sakip.workflow.services) would have written: each history entry chained with history.entry_hash and
carrying the person's name, position and the digest of the content at that moment; the measurement
copied from the agreement (services.judged_by); a snapshot where a draft leaves the content steps; a
signature where the signature step approves; the start's paper attached. The walk through an SOP reads
its steps as data, like the engine: what a step allows follows from its kind, where a return goes from
its return step, who acts from its actor.

Seeded documents are marked by the title prefix SEED_MARK. The seeder refuses a database holding other
documents (real work) unless told to go ahead.

What is cheaper than the real thing, on purpose: all signatures of one run share one signed PDF (rendered
once, for the first of them, so it has a real PDF's size) and all attachments share one small file;
notifications are written only for documents still running, unread, as if the finished ones had been read.
"""

from __future__ import annotations

import hashlib
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from sakip.accounts.demo import create_demo_accounts
from sakip.accounts.models import Profile
from sakip.performance.demo import create_demo_agreement
from sakip.performance.models import (
    MONEY,
    NUMBER,
    Agreement,
    Indicator,
    IndicatorResult,
    Measurement,
    Programme,
    ProgrammeResult,
    Snapshot,
)
from sakip.performance.services import judged_by
from sakip.sops.management.commands.load_default_sop import grant_default_permissions, load_default_sop
from sakip.sops.models import Sop, Step
from sakip.sops.services import sop_copy
from sakip.workflow.content import canonical_bytes
from sakip.workflow.history import GENESIS, entry_hash
from sakip.workflow.models import Attachment, Document, HistoryEntry, Notification, Signature

Action = HistoryEntry.Action

# Every seeded document's title starts with this: what tells seeded work from real work.
SEED_MARK = "[volume] "
DEFAULT_SLUG = "pengukuran-kinerja"
FINISHED_SHARE = 0.97
# How often a decision sends the draft back (at most twice per document).
RETURN_RATE = 0.12
YEARS = 5
CHUNK = 1000
# Rows per executemany call.
BATCH = 2000

# Other offices' copies of the default SOP: (code, what follows the default SOP's name).
SOP_COPIES = (
    ("pengukuran-kinerja-penempatan", "Bidang Penempatan Tenaga Kerja"),
    ("pengukuran-kinerja-pelatihan", "Bidang Pelatihan dan Produktivitas"),
    ("pengukuran-kinerja-hubungan-industrial", "Bidang Hubungan Industrial"),
    ("pengukuran-kinerja-sekretariat", "Sekretariat"),
)
# Share of documents per SOP: the default SOP first, then the copies in order.
SOP_WEIGHTS = (40, 15, 15, 15, 15)


@dataclass(frozen=True)
class ExtraPerson:
    username: str
    first_name: str
    last_name: str
    group: str
    nip: str
    jabatan: str
    pangkat: str


# Beside the demo accounts (one per role): the team has more members, the office a second reviewer.
EXTRA_PEOPLE = (
    ExtraPerson(
        "volume-anggota-2",
        "Rina",
        "Wulandari, S.Kom.",
        "Anggota Tim SAKIP",
        "199003142014022001",
        "Analis Data",
        "Penata Muda Tingkat I (III/b)",
    ),
    ExtraPerson(
        "volume-anggota-3",
        "Hendra",
        "Saputra, S.E.",
        "Anggota Tim SAKIP",
        "198911202015031002",
        "Pengelola Program",
        "Penata Muda (III/a)",
    ),
    ExtraPerson(
        "volume-anggota-4",
        "Nur",
        "Aini, A.Md.",
        "Anggota Tim SAKIP",
        "199406082019032004",
        "Pengadministrasi Umum",
        "Pengatur (II/c)",
    ),
    ExtraPerson(
        "volume-sektim-2",
        "Yusuf",
        "Maulana, S.T., M.T.",
        "Sekretaris Tim SAKIP",
        "198505302010011005",
        "Perencana Ahli Muda",
        "Penata Tingkat I (III/d)",
    ),
    ExtraPerson(
        "volume-kasubbag-2",
        "Endang",
        "Susilowati, S.E., M.Ak.",
        "Kasubbag. Program dan Evaluasi",
        "197911092005012006",
        "Kepala Sub Bagian Keuangan",
        "Penata Tingkat I (III/d)",
    ),
)

NOTES = ("Sudah dikerjakan.", "Terlampir.", "Selesai sesuai jadwal.", "Sudah dicek ulang.", "")
RETURN_REASONS = (
    "Realisasi indikator belum sesuai dengan bukti dukung.",
    "Mohon dilengkapi faktor penghambat untuk indikator yang belum tercapai.",
    "Angka realisasi anggaran belum sesuai laporan keuangan.",
)
HELPED = ("Dukungan mitra kerja dan dunia usaha.", "Koordinasi lintas bidang berjalan baik.", "")
HELD_BACK = ("Keterbatasan anggaran.", "Jumlah petugas terbatas.", "")
ATTACHMENT_NAME = "surat-masuk.pdf"
ATTACHMENT_BYTES = b"%PDF-1.4\n% sakip volume seed: the shared attachment\n%%EOF\n"
SHARED_PDF = "ditandatangani/volume/pengukuran-kinerja-volume.pdf"


@dataclass(frozen=True)
class Person:
    pk: int
    name: str
    jabatan: str
    pangkat: str
    nip: str


@dataclass
class SopPlan:
    sop: Sop
    steps: list[Step]
    at: dict[int, int]  # step number → index in steps
    measured: bool


@dataclass
class AgreementPlan:
    agreement: Agreement
    # (the agreement's row, the copy a measurement keeps), in sheet order
    indicators: list[tuple[Indicator, dict]]
    programmes: list[tuple[Programme, dict]]


@dataclass
class Content:
    """The measurement's changeable part at one moment: realisations and the programmes' spending."""

    indicators: tuple[tuple[Decimal | None, str, str], ...]
    programmes: tuple[Decimal | None, ...]


@dataclass
class Event:
    """One history entry to be: times are offsets from the document's start."""

    action: str
    step: Step
    to_step: Step | None
    by: Person
    started: timedelta
    ended: timedelta
    content: int  # index into the walk's contents
    reason: str = ""
    note: str = ""
    attached: bool = False
    snapshot: bool = False
    signs: bool = False


@dataclass
class Walk:
    events: list[Event] = field(default_factory=list)
    contents: list[Content] = field(default_factory=list)


@dataclass(frozen=True)
class VolumeReport:
    documents: int
    finished: int
    active: int
    entries: int
    seconds: float


def seeded() -> Q:
    return Q(title__startswith=SEED_MARK)


def real_work_count() -> int:
    """Documents the seeder did not write."""
    return Document.objects.exclude(seeded()).count()


def volume_seed(
    *,
    documents: int,
    force: bool = False,
    seed: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> VolumeReport:
    """Add ``documents`` seeded documents; ValidationError when the database holds real work and not ``force``."""
    if documents < 1:
        raise ValidationError({"documents": "Give a number of documents of at least 1."})
    real = real_work_count()
    if real and not force:
        raise ValidationError(
            {
                "force": f"This database holds {real} documents that seed_volume did not create (real work). "
                "Seed a database of its own, or pass --force to add documents anyway."
            }
        )
    started = timezone.now()
    # Repeatable data, not secrets (tokens come from secrets).
    rng = random.Random(f"{seed}:{Document.objects.filter(seeded()).count()}")  # noqa: S311
    with translation.override(settings.LANGUAGE_CODE):
        world = _prepare()
        shared_pdf: dict = {}
        done = finished = entries = 0
        while done < documents:
            count = min(CHUNK, documents - done)
            f, e = _seed_chunk(world, rng, count, first_number=done + 1, shared_pdf=shared_pdf)
            done += count
            finished += f
            entries += e
            if progress:
                progress(done, documents)
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # What autovacuum does to a table soon after a bulk load: statistics for the planner and the visibility
        # map that lets a count read an index alone. Measured right after seeding, pages would show a database
        # state no office runs in.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    seconds = (timezone.now() - started).total_seconds()
    return VolumeReport(documents, finished, documents - finished, entries, seconds)


# ---------------------------------------------------------------------------------------------
# What the documents need: SOPs, agreements, people


@dataclass
class World:
    now: datetime
    sops: list[SopPlan]
    agreements: dict[int, AgreementPlan]  # by year
    holders: dict[int, list[Person]]  # group id → people holding it
    attachment_file: str


def _prepare() -> World:
    with transaction.atomic():
        grant_default_permissions()
        load_default_sop()
        create_demo_accounts()
        _create_extra_people()
        default = Sop.objects.latest_of(DEFAULT_SLUG)
        sops = [default]
        for slug, suffix in SOP_COPIES:
            existing = Sop.objects.filter(slug=slug).order_by("-revision").first()
            sops.append(existing or sop_copy(sop=default, slug=slug, nama=f"{default.nama} {suffix}"))
        now = timezone.now()
        this_year = timezone.localdate().year
        agreements = {}
        for year in range(this_year - YEARS + 1, this_year + 1):
            create_demo_agreement(year)
            agreements[year] = _agreement_plan(Agreement.objects.get(year=year))
    plans = []
    for sop in sops:
        steps = sop.ordered_steps()
        plans.append(
            SopPlan(
                sop=sop,
                steps=steps,
                at={s.number: i for i, s in enumerate(steps)},
                measured=any(s.edits_content for s in steps),
            )
        )
    holders: dict[int, list[Person]] = {}
    users = User.objects.filter(is_active=True).select_related("profile").prefetch_related("groups")
    for user in users:
        profile = getattr(user, "profile", None)
        person = Person(
            pk=user.pk,
            name=user.get_full_name() or user.get_username(),
            jabatan=profile.jabatan if profile else "",
            pangkat=profile.pangkat if profile else "",
            nip=profile.nip if profile else "",
        )
        for group in user.groups.all():
            holders.setdefault(group.pk, []).append(person)
    for plan in plans:
        for step in plan.steps:
            if not holders.get(step.actor.group_id):
                raise ValidationError(
                    {"documents": f"Nobody holds the role of {step.actor.name!r} in {plan.sop.slug}."}
                )
    # One small file for every attachment: its rows are what the pages read.
    attachment_file = f"lampiran/volume/{ATTACHMENT_NAME}"
    if not default_storage.exists(attachment_file):
        attachment_file = default_storage.save(attachment_file, ContentFile(ATTACHMENT_BYTES))
    return World(now=now, sops=plans, agreements=agreements, holders=holders, attachment_file=attachment_file)


def _create_extra_people() -> None:
    for extra in EXTRA_PEOPLE:
        user, created = User.objects.get_or_create(
            username=extra.username, defaults={"first_name": extra.first_name, "last_name": extra.last_name}
        )
        if created:
            # Nobody logs in as a seeded colleague.
            user.set_unusable_password()
            user.save(update_fields=["password"])
        user.groups.add(Group.objects.get_or_create(name=extra.group)[0])
        Profile.objects.get_or_create(
            user=user, defaults={"nip": extra.nip, "jabatan": extra.jabatan, "pangkat": extra.pangkat}
        )


def _agreement_plan(agreement: Agreement) -> AgreementPlan:
    def in_sheet_order(rows):
        # As ResultQuerySet.in_sheet_order: the rows are created in this order, so their pks follow it too.
        copies = [(row, judged_by(row)) for row in rows]
        return sorted(
            copies, key=lambda pair: (pair[1]["objective_position"], pair[1]["objective_text"], pair[1]["position"])
        )

    indicators = Indicator.objects.filter(objective__agreement=agreement).select_related("objective").order_by("pk")
    programmes = Programme.objects.filter(objective__agreement=agreement).select_related("objective").order_by("pk")
    return AgreementPlan(agreement, in_sheet_order(indicators), in_sheet_order(programmes))


# ---------------------------------------------------------------------------------------------
# One document's walk through its SOP


def _spent(step: Step, rng: random.Random) -> timedelta:
    """Time a step takes: around its standard, late now and then."""
    if step.duration_unit == Step.TimeUnit.MINUTES:
        minutes = step.duration * rng.uniform(0.4, 2.2)
    elif step.duration_unit == Step.TimeUnit.HOURS:
        minutes = step.duration * 60 * rng.uniform(0.4, 2.0)
    else:
        minutes = step.duration * 24 * 60 * rng.uniform(0.1, 1.6)
    return timedelta(minutes=minutes, microseconds=rng.randrange(1_000_000))


def _filled(agreement: AgreementPlan, rng: random.Random) -> Content:
    four, two = Decimal(1).scaleb(-NUMBER["decimal_places"]), Decimal(1).scaleb(-MONEY["decimal_places"])
    indicators = tuple(
        (
            (copy["target"] * Decimal(str(round(rng.uniform(0.7, 1.15), 3)))).quantize(four),
            rng.choice(HELPED),
            rng.choice(HELD_BACK),
        )
        for _item, copy in agreement.indicators
    )
    programmes = tuple(
        (copy["budget"] * Decimal(str(round(rng.uniform(0.8, 1.0), 3)))).quantize(two)
        for _item, copy in agreement.programmes
    )
    return Content(indicators, programmes)


def _revised(content: Content, rng: random.Random) -> Content:
    """After a return: one indicator's realisation corrected."""
    rows = list(content.indicators)
    i = rng.randrange(len(rows))
    value, helped, held_back = rows[i]
    rows[i] = ((value * Decimal("1.02")).quantize(value) if value is not None else None, helped, held_back)
    return Content(tuple(rows), content.programmes)


def _walk(plan: SopPlan, agreement: AgreementPlan, holders: dict[int, list[Person]], rng: random.Random) -> Walk:
    """The document from its start to its end, as the people holding the steps would move it."""
    walk = Walk()
    empty = Content(tuple((None, "", "") for _ in agreement.indicators), tuple(None for _ in agreement.programmes))
    walk.contents.append(empty)
    # One person per role carries a document through; another steps in where the SOP asks for someone else.
    assigned = {group: rng.choice(people) for group, people in holders.items()}
    approvals: dict[int, int] = {}  # decision step number → who approved it last
    drafted: dict[int, int] = {}  # step number → who completed it last

    def person_for(step: Step, refused: set[int]) -> Person:
        mine = assigned[step.actor.group_id]
        if mine.pk not in refused:
            return mine
        others = [p for p in holders[step.actor.group_id] if p.pk not in refused]
        return rng.choice(others) if others else mine

    first = plan.steps[0]
    t = timedelta(0)
    starter = person_for(first, set())
    walk.events.append(
        Event(
            Action.START,
            first,
            first,
            starter,
            t,
            t,
            0,
            attached=bool(first.requirement and first.attachment_required),
        )
    )
    index, arrived, returns, signed = 0, t, 0, False
    while True:
        step = plan.steps[index]
        refused: set[int] = set()
        if step.is_decision and step.return_to in drafted:
            refused.add(drafted[step.return_to])
        if step.needs_other_person:
            refused |= {by for number, by in approvals.items() if number < step.number}
        by = person_for(step, refused)
        spent = _spent(step, rng)
        if step.edits_content and plan.measured:
            # The first content step fills the measurement in; later visits (after a return) correct it.
            current = walk.contents[-1]
            changed = _filled(agreement, rng) if current is empty else _revised(current, rng)
            if current is empty or rng.random() < 0.7:
                walk.contents.append(changed)
                rows = sum(a != b for a, b in zip(current.indicators, changed.indicators, strict=True)) + sum(
                    a != b for a, b in zip(current.programmes, changed.programmes, strict=True)
                )
                note = ngettext("%(count)s row changed", "%(count)s rows changed", rows) % {"count": rows}
                edited = arrived + spent * rng.uniform(0.2, 0.8)
                walk.events.append(
                    Event(Action.EDIT, step, step, by, arrived, edited, len(walk.contents) - 1, note=note)
                )
        t = arrived + spent
        if step.kind in (Step.Kind.START, Step.Kind.PROCESS):
            action, target = Action.COMPLETE, plan.steps[index + 1]
        elif step.kind == Step.Kind.DECISION:
            if not signed and returns < 2 and rng.random() < RETURN_RATE:
                action, target = Action.RETURN, plan.steps[plan.at[step.return_to]]
                returns += 1
            else:
                action, target = Action.APPROVE, plan.steps[index + 1]
        else:
            action, target = Action.FINISH, None
        event = Event(action, step, target, by, arrived, t, len(walk.contents) - 1)
        if action == Action.RETURN:
            event.reason = rng.choice(RETURN_REASONS)
        elif action != Action.APPROVE:
            event.note = rng.choice(NOTES) or ("Selesai." if step.output else "")
        event.attached = action in (Action.COMPLETE, Action.FINISH) and step.attachment_required
        event.snapshot = (
            plan.measured
            and action == Action.COMPLETE
            and step.edits_content
            and (target is None or not target.edits_content)
        )
        event.signs = action == Action.APPROVE and step.is_signature
        walk.events.append(event)
        if action == Action.COMPLETE:
            drafted[step.number] = by.pk
        if action == Action.APPROVE and step.is_decision:
            approvals[step.number] = by.pk
        signed = signed or event.signs
        if target is None:
            return walk
        # The next step starts at the move (_move sets step_started_at to its time); the time the document
        # then waits in the next inbox is part of what that step takes.
        arrived = t
        index = plan.at[target.number]


# ---------------------------------------------------------------------------------------------
# The content digest, as sakip.workflow.content computes it from the database


def _number(value: Decimal | None, places: int) -> str | None:
    return None if value is None else f"{value.quantize(Decimal(1).scaleb(-places)):f}"


def _digest(title: str, year: int, sop_id: int, agreement: AgreementPlan | None, content: Content) -> str:
    """SHA-256 of the canonical content (content.canonical_content with performance.services.measurement_content)."""
    data: dict = {"title": title, "year": year, "sop": sop_id}
    if agreement is not None:
        places, money = NUMBER["decimal_places"], MONEY["decimal_places"]
        data["measurement"] = {
            "agreement": agreement.agreement.pk,
            "indicators": [
                [
                    item.pk,
                    copy["objective_position"],
                    copy["objective_text"],
                    copy["position"],
                    copy["name"],
                    copy["unit"],
                    copy["explanation"],
                    _number(copy["target"], places),
                    copy["polarity"],
                    copy["lower_formula"],
                    copy["allow_negative"],
                    _number(realisation, places),
                    helped,
                    held_back,
                ]
                for (item, copy), (realisation, helped, held_back) in zip(
                    agreement.indicators, content.indicators, strict=True
                )
            ],
            "programmes": [
                [
                    item.pk,
                    copy["objective_position"],
                    copy["objective_text"],
                    copy["position"],
                    copy["name"],
                    _number(copy["budget"], money),
                    _number(realised, money),
                ]
                for (item, copy), realised in zip(agreement.programmes, content.programmes, strict=True)
            ],
        }
    return hashlib.sha256(canonical_bytes(data)).hexdigest()


# ---------------------------------------------------------------------------------------------
# A chunk of documents, written in bulk


@dataclass
class Planned:
    document: dict  # the row: attribute name → value
    plan: SopPlan
    agreement: AgreementPlan
    walk: Walk
    start: datetime
    entries: list[dict] = field(default_factory=list)
    measurement: int | None = None


def _window(world: World, year: int) -> tuple[datetime, datetime] | None:
    """When finished documents of ``year`` may have started: within the year, long enough ago to have finished."""
    begin = datetime(year, 1, 1, tzinfo=UTC)
    end = min(datetime(year, 12, 31, tzinfo=UTC), world.now - timedelta(days=30))
    return (begin, end) if end > begin else None


def _seed_chunk(
    world: World, rng: random.Random, count: int, *, first_number: int, shared_pdf: dict
) -> tuple[int, int]:
    windows = {year: w for year in world.agreements if (w := _window(world, year))}
    years = sorted(windows)
    weights = [(windows[y][1] - windows[y][0]).total_seconds() for y in years]
    this_year = max(world.agreements)
    planned: list[Planned] = []
    for n in range(count):
        plan = rng.choices(world.sops, weights=SOP_WEIGHTS[: len(world.sops)])[0]
        finished = rng.random() < FINISHED_SHARE
        year = rng.choices(years, weights=weights)[0] if finished and years else this_year
        agreement = world.agreements[year]
        walk = _walk(plan, agreement, world.holders, rng)
        if finished:
            begin, end = windows.get(year, (world.now - timedelta(days=60), world.now - timedelta(days=30)))
            start = begin + (end - begin) * rng.random()
        else:
            # Somewhere along the way, not yet at the end; the last thing happened in the past few days.
            del walk.events[rng.randrange(1, len(walk.events)) :]
            last = walk.events[-1].ended
            start = world.now - timedelta(minutes=rng.uniform(10, 5 * 24 * 60)) - last
        title = f"{SEED_MARK}{plan.sop.nama} Tahun {year} ({first_number + n})"[:200]
        planned.append(Planned(_document(title, year, plan, walk, start, finished), plan, agreement, walk, start))

    with transaction.atomic():
        _insert(Document, [p.document for p in planned])
        _entries(planned)
        _measurements(planned)
        _snapshots(planned)
        _attachments(planned, world)
        _signatures(planned, shared_pdf)
        _notifications(planned, world)
        used = {p.plan.sop.pk: p.start for p in sorted(planned, key=lambda p: p.start, reverse=True)}
        for sop_id, since in used.items():
            Sop.objects.filter(pk=sop_id, in_use_since__isnull=True).update(in_use_since=since)
    finished = sum(p.document["status"] == Document.Status.FINISHED for p in planned)
    return finished, sum(len(p.walk.events) for p in planned)


def _document(title: str, year: int, plan: SopPlan, walk: Walk, start: datetime, finished: bool) -> dict:
    last = walk.events[-1]
    moves = [e for e in walk.events if e.action not in HistoryEntry.CONTENT_CHANGES]
    return {
        "sop_id": plan.sop.pk,
        "title": title,
        "year": year,
        "status": Document.Status.FINISHED if finished else Document.Status.ACTIVE,
        "current_step_id": None if finished else last.to_step.pk,
        # The time of the last move: content changes leave the document where and since when it was.
        "step_started_at": start + moves[-1].ended,
        # Every entry claimed one version; the start wrote the first at version 0.
        "version": len(walk.events) - 1,
        "created_by_id": walk.events[0].by.pk,
        "created_at": start,
        "closed_at": start + last.ended if finished else None,
    }


def _entries(planned: list[Planned]) -> None:
    """Each document's entries, chained as history_append chains them, in the order they are written."""
    rows = []
    for p in planned:
        document = p.document
        digests: dict[int, str] = {}
        agreement = p.agreement if p.plan.measured else None
        prev = GENESIS
        for event in p.walk.events:
            if event.content not in digests:
                digests[event.content] = _digest(
                    document["title"], document["year"], p.plan.sop.pk, agreement, p.walk.contents[event.content]
                )
            entry = {
                "document_id": document["id"],
                "action": event.action,
                "step_id": event.step.pk,
                "actor_id": event.step.actor_id,
                "by_id": event.by.pk,
                "reason": event.reason,
                "note": event.note,
                "to_step_id": event.to_step.pk if event.to_step else None,
                "step_started_at": p.start + event.started,
                "step_ended_at": p.start + event.ended,
                "standard_duration": event.step.duration,
                "standard_unit": event.step.duration_unit,
                "by_name": event.by.name,
                "by_jabatan": event.by.jabatan,
                "content_sha256": digests[event.content],
                "prev_hash": prev,
            }
            # entry_hash reads attributes, as it does from a HistoryEntry.
            entry["hash"] = prev = entry_hash(SimpleNamespace(**entry), step_number=event.step.number, prev_hash=prev)
            p.entries.append(entry)
        rows.extend(p.entries)
    # One list, in order: the primary keys follow the chain order (history.CHAIN_ORDER is the pk).
    _insert(HistoryEntry, rows)


def _measurements(planned: list[Planned]) -> None:
    """As measurement_create writes them, with the realisations as the last entry left them."""
    rows = []
    for p in planned:
        if p.plan.measured:
            agreement = p.agreement.agreement
            # The agreement's revision the copy was taken at, as measurement_create records it.
            rows.append(
                {
                    "document_id": p.document["id"],
                    "agreement_id": agreement.pk,
                    "agreement_revised_at": agreement.revised_at,
                }
            )
    _insert(Measurement, rows)
    measured = iter(rows)
    indicators, programmes = [], []
    for p in planned:
        if not p.plan.measured:
            continue
        p.measurement = next(measured)["id"]
        content = p.walk.contents[p.walk.events[-1].content]
        for (item, copy), (realisation, helped, held_back) in zip(
            p.agreement.indicators, content.indicators, strict=True
        ):
            indicators.append(
                {
                    "measurement_id": p.measurement,
                    "indicator_id": item.pk,
                    "realisation": realisation,
                    "helped": helped,
                    "held_back": held_back,
                    **copy,
                }
            )
        for (item, copy), realised in zip(p.agreement.programmes, content.programmes, strict=True):
            programmes.append({"measurement_id": p.measurement, "programme_id": item.pk, "realised": realised, **copy})
    _insert(IndicatorResult, indicators)
    _insert(ProgrammeResult, programmes)


def _snapshots(planned: list[Planned]) -> None:
    """Where a draft left the content steps: what was handed on (performance.services.snapshot_data)."""

    def text(value):
        return None if value is None else str(value)

    rows = []
    for p in planned:
        for event, entry in zip(p.walk.events, p.entries, strict=True):
            if event.snapshot and p.measurement is not None:
                content = p.walk.contents[event.content]
                data = {
                    "indicators": {
                        str(item.pk): text(value)
                        for (item, _copy), (value, _h, _b) in zip(
                            p.agreement.indicators, content.indicators, strict=True
                        )
                    },
                    "programmes": {
                        str(item.pk): text(value)
                        for (item, _copy), value in zip(p.agreement.programmes, content.programmes, strict=True)
                    },
                }
                rows.append(
                    {
                        "measurement_id": p.measurement,
                        "entry_id": entry["id"],
                        "data": data,
                        "created_at": entry["step_ended_at"],
                    }
                )
    _insert(Snapshot, rows)


def _attachments(planned: list[Planned], world: World) -> None:
    rows = [
        {
            "document_id": p.document["id"],
            "entry_id": entry["id"],
            "step_id": entry["step_id"],
            "file": world.attachment_file,
            "name": ATTACHMENT_NAME,
            "size": len(ATTACHMENT_BYTES),
            "uploaded_by_id": entry["by_id"],
            "uploaded_at": entry["step_ended_at"],
        }
        for p in planned
        for event, entry in zip(p.walk.events, p.entries, strict=True)
        if event.attached
    ]
    _insert(Attachment, rows)


def _signatures(planned: list[Planned], shared_pdf: dict) -> None:
    rows = []
    for p in planned:
        pairs = list(zip(p.walk.events, p.entries, strict=True))
        for i, (event, entry) in enumerate(pairs):
            if not event.signs:
                continue
            # The paraf: the latest approval before the signature, as services._sign reads it.
            paraf = next(
                (
                    (e, en)
                    for e, en in reversed(pairs[:i])
                    if e.action == Action.APPROVE and e.step.number < event.step.number
                ),
                None,
            )
            by = event.by
            rows.append(
                {
                    "document_id": p.document["id"],
                    "entry_id": entry["id"],
                    "signer_id": by.pk,
                    "name": by.name,
                    "prefix": "",
                    "jabatan": by.jabatan,
                    "pangkat": by.pangkat,
                    "nip": by.nip,
                    "place": settings.SIGNATURE_PLACE,
                    "signed_at": entry["step_ended_at"],
                    "paraf_name": paraf[0].by.name if paraf else "",
                    "paraf_jabatan": (paraf[0].by.jabatan or paraf[0].step.actor.name) if paraf else "",
                    "paraf_at": paraf[1]["step_ended_at"] if paraf else None,
                    "token": (token := secrets.token_urlsafe(24)),
                    "code": Signature.code_of(token),
                }
            )
    if not rows:
        return
    if not shared_pdf:
        shared_pdf.update(_shared_pdf(rows[0]))
    for row in rows:
        row["pdf"] = shared_pdf["name"]
        row["sha256"] = shared_pdf["sha256"]
    _insert(Signature, rows)


def _shared_pdf(first: dict) -> dict:
    """A real signed PDF (of the first signature ever seeded here), stored once: every seeded signature points to it."""
    from sakip.performance.pdf import render_measurement_pdf

    name = SHARED_PDF
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as handle:
            data = handle.read()
    else:
        measurement = Measurement.objects.select_related("agreement", "document").get(document=first["document_id"])
        data = render_measurement_pdf(measurement, Signature(**first))
        name = default_storage.save(name, ContentFile(data))
    return {"name": name, "sha256": hashlib.sha256(data).hexdigest()}


def _notifications(planned: list[Planned], world: World) -> None:
    """The arrival of each running document at its step, unread, for the holders of the step."""
    rows = []
    for p in planned:
        document = p.document
        if document["status"] != Document.Status.ACTIVE:
            continue
        # The last move brought it there (an edit since then notified nobody); its author is not told.
        move = next(e for e in reversed(p.walk.events) if e.action not in HistoryEntry.CONTENT_CHANGES)
        step, mover = move.to_step, move.by.pk
        message = gettext("%(title)s is waiting for you at step %(number)s: %(activity)s") % {
            "title": document["title"],
            "number": step.number,
            "activity": step.activity[:120],
        }
        rows.extend(
            {
                "recipient_id": person.pk,
                "document_id": document["id"],
                "message": message[:300],
                "created_at": document["step_started_at"],
            }
            for person in world.holders[step.actor.group_id]
            if person.pk != mover
        )
    _insert(Notification, rows)


# ---------------------------------------------------------------------------------------------
# Writing rows in bulk

# Fields whose values need the database's own form: SQLite stores datetimes and decimals as text,
# PostgreSQL wants JSON wrapped, a file is stored as its name. Integers, texts and booleans go as they are.
PREPARED_FIELDS = (models.DateTimeField, models.DecimalField, models.JSONField, models.FileField)


def _insert(model: type[models.Model], rows: list[dict]) -> None:
    """INSERT ``rows`` (attribute name → value; the model's defaults fill the rest) and set each one's "id".

    The ids are taken first, so that the rows pointing at these can be built. One prepared statement per
    table, not bulk_create: bulk_create builds a model instance per row and compiles every value into
    the SQL text, which made seeding about three times slower.
    """
    if not rows:
        return
    meta = model._meta
    fields = meta.concrete_fields
    defaults = {f.attname: f.get_default() for f in fields if not f.primary_key}
    if unknown := set(rows[0]) - set(defaults):
        raise ValueError(f"{model.__name__} has no field {', '.join(sorted(unknown))}.")
    for row, pk in zip(rows, _allocate_ids(meta.db_table, meta.pk.column, len(rows)), strict=True):
        row[meta.pk.attname] = pk
    prepared = [(f.attname, f if isinstance(f, PREPARED_FIELDS) else None) for f in fields]
    db = connections[DEFAULT_DB_ALIAS]  # the connection itself, not the proxy: looked up once per value otherwise
    values = [
        tuple(
            field.get_db_prep_save(value, db) if field and value is not None else value
            for name, field in prepared
            for value in (row[name] if name in row else defaults[name],)
        )
        for row in rows
    ]
    quote = connection.ops.quote_name
    # Table and column names from the model's own definition, quoted; the values go as parameters.
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: several times faster than even pipelined INSERTs.
            columns = ", ".join(quote(f.column) for f in fields)
            with cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
            return
        for start in range(0, len(values), BATCH):
            cursor.executemany(sql, values[start : start + BATCH])


def _allocate_ids(table: str, column: str, count: int) -> list[int]:
    """``count`` new primary keys of ``table``, inside the chunk's transaction (which holds SQLite's write lock)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # From the column's own sequence: nothing else can be handed the same numbers.
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, column, count]
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: AUTOINCREMENT moves its counter past explicit ids, so later inserts continue after these.
        quote = connection.ops.quote_name
        cursor.execute(f"SELECT COALESCE(MAX({quote(column)}), 0) FROM {quote(table)}")  # noqa: S608
        first = cursor.fetchone()[0] + 1
        return list(range(first, first + count))
