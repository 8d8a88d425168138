"""The public API: every exported name imports and has a docstring."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import sroi


@pytest.mark.parametrize("name", sroi.__all__)
def test_exported_name_has_docstring(name):
    obj = getattr(sroi, name)
    assert (getattr(obj, "__doc__", None) or "").strip(), f"sroi.{name} has no docstring"


#: Modules kept only so that code written against sroi 0.1 keeps working (they warn on import).
DEPRECATED = ("sroi.excel", "sroi.export", "sroi.html_report", "sroi.ratchet")


def _modules():
    return [
        m.name
        for m in pkgutil.walk_packages(sroi.__path__, "sroi.")
        if m.name != "sroi.__main__" and m.name not in DEPRECATED
    ]


@pytest.mark.parametrize("module", _modules())
def test_module_all_imports_and_documented(module):
    mod = importlib.import_module(module)
    assert mod.__doc__, f"{module} has no docstring"
    assert hasattr(mod, "__all__"), f"{module} has no __all__"
    for name in mod.__all__:
        obj = getattr(mod, name)
        if callable(obj):
            assert (obj.__doc__ or "").strip(), f"{module}.{name} has no docstring"


def test_sroi_error_is_value_error():
    assert issubclass(sroi.SROIError, ValueError)


@pytest.mark.parametrize("module", DEPRECATED)
def test_deprecated_modules_warn_and_still_work(module):
    import sys

    sys.modules.pop(module, None)
    with pytest.warns(DeprecationWarning, match="deprecated"):
        mod = importlib.import_module(module)
    for name in mod.__all__:
        assert getattr(mod, name) is not None
