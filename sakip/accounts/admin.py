"""People in the admin: their signature data (profile) and acting assignments."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from sakip.accounts.models import ActingAssignment, Profile


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    fields = ["nip", "jabatan", "pangkat"]


admin.site.unregister(User)


@admin.register(User)
class PersonAdmin(UserAdmin):
    inlines = [ProfileInline]


@admin.register(ActingAssignment)
class ActingAssignmentAdmin(admin.ModelAdmin):
    list_display = ["person", "prefix", "jabatan", "role", "official", "starts_on", "ends_on"]
    list_filter = ["prefix", "role"]
    autocomplete_fields = ["person", "official"]
