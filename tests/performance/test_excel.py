"""The Excel template, its upload (all or nothing, row by row), and the measurement as a spreadsheet."""

import re
import zipfile
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.shortcuts import resolve_url
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from sakip.performance.excel.layout import REALISATION_HEADER, XLSX
from sakip.performance.models import IndicatorResult, Measurement, ProgrammeResult
from sakip.performance.services import measurement_save
from sakip.workflow.models import Document
from sakip.workflow.services import document_transition
from tests.conftest import a_pdf, make_user, start_document
from tests.performance.factories import make_agreement

pytestmark = pytest.mark.django_db

# Not a year the shared fixtures give an agreement to.
YEAR = 2030
EDITOR = "Angg. Tim SAKIP"  # holds steps 3 and 4, the content steps of the default SOP


# The set-up of these tests, as plain functions too: the other test_excel_*.py modules make the
# same fixtures from them.


def make_people(sop):
    return {actor.name: make_user(f"u{actor.position}", actor.group.name) for actor in sop.actors.all()}


def document_at_content_step(sop, people):
    """A document at step 3, where the team member fills in the realisation."""
    make_agreement(year=YEAR)
    doc = start_document(sop=sop, title=f"Pengukuran Kinerja Tahun {YEAR}", year=YEAR, by=people["Sekretaris"])
    doc = hand_on(doc, people["Sekretaris"])
    doc = hand_on(doc, people["Sek. Tim SAKIP"])
    assert doc.current_step.number == 3
    return doc


def log_in_editor(client, people):
    client.force_login(people[EDITOR])
    # The messages are compared in English, whatever the office's translation says.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def people(default_sop):
    return make_people(default_sop)


def hand_on(document, user):
    files = [a_pdf()] if document.current_step.attachment_required else []
    return document_transition(
        document=document, action="complete", by=user, requirements_confirmed=True, note="x", files=files
    )


@pytest.fixture
def document(default_sop, people):
    return document_at_content_step(default_sop, people)


@pytest.fixture
def editor(client, people):
    return log_in_editor(client, people)


def url(name, document):
    return reverse(f"performance:{name}", args=[document.pk])


def results(document):
    return list(
        IndicatorResult.objects.filter(measurement__document=document)
        .select_related("indicator")
        .order_by("indicator__objective__position", "indicator__position")
    )


def stored(document):
    """Everything an upload may change, to compare before and after."""
    indicators = {r.indicator_id: (r.realisation, r.helped, r.held_back) for r in results(document)}
    programmes = dict(
        ProgrammeResult.objects.filter(measurement__document=document).values_list("programme_id", "realised")
    )
    return indicators, programmes


def open_xlsx(response):
    return load_workbook(BytesIO(response.content))


def as_upload(workbook, name="realisasi.xlsx"):
    buffer = BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=XLSX)


def version(document):
    return Document.objects.get(pk=document.pk).version


def post(client, document, upload):
    """Upload as the document page's form does: the file and the version the page was read at."""
    data = {"version": version(document)} if upload is None else {"file": upload, "version": version(document)}
    return client.post(url("upload", document), data, follow=True)


def shown(response):
    return [m.message for m in response.context["messages"]]


def filled_template(client, document):
    """The downloaded template with a valid realisation in every row of both sheets."""
    workbook = open_xlsx(client.get(url("template", document)))
    for row in range(4, 8):
        workbook["Realisasi"].cell(row=row, column=7).value = 50 + row
    for row in range(4, 6):
        workbook["Anggaran"].cell(row=row, column=5).value = 1_000_000 * row
    return workbook


def save_before(document, people):
    """Realisations already saved, different from any the tests upload: a partial write would show."""
    measurement = Measurement.objects.get(document=document)
    measurement_save(
        measurement=measurement,
        by=people[EDITOR],
        version=version(document),
        indicators={
            r.pk: {"realisation": Decimal("11.1100"), "helped": "lama", "held_back": ""} for r in results(document)
        },
        programmes={pk: Decimal("7.00") for pk in measurement.programme_results.values_list("pk", flat=True)},
    )
    return stored(document)


@pytest.fixture
def saved_before(document, people):
    return save_before(document, people)


# ---------------------------------------------------------------------------------------------
# The template


def test_it_gives_the_template_with_a_row_per_indicator(editor, document):
    response = editor.get(url("template", document))

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == f'attachment; filename="realisasi-{document.pk}-{YEAR}.xlsx"'
    ws = open_xlsx(response)["Realisasi"]
    assert ws["A1"].value == document.title
    assert tuple(c.value for c in ws[3]) == REALISATION_HEADER
    rows = [tuple(c.value for c in row) for row in ws.iter_rows(min_row=4)]
    expected = [
        (number, r.indicator_id, r.indicator.objective.text, r.indicator.name, "%", r.indicator.target, None)
        for number, r in enumerate(results(document), start=1)
    ]
    assert [row[:7] for row in rows] == expected
    assert [row[5] for row in rows] == [81, 91, 82, 92]  # number cells, not text
    assert ws["F4"].number_format == "#,##0.00"  # a percentage, with the two decimals its indicator takes


def test_it_gives_the_budget_sheet_with_the_pagu(editor, document):
    ws = open_xlsx(editor.get(url("template", document)))["Anggaran"]

    assert tuple(c.value for c in ws[3]) == ("No", "Kode", "Program", "Pagu", "Realisasi Anggaran")
    assert [(row[2], row[3], row[4]) for row in ws.iter_rows(min_row=4, values_only=True)] == [
        ("Program 1.1", 100_000_000, None),
        ("Program 2.1", 200_000_000, None),
    ]
    assert ws["D4"].number_format == "#,##0.00"


def test_it_puts_the_values_already_saved_in_the_template(editor, document, saved_before):
    ws = open_xlsx(editor.get(url("template", document)))["Realisasi"]

    assert [(row[6], row[7]) for row in ws.iter_rows(min_row=4, values_only=True)] == [(11.11, "lama")] * 4


def test_it_keeps_a_name_starting_with_an_equals_sign_as_text(editor, document):
    IndicatorResult.objects.filter(name="Indikator 1.1").update(name='=HYPERLINK("http://example.com")')

    ws = open_xlsx(editor.get(url("template", document)))["Realisasi"]

    assert ws["D4"].data_type == "s"
    assert ws["D4"].value == '=HYPERLINK("http://example.com")'


# ---------------------------------------------------------------------------------------------
# Uploading


def test_it_saves_an_uploaded_template_exactly(editor, document):
    workbook = load_workbook(BytesIO(editor.get(url("template", document)).content))
    ws = workbook["Realisasi"]
    ws["G4"] = 85
    ws["G5"] = 12.3  # a double that is not exactly 12.3: read back to Excel's 15 digits
    ws["G6"] = "1.234,5"  # typed as text the Indonesian way
    ws["G7"] = None
    ws["H4"] = "Dukungan anggaran"
    ws["I5"] = "  Cuaca  "
    workbook["Anggaran"]["E4"] = 87_654_321.5
    workbook["Anggaran"]["E5"] = "150.000.000"

    response = post(editor, document, as_upload(workbook))

    assert response.redirect_chain == [(f"/dokumen/{document.pk}/", 302)]
    assert shown(response) == ["The realisation from realisasi.xlsx was saved."]
    saved = results(document)
    assert [r.realisation for r in saved] == [Decimal("85"), Decimal("12.3"), Decimal("1234.5"), None]
    assert [str(r.realisation) for r in saved[:3]] == ["85.0000", "12.3000", "1234.5000"]
    assert [(r.helped, r.held_back) for r in saved[:2]] == [("Dukungan anggaran", ""), ("", "Cuaca")]
    _, programmes = stored(document)
    assert sorted(programmes.values()) == [Decimal("87654321.50"), Decimal("150000000.00")]


def test_it_empties_a_realisation_left_empty_in_the_file(editor, document, saved_before):
    workbook = filled_template(editor, document)
    workbook["Realisasi"]["G4"] = None

    post(editor, document, as_upload(workbook))

    assert [r.realisation for r in results(document)] == [None, Decimal(55), Decimal(56), Decimal(57)]


def test_it_accepts_a_negative_value_where_the_indicator_allows_one(editor, document):
    IndicatorResult.objects.filter(name="Indikator 1.1").update(allow_negative=True)
    workbook = filled_template(editor, document)
    workbook["Realisasi"]["G4"] = "-2,5"

    post(editor, document, as_upload(workbook))

    assert results(document)[0].realisation == Decimal("-2.5")


def test_it_carries_the_document_version_in_the_upload_form(editor, document):
    page = editor.get(document.get_absolute_url()).content.decode()

    form = re.search(r'<form[^>]*action="{}".*?</form>'.format(re.escape(url("upload", document))), page, re.DOTALL)
    assert form is not None
    assert f'<input type="hidden" name="version" value="{version(document)}">' in form.group()


def test_it_refuses_an_upload_from_a_page_read_before_a_change(editor, document, people):
    filled = as_upload(filled_template(editor, document))
    read_at = version(document)
    saved = save_before(document, people)  # someone saves the realisation in the meantime

    response = editor.post(url("upload", document), {"file": filled, "version": read_at}, follow=True)

    assert shown(response) == ["This document has moved on since you opened it. Look at it again."]
    assert stored(document) == saved


def test_it_refuses_an_upload_without_the_version_its_page_was_read_at(editor, document, saved_before):
    response = editor.post(url("upload", document), {"file": as_upload(filled_template(editor, document))}, follow=True)

    assert shown(response) == ["This document has moved on since you opened it. Look at it again."]
    assert stored(document) == saved_before


def test_it_records_the_upload_in_the_history(editor, document, people):
    post(editor, document, as_upload(filled_template(editor, document)))

    entry = document.history.order_by("-pk").first()
    assert entry.by == people[EDITOR]
    assert entry.note == "6 rows changed (realisasi.xlsx)"


def _header(ws):
    ws["G3"] = "Nilai"


def _text(ws):
    ws["G5"] = "sepuluh"


def _missing(ws):
    ws.delete_rows(5)


def _unknown(ws):
    ws.append([5, 999999, "Sasaran 9", "Indikator 9", "%", 10, 5])


def _duplicate(ws):
    ws["B6"] = ws["B5"].value


def _negative(ws):
    ws["G4"] = -5


def _too_large(ws):
    ws["G4"] = "12.345.678.901.234.567"


def _too_many_decimals(ws):
    ws["G4"] = "1,23456"


def _date(ws):
    ws["G4"] = date(2026, 1, 2)


@pytest.mark.parametrize(
    ("spoil", "expected"),
    [
        (_header, ["Sheet Realisasi, row 3: the headings must read: " + " | ".join(REALISATION_HEADER)]),
        (_text, ["Sheet Realisasi, row 5: Realisasi 'sepuluh' is not a number."]),
        (_negative, ["Sheet Realisasi, row 4: Realisasi cannot be negative here."]),
        (_too_large, ["Sheet Realisasi, row 4: Realisasi 12.345.678.901.234.567 is too large."]),
        (_too_many_decimals, ["Sheet Realisasi, row 4: Realisasi 1,23456 has more than 4 decimals."]),
        (_date, ["Sheet Realisasi, row 4: Realisasi '2026-01-02 00:00:00' is not a number."]),
    ],
    ids=["header", "text", "negative", "too-large", "decimals", "date"],
)
def test_it_refuses_a_bad_row_and_saves_nothing(editor, document, saved_before, spoil, expected):
    workbook = filled_template(editor, document)
    spoil(workbook["Realisasi"])

    response = post(editor, document, as_upload(workbook))

    assert response.redirect_chain == [(f"/dokumen/{document.pk}/", 302)]
    assert shown(response) == ["Nothing was saved: the file has 1 problem.", *expected]
    assert stored(document) == saved_before


def test_it_names_an_indicator_missing_from_the_file(editor, document, saved_before):
    workbook = filled_template(editor, document)
    missing = results(document)[1].indicator_id
    _missing(workbook["Realisasi"])

    response = post(editor, document, as_upload(workbook))

    assert shown(response)[1:] == [
        f"Sheet Realisasi: the indicator with Kode {missing} (Indikator 1.2) is missing from the file."
    ]
    assert stored(document) == saved_before


def test_it_refuses_an_indicator_of_another_agreement(editor, document, saved_before):
    workbook = filled_template(editor, document)
    _unknown(workbook["Realisasi"])

    response = post(editor, document, as_upload(workbook))

    assert shown(response)[1:] == ["Sheet Realisasi, row 8: Kode 999999 is not part of this measurement."]
    assert stored(document) == saved_before


def test_it_refuses_a_duplicated_kode(editor, document, saved_before):
    workbook = filled_template(editor, document)
    first, displaced = results(document)[1].indicator_id, results(document)[2].indicator_id
    _duplicate(workbook["Realisasi"])

    response = post(editor, document, as_upload(workbook))

    assert shown(response) == [
        "Nothing was saved: the file has 2 problems.",
        f"Sheet Realisasi, row 6: Kode {first} appears twice (first in row 5).",
        f"Sheet Realisasi: the indicator with Kode {displaced} (Indikator 2.1) is missing from the file.",
    ]
    assert stored(document) == saved_before


def test_it_lists_every_bad_row_of_both_sheets(editor, document, saved_before):
    workbook = filled_template(editor, document)
    workbook["Realisasi"]["G4"] = "sepuluh"
    workbook["Realisasi"]["G7"] = "12.5"  # a dot groups thousands: refused, not guessed at
    workbook["Anggaran"]["E5"] = "banyak"

    response = post(editor, document, as_upload(workbook))

    assert shown(response) == [
        "Nothing was saved: the file has 3 problems.",
        "Sheet Realisasi, row 4: Realisasi 'sepuluh' is not a number.",
        "Sheet Realisasi, row 7: Realisasi '12.5' is not a number.",
        "Sheet Anggaran, row 5: Realisasi Anggaran 'banyak' is not a number.",
    ]
    assert stored(document) == saved_before


def test_it_shows_at_most_fifty_problems(editor, document, saved_before):
    workbook = filled_template(editor, document)
    for code in range(60):
        workbook["Realisasi"].append([None, 900_000 + code])

    messages = shown(post(editor, document, as_upload(workbook)))

    assert len(messages) == 52
    assert messages[0] == "Nothing was saved: the file has 60 problems."
    assert messages[-1] == "… and 10 more problems."
    assert stored(document) == saved_before


def test_it_refuses_a_sheet_longer_than_any_template(editor, document, saved_before):
    workbook = filled_template(editor, document)
    workbook["Realisasi"].cell(row=3 + 5000 + 1, column=2).value = 1

    response = post(editor, document, as_upload(workbook))

    assert shown(response)[1:] == ["The sheet Realisasi has more than 5000 rows."]
    assert stored(document) == saved_before


def test_it_refuses_a_workbook_without_the_budget_sheet(editor, document, saved_before):
    workbook = filled_template(editor, document)
    del workbook["Anggaran"]

    response = post(editor, document, as_upload(workbook))

    assert shown(response)[1:] == ["The workbook has no sheet named Anggaran."]
    assert stored(document) == saved_before


def _zip(**members):
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


NOT_A_WORKBOOK = "The file is not an Excel workbook (.xlsx). Upload the template downloaded from this page."


@pytest.mark.parametrize(
    ("upload", "expected"),
    [
        (SimpleUploadedFile("realisasi.xlsx", a_pdf().read(), content_type=XLSX), NOT_A_WORKBOOK),
        (SimpleUploadedFile("realisasi.xlsx", _zip(**{"catatan.txt": b"halo"})), NOT_A_WORKBOOK),
        (SimpleUploadedFile("realisasi.xlsx", b"PK\x03\x04 rusak"), NOT_A_WORKBOOK),
        (SimpleUploadedFile("realisasi.csv", b"No;Kode\n"), NOT_A_WORKBOOK),
        (SimpleUploadedFile("realisasi.xlsx", b""), "The file is empty."),
        (None, "Choose the filled-in Excel template to upload."),
    ],
    ids=["pdf-renamed", "zip-of-something-else", "broken-zip", "csv", "empty-file", "no-file"],
)
def test_it_refuses_a_file_that_is_not_a_workbook(editor, document, saved_before, upload, expected):
    response = post(editor, document, upload)

    assert response.redirect_chain == [(f"/dokumen/{document.pk}/", 302)]
    assert shown(response) == [expected]
    assert stored(document) == saved_before


def test_it_refuses_a_workbook_whose_sheet_is_broken(editor, document, saved_before):
    good = as_upload(filled_template(editor, document)).read()
    broken = BytesIO()
    with zipfile.ZipFile(BytesIO(good)) as source, zipfile.ZipFile(broken, "w") as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<v>81</v>", b"<v>delapan puluh satu</v>", 1)
                assert b"delapan" in data
            target.writestr(member, data)

    response = post(editor, document, SimpleUploadedFile("realisasi.xlsx", broken.getvalue()))

    assert shown(response) == [NOT_A_WORKBOOK]
    assert stored(document) == saved_before


def test_it_refuses_a_file_over_five_megabytes(editor, document, saved_before):
    response = post(editor, document, SimpleUploadedFile("realisasi.xlsx", b"PK\x03\x04" + b"0" * (5 * 1024 * 1024)))

    [message] = shown(response)
    assert message.startswith("The file is 5.0")
    assert "the limit is 5.0" in message
    assert stored(document) == saved_before


def test_it_refuses_a_zip_that_unpacks_too_far(editor, document, saved_before):
    bomb = _zip(**{"xl/worksheets/sheet1.xml": b"\0" * (51 * 1024 * 1024)})
    assert len(bomb) < 1024 * 1024

    response = post(editor, document, SimpleUploadedFile("realisasi.xlsx", bomb))

    assert shown(response)[0].startswith("The file unpacks to more than")
    assert stored(document) == saved_before


# ---------------------------------------------------------------------------------------------
# Who may


def test_it_refuses_the_template_and_upload_to_who_holds_no_content_step(client, document, people):
    client.force_login(people["Sekretaris"])  # sees the document: steps 1 and 6 are hers

    assert client.get(url("template", document)).status_code == 403
    assert client.post(url("upload", document), {"file": a_pdf("x.xlsx")}).status_code == 403
    assert client.get(url("export", document)).status_code == 200


def test_it_refuses_the_template_once_the_document_left_the_content_steps(editor, document, people):
    filled = filled_template(editor, document)
    post(editor, document, as_upload(filled))
    document.refresh_from_db()  # the upload was a change of content: a new version
    document = hand_on(hand_on(document, people[EDITOR]), people[EDITOR])
    assert document.current_step.number == 5

    assert editor.get(url("template", document)).status_code == 403
    assert editor.post(url("upload", document), {"file": as_upload(filled)}).status_code == 403


def test_it_hides_everything_from_an_outsider(staff_client, document):
    for name in ("template", "export"):
        assert staff_client.get(url(name, document)).status_code == 404
    assert staff_client.post(url("upload", document), {"file": a_pdf("x.xlsx")}).status_code == 404


def test_it_sends_an_anonymous_visitor_to_log_in(client, document, saved_before):
    login = resolve_url(settings.LOGIN_URL)
    for response in [
        client.get(url("template", document)),
        client.get(url("export", document)),
        client.post(url("upload", document), {"file": as_upload(Workbook())}),
    ]:
        assert response.status_code == 302
        assert response["Location"].startswith(f"{login}?next=")
    assert stored(document) == saved_before


def test_it_rejects_the_wrong_method(editor, document):
    assert editor.get(url("upload", document)).status_code == 405
    assert editor.post(url("template", document)).status_code == 405
    assert editor.post(url("export", document)).status_code == 405


# ---------------------------------------------------------------------------------------------
# The measurement as a spreadsheet


def test_it_exports_the_capaian_and_merges_the_objectives(client, document, people):
    measurement = Measurement.objects.get(document=document)
    first, _, third, _ = results(document)
    programmes = list(measurement.programme_results.order_by("programme__objective__position"))
    measurement_save(
        measurement=measurement,
        by=people[EDITOR],
        version=version(document),
        # Indikator 1.1: target 81, realisation 74,5 → 74,5 / 81 × 100 = 91,9753… → 91,98, Sangat Baik.
        indicators={first.pk: {"realisation": Decimal("74.5")}, third.pk: {"realisation": Decimal("82")}},
        # 87.654.321 of 100.000.000 → 87,65 %; 150.000.000 of 200.000.000 → 75,00 %;
        # together 237.654.321 of 300.000.000 → 79,218107 → 79,22 %.
        programmes={programmes[0].pk: Decimal("87654321"), programmes[1].pk: Decimal("150000000")},
    )
    client.force_login(people["Sekretaris"])  # may see, may not edit
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(url("export", document))

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="pengukuran-kinerja-{document.pk}-{YEAR}.xlsx"'
    workbook = open_xlsx(response)
    ws = workbook["Pengukuran Kinerja"]
    assert [c.value for c in ws[3]] == [
        "No",
        "Sasaran Strategis",
        "Indikator Kinerja",
        "Satuan",
        "Target",
        "Realisasi",
        "% Capaian",
        "Predikat",
    ]
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    assert rows[0] == (1, "Sasaran 1", "Indikator 1.1", "%", 81, 74.5, 91.98, "Sangat Baik")
    assert rows[1] == (2, None, "Indikator 1.2", "%", 91, None, "no realisation yet", None)
    assert rows[2][1:] == ("Sasaran 2", "Indikator 2.1", "%", 82, 82, 100, "Sangat Baik")
    assert ws["G4"].number_format == "#,##0.00"
    assert sorted(str(r) for r in ws.merged_cells.ranges) == ["B4:B5", "B6:B7"]

    budget = workbook["Anggaran"]
    assert [c.value for c in budget[3]] == ["No", "Program", "Pagu", "Realisasi", "% Serapan"]
    assert list(budget.iter_rows(min_row=4, values_only=True)) == [
        (1, "Program 1.1", 100_000_000, 87_654_321, 87.65),
        (2, "Program 2.1", 200_000_000, 150_000_000, 75),
        (None, "Jumlah", 300_000_000, 237_654_321, 79.22),
    ]


def test_it_leaves_the_budget_total_empty_while_a_programme_is_missing(client, document, people):
    client.force_login(people["Sekretaris"])

    budget = open_xlsx(client.get(url("export", document)))["Anggaran"]

    assert list(budget.iter_rows(min_row=6, values_only=True)) == [
        (None, "Jumlah", 300_000_000, None, None),
    ]
