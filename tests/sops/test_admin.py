"""The SOP admin through Django's test client: edits, the consistency rules, revisions, copies and roles."""

from typing import Any

import pytest
from django import forms
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.utils import timezone
from django.utils.html import escape

from sakip.sops.forms import CopySopForm
from sakip.sops.models import Actor, Sop, Step
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = "/admin/login/"
# The admin's index sends anonymous visitors to its own login page; its other
# pages are caught first by LoginRequiredMiddleware, which sends them to the site's.
LOGIN_PAGES = (ADMIN_LOGIN, "/akun/masuk/")


# --- helpers -----------------------------------------------------------------


@pytest.fixture
def admin(admin_client_):
    # The rules' messages are checked word for word, so the pages are asked for
    # in English, the way a person picks it: with the language switcher's cookie.
    admin_client_.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return admin_client_


def change_url(sop: Sop) -> str:
    return f"/admin/sops/sop/{sop.pk}/change/"


def form_data(response) -> dict[str, Any]:
    """What the browser would post back unchanged: every field of the main form and of each inline."""
    all_forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        all_forms.append(inline.formset.management_form)
        all_forms.extend(inline.formset.forms)
    data: dict[str, Any] = {}
    for form in all_forms:
        for field in form:
            value = field.value()
            if isinstance(field.field.widget, forms.CheckboxInput):
                if value:
                    data[field.html_name] = "on"
            elif isinstance(field.field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
                data[field.html_name] = list(value or [])
            else:
                data[field.html_name] = "" if value is None else value
    return data


def page_data(client, url: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200
    return form_data(response)


def row(data: dict[str, Any], prefix: str, **match) -> str:
    """The form prefix (e.g. ``steps-3``) of the inline row whose fields have the given values."""
    for i in range(int(data[f"{prefix}-TOTAL_FORMS"])):
        if all(str(data.get(f"{prefix}-{i}-{key}")) == str(value) for key, value in match.items()):
            return f"{prefix}-{i}"
    raise AssertionError(f"No {prefix} row with {match}")


def step_row(data: dict[str, Any], number: int) -> str:
    return row(data, "steps", number=number)


def snapshot(sop: Sop) -> tuple:
    """Everything the admin could change about an SOP, to compare before and after a refused save."""
    sop.refresh_from_db()
    return (
        Sop.objects.filter(pk=sop.pk).values().get(),
        list(sop.actors.order_by("pk").values()),
        list(sop.steps.order_by("pk").values()),
    )


def shows(response, text: str) -> bool:
    return escape(text) in response.content.decode()


# --- who may enter -----------------------------------------------------------


def test_it_redirects_anonymous_from_admin(client, default_sop):
    for url in ["/admin/", "/admin/sops/sop/", change_url(default_sop)]:
        r = client.get(url)
        assert r.status_code == 302
        assert r["Location"].startswith(LOGIN_PAGES)


def test_it_redirects_non_staff_from_admin(staff_client, default_sop):
    for url in ["/admin/", change_url(default_sop)]:
        r = staff_client.get(url)
        assert r.status_code == 302
        assert r["Location"].startswith(ADMIN_LOGIN)


def test_it_shows_the_admin_to_staff(admin, default_sop):
    assert admin.get("/admin/").status_code == 200
    r = admin.get(change_url(default_sop))
    assert r.status_code == 200
    assert shows(r, "Angota Tim merumuskan draf dokumen kinerja")


@pytest.mark.parametrize("tool", ["revisi-baru", "salin"])
def test_it_redirects_anonymous_from_the_tools(client, default_sop, tool):
    url = f"/admin/sops/sop/{default_sop.pk}/{tool}/"
    for response in [client.get(url), client.post(url, {"slug": "x", "nama": "x", "note": "x"})]:
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN_PAGES)
    assert Sop.objects.count() == 1


@pytest.mark.parametrize("tool", ["revisi-baru", "salin"])
def test_it_redirects_non_staff_from_the_tools(staff_client, default_sop, tool):
    url = f"/admin/sops/sop/{default_sop.pk}/{tool}/"
    for response in [staff_client.get(url), staff_client.post(url, {"slug": "x", "nama": "x", "note": "x"})]:
        assert response.status_code == 302
        assert response["Location"].startswith(ADMIN_LOGIN)
    assert Sop.objects.count() == 1


@pytest.mark.parametrize("tool", ["revisi-baru", "salin"])
def test_it_forbids_the_tools_to_staff_without_permission(client, default_sop, tool):
    client.force_login(make_user("juru", is_staff=True))
    url = f"/admin/sops/sop/{default_sop.pk}/{tool}/"
    assert client.get(url).status_code == 403
    assert client.post(url, {"slug": "x", "nama": "x", "note": "x"}).status_code == 403
    assert Sop.objects.count() == 1


def test_it_answers_404_for_a_tool_on_a_missing_sop(admin, default_sop):
    for object_id in ["999999", "bukan-angka"]:
        assert admin.get(f"/admin/sops/sop/{object_id}/salin/").status_code == 404
        assert admin.get(f"/admin/sops/sop/{object_id}/revisi-baru/").status_code == 404


# --- editing steps -------------------------------------------------------------


def test_it_saves_an_edited_activity(admin, default_sop):
    data = page_data(admin, change_url(default_sop))
    data[f"{step_row(data, 3)}-activity"] = "Tim menyusun pengukuran kinerja (diubah)"

    r = admin.post(change_url(default_sop), data)

    assert r.status_code == 302
    step = default_sop.steps.get(number=3)
    assert step.activity == "Tim menyusun pengukuran kinerja (diubah)"
    assert default_sop.steps.count() == 7


def test_it_reorders_steps_by_swapping_numbers(admin, default_sop):
    old_3 = default_sop.steps.get(number=3)
    old_4 = default_sop.steps.get(number=4)
    data = page_data(admin, change_url(default_sop))
    three, four = step_row(data, 3), step_row(data, 4)
    data[f"{three}-number"], data[f"{four}-number"] = 4, 3
    # Both decisions send a draft back to the drafting step, which is now number 3.
    data[f"{step_row(data, 5)}-return_to"] = 3
    data[f"{step_row(data, 6)}-return_to"] = 3

    r = admin.post(change_url(default_sop), data)

    assert r.status_code == 302, r.context and r.context["errors"]
    old_3.refresh_from_db()
    old_4.refresh_from_db()
    assert (old_3.number, old_4.number) == (4, 3)
    assert old_4.activity.startswith("Angota Tim merumuskan draf")
    assert list(default_sop.steps.filter(kind=Step.Kind.DECISION).values_list("return_to", flat=True)) == [3, 3]
    assert list(default_sop.steps.order_by("number").values_list("number", flat=True)) == [1, 2, 3, 4, 5, 6, 7]


def set_kind(number: int, kind: str):
    def change(data):
        data[f"{step_row(data, number)}-kind"] = kind

    return change


def set_field(number: int, field: str, value):
    def change(data):
        data[f"{step_row(data, number)}-{field}"] = value

    return change


def delete_all_steps(data):
    for i in range(int(data["steps-TOTAL_FORMS"])):
        data[f"steps-{i}-DELETE"] = "on"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(set_kind(1, "process"), "The SOP needs exactly one start step (it has 0).", id="no-start"),
        pytest.param(set_kind(3, "start"), "The SOP needs exactly one start step (it has 2).", id="two-starts"),
        pytest.param(set_kind(7, "process"), "The SOP needs exactly one end step (it has 0).", id="no-end"),
        pytest.param(set_field(2, "actor", ""), "This field is required.", id="no-actor"),
        pytest.param(
            set_field(5, "return_to", ""),
            "Step 5 is a decision but has no step to return to.",
            id="decision-without-return",
        ),
        pytest.param(
            set_field(5, "return_to", 5),
            "Step 5 returns to step 5, which is not earlier than the decision.",
            id="return-to-itself",
        ),
        pytest.param(
            set_field(5, "return_to", 6),
            "Step 5 returns to step 6, which is not earlier than the decision.",
            id="return-to-later",
        ),
        pytest.param(
            set_field(3, "return_to", 2),
            "Step 3 is not a decision, so it cannot return a draft.",
            id="process-with-return",
        ),
        pytest.param(set_field(3, "number", 2), "Step number 2 is used 2 times.", id="duplicate-number"),
        # 0 and -5 get one message, at the field (they used to get two different ones).
        pytest.param(set_field(3, "duration", 0), "The time must be a whole number greater than zero.", id="time-zero"),
        pytest.param(
            set_field(3, "duration", -5), "The time must be a whole number greater than zero.", id="time-negative"
        ),
        pytest.param(
            set_field(3, "duration", "1,5"), "The time must be a whole number greater than zero.", id="time-fraction"
        ),
        pytest.param(
            delete_all_steps,
            "The SOP has no steps: it needs at least a start step and an end step.",
            id="no-steps",
        ),
    ],
)
def test_it_refuses_an_inconsistent_definition(admin, default_sop, change, message):
    before = snapshot(default_sop)
    data = page_data(admin, change_url(default_sop))
    # A harmless edit in the same save, to show that nothing of the save is kept.
    data["nama"] = "Nama yang tidak boleh tersimpan"
    data[f"{step_row(data, 2)}-activity"] = "Aktivitas yang tidak boleh tersimpan"
    change(data)

    r = admin.post(change_url(default_sop), data)

    assert r.status_code == 200
    assert shows(r, message)
    assert shows(r, "Please correct the error")
    assert snapshot(default_sop) == before


def test_it_refuses_to_delete_an_actor_still_in_use(admin, default_sop):
    before = snapshot(default_sop)
    data = page_data(admin, change_url(default_sop))
    data[f"{row(data, 'actors', name='Sek. Tim SAKIP')}-DELETE"] = "on"

    r = admin.post(change_url(default_sop), data)

    assert r.status_code == 200
    assert shows(r, "The actor Sek. Tim SAKIP still acts in step(s) 2: give those steps to another actor first.")
    assert snapshot(default_sop) == before


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_give_a_step_to_an_actor_being_deleted(admin, default_sop):
    # Transactional, so that the save really commits: the database would only
    # notice the step pointing at a deleted actor at commit time.
    spare = Actor.objects.create(sop=default_sop, position=5, name="Cadangan", group=Group.objects.first())
    before = snapshot(default_sop)
    data = page_data(admin, change_url(default_sop))
    data[f"{row(data, 'actors', name='Cadangan')}-DELETE"] = "on"
    data[f"{step_row(data, 2)}-actor"] = spare.pk

    r = admin.post(change_url(default_sop), data)

    assert r.status_code == 200
    assert shows(r, "Step 2 is given to the actor Cadangan, which is being deleted.")
    assert snapshot(default_sop) == before


def test_it_deletes_an_unused_actor(admin, default_sop):
    Actor.objects.create(sop=default_sop, position=5, name="Cadangan", group=Group.objects.first())
    data = page_data(admin, change_url(default_sop))
    data[f"{row(data, 'actors', name='Cadangan')}-DELETE"] = "on"

    r = admin.post(change_url(default_sop), data)

    assert r.status_code == 302
    assert list(default_sop.actors.values_list("name", flat=True)) == [
        "Sekretaris",
        "Kasubbag. Program dan Evaluasi",
        "Sek. Tim SAKIP",
        "Angg. Tim SAKIP",
    ]


def test_it_adds_a_step(admin, default_sop):
    data = page_data(admin, change_url(default_sop))
    member = Actor.objects.get(sop=default_sop, name="Angg. Tim SAKIP")
    data[f"{step_row(data, 7)}-number"] = 8
    i = int(data["steps-TOTAL_FORMS"])
    data["steps-TOTAL_FORMS"] = i + 1
    data.update(
        {
            f"steps-{i}-sop": default_sop.pk,
            f"steps-{i}-number": 7,
            f"steps-{i}-activity": "Mengarsipkan dokumen",
            f"steps-{i}-actor": member.pk,
            f"steps-{i}-kind": "process",
            f"steps-{i}-duration": 15,
            f"steps-{i}-duration_unit": "minutes",
        }
    )

    r = admin.post(change_url(default_sop), data)

    assert r.status_code == 302
    assert default_sop.steps.get(number=7).activity == "Mengarsipkan dokumen"
    assert default_sop.steps.get(number=8).kind == Step.Kind.END


def test_it_offers_only_the_sops_own_actors(admin, default_sop):
    other = Sop.objects.create(slug="lain", nama="Lain", instansi="Dinas")
    stranger = Actor.objects.create(sop=other, position=1, name="Orang Lain", group=Group.objects.first())
    data = page_data(admin, change_url(default_sop))
    data[f"{step_row(data, 2)}-actor"] = stranger.pk
    before = snapshot(default_sop)

    r = admin.post(change_url(default_sop), data)

    assert r.status_code == 200
    assert shows(r, "Select a valid choice.")
    assert snapshot(default_sop) == before


def test_it_refuses_to_change_the_code(admin, default_sop):
    before = snapshot(default_sop)
    data = page_data(admin, change_url(default_sop))
    data["slug"] = "kode-baru"

    r = admin.post(change_url(default_sop), data)

    assert r.status_code == 200
    assert shows(r, "The code of an existing SOP cannot change; make a copy instead.")
    assert snapshot(default_sop) == before


# --- frozen revisions and new revisions --------------------------------------


def test_it_keeps_a_revision_in_use_read_only(admin, default_sop):
    data = page_data(admin, change_url(default_sop))
    default_sop.in_use_since = timezone.now()
    default_sop.save()
    before = snapshot(default_sop)

    r = admin.get(change_url(default_sop))
    assert r.status_code == 200
    assert shows(r, "This revision is in use by documents, so it can no longer change.")
    assert 'name="steps-0-activity"' not in r.content.decode()

    data[f"{step_row(data, 3)}-activity"] = "Diubah diam-diam"
    r = admin.post(change_url(default_sop), data)
    assert r.status_code == 403
    assert snapshot(default_sop) == before


def test_it_refuses_a_save_when_a_document_started_meanwhile(admin, default_sop, monkeypatch):
    data = page_data(admin, change_url(default_sop))
    data[f"{step_row(data, 3)}-activity"] = "Diubah setelah dokumen dimulai"
    default_sop.in_use_since = timezone.now()
    default_sop.save()
    before = snapshot(default_sop)
    # As if the page's permission check ran just before the document started.
    monkeypatch.setattr("sakip.sops.admin._is_frozen", lambda sop: False)

    r = admin.post(change_url(default_sop), data)

    assert r.status_code == 403
    assert snapshot(default_sop) == before


def test_it_keeps_a_superseded_revision_read_only(admin, default_sop):
    data = page_data(admin, change_url(default_sop))
    admin.post(f"/admin/sops/sop/{default_sop.pk}/revisi-baru/", {"note": "Perubahan"})
    before = snapshot(default_sop)

    r = admin.get(change_url(default_sop))
    assert shows(r, "A newer revision of this SOP exists.")

    data[f"{step_row(data, 3)}-activity"] = "Diubah diam-diam"
    assert admin.post(change_url(default_sop), data).status_code == 403
    assert snapshot(default_sop) == before


def test_it_refuses_to_delete_a_revision_in_use(admin, default_sop):
    default_sop.in_use_since = timezone.now()
    default_sop.save()
    url = f"/admin/sops/sop/{default_sop.pk}/delete/"
    assert admin.get(url).status_code == 403
    assert admin.post(url, {"post": "yes"}).status_code == 403
    # Nor through the list's bulk action, which asks the same of every row.
    r = admin.post(
        "/admin/sops/sop/", {"action": "delete_selected", "_selected_action": [default_sop.pk], "post": "yes"}
    )
    assert r.status_code == 403
    assert Sop.objects.filter(pk=default_sop.pk).exists()


def test_it_deletes_an_sop_not_in_use(admin, default_sop):
    url = f"/admin/sops/sop/{default_sop.pk}/delete/"
    assert admin.get(url).status_code == 200

    r = admin.post(url, {"post": "yes"})

    assert r.status_code == 302
    assert not Sop.objects.exists()
    assert not Step.objects.exists()


def test_it_makes_a_new_revision_that_can_be_edited(admin, default_sop):
    default_sop.in_use_since = timezone.now()
    default_sop.save()
    before = snapshot(default_sop)
    url = f"/admin/sops/sop/{default_sop.pk}/revisi-baru/"
    assert admin.get(url).status_code == 200

    r = admin.post(url, {"note": "Waktu langkah 3 dipersingkat"})

    new = Sop.objects.get(slug=default_sop.slug, revision=2)
    assert r.status_code == 302
    assert r["Location"] == change_url(new)
    assert new.revision_note == "Waktu langkah 3 dipersingkat"
    assert new.in_use_since is None
    assert new.steps.count() == 7
    assert shows(admin.get(r["Location"]), "Revision 2 created; edit it below.")

    data = page_data(admin, change_url(new))
    data[f"{step_row(data, 3)}-duration"] = 4
    data[f"{step_row(data, 3)}-duration_unit"] = "hours"
    assert admin.post(change_url(new), data).status_code == 302

    changed = new.steps.get(number=3)
    assert (changed.duration, changed.duration_unit) == (4, "hours")
    assert snapshot(default_sop) == before


# --- copies ------------------------------------------------------------------


def test_it_copies_an_sop_under_a_new_code(admin, default_sop):
    before = snapshot(default_sop)
    url = f"/admin/sops/sop/{default_sop.pk}/salin/"
    r = admin.get(url)
    assert r.status_code == 200
    assert r.context["form"]["slug"].value() == "pengukuran-kinerja-salinan"

    r = admin.post(url, {"slug": "pengukuran-kinerja-triwulan", "nama": "Pengukuran Kinerja Triwulan"})

    copy = Sop.objects.get(slug="pengukuran-kinerja-triwulan")
    assert r.status_code == 302
    assert r["Location"] == change_url(copy)
    assert (copy.revision, copy.nama, copy.created_by.username) == (1, "Pengukuran Kinerja Triwulan", "admin")
    assert copy.steps.count() == 7
    assert copy.actors.count() == 4
    # The copy's steps name the copy's own actors.
    assert set(copy.steps.values_list("actor__sop", flat=True)) == {copy.pk}
    assert snapshot(default_sop) == before


@pytest.mark.parametrize("slug", ["pengukuran-kinerja", "kode-lain"])
def test_it_refuses_a_copy_under_a_code_in_use(admin, default_sop, slug):
    Sop.objects.create(slug="kode-lain", nama="Lain", instansi="Dinas")
    count = Sop.objects.count()

    r = admin.post(f"/admin/sops/sop/{default_sop.pk}/salin/", {"slug": slug, "nama": "Salinan"})

    assert r.status_code == 200
    assert shows(r, "An SOP with this code already exists.")
    assert Sop.objects.count() == count


def test_it_shows_a_code_taken_meanwhile(admin, default_sop, monkeypatch):
    # Someone else takes the code between the form's check and the copy.
    monkeypatch.setattr(CopySopForm, "clean_slug", lambda form: form.cleaned_data["slug"])

    r = admin.post(f"/admin/sops/sop/{default_sop.pk}/salin/", {"slug": "pengukuran-kinerja", "nama": "Salinan"})

    assert r.status_code == 200
    assert shows(r, "An SOP with this code already exists.")
    assert Sop.objects.count() == 1


@pytest.mark.parametrize("tool", ["revisi-baru", "salin"])
def test_it_explains_why_an_unfinished_sop_cannot_be_copied(admin, tool):
    # Just made on the add page: actors, but no steps yet.
    sop = Sop.objects.create(slug="baru", nama="Baru", instansi="Dinas")
    Actor.objects.create(sop=sop, position=1, name="Sekretaris", group=Group.objects.create(name="Sekretaris"))

    r = admin.post(f"/admin/sops/sop/{sop.pk}/{tool}/", {"slug": "baru-2", "nama": "Baru 2", "note": ""})

    assert r.status_code == 200
    assert shows(r, "The SOP has no steps")
    assert Sop.objects.count() == 1


# --- adding an SOP -------------------------------------------------------------


def new_sop_data(admin) -> dict[str, Any]:
    data = page_data(admin, "/admin/sops/sop/add/")
    secretary = Group.objects.get_or_create(name="Sekretaris")[0]
    team = Group.objects.get_or_create(name="Anggota Tim SAKIP")[0]
    data.update(
        {
            "slug": "rencana-kerja",
            "nama": "Penyusunan Rencana Kerja",
            "instansi": "Pemerintah Kabupaten Lamongan\nDinas Tenaga Kerja",
            "dasar_hukum": "Undang-Undang Nomor 23 Tahun 2014\nPeraturan Bupati Lamongan",
            "actors-TOTAL_FORMS": 2,
            "actors-0-position": 1,
            "actors-0-name": "Sekretaris",
            "actors-0-group": secretary.pk,
            "actors-1-position": 2,
            "actors-1-name": "Anggota Tim",
            "actors-1-group": team.pk,
        }
    )
    return data


def test_it_adds_an_sop_with_its_actors(admin):
    r = admin.post("/admin/sops/sop/add/", new_sop_data(admin))

    sop = Sop.objects.get(slug="rencana-kerja")
    assert r.status_code == 302
    assert (sop.revision, sop.created_by.username) == (1, "admin")
    assert sop.dasar_hukum == ["Undang-Undang Nomor 23 Tahun 2014", "Peraturan Bupati Lamongan"]
    assert list(sop.actors.values_list("position", "name", "group__name")) == [
        (1, "Sekretaris", "Sekretaris"),
        (2, "Anggota Tim", "Anggota Tim SAKIP"),
    ]
    # Once saved, the steps can be written.
    r = admin.get(change_url(sop))
    assert [inline.formset.prefix for inline in r.context["inline_admin_formsets"]] == ["actors", "steps"]


def test_it_refuses_a_new_sop_under_a_code_in_use(admin, default_sop):
    data = new_sop_data(admin)
    data["slug"] = "pengukuran-kinerja"

    r = admin.post("/admin/sops/sop/add/", data)

    assert r.status_code == 200
    assert shows(r, "An SOP with this code already exists.")
    assert Sop.objects.count() == 1


def test_it_refuses_two_actors_in_one_column(admin):
    data = new_sop_data(admin)
    data["actors-1-position"] = 1

    r = admin.post("/admin/sops/sop/add/", data)

    assert r.status_code == 200
    assert shows(r, "Two actors cannot share a column.")
    assert not Sop.objects.exists()


# --- roles -------------------------------------------------------------------


def test_it_assigns_people_to_a_role(admin):
    role = Group.objects.create(name="Sekretaris")
    ani = make_user("ani")
    budi = make_user("budi")
    make_user("citra")
    url = f"/admin/auth/group/{role.pk}/change/"
    data = page_data(admin, url)
    data["members"] = [ani.pk, budi.pk]

    r = admin.post(url, data)

    assert r.status_code == 302
    assert set(role.user_set.values_list("username", flat=True)) == {"ani", "budi"}

    data = page_data(admin, url)
    assert sorted(data["members"]) == sorted([ani.pk, budi.pk])
    data["members"] = [budi.pk]
    admin.post(url, data)
    assert list(role.user_set.values_list("username", flat=True)) == ["budi"]


def test_it_creates_a_role_with_its_members(admin):
    ani = make_user("ani")
    data = page_data(admin, "/admin/auth/group/add/")
    data.update({"name": "Anggota Tim SAKIP", "members": [ani.pk]})

    r = admin.post("/admin/auth/group/add/", data)

    assert r.status_code == 302
    assert list(User.objects.filter(groups__name="Anggota Tim SAKIP").values_list("username", flat=True)) == ["ani"]


def test_it_keeps_inactive_members_of_a_role(admin):
    # Inactive people are not offered in the list, so saving the role must not drop them silently.
    role = Group.objects.create(name="Sekretaris")
    retired = make_user("pensiun", is_active=False)
    retired.groups.add(role)
    ani = make_user("ani")
    url = f"/admin/auth/group/{role.pk}/change/"
    data = page_data(admin, url)
    data["members"] = [ani.pk]

    assert admin.post(url, data).status_code == 302
    assert set(role.user_set.values_list("username", flat=True)) == {"ani", "pensiun"}


def test_it_explains_why_a_role_in_use_cannot_be_deleted(admin, default_sop):
    role = Group.objects.get(name="Sekretaris")
    url = f"/admin/auth/group/{role.pk}/delete/"

    r = admin.get(url)
    assert r.status_code == 200
    assert shows(r, "would require deleting the following protected related objects")
    admin.post(url, {"post": "yes"})
    assert Group.objects.filter(pk=role.pk).exists()
