"""Deprecated location of the HTML report; use :mod:`sroi.report` (``Report.to_html``)."""

import warnings

from sroi.report import SECTIONS, render_html, write_html

__all__ = ["SECTIONS", "render_html", "write_html"]

warnings.warn(
    "sroi.html_report is deprecated and will be removed in sroi 0.3: use sroi.report "
    "(Report.to_html, render_html, write_html)",
    DeprecationWarning,
    stacklevel=2,
)
