"""The letterhead in the admin: one row, changed in place, never added twice nor deleted."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sakip.office.models import Office


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    fieldsets = [
        (
            _("Letterhead"),
            {"fields": ["logo", "government", "name", "address", "postal_code", "telephone", "email", "website"]},
        ),
        (_("Pengukuran Kinerja PDF"), {"fields": ["print_explanation"]}),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not Office.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Office | None = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context=None):
        """The list of one row is the row itself: open its form (or the form to create it)."""
        office = Office.objects.first()
        if office is not None:
            return HttpResponseRedirect(reverse("admin:office_office_change", args=[office.pk]))
        return HttpResponseRedirect(reverse("admin:office_office_add"))
