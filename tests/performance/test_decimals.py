"""Each indicator takes its own number of decimals: 0 where the unit counts things, so "1,205" orang is refused.

"1,205" is one point two zero five in Indonesian notation: for a count of people it was surely meant as
1.205 (one thousand two hundred five), and is refused with a message at the field, never kept or rounded.
Run on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import re
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from sakip.lib.numbers import decimal_places, format_in_decimals, parse_id_decimal, thousands_meant
from sakip.performance.demo import create_demo_agreement
from sakip.performance.forms import IdDecimalField
from sakip.performance.models import Agreement, Indicator, IndicatorResult, Measurement, decimals_problem
from sakip.performance.services import agreement_changes, measurement_save, measurement_take_changes
from sakip.workflow.content import content_digest
from sakip.workflow.models import Document
from tests.conftest import start_document
from tests.performance.factories import make_agreement
from tests.performance.test_exact_numbers import admin_post, admin_url, inline_errors, objective_post, objective_url
from tests.performance.test_excel import (
    EDITOR,
    as_upload,
    filled_template,
    hand_on,
    log_in_editor,
    make_people,
    open_xlsx,
    post,
    results,
    shown,
    stored,
    url,
)

pytestmark = pytest.mark.django_db

YEAR = 2034  # a year no other test's agreement uses
PLAN_YEAR = 2035  # an agreement no document uses, so that its indicators may change
WHOLE = "The number of orang must be a whole number."
HINT = "Thousands are separated with a dot: 1.205."


# ---------------------------------------------------------------------------------------------
# The numbers themselves


@pytest.mark.parametrize(
    ("value", "places"),
    [("1205", 0), ("1.2050", 3), ("87.50", 1), ("0.0000", 0), ("1E+3", 0), ("-0.0001", 4)],
)
def test_it_counts_the_decimals_a_value_really_holds(value, places):
    assert decimal_places(Decimal(value)) == places


@pytest.mark.parametrize(
    ("value", "decimals", "shown_as"),
    [
        ("1205", 0, "1.205"),
        ("1205.0000", 0, "1.205"),
        ("87.5", 2, "87,50"),
        ("1160", 2, "1.160,00"),
        ("4.5000", 2, "4,50"),
        ("0", 4, "0,0000"),
        ("-2.5", 1, "-2,5"),
        # Stored before its indicator said 0 decimals: shown whole, never rounded to another number.
        ("1.205", 0, "1,205"),
        ("91.765", 2, "91,765"),
    ],
)
def test_it_shows_a_value_with_its_indicators_decimals_and_never_fewer_than_it_holds(value, decimals, shown_as):
    assert format_in_decimals(Decimal(value), decimals) == shown_as
    assert format_in_decimals(None, decimals) == ""


@pytest.mark.parametrize(
    ("typed", "meant"), [("1,205", "1.205"), ("12,500", "12.500"), ("-1,000", "-1.000"), ("1,5", ""), ("1.205", "")]
)
def test_it_recognises_thousands_written_with_a_comma(typed, meant):
    assert thousands_meant(typed) == meant


@settings(max_examples=200, deadline=None)
@given(data=st.data(), decimals=st.integers(0, 4))
def test_a_value_shown_with_its_decimals_reads_back_as_the_same_value(data, decimals):
    value = data.draw(st.decimals(min_value=-(10**11) + 1, max_value=10**11 - 1, places=decimals))
    field = IdDecimalField()
    field.set_indicator(decimals, "orang" if decimals == 0 else "%")

    text = format_in_decimals(value, decimals)

    assert len(text.partition(",")[2]) == decimals  # exactly that many decimals
    assert parse_id_decimal(text) == value
    assert field.clean(text) == value


@settings(max_examples=100, deadline=None)
@given(data=st.data(), decimals=st.integers(0, 3))
def test_a_value_with_one_decimal_more_than_its_indicator_takes_is_refused(data, decimals):
    whole = data.draw(st.integers(0, 10**6))
    last = data.draw(st.integers(1, 9))
    value = Decimal(whole * 10 + last).scaleb(-(decimals + 1))
    field = IdDecimalField()
    field.set_indicator(decimals, "orang")

    with pytest.raises(ValidationError) as refused:
        field.clean(format_in_decimals(value, decimals + 1))

    assert refused.value.error_list[0].code == "decimals"


def test_it_says_why_in_the_words_of_the_unit():
    with translation.override("en"):
        assert decimals_problem(Decimal("1.205"), 0, "orang", "1,205") == f"{WHOLE} {HINT}"
        assert decimals_problem(Decimal("1.5"), 0, " kasus ") == "The number of kasus must be a whole number."
        assert decimals_problem(Decimal("1.5"), 0, "%") == "This indicator takes whole numbers only."
        assert decimals_problem(Decimal("87.505"), 2, "%") == "At most 2 decimals for this indicator."
        assert decimals_problem(Decimal("87.55"), 1, "%") == "At most 1 decimal for this indicator."
        assert decimals_problem(Decimal("1205"), 0, "orang", "1.205") == ""
        assert decimals_problem(None, 0, "orang") == ""


# ---------------------------------------------------------------------------------------------
# A document whose first indicator counts people


@pytest.fixture
def people(default_sop):
    return make_people(default_sop)


def counting(objective_year: int) -> tuple[Indicator, Indicator]:
    """Indicator 1.1 counts people (whole numbers, target 1.160); indicator 1.2 is a percentage (2 decimals)."""
    make_agreement(year=objective_year)
    indicators = Indicator.objects.filter(objective__agreement__year=objective_year).order_by(
        "objective__position", "position"
    )
    people_count, percentage = indicators[0], indicators[1]
    Indicator.objects.filter(pk=people_count.pk).update(unit="orang", decimals=0, target=Decimal(1160))
    return people_count, percentage


@pytest.fixture
def document(default_sop, people):
    counting(YEAR)
    doc = start_document(sop=default_sop, title=f"Pengukuran Kinerja Tahun {YEAR}", year=YEAR, by=people["Sekretaris"])
    doc = hand_on(doc, people["Sekretaris"])
    doc = hand_on(doc, people["Sek. Tim SAKIP"])
    assert doc.current_step.number == 3
    return doc


@pytest.fixture
def editor(client, people):
    return log_in_editor(client, people)


def test_the_measurement_copies_the_decimals_of_each_indicator(document):
    assert [(r.unit, r.decimals) for r in results(document)] == [("orang", 0), ("%", 2), ("%", 2), ("%", 2)]


def the_post(document, **typed) -> dict:
    """The realisation page's form: "1" everywhere, or what ``typed`` gives by row number (r0, r1, …)."""
    data = {"version": str(Document.objects.get(pk=document.pk).version)}
    for number, result in enumerate(results(document)):
        data[f"i{result.pk}-realisation"] = typed.get(f"r{number}", "1")
        data[f"i{result.pk}-helped"] = data[f"i{result.pk}-held_back"] = ""
    for result in Measurement.objects.get(document=document).programme_results.all():
        data[f"p{result.pk}-realised"] = "1"
    return data


def test_the_realisation_page_refuses_1_205_orang_at_the_field_and_saves_nothing(editor, document):
    before = stored(document)

    response = editor.post(url("realisation", document), the_post(document, r0="1,205"))

    assert response.status_code == 400
    errors = [form.errors for form in response.context["indicator_forms"]]
    assert errors == [{"realisation": [f"{WHOLE} {HINT}"]}, {}, {}, {}]
    assert f"{WHOLE} {HINT}" in response.text
    assert stored(document) == before


def test_the_realisation_page_refuses_more_decimals_than_a_percentage_takes(editor, document):
    response = editor.post(url("realisation", document), the_post(document, r1="87,505"))

    assert response.status_code == 400
    errors = [form.errors for form in response.context["indicator_forms"]]
    assert errors == [{}, {"realisation": ["At most 2 decimals for this indicator."]}, {}, {}]


def test_the_realisation_page_takes_a_count_and_shows_every_value_with_its_decimals(editor, document):
    response = editor.post(url("realisation", document), the_post(document, r0="1.205", r1="87,5"))

    assert response.status_code == 302
    assert [r.realisation for r in results(document)][:2] == [Decimal(1205), Decimal("87.5")]
    page = editor.get(document.get_absolute_url()).text
    assert re.search(r">\s*1\.160\s*<", page) and re.search(r">\s*1\.205\s*<", page)
    assert "1.160,00" not in page and "1.205,00" not in page
    assert "87,50" in page and "91,00" in page  # the percentage's realisation and target, two decimals each
    form = editor.get(url("realisation", document)).text
    assert 'value="1.205"' in form and 'value="87,50"' in form and 'inputmode="numeric"' in form
    pdf = "".join(PdfReader(BytesIO(editor.get(url("pdf", document)).content)).pages[0].extract_text().split())
    assert "1.160" in pdf and "1.205" in pdf and "87,50" in pdf and "1.205,00" not in pdf


def test_the_service_refuses_a_count_with_decimals_from_any_caller(document, people):
    measurement = Measurement.objects.get(document=document)
    first = results(document)[0]
    before = stored(document)

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        measurement_save(
            measurement=measurement,
            by=people[EDITOR],
            version=document.version,
            indicators={first.pk: {"realisation": Decimal("1.205")}},
        )

    assert refused.value.messages == [f"Indikator 1.1: {WHOLE}"]
    assert stored(document) == before


# ---------------------------------------------------------------------------------------------
# The Excel upload


def test_the_upload_refuses_a_number_cell_of_1_205_orang_naming_its_row_and_saves_nothing(editor, document):
    before = stored(document)
    workbook = filled_template(editor, document)
    workbook["Realisasi"]["G4"] = 1.205  # as Excel keeps "1.205" typed with an English decimal point
    workbook["Realisasi"]["G5"] = "87,505"

    response = post(editor, document, as_upload(workbook))

    assert shown(response) == [
        "Nothing was saved: the file has 2 problems.",
        f"Sheet Realisasi, row 4: Realisasi 1,205: {WHOLE}",
        "Sheet Realisasi, row 5: Realisasi 87,505: At most 2 decimals for this indicator.",
    ]
    assert stored(document) == before


def test_the_upload_refuses_a_text_cell_of_1_205_orang_with_the_hint(editor, document):
    workbook = filled_template(editor, document)
    workbook["Realisasi"]["G4"] = "1,205"

    response = post(editor, document, as_upload(workbook))

    assert shown(response)[1:] == [f"Sheet Realisasi, row 4: Realisasi 1,205: {WHOLE} {HINT}"]


def test_the_upload_takes_a_whole_count_and_the_spreadsheets_show_the_decimals(editor, document):
    workbook = filled_template(editor, document)
    workbook["Realisasi"]["G4"] = "1.205"  # one thousand two hundred five, the Indonesian way
    workbook["Realisasi"]["G5"] = 87.5

    response = post(editor, document, as_upload(workbook))

    assert shown(response) == ["The realisation from realisasi.xlsx was saved."]
    assert [r.realisation for r in results(document)][:2] == [Decimal(1205), Decimal("87.5")]
    template = open_xlsx(editor.get(url("template", document)))["Realisasi"]
    assert [template[f"{column}4"].number_format for column in "FG"] == ["#,##0", "#,##0"]
    assert [template[f"{column}5"].number_format for column in "FG"] == ["#,##0.00", "#,##0.00"]
    export = open_xlsx(editor.get(url("export", document)))["Pengukuran Kinerja"]
    assert [export[f"{column}4"].number_format for column in "EF"] == ["#,##0", "#,##0"]
    assert [export[f"{column}5"].number_format for column in "EF"] == ["#,##0.00", "#,##0.00"]


# ---------------------------------------------------------------------------------------------
# The agreement: its page and the admin


@pytest.fixture
def plan(default_sop):
    """One objective whose one indicator counts people, in an agreement no document uses."""
    make_agreement(year=PLAN_YEAR, objectives=1, indicators_per_objective=1, programmes_per_objective=1)
    objective = Agreement.objects.get(year=PLAN_YEAR).objectives.get()
    objective.indicators.update(unit="orang", decimals=0, target=Decimal(480))
    return objective


@pytest.fixture
def planner(client, people):
    client.force_login(people["Kasubbag. Program dan Evaluasi"])
    client.cookies["django_language"] = "en"
    return client


def targets(objective) -> tuple:
    indicator = objective.indicators.get()
    return indicator.decimals, indicator.target, indicator.target_q1, indicator.target_q4


def test_the_agreement_page_refuses_a_target_of_1_205_orang_at_the_field(planner, plan):
    before = targets(plan)
    data = objective_post(plan, target="1,205", budget="1", allow_negative=False, text="Sasaran 1")
    data["indicators-0-decimals"] = "0"

    response = planner.post(objective_url(plan), data)

    assert response.status_code == 400
    errors = response.context["indicators"].forms[0].errors
    assert errors == {"target": [WHOLE], "target_q1": [WHOLE]}
    assert targets(plan) == before


def test_the_agreement_page_sets_the_decimals_and_checks_the_targets_against_the_new_value(planner, plan):
    data = objective_post(plan, target="12,5", budget="1", allow_negative=False, text="Sasaran 1")
    data["indicators-0-decimals"] = "1"

    response = planner.post(objective_url(plan), data)

    assert response.status_code == 302
    assert targets(plan) == (1, Decimal("12.5"), Decimal("12.5"), None)
    page = planner.get(reverse("performance:agreement", args=[PLAN_YEAR])).text
    assert re.search(r'<td class="text-end"[^>]*>12,5</td>', page)
    form = planner.get(objective_url(plan)).text
    assert 'name="indicators-0-decimals"' in form


def test_the_admin_refuses_a_target_of_1_205_orang_at_the_field(client, admin_user, plan):
    client.force_login(admin_user)
    client.cookies["django_language"] = "en"
    before = targets(plan)
    data = admin_post(plan, target="1.205", budget="1", allow_negative=False, text="S")  # the admin's decimal point
    data["indicators-0-decimals"] = "0"

    response = client.post(admin_url(plan), data)

    assert response.status_code == 200
    assert inline_errors(response, "indicators") == {"target": [WHOLE], "target_q4": [WHOLE]}
    assert targets(plan) == before

    data["indicators-0-target"] = data["indicators-0-target_q4"] = "1205"
    assert client.post(admin_url(plan), data).status_code == 302
    assert targets(plan) == (0, Decimal(1205), None, Decimal(1205))


# ---------------------------------------------------------------------------------------------
# The frozen copy and the content digest


def test_a_change_of_decimals_is_taken_in_on_purpose_and_leaves_the_digest_as_it_was(document, people):
    measurement = Measurement.objects.select_related("agreement").get(document=document)
    digest = content_digest(document)
    percentage = results(document)[1]
    Indicator.objects.filter(pk=percentage.indicator_id).update(decimals=1)
    Agreement.objects.filter(year=YEAR).update(revised_at=timezone.now())  # as the receivers do on a save
    measurement.refresh_from_db()
    measurement.agreement.refresh_from_db()

    changes = agreement_changes(measurement)

    assert [(c.item, c.before, c.after) for c in changes] == [("Indikator 1.2", "2", "1")]
    measurement_take_changes(measurement=measurement, by=people[EDITOR], version=document.version)
    assert IndicatorResult.objects.get(pk=percentage.pk).decimals == 1
    # How many decimals are written is not content: the exact values in the digest stay as they were.
    assert content_digest(Document.objects.get(pk=document.pk)) == digest


def test_the_demo_counts_people_and_cases_in_whole_numbers(db):
    create_demo_agreement(2040)

    decimals = dict(Indicator.objects.filter(objective__agreement__year=2040).values_list("unit", "decimals"))

    assert decimals == {"%": 2, "orang": 0, "kasus": 0}


# ---------------------------------------------------------------------------------------------
# The migration's data step

BEFORE = ("performance", "0005_agreement_revision")
AFTER = ("performance", "0006_indicator_decimals")


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_counts_whole_numbers_and_keeps_what_other_units_hold(default_sop, people):
    doc = start_document(sop=default_sop, title="PK 2026", year=2026, by=people["Sekretaris"])
    by_name = {i.name.split()[1]: i for i in Indicator.objects.filter(objective__agreement__year=2026)}
    # The demo's units: "pencari" and "peserta" orang, "kasus" (the last), the rest %.
    Indicator.objects.filter(pk=by_name["peserta"].pk).update(unit=" Orang ")  # as typed by hand
    Indicator.objects.filter(name__startswith="Jumlah kasus", objective__agreement__year=2026).update(
        target=Decimal("40.5")
    )
    rows = IndicatorResult.objects.filter(measurement__document=doc)
    rows.filter(indicator=by_name["pencari"]).update(realisation=Decimal("1.205"))  # "1,205" accepted before
    rows.filter(name__startswith="Tingkat").update(realisation=Decimal("4.125"))
    _migrate(BEFORE)
    try:
        _migrate(AFTER)
    finally:
        _migrate(max(MigrationExecutor(connection).loader.graph.leaf_nodes("performance")))

    indicators = {i.name: i.decimals for i in Indicator.objects.filter(objective__agreement__year=2026).order_by("pk")}
    assert indicators == {
        "Tingkat Pengangguran Terbuka (TPT)": 3,  # a realisation of 4,125 was entered: kept valid
        "Jumlah pencari kerja yang ditempatkan": 0,  # counts people: 1,205 is now refused at the next save
        "Persentase tenaga kerja bersertifikat kompetensi": 2,
        "Jumlah peserta pelatihan berbasis kompetensi": 0,  # " Orang " too
        "Persentase kasus perselisihan hubungan industrial yang diselesaikan": 2,
        "Jumlah kasus perselisihan hubungan industrial": 1,  # a count, but its target holds a decimal
    }
    copies = {r.name: r.decimals for r in IndicatorResult.objects.filter(measurement__document=doc)}
    assert copies == indicators
    pencari = IndicatorResult.objects.get(measurement__document=doc, name__startswith="Jumlah pencari")
    assert format_in_decimals(pencari.realisation, pencari.decimals) == "1,205"  # shown as kept, not as 1
