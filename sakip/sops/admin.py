"""The administrator's pages for SOPs: identity block, actors and steps, revisions and copies."""

from collections.abc import Callable
from dataclasses import replace

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import lazy
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from sakip.sops import editing
from sakip.sops.definition import definition_errors, definition_problems, spec_of
from sakip.sops.forms import CopySopForm, InsertStepForm, LinesField, NewRevisionForm, StepForm, restrict_step_fields
from sakip.sops.models import Actor, Sop, Step
from sakip.sops.serialization import SopFileError
from sakip.sops.services import sop_copy, sop_new_revision

# Django's own words above a refused form, here so that `make messages` keeps the project's
# translation of them ("di bawah", where Django's Indonesian has "dibawah"). Never shown from here.
_CORRECT_BELOW = ngettext_lazy("Please correct the error below.", "Please correct the errors below.", "count")

# Words that stay in lower case inside an office's name written in title case.
_SMALL_WORDS = {"dan", "di", "ke", "dari", "untuk", "serta", "atau"}


def _title(text: str) -> str:
    words = text.split()
    return " ".join(w.lower() if i and w.lower() in _SMALL_WORDS else w.capitalize() for i, w in enumerate(words))


def office_header() -> str:
    """ "SAKIP · Dinas Tenaga Kerja Kabupaten Lamongan": the office's name, then its region (the government)."""
    government, name = settings.OFFICE_GOVERNMENT, settings.OFFICE_NAME
    if apps.is_installed("sakip.office"):
        try:
            from sakip.office.models import Office  # an app that may not exist yet

            office = Office.current()
            government, name = office.government or government, office.name or name
        except (ImportError, AttributeError):
            pass
    region = government.strip()
    if region.upper().startswith("PEMERINTAH "):
        region = region[len("PEMERINTAH ") :]
    return " ".join(part for part in ["SAKIP ·", _title(name), _title(region)] if part.strip())


# The header on every admin page, and the browser tab's title, instead of "Django administration".
admin.site.site_header = lazy(office_header, str)()
admin.site.site_title = lazy(office_header, str)()


def _is_frozen(sop: Sop | None) -> bool:
    """Revisions in use, and superseded ones, are history: they are never edited."""
    return editing.is_frozen(sop)


def _as_list(field: models.Field):
    """A read-only display of a list-valued field as a list, not as raw JSON."""

    def display(obj):
        value = getattr(obj, field.name)
        if not value:
            return "-"
        if not isinstance(value, list):
            return str(value)
        return format_html('<ul class="value-list">{}</ul>', format_html_join("", "<li>{}</li>", ((v,) for v in value)))

    display.short_description = field.verbose_name
    display.__name__ = f"{field.name}_list"
    return display


def _list_displays(model: type[models.Model]) -> dict:
    return {field.name: _as_list(field) for field in model._meta.fields if isinstance(field, models.JSONField)}


def _lists_as_lists(fieldsets, displays: dict) -> list:
    """``fieldsets`` with each list-valued field replaced by its read-only list display."""

    def swap(name):
        if isinstance(name, tuple | list):
            return tuple(swap(n) for n in name)
        return displays.get(name, name) if isinstance(name, str) else name

    return [(title, {**options, "fields": [swap(n) for n in options["fields"]]}) for title, options in fieldsets]


class SopAdminForm(forms.ModelForm):
    dasar_hukum = LinesField(label=gettext_lazy("Legal basis"))
    keterkaitan = LinesField(label=gettext_lazy("Related SOPs"))
    pencatatan = LinesField(label=gettext_lazy("Recording and data collection"))

    class Meta:
        model = Sop
        fields = [
            "slug",
            "nama",
            "nomor",
            "revision_note",
            "instansi",
            "tanggal_pembuatan",
            "tanggal_revisi",
            "tanggal_efektif",
            "disahkan_oleh",
            "dasar_hukum",
            "kualifikasi_pelaksana",
            "keterkaitan",
            "peralatan",
            "peringatan",
            "pencatatan",
        ]
        widgets = {
            "instansi": forms.Textarea(attrs={"rows": 2}),
            "disahkan_oleh": forms.Textarea(attrs={"rows": 3}),
            "kualifikasi_pelaksana": forms.Textarea(attrs={"rows": 2}),
            "peralatan": forms.Textarea(attrs={"rows": 2}),
            "peringatan": forms.Textarea(attrs={"rows": 2}),
        }

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if self.instance.pk is None and Sop.objects.filter(slug=slug).exists():
            raise ValidationError(_("An SOP with this code already exists."))
        if self.instance.pk is not None and slug != self.instance.slug:
            raise ValidationError(_("The code of an existing SOP cannot change; make a copy instead."))
        return slug


class ActorInlineFormSet(BaseInlineFormSet):
    def clean(self):
        # Before super().clean(): its unique check asks the admin's own delete
        # guard, whose message ("would require deleting ... step 2") reads as if
        # the steps would go too. This one says what to do instead.
        positions = []
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue
            if form.cleaned_data.get("DELETE"):
                actor = form.instance
                if actor.pk and actor.steps.exists():
                    numbers = ", ".join(str(n) for n in actor.steps.order_by("number").values_list("number", flat=True))
                    raise ValidationError(
                        _(
                            "The actor %(name)s still acts in step(s) %(numbers)s: "
                            "give those steps to another actor first."
                        )
                        % {"name": actor.name, "numbers": numbers}
                    )
                continue
            positions.append(form.cleaned_data.get("position"))
        super().clean()
        if len(positions) != len(set(positions)):
            raise ValidationError(_("Two actors cannot share a column."))

    def actors_being_deleted(self) -> set[int]:
        if not self.is_bound or not self.is_valid():
            return set()
        return {form.instance.pk for form in self.deleted_forms if form.instance.pk}


class ActorInline(admin.TabularInline):
    model = Actor
    formset = ActorInlineFormSet
    extra = 0
    fields = ["position", "name", "group"]

    def has_change_permission(self, request, obj=None):
        return not _is_frozen(obj) and super().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return not _is_frozen(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _is_frozen(obj) and super().has_delete_permission(request, obj)


class StepInlineFormSet(BaseInlineFormSet):
    # Set by SopAdmin: the actor rows of the same save, which may delete an actor a step row now names.
    actor_formset: ActorInlineFormSet | None = None

    def clean(self):
        """The definition rules over the rows; a reason about particular steps goes on their rows.

        Only a reason about the whole SOP (no start step, say) shows above the table.
        """
        super().clean()
        if any(form.errors for form in self.forms):
            return
        deleted_actors = self.actor_formset.actors_being_deleted() if self.actor_formset is not None else set()
        specs = []
        rows: dict[int | None, list[forms.Form]] = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            actor = data.get("actor")
            if actor is not None and actor.pk in deleted_actors:
                form.add_error(
                    "actor",
                    _("Step %(number)s is given to the actor %(name)s, which is being deleted.")
                    % {"number": data.get("number"), "name": actor.name},
                )
            # The row's instance carries the row's values (the form put them there) and, for the
            # fields that live on the step's own page, the saved ones: the rules see them all.
            specs.append(replace(spec_of(form.instance), has_actor=actor is not None))
            rows.setdefault(form.instance.number, []).append(form)
        whole_sop = []
        for numbers, message in definition_problems(specs):
            marked = [form for number in numbers for form in rows.get(number, [])]
            for form in marked:
                form.add_error(None, message)
            if not marked:
                whole_sop.append(message)
        if whole_sop:
            raise ValidationError(whole_sop)


class StepInline(admin.TabularInline):
    """The steps table: what a row needs to be read at a glance. The rest is on each step's own page."""

    model = Step
    formset = StepInlineFormSet
    template = "admin/sops/sop/steps_tabular.html"
    extra = 0
    # The time (duration and unit) shares one column, "Time"; see the template.
    fields = ["number", "activity", "actor", "kind", "return_to", "duration", "duration_unit"]
    show_change_link = True
    formfield_overrides = {
        # Django's TextField renders 10 rows by default: far too tall for a table row.
        Step._meta.get_field("activity").__class__: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 30})},
    }

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        restrict_step_fields(formset.form.base_fields, obj)
        return formset

    def has_change_permission(self, request, obj=None):
        return not _is_frozen(obj) and super().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return not _is_frozen(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _is_frozen(obj) and super().has_delete_permission(request, obj)


@admin.register(Sop)
class SopAdmin(admin.ModelAdmin):
    form = SopAdminForm
    change_form_template = "admin/sops/sop/change_form.html"
    # The change page has its own "View sheet" link, straight to this revision's sheet.
    view_on_site = False
    list_display = ["nama", "slug", "revision", "tanggal_revisi", "in_use_since"]
    list_filter = ["slug"]
    search_fields = ["nama", "slug", "nomor"]
    readonly_fields = ["revision", "created_by", "created_at", "in_use_since"]
    fieldsets = [
        (None, {"fields": ["slug", "revision", "nama", "nomor", "revision_note"]}),
        (
            gettext_lazy("Identity block"),
            {
                "fields": [
                    "instansi",
                    ("tanggal_pembuatan", "tanggal_revisi", "tanggal_efektif"),
                    "disahkan_oleh",
                    "dasar_hukum",
                    "kualifikasi_pelaksana",
                    "keterkaitan",
                    "peralatan",
                    "peringatan",
                    "pencatatan",
                ]
            },
        ),
        (gettext_lazy("Record"), {"fields": ["created_by", "created_at", "in_use_since"]}),
    ]

    def get_inlines(self, request, obj):
        # Steps name their actor, so on a new SOP the actors are saved first.
        return [ActorInline] if obj is None else [ActorInline, StepInline]

    def has_change_permission(self, request, obj=None):
        return not _is_frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _is_frozen(obj) and super().has_delete_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        # A revision that cannot change shows its lists (legal basis, related SOPs, ...) as lists.
        return _lists_as_lists(fieldsets, _SOP_LISTS) if _is_frozen(obj) else fieldsets

    def _create_formsets(self, request, obj, change):
        # Django validates each inline on its own; a step row may name an actor
        # that the actor rows delete in the same save, which only the database
        # would notice, at commit. Let the steps see the actors' formset.
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        actors = next((f for f in formsets if isinstance(f, ActorInlineFormSet)), None)
        for formset in formsets:
            if isinstance(formset, StepInlineFormSet):
                formset.actor_formset = actors
        return formsets, inline_instances

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        # The page checked that the revision is not in use when the request
        # came in; a document may have started under it since. A conditional
        # write (it also holds the row until the save commits) closes that gap
        # on SQLite and PostgreSQL alike; the admin rolls back the whole save.
        elif not Sop.objects.filter(pk=obj.pk, in_use_since__isnull=True).update(in_use_since=None):
            raise PermissionDenied
        super().save_model(request, obj, form, change)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        frozen = _is_frozen(obj)
        extra_context = {
            **(extra_context or {}),
            "sop_frozen": frozen,
            "sop_frozen_reason": _("This revision is in use by documents, so it can no longer change.")
            if obj is not None and obj.is_in_use
            else _("A newer revision of this SOP exists."),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        own = [
            path(
                "<path:object_id>/revisi-baru/",
                self.admin_site.admin_view(self.new_revision_view),
                name="sops_sop_new_revision",
            ),
            path("<path:object_id>/salin/", self.admin_site.admin_view(self.copy_view), name="sops_sop_copy"),
            path(
                "<path:object_id>/sisipkan/<int:before>/",
                self.admin_site.admin_view(self.insert_step_view),
                name="sops_sop_insert_step",
            ),
        ]
        return own + super().get_urls()

    def _get_for_tool(self, request: HttpRequest, object_id: str) -> Sop:
        if not self.has_add_permission(request):
            raise PermissionDenied
        # get_object() answers None for an id that is not a number, where get_object_or_404 would fail with a 500.
        sop = self.get_object(request, unquote(object_id))
        if sop is None:
            raise Http404
        return sop

    def new_revision_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        sop = self._get_for_tool(request, object_id)
        form = NewRevisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            # The new revision is made from the newest one, whichever revision this page shows.
            latest = Sop.objects.latest_of(sop.slug)
            new = self._run_tool(
                form, latest, lambda: sop_new_revision(sop=latest, by=request.user, note=form.cleaned_data["note"])
            )
            if new is not None:
                messages.success(
                    request, _("Revision %(revision)s created; edit it below.") % {"revision": new.revision}
                )
                return HttpResponseRedirect(reverse("admin:sops_sop_change", args=[new.pk]))
        return self._tool_page(request, sop, form, _("New revision of %(sop)s") % {"sop": sop.nama})

    def copy_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        sop = self._get_for_tool(request, object_id)
        form = CopySopForm(request.POST or None, initial={"slug": f"{sop.slug}-salinan", "nama": sop.nama})
        if request.method == "POST" and form.is_valid():
            new = self._run_tool(
                form,
                sop,
                lambda: sop_copy(
                    sop=sop, slug=form.cleaned_data["slug"], nama=form.cleaned_data["nama"], by=request.user
                ),
            )
            if new is not None:
                messages.success(request, _("Copy created; edit it below."))
                return HttpResponseRedirect(reverse("admin:sops_sop_change", args=[new.pk]))
        return self._tool_page(request, sop, form, _("Copy %(sop)s") % {"sop": sop.nama})

    def insert_step_view(self, request: HttpRequest, object_id: str, before: int) -> HttpResponse:
        """A new step as number ``before``: it and the later steps move down by one, and so do the return targets."""
        sop = self.get_object(request, unquote(object_id))
        if sop is None:
            raise Http404
        if not self.has_change_permission(request, sop):
            raise PermissionDenied
        neighbour = sop.steps.filter(number__lte=before).order_by("-number").first()
        initial = {"kind": Step.Kind.PROCESS}
        if neighbour is not None:
            initial.update(actor=neighbour.actor_id, duration_unit=neighbour.duration_unit)
        form = InsertStepForm(request.POST or None, sop=sop, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                step = editing.insert_step(sop, before, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("Step %(number)s inserted; the later steps and their return targets were renumbered.")
                    % {"number": step.number},
                )
                return HttpResponseRedirect(reverse("admin:sops_sop_change", args=[sop.pk]) + "#steps-group")
        title = _("Insert a step as step %(number)s") % {"number": before}
        intro = _("Step %(number)s and the steps after it move down by one.") % {"number": before}
        return self._tool_page(request, sop, form, title, intro=intro)

    def _run_tool(self, form: forms.Form, source: Sop, make: Callable[[], Sop]) -> Sop | None:
        """Run ``make``; on refusal put the reason on ``form`` and return None.

        The services copy through the SOP file format, which refuses an
        unfinished definition (say, an SOP just added, with no steps yet).
        Its messages name fields of the file, so the definition rules are
        asked first, in the words the steps table uses.
        """
        problems = definition_errors(spec_of(step) for step in source.steps.all())
        if not source.actors.exists():
            problems.insert(0, _("The SOP has no actors."))
        if problems:
            form.add_error(
                None, _("Finish the steps of this SOP first: %(problems)s") % {"problems": " ".join(problems)}
            )
            return None
        try:
            return make()
        except ValidationError as exc:
            # Someone else took the code between the form's check and the copy.
            form.add_error(None, " ".join(exc.messages))
        except SopFileError as exc:
            # Or took the revision number; the file format has the last word.
            form.add_error(None, _("Nothing was created: %(reason)s") % {"reason": exc})
        return None

    def _tool_page(self, request, sop, form, title, intro=""):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": sop,
            "title": title,
            "intro": intro,
            "form": form,
        }
        return TemplateResponse(request, "admin/sops/sop/tool_form.html", context)


_SOP_LISTS = _list_displays(Sop)
_STEP_LISTS = _list_displays(Step)

# The fields of the steps table come first on a step's own page, in the table's order; every other
# field of the model follows, whatever fields the model gains.
_STEP_MAIN = ["number", "activity", "actor", "kind", "return_to", ("duration", "duration_unit")]


@admin.register(Step)
class StepAdmin(admin.ModelAdmin):
    """A step's own page, reached from its row in the SOP's steps table; moving a step up or down."""

    form = StepForm
    change_form_template = "admin/sops/step/change_form.html"
    readonly_fields = ["of_sop"]

    @admin.display(description=gettext_lazy("SOP"))
    def of_sop(self, obj: Step):
        return format_html('<a href="{}">{}</a>', reverse("admin:sops_sop_change", args=[obj.sop_id]), obj.sop)

    def get_fieldsets(self, request, obj=None):
        main = flatten_fieldsets([(None, {"fields": _STEP_MAIN})])
        rest = [name for name in self.get_fields(request, obj) if name not in main and name != "of_sop"]
        fieldsets = [(None, {"fields": ["of_sop", *_STEP_MAIN]}), (gettext_lazy("Details"), {"fields": rest})]
        return _lists_as_lists(fieldsets, _STEP_LISTS) if obj is not None and _is_frozen(obj.sop) else fieldsets

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sop", "actor")

    def has_module_permission(self, request):
        # Steps are reached through their SOP, not from the admin's index.
        return False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return not (obj is not None and _is_frozen(obj.sop)) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # Asked when the whole SOP is deleted, with its steps; a step of its own is deleted in the steps table.
        return not (obj is not None and _is_frozen(obj.sop)) and super().has_delete_permission(request, obj)

    def delete_view(self, request, object_id, extra_context=None):
        # A step is deleted in its SOP's steps table, where the rules see the whole SOP.
        raise PermissionDenied

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), "show_delete": False})

    def changelist_view(self, request, extra_context=None):
        return HttpResponseRedirect(reverse("admin:sops_sop_changelist"))

    def save_model(self, request, obj, form, change):
        # As the SOP's own save: the revision may have come into use since the page was shown.
        editing.hold_editable(obj.sop)
        super().save_model(request, obj, form, change)

    def response_post_save_change(self, request, obj):
        return HttpResponseRedirect(reverse("admin:sops_sop_change", args=[obj.sop_id]) + "#steps-group")

    def get_urls(self):
        own = [path("<path:object_id>/geser/", self.admin_site.admin_view(self.move_view), name="sops_step_move")]
        return own + super().get_urls()

    def move_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Move a step one place up (delta -1) or down (delta 1); the return targets follow the steps."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        step = self.get_object(request, unquote(object_id))
        if step is None:
            raise Http404
        if not self.has_change_permission(request, step):
            raise PermissionDenied
        back = HttpResponseRedirect(reverse("admin:sops_sop_change", args=[step.sop_id]) + "#steps-group")
        delta = {"-1": -1, "1": 1}.get(request.POST.get("delta", ""))
        if delta is None:
            messages.error(request, _("Choose up or down."))
            return back
        old = step.number
        try:
            step = editing.move_step(step, delta)
        except ValidationError as exc:
            messages.error(
                request,
                _("Step %(number)s was not moved: %(reason)s") % {"number": old, "reason": " ".join(exc.messages)},
            )
        else:
            messages.success(request, _("Step %(old)s is now step %(new)s.") % {"old": old, "new": step.number})
        return back


class GroupWithMembersForm(forms.ModelForm):
    members = forms.ModelMultipleChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("username"),
        required=False,
        label=gettext_lazy("People holding this role"),
        widget=admin.widgets.FilteredSelectMultiple(gettext_lazy("people"), is_stacked=False),
    )

    class Meta:
        model = Group
        fields = ["name", "members", "permissions"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["members"].initial = self.instance.user_set.all()


admin.site.unregister(Group)


@admin.register(Group)
class RoleAdmin(GroupAdmin):
    """Groups are the roles behind the SOP's actors: assign people here."""

    form = GroupWithMembersForm
    fields = ["name", "members", "permissions"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Inactive people are not offered in the list, so they cannot be kept by
        # selecting them: keep them here, or a save would drop them silently.
        inactive = form.instance.user_set.filter(is_active=False)
        form.instance.user_set.set([*form.cleaned_data["members"], *inactive])
