"""HTML to PDF with weasyprint, imported only when a PDF is made (the import alone costs ~0.6 s)."""

from __future__ import annotations

import contextlib
import functools
import gc
import re
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation


class RefusedResource(ValueError):
    """A PDF asked for something outside the project's static files.

    A ValueError, so that weasyprint leaves the resource out and says so in its log
    instead of failing the whole document (a missing logo must not stop a signature).
    """


def static_root() -> Path:
    """The only folder a PDF may read files from: the project's own static/, as the disk has it."""
    return (Path(settings.BASE_DIR) / "static").resolve()


def resolve_allowed_file(url: str) -> Path:
    """The file under static/ that ``url`` names; RefusedResource for anything else.

    Compared after the URL is taken apart the way a reader of it would: scheme in any
    case, percent-escapes decoded, ``..`` and symlinks resolved on the disk. A prefix test
    on the text let ``file:/etc/hostname``, ``%2e%2e`` and sibling folders through.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        raise RefusedResource(f"Refusing to read {url!r} while making a PDF: not a URL.") from None
    if parts.scheme.lower() != "file":
        raise RefusedResource(f"Refusing to read {url!r} while making a PDF: only files of static/ are read.")
    # file://host/... names another machine's file (or, for localhost, invites a second reading).
    if parts.netloc:
        raise RefusedResource(f"Refusing to read {url!r} while making a PDF: a file URL with a host.")
    try:
        path = unquote(parts.path, errors="strict")
    except UnicodeDecodeError:
        raise RefusedResource(f"Refusing to read {url!r} while making a PDF: not a file name.") from None
    if "\x00" in path or not path.startswith("/") or path.startswith("//"):
        raise RefusedResource(f"Refusing to read {url!r} while making a PDF: not an absolute path.")
    try:
        # strict: the file must exist, so what is checked is the very file that is then read.
        resolved = Path(path).resolve(strict=True)
    except (OSError, RuntimeError):
        raise RefusedResource(f"Refusing to read {url!r} while making a PDF: no such file.") from None
    if not resolved.is_relative_to(static_root()) or not resolved.is_file():
        raise RefusedResource(f"Refusing to read {url!r} while making a PDF: outside static/.")
    return resolved


def pdf_from_html(html: str) -> bytes:
    """PDF bytes of ``html``; it may use files of static/ (relative URLs start there) and data: URIs.

    Nothing else is fetched: an office document never reaches out to the network or to
    other files of the server while it is made.
    """
    # Imported here, not at the top: most requests never make a PDF.
    from weasyprint.urls import URLFetcher

    class StaticFilesOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if urlsplit(url).scheme.lower() == "data":
                return super().fetch(url, headers)
            # The checked, resolved path is what is read, not the URL as written.
            return super().fetch(resolve_allowed_file(url).as_uri(), headers)

    fetcher = StaticFilesOnly(allowed_protocols={"file", "data"})
    base_url = static_root().as_uri() + "/"
    with collector_paused():
        return lean_html_class()(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf()


_collector_lock = threading.Lock()
_collector_pauses = 0


@contextlib.contextmanager
def collector_paused():
    """Python's cycle collector off while a PDF is made, on again (as it was) after the last one ends.

    weasyprint makes hundreds of thousands of objects per long document, almost all alive until the
    end; the collector kept walking them (and the whole heap) and took a quarter of a render of 200
    indicators. Nothing is lost: the cycles left are collected on the next run after it is on again.
    """
    global _collector_pauses
    with _collector_lock:
        if _collector_pauses == 0:
            collector_paused.was_enabled = gc.isenabled()
            gc.disable()
        _collector_pauses += 1
    try:
        yield
    finally:
        with _collector_lock:
            _collector_pauses -= 1
            if _collector_pauses == 0 and collector_paused.was_enabled:
                gc.enable()


@functools.cache
def lean_html_class():
    """weasyprint.HTML whose user-agent stylesheet gives no element the pseudo-elements our papers never use.

    The stock stylesheet's ``::marker``, ``::footnote-*`` and ``::note-*`` rules match every element, and
    weasyprint then computes six styles more per element: three quarters of the cascade of a long table.
    Here ``::marker`` is kept for list items (and summary) only, and the note rules match nothing, since
    no paper uses ``float: footnote``. tests/performance/test_pdf_speed.py checks that the pages come out
    the same as with the stock stylesheet.
    """
    import weasyprint
    from weasyprint import html as stock
    from weasyprint.css.counters import CounterStyle

    lean = stock.UA.replace("\n::marker {", "\nli::marker, summary::marker {")
    lean = re.sub(r"^::((?:footnote|note)-[a-z]+) {", r"sakip-no-note::\1 {", lean, flags=re.MULTILINE)
    if lean.count("sakip-no-note::") != 5 or "li::marker" not in lean:
        return weasyprint.HTML  # another weasyprint: its stock stylesheet, unchanged
    # Its @counter-style rules are the stock ones, already in every document's counter styles: parsed aside.
    sheet = weasyprint.CSS(string=lean, counter_style=CounterStyle())

    class LeanHTML(weasyprint.HTML):
        ua_text = lean

        def _ua_stylesheets(self, forms=False):
            stock_sheets = super()._ua_stylesheets(forms)
            return [sheet, *stock_sheets[1:]]

    return LeanHTML


def render_pdf(template: str, context: dict, *, language: str | None = None) -> bytes:
    """Render ``template`` to PDF bytes, in the office's language unless told otherwise."""
    with translation.override(language or settings.LANGUAGE_CODE):
        html = render_to_string(template, context)
    return pdf_from_html(html)


def static_url(relative: str) -> str:
    """A file:// URL for a file under static/, for PDF templates (weasyprint reads it from disk)."""
    return (Path(settings.BASE_DIR) / "static" / relative).resolve().as_uri()
