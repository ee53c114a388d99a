"""Addresses of the SOP pages."""

from django.urls import path

from sakip.sops import views

app_name = "sops"
urlpatterns = [
    path("", views.sop_list, name="list"),
    path("<slug:slug>/", views.sop_sheet, name="sheet"),
    path("<slug:slug>/revisi/<int:revision>/", views.sop_sheet_revision, name="sheet_revision"),
    path("<slug:slug>/pdf/", views.sop_sheet_pdf, name="sheet_pdf"),
    path("<slug:slug>/revisi/<int:revision>/pdf/", views.sop_sheet_pdf, name="sheet_revision_pdf"),
]
