"""The package's structure: layers without cycles, a public interface between modules,
typed delegates, objects that pickle, and display code that shows the engine's numbers."""

from __future__ import annotations

import ast
import inspect
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import sroi
from sroi import global_sensitivity, monitoring, sensitivity, switching, tabular, uncertainty
from sroi.audit import audit as audit_function
from sroi.compiler import estimates_table

PACKAGE = Path(sroi.__file__).parent


def _modules() -> dict[str, Path]:
    mods = {}
    for f in PACKAGE.rglob("*.py"):
        parts = list(f.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        mods[".".join(parts)] = f
    return mods


def _type_checking_lines(tree: ast.AST) -> set[int]:
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for sub in node.body:
                skip.update(n.lineno for n in ast.walk(sub) if hasattr(n, "lineno"))
    return skip


def _imports(mods: dict[str, Path]) -> dict[str, list[tuple[str, list[str]]]]:
    """module -> [(imported sroi module, names imported from it)], function bodies included,
    ``if TYPE_CHECKING:`` blocks excluded."""

    def resolve(name: str) -> str | None:
        while name and name not in mods:
            name = name.rpartition(".")[0]
        return name or None

    out: dict[str, list[tuple[str, list[str]]]] = {}
    for m, f in mods.items():
        tree = ast.parse(f.read_text(encoding="utf-8"))
        skip = _type_checking_lines(tree)
        here = m if f.name == "__init__.py" else m.rpartition(".")[0]
        found = []
        for node in ast.walk(tree):
            if getattr(node, "lineno", None) in skip:
                continue
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.split(".")[0] == "sroi" and (r := resolve(a.name)):
                        found.append((r, []))
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = here.split(".")[: len(here.split(".")) - (node.level - 1)]
                    base = ".".join([*up, base] if base else up)
                if base.split(".")[0] != "sroi":
                    continue
                for a in node.names:
                    target = resolve(f"{base}.{a.name}")
                    if target == f"{base}.{a.name}":  # a submodule
                        found.append((target, []))
                    elif (r := resolve(base)) is not None:
                        found.append((r, [a.name]))
        out[m] = found
    return out


def test_no_import_cycles():
    """No module imports one that imports it back, directly or through others."""
    mods = _modules()
    edges = {
        m: {t for t, _ in imps if t != m and not (mods[m].name == "__init__.py" and t.startswith(m + "."))}
        for m, imps in _imports(mods).items()
    }
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(v: str) -> None:
        state[v] = 1
        stack.append(v)
        for w in edges[v]:
            if state.get(w) == 1:
                cycle = [*stack[stack.index(w) :], w]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if w not in state:
                visit(w)
        stack.pop()
        state[v] = 2

    for m in sorted(edges):
        if m not in state:
            visit(m)


def test_no_module_imports_a_private_name_of_another():
    bad = [
        f"{m} imports {name} from {target}"
        for m, imps in _imports(_modules()).items()
        for target, names in imps
        for name in names
        if name.startswith("_") and target != m
    ]
    assert not bad, bad


def test_no_module_is_far_over_800_lines():
    sizes = {m: len(f.read_text(encoding="utf-8").splitlines()) for m, f in _modules().items()}
    assert {m: n for m, n in sizes.items() if n > 850} == {}


# -- typed delegates ---------------------------------------------------------------------------
DELEGATES = [
    ("simulate", uncertainty.simulate),
    ("tornado", sensitivity.tornado),
    ("scenarios", sensitivity.scenarios),
    ("two_way", sensitivity.two_way),
    ("break_even", switching.break_even),
    ("sobol", global_sensitivity.sobol),
    ("estimates", estimates_table),
    ("to_frame", tabular.to_frame),
    ("evaluate", sroi.result.evaluate),
    ("evaluate_many", sroi.result.evaluate_many),
    ("audit", audit_function),
    ("monitor", monitoring.monitor),
    ("with_actuals", monitoring.with_actuals),
]


@pytest.mark.parametrize(("method", "function"), DELEGATES, ids=[d[0] for d in DELEGATES])
def test_delegate_signature_is_the_free_functions(method, function):
    """Analysis.<method> has the free function's signature minus its first parameter, and the
    same return annotation, so the two cannot drift apart."""
    m = inspect.signature(getattr(sroi.Analysis, method))
    f = inspect.signature(function)
    assert list(m.parameters.values())[1:] == list(f.parameters.values())[1:]
    assert m.return_annotation == f.return_annotation
    assert m.return_annotation not in (inspect.Signature.empty, "Any")


# -- identity and pickling -------------------------------------------------------------------
def _analysis(**kw):
    base = dict(
        name="Pickled",
        currency="GBP",
        price_year=2023,
        inputs=[sroi.Input("Funder", "Grant", "1000 GBP")],
        outcomes=[
            sroi.Outcome(
                "Carers",
                "Respite",
                quantity=sroi.Uniform(8, 12, unit="person"),
                proxy="300 CNY/person",
                proxy_price_year=2019,
                duration=3,
                deadweight=sroi.Ref("dw"),
            )
        ],
        parameters={"dw": sroi.Pert(0.1, 0.2, 0.4)},
    )
    base.update(kw)
    return sroi.Analysis(**base)


def test_equality_and_hash_include_the_rates():
    a = _analysis()
    b = _analysis()
    assert a == b and hash(a) == hash(b)
    other = sroi.Rates.default().with_rate("CNY", "GBP", 2023, 0.1, source="made up for a test")
    c = a.replace(rates=other)
    assert c != a
    assert len({a, b, c}) == 2


def test_pickle_round_trip_in_process():
    a = _analysis()
    assert pickle.loads(pickle.dumps(a)) == a
    r = a.evaluate()
    r2 = pickle.loads(pickle.dumps(r))
    assert r2.ratio == r.ratio


_WRITE = """
import pickle, sys, sroi
sroi.define_count_unit("patient")
a = sroi.Analysis("Custom units", "GBP", inputs=[sroi.Input("Funder", "Grant", "1000 GBP")],
    outcomes=[sroi.Outcome("Patients", "Better", quantity="10 patient", proxy="200 GBP/patient",
                           deadweight=sroi.Uniform(0.1, 0.3), cash_tier="A")])
sim = a.simulate(500, seed=3)
line = sroi.credit_line(sim)
objs = dict(analysis=a, result=a.evaluate(), simulation=sim, line=line)
numbers = dict(ratio=a.evaluate().ratio, median=float(sim.summary().loc["ratio", "p50"]), line=line.value)
with open(sys.argv[1], "wb") as f:
    pickle.dump((objs, numbers, sroi.dumps(a)), f)
"""

_READ = """
import pickle, sys
import sroi
with open(sys.argv[1], "rb") as f:
    objs, numbers, text = pickle.load(f)
a = objs["analysis"]
assert a == sroi.loads(text), "unpickled analysis differs"
assert a.evaluate().ratio == numbers["ratio"]
assert objs["result"].ratio == numbers["ratio"]
assert float(objs["simulation"].summary().loc["ratio", "p50"]) == numbers["median"]
assert objs["line"].value == numbers["line"]
assert a.simulate(500, seed=3).ratio.tolist() == objs["simulation"].ratio.tolist()
print("ok")
"""


def test_pickle_round_trip_in_a_fresh_process(tmp_path):
    """Analysis, Result, Simulation and CreditLine unpickle equal in another process, even with a
    count unit the other process has never defined (multiprocessing, joblib, Dask)."""
    path = tmp_path / "objects.pkl"
    for code in (_WRITE, _READ):
        done = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(code), str(path)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"


# -- display code only formats ----------------------------------------------------------------
def test_displayed_durations_are_the_engines_whole_years():
    """A duration drawn from 2-3 years has point value 2.5, which the engine counts as 3 years
    (halves round up); every table shows 3, not Python's round(2.5) = 2."""
    a = sroi.Analysis(
        "Durations",
        "GBP",
        inputs=[sroi.Input("Funder", "Grant", "1000 GBP")],
        outcomes=[
            sroi.Outcome(
                "People",
                "Better",
                quantity="10 person",
                proxy="100 GBP/person",
                duration=sroi.Uniform(2, 3),
                drop_off=0.1,
            )
        ],
    )
    engine_years = int(a.compiled.arrays().duration[0, 0])
    assert engine_years == 3
    assert a.evaluate().by_outcome.loc[0, "duration"] == engine_years
    be = a.break_even().set_index("parameter")
    assert be.loc["duration", "base"] == engine_years
    t = a.tornado()
    row = t.set_index("key").loc["outcomes[0].duration"]
    for value in (row["low_value"], row["high_value"]):
        expected = a.compiled.arrays({"outcomes[0].duration": value}).duration[0, 0]
        assert value == expected


def test_displayed_proxy_is_the_engines_per_year_value_in_the_analysis_currency(tmp_path):
    """A proxy of 10 GBP per person per month is 120 GBP per person per year: the value map and
    the workbook's value column show what the engine multiplies by, not the raw 10."""
    import openpyxl

    a = sroi.Analysis(
        "Monthly proxy",
        "GBP",
        inputs=[sroi.Input("Funder", "Grant", "1000 GBP")],
        outcomes=[sroi.Outcome("People", "Better", quantity="10 person", proxy="10 GBP/person/month")],
        discount_timing="none",
    )
    engine_proxy = float(a.compiled.arrays().proxy[0, 0])
    assert engine_proxy == pytest.approx(120.0, rel=1e-12)
    row = a.evaluate().by_outcome.iloc[0]
    assert row["proxy"] == engine_proxy
    assert row["quantity"] * row["proxy"] == pytest.approx(row["impact"], rel=1e-12)
    path = sroi.write_value_map_xlsx(a, tmp_path / "vm.xlsx")
    ws = openpyxl.load_workbook(path)["Value Map"]
    header = next(r for r in ws.iter_rows() if any(c.value == "Stakeholder" for c in r))
    col = next(c.column for c in header if str(c.value).startswith("Value ("))
    assert ws.cell(row=header[0].row + 1, column=col).value == pytest.approx(engine_proxy, rel=1e-12)


def test_per_year_table_is_the_engines_per_period_output():
    a = _analysis()
    r = a.evaluate()
    periods = a.compiled.by_period()
    assert np.allclose(
        r.per_year["present_value"].to_numpy()[1:], periods.present_values[:, :, 0].sum(axis=1)
    )
    assert r.per_year["present_value"].sum() == pytest.approx(r.present_value.magnitude, rel=1e-12)
    assert r.per_year["inputs_present_value"].sum() == pytest.approx(r.total_inputs.magnitude, rel=1e-12)
