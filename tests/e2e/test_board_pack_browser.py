"""The Board pack as a person sees and prints it: rendered by headless Chromium at A4 width, nothing wider than
the page, every chart titled, a page per section in print."""

from __future__ import annotations

import datetime as dt
import html
import json
import re

import pytest
from click.testing import CliRunner

from tests.browser import chromium
from val.cli import main
from val.demo.seeding import populate
from val.rulebook import load_rulebook
from val.settings import load_settings

A4_WIDTH, A4_HEIGHT = 794, 1123  # CSS pixels of 210 × 297 mm
# Added to a copy of the page for the test only (the pack itself has no script): what the layout measured.
MEASURE = """<script>
const width = document.documentElement.clientWidth;
const over = [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > width + 0.5)
  .map(e => e.tagName + ':' + (e.textContent || '').trim().slice(0, 40));
const svgs = [...document.querySelectorAll('svg')];
const untitled = svgs.filter(s => !(s.querySelector('title') && s.querySelector('title').textContent.trim())).length;
const undescribed = svgs.filter(s => !(s.querySelector('desc') && s.querySelector('desc').textContent.trim())).length;
const result = {width, scroll: document.documentElement.scrollWidth, over: over.slice(0, 10), svgs: svgs.length,
                untitled, undescribed};
document.body.insertAdjacentHTML('beforeend', '<pre id="measured">' + JSON.stringify(result) + '</pre>');
</script>"""


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_the_pack_fits_an_a4_page_titles_every_chart_and_prints_a_page_per_section(database, tmp_path):
    settings = load_settings(overrides={"database_url": database.url})
    populate(
        database, load_rulebook(settings.config_dir), settings, dt.date(2025, 1, 1), dt.date(2026, 10, 31), 15
    )
    out = tmp_path / "pack.html"
    result = CliRunner().invoke(
        main,
        ["report", "board", "--from", "2026-01-01", "--to", "2026-12-31", "--out", str(out)],
        env={"VAL_DATABASE_URL": database.url},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    page = out.read_text()
    assert "<script" not in page.lower() and "Demo" not in page

    measured_copy = tmp_path / "measured.html"
    measured_copy.write_text(page.replace("</body>", MEASURE + "</body>"))
    dom = chromium(
        f"--window-size={A4_WIDTH},{A4_HEIGHT}",
        "--virtual-time-budget=5000",
        "--dump-dom",
        measured_copy.as_uri(),
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    found = re.findall(r'<pre id="measured">(\{.*?\})</pre>', dom.stdout)
    assert found, dom.stdout[-1500:]
    measured = json.loads(html.unescape(found[-1]))
    assert measured["over"] == [] and measured["scroll"] <= measured["width"], measured
    assert measured["svgs"] >= 12 and measured["untitled"] == 0 and measured["undescribed"] == 0

    pdf = tmp_path / "pack.pdf"
    printed = chromium(f"--print-to-pdf={pdf}", "--no-pdf-header-footer", out.as_uri())
    assert printed.returncode == 0 and pdf.exists()
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))
    assert pages >= 4, "a page per section"

    shot = tmp_path / "pack.png"
    taken = chromium(f"--screenshot={shot}", f"--window-size={A4_WIDTH},{A4_HEIGHT * 3}", out.as_uri())
    assert taken.returncode == 0 and shot.stat().st_size > 20_000
