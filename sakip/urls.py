"""The project's addresses."""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from sakip.workflow import views as workflow_views
from sakip.workflow.verification import verify, verify_lookup

urlpatterns = [
    path("", workflow_views.home, name="home"),
    path("dokumen/", include("sakip.workflow.urls")),
    path("kinerja/", include("sakip.performance.urls")),
    path("akun/", include("sakip.accounts.urls")),
    path("sop/", include("sakip.sops.urls")),
    # The language switcher is on the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("verifikasi/", verify_lookup, name="verify_lookup"),
    path("verifikasi/<str:token>/", verify, name="verify"),
    path("", include("sakip.ops.urls")),
    path("admin/", admin.site.urls),
]
