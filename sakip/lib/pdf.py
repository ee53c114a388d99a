"""HTML to PDF with weasyprint, imported only when a PDF is made (the import alone costs ~0.6 s)."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation


def render_pdf(template: str, context: dict, *, language: str | None = None) -> bytes:
    """Render ``template`` to PDF bytes, in the office's language unless told otherwise.

    Only files of this project (and data: URIs) are read: an office document
    never reaches out to the network while it is made.
    """
    # Imported here, not at the top: most requests never make a PDF.
    import weasyprint
    from weasyprint.urls import URLFetcher

    class ProjectFilesOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("file://") and not url.removeprefix("file://").startswith(str(settings.BASE_DIR)):
                raise ValueError(f"Refusing to read {url!r} while making a PDF.")
            return super().fetch(url, headers)

    with translation.override(language or settings.LANGUAGE_CODE):
        html = render_to_string(template, context)
    fetcher = ProjectFilesOnly(allowed_protocols={"file", "data"})
    return weasyprint.HTML(string=html, base_url=settings.BASE_DIR.as_uri() + "/", url_fetcher=fetcher).write_pdf()


def static_url(relative: str) -> str:
    """A file:// URL for a file under static/, for PDF templates (weasyprint reads it from disk)."""
    return (settings.BASE_DIR / "static" / relative).resolve().as_uri()
