"""Numbers the database holds exactly: each way in keeps to the models' sizes, and no value that fits breaks a page.

Run on SQLite and on PostgreSQL: SQLite keeps a decimal as a REAL (15 significant digits), PostgreSQL as
numeric; NUMBER and MONEY are sized so that both give back exactly what was written.
"""

from __future__ import annotations

import re
from decimal import Decimal
from io import BytesIO

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from pypdf import PdfReader

from sakip.lib.numbers import format_id_decimal
from sakip.performance.forms import IdDecimalField
from sakip.performance.models import (
    MONEY,
    NUMBER,
    RESULT_TEXT_MAX_LENGTH,
    Indicator,
    IndicatorResult,
    LowerFormula,
    Measurement,
    Objective,
    Polarity,
    Programme,
    ProgrammeResult,
)
from sakip.performance.pdf import render_measurement_pdf
from sakip.workflow.models import Document
from sakip.workflow.services import document_transition
from tests.conftest import a_pdf, make_user, start_document
from tests.performance.factories import make_agreement

pytestmark = pytest.mark.django_db

YEAR = 2032  # the measured agreement: a year no shared fixture uses
PLAN_YEAR = 2033  # an agreement no document uses, so that its targets and budgets may change
EDITOR = "Angg. Tim SAKIP"  # holds the content steps of the default SOP
PLANNER = "Kasubbag. Program dan Evaluasi"  # may change the agreement
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def largest(size: dict) -> Decimal:
    """The largest value a field of ``size`` holds: all nines."""
    return Decimal(10) ** (size["max_digits"] - size["decimal_places"]) - step(size)


def step(size: dict) -> Decimal:
    return Decimal(10) ** -size["decimal_places"]


NUMBER_MAX = largest(NUMBER)
MONEY_MAX = largest(MONEY)


def test_it_has_the_sizes_the_readme_gives():
    # What the README promises, written out: if the models change, the README must too.
    assert format_id_decimal(NUMBER_MAX) == "99.999.999.999,9999"
    assert format_id_decimal(MONEY_MAX) == "9.999.999.999.999,99"


@pytest.mark.parametrize(
    ("size", "typed", "expected"),
    [
        (NUMBER, "99.999.999.999,9999", Decimal("99999999999.9999")),
        (NUMBER, "-99.999.999.999,9999", Decimal("-99999999999.9999")),
        (NUMBER, "0,0001", Decimal("0.0001")),
        (NUMBER, "100.000.000.000", "At most 11 digits before the comma (the largest is 99.999.999.999,9999)."),
        (NUMBER, "0,00001", "At most 4 digits after the comma."),
        (NUMBER, "1,50000", Decimal("1.5")),
        (NUMBER, Decimal("NaN"), "Enter a number such as 1.234,56."),
        (MONEY, "9.999.999.999.999,99", Decimal("9999999999999.99")),
        (MONEY, "10.000.000.000.000", "At most 13 digits before the comma (the largest is 9.999.999.999.999,99)."),
        (MONEY, "0,001", "At most 2 digits after the comma."),
    ],
)
def test_it_keeps_a_typed_number_within_the_size_of_its_field(size, typed, expected):
    field = IdDecimalField(**size)
    with translation.override("en"):
        if isinstance(expected, Decimal):
            assert field.clean(typed) == expected
        else:
            with pytest.raises(ValidationError) as refused:
                field.clean(typed)
            assert refused.value.messages == [expected]


# ---------------------------------------------------------------------------------------------
# Strategies


def fitting(size: dict, *, negative: bool) -> st.SearchStrategy[Decimal]:
    """Values a field of ``size`` holds, spread over every number of whole digits, with its edges."""
    places = size["decimal_places"]
    whole = size["max_digits"] - places

    def up_to(digits: int) -> st.SearchStrategy[Decimal]:
        top = Decimal(10) ** digits - step(size)
        return st.decimals(min_value=-top if negative else 0, max_value=top, places=places)

    edges = [Decimal(0), step(size), largest(size), Decimal(1), largest(size) - step(size)]
    if negative:
        edges += [-value for value in edges if value]
    return st.one_of(st.sampled_from(edges), st.integers(0, whole).flatmap(up_to))


def one_digit_more(size: dict, *, negative: bool) -> st.SearchStrategy[Decimal]:
    """Values with one whole digit or one decimal more than a field of ``size`` holds."""
    places = size["decimal_places"]
    whole = size["max_digits"] - places
    sign = st.sampled_from([1, -1]) if negative else st.just(1)
    too_wide = st.builds(
        lambda number, fraction, sign: sign * (Decimal(number) + Decimal(fraction).scaleb(-places)),
        st.integers(10**whole, 10 ** (whole + 1) - 1),
        st.integers(0, 10**places - 1),
        sign,
    )
    # The last decimal is not zero, so the value really has one place more.
    too_fine = st.builds(
        lambda number, last, sign: sign * Decimal(number * 10 + last).scaleb(-(places + 1)),
        st.integers(0, 10 ** (whole + places) - 1),
        st.integers(1, 9),
        sign,
    )
    return st.one_of(too_wide, too_fine)


def refusal(size: dict, value: Decimal) -> str:
    """What the page says at the field about ``value``, one digit too wide or too fine."""
    places = size["decimal_places"]
    if -value.as_tuple().exponent > places:
        return f"At most {places} digits after the comma."
    whole = size["max_digits"] - places
    return f"At most {whole} digits before the comma (the largest is {format_id_decimal(largest(size))})."


# Each example goes through a whole request: fewer examples than a pure function gets, but every edge is
# among them (the sampled edges above, and the @example cases).
PATH = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


# ---------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture
def people(default_sop):
    return {actor.name: make_user(f"u{actor.position}", actor.group.name) for actor in default_sop.actors.all()}


def hand_on(document, user):
    files = [a_pdf()] if document.current_step.attachment_required else []
    return document_transition(
        document=document, action="complete", by=user, requirements_confirmed=True, note="x", files=files
    )


@pytest.fixture
def document(default_sop, people):
    """A document at step 3, where the team member fills in the realisation; its indicators allow negatives."""
    make_agreement(year=YEAR)
    # All the decimals NUMBER holds: these tests are about the columns' sizes (test_decimals: an indicator's own).
    Indicator.objects.filter(objective__agreement__year=YEAR).update(allow_negative=True, decimals=4)
    doc = start_document(sop=default_sop, title=f"Pengukuran Kinerja Tahun {YEAR}", year=YEAR, by=people["Sekretaris"])
    doc = hand_on(doc, people["Sekretaris"])
    doc = hand_on(doc, people["Sek. Tim SAKIP"])
    assert doc.current_step.number == 3
    # The measurement's own copy says so too, whether or not it was taken before this update.
    IndicatorResult.objects.filter(measurement__document=doc).update(allow_negative=True, decimals=4)
    return doc


def _english(client):
    # The messages are compared in English, whatever the office's translation says.
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def editor(client, people):
    client.force_login(people[EDITOR])
    return _english(client)


@pytest.fixture
def planner(client, people):
    client.force_login(people[PLANNER])
    return _english(client)


@pytest.fixture
def admin(client, admin_user):
    client.force_login(admin_user)
    return _english(client)


@pytest.fixture
def plan(default_sop):
    """One objective with one indicator and one programme, in an agreement no document uses yet."""
    agreement = make_agreement(year=PLAN_YEAR, objectives=1, indicators_per_objective=1, programmes_per_objective=1)
    return agreement.objectives.get()


def indicator_results(document) -> list[IndicatorResult]:
    return list(IndicatorResult.objects.filter(measurement__document=document).order_by("pk"))


def programme_results(document) -> list[ProgrammeResult]:
    return list(ProgrammeResult.objects.filter(measurement__document=document).order_by("pk"))


def stored(document) -> tuple:
    """Everything a realisation may change, to compare before and after."""
    return (
        [(r.realisation, r.helped, r.held_back) for r in indicator_results(document)],
        [r.realised for r in programme_results(document)],
    )


def planned(objective: Objective) -> tuple:
    objective.refresh_from_db()
    indicator, programme = objective.indicators.get(), objective.programmes.get()
    return objective.text, indicator.target, indicator.target_q1, indicator.allow_negative, programme.budget


# ---------------------------------------------------------------------------------------------
# The agreement page: target and budget


def objective_post(objective: Objective, *, target: str, budget: str, allow_negative: bool, text: str) -> dict:
    indicator, programme = objective.indicators.get(), objective.programmes.get()
    data = {
        "position": str(objective.position),
        "text": text,
        "indicators-TOTAL_FORMS": "1",
        "indicators-INITIAL_FORMS": "1",
        "indicators-0-id": str(indicator.pk),
        "indicators-0-position": str(indicator.position),
        "indicators-0-name": indicator.name,
        "indicators-0-unit": indicator.unit,
        "indicators-0-decimals": "4",
        "indicators-0-explanation": "",
        "indicators-0-target": target,
        "indicators-0-polarity": Polarity.HIGHER,
        "indicators-0-lower_formula": "",
        "indicators-0-target_q1": target,
        "programmes-TOTAL_FORMS": "1",
        "programmes-INITIAL_FORMS": "1",
        "programmes-0-id": str(programme.pk),
        "programmes-0-position": str(programme.position),
        "programmes-0-name": programme.name,
        "programmes-0-budget": budget,
    }
    if allow_negative:
        data["indicators-0-allow_negative"] = "on"
    return data


def objective_url(objective: Objective) -> str:
    return reverse("performance:objective_edit", args=[objective.agreement.year, objective.pk])


@PATH
@given(target=fitting(NUMBER, negative=True), budget=fitting(MONEY, negative=False))
@example(target=NUMBER_MAX, budget=MONEY_MAX)
@example(target=-NUMBER_MAX, budget=step(MONEY))
@example(target=step(NUMBER), budget=Decimal(0))
def test_it_reads_back_a_target_and_a_budget_typed_in_the_agreement_page(planner, plan, target, budget):
    response = planner.post(
        objective_url(plan),
        objective_post(
            plan,
            target=format_id_decimal(target),
            budget=format_id_decimal(budget),
            allow_negative=target < 0,
            text="Sasaran 1",
        ),
    )

    assert response.status_code == 302, response.context and response.context["indicators"].errors
    _text, saved_target, saved_q1, _negative, saved_budget = planned(plan)
    assert (saved_target, saved_q1, saved_budget) == (target, target, budget)
    page = planner.get(reverse("performance:agreement", args=[PLAN_YEAR]))
    assert format_id_decimal(target) in page.text
    assert format_id_decimal(budget, 2) in page.text


@PATH
@given(target=one_digit_more(NUMBER, negative=True))
@example(target=NUMBER_MAX + step(NUMBER))  # 100.000.000.000
@example(target=Decimal("123456789012.3456"))  # the 16 significant digits once rounded silently
@example(target=Decimal("9999999999999999"))  # the realisation that bricked a document
def test_it_refuses_a_target_one_digit_too_wide_at_its_field(planner, plan, target):
    before = planned(plan)

    response = planner.post(
        objective_url(plan),
        objective_post(
            plan, target=format_id_decimal(target), budget="1", allow_negative=target < 0, text="Sasaran lain"
        ),
    )

    assert response.status_code == 400
    errors = response.context["indicators"].forms[0].errors
    assert errors["target"] == [refusal(NUMBER, target)]
    assert errors["target_q1"] == [refusal(NUMBER, target)]
    assert planned(plan) == before


@PATH
@given(budget=one_digit_more(MONEY, negative=False))
@example(budget=MONEY_MAX + step(MONEY))  # 10.000.000.000.000
def test_it_refuses_a_budget_one_digit_too_wide_at_its_field(planner, plan, budget):
    before = planned(plan)

    response = planner.post(
        objective_url(plan),
        objective_post(plan, target="1", budget=format_id_decimal(budget), allow_negative=False, text="Sasaran lain"),
    )

    assert response.status_code == 400
    assert response.context["programmes"].forms[0].errors["budget"] == [refusal(MONEY, budget)]
    assert planned(plan) == before


# ---------------------------------------------------------------------------------------------
# The realisation page: realisation and budget realised


def realisation_url(document) -> str:
    return reverse("performance:realisation", args=[document.pk])


def realisation_post(document, realisation: str, realised: str) -> dict:
    # The version the form was read at, as its hidden field carries it: every save moves it on.
    data = {"version": str(Document.objects.get(pk=document.pk).version)}
    for result in indicator_results(document):
        data[f"i{result.pk}-realisation"] = realisation
        data[f"i{result.pk}-helped"] = "Dukungan"
        data[f"i{result.pk}-held_back"] = ""
    for result in programme_results(document):
        data[f"p{result.pk}-realised"] = realised
    return data


@PATH
@given(realisation=fitting(NUMBER, negative=True), realised=fitting(MONEY, negative=False))
@example(realisation=NUMBER_MAX, realised=MONEY_MAX)
@example(realisation=-NUMBER_MAX, realised=step(MONEY))
@example(realisation=step(NUMBER), realised=Decimal(0))
def test_it_reads_back_a_realisation_typed_in_the_realisation_page(editor, document, realisation, realised):
    response = editor.post(
        realisation_url(document),
        realisation_post(document, format_id_decimal(realisation), format_id_decimal(realised)),
    )

    assert response.status_code == 302, response.context and [
        f.errors for f in response.context["indicator_forms"] + response.context["budget_forms"]
    ]
    assert [r.realisation for r in indicator_results(document)] == [realisation] * 4
    assert [r.realised for r in programme_results(document)] == [realised] * 2
    page = editor.get(document.get_absolute_url())
    assert format_id_decimal(realisation) in page.text
    assert format_id_decimal(realised, 2) in page.text


@PATH
@given(realisation=one_digit_more(NUMBER, negative=True))
@example(realisation=Decimal("9999999999999999"))
@example(realisation=Decimal("123456789012.3456"))
@example(realisation=-(NUMBER_MAX + step(NUMBER)))
def test_it_refuses_a_realisation_one_digit_too_wide_at_its_field(editor, document, realisation):
    before = stored(document)
    data = realisation_post(document, "1", "1")
    last = indicator_results(document)[-1]
    data[f"i{last.pk}-realisation"] = format_id_decimal(realisation)

    response = editor.post(realisation_url(document), data)

    assert response.status_code == 400
    errors = [form.errors for form in response.context["indicator_forms"]]
    assert errors == [{}, {}, {}, {"realisation": [refusal(NUMBER, realisation)]}]
    assert stored(document) == before


@PATH
@given(realised=one_digit_more(MONEY, negative=False))
@example(realised=MONEY_MAX + step(MONEY))
def test_it_refuses_a_budget_realised_one_digit_too_wide_at_its_field(editor, document, realised):
    before = stored(document)
    data = realisation_post(document, "1", "1")
    first = programme_results(document)[0]
    data[f"p{first.pk}-realised"] = format_id_decimal(realised)

    response = editor.post(realisation_url(document), data)

    assert response.status_code == 400
    errors = [form.errors for form in response.context["budget_forms"]]
    assert errors == [{"realised": [refusal(MONEY, realised)]}, {}]
    assert stored(document) == before


def test_it_accepts_zeros_after_the_last_decimal_kept(editor, document):
    # 1,50000 is 1,5 exactly: only digits that would be lost are refused.
    response = editor.post(realisation_url(document), realisation_post(document, "1,50000", "0,000"))

    assert response.status_code == 302
    assert [r.realisation for r in indicator_results(document)] == [Decimal("1.5")] * 4
    assert [r.realised for r in programme_results(document)] == [Decimal(0)] * 2


def test_it_refuses_a_text_longer_than_kept_at_its_field(editor, document):
    before = stored(document)
    data = realisation_post(document, "1", "1")
    first = indicator_results(document)[0]
    data[f"i{first.pk}-held_back"] = "x" * (RESULT_TEXT_MAX_LENGTH + 1)

    response = editor.post(realisation_url(document), data)

    assert response.status_code == 400
    assert list(response.context["indicator_forms"][0].errors) == ["held_back"]
    assert stored(document) == before


# ---------------------------------------------------------------------------------------------
# The admin: the objective with its indicators and programmes inline


def admin_url(objective: Objective) -> str:
    return reverse("admin:performance_objective_change", args=[objective.pk])


def admin_post(objective: Objective, *, target: str, budget: str, allow_negative: bool, text: str) -> dict:
    indicator, programme = objective.indicators.get(), objective.programmes.get()
    data = {
        "agreement": str(objective.agreement_id),
        "position": str(objective.position),
        "text": text,
        "indicators-TOTAL_FORMS": "1",
        "indicators-INITIAL_FORMS": "1",
        "indicators-MIN_NUM_FORMS": "0",
        "indicators-MAX_NUM_FORMS": "1000",
        "indicators-0-id": str(indicator.pk),
        "indicators-0-objective": str(objective.pk),
        "indicators-0-position": str(indicator.position),
        "indicators-0-name": indicator.name,
        "indicators-0-unit": indicator.unit,
        "indicators-0-decimals": "4",
        "indicators-0-explanation": "",
        "indicators-0-target": target,
        "indicators-0-polarity": Polarity.LOWER,
        "indicators-0-lower_formula": LowerFormula.MIRROR,
        "indicators-0-target_q1": "",
        "indicators-0-target_q2": "",
        "indicators-0-target_q3": "",
        "indicators-0-target_q4": target,
        "programmes-TOTAL_FORMS": "1",
        "programmes-INITIAL_FORMS": "1",
        "programmes-MIN_NUM_FORMS": "0",
        "programmes-MAX_NUM_FORMS": "1000",
        "programmes-0-id": str(programme.pk),
        "programmes-0-objective": str(objective.pk),
        "programmes-0-position": str(programme.position),
        "programmes-0-name": programme.name,
        "programmes-0-budget": budget,
    }
    if allow_negative:
        data["indicators-0-allow_negative"] = "on"
    return data


def inline_errors(response, prefix: str) -> dict:
    (formset,) = [f.formset for f in response.context["inline_admin_formsets"] if f.formset.prefix == prefix]
    return formset.forms[0].errors


@PATH
@given(target=fitting(NUMBER, negative=True), budget=fitting(MONEY, negative=False))
@example(target=NUMBER_MAX, budget=MONEY_MAX)
@example(target=-NUMBER_MAX, budget=step(MONEY))
@example(target=step(NUMBER), budget=Decimal(0))
def test_it_reads_back_a_target_and_a_budget_typed_in_the_admin(admin, plan, target, budget):
    # The admin takes numbers as Django writes them: a decimal point, no grouping.
    response = admin.post(
        admin_url(plan),
        admin_post(plan, target=format(target, "f"), budget=format(budget, "f"), allow_negative=target < 0, text="S"),
    )

    assert response.status_code == 302, response.context and [
        f.formset.errors for f in response.context["inline_admin_formsets"]
    ]
    indicator = plan.indicators.get()
    assert (indicator.target, indicator.target_q4) == (target, target)
    assert plan.programmes.get().budget == budget
    assert admin.get(admin_url(plan)).status_code == 200


@PATH
@given(target=one_digit_more(NUMBER, negative=True), budget=one_digit_more(MONEY, negative=False))
@example(target=Decimal("9999999999999999"), budget=Decimal("9999999999999999"))
@example(target=NUMBER_MAX + step(NUMBER), budget=MONEY_MAX + step(MONEY))
def test_it_refuses_a_number_one_digit_too_wide_in_the_admin_at_its_field(admin, plan, target, budget):
    before = planned(plan)

    response = admin.post(
        admin_url(plan),
        admin_post(plan, target=format(target, "f"), budget=format(budget, "f"), allow_negative=True, text="S"),
    )

    assert response.status_code == 200
    indicator_errors = inline_errors(response, "indicators")
    assert set(indicator_errors) == {"target", "target_q4"}
    assert indicator_errors["target"][0].startswith("Ensure that there are no more than")
    programme_errors = inline_errors(response, "programmes")
    assert set(programme_errors) == {"budget"}
    assert programme_errors["budget"][0].startswith("Ensure that there are no more than")
    assert planned(plan) == before


@pytest.mark.parametrize("typed", ["1e16", "1E+11", "NaN", "Infinity", "-Infinity", "0.00001"])
def test_it_refuses_other_spellings_of_a_number_that_does_not_fit_in_the_admin(admin, plan, typed):
    before = planned(plan)

    response = admin.post(admin_url(plan), admin_post(plan, target=typed, budget="1", allow_negative=True, text="S"))

    assert response.status_code == 200
    assert set(inline_errors(response, "indicators")) == {"target", "target_q4"}
    assert planned(plan) == before


# ---------------------------------------------------------------------------------------------
# The Excel upload: the downloaded template, filled in with openpyxl


def number_cells(ws, heading: str) -> list:
    """The cells under ``heading`` on the rows that have a Kode: found by the headings, as a person finds them."""
    header = next(row for row in ws.iter_rows() if any(cell.value == "Kode" for cell in row))
    kode = next(cell.column for cell in header if cell.value == "Kode")
    column = next(cell.column for cell in header if cell.value == heading)
    rows = range(header[0].row + 1, ws.max_row + 1)
    return [ws.cell(row=row, column=column) for row in rows if ws.cell(row=row, column=kode).value is not None]


def filled_workbook(client, document, realisation, realised):
    """The template downloaded from the page, with ``realisation`` and ``realised`` in every row."""
    workbook = load_workbook(BytesIO(client.get(reverse("performance:template", args=[document.pk])).content))
    for cell in number_cells(workbook["Realisasi"], "Realisasi"):
        cell.value = realisation
    for cell in number_cells(workbook["Anggaran"], "Realisasi Anggaran"):
        cell.value = realised
    return workbook


def upload(client, document, workbook):
    buffer = BytesIO()
    workbook.save(buffer)
    file = SimpleUploadedFile("realisasi.xlsx", buffer.getvalue(), content_type=XLSX)
    # As the document page's form sends it: the file and the version the page was read at.
    data = {"file": file, "version": str(Document.objects.get(pk=document.pk).version)}
    return client.post(reverse("performance:upload", args=[document.pk]), data, follow=True)


def shown(response) -> list[str]:
    return [m.message for m in response.context["messages"]]


def excel_problem(size: dict, value: Decimal) -> str:
    places = size["decimal_places"]
    return f"has more than {places} decimals." if -value.as_tuple().exponent > places else "is too large."


@PATH
@given(
    realisation=fitting(NUMBER, negative=True),
    realised=fitting(MONEY, negative=False),
    as_text=st.booleans(),
)
@example(realisation=NUMBER_MAX, realised=MONEY_MAX, as_text=False)
@example(realisation=NUMBER_MAX, realised=MONEY_MAX, as_text=True)
@example(realisation=-NUMBER_MAX, realised=step(MONEY), as_text=False)
@example(realisation=step(NUMBER), realised=Decimal(0), as_text=True)
def test_it_reads_back_a_realisation_uploaded_in_excel(editor, document, realisation, realised, as_text):
    # A number cell is a double, as Excel stores it: every value that fits has at most 15 digits, so it
    # survives the double exactly. A text cell is written the Indonesian way.
    def cell(value):
        return format_id_decimal(value) if as_text else float(value)

    response = upload(editor, document, filled_workbook(editor, document, cell(realisation), cell(realised)))

    assert shown(response) == ["The realisation from realisasi.xlsx was saved."]
    assert [r.realisation for r in indicator_results(document)] == [realisation] * 4
    assert [r.realised for r in programme_results(document)] == [realised] * 2


@PATH
@given(realisation=one_digit_more(NUMBER, negative=True), realised=one_digit_more(MONEY, negative=False))
@example(realisation=Decimal("9999999999999999"), realised=MONEY_MAX + step(MONEY))
def test_it_refuses_a_number_one_digit_too_wide_in_excel(editor, document, realisation, realised):
    before = stored(document)
    workbook = filled_workbook(editor, document, "1", "1")
    first = number_cells(workbook["Realisasi"], "Realisasi")[0]
    last = number_cells(workbook["Anggaran"], "Realisasi Anggaran")[-1]
    first.value, last.value = format_id_decimal(realisation), format_id_decimal(realised)

    messages = shown(upload(editor, document, workbook))

    # One problem each, naming its row and column: the Excel reader's way of saying it at the field.
    assert messages == [
        "Nothing was saved: the file has 2 problems.",
        f"Sheet Realisasi, row {first.row}: Realisasi {first.value} {excel_problem(NUMBER, realisation)}",
        f"Sheet Anggaran, row {last.row}: Realisasi Anggaran {last.value} {excel_problem(MONEY, realised)}",
    ]
    assert stored(document) == before


# ---------------------------------------------------------------------------------------------
# No value that fits breaks a page

TINY_NUMBER, TINY_MONEY = step(NUMBER), step(MONEY)

# (target, realisation, polarity, formula, budget, realised) stored on every row
EXTREMES = {
    "largest": (NUMBER_MAX, NUMBER_MAX, Polarity.HIGHER, "", MONEY_MAX, MONEY_MAX),
    "smallest": (-NUMBER_MAX, -NUMBER_MAX, Polarity.HIGHER, "", TINY_MONEY, Decimal(0)),
    "huge-capaian": (TINY_NUMBER, NUMBER_MAX, Polarity.HIGHER, "", TINY_MONEY, MONEY_MAX),
    "tiny-capaian": (NUMBER_MAX, TINY_NUMBER, Polarity.HIGHER, "", MONEY_MAX, TINY_MONEY),
    "huge-inverse": (NUMBER_MAX, TINY_NUMBER, Polarity.LOWER, LowerFormula.INVERSE, MONEY_MAX, Decimal(0)),
    "huge-mirror": (TINY_NUMBER, -NUMBER_MAX, Polarity.LOWER, LowerFormula.MIRROR, MONEY_MAX, MONEY_MAX),
    "negative-mirror": (TINY_NUMBER, NUMBER_MAX, Polarity.LOWER, LowerFormula.MIRROR, Decimal(0), MONEY_MAX),
}


def store(document, target, realisation, polarity, formula, budget, realised) -> None:
    """The values straight into the agreement and into the measurement's own copy of it."""
    judged = {"target": target, "polarity": polarity, "lower_formula": formula, "allow_negative": True}
    Indicator.objects.filter(objective__agreement__year=YEAR).update(**judged, target_q1=target, target_q4=target)
    IndicatorResult.objects.filter(measurement__document=document).update(**judged, realisation=realisation)
    Programme.objects.filter(objective__agreement__year=YEAR).update(budget=budget)
    ProgrammeResult.objects.filter(measurement__document=document).update(budget=budget, realised=realised)


def pages(document) -> dict[str, str]:
    return {
        "document": document.get_absolute_url(),
        "realisation": realisation_url(document),
        "agreement": reverse("performance:agreement", args=[YEAR]),
        "template": reverse("performance:template", args=[document.pk]),
        "export": reverse("performance:export", args=[document.pk]),
    }


@pytest.mark.parametrize("case", EXTREMES)
def test_it_shows_every_page_with_the_extreme_values_stored(editor, document, case):
    target, realisation, *_ = values = EXTREMES[case]
    store(document, *values)

    for name, url in pages(document).items():
        response = editor.get(url)
        assert response.status_code == 200, name

    # Each number as it was stored, on the pages that show it.
    text = editor.get(document.get_absolute_url()).text
    assert format_id_decimal(target) in text and format_id_decimal(realisation) in text
    text = editor.get(realisation_url(document)).text
    assert format_id_decimal(target) in text and format_id_decimal(realisation) in text
    text = editor.get(reverse("performance:agreement", args=[YEAR])).text
    assert format_id_decimal(target) in text


@pytest.mark.parametrize(
    ("case", "label"),
    [
        ("largest", "100,00 %"),
        ("tiny-capaian", "0,00 %"),
        ("huge-capaian", "≥ 10.000 %"),  # the table beside it gives 99.999.999.999.999.900,00
        ("huge-mirror", "≥ 10.000 %"),
        ("negative-mirror", "≤ -10.000 %"),
    ],
)
def test_it_labels_each_bar_of_the_chart_with_what_fits_beside_it(editor, document, case, label):
    # The chart leaves room for "-9.999,99 %" beside a bar: a longer label would be cut to a different number.
    store(document, *EXTREMES[case])

    text = editor.get(document.get_absolute_url()).text

    assert re.findall(r'<text class="chart-value"[^>]*>([^<]*)</text>', text) == [label] * 4


def test_it_renders_the_pdf_with_the_extreme_values_stored(editor, document):
    store(document, *EXTREMES["huge-capaian"])

    response = editor.get(reverse("performance:pdf", args=[document.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "".join(PdfReader(BytesIO(response.content)).pages[0].extract_text().split())
    assert "99.999.999.999,9999" in text and "19.999.999.999.999,98" in text  # whole, though wrapped


def numbers_outside_their_cells(page) -> list[tuple[str, float]]:
    """Each piece of text in a number cell of a laid-out page that runs past the cell's right edge, and by how much."""
    from weasyprint.formatting_structure import boxes  # the layout's boxes: no public API gives them

    found = []
    for box in page._page_box.descendants():
        if isinstance(box, boxes.TableCellBox) and "number" in (box.element.get("class") or "").split():
            right = box.content_box_x() + box.width
            for text in box.descendants():
                if isinstance(text, boxes.TextBox) and text.position_x + text.width > right + 0.01:
                    found.append((text.text, text.position_x + text.width - right))
    return found


@pytest.mark.parametrize("case", ["largest", "smallest", "huge-capaian"])
def test_it_prints_every_extreme_number_inside_its_column(document, case, monkeypatch):
    import weasyprint

    store(document, *EXTREMES[case])
    laid_out = []
    # The pages as weasyprint lays them out, without the cost of writing the PDF.
    monkeypatch.setattr(weasyprint.HTML, "write_pdf", lambda html, *a, **k: laid_out.append(html.render()) or b"")

    render_measurement_pdf(Measurement.objects.get(document=document))

    (pages,) = [layout.pages for layout in laid_out]
    assert [numbers_outside_their_cells(page) for page in pages] == [[]]
