"""Documents in the admin: to look at, never to edit or delete (the history is the record)."""

from django.contrib import admin

from sakip.workflow.models import Attachment, Document, HistoryEntry, Signature


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
    list_display = ["title", "year", "status", "current_step", "step_started_at", "created_by"]
    list_filter = ["status", "year", "sop__slug"]
    search_fields = ["title"]
    list_select_related = ["current_step", "created_by"]
    inlines = [HistoryInline]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["name", "document", "step", "size", "uploaded_by", "uploaded_at"]
    list_select_related = ["document", "step", "uploaded_by"]


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdmin):
    list_display = ["document", "name", "jabatan", "signed_at", "sha256"]
    list_select_related = ["document"]
