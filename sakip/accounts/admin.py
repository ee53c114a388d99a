"""People in the admin: their signature data (profile), acting assignments, and temporary passwords."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from sakip.accounts.forms import TemporaryPasswordForm
from sakip.accounts.models import ActingAssignment, Profile


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    fields = ["nip", "jabatan", "pangkat", "email_notifications", "must_change_password"]


admin.site.unregister(User)


@admin.register(User)
class PersonAdmin(UserAdmin):
    inlines = [ProfileInline]
    # "Change password" can make the new password a temporary one, to be changed at the next login.
    change_password_form = TemporaryPasswordForm
    change_user_password_template = "accounts/admin_change_password.html"  # noqa: S105 (a template name)
    actions = ["require_password_change"]

    @admin.action(description=_("Require a new password at the next login"))
    def require_password_change(self, request, queryset):
        people = list(queryset)
        for person in people:
            Profile.objects.update_or_create(user=person, defaults={"must_change_password": True})
        self.message_user(
            request,
            ngettext(
                "%(count)d person must choose a new password at their next login.",
                "%(count)d people must choose a new password at their next login.",
                len(people),
            )
            % {"count": len(people)},
            messages.SUCCESS,
        )


@admin.register(ActingAssignment)
class ActingAssignmentAdmin(admin.ModelAdmin):
    list_display = ["person", "prefix", "jabatan", "role", "official", "starts_on", "ends_on"]
    list_filter = ["prefix", "role"]
    autocomplete_fields = ["person", "official"]
