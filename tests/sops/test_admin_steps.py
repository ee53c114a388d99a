"""The admin's step editor: the narrow steps table, each step's own page, insert and move, marked rows, the header."""

import re

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from sakip.sops.models import Sop, Step
from tests.conftest import make_user
from tests.sops.test_admin import change_url, page_data, shows, snapshot, step_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(admin_client_):
    # Messages are checked word for word: the pages are asked for in English, by the language switcher's cookie.
    admin_client_.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return admin_client_


HEADER = "SAKIP · Dinas Tenaga Kerja Kabupaten Lamongan"


def step_url(step: Step) -> str:
    return f"/admin/sops/step/{step.pk}/change/"


def insert_url(sop: Sop, before: int) -> str:
    return f"/admin/sops/sop/{sop.pk}/sisipkan/{before}/"


def move_url(step: Step) -> str:
    return f"/admin/sops/step/{step.pk}/geser/"


def layout(sop: Sop) -> list[tuple[int, str, int | None]]:
    return list(sop.steps.order_by("number").values_list("number", "kind", "return_to"))


def freeze(sop: Sop) -> None:
    sop.in_use_since = timezone.now()
    sop.save()


def step_fields() -> list[str]:
    """Every field of a step an administrator sets, including any the model gains later."""
    return [f.name for f in Step._meta.concrete_fields if f.editable and f.name not in {"id", "sop"}]


# --- the steps table ------------------------------------------------------------


def test_the_steps_table_shows_only_what_a_row_needs(admin, default_sop):
    r = admin.get(change_url(default_sop))

    steps = next(i for i in r.context["inline_admin_formsets"] if i.formset.prefix == "steps")
    assert set(steps.formset.forms[0].fields) == {
        "id",
        "sop",
        "number",
        "activity",
        "actor",
        "kind",
        "return_to",
        "duration",
        "duration_unit",
        "DELETE",
    }
    html = r.content.decode()
    for hidden in ["requirement", "output", "notes", "attachment_required", "is_signature", "needs_other_person"]:
        assert f'name="steps-0-{hidden}"' not in html
    # The time and its unit share one column.
    assert re.search(r'<td class="field-duration"[^>]*>\s*<span class="time-pair"><input[^>]*steps-0-duration', html)


def test_each_row_links_to_its_step_page(admin, default_sop):
    r = admin.get(change_url(default_sop))
    for step in default_sop.steps.all():
        assert f'href="{step_url(step)}"' in r.content.decode()


def test_each_row_has_move_and_insert_tools_posting_with_csrf(admin, default_sop):
    html = admin.get(change_url(default_sop)).content.decode()
    # The tools' own form, outside the change form, carries the CSRF token.
    assert re.search(r'<form id="step-tools" method="post"><input type="hidden" name="csrfmiddlewaretoken"', html)
    for step in default_sop.steps.all():
        assert f'formaction="{move_url(step)}"' in html
        assert f'href="{insert_url(default_sop, step.number)}"' in html
    assert html.count('form="step-tools"') == 2 * 7


def test_a_revision_in_use_has_no_tools(admin, default_sop):
    freeze(default_sop)
    html = admin.get(change_url(default_sop)).content.decode()
    assert "step-tools" not in html
    assert "/sisipkan/" not in html


# --- a step's own page ---------------------------------------------------------


def test_the_step_page_shows_every_field_of_the_step(admin, default_sop):
    step = default_sop.steps.get(number=6)

    r = admin.get(step_url(step))

    assert r.status_code == 200
    html = r.content.decode()
    for name in step_fields():
        assert f'name="{name}"' in html, name
    assert shows(r, str(default_sop))


def test_the_step_page_saves_and_goes_back_to_the_sop(admin, default_sop):
    step = default_sop.steps.get(number=3)
    data = page_data_of_step(admin, step)
    data.update(output="Draf pengukuran kinerja (diubah)", notes="Catatan baru", attachment_required="on")

    r = admin.post(step_url(step), data)

    assert r.status_code == 302
    assert r["Location"] == change_url(default_sop) + "#steps-group"
    step.refresh_from_db()
    assert (step.output, step.notes, step.attachment_required) == (
        "Draf pengukuran kinerja (diubah)",
        "Catatan baru",
        True,
    )


def test_the_step_page_keeps_the_definition_rules(admin, default_sop):
    before = snapshot(default_sop)
    step = default_sop.steps.get(number=3)
    data = page_data_of_step(admin, step)
    data["is_signature"] = "on"  # step 6 already signs

    r = admin.post(step_url(step), data)

    assert r.status_code == 200
    assert shows(r, "Only one step can be the signature step (now: 3, 6).")
    assert snapshot(default_sop) == before


@pytest.mark.parametrize("value", ["0", "-5", "satu"])
def test_the_step_page_gives_one_message_for_a_time_below_one(admin, default_sop, value):
    step = default_sop.steps.get(number=3)
    data = page_data_of_step(admin, step)
    data["duration"] = value

    r = admin.post(step_url(step), data)

    assert r.status_code == 200
    assert r.context["adminform"].form.errors["duration"] == ["The time must be a whole number greater than zero."]


def test_the_step_page_is_read_only_on_a_revision_in_use(admin, default_sop):
    step = default_sop.steps.get(number=3)
    data = page_data_of_step(admin, step)
    freeze(default_sop)
    before = snapshot(default_sop)

    r = admin.get(step_url(step))
    assert r.status_code == 200
    assert 'name="activity"' not in r.content.decode()
    assert shows(r, "This revision can no longer change; create a new revision.")

    data["activity"] = "Diubah diam-diam"
    assert admin.post(step_url(step), data).status_code == 403
    assert snapshot(default_sop) == before


def test_a_step_is_not_deleted_on_its_own_page(admin, default_sop):
    step = default_sop.steps.get(number=3)
    assert admin.get(f"/admin/sops/step/{step.pk}/delete/").status_code == 403
    assert admin.post(f"/admin/sops/step/{step.pk}/delete/", {"post": "yes"}).status_code == 403
    assert default_sop.steps.count() == 7


def test_steps_are_not_listed_on_their_own(admin, default_sop):
    assert "/admin/sops/step/" not in admin.get("/admin/").content.decode()
    r = admin.get("/admin/sops/step/")
    assert (r.status_code, r["Location"]) == (302, "/admin/sops/sop/")


def page_data_of_step(client, step: Step) -> dict:
    r = client.get(step_url(step))
    form = r.context["adminform"].form
    data = {}
    for field in form:
        value = field.value()
        if field.widget_type == "checkbox":
            if value:
                data[field.html_name] = "on"
        else:
            data[field.html_name] = "" if value is None else value
    return data


# --- insert ------------------------------------------------------------------


def test_it_inserts_a_step_and_renumbers_the_later_ones(admin, default_sop):
    member = default_sop.actors.get(name="Angg. Tim SAKIP")
    r = admin.get(insert_url(default_sop, 5))
    assert r.status_code == 200
    assert shows(r, "Step 5 and the steps after it move down by one.")
    for name in step_fields():
        if name != "number":
            assert f'name="{name}"' in r.content.decode(), name

    r = admin.post(
        insert_url(default_sop, 5),
        {
            "activity": "Memeriksa kelengkapan",
            "actor": member.pk,
            "kind": "process",
            "duration": "2",
            "duration_unit": "hours",
        },
    )

    assert r.status_code == 302
    assert r["Location"] == change_url(default_sop) + "#steps-group"
    assert layout(default_sop) == [
        (1, "start", None),
        (2, "process", None),
        (3, "process", None),
        (4, "process", None),
        (5, "process", None),
        (6, "decision", 4),
        (7, "decision", 4),
        (8, "end", None),
    ]
    assert default_sop.steps.get(number=5).activity == "Memeriksa kelengkapan"
    assert shows(admin.get(r["Location"]), "Step 5 inserted; the later steps and their return targets were renumbered.")


def test_inserting_before_a_return_target_moves_the_target(admin, default_sop):
    member = default_sop.actors.get(name="Angg. Tim SAKIP")
    data = {"activity": "Sisipan", "actor": member.pk, "kind": "process", "duration": "1", "duration_unit": "hours"}

    assert admin.post(insert_url(default_sop, 4), data).status_code == 302

    assert list(default_sop.steps.filter(kind="decision").values_list("number", "return_to")) == [(6, 5), (7, 5)]


def test_it_refuses_an_insert_that_breaks_the_rules(admin, default_sop):
    before = snapshot(default_sop)
    member = default_sop.actors.get(name="Angg. Tim SAKIP")
    data = {"activity": "Sisipan", "actor": member.pk, "kind": "process", "duration": "0", "duration_unit": "hours"}

    r = admin.post(insert_url(default_sop, 1), data)
    assert r.status_code == 200
    assert shows(r, "The time must be a whole number greater than zero.")

    data["duration"] = "1"
    r = admin.post(insert_url(default_sop, 1), data)
    assert r.status_code == 200
    assert shows(r, "The start step must be the first step.")
    assert snapshot(default_sop) == before


def test_it_refuses_to_insert_into_a_revision_in_use(admin, default_sop):
    freeze(default_sop)
    member = default_sop.actors.get(name="Angg. Tim SAKIP")
    data = {"activity": "Sisipan", "actor": member.pk, "kind": "process", "duration": "1", "duration_unit": "hours"}
    assert admin.get(insert_url(default_sop, 4)).status_code == 403
    assert admin.post(insert_url(default_sop, 4), data).status_code == 403
    assert default_sop.steps.count() == 7


# --- move --------------------------------------------------------------------


def test_it_moves_a_step_and_the_return_targets_follow(admin, default_sop):
    three = default_sop.steps.get(number=3)

    r = admin.post(move_url(three), {"delta": "1"})

    assert r.status_code == 302
    assert r["Location"] == change_url(default_sop) + "#steps-group"
    three.refresh_from_db()
    assert three.number == 4
    # Both decisions returned to the old step 4, which is now step 3.
    assert list(default_sop.steps.filter(kind="decision").values_list("number", "return_to")) == [(5, 3), (6, 3)]
    assert shows(admin.get(r["Location"]), "Step 3 is now step 4.")


def test_it_explains_a_refused_move(admin, default_sop):
    before = snapshot(default_sop)
    r = admin.post(move_url(default_sop.steps.get(number=2)), {"delta": "-1"}, follow=True)
    assert shows(r, "Step 2 was not moved: The start step must be the first step.")
    assert snapshot(default_sop) == before


@pytest.mark.parametrize("delta", ["", "2", "naik"])
def test_it_refuses_a_move_by_anything_but_one_place(admin, default_sop, delta):
    before = snapshot(default_sop)
    r = admin.post(move_url(default_sop.steps.get(number=3)), {"delta": delta}, follow=True)
    assert shows(r, "Choose up or down.")
    assert snapshot(default_sop) == before


def test_a_move_needs_a_post_with_csrf(admin_user, default_sop):
    step = default_sop.steps.get(number=3)
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    assert client.get(move_url(step)).status_code == 405
    assert client.post(move_url(step), {"delta": "1"}).status_code == 403
    assert default_sop.steps.get(pk=step.pk).number == 3


def test_it_refuses_to_move_in_a_revision_in_use(admin, default_sop):
    freeze(default_sop)
    before = snapshot(default_sop)
    assert admin.post(move_url(default_sop.steps.get(number=3)), {"delta": "1"}).status_code == 403
    assert snapshot(default_sop) == before


def test_the_tools_are_for_administrators_only(client, default_sop):
    client.force_login(make_user("juru", is_staff=True))
    step = default_sop.steps.get(number=3)
    assert client.post(move_url(step), {"delta": "1"}).status_code == 403
    assert client.get(insert_url(default_sop, 3)).status_code == 403
    assert default_sop.steps.get(pk=step.pk).number == 3


# --- the faulty row ----------------------------------------------------------


def test_the_faulty_row_is_marked_with_its_message_beside_it(admin, default_sop):
    data = page_data(admin, change_url(default_sop))
    faulty = step_row(data, 5)
    data[f"{faulty}-return_to"] = 6

    r = admin.post(change_url(default_sop), data)

    assert r.status_code == 200
    html = r.content.decode()
    message = "Step 5 returns to step 6, which is not earlier than the decision."
    # The message sits in the line right above the row, and the row is marked; not above the table.
    assert re.search(
        rf'<tr class="row-form-errors"><td colspan="\d+"><ul class="errorlist nonfield"><li>{message}</li></ul>'
        rf"</td></tr>"
        rf'\s*<tr class="form-row has_original row-has-errors"\s+id="{faulty}">',
        html,
    ), html
    assert html.count("row-has-errors") == 1
    assert html.count(message) == 1


def test_a_field_error_marks_its_row_too(admin, default_sop):
    data = page_data(admin, change_url(default_sop))
    faulty = step_row(data, 3)
    data[f"{faulty}-duration"] = -5

    html = admin.post(change_url(default_sop), data).content.decode()

    assert re.search(rf'<tr class="form-row has_original row-has-errors"\s+id="{faulty}">', html)
    assert html.count("row-has-errors") == 1


def test_a_problem_of_the_whole_sop_shows_above_the_table(admin, default_sop):
    data = page_data(admin, change_url(default_sop))
    data[f"{step_row(data, 7)}-kind"] = "process"

    html = admin.post(change_url(default_sop), data).content.decode()

    assert re.search(
        r'<ul class="errorlist nonform"><li>The SOP needs exactly one end step \(it has 0\).</li></ul>\s*<table>', html
    )
    assert "row-has-errors" not in html


# --- header and read-only lists ----------------------------------------------


def test_the_header_names_the_office(admin, default_sop):
    for url in ["/admin/", change_url(default_sop), step_url(default_sop.steps.first())]:
        html = admin.get(url).content.decode()
        assert f'<div id="site-name"><a href="/admin/">{HEADER}</a></div>' in html
        title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
        assert title.strip().endswith(HEADER)
        assert "Django" not in title


def test_the_header_follows_the_settings(admin, settings):
    settings.OFFICE_GOVERNMENT = "PEMERINTAH KOTA SURABAYA"
    settings.OFFICE_NAME = "DINAS PERDAGANGAN DAN PERINDUSTRIAN"
    html = admin.get("/admin/").content.decode()
    assert "SAKIP · Dinas Perdagangan dan Perindustrian Kota Surabaya" in html


def test_a_revision_in_use_shows_its_lists_as_lists(admin, default_sop):
    freeze(default_sop)
    html = admin.get(change_url(default_sop)).content.decode()

    assert default_sop.dasar_hukum
    items = "".join(f"<li>{item}</li>" for item in default_sop.dasar_hukum)
    assert f'<ul class="value-list">{items}</ul>' in html
    assert '["' not in html
    assert "[&quot;" not in html


def test_the_error_note_says_di_bawah_in_indonesian(admin_client_, default_sop):
    # Django's own Indonesian says "dibawah"; the project's catalogue overrides it.
    data = page_data(admin_client_, change_url(default_sop))
    data[f"{step_row(data, 3)}-duration"] = 0

    html = admin_client_.post(change_url(default_sop), data).content.decode()

    assert "dibawah" not in html
    assert "di bawah" in html
    assert "Waktu harus berupa bilangan bulat lebih dari nol." in html
