"""Find the data sets shipped with :mod:`sroi`.

The top-level ``datasets/`` folder of the repository is packaged into the wheel as
``sroi/_datasets``; in a source checkout (editable install) it is read in place. Every data
set carries its provenance (source, year, page or URL, licence) in a README beside it.
"""

from __future__ import annotations

from pathlib import Path

from sroi.exceptions import SROIError

__all__ = ["dataset_path", "datasets_root"]


def datasets_root() -> Path:
    """Directory holding the packaged data sets.

    Returns
    -------
    pathlib.Path
        ``sroi/_datasets`` inside an installed wheel, else the repository's ``datasets/``.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "_datasets", here.parent / "datasets"):
        if candidate.is_dir():
            return candidate
    raise SROIError("the packaged datasets folder is missing; reinstall sroi", "datasets")


def dataset_path(*parts: str) -> Path:
    """Path of one packaged data file, e.g. ``dataset_path("rates", "fx_annual.csv")``.

    Raises
    ------
    SROIError
        If the file does not exist, listing what is available in that folder.

    Examples
    --------
    >>> from sroi.datasets import dataset_path
    >>> dataset_path("example", "digital_inclusion.yaml").name
    'digital_inclusion.yaml'
    """
    path = datasets_root().joinpath(*parts)
    if not path.exists():
        folder = path.parent
        available = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
        raise SROIError(
            f"no packaged data set {'/'.join(parts)!r}; available in {folder.name}/: {available}",
            "dataset",
        )
    return path
