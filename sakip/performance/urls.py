"""Addresses of the Perjanjian Kinerja and of a document's realisation."""

from django.urls import path

from sakip.performance import views
from sakip.performance.excel import views as excel

app_name = "performance"
urlpatterns = [
    path("", views.agreement_list, name="agreements"),
    path("baru/", views.agreement_create, name="agreement_create"),
    path("<int:year>/", views.agreement_detail, name="agreement"),
    path("<int:year>/ubah/", views.agreement_edit, name="agreement_edit"),
    path("<int:year>/sasaran/baru/", views.objective_edit, name="objective_create"),
    path("<int:year>/sasaran/<int:pk>/", views.objective_edit, name="objective_edit"),
    path("<int:year>/sasaran/<int:pk>/hapus/", views.objective_delete, name="objective_delete"),
    path("dokumen/<int:pk>/realisasi/", views.realisation_edit, name="realisation"),
    path("dokumen/<int:pk>/ambil-perubahan/", views.take_agreement_changes, name="take_changes"),
    path("dokumen/<int:pk>/templat.xlsx", excel.template_download, name="template"),
    path("dokumen/<int:pk>/unggah/", excel.upload, name="upload"),
    path("dokumen/<int:pk>/pengukuran.xlsx", excel.export_download, name="export"),
    path("dokumen/<int:pk>/pengukuran.pdf", views.measurement_pdf, name="pdf"),
]
