"""Hostile input (issue #20): nothing hangs, nothing leaks, nothing is quietly altered.

Every attack runs in a forked child process guarded by a timeout (:func:`guarded`), so that a
regression fails the test instead of hanging CI (a hang inside C code, such as pint's integer
power or a regular expression, cannot be interrupted by a signal). An attack that used to hang
must also finish in under a second, measured inside the child (:data:`HANG_SECONDS`).

The cases are those of the issue, then our own, grouped as the issue groups them: hangs,
leaks and unsafe file access, silent changes, crashes, CSV injection in the command line's
outputs, and the command line itself.
"""

from __future__ import annotations

import contextlib
import csv
import io
import multiprocessing
import os
import pickle
import subprocess
import sys
import threading
import time
import traceback
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

import sroi
from sroi.datasets import dataset_path
from sroi.exceptions import SROIError
from sroi.finance import load_credit_scenarios

#: An attack that used to hang must be refused within this many seconds (measured in the child).
HANG_SECONDS = 1.0
#: A child that has not answered after this many seconds is killed and the test fails.
KILL_SECONDS = 20.0


# -- the guard -----------------------------------------------------------------------------------
@dataclass
class Outcome:
    """What an attack did: returned a value, or raised (an SROIError or something else)."""

    raised: str | None  # the exception's type name, None when the call returned
    sroi_error: bool
    message: str
    seconds: float
    value: Any = None  # what the call returned (when it pickles)

    def refused(self, match: str | None = None, *, within: float | None = None) -> str:
        """Assert the attack was refused with an SROIError (whose message matches ``match``)."""
        assert self.raised is not None, f"accepted, returned {self.value!r:.300}"
        assert self.sroi_error, f"raised {self.raised} instead of SROIError: {self.message}"
        if match is not None:
            import re

            assert re.search(match, self.message), f"message {self.message!r} does not match {match!r}"
        if within is not None:
            assert self.seconds < within, f"took {self.seconds:.2f} s (at most {within} s)"
        return self.message


def _child(send: Any, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    start = time.perf_counter()
    try:
        value = fn(*args)
        try:
            pickle.dumps(value)
        except Exception:  # returned something that cannot cross the pipe: show it
            value = repr(value)[:500]
        out = Outcome(None, False, "", 0.0, value)
    except SROIError as exc:
        out = Outcome(type(exc).__name__, True, str(exc), 0.0)
    except BaseException as exc:  # the property under test: anything else is reported, not raised
        out = Outcome(type(exc).__name__, False, f"{exc}\n{traceback.format_exc()[-3000:]}", 0.0)
    out.seconds = time.perf_counter() - start
    send.send(out)


def _forked(send: Any, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        _child(send, fn, args)
    finally:
        os._exit(0)  # never run the parent's exit handlers (pytest's) in the child


def guarded(fn: Callable[..., Any], *args: Any, timeout: float = KILL_SECONDS) -> Outcome:
    """Run ``fn(*args)`` in a forked child; kill it and fail the test after ``timeout`` seconds."""
    if "fork" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("fork")
        recv, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_forked, args=(send, fn, args), daemon=True)
        with warnings.catch_warnings():  # Python >= 3.12 warns about fork() beside live threads
            warnings.simplefilter("ignore", DeprecationWarning)
            proc.start()
        send.close()
        try:
            if not recv.poll(timeout):
                proc.kill()
                pytest.fail(f"no answer within {timeout} s: the attack hangs")
            try:
                return recv.recv()
            except EOFError:
                pytest.fail(f"the child process died (exit code {proc.exitcode})")
        finally:
            proc.join(5)
            recv.close()
    # No fork (Windows): a daemon thread; a hang fails the test (the thread is left behind).
    box: list[Outcome] = []

    class _Send:
        def send(self, out: Outcome) -> None:
            box.append(out)

    thread = threading.Thread(target=_child, args=(_Send(), fn, args), daemon=True)
    thread.start()
    thread.join(timeout)
    if not box:
        pytest.fail(f"no answer within {timeout} s: the attack hangs")
    return box[0]


def cli(*argv: str) -> tuple[int, str, str]:
    """Run ``sroi.cli.main`` in this process, capturing its output: (exit code, stdout, stderr)."""
    from sroi.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def guarded_cli(*argv: str) -> tuple[int, str, str]:
    """:func:`cli` in a forked child guarded by a timeout."""
    out = guarded(cli, *argv)
    assert out.raised is None, f"main() raised {out.raised}: {out.message}"
    return out.value


def no_traceback(result: tuple[int, str, str]) -> str:
    code, _, err = result
    assert code == 1, f"exit code {code}: {err}"
    assert "Traceback" not in err and 'File "' not in err, err
    assert err.startswith("error: "), err
    return err


# -- documents -------------------------------------------------------------------------------------
def model_text(
    quantity: str = "10 person", proxy: str = "500 GBP/person", deadweight: str = "0.2", head: str = ""
) -> str:
    return f"""sroi: 1
name: Attack
currency: GBP
{head}inputs:
  - {{stakeholder: Funder, description: Grant, value: 1000 GBP}}
outcomes:
  - stakeholder: Older people
    outcome: Less isolated
    quantity: {quantity}
    proxy: {proxy}
    deadweight: {deadweight}
"""


def bomb_lines(levels: int = 9, width: int = 9, prefix: str = "") -> tuple[list[str], str]:
    """A "billion laughs": each anchor lists the previous one ``width`` times (9**9 once expanded)."""
    lines = [f"{prefix}lol0: &lol0 [{', '.join(['lol'] * width)}]"]
    for i in range(1, levels):
        lines.append(f"{prefix}lol{i}: &lol{i} [{', '.join([f'*lol{i - 1}'] * width)}]")
    return lines, f"lol{levels - 1}"


def flow_bomb(levels: int = 9, width: int = 9) -> str:
    """The bomb as one flow mapping, as it would be typed in a table cell."""
    items = [f"a0: &a0 [{', '.join(['lol'] * width)}]"]
    for i in range(1, levels):
        items.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]")
    return "{distribution: uniform, " + ", ".join(items) + ", low: 0.1, high: 0.2}"


def write_model(folder: Path, text: str, name: str = "model.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


EXAMPLE = dataset_path("example", "digital_inclusion.yaml")


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The worked example as a Value Map workbook written by sroi (visible sheets + hidden model)."""
    folder = tmp_path_factory.mktemp("wb")
    return sroi.write_value_map_xlsx(sroi.load(EXAMPLE), folder / "value_map.xlsx")


def first_deadweight_cell(path: Path) -> str:
    """Address of the first outcome's deadweight in a written Value Map (found by its header)."""
    import openpyxl

    ws = openpyxl.load_workbook(path)["Value Map"]
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == "Deadweight":
                return f"{cell.column_letter}{cell.row + 1}"
    raise AssertionError("no Deadweight header")


def edited_workbook(src: Path, dst: Path, edit: Callable[[Any], None]) -> Path:
    wb = openpyxl.load_workbook(src)
    edit(wb)
    wb.save(dst)
    return dst


def model_sheet_edit(old: str, new: str) -> Callable[[Any], None]:
    def edit(wb: Any) -> None:
        for row in wb[sroi.io.MODEL_SHEET].iter_rows():
            cell = row[0]
            if isinstance(cell.value, str) and old in cell.value:
                cell.value = cell.value.replace(old, new, 1)
                return
        raise AssertionError(f"{old!r} not in the model sheet")

    return edit


# == Hangs ========================================================================================
def test_alias_bomb_in_parameters(tmp_path):
    lines, _ = bomb_lines(prefix="  ")
    text = model_text(head="parameters:\n" + "\n".join(lines) + "\n")
    path = write_model(tmp_path, text)
    guarded(sroi.load, path).refused(r"expands to more than [\d,]+ values", within=HANG_SECONDS)


def test_alias_bomb_echoed_by_an_error_message(tmp_path):
    # the bomb sits where a number is expected: the error message used to echo the expansion
    lines, last = bomb_lines()
    text = "\n".join(lines) + "\n" + model_text(deadweight=f"*{last}")
    guarded(sroi.loads, text).refused("expands to more than", within=HANG_SECONDS)


def test_alias_bomb_in_a_value_map_csv_cell(tmp_path):
    frame = sroi.io.to_frame(sroi.load(EXAMPLE)).astype(object)
    frame.loc[0, "deadweight"] = flow_bomb()
    path = tmp_path / "vm.csv"
    frame.to_csv(path, index=False)
    guarded(sroi.io.read_value_map, path).refused("expands to more than", within=HANG_SECONDS)


def test_alias_bomb_in_a_workbook_cell(workbook, tmp_path):
    def edit(wb: Any) -> None:
        del wb[sroi.io.MODEL_SHEET]
        wb["Value Map"][first_deadweight_cell(workbook)] = flow_bomb()  # deadweight of the first outcome

    path = edited_workbook(workbook, tmp_path / "cell_bomb.xlsx", edit)
    guarded(sroi.read_value_map_xlsx, path).refused("expands to more than", within=HANG_SECONDS)


def test_alias_bomb_in_the_workbook_model_sheet(workbook, tmp_path):
    lines, _ = bomb_lines()

    def edit(wb: Any) -> None:
        ws = wb[sroi.io.MODEL_SHEET]
        start = ws.max_row + 1
        for i, line in enumerate(lines):
            ws.cell(start + i, 1).value = line

    path = edited_workbook(workbook, tmp_path / "model_bomb.xlsx", edit)
    guarded(sroi.read_value_map_xlsx, path).refused("expands to more than", within=HANG_SECONDS)


def test_alias_bomb_in_credit_scenarios(tmp_path):
    lines, last = bomb_lines()
    path = write_model(tmp_path, "\n".join(lines) + f"\nscenarios: *{last}\n", "scenarios.yaml")
    guarded(load_credit_scenarios, path).refused("expands to more than", within=HANG_SECONDS)


def test_alias_bomb_in_a_stored_estimates_file(tmp_path):
    lines, last = bomb_lines()
    write_model(tmp_path, "\n".join(lines) + f"\nparameters: {{x: *{last}}}\n", "estimates.yaml")
    path = write_model(tmp_path, model_text(head="parameters_from: estimates.yaml\n"))
    out = guarded(sroi.load, path).refused(r"parameters_from\[0\]", within=HANG_SECONDS)
    assert "lol" not in out


def test_recursive_alias_is_refused():
    guarded(sroi.io.parse_yaml, "a: &a [1, *a]").refused("recursive", within=HANG_SECONDS)


def test_a_few_aliases_are_still_read():
    text = "a: &x {distribution: uniform, low: 0.1, high: 0.3}\nb: *x\n"
    assert sroi.io.parse_yaml(text)["b"] == {"distribution": "uniform", "low": 0.1, "high": 0.3}


@pytest.mark.parametrize(
    "proxy",
    [
        "5 GBP/person" + " " * 200_000 + "x",  # quadratic backtracking of the old number regex
        "5 " + "GBP*" * 50_000 + "GBP",
        "5 person**9**9**9",  # pint computed 9**(9**9) as a Python integer
        "5 person**99999999",
        "5 " + "(" * 5_000 + "person" + ")" * 5_000,
    ],
    ids=["spaces", "long-product", "power-tower", "huge-exponent", "deep-parentheses"],
)
def test_long_or_pathological_unit_strings(proxy):
    from sroi.units import parse_quantity

    guarded(parse_quantity, proxy, "outcomes[0].proxy").refused("outcomes\\[0\\].proxy", within=HANG_SECONDS)


def test_long_unit_string_in_a_model_file():
    text = model_text(proxy="'5 GBP/person" + " " * 200_000 + "x'")
    guarded(sroi.loads, text).refused("outcomes\\[0\\].proxy", within=HANG_SECONDS)


def test_enormous_per_year_quantity_list():
    text = model_text(quantity="[" + ", ".join(["10 person"] * 2_000_000) + "]")
    guarded(sroi.loads, text).refused("more than 10,000 items", within=HANG_SECONDS)


def test_enormous_mapping_and_deep_nesting():
    wide = "{" + ", ".join(f"k{i}: 1" for i in range(200_000)) + "}"
    guarded(sroi.io.parse_yaml, wide).refused("more than 10,000 entries", within=HANG_SECONDS)
    deep = "a: " + "[" * 100_000 + "]" * 100_000
    guarded(sroi.io.parse_yaml, deep).refused(within=HANG_SECONDS)


def test_large_scalar_repeated_by_aliases():
    text = "a: &a '" + "x" * 1_000_000 + "'\nb: [" + ", ".join(["*a"] * 100) + "]"
    guarded(sroi.io.parse_yaml, text).refused("characters of text", within=HANG_SECONDS)


def test_value_map_csv_with_too_many_rows(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text("stakeholder,outcome,quantity,proxy\n" + "s,o,1 person,1 GBP/person\n" * 20_000)
    guarded(sroi.io.read_value_map, path).refused("rows", within=HANG_SECONDS)


def test_value_map_csv_with_too_much_yaml(tmp_path):
    cell = '"{distribution: discrete, values: [' + ", ".join(["0.1"] * 3_000) + ']}"'
    rows = "".join(f"s,o,1 person,1 GBP/person,{cell}\n" for _ in range(200))
    path = tmp_path / "yaml.csv"
    path.write_text("stakeholder,outcome,quantity,proxy,deadweight\n" + rows)
    guarded(sroi.io.read_value_map, path).refused("characters of YAML", within=HANG_SECONDS)


# == Leaks and unsafe file access ===================================================================
SECRET = "sk-live-0123456789-do-not-print"


@pytest.fixture
def secret_outside(tmp_path: Path) -> Path:
    """A file of 'estimates' outside the model's folder, holding a secret."""
    return write_model(tmp_path, f"parameters:\n  api_token: {SECRET}\n", "secrets.yaml")


def test_parameters_from_outside_the_model_folder_is_refused(tmp_path, secret_outside):
    path = write_model(tmp_path / "model", model_text(head="parameters_from: ../secrets.yaml\n"))
    msg = guarded(sroi.load, path).refused(r"parameters_from\[0\]: .* outside the model file's folder")
    assert SECRET not in msg


def test_parameters_from_absolute_path_is_refused(tmp_path, secret_outside):
    path = write_model(tmp_path / "model", model_text(head=f"parameters_from: {secret_outside}\n"))
    assert SECRET not in guarded(sroi.load, path).refused("outside the model file's folder")


def test_parameters_from_symlink_out_of_the_folder_is_refused(tmp_path, secret_outside):
    folder = tmp_path / "model"
    path = write_model(folder, model_text(head="parameters_from: estimates.yaml\n"))
    (folder / "estimates.yaml").symlink_to(secret_outside)
    assert SECRET not in guarded(sroi.load, path).refused("outside the model file's folder")


def test_parameters_from_proc_self_mem():
    # allowed root "/" so that the refusal comes from the file itself, not from where it is
    text = model_text(head="parameters_from: /proc/self/mem\n")

    def attack(folder: str) -> Any:
        path = write_model(Path(folder), text)
        return sroi.load(path, root="/")

    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        guarded(attack, folder).refused(r"parameters_from\[0\]", within=HANG_SECONDS)


def test_parameters_from_never_echoes_the_other_files_content(tmp_path):
    write_model(tmp_path, f"parameters:\n  api_token: {SECRET}\n", "estimates.yaml")
    path = write_model(tmp_path, model_text(head="parameters_from: estimates.yaml\n"))
    msg = guarded(sroi.load, path).refused(r"parameters_from\[0\]: 'estimates.yaml' is not a valid file")
    assert SECRET not in msg


def test_parameters_from_a_pipe_does_not_block(tmp_path):
    folder = tmp_path / "model"
    path = write_model(folder, model_text(head="parameters_from: estimates.yaml\n"))
    os.mkfifo(folder / "estimates.yaml")
    guarded(sroi.load, path).refused("not a regular file", within=HANG_SECONDS)


def test_parameters_from_inside_an_explicit_root_is_read(tmp_path):
    from sroi.evidence import Estimate, save_estimates

    est = Estimate(0.4, 0.02, 0.36, 0.44, n=500, method="hand-made for the test", scale="share", name="dw")
    save_estimates({"dw": est}, tmp_path / "shared.yaml")
    text = model_text(deadweight="{param: dw}", head="parameters_from: ../shared.yaml\n")
    path = write_model(tmp_path / "model", text)
    with pytest.raises(SROIError, match="outside"):
        sroi.load(path)
    assert sroi.load(path, root=tmp_path).parameters["dw"].central() == pytest.approx(0.4)


@pytest.mark.parametrize("target", ["/proc/self/mem", "/dev/zero", "/dev/urandom", "/tmp", "fifo"])
def test_model_file_that_is_not_a_regular_file(tmp_path, target):
    if target == "fifo":
        target = str(tmp_path / "fifo.yaml")
        os.mkfifo(target)
    guarded(sroi.load, target).refused("model file: ", within=HANG_SECONDS)


def test_analysis_from_dict_refuses_parameters_from():
    doc = sroi.io.parse_yaml(model_text(head="parameters_from: x.yaml\n"))
    with pytest.raises(SROIError, match="parameters_from"):
        sroi.io.analysis_from_dict(doc)


# == Silent changes ==============================================================================
@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("proxy", "5 mGBP/person", "prefix 'milli' on GBP"),
        ("proxy", "5 kGBP/person", "prefix 'kilo' on GBP"),
        ("proxy", "5 GBP/kperson", "prefix 'kilo' on person"),
        ("quantity", "10 kperson", "prefix 'kilo' on person"),
        ("quantity", "10 Mvisit", "prefix 'mega' on visit"),
    ],
)
def test_si_prefixes_on_currencies_and_counts_are_refused(field, value, match):
    text = model_text(**{field: value})
    guarded(sroi.loads, text).refused(f"outcomes\\[0\\].{field}: .*{match}")


@pytest.mark.parametrize("value", ["'20%%'", "'20 % %'", "'20% percent'", "'%20'", "'20%5'"])
def test_malformed_percentages_are_refused(value):
    guarded(sroi.loads, model_text(deadweight=value)).refused(r"outcomes\[0\].deadweight")


def test_a_percentage_written_once_is_read():
    assert sroi.loads(model_text(deadweight="'20%'")).outcomes[0].deadweight == pytest.approx(0.2)


CELL_DUPLICATE = "{distribution: uniform, low: 0.1, low: 0.5, high: 0.9}"


def test_duplicate_keys_in_a_csv_cell(tmp_path):
    frame = sroi.io.to_frame(sroi.load(EXAMPLE)).astype(object)
    frame.loc[0, "deadweight"] = CELL_DUPLICATE
    path = tmp_path / "vm.csv"
    frame.to_csv(path, index=False)
    guarded(sroi.io.read_value_map, path).refused("'low' is given twice")
    guarded(sroi.io.read_value_map, frame).refused("'low' is given twice")


def test_duplicate_keys_in_a_workbook_cell(workbook, tmp_path):
    def edit(wb: Any) -> None:
        wb["Value Map"][first_deadweight_cell(workbook)] = CELL_DUPLICATE

    path = edited_workbook(workbook, tmp_path / "dup.xlsx", edit)
    where = first_deadweight_cell(workbook)
    guarded(sroi.read_value_map_xlsx, path).refused(rf"Value Map!{where}: .*'low' is given twice")


def test_duplicate_keys_in_the_workbook_model_sheet(workbook, tmp_path):
    def edit(wb: Any) -> None:
        for row in wb[sroi.io.MODEL_SHEET].iter_rows():
            cell = row[0]
            if isinstance(cell.value, str) and cell.value.strip() == "deadweight: 0.39":
                indent = cell.value[: len(cell.value) - len(cell.value.lstrip())]
                cell.value = f"{cell.value}\n{indent}deadweight: 0.1"
                return

    path = edited_workbook(workbook, tmp_path / "dup_model.xlsx", edit)
    guarded(sroi.read_value_map_xlsx, path).refused("sroi model: the key 'deadweight' is given twice")


def test_hidden_model_sheet_that_disagrees_with_the_visible_value_map(workbook, tmp_path):
    path = edited_workbook(
        workbook, tmp_path / "hidden.xlsx", model_sheet_edit("deadweight: 0.39", "deadweight: 0.1")
    )
    msg = guarded(sroi.read_value_map_xlsx, path).refused("disagrees with the visible sheets")
    assert (
        f"Value Map!{first_deadweight_cell(workbook)}" in msg
        and "outcomes[0].deadweight" in msg
        and "0.39" in msg
    )


def test_hidden_model_sheet_without_its_fingerprint_is_still_checked(workbook, tmp_path):
    def edit(wb: Any) -> None:
        model_sheet_edit("deadweight: 0.39", "deadweight: 0.1")(wb)
        for row in wb[sroi.io.MODEL_SHEET].iter_rows():
            if isinstance(row[0].value, str) and row[0].value.startswith("# visible-sheets"):
                row[0].value = None

    path = edited_workbook(workbook, tmp_path / "nofp.xlsx", edit)
    guarded(sroi.read_value_map_xlsx, path).refused("disagrees with the visible sheets")


def test_visible_edit_wins_over_the_hidden_sheet(workbook, tmp_path):
    def edit(wb: Any) -> None:
        wb["Value Map"][first_deadweight_cell(workbook)] = 0.9

    path = edited_workbook(workbook, tmp_path / "visible.xlsx", edit)
    assert sroi.read_value_map_xlsx(path).outcomes[0].deadweight == pytest.approx(0.9)


def test_untouched_workbook_reads_back_exactly(workbook):
    assert sroi.read_value_map_xlsx(workbook) == sroi.load(EXAMPLE)


def test_duplicate_credit_scenario_names(tmp_path):
    text = "scenarios:\n  - {name: Contract, changes: {}}\n  - {name: contract , changes: {}}\n"
    path = write_model(tmp_path, text, "scenarios.yaml")
    guarded(load_credit_scenarios, path).refused(r"scenarios\[1\].name: .*already the name")
    from sroi.finance import CreditScenario
    from sroi.report import analyse

    same = [CreditScenario("A"), CreditScenario("A")]
    with pytest.raises(SROIError, match="already the name"):
        analyse(sroi.load(EXAMPLE), n=100, credit_scenarios=same)


@pytest.mark.parametrize("value", ["'false'", "'no'", "'0'", "'off'", "'true'", "0", "1", "null", "[]"])
def test_illustrative_is_true_or_false_only(tmp_path, value):
    path = write_model(tmp_path, f"scenarios:\n  - {{name: A, illustrative: {value}}}\n", "s.yaml")
    guarded(load_credit_scenarios, path).refused(r"scenarios\[0\].illustrative: expected true or false")


@pytest.mark.parametrize(
    ("credit", "match"),
    [
        ("{allow_dscr_below_one: 'no'}", "allow_dscr_below_one: expected true or false"),
        ("{haircut: 'high'}", "haircut: expected a number"),
        ("{tenor: true}", "tenor: expected a number"),
        ("{contract: [1, 2]}", "contract: expected a mapping"),
    ],
)
def test_credit_options_of_the_wrong_type(tmp_path, credit, match):
    path = write_model(tmp_path, f"scenarios:\n  - {{name: A, credit: {credit}}}\n", "s.yaml")
    guarded(load_credit_scenarios, path).refused(rf"scenarios\[0\].credit.{match}")


def test_illustrative_booleans_are_read(tmp_path):
    path = write_model(
        tmp_path, "scenarios:\n  - {name: A, illustrative: false}\n  - {name: B, illustrative: true}\n"
    )
    assert [s.illustrative for s in load_credit_scenarios(path)] == [False, True]


def test_conversion_overflow_is_an_error():
    from sroi.money import convert

    msg = guarded(convert, "1e307 GBP", "KRW", 2019, 2023).refused("1e\\+307 GBP to KRW .* too large")
    assert " inf" not in msg


def test_cli_convert_refuses_an_infinite_result():
    err = no_traceback(cli("convert", "1e307", "--from", "GBP:2019", "--to", "KRW:2023"))
    assert "too large" in err


# == Crashes that must be clear errors =============================================================
def test_lone_surrogate_in_a_stakeholder_name():
    def attack() -> Any:
        return sroi.Outcome("Older \ud800people", "o", quantity="1 person", proxy="1 GBP/person")

    guarded(attack).refused(r"stakeholder: .*lone surrogate, U\+D800")


def test_lone_surrogate_in_a_model_file_and_a_table():
    guarded(sroi.loads, model_text().replace("Older people", '"Older \\ud800people"')).refused()
    frame = sroi.io.to_frame(sroi.load(EXAMPLE)).astype(object)
    frame.loc[0, "stakeholder"] = "Learners \udc80"
    guarded(sroi.io.read_value_map, frame).refused("lone surrogate")


def test_dollar_signs_in_labels_do_not_break_plots():
    import matplotlib.pyplot as plt

    from sroi.plot import plot_by_stakeholder, plot_tornado

    a = sroi.Analysis(
        "t",
        "GBP",
        outcomes=[
            sroi.Outcome("$x$", r"$\frac{$ a", quantity="5 person", proxy="200 GBP/person", deadweight=0.1)
        ],
        inputs=[sroi.Input("F", "G", "100 GBP")],
    )
    for plot in (plot_by_stakeholder, lambda x: plot_tornado(x, include="all")):
        ax = plot(a)
        ax.figure.canvas.draw()  # mathtext would be parsed (and fail) here
        assert any("$x$" in t.get_text().replace("\\$", "$") for t in ax.get_yticklabels())
        plt.close(ax.figure)


@pytest.mark.parametrize(
    "spec",
    [
        {"distribution": "lognormal", "median": 100, "gsd": 2, "low": 50, "high": 200},
        {"distribution": "lognormal", "median": 100, "high": 200},
        {"distribution": "lognormal", "gsd": 2, "low": 50},
    ],
)
def test_lognormal_with_mixed_parameters(spec):
    from sroi.distributions import distribution_from_dict

    guarded(distribution_from_dict, spec, "parameters.x").refused("parameters.x: lognormal takes either")


@pytest.mark.parametrize(
    "scenario",
    [
        "{name: A, changes: [1, 2]}",
        "{name: A, credit: [0.8]}",
        "{name: A, credit: {haircut: high}}",
        "{name: A, changes: {'outcomes[0]': [B]}}",
        "{name: A, changes: {'outcomes[0]': {contracted: 'yes'}}}",
        "{name: A, changes: {0: {cash_tier: B}}}",
        "{name: [A]}",
        "{name: '   '}",
        "{description: no name}",
        "just text",
    ],
)
def test_malformed_credit_scenarios(tmp_path, scenario):
    path = write_model(tmp_path, f"scenarios:\n  - {scenario}\n", "s.yaml")
    guarded(load_credit_scenarios, path).refused(r"scenarios\[0\]")


def test_apply_changes_with_a_malformed_change():
    from sroi.finance import apply_changes

    guarded(apply_changes, sroi.load(EXAMPLE), [1, 2]).refused("changes")
    guarded(apply_changes, sroi.load(EXAMPLE), {"outcomes[0]": "B"}).refused("changes")


def _zip_with_encryption_flag(src: Path, dst: Path) -> Path:
    data = bytearray(src.read_bytes())
    # set bit 0 (encrypted) of the general-purpose flags in every central directory entry
    pos = data.find(b"PK\x01\x02")
    while pos != -1:
        data[pos + 8] |= 0x01
        pos = data.find(b"PK\x01\x02", pos + 4)
    dst.write_bytes(bytes(data))
    return dst


def test_encrypted_flag_workbook(workbook, tmp_path):
    path = _zip_with_encryption_flag(workbook, tmp_path / "encrypted.xlsx")
    guarded(sroi.read_value_map_xlsx, path).refused("encrypted")


def test_password_protected_workbook(tmp_path):
    path = tmp_path / "protected.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))  # an OLE compound file
    guarded(sroi.read_value_map_xlsx, path).refused("password-protected")


def test_workbook_with_an_unusual_compression(workbook, tmp_path):
    path = tmp_path / "lzma.xlsx"
    with zipfile.ZipFile(workbook) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_LZMA) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
    guarded(sroi.read_value_map_xlsx, path).refused("compression")


@pytest.mark.parametrize(
    ("name", "aliases", "match"),
    [
        ("apprentice", ("person",), "'person' is already a unit"),  # a name no doctest defines
        ("patient", ("meter",), "'meter' is already a unit"),
        ("persons", (), "already a unit"),
        ("ms", (), "already a unit"),
        ("cohort", ("cohort",), "given twice"),
        ("Bad", (), "lower-case"),
    ],
)
def test_count_unit_name_clashes(name, aliases, match):
    from sroi.units import UnitError, define_count_unit

    with pytest.raises(UnitError, match=match):
        define_count_unit(name, *aliases)


@pytest.mark.parametrize("writer", ["save", "xlsx", "csv"])
def test_full_disk_is_reported_without_internals(writer):
    a = sroi.load(EXAMPLE)
    write = {
        "save": lambda: sroi.save(a, "/dev/full"),
        "xlsx": lambda: sroi.write_value_map_xlsx(a, "/dev/full"),
        "csv": lambda: sroi.io.write_csv_value_map(a, "/dev/full"),
    }[writer]
    msg = guarded(write).refused("could not write '/dev/full': No space left on device")
    assert "Errno" not in msg and "site-packages" not in msg


def test_export_tables_full_disk(monkeypatch, tmp_path):
    import builtins

    real_open = builtins.open

    def full_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if str(file).startswith(str(tmp_path)) and "w" in mode:
            return real_open("/dev/full", mode, *args, **kwargs)
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", full_open)
    with pytest.raises(SROIError, match="No space left on device") as info:
        sroi.io.export_tables({"t": pd.DataFrame({"a": [1]})}, tmp_path)
    assert "Errno" not in str(info.value)


def test_cli_full_disk_prints_one_line(tmp_path):
    err = no_traceback(cli("report", str(EXAMPLE), "--xlsx", "/dev/full", "-n", "100"))
    assert err.count("\n") == 1 and "Errno" not in err


# == CSV injection in the command line's outputs ==================================================
def _formula_cells(path: Path) -> list[str]:
    """Cells a spreadsheet would run: text starting with = + - @ (numbers excepted)."""
    bad = []
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.reader(handle):
            for cell in row:
                if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                    try:
                        float(cell)
                    except ValueError:
                        bad.append(cell)
    return bad


@pytest.fixture
def injected_model(tmp_path: Path) -> Path:
    text = model_text(deadweight="{distribution: uniform, low: 0.1, high: 0.3}")
    text = text.replace("Older people", '"=HYPERLINK(\\"http://x\\")"').replace(
        "Less isolated", "'+cmd|calc'"
    )
    return write_model(tmp_path, text)


def test_cli_break_even_csv_is_escaped(injected_model, tmp_path):
    out = tmp_path / "be.csv"
    code, _, err = cli("break-even", str(injected_model), "--out", str(out))
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text
    assert _formula_cells(out) == []


def test_cli_simulate_csv_is_escaped(injected_model, tmp_path):
    # parameter names are column headers of the draws
    text = injected_model.read_text().replace(
        "deadweight: {distribution", "deadweight: {param: '=x'}\n    attribution: {distribution"
    )
    text = text.replace(
        "outcomes:", "parameters:\n  '=x': {distribution: uniform, low: 0.1, high: 0.2}\noutcomes:"
    )
    model = write_model(tmp_path, text, "model2.yaml")
    out = tmp_path / "draws.csv"
    code, _, err = guarded_cli("simulate", str(model), "-n", "200", "--out", str(out))
    assert code == 0, err
    assert "'=x" in out.read_text(encoding="utf-8").splitlines()[0]
    assert _formula_cells(out) == []


def test_library_and_cli_use_the_same_escaping(injected_model, tmp_path):
    from sroi.io.export import csv_bytes

    df = sroi.load(injected_model).break_even()
    out = tmp_path / "be.csv"
    cli("break-even", str(injected_model), "--out", str(out))
    assert out.read_bytes() == csv_bytes(df, index=False)


# == The command line: no traceback, ever ===========================================================
@pytest.mark.parametrize(
    "content",
    [
        b"\x00\x01\x02\xff\xfe binary",
        b"name: [unclosed",
        "\n".join(bomb_lines()[0]).encode() + b"\nname: *lol8\n",
        model_text(proxy="5 mGBP/person").encode(),
        model_text(deadweight="'20%%'").encode(),
        model_text(head="parameters_from: /etc/passwd\n").encode(),
    ],
    ids=["binary", "syntax", "bomb", "prefix", "percent", "passwd"],
)
def test_cli_bad_model_files(tmp_path, content):
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    for command in (["report"], ["simulate", "-n", "100"], ["break-even"]):
        no_traceback(guarded_cli(command[0], str(path), *command[1:]))


def test_cli_unexpected_error_is_one_line(monkeypatch, tmp_path):
    import sroi.io

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("something inside broke")

    monkeypatch.setattr(sroi.io, "load", boom)
    err = no_traceback(cli("report", str(EXAMPLE)))
    assert "unexpected RuntimeError" in err


def test_cli_escapes_control_characters(tmp_path):
    text = model_text().replace("Older people", '"Older \\e[2Jpeople"')
    code, out, err = cli("report", str(write_model(tmp_path, text)), "-n", "100")
    assert code == 0, err
    assert "\x1b" not in out and "\\x1b[2J" in out


def test_cli_bad_scenarios_file(tmp_path):
    path = write_model(tmp_path, "scenarios:\n  - {name: A, illustrative: 'no'}\n", "s.yaml")
    err = no_traceback(cli("credit", str(EXAMPLE), "--scenarios", str(path), "-n", "100"))
    assert "illustrative" in err


def test_cli_in_a_real_process_prints_no_traceback(tmp_path):
    lines, last = bomb_lines()
    path = write_model(tmp_path, "\n".join(lines) + "\n" + model_text(deadweight=f"*{last}"))
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "sroi", "simulate", str(path)],
        capture_output=True,
        text=True,
        timeout=KILL_SECONDS,
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.startswith("error: ") and "Traceback" not in proc.stderr
    assert time.perf_counter() - start < KILL_SECONDS


def test_extreme_discounting_and_tiny_inputs_name_what_overflowed():
    """Issue #20: a rate of -0.99 over 200 periods, and inputs of 1e-320, were reported as 'the
    inputs total 0' and an infinite ratio; each now names what overflowed."""
    outcome = sroi.Outcome("P", "B", quantity="10 person", proxy="1e10 GBP/person", duration=3)
    with pytest.raises(sroi.SROIError, match="discount_rate: the discount factors overflow"):
        sroi.Analysis(
            "t",
            "GBP",
            [outcome],
            [sroi.Input("F", "G", "1000 GBP")],
            discount_rate=-0.99,
            reference_period=200,
        )
    with pytest.raises(sroi.SROIError, match="inputs: the SROI ratio overflows a float"):
        sroi.Analysis("t", "GBP", [outcome], [sroi.Input("F", "G", "1e-320 GBP")])


def test_simulate_refuses_an_impossible_size_before_allocating():
    a = sroi.load(EXAMPLE).replace(
        outcomes=[sroi.load(EXAMPLE).outcomes[0].replace(deadweight=sroi.Uniform(0.1, 0.3))]
    )
    with pytest.raises(sroi.SROIError, match="n: .* would keep .* GiB"):
        a.simulate(10**12)


def test_a_draw_that_is_not_finite_is_named():
    wild = sroi.LogNormal(median=1.0, gsd=1e300)
    a = sroi.load(EXAMPLE)
    a = a.replace(
        outcomes=[
            a.outcomes[0].replace(proxy=sroi.LogNormal(median=1000.0, gsd=1e200, unit="GBP/person/year"))
        ]
    )
    with pytest.raises(sroi.SROIError, match=r"outcomes\[0\]\.proxy: .* not finite numbers"):
        a.simulate(2000, seed=1)
    assert wild.support()[1] == float("inf")
