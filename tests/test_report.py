"""The HTML report: one self-contained file with every section and figure (issue #8)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

import sroi
from sroi.datasets import dataset_path
from sroi.report import SECTIONS, analyse, load_credit_scenarios


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.sections, self.images, self.figures, self.external = [], [], [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section":
            self.sections.append(a.get("id"))
        if tag == "figure":
            self.figures.append(a.get("id"))
        if tag == "img":
            self.images.append(a.get("src", ""))
        for key in ("src", "href"):
            value = a.get(key) or ""
            if value.startswith(("http:", "https:", "//")):
                self.external.append(value)


@pytest.fixture(scope="module")
def elderly_html(tmp_path_factory):
    analysis = sroi.load(dataset_path("elderly_mode", "elderly_mode.yaml"))
    scenarios = load_credit_scenarios(dataset_path("elderly_mode", "credit_scenarios.yaml"))
    report = analyse(analysis, n=2000, seed=3, credit_scenarios=scenarios)
    path = report.to_html(tmp_path_factory.mktemp("html") / "report.html")
    return path.read_text(encoding="utf-8")


def test_every_section_and_figure_is_present(elderly_html):
    parsed = _Collect()
    parsed.feed(elderly_html)
    assert parsed.sections == list(SECTIONS)
    assert set(parsed.figures) == {
        "figure-tornado",
        "figure-ratio_distribution",
        "figure-waterfall",
        "figure-by_stakeholder",
        "figure-cumulative",
    }
    assert len(parsed.images) == 5
    assert all(src.startswith("data:image/png;base64,") for src in parsed.images)


def test_self_contained_and_readable_on_a_phone(elderly_html):
    parsed = _Collect()
    parsed.feed(elderly_html)
    assert parsed.external == []  # no network access needed
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in elderly_html
    assert "@media print" in elderly_html


def test_credit_lines_and_illustrative_label(elderly_html):
    assert "As is: 0 CNY" in elderly_html
    assert "ILLUSTRATIVE, not a real contract" in elderly_html


def test_text_is_escaped(tmp_path):
    base = sroi.load(dataset_path("example", "digital_inclusion.yaml"))
    first = base.outcomes[0].replace(outcome="<script>alert(1)</script>")
    report = analyse(base.replace(outcomes=[first, *base.outcomes[1:]]), n=500, seed=1)
    text = report.to_html(tmp_path / "r.html").read_text()
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_result_to_html_is_the_point_result_only(tmp_path, monkeypatch):
    """Result.to_html writes the deterministic result; it never runs a hidden Monte Carlo."""
    from sroi import uncertainty

    result = sroi.load(dataset_path("example", "digital_inclusion.yaml")).evaluate()

    def refuse(*args, **kwargs):
        raise AssertionError("Result.to_html must not simulate")

    monkeypatch.setattr(uncertainty, "simulate", refuse)
    text = result.to_html(tmp_path / "r.html").read_text()
    assert f"{result.ratio:.2f} : 1" in text
    assert "monte-carlo" not in text and "Monte Carlo" not in text
