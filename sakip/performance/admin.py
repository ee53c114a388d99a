"""The performance data in the admin: rating bands to configure; agreements editable until a signature uses them."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

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
    extra = 0


class ProgrammeInline(admin.TabularInline):
    model = Programme
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
    list_display = ["year", "first_party_name", "second_party_name"]

    def has_change_permission(self, request, obj=None):
        return not (obj and obj.is_locked()) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not (obj and obj.measurements.exists()) and super().has_delete_permission(request, obj)
