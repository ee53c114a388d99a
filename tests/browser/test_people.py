"""A person's own things in the browser, on a desk screen (1366 × 900) and a phone (390 × 844): notifications read
when opened, the profile with the signature as it prints, the e-mail choice, the password change, and the
temporary password that must be changed first."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from sakip.accounts.models import Profile
from sakip.workflow.models import Notification
from sakip.workflow.services import document_transition
from tests.conftest import PASSWORD, a_pdf, make_people, make_user, start_document

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "people"
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
SEKRETARIS, SEKTIM = "Sekretaris", "Sek. Tim SAKIP"
NEW_PASSWORD = "Lamongan-kerja-2027"
TEMPORARY = "Sementara-0815-x"


def hand_on(document, by):
    return document_transition(
        document=document, action="complete", by=by, requirements_confirmed=True, note="ok", files=[a_pdf()]
    )


@pytest.mark.browser
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_persons_own_pages(size, transactional_db, live_server, default_sop, page: Page):
    people = make_people(default_sop)
    sekretaris, sektim = people[SEKRETARIS], people[SEKTIM]
    sekretaris.first_name, sekretaris.last_name = "Siti", "Rahmawati, S.Sos., M.M."
    sekretaris.save()
    Profile.objects.filter(user=sekretaris).update(
        nip="197805122003122004", jabatan="Sekretaris Dinas Tenaga Kerja", pangkat="Pembina (IV/a)"
    )
    sektim.email = "sektim@example.org"
    sektim.save()
    first = hand_on(start_document(sop=default_sop, title="PK 2026", year=2026, by=sekretaris), sekretaris)
    hand_on(start_document(sop=default_sop, title="PK 2025", year=2025, by=sekretaris), sekretaris)

    page.set_viewport_size(SIZES[size])
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    too_wide: dict[str, tuple[int, int]] = {}

    def shot(name: str) -> None:
        page.wait_for_load_state()
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if scroll > inner:
            too_wide[name] = (scroll, inner)
        page.screenshot(path=ARTIFACTS / f"{size}-{name}.png", full_page=True)

    def log_in(username: str, password: str) -> None:
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/akun/masuk/")
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(password)
        page.get_by_role("button", name="Masuk").click()

    def open_menu() -> None:
        toggler = page.locator(".navbar-toggler")
        if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
            toggler.click()
            expect(page.locator("#nav-main")).to_be_visible()

    # Notifications: two documents wait; opening one marks it read and goes to it.
    log_in(sektim.username, PASSWORD)
    open_menu()
    expect(page.locator("#unread-count")).to_have_text("2")
    page.locator("a[href='/dokumen/notifikasi/']").click()
    expect(page.locator("#notifications .notification-unread")).to_have_count(2)
    shot("01-notifications-unread")
    page.locator("#notifications .notification", has_text="PK 2026").locator("button").click()
    expect(page).to_have_url(f"{live_server.url}/dokumen/{first.pk}/")
    open_menu()
    expect(page.locator("#unread-count")).to_have_text("1")
    page.goto(f"{live_server.url}/dokumen/notifikasi/")
    expect(page.locator("#notifications .notification-unread")).to_have_count(1)
    expect(page.locator("#notifications .notification-unread")).to_contain_text("PK 2025")
    # Once the work on the other one is done, nothing counts any more.
    hand_on(Notification.objects.get(recipient=sektim, read_at__isnull=True).document, sektim)
    page.reload()
    expect(page.locator("#unread-count")).to_have_count(0)
    expect(page.locator("#notifications .notification-now").first).to_contain_text("3")
    shot("02-notifications-after-the-work")

    # The profile, from the name in the navigation bar: the e-mail choice.
    open_menu()
    page.locator("#nav-profile").click()
    expect(page).to_have_url(f"{live_server.url}/akun/")
    expect(page.locator("#roles")).to_contain_text(sektim.groups.get().name)
    checkbox = page.locator("#id_email_notifications")
    expect(checkbox).to_be_checked()
    checkbox.uncheck()
    page.locator("#email-preference [type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("#id_email_notifications")).not_to_be_checked()
    assert Profile.objects.get(user=sektim).email_notifications is False
    shot("03-profile-email-off")

    # Changing one's own password: a wrong current password is refused at its field, then it works.
    page.locator("#change-password").click()
    page.locator("#id_old_password").fill("not-my-password")
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    page.locator("#password-change [type=submit]").click()
    expect(page.locator("#id_old_password")).to_have_class(re.compile("is-invalid"))
    shot("04-password-wrong-current")
    page.locator("#id_old_password").fill(PASSWORD)
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    page.locator("#password-change [type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/akun/")
    expect(page.locator(".alert-success")).to_be_visible()
    log_in(sektim.username, NEW_PASSWORD)
    expect(page.get_by_role("heading", name="Tugas saya")).to_be_visible()

    # A temporary password from the administrator (in the admin): nothing but the change until it is done.
    make_user("root", is_staff=True, is_superuser=True)
    log_in("root", PASSWORD)
    page.goto(f"{live_server.url}/admin/auth/user/{sekretaris.pk}/password/")
    expect(page.locator("#id_temporary")).to_be_checked()
    page.locator("#id_password1").fill(TEMPORARY)
    page.locator("#id_password2").fill(TEMPORARY)
    shot("05-admin-temporary-password")
    page.locator("input[name=set-password]").click()
    expect(page.locator(".messagelist")).to_be_visible()
    assert Profile.objects.get(user=sekretaris).must_change_password
    log_in(sekretaris.username, TEMPORARY)
    expect(page).to_have_url(f"{live_server.url}/akun/kata-sandi/")
    expect(page.locator("#password-change-required")).to_be_visible()
    shot("06-password-change-required")
    page.goto(f"{live_server.url}/dokumen/")
    expect(page).to_have_url(f"{live_server.url}/akun/kata-sandi/")
    page.locator("#id_old_password").fill(TEMPORARY)
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    page.locator("#password-change [type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/akun/")
    # The profile of a signer: the signature as it will print.
    signature = page.locator("#signature .signature-print")
    expect(signature).to_contain_text("Siti Rahmawati, S.Sos., M.M.")
    expect(signature).to_contain_text("Sekretaris Dinas Tenaga Kerja")
    expect(signature).to_contain_text("Pembina (IV/a)")
    expect(signature).to_contain_text("NIP. 19780512 200312 2 004")
    shot("07-profile-signer")
    page.goto(f"{live_server.url}/dokumen/")
    expect(page).to_have_url(f"{live_server.url}/dokumen/")

    assert not Profile.objects.get(user=sekretaris).must_change_password
    assert too_wide == {}, f"pages wider than the screen (scrollWidth, innerWidth): {too_wide}"
    assert errors == []
