"""Fixtures shared by every test: people, the default SOP, and the browser set-up."""

import os
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from sakip.accounts.demo import DEMO_PASSWORD
from sakip.accounts.models import Profile
from sakip.performance.demo import create_demo_agreement
from sakip.performance.models import IndicatorResult, ProgrammeResult
from sakip.sops.management.commands.load_default_sop import grant_default_permissions, load_default_sop
from sakip.sops.models import Sop
from sakip.workflow.services import document_start, document_transition

# Playwright's sync API runs an event loop in the test thread; Django refuses
# ORM calls from such a thread unless told it is safe (it is: one thread).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "correct-horse-battery-staple"

# The system Chromium that Playwright drives. SAKIP_CHROMIUM names another one (or none, to try a machine without it).
CHROMIUM = os.environ.get("SAKIP_CHROMIUM", "/usr/bin/chromium")


def pytest_collection_modifyitems(config, items):
    # Browser tests are slow: run them last, after the fast feedback.
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
    # A newcomer without Chromium gets one line saying so instead of errors; in CI the skip fails (below).
    if not os.access(CHROMIUM, os.X_OK):
        reason = f"Chromium not found at {CHROMIUM} (apt-get install chromium, or set SAKIP_CHROMIUM)"
        for item in items:
            if item.get_closest_marker("browser"):
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    # In CI nothing may be skipped: a skipped browser or PostgreSQL test hides a gap.
    if os.environ.get("CI") and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"Skipped in CI, which counts as a failure: {report.longrepr}"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: ids come back after a rollback, cached rows must not."""
    cache.clear()


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    """Uploaded and generated files go to a throw-away folder, never into the work tree."""
    settings.MEDIA_ROOT = tmp_path / "media"
    # A deliberately slow password hash is for production; tests create many people.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def _flush_past_the_append_only_guard():
    """Transactional tests end with Django's flush, which on SQLite is a DELETE of every table: the
    append-only triggers refuse it for history, signatures and attachments. Only here, in the tests, the
    flush lifts them and puts them back in one transaction. PostgreSQL flushes with TRUNCATE, which row
    triggers do not see."""
    from django.db import connections, transaction

    from sakip.workflow import records

    patched = {}
    for connection in connections.all():
        operations = type(connection.ops)
        if connection.vendor != "sqlite" or operations in patched:
            continue
        original = patched[operations] = operations.execute_sql_flush

        def execute_sql_flush(self, sql_list, original=original):
            with transaction.atomic(using=self.connection.alias):
                records.uninstall(self.connection)
                original(self, sql_list)
                records.install(self.connection)

        operations.execute_sql_flush = execute_sql_flush
    yield
    for operations, original in patched.items():
        operations.execute_sql_flush = original


def a_pdf(name: str = "lampiran.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n% test attachment\n%%EOF\n", content_type="application/pdf")


def start_document(**kwargs):
    """document_start as a careful starter calls it: the first step's requirements confirmed, its paper attached."""
    first = kwargs["sop"].steps.order_by("number").first()
    paper = [a_pdf("surat-masuk.pdf")] if first is not None and first.requirement and first.attachment_required else []
    return document_start(**{"requirements_confirmed": True, "files": paper, **kwargs})


def advance(doc, people, until_step: int):
    """Move the document forward as the right people would, until it reaches ``until_step``."""
    while doc.current_step.number < until_step:
        step = doc.current_step
        if step.edits_content:
            fill_realisations(doc)
        action = "approve" if step.is_decision else "complete"
        doc = document_transition(
            document=doc,
            action=action,
            by=people[step.actor.name],
            requirements_confirmed=True,
            note="ok",
            files=[a_pdf()] if step.attachment_required else [],
        )
    return doc


def make_people(sop) -> dict[str, User]:
    """One holder per actor of ``sop``, keyed by the actor's name, each with what a signature prints."""
    people = {}
    for actor in sop.actors.select_related("group"):
        user = make_user(f"u{actor.position}", actor.group.name, first_name=actor.name, last_name="Lamongan")
        Profile.objects.create(user=user, nip=f"198001012005011{actor.position:03d}", jabatan=actor.name)
        people[actor.name] = user
    return people


def make_user(username: str, *groups: str, **extra) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, **extra)
    for name in groups:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user


@pytest.fixture
def default_sop(db) -> Sop:
    """The shipped SOP, with the demo Perjanjian Kinerja of 2025 and 2026 so that its documents can start."""
    for year in (2025, 2026):
        create_demo_agreement(year)
    grant_default_permissions()
    return Sop.objects.filter(slug="pengukuran-kinerja").first() or load_default_sop()


def fill_realisations(document, value: str = "100") -> None:
    """Give every indicator and programme of the document's measurement a realisation (straight to the DB)."""
    IndicatorResult.objects.filter(measurement__document=document).update(realisation=Decimal(value))
    ProgrammeResult.objects.filter(measurement__document=document).update(realised=Decimal(value))


@pytest.fixture
def staff_user(db) -> User:
    """A logged-in member of the office who holds no actor of any SOP."""
    return make_user("pegawai", first_name="Pegawai", last_name="Biasa")


@pytest.fixture
def admin_user(db) -> User:
    return make_user("admin", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def admin_client_(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def demo_password() -> str:
    return DEMO_PASSWORD


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }
