"""Addresses of the workflow pages."""

from django.urls import path

from sakip.workflow import views, views_register

app_name = "workflow"
urlpatterns = [
    path("", views.document_list, name="list"),
    path("notifikasi/", views.notification_list, name="notifications"),
    path("notifikasi/<int:pk>/", views.notification_open, name="notification_open"),
    path("baru/<slug:slug>/", views.document_new, name="new"),
    path("<int:pk>/", views.document_detail, name="document"),
    path("<int:pk>/aksi/", views.document_act, name="act"),
    path("<int:pk>/pratinjau/", views_register.signing_preview, name="preview"),
    path("register/", views_register.register_current, name="register_current"),
    path("register/<int:year>/", views_register.register_year, name="register"),
    path("register/<int:year>/xlsx/", views_register.register_xlsx, name="register_xlsx"),
    path("<int:pk>/batal/", views.document_cancel_view, name="cancel"),
    path("<int:pk>/lampiran/<int:attachment_pk>/", views.attachment_download, name="attachment"),
]
