"""The Content-Security-Policy allows only the project's own files, and pages carry no inline script."""

import re

import pytest


@pytest.mark.django_db
def test_it_sends_a_self_only_content_security_policy(client):
    csp = client.get("/akun/masuk/").headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert "unsafe-inline" not in csp
    assert "http" not in csp


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/akun/masuk/", "/sop/", "/sop/pengukuran-kinerja/"])
def test_it_has_no_inline_script_or_style_and_no_external_asset(staff_client, default_sop, url):
    html = staff_client.get(url).text
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag, tag
    assert all(body.strip() == "" for body in re.findall(r"<script\b[^>]*>(.*?)</script>", html, re.S))
    assert " style=" not in html
    assert re.search(r'(src|href)="(https?:)?//', html) is None
