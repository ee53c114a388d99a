"""The project's addresses."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="sops:list"), name="home"),
    path("akun/", include("sakip.accounts.urls")),
    path("sop/", include("sakip.sops.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
