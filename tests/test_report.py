"""The HTML report: one self-contained file with every section and figure (issue #8), written for a
finance reader (issue #17): numbers and words, not model syntax or code names."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import sroi
from sroi import defaults
from sroi.datasets import dataset_path
from sroi.indicators import load_indicators
from sroi.monitoring import monitor
from sroi.readable import assumption_labels, describe_estimate, significant
from sroi.report import SECTIONS, analyse, load_credit_scenarios


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.sections, self.images, self.figures, self.external, self.nav = [], [], [], [], []
        self._in_nav = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "nav":
            self._in_nav = True
        if tag == "a" and self._in_nav:
            self.nav.append((a.get("href") or "").lstrip("#"))
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

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_nav = False


class _Text(HTMLParser):
    """The text a reader sees, by section (no style, no script, no attribute values)."""

    def __init__(self):
        super().__init__()
        self.by_section: dict[str, list[str]] = {}
        self._section = "head"
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self._skip += 1
        if tag == "section":
            self._section = dict(attrs).get("id") or ""

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.by_section.setdefault(self._section, []).append(data)

    def text(self, section: str | None = None) -> str:
        parts = (
            self.by_section.get(section, []) if section else [p for v in self.by_section.values() for p in v]
        )
        return " ".join(" ".join(parts).split())


def _text(page: str) -> _Text:
    parsed = _Text()
    parsed.feed(page)
    return parsed


@pytest.fixture(scope="module")
def elderly_report():
    analysis = sroi.load(dataset_path("elderly_mode", "elderly_mode.yaml"))
    scenarios = load_credit_scenarios(dataset_path("elderly_mode", "credit_scenarios.yaml"))
    indicators = load_indicators(dataset_path("elderly_mode", "indicators.yaml"), analysis)
    actuals = dataset_path("elderly_mode", "SYNTHETIC_elderly_mode_monitoring.csv")
    monitoring = monitor(analysis, actuals, indicators, n=2000, seed=1)
    return analyse(
        analysis, n=2000, seed=3, credit_scenarios=scenarios, indicators=indicators, monitoring=monitoring
    )


@pytest.fixture(scope="module")
def elderly_html(elderly_report, tmp_path_factory):
    path = elderly_report.to_html(tmp_path_factory.mktemp("html") / "report.html")
    return path.read_text(encoding="utf-8")


def test_every_section_and_figure_is_present(elderly_html):
    parsed = _Collect()
    parsed.feed(elderly_html)
    assert parsed.sections == list(SECTIONS)
    assert parsed.nav == list(SECTIONS)
    assert set(parsed.figures) == {
        "figure-tornado",
        "figure-ratio_distribution",
        "figure-waterfall",
        "figure-by_stakeholder",
        "figure-cumulative",
        "figure-indicators",  # forecast against actual, from the monitoring data
    }
    assert len(parsed.images) == 6
    assert all(src.startswith("data:image/png;base64,") for src in parsed.images)


def test_self_contained_and_readable_on_a_phone(elderly_html):
    parsed = _Collect()
    parsed.feed(elderly_html)
    assert parsed.external == []  # no network access needed
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in elderly_html
    assert (
        '<style media="print" id="print-css">' in elderly_html
        and "@page { size: A4 landscape" in elderly_html
    )


def test_credit_lines_and_illustrative_label(elderly_html):
    assert "As is: no credit line" in elderly_html
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


# -- for a finance reader (#17) ------------------------------------------------------------------
def test_sections_without_indicators_are_left_out_of_the_page_and_the_nav(tmp_path):
    report = analyse(sroi.load(dataset_path("example", "digital_inclusion.yaml")), n=500, seed=1)
    page = report.to_html(tmp_path / "r.html").read_text()
    parsed = _Collect()
    parsed.feed(page)
    expected = [s for s in SECTIONS if s != "indicators-and-disclosure"]
    assert parsed.sections == expected and parsed.nav == expected
    # nothing is uncertain in this model: no interval, no probability, no histogram of one value
    text = _text(page)
    assert "No uncertainty is specified" in text.text("summary") and "interval of" not in text.text("summary")
    assert "No uncertainty specified" in text.text("monte-carlo") and "P10" not in text.text("monte-carlo")
    assert "figure-ratio_distribution" not in page


#: Model-file syntax and code names a finance reader must not meet in the report's own text.
_SYNTAX = ("{param", "{distribution", "distribution:", "{ref", "Pert(", "LogNormal(", "gsd", "median:")
_CODE = (
    "cash_flow_sources",
    "source.",
    "sroi.report",
    "CreditScenario",
    "load_indicators",
    "outcomes[",
    "inputs[",
    "()",
    "P90 binding",
    "binding_case",
    "dscr_p50",
    "allow_dscr_below_one",
    "percentile_basis",
    "year_by_year",
    "present_value",
    "quantity_unit",
    "proxy_unit",
    "switching_value",
    "relative_change",
    "ratio_low",
    "low_value",
    "interval_low",
    "forecast_p50",
    "posterior_p50",
)


def _own_text(report, page: str) -> str:
    """The page's text less what the model's author wrote (names, descriptions, source texts),
    which the report quotes verbatim."""
    text = _text(page).text()
    a = report.analysis
    quoted = [a.name, a.description, *(sc.description for sc in report.scenarios)]
    for o in a.outcomes:
        quoted += [o.source, o.proxy_source, o.indicator]
    quoted += [i.source for i in a.inputs]
    if report.indicators is not None:
        t = report.indicators.table()
        quoted += [*t["source"], *t["name"], *t["owner"]]
    for q in sorted((" ".join(str(x).split()) for x in quoted if x), key=len, reverse=True):
        text = text.replace(q, " ")
    return text


def test_no_model_syntax_or_code_names_in_the_text(elderly_report, elderly_html):
    text = _own_text(elderly_report, elderly_html)
    found = [s for s in (*_SYNTAX, *_CODE) if s in text]
    assert found == []
    assert not re.search(r"\d\.\d{7,}", text)  # no 15-digit parameters: numbers to a reader's precision
    assert not re.search(r"\d[eE][+-]\d\d", text)  # no scientific notation


def test_value_map_shows_values_intervals_and_labels(elderly_report, elderly_html):
    value_map = _text(elderly_html).text("value-map")
    slot = elderly_report.analysis.compiled.slots["older_users_per_device"]
    lo, hi = (slot.distribution.quantile(q) for q in (0.10, 0.90))  # the 80% interval, P10 to P90
    shown = f"older users per device: {significant(slot.base)} person/device ({significant(lo)}\u2013{significant(hi)})"
    assert shown == "older users per device: 0.13 person/device (0.095\u20130.17)"
    assert shown in value_map
    assert "newly independent share: 15% (9.7\u201322%)" in value_map
    assert "quantity: A1-A4; value: A5" in value_map  # the assumption labels of the sources
    assert "(independent_use)" in value_map


def test_describe_estimate_uses_the_library_interval_level():
    a = sroi.Analysis(
        "t",
        "GBP",
        [
            sroi.Outcome(
                "Carers",
                "Respite",
                quantity="5 person",
                proxy="200 GBP/person",
                deadweight=sroi.Uniform(0.1, 0.3),
            )
        ],
        [sroi.Input("Funder", "Grant", "100 GBP")],
    )
    slot = a.compiled.slots["outcomes[0].deadweight"]
    lo = (1 - defaults.INTERVAL_LEVEL) / 2  # uniform: the interval is linear in the level
    expected_lo, expected_hi = 0.1 + 0.2 * lo, 0.3 - 0.2 * lo
    assert describe_estimate(slot, percent=True) == (
        f"20% ({significant(100 * expected_lo)}\u2013{significant(100 * expected_hi)}%)"
    )
    assert describe_estimate(a.compiled.slots["outcomes[0].quantity"]) == "5 person"  # fixed: no brackets


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.0, "0"),
        (0.1447, "0.14"),
        (17.085, "17"),
        (532.04, "532"),
        (29_667_828.15, "29,700,000"),
        (-7000, "-7,000"),
    ],
)
def test_significant(value, text):
    assert significant(value) == text


def test_assumption_labels_are_collected_and_runs_joined():
    assert assumption_labels("x (A1) x (A2) x (A3) x (A6); A14-A22") == "A1-A3, A6, A14-A22"
    assert assumption_labels("NBS 2023 wage") == ""


def test_headline_leads_with_the_median_interval_and_probability(elderly_report, elderly_html):
    s, r = elderly_report.simulation, elderly_report.result
    summary = _text(elderly_html).text("summary")
    median = f"{float(np.median(s.ratio)):.2f} : 1"
    lo, hi = s.interval(defaults.INTERVAL_LEVEL)
    assert summary.index(median) < summary.index("interval") < summary.index(f"{lo:.2f} to {hi:.2f}")
    assert f"exceeds 1 : 1 is {s.probability_ratio_exceeds(1.0):.0%}" in summary
    # the point value comes after the Monte Carlo figures, labelled as such
    assert summary.index(median) < summary.index(
        f"At the point value of every estimate it is {r.ratio:.2f} : 1"
    )


def test_a_zero_credit_line_is_explained_in_words(elderly_report, elderly_html):
    as_is = elderly_html[elderly_html.index("As is: no credit line") :]
    as_is = as_is[: as_is.index("<h3>", 10)]
    text = " ".join(re.sub(r"<[^>]+>", " ", as_is).split())
    assert "No line. No loan can be sized: none of the value is cash that someone is bound to pay" in text
    assert "What would change this" in text
    assert "Debt schedule" not in text and "0.00" not in text  # no table of zeros


def test_break_even_shows_outcome_ids_and_words(elderly_report, elderly_html):
    section = _text(elderly_html).text("break-even")
    assert "independent_use" in section and "outcomes[" not in section
    assert "every outcome using it" in section and "older users per device" in section
    assert "older_users_per_device" not in section


def test_audit_section_lists_every_check(elderly_report, elderly_html):
    audit = elderly_report.audit
    section = elderly_html[elderly_html.index('<section id="audit">') :]
    section = section[: section.index("</section>")]
    assert section.count("<tr>") == len(audit.table) + 1  # the header row and one per check
    c = audit.counts()
    assert f"{c['fail']} check(s) fail, {c['warn']} ask for a justification, {c['pass']} pass" in section
    statuses = re.findall(r'<td class="(pass|warn|fail)">', section)
    assert statuses == sorted(statuses, key=("fail", "warn", "pass").index)  # failures first


def test_switching_value_of_a_zero_value_outcome_is_explained_truthfully():
    a = sroi.Analysis(
        "t",
        "GBP",
        [
            sroi.Outcome("Carers", "Respite", quantity="10 person", proxy="50 GBP/person", duration=3),
            sroi.Outcome(
                "Carers", "Nothing yet", quantity="0 person", proxy="50 GBP/person", duration=3, drop_off=0.2
            ),
        ],
        [sroi.Input("Funder", "Grant", "100 GBP")],
    )
    be = a.break_even().set_index(["outcome", "parameter"]).loc["Carers: Nothing yet"]
    for parameter in ("quantity", "drop_off", "duration"):
        why = be.loc[parameter, "explanation"]
        assert why.startswith("This outcome adds no present value at the point values of its estimates")
        assert "drop-off starts" not in why


def test_indicator_section_shows_monitoring_in_words(elderly_html):
    section = _text(elderly_html).text("indicators-and-disclosure")
    for heading in ("Forecast against actual", "Estimates updated by the monitoring data", "Evaluative SROI"):
        assert heading in section
    assert "in use in china share" in section and "in_use_in_china_share" not in section
    assert "figure-indicators" in elderly_html


@given(
    st.floats(min_value=1e-6, max_value=1e12, allow_nan=False) | st.floats(min_value=-1e12, max_value=-1e-6)
)
def test_significant_reads_back_close(x):
    """Two significant figures below 100 (a relative error of at most 5%), three from 100 (0.5%)."""
    back = float(significant(x).replace(",", ""))
    assert back == pytest.approx(x, rel=0.05 if abs(x) < 100 else 0.005)
