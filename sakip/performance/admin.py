"""The performance data in the admin: rating bands to configure; agreements editable until a signature uses them."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from sakip.performance.forms import AgreementForm, KeepRowsInUse
from sakip.performance.models import Agreement, Indicator, Objective, Programme, RatingBand


class RatingBandForm(forms.ModelForm):
    class Meta:
        model = RatingBand
        fields = ["label", "minimum"]

    def clean_minimum(self):
        minimum = self.cleaned_data["minimum"]
        catch_all = RatingBand.objects.filter(minimum__isnull=True).exclude(pk=self.instance.pk)
        if minimum is None and catch_all.exists():
            raise forms.ValidationError(_("Only one rating band may have no minimum."))
        if self.instance.pk and self.instance.minimum is None and minimum is not None:
            raise forms.ValidationError(_("This band catches the lowest values, so it has no minimum."))
        return minimum


@admin.register(RatingBand)
class RatingBandAdmin(admin.ModelAdmin):
    form = RatingBandForm
    list_display = ["label", "minimum"]

    def has_delete_permission(self, request, obj=None):
        # The band without a minimum catches the lowest values: without it some capaian would have no rating.
        return not (obj is not None and obj.minimum is None) and super().has_delete_permission(request, obj)


class IndicatorInline(admin.TabularInline):
    model = Indicator
    formset = KeepRowsInUse
    extra = 0


class ProgrammeInline(admin.TabularInline):
    model = Programme
    formset = KeepRowsInUse
    extra = 0


@admin.register(Objective)
class ObjectiveAdmin(admin.ModelAdmin):
    list_display = ["text", "agreement", "position"]
    list_filter = ["agreement"]
    inlines = [IndicatorInline, ProgrammeInline]

    def has_change_permission(self, request, obj=None):
        return not (obj and obj.agreement.is_locked()) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not (obj and obj.agreement.measurements.exists()) and super().has_delete_permission(request, obj)


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    form = AgreementForm  # the page's checks: a NIP is a real NIP here too
    list_display = ["year", "first_party_name", "second_party_name"]

    def get_readonly_fields(self, request, obj=None):
        # Documents were started for this year: moving the agreement to another year would orphan them.
        in_use = obj is not None and obj.measurements.exists()
        return [*super().get_readonly_fields(request, obj), *(["year"] if in_use else [])]

    def has_change_permission(self, request, obj=None):
        return not (obj and obj.is_locked()) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not (obj and obj.measurements.exists()) and super().has_delete_permission(request, obj)
