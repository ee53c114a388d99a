"""Addresses for running an instance."""

from django.urls import path

from sakip.ops import views

app_name = "ops"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
]
