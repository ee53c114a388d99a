"""What keeps the Pengukuran Kinerja PDF fast (bench/pdf.py measures it): checked without a stopwatch.

- weasyprint's stock user-agent stylesheet gives every element six pseudo-element styles (::marker,
  ::footnote-*, ::note-*) that no paper of ours uses; sakip.lib.pdf drops them, and the pages stay the same.
- A number gets break opportunities (<wbr>, each one more box to lay out) only when it may not fit.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.template import Context, Template

from sakip.lib import pdf as lib_pdf
from sakip.performance.models import Measurement
from sakip.performance.pdf import render_measurement_pdf
from tests.conftest import fill_realisations, make_people, start_document
from tests.performance.factories import make_agreement

SAMPLE = """<html><head><style>@import url("css/pdf_fonts.css"); html { font: 10pt "Sakip Liberation Sans"; }
td { border: 1pt solid #000; }</style></head><body>
<h1>Judul</h1><ol><li>satu</li><li>dua</li></ol><ul><li>butir</li></ul>
<details open><summary>Ringkasan</summary>isi</details>
<table><thead><tr><th>No.</th><th>Nilai</th></tr></thead><tbody><tr><td>1</td><td>1.234,56</td></tr></tbody></table>
</body></html>"""


def test_it_drops_only_the_pseudo_element_rules_of_the_stock_stylesheet():
    import weasyprint.html

    lean = lib_pdf.lean_html_class()
    assert lean is not weasyprint.HTML, "the stock stylesheet changed: see lean_html_class()"
    assert len(lean(string="<p>x</p>")._ua_stylesheets()) == 1
    rules = [line for line in lean.ua_text.splitlines() if "::" in line]
    assert [rule for rule in rules if "marker {" in rule] == [
        "li::marker, summary::marker { font-variant-numeric: tabular-nums; white-space: pre; text-transform: none }",
        'sakip-no-note::footnote-marker { content: counter(footnote) ". " }',
        'sakip-no-note::note-marker { content: counter(note) ". " }',
    ]
    assert not [rule for rule in rules if rule.startswith("::")]  # no pseudo-element rule matches every element
    assert any(rule.startswith("::") for rule in weasyprint.html.UA.splitlines())  # the stock sheet has them


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="pdftoppm draws the pages to compare")
def test_the_pages_come_out_the_same_as_with_the_stock_stylesheet(tmp_path, monkeypatch):
    import weasyprint

    lean = lib_pdf.pdf_from_html(SAMPLE)
    monkeypatch.setattr(lib_pdf, "lean_html_class", lambda: weasyprint.HTML)
    stock = lib_pdf.pdf_from_html(SAMPLE)
    drawn = []
    for name, data in (("lean", lean), ("stock", stock)):
        (tmp_path / f"{name}.pdf").write_bytes(data)
        subprocess.run(["pdftoppm", "-png", "-r", "50", tmp_path / f"{name}.pdf", tmp_path / name], check=True)
        drawn.append((tmp_path / f"{name}-1.png").read_bytes())
    assert drawn[0] == drawn[1]  # list markers and all


@pytest.mark.django_db
def test_it_computes_no_pseudo_element_style_for_the_table_cells(default_sop, monkeypatch):
    import weasyprint.css

    make_agreement(year=2030, objectives=4, indicators_per_objective=5)
    people = make_people(default_sop)
    document = start_document(sop=default_sop, title="PK 2030", year=2030, by=people["Sekretaris"])
    fill_realisations(document)
    measurement = Measurement.objects.select_related("document", "agreement").get(document=document)
    computed = []
    real = weasyprint.css.StyleFor.set_computed_styles

    def count(self, element, parent, root=None, pseudo_type=None, **kwargs):
        computed.append((getattr(element, "tag", None), pseudo_type))
        return real(self, element, parent, root=root, pseudo_type=pseudo_type, **kwargs)

    monkeypatch.setattr(weasyprint.css.StyleFor, "set_computed_styles", count)
    render_measurement_pdf(measurement)
    cells = [pseudo for tag, pseudo in computed if tag == "td"]
    assert cells and set(cells) == {None}, set(cells)  # with the stock stylesheet: six pseudo-elements each


@pytest.mark.parametrize(
    ("text", "limit", "printed"),
    [
        ("1.000.000.000,00", 18, "1.000.000.000,00"),
        ("19.999.999.999.999,98", 18, "19.<wbr>999.<wbr>999.<wbr>999.<wbr>999,98"),
        ("117,28", 10, "117,28"),
        ("99.999.999.999,9999", 10, "99.<wbr>999.<wbr>999.<wbr>999,9999"),
        ("<b>", 1, "&lt;b&gt;"),
    ],
)
def test_it_lets_a_number_wrap_only_when_it_may_not_fit(text, limit, printed):
    template = Template("{% load pdf_numbers %}{{ value|breakable_over:limit }}")
    assert template.render(Context({"value": text, "limit": limit})) == printed


def test_it_pauses_the_cycle_collector_while_a_pdf_is_made(monkeypatch):
    import gc

    import weasyprint

    seen = []
    real = weasyprint.HTML.write_pdf

    def write_pdf(html, *args, **kwargs):
        seen.append(gc.isenabled())
        return real(html, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", write_pdf)
    assert gc.isenabled()
    lib_pdf.pdf_from_html("<p>Satu</p>")
    assert seen == [False] and gc.isenabled()
    with pytest.raises(ZeroDivisionError), lib_pdf.collector_paused():
        1 / 0  # noqa: B018
    assert gc.isenabled()  # on again after a failure too
    gc.disable()
    try:
        lib_pdf.pdf_from_html("<p>Dua</p>")
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()
