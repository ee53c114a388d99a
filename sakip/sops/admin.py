"""The administrator's pages for SOPs: identity block, actors and steps, revisions and copies."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sakip.sops.definition import StepSpec, validate_definition
from sakip.sops.forms import CopySopForm, LinesField, NewRevisionForm
from sakip.sops.models import Actor, Sop, Step
from sakip.sops.services import sop_copy, sop_new_revision


def _is_frozen(sop: Sop | None) -> bool:
    """Revisions in use, and superseded ones, are history: they are never edited."""
    return sop is not None and sop.pk is not None and (sop.is_in_use or not sop.is_latest())


class SopAdminForm(forms.ModelForm):
    dasar_hukum = LinesField(label=gettext_lazy("legal basis"))
    keterkaitan = LinesField(label=gettext_lazy("related SOPs"))
    pencatatan = LinesField(label=gettext_lazy("recording and data collection"))

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
        super().clean()
        positions = []
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue
            if form.cleaned_data.get("DELETE"):
                actor = form.instance
                if actor.pk and actor.steps.exists():
                    numbers = ", ".join(str(n) for n in actor.steps.values_list("number", flat=True))
                    raise ValidationError(
                        _(
                            "The actor %(name)s still acts in step(s) %(numbers)s: "
                            "give those steps to another actor first."
                        )
                        % {"name": actor.name, "numbers": numbers}
                    )
                continue
            positions.append(form.cleaned_data.get("position"))
        if len(positions) != len(set(positions)):
            raise ValidationError(_("Two actors cannot share a column."))


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
    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        specs = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            specs.append(
                StepSpec(
                    number=data.get("number"),
                    kind=data.get("kind", ""),
                    has_actor=data.get("actor") is not None,
                    duration=data.get("duration"),
                    return_to=data.get("return_to"),
                )
            )
        validate_definition(specs)


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

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
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
        return get_object_or_404(Sop, pk=unquote(object_id))

    def new_revision_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        sop = self._get_for_tool(request, object_id)
        form = NewRevisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            new = sop_new_revision(sop=sop, by=request.user, note=form.cleaned_data["note"])
            messages.success(request, _("Revision %(revision)s created; edit it below.") % {"revision": new.revision})
            return HttpResponseRedirect(reverse("admin:sops_sop_change", args=[new.pk]))
        return self._tool_page(request, sop, form, _("New revision of %(sop)s") % {"sop": sop.nama})

    def copy_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        sop = self._get_for_tool(request, object_id)
        form = CopySopForm(request.POST or None, initial={"slug": f"{sop.slug}-salinan", "nama": sop.nama})
        if request.method == "POST" and form.is_valid():
            new = sop_copy(sop=sop, slug=form.cleaned_data["slug"], nama=form.cleaned_data["nama"], by=request.user)
            messages.success(request, _("Copy created; edit it below."))
            return HttpResponseRedirect(reverse("admin:sops_sop_change", args=[new.pk]))
        return self._tool_page(request, sop, form, _("Copy %(sop)s") % {"sop": sop.nama})

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
        form.instance.user_set.set(form.cleaned_data["members"])
