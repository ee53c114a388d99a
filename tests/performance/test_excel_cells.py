"""What the upload makes of a cell: formulas, long texts, the largest numbers, rows past the end, rich text."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sakip.performance.models import IndicatorResult, ProgrammeResult
from tests.performance.excel_bombs import Formula, budget_rows, pack, parts, realisation_rows, workbook
from tests.performance.test_excel import (
    as_upload,
    document_at_content_step,
    filled_template,
    log_in_editor,
    make_people,
    post,
    results,
    save_before,
    shown,
    stored,
)

pytestmark = pytest.mark.django_db

UNCOMPUTED = (
    "the cell {column} holds a formula without a computed value; open the file in Excel, save it, and upload it again."
)


@pytest.fixture
def people(default_sop):
    return make_people(default_sop)


@pytest.fixture
def document(default_sop, people):
    return document_at_content_step(default_sop, people)


@pytest.fixture
def editor(client, people):
    return log_in_editor(client, people)


@pytest.fixture
def saved_before(document, people):
    return save_before(document, people)


def codes(document):
    programmes = ProgrammeResult.objects.filter(measurement__document=document).in_sheet_order()
    return [r.indicator_id for r in results(document)], [r.programme_id for r in programmes]


def upload(data: bytes):
    return SimpleUploadedFile("realisasi.xlsx", data)


# ---------------------------------------------------------------------------------------------
# Formulas


def test_it_refuses_formulas_without_computed_values_row_by_row(editor, document, saved_before):
    # openpyxl writes a formula with an empty value, as any program that does not calculate: the
    # file of the finding, which used to clear every realisation and say it was saved.
    workbook = filled_template(editor, document)
    for row in range(4, 8):
        workbook["Realisasi"].cell(row=row, column=7).value = f"=F{row}*0.9"

    response = post(editor, document, as_upload(workbook))

    assert shown(response) == [
        "Nothing was saved: the file has 4 problems.",
        *[f"Sheet Realisasi, row {row}: " + UNCOMPUTED.format(column="Realisasi") for row in range(4, 8)],
    ]
    assert stored(document) == saved_before


def test_it_names_every_column_whose_formula_has_no_value(editor, document, saved_before):
    indicators, programmes = codes(document)
    realisation = realisation_rows(indicators)
    realisation[0] = (*realisation[0][:7], Formula('"baik"&""', kind="str"), Formula("A1"))
    budget = budget_rows(programmes)
    budget[1] = (*budget[1][:4], Formula("D5*0.5"))

    response = post(editor, document, upload(workbook(realisation, budget)))

    assert shown(response) == [
        "Nothing was saved: the file has 3 problems.",
        "Sheet Realisasi, row 4: " + UNCOMPUTED.format(column="Faktor Pendukung"),
        "Sheet Realisasi, row 4: " + UNCOMPUTED.format(column="Faktor Penghambat"),
        "Sheet Anggaran, row 5: " + UNCOMPUTED.format(column="Realisasi Anggaran"),
    ]
    assert stored(document) == saved_before


def test_it_refuses_a_kode_whose_formula_has_no_value(editor, document, saved_before):
    indicators, programmes = codes(document)
    realisation = realisation_rows(indicators)
    realisation[1] = (realisation[1][0], Formula(f"{indicators[1]}+0"), *realisation[1][2:])

    response = post(editor, document, upload(workbook(realisation, budget_rows(programmes))))

    assert shown(response) == [
        "Nothing was saved: the file has 2 problems.",
        "Sheet Realisasi, row 5: " + UNCOMPUTED.format(column="Kode"),
        f"Sheet Realisasi: the indicator with Kode {indicators[1]} (Indikator 1.2) is missing from the file.",
    ]
    assert stored(document) == saved_before


def test_it_uses_the_value_excel_computed_for_a_formula(editor, document):
    indicators, programmes = codes(document)
    values = [Formula("F4*0.9", cached=72.9), Formula("ROUND(F5,0)", cached=91), 10, Formula('""', "", kind="str")]
    realisation = realisation_rows(indicators, values)
    realisation[2] = (*realisation[2][:7], Formula('"Dukungan "&"dana"', "Dukungan dana", kind="str"), "")
    budget = budget_rows(programmes)
    budget[0] = (*budget[0][:4], Formula("D4/2", cached=50_000_000))

    response = post(editor, document, upload(workbook(realisation, budget)))

    assert shown(response) == ["The realisation from realisasi.xlsx was saved."]
    saved = results(document)
    # A formula whose text result is empty was computed: an empty realisation, like an empty cell.
    assert [r.realisation for r in saved] == [Decimal("72.9"), Decimal(91), Decimal(10), None]
    assert saved[2].helped == "Dukungan dana"
    assert sorted(stored(document)[1].values()) == [Decimal(2_000_000), Decimal(50_000_000)]


def test_it_leaves_alone_a_formula_without_value_in_a_column_it_does_not_read(editor, document):
    workbook = filled_template(editor, document)
    for row in range(4, 8):
        workbook["Realisasi"].cell(row=row, column=1).value = f"=ROW()-{3}"

    response = post(editor, document, as_upload(workbook))

    assert shown(response) == ["The realisation from realisasi.xlsx was saved."]


# ---------------------------------------------------------------------------------------------
# Texts


def test_it_refuses_a_faktor_longer_than_the_measurement_keeps(editor, document, saved_before):
    workbook = filled_template(editor, document)
    workbook["Realisasi"]["H4"] = "a" * 2001
    workbook["Realisasi"]["I6"] = "b" * 30_000

    response = post(editor, document, as_upload(workbook))

    assert shown(response) == [
        "Nothing was saved: the file has 2 problems.",
        "Sheet Realisasi, row 4: Faktor Pendukung has 2,001 characters; at most 2,000 are allowed.",
        "Sheet Realisasi, row 6: Faktor Penghambat has 30,000 characters; at most 2,000 are allowed.",
    ]
    assert stored(document) == saved_before


def test_it_keeps_a_faktor_of_the_longest_length(editor, document):
    workbook = filled_template(editor, document)
    workbook["Realisasi"]["H4"] = "  " + "a" * 2000 + "  "  # what is stored is the text without the spaces

    post(editor, document, as_upload(workbook))

    assert results(document)[0].helped == "a" * 2000


def test_it_reads_rich_text_as_its_plain_text(editor, document):
    indicators, programmes = codes(document)
    realisation = realisation_rows(indicators)
    realisation[0] = (*realisation[0][:7], "RICH", "")
    members = parts(realisation, budget_rows(programmes))
    # Part of the cell in bold, and a phonetic hint (as Japanese Excel adds) that is not the text.
    rich = (
        '<si><r><t xml:space="preserve">Dukungan </t></r><r><rPr><b/></rPr><t>anggaran</t></r>'
        '<rPh sb="0" eb="1"><t>ドウ</t></rPh></si>'
    )
    members["xl/sharedStrings.xml"] = members["xl/sharedStrings.xml"].replace(
        '<si><t xml:space="preserve">RICH</t></si>', rich
    )
    assert rich in members["xl/sharedStrings.xml"]

    response = post(editor, document, upload(pack(members)))

    assert shown(response) == ["The realisation from realisasi.xlsx was saved."]
    assert results(document)[0].helped == "Dukungan anggaran"


# ---------------------------------------------------------------------------------------------
# Numbers: the sizes of NUMBER and MONEY, which SQLite stores exactly


def test_it_keeps_the_largest_and_smallest_numbers_exactly(editor, document):
    IndicatorResult.objects.filter(measurement__document=document).update(decimals=4)  # all that NUMBER holds
    workbook = filled_template(editor, document)
    workbook["Realisasi"]["G4"] = "99.999.999.999,9999"
    workbook["Realisasi"]["G5"] = 0.0001
    workbook["Anggaran"]["E4"] = "9.999.999.999.999,99"
    workbook["Anggaran"]["E5"] = 9_999_999_999_999.99  # a double: read back to Excel's 15 digits

    response = post(editor, document, as_upload(workbook))

    assert shown(response) == ["The realisation from realisasi.xlsx was saved."]
    assert [r.realisation for r in results(document)[:2]] == [Decimal("99999999999.9999"), Decimal("0.0001")]
    assert sorted(stored(document)[1].values()) == [Decimal("9999999999999.99")] * 2


def test_it_refuses_a_number_one_digit_too_long(editor, document, saved_before):
    workbook = filled_template(editor, document)
    # The finding: 9999999999999999, which a spreadsheet holds as 1E+16, was stored and broke every page.
    workbook["Realisasi"]["G4"] = 9_999_999_999_999_999
    workbook["Realisasi"]["G5"] = "100.000.000.000"
    workbook["Anggaran"]["E4"] = "10.000.000.000.000"

    response = post(editor, document, as_upload(workbook))

    assert shown(response) == [
        "Nothing was saved: the file has 3 problems.",
        "Sheet Realisasi, row 4: Realisasi 10.000.000.000.000.000 is too large.",
        "Sheet Realisasi, row 5: Realisasi 100.000.000.000 is too large.",
        "Sheet Anggaran, row 4: Realisasi Anggaran 10.000.000.000.000 is too large.",
    ]
    assert stored(document) == saved_before


# ---------------------------------------------------------------------------------------------
# Rows


def test_it_refuses_a_row_far_past_the_last_one_allowed(editor, document, saved_before):
    workbook = filled_template(editor, document)
    workbook["Realisasi"]["B9000"] = 1  # before, rows past 5 004 were not even looked at

    response = post(editor, document, as_upload(workbook))

    assert shown(response)[1:] == ["The sheet Realisasi has more than 5000 rows."]
    assert stored(document) == saved_before


def test_it_ignores_cells_right_of_the_template(editor, document):
    workbook = filled_template(editor, document)
    workbook["Realisasi"]["J4"] = "catatan"
    workbook["Realisasi"]["Z5"] = "=A1"

    response = post(editor, document, as_upload(workbook))

    assert shown(response) == ["The realisation from realisasi.xlsx was saved."]
