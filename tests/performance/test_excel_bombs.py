"""Excel uploads made to exhaust memory or time are refused with a message, and nothing is saved.

The files come from tests/performance/excel_bombs.py; bench/excel_bombs.py measures what each
refusal costs (memory and time are not asserted here). Each trap sits in a workbook that would be
saved without it, so each test fails when its guard is missing.
"""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sakip.performance.models import ProgrammeResult
from tests.performance import excel_bombs
from tests.performance.excel_bombs import BOMBS, MAIN, budget_rows, realisation_rows, workbook
from tests.performance.test_excel import (
    document_at_content_step,
    log_in_editor,
    make_people,
    post,
    results,
    save_before,
    shown,
    stored,
)

pytestmark = pytest.mark.django_db

NOT_A_WORKBOOK = "The file is not an Excel workbook (.xlsx). Upload the template downloaded from this page."
COPY = "Copy the values into the template downloaded from this page."


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


@pytest.fixture
def rows(document):
    """The honest rows of this measurement, as the traps are built on."""
    programmes = ProgrammeResult.objects.filter(measurement__document=document).in_sheet_order()
    return realisation_rows([r.indicator_id for r in results(document)]), budget_rows(
        [r.programme_id for r in programmes]
    )


def upload(data: bytes):
    return SimpleUploadedFile("realisasi.xlsx", data)


def test_it_saves_the_honest_workbook_the_traps_are_built_on(editor, document, saved_before, rows):
    response = post(editor, document, upload(workbook(*rows)))

    assert shown(response) == ["The realisation from realisasi.xlsx was saved."]
    assert [r.realisation for r in results(document)] == [Decimal(50), Decimal(51), Decimal(52), Decimal(53)]


@pytest.mark.parametrize(
    ("bomb", "expected"),
    [
        ("cells", f"The sheet Realisasi has more than 100,000 cells. {COPY}"),
        ("content-types", f"The file lists more than 1,000 content types. {COPY}"),
        ("cell-formats", f"The file defines more than 64,000 cell formats. {COPY}"),
        ("shared-strings", f"The file holds more than 100,000 different texts. {COPY}"),
        ("many-elements", f"Part xl/sharedStrings.xml of the file holds more than 250,000 elements. {COPY}"),
        ("long-text", f"Part xl/sharedStrings.xml of the file unpacks to more than 16.0\xa0MB. {COPY}"),
        ("deep-nesting", NOT_A_WORKBOOK),
        ("long-comment", NOT_A_WORKBOOK),
        ("many-attributes", NOT_A_WORKBOOK),
        ("entity-expansion", NOT_A_WORKBOOK),
        ("lying-size", NOT_A_WORKBOOK),
        ("many-members", f"The file holds more than 1,000 parts. {COPY}"),
    ],
)
def test_it_refuses_a_file_made_to_exhaust_memory(editor, document, saved_before, rows, bomb, expected):
    data = BOMBS[bomb](*rows)
    assert len(data) < 5 * 1024 * 1024  # under the upload limit: the reader is what must stop it

    response = post(editor, document, upload(data))

    assert response.redirect_chain == [(f"/dokumen/{document.pk}/", 302)]
    assert shown(response) == [expected]
    assert stored(document) == saved_before


def test_it_covers_every_crafted_file():
    assert set(BOMBS) == {
        "cells",
        "content-types",
        "cell-formats",
        "shared-strings",
        "many-elements",
        "long-text",
        "deep-nesting",
        "long-comment",
        "many-attributes",
        "entity-expansion",
        "lying-size",
        "many-members",
    }


def test_it_refuses_a_list_of_parts_with_more_elements_than_any_workbook_needs(editor, document, saved_before, rows):
    content_types = excel_bombs.Repeat(
        excel_bombs.CONTENT_TYPES_HEAD + excel_bombs.CONTENT_TYPE_ENTRIES, "<a/>", 20_000, "</Types>"
    )

    response = post(editor, document, upload(workbook(*rows, **{"[Content_Types].xml": content_types})))

    assert shown(response) == [f"Part [Content_Types].xml of the file holds more than 20,000 elements. {COPY}"]
    assert stored(document) == saved_before


def test_it_refuses_a_doctype_even_without_entities_to_expand(editor, document, saved_before, rows):
    # The billion laughs fail in expat on their own; a DOCTYPE that expands nothing shows the guard.
    strings = excel_bombs.parts(*rows)["xl/sharedStrings.xml"]
    declared = strings.replace(f'<sst xmlns="{MAIN}">', f'<!DOCTYPE sst><sst xmlns="{MAIN}">')
    assert declared != strings

    response = post(editor, document, upload(workbook(*rows, **{"xl/sharedStrings.xml": declared})))

    assert shown(response) == [NOT_A_WORKBOOK]
    assert stored(document) == saved_before


def test_it_refuses_a_cell_longer_than_excel_allows(editor, document, saved_before, rows):
    realisation, budget = rows
    first = list(realisation[0])
    first[7] = "x" * 32_768

    response = post(editor, document, upload(workbook([first, *realisation[1:]], budget)))

    assert shown(response) == ["A cell of the file holds more than 32,767 characters, more than Excel allows."]
    assert stored(document) == saved_before
