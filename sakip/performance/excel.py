"""Excel: the realisation template, its upload, and the finished measurement."""

from django.http import HttpRequest, HttpResponse


def template_download(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError


def upload(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError


def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError
