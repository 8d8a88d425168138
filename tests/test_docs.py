"""Every citation of the method document points at a section that exists (docs/method.md)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
METHOD = ROOT / "docs" / "method.md"
CITE = re.compile(r"method\.md[`'\"]?,?\s*§\s*(\d+(?:\.\d+)?)")
HEADING = re.compile(r"^#{2,3}\s+(\d+(?:\.\d+)?)\.?\s", re.MULTILINE)


def _sections() -> set[str]:
    return set(HEADING.findall(METHOD.read_text(encoding="utf-8")))


def _files() -> list[Path]:
    out: list[Path] = []
    for folder, patterns in (
        ("sroi", ("*.py",)),
        ("tests", ("*.py",)),
        ("notebooks", ("*.ipynb",)),
        ("benchmarks", ("*.py",)),
        ("scripts", ("*.py",)),
        ("datasets", ("*.md", "*.yaml", "*.csv")),
        ("docs", ("*.md",)),
    ):
        for pattern in patterns:
            out.extend(sorted((ROOT / folder).rglob(pattern)))
    out.extend(p for p in (ROOT / "README.md", ROOT / "CHANGELOG.md") if p.exists())
    return out


def test_method_has_numbered_sections():
    sections = _sections()
    assert {"1", "2.1", "3.1", "5.3", "10.2", "11", "12"} <= sections


@pytest.mark.parametrize("path", _files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_citations_point_to_existing_sections(path):
    sections = _sections()
    text = path.read_text(encoding="utf-8", errors="replace")
    cited = set(CITE.findall(text))
    missing = sorted(cited - sections)
    assert not missing, (
        f"{path.relative_to(ROOT)} cites docs/method.md §{', §'.join(missing)}, which do not exist"
    )


def _python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)


@pytest.mark.parametrize(
    "index", range(len(_python_blocks((ROOT / "README.md").read_text(encoding="utf-8"))))
)
def test_readme_python_blocks_run(index, tmp_path, monkeypatch):
    """Every Python example in the README runs as written (from the repository root)."""
    import warnings

    block = _python_blocks((ROOT / "README.md").read_text(encoding="utf-8"))[index]
    monkeypatch.chdir(ROOT)
    block = block.replace('"befriending.yaml"', repr(str(tmp_path / "befriending.yaml")))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the what-if's note about dropped correlations is expected
        exec(compile(block, f"README.md python block {index}", "exec"), {"__name__": "__readme__"})
