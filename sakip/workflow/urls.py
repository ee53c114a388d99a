"""Addresses of the workflow pages."""

from django.urls import path

from sakip.workflow import views

app_name = "workflow"
urlpatterns = [
    path("", views.document_list, name="list"),
    path("notifikasi/", views.notification_list, name="notifications"),
    path("baru/<slug:slug>/", views.document_new, name="new"),
    path("<int:pk>/", views.document_detail, name="document"),
    path("<int:pk>/aksi/", views.document_act, name="act"),
    path("<int:pk>/batal/", views.document_cancel_view, name="cancel"),
    path("<int:pk>/lampiran/<int:attachment_pk>/", views.attachment_download, name="attachment"),
]
