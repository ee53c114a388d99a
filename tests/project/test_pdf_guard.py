"""A PDF reads only the project's static files (and data: URIs): every way around the guard is refused."""

import io
import logging
from pathlib import Path

import pytest
from django.conf import settings
from pypdf import PdfReader

from sakip.lib.pdf import RefusedResource, pdf_from_html, resolve_allowed_file, static_url

REAL_STATIC = settings.BASE_DIR / "static"
SECRET_CSS = 'p::after { content: " GEHEIM-4711"; }'


@pytest.fixture
def project(tmp_path, settings):
    """A project folder in tmp: static/ with a stylesheet, and around it everything a PDF must not read."""
    base = tmp_path / "proj"
    (base / "static" / "css").mkdir(parents=True)
    (base / "static" / "css" / "ok.css").write_text(SECRET_CSS)
    (base / "sakip").mkdir()
    (base / "sakip" / "settings.css").write_text(SECRET_CSS)  # a project file, but not a static one
    for sibling in ("staticfiles", "static-old", "static2"):  # folders sharing the prefix
        (base / sibling).mkdir()
        (base / sibling / "secret.css").write_text(SECRET_CSS)
    (tmp_path / "proj-evil").mkdir()
    (tmp_path / "proj-evil" / "secret.css").write_text(SECRET_CSS)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.css").write_text(SECRET_CSS)
    (base / "static" / "link.css").symlink_to(outside / "secret.css")
    (base / "static" / "linkdir").symlink_to(outside, target_is_directory=True)
    settings.BASE_DIR = base
    return base


def forbidden_urls(base: Path) -> list[str]:
    root = base.parent
    static = f"{base}/static"
    return [
        "file:/etc/hostname",
        "file:///etc/hostname",
        "FILE:///etc/hostname",
        "File:///etc/passwd",
        "file://localhost/etc/passwd",
        f"file://localhost{static}/css/ok.css",  # a host, even for an allowed file
        "file:///proc/self/environ",
        "file:////etc/passwd",
        "file:etc/passwd",
        f"file://{static}/../sakip/settings.css",
        f"file://{static}/css/../../sakip/settings.css",
        f"file://{static}/%2e%2e/sakip/settings.css",
        f"file://{static}/%2E%2E/%2E%2E/outside/secret.css",
        f"file://{static}/css%2f..%2f..%2fsakip/settings.css",
        f"file://{static}/%252e%252e/sakip/settings.css",
        f"file://{static}/../../../../../../etc/passwd",
        f"file://{base}/staticfiles/secret.css",
        f"file://{base}/static-old/secret.css",
        f"file://{base}/static2/secret.css",
        f"file://{static}files/secret.css",
        f"file://{root}/proj-evil/secret.css",
        f"file://{static}/link.css",  # a symlink pointing outside
        f"file://{static}/linkdir/secret.css",
        f"file://{static}/css/ok.css%00.png",
        f"file://{static}/css/%ff.css",
        f"file://{static}/css/missing.css",
        f"file://{static}/css",  # a folder
        f"file://{static}",
        "http://example.org/logo.png",
        "https://example.org/logo.png",
        "HTTPS://example.org/logo.png",
        "ftp://example.org/logo.png",
        "data:text/css,p{}",  # data: never reaches the file check; the fetcher passes it on itself
        "css/ok.css",
        "",
    ]


def test_it_refuses_every_way_around_the_guard(project):
    for url in forbidden_urls(project):
        with pytest.raises(RefusedResource):
            resolve_allowed_file(url)


def test_it_allows_a_file_under_static_however_the_url_spells_it(project):
    ok = (project / "static" / "css" / "ok.css").resolve()
    static = f"{project}/static"
    for url in [
        f"file://{static}/css/ok.css",
        f"FILE://{static}/css/ok.css",
        f"file://{static}/css/%6Fk.css",
        f"file://{static}/css/../css/ok.css",
        f"file://{static}/css/ok.css?v=1#top",
        (project / "static" / "css" / "ok.css").as_uri(),
    ]:
        assert resolve_allowed_file(url) == ok, url


def test_it_keeps_the_urls_of_static_url_working():
    for relative in ("css/sheet_pdf.css", "css/pengukuran_pdf.css", "img/favicon.svg"):
        assert resolve_allowed_file(static_url(relative)) == (REAL_STATIC / relative).resolve()


def test_it_refuses_a_static_url_that_climbs_out():
    with pytest.raises(RefusedResource):
        resolve_allowed_file(static_url("../sakip/settings.py"))


def pdf_text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def page_with_stylesheet(href: str) -> str:
    return f'<html><head><link rel="stylesheet" href="{href}"></head><body><p>Terlihat</p></body></html>'


def test_it_embeds_an_allowed_stylesheet(project):
    """The control: the same stylesheet under static/ does change the PDF, so the refusals below are seen."""
    text = pdf_text(pdf_from_html(page_with_stylesheet(f"file://{project}/static/css/ok.css")))
    assert "Terlihat" in text and "GEHEIM-4711" in text
    assert "GEHEIM-4711" in pdf_text(pdf_from_html(page_with_stylesheet("css/ok.css")))  # relative to static/


@pytest.mark.parametrize(
    "href",
    [
        "file:{base}/sakip/settings.css",
        "file://{root}/proj-evil/secret.css",
        "file://{base}/static/%2e%2e/sakip/settings.css",
        "file://{base}/static/link.css",
        "../sakip/settings.css",
    ],
)
def test_it_leaves_a_forbidden_stylesheet_out_of_the_pdf(project, caplog, href):
    url = href.format(base=project, root=project.parent)
    with caplog.at_level(logging.WARNING):
        text = pdf_text(pdf_from_html(page_with_stylesheet(url)))
    assert "Terlihat" in text
    assert "GEHEIM-4711" not in text
    assert "Refusing to read" in caplog.text


def test_it_still_embeds_a_data_uri_image():
    pixel = (
        "data:image/png;base64,"
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    )
    pdf = pdf_from_html(f'<html><body><p>QR</p><img src="{pixel}"></body></html>')
    reader = PdfReader(io.BytesIO(pdf))
    assert list(reader.pages[0].images)
