"""Figures under stable names: ``save_figure`` writes PNG and SVG where the report finds them."""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path

__all__ = ["save_figure", "find_root", "FIGURES_ENV"]

FIGURES_ENV = "JOURNEYLIB_FIGURES_DIR"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def find_root(start=None):
    """The journeylib repository root above `start` (default: the current directory), or None.

    The root is the first folder, walking up, whose ``pyproject.toml`` names the
    project ``journeylib``.

    Examples
    --------
    >>> root = find_root()
    >>> root is None or (root / "pyproject.toml").is_file()
    True
    """
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        toml = folder / "pyproject.toml"
        if toml.is_file() and re.search(r'(?m)^name\s*=\s*"journeylib"', toml.read_text("utf-8")):
            return folder
    return None


def _figures_dir(directory):
    if directory is not None:
        return Path(directory)
    if os.environ.get(FIGURES_ENV):
        return Path(os.environ[FIGURES_ENV])
    root = find_root()
    if root is not None:
        return root / "build" / "figures"
    where = Path.cwd() / "journeylib-figures"
    warnings.warn(f"Not inside the journeylib repository and ${FIGURES_ENV} is not set: "
                  f"figures go to {where}. Pass directory= to choose.", UserWarning, stacklevel=3)
    return where


def save_figure(fig_or_ax, name, *, directory=None, formats=("png", "svg"), dpi=120):
    """Save a figure as ``<directory>/<name>.png`` and ``.svg`` with a stable name.

    Parameters
    ----------
    fig_or_ax : matplotlib Figure, Axes, array of Axes, or seaborn grid
        What to save; for an Axes its whole figure is saved.
    name : str
        File stem, such as ``"01-paypal-emotion-curve"``: letters, digits, ``.``,
        ``_`` and ``-`` only. Start it with the notebook's number so the report
        picks it as that notebook's key figure.
    directory : str or Path, optional
        Where to write. Default: ``$JOURNEYLIB_FIGURES_DIR`` (the report sets it),
        else ``build/figures`` in the repository the current directory is in.
        Outside the repository, ``./journeylib-figures`` with a warning.
    formats : sequence of str, default ("png", "svg")
    dpi : int, default 120
        Resolution of the PNG.

    Returns
    -------
    list of pathlib.Path
        The files written, in the order of `formats`.

    Examples
    --------
    >>> import tempfile
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> line = ax.plot([1, 2, 3])
    >>> paths = save_figure(ax, "00-example", directory=tempfile.mkdtemp())
    >>> [p.name for p in paths]
    ['00-example.png', '00-example.svg']
    >>> plt.close(fig)
    """
    import matplotlib.pyplot as plt
    from matplotlib.figure import FigureBase

    if not isinstance(name, str) or not _NAME.match(name) or name.endswith((".png", ".svg")):
        raise ValueError(f"The value for `name` must be a file stem such as '01-paypal-emotion-curve' "
                         f"(letters, digits, '.', '_', '-'; no folder, no extension), but {name!r} was passed.")
    obj = fig_or_ax
    if hasattr(obj, "flat") and not isinstance(obj, FigureBase):  # numpy array of Axes
        obj = next(iter(obj.flat), None)
    fig = obj if isinstance(obj, FigureBase) else getattr(obj, "figure", None)  # Axes, seaborn grid
    if not isinstance(fig, FigureBase):
        raise TypeError(f"save_figure needs a matplotlib Figure or Axes (or a seaborn grid), "
                        f"got {type(fig_or_ax).__name__}.")
    fig = fig.figure  # the root figure, also for an Axes inside a subfigure
    folder = _figures_dir(directory)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    with plt.rc_context({"svg.hashsalt": "journeylib"}):
        for fmt in formats:
            path = folder / f"{name}.{fmt}"
            meta = {"Date": None} if fmt == "svg" else ({"Software": None} if fmt == "png" else None)
            fig.savefig(path, format=fmt, dpi=dpi, bbox_inches="tight", metadata=meta)
            paths.append(path)
    return paths
