"""Documents in the admin: to look at, never to edit or delete (the history is the record)."""

from django.contrib import admin
from django.shortcuts import redirect

from sakip.workflow.models import (
    Attachment,
    Distribution,
    Document,
    HistoryEntry,
    OutgoingMail,
    RegisterEntry,
    RegisterSettings,
    Signature,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class HistoryInline(admin.TabularInline):
    model = HistoryEntry
    extra = 0
    fields = [
        "step_ended_at",
        "action",
        "step",
        "by_name",
        "by_jabatan",
        "actor",
        "reason",
        "note",
        "to_step",
        "content_sha256",
        "prev_hash",
        "hash",
    ]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ["title", "number", "year", "status", "current_step", "step_started_at", "created_by"]
    list_filter = ["status", "year", "sop__slug"]
    search_fields = ["title", "number"]
    list_select_related = ["current_step", "created_by"]
    inlines = [HistoryInline]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["name", "document", "step", "size", "uploaded_by", "uploaded_at"]
    list_select_related = ["document", "step", "uploaded_by"]


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdmin):
    list_display = ["document", "name", "on_behalf_of", "jabatan", "signed_at", "sha256"]
    list_select_related = ["document"]


@admin.register(OutgoingMail)
class OutgoingMailAdmin(ReadOnlyAdmin):
    """What was sent to whom, what waits and why: manage.py send_outbox is the only sender."""

    list_display = ["subject", "created_at", "attempts", "next_attempt_at", "sent_at", "failed_at", "last_error"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter), ("failed_at", admin.EmptyFieldListFilter)]
    search_fields = ["subject"]
    date_hierarchy = "created_at"


@admin.register(RegisterSettings)
class RegisterSettingsAdmin(admin.ModelAdmin):
    """The one row saying how the register writes numbers; its pattern is checked at the field."""

    list_display = ["pattern"]

    def has_add_permission(self, request):
        return not RegisterSettings.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        # One row only: straight to it (or to adding it, with the default pattern filled in).
        settings_row = RegisterSettings.objects.first()
        if settings_row is not None:
            return redirect("admin:workflow_registersettings_change", settings_row.pk)
        return redirect("admin:workflow_registersettings_add")

    def save_model(self, request, obj, form, change):
        obj.pk = 1  # the row RegisterSettings.current() reads
        super().save_model(request, obj, form, change)


@admin.register(RegisterEntry)
class RegisterEntryAdmin(ReadOnlyAdmin):
    """The register (buku agenda): numbers are given at signing and never changed or removed."""

    list_display = ["number", "year", "sequence", "document", "registered_at"]
    list_filter = ["year"]
    search_fields = ["number", "document__title"]
    list_select_related = ["document"]


@admin.register(Distribution)
class DistributionAdmin(ReadOnlyAdmin):
    list_display = ["document", "copies", "distributed_on", "recipients"]
    list_select_related = ["document"]
