"""The administrator's pages for SOPs: identity block, actors and steps, revisions and copies."""

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sakip.sops.definition import StepSpec, definition_errors, spec_of
from sakip.sops.forms import CopySopForm, LinesField, NewRevisionForm
from sakip.sops.models import Actor, Sop, Step
from sakip.sops.serialization import SopFileError
from sakip.sops.services import sop_copy, sop_new_revision


def _is_frozen(sop: Sop | None) -> bool:
    """Revisions in use, and superseded ones, are history: they are never edited."""
    return sop is not None and sop.pk is not None and (sop.is_in_use or not sop.is_latest())


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
        super().clean()
        if any(form.errors for form in self.forms):
            return
        deleted_actors = self.actor_formset.actors_being_deleted() if self.actor_formset is not None else set()
        specs = []
        errors = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            actor = data.get("actor")
            if actor is not None and actor.pk in deleted_actors:
                errors.append(
                    _("Step %(number)s is given to the actor %(name)s, which is being deleted.")
                    % {"number": data.get("number"), "name": actor.name}
                )
            specs.append(
                StepSpec(
                    number=data.get("number"),
                    kind=data.get("kind", ""),
                    has_actor=actor is not None,
                    duration=data.get("duration"),
                    return_to=data.get("return_to"),
                    is_signature=bool(data.get("is_signature")),
                    needs_other_person=bool(data.get("needs_other_person")),
                )
            )
        errors += definition_errors(specs)
        if errors:
            raise ValidationError(errors)


class StepInline(admin.TabularInline):
    model = Step
    formset = StepInlineFormSet
    extra = 0
    fields = [
        "number",
        "activity",
        "actor",
        "kind",
        "return_to",
        "requirement",
        "duration",
        "duration_unit",
        "output",
        "attachment_required",
        "edits_content",
        "is_signature",
        "needs_other_person",
        "notes",
    ]
    formfield_overrides = {
        # Django's TextField renders 10 rows by default: far too tall for a table row.
        Step._meta.get_field("activity").__class__: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 30})},
    }

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        actor_field = formset.form.base_fields.get("actor")
        if actor_field is not None:
            actor_field.queryset = Actor.objects.filter(sop=obj).order_by("position")
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
        extra_context = {
            **(extra_context or {}),
            "sop_frozen": _is_frozen(obj),
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

    def _tool_page(self, request, sop, form, title):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": sop,
            "title": title,
            "form": form,
        }
        return TemplateResponse(request, "admin/sops/sop/tool_form.html", context)


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
