"""The HTML report in a real browser (#17): headless Chromium at 1200 px and printed to PDF.

A small script added to the page measures every table against its container, on screen at a
1200 px window and with the print stylesheet applied at the printable width of landscape A4
(297 mm less 2 x 12 mm margins = 273 mm = 1032 CSS px at 96 px per inch), and writes the
measurements into the page, which ``chromium --dump-dom`` returns. The page is also printed to PDF
and its text read back (pypdf): the results table keeps its last columns (impact, present value,
share). Skipped when Chromium is not installed; ``make test-browser`` installs it (Debian package
``chromium``) and runs these tests alone.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

import sroi
from sroi.datasets import dataset_path
from sroi.indicators import load_indicators
from sroi.monitoring import monitor
from sroi.report import analyse, load_credit_scenarios

CHROMIUM = os.environ.get("SROI_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (make test-browser installs it)"),
]

#: Printable width of landscape A4 with the report's 12 mm margins, in CSS px (96 per inch).
PRINT_WIDTH = round((297 - 2 * 12) / 25.4 * 96)

_MEASURE = """
(function () {
  function measure(mode) {
    var tables = [];
    document.querySelectorAll(".table-wrap").forEach(function (wrap, i) {
      var table = wrap.querySelector("table");
      var section = wrap.closest("section");
      tables.push({section: section ? section.id : "", index: i, container: wrap.clientWidth,
                   content: wrap.scrollWidth, table: Math.ceil(table.getBoundingClientRect().width),
                   columns: table.querySelectorAll("thead th").length});
    });
    return {mode: mode, viewport: window.innerWidth, page: document.documentElement.scrollWidth,
            tables: tables};
  }
  var out = [measure("screen")];
  var print = document.getElementById("print-css");
  if (print) {
    print.media = "all";
    document.documentElement.style.width = "%(print_width)dpx";
    out.push(measure("print"));
  }
  var pre = document.createElement("pre");
  pre.id = "measurements";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
"""


def _chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",  # tests may run as root (containers, CI)
        "--disable-gpu",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=True)


@pytest.fixture(scope="module")
def report_file(tmp_path_factory):
    """The report of the Elderly Mode case with its indicators and credit scenarios."""
    analysis = sroi.load(dataset_path("elderly_mode", "elderly_mode.yaml"))
    scenarios = load_credit_scenarios(dataset_path("elderly_mode", "credit_scenarios.yaml"))
    indicators = load_indicators(dataset_path("elderly_mode", "indicators.yaml"), analysis)
    actuals = dataset_path("elderly_mode", "SYNTHETIC_elderly_mode_monitoring.csv")
    monitoring = monitor(analysis, actuals, indicators, n=1000, seed=1)
    report = analyse(
        analysis, n=1000, seed=3, credit_scenarios=scenarios, indicators=indicators, monitoring=monitoring
    )
    return report.to_html(tmp_path_factory.mktemp("browser") / "report.html")


@pytest.fixture(scope="module")
def measurements(report_file, tmp_path_factory):
    folder = tmp_path_factory.mktemp("measure")
    page = report_file.read_text(encoding="utf-8")
    script = _MEASURE % {"print_width": PRINT_WIDTH}
    measured = folder / "measured.html"
    measured.write_text(page.replace("</body>", f"<script>{script}</script></body>"), encoding="utf-8")
    dom = _chromium("--window-size=1200,900", "--dump-dom", measured.as_uri(), profile=folder / "profile")
    found = re.search(r'<pre id="measurements">(.*?)</pre>', dom.stdout, re.S)
    assert found, f"no measurements in the page Chromium returned: {dom.stderr[-2000:]}"
    return {m["mode"]: m for m in json.loads(html.unescape(found.group(1)))}


@pytest.mark.parametrize("mode", ["screen", "print"])
def test_no_table_overflows_its_container(measurements, mode):
    m = measurements[mode]
    if mode == "screen":
        assert m["viewport"] == 1200
        assert m["page"] <= m["viewport"]  # the page itself never scrolls sideways
    assert len(m["tables"]) >= 15  # every table of the report was measured
    # a table wider than its container by more than a rounding pixel would scroll (screen) or be
    # cut at the page edge (print)
    over = [t for t in m["tables"] if t["content"] > t["container"] + 1]
    assert over == []


def test_printed_pdf_keeps_every_column_of_the_results_table(report_file, tmp_path):
    pypdf = pytest.importorskip("pypdf")
    pdf = tmp_path / "report.pdf"
    _chromium(
        "--no-pdf-header-footer", f"--print-to-pdf={pdf}", report_file.as_uri(), profile=tmp_path / "profile"
    )
    reader = pypdf.PdfReader(pdf)
    first = reader.pages[0].mediabox
    assert float(first.width) > float(first.height)  # landscape, from the print stylesheet
    # NFKC: the PDF's ligatures (an "fi" glyph) back to letters
    text = unicodedata.normalize("NFKC", " ".join(" ".join(p.extract_text().split()) for p in reader.pages))
    start = text.index("Results At point values")
    results = text[start : text.index("By stakeholder", start)]
    # the last three column headers and the last column's values (shares) survive printing; text
    # clipped at the page edge is not painted, so it would be missing from the PDF
    for header in ("impact", "first year", "present", "share of"):
        assert header in results
    assert re.search(r"57\.\d% .*41\.\d%", results)  # shares of the two largest outcomes
