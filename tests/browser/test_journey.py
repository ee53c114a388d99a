"""The whole journey of a Pengukuran Kinerja document through the default SOP, in the browser, in Indonesian."""

import re
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from sakip.workflow.models import Document, HistoryEntry
from tests.conftest import PASSWORD, make_people

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"journey-{name}.png", full_page=True)


def pdf(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes(b"%PDF-1.4\n% " + name.encode() + b"\n%%EOF\n")
    return path


@pytest.mark.browser
def test_it_takes_a_document_through_every_step_with_one_return(
    transactional_db, live_server, default_sop, page: Page, tmp_path: Path
):
    people = make_people(default_sop)
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))

    def log_in_as(actor_name: str) -> None:
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/akun/masuk/")
        page.locator("#id_username").fill(people[actor_name].username)
        page.locator("#id_password").fill(PASSWORD)
        page.get_by_role("button", name="Masuk").click()
        expect(page.get_by_role("heading", name="Tugas saya")).to_be_visible()

    def open_task() -> None:
        page.get_by_role("link", name=re.compile("Tahun 2026")).first.click()
        expect(page.locator("#action-form")).to_be_visible()

    def complete(note: str, attach: str | None = None) -> None:
        confirm = page.locator("#id_requirements_confirmed")
        if confirm.count():
            confirm.check()
        page.locator("#id_note").fill(note)
        if attach:
            page.locator("#id_files").set_input_files(pdf(tmp_path, attach))
        page.get_by_role("button", name="Selesaikan dan teruskan").click()
        expect(page.get_by_text(re.compile(r"Langkah \d+ diselesaikan; diteruskan ke Langkah \d+"))).to_be_visible()

    # The Sekretaris starts the document with the incoming letter, then disposes it.
    log_in_as("Sekretaris")
    page.get_by_role("link", name=f"Mulai: {default_sop.nama}").click()
    # Step 1 lists the incoming letter as its requirement: without the tick and the file nothing starts.
    page.get_by_role("button", name="Mulai").click()
    expect(page.locator("#id_requirements_confirmed")).to_have_class(re.compile("is-invalid"))
    expect(page.locator("#id_files")).to_have_class(re.compile("is-invalid"))
    assert Document.objects.count() == 0
    page.get_by_label("Lengkap: Surat masuk").check()
    page.get_by_label("Lampirkan: Surat masuk").set_input_files(pdf(tmp_path, "surat-masuk.pdf"))
    shot(page, "00-start-with-letter")
    page.get_by_role("button", name="Mulai").click()
    expect(page.get_by_text("Dokumen telah dimulai.")).to_be_visible()
    # Completing without the requirements and the disposition is refused, each at its field.
    page.get_by_role("button", name="Selesaikan dan teruskan").click()
    expect(page.get_by_text("Lampirkan output langkah ini sebagai berkas: Disposisi pimpinan.")).to_be_visible()
    complete("Disposisi kepada Sek. Tim SAKIP", attach="disposisi.pdf")

    log_in_as("Sek. Tim SAKIP")
    shot(page, "01-inbox-sektim")
    open_task()
    complete("Arahan: gunakan data tahun sebelumnya")

    # Step 3: the Anggota Tim fills the realisation in the form, typed the Indonesian way.
    log_in_as("Angg. Tim SAKIP")
    open_task()
    page.get_by_role("link", name="Isi realisasi").click()
    fields = page.locator("input[name$='-realisation']")
    for i in range(fields.count()):
        fields.nth(i).fill(f"{80 + i}")  # whole numbers: some indicators count people (decimals 0)
    page.locator("input[name$='-realisation']").first.fill("4,2")  # the unemployment rate: lower is better
    page.locator("input[name$='-realised']").first.fill("1.000.000.000")
    shot(page, "02-realisation-form")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_text("Realisasi disimpan.")).to_be_visible()
    expect(page.locator(".measurement-table")).to_contain_text("106,67")  # (2 × 4,5 − 4,2) / 4,5 × 100
    complete("Bahan data kinerja terkumpul")

    # Step 4: the draft, this time through the Excel template: download, fill offline, upload.
    page.goto(f"{live_server.url}/")
    open_task()
    with page.expect_download() as download:
        page.get_by_role("link", name="Templat Excel").click()
    workbook_path = tmp_path / "realisasi.xlsx"
    download.value.save_as(workbook_path)
    workbook = openpyxl.load_workbook(workbook_path)
    sheet = workbook["Realisasi"]
    header = next(row[0].row for row in sheet.iter_rows() if any(cell.value == "Kode" for cell in row))
    realisation_column = next(c.column for c in sheet[header] if c.value == "Realisasi")
    sheet.cell(row=header + 2, column=realisation_column, value=1000)  # jumlah pencari kerja yang ditempatkan
    workbook.save(workbook_path)
    page.locator("#id_upload_file").set_input_files(workbook_path)
    page.get_by_role("button", name="Unggah", exact=True).click()
    expect(page.get_by_text("Realisasi dari realisasi.xlsx telah disimpan.")).to_be_visible()
    expect(page.locator(".measurement-table")).to_contain_text("1.000")
    complete("Draf dokumen kinerja", attach="draf.pdf")

    # The Kasubbag returns the draft with a reason.
    log_in_as("Kasubbag. Program dan Evaluasi")
    open_task()
    page.locator("#id_reason").fill("Target indikator 2 tidak sesuai Perjanjian Kinerja")
    page.locator("#action-form button[value='return']").click()  # "Kembalikan"

    # The Anggota Tim sees the reason first, fixes and resubmits.
    log_in_as("Angg. Tim SAKIP")
    open_task()
    expect(page.locator(".alert-warning")).to_contain_text("Target indikator 2 tidak sesuai")
    shot(page, "03-document-after-return")
    page.get_by_role("link", name="Isi realisasi").click()
    page.locator("input[name$='-realisation']").nth(1).fill("1.100")
    page.get_by_role("button", name="Simpan").click()
    complete("Draf diperbaiki: indikator 2", attach="draf-2.pdf")

    # The Kasubbag sees what changed since the returned version, then initials (approves).
    log_in_as("Kasubbag. Program dan Evaluasi")
    open_task()
    expect(page.locator("#changes")).to_contain_text("Jumlah pencari kerja yang ditempatkan: 1.000 → 1.100")
    shot(page, "04-reviewer-sees-changes")
    page.locator("#id_requirements_confirmed").check()
    page.get_by_role("button", name="Setujui").click()

    # The Sekretaris signs: the PDF is made and stored, with its QR code.
    log_in_as("Sekretaris")
    open_task()
    page.locator("#id_requirements_confirmed").check()
    page.locator("#id_signature_confirmed").check()  # signing is deliberate: the box, then the button
    page.get_by_role("button", name="Tandatangani").click()
    expect(page.locator("#signature")).to_contain_text("Ditandatangani oleh Sekretaris Lamongan")
    page.locator("#signature").get_by_role("link", name="halaman verifikasi").click()
    expect(page.locator("#verify-title")).to_contain_text("Tahun 2026")
    shot(page, "05-verification-page")

    log_in_as("Kasubbag. Program dan Evaluasi")
    shot(page, "06-inbox-kasubbag")
    page.set_viewport_size(PHONE)
    shot(page, "07-inbox-phone")
    open_task()
    shot(page, "08-document-phone")
    page.set_viewport_size(DESKTOP)
    page.locator("#id_requirements_confirmed").check()
    page.locator("#id_note").fill("Digandakan 5 eksemplar dan dikirim")
    page.locator("#id_recipients").fill("Bupati Lamongan")  # step 7 records the distribution
    page.locator("#id_copies").fill("5")
    page.get_by_role("button", name="Selesaikan", exact=True).click()
    expect(page.get_by_text("selesai", exact=True).first).to_be_visible()
    shot(page, "09-document-finished")

    document = Document.objects.get()
    assert document.status == Document.Status.FINISHED
    entries = list(document.history.order_by("pk").values_list("action", "step__number"))
    # Each save of the realisation (form at step 3, Excel at step 4, the correction) is an entry too.
    assert ("edit", 3) in entries and ("edit", 4) in entries
    assert [entry for entry in entries if entry[0] not in HistoryEntry.CONTENT_CHANGES] == [
        ("start", 1),
        ("complete", 1),
        ("complete", 2),
        ("complete", 3),
        ("complete", 4),
        ("return", 5),
        ("complete", 4),
        ("approve", 5),
        ("approve", 6),
        ("finish", 7),
    ]
    assert document.attachments.count() == 4
    assert document.signature.sha256
    assert document.measurement.indicator_results.filter(realisation__isnull=True).count() == 0
    # The one refused form above answers 400 on purpose; nothing else may complain.
    assert [e for e in errors if "status of 400" not in e] == []
