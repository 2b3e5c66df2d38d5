"""Executing notebooks for the report: papermill, each in a fresh kernel of this very Python."""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pandas as pd

from .._markup import escape_markdown
from .figures import FIGURES_ENV, find_root
from .pages import _RUN_TAGS, _headline_of, _write_html, _write_index, notebook_question

__all__ = ["build_report", "MIRROR_ENV", "UNAVAILABLE_ERRORS"]

MIRROR_ENV = "JOURNEYLIB_DATA_MIRROR"
#: Exception class names that mean "the data could not be reached" (offline, no mirror): a notebook
#: failing with one of these is listed as skipped, with the message as the reason, not as failed.
UNAVAILABLE_ERRORS = ("DataUnavailableError", "DatasetUnavailableError", "ConnectionError",
                      "URLError", "gaierror", "ConnectTimeout", "ConnectTimeoutError")
_NOTEBOOK = re.compile(r"^(\d\d)-[A-Za-z0-9_-]+\.ipynb$")
_COLUMNS = ["notebook", "status", "seconds", "title", "question", "figure", "html", "error", "headline"]
_INLINE = "module://matplotlib_inline.backend_inline"


def _strip_outputs(nb):
    """`nb` without what a run leaves: outputs, execution counts, injected parameters, error markers.

    A notebook is executed from this state, so a cell the run does not reach shows nothing
    (never a stored number computed from other data).
    """
    nb.cells = [c for c in nb.cells if not set(c.get("metadata", {}).get("tags", [])) & _RUN_TAGS]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.get("metadata", {}).pop("papermill", None)
        cell.get("metadata", {}).pop("execution", None)
    nb.metadata.pop("papermill", None)
    return nb


def _kernel_manager_class(env):
    """A kernel manager class whose kernels run in this very Python (as nbval's --nbval-current-env),
    whatever kernelspecs exist, with `env` added to their environment."""
    import ipykernel.kernelspec
    from jupyter_client import AsyncKernelManager
    from jupyter_client.kernelspec import KernelSpecManager
    from traitlets import default

    spec = ipykernel.kernelspec.get_kernel_dict()
    spec["argv"] = [spec["argv"][0], "-Xfrozen_modules=off", *spec["argv"][1:]]
    spec["env"] = dict(env)

    class _Here(KernelSpecManager):
        def get_kernel_spec(self, kernel_name):
            return self.kernel_spec_class(resource_dir=ipykernel.kernelspec.RESOURCES, **spec)

    class _CurrentEnvKernelManager(AsyncKernelManager):
        @default("kernel_spec_manager")
        def _here(self):
            return _Here(parent=self)

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            if "transport_encryption" in self.trait_names():  # jupyter_client >= 8.10: no plain-TCP warning
                self.transport_encryption = "auto"

    return _CurrentEnvKernelManager


def _error_of(nb):
    """(cell number, name, message) of the first error; cells numbered from 1 as in the source file."""
    cells = [c for c in nb.cells if not set(c.get("metadata", {}).get("tags", [])) & _RUN_TAGS]
    for number, cell in enumerate(cells, start=1):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                return number, out.get("ename", "Error"), out.get("evalue", "")
    return None, None, None


def _key_figure(nb, prefix, figures_dir, since, thumbs_dir):
    """The notebook's key figure for the index thumbnail.

    The one named in the notebook metadata ``{"journeylib": {"key_figure": "<name>"}}`` if this run
    saved it; else the first figure this run saved whose name starts with `prefix` (the notebook's
    number); else the first image output.
    """
    import base64

    named = nb.metadata.get("journeylib", {}).get("key_figure")
    if named and (figures_dir / f"{named}.png").is_file():
        return figures_dir / f"{named}.png"
    if figures_dir.is_dir():
        saved = [p for p in figures_dir.glob(f"{prefix}*.png") if p.stat().st_mtime >= since - 1]
        if saved:
            return min(saved, key=lambda p: (p.stat().st_mtime_ns, p.name))
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            png = out.get("data", {}).get("image/png")
            if png:
                thumbs_dir.mkdir(parents=True, exist_ok=True)
                path = thumbs_dir / f"{prefix}-first-figure.png"
                path.write_bytes(base64.b64decode(png))
                return path
    return None


def _notebook_list(notebooks):
    if isinstance(notebooks, (str, Path)) and Path(notebooks).is_dir():
        found = sorted(p for p in Path(notebooks).iterdir() if _NOTEBOOK.match(p.name))
        if not found:
            raise ValueError(f"No notebooks named NN-title.ipynb in {notebooks}.")
        return found
    if isinstance(notebooks, (str, Path)):
        notebooks = [notebooks]
    paths = [Path(p) for p in notebooks]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"Notebook(s) not found: {', '.join(missing)}.")
    return paths


def _kernel_env(figures_dir):
    env = os.environ.copy()
    env[FIGURES_ENV] = str(figures_dir.resolve())
    env.pop("MPLBACKEND", None)  # the kernels draw inline, as a reader's Jupyter does
    if MIRROR_ENV not in env:  # set but empty means "no mirror": download
        root = find_root()
        shared = root.parent / "shared" / "data" if root is not None else None
        if shared is not None and shared.is_dir():
            env[MIRROR_ENV] = str(shared)
    return env


def _kernel_changes(figures_dir):
    """What the kernels' environment changes against this process's: figures, mirror, inline drawing."""
    env = _kernel_env(figures_dir)
    changes = {FIGURES_ENV: env[FIGURES_ENV], "MPLBACKEND": _INLINE}  # never a parent's Agg
    if MIRROR_ENV in env:
        changes[MIRROR_ENV] = env[MIRROR_ENV]
    return changes


def _execute(path, executed, figures_dir, parameters, timeout):
    """Run `path` with papermill into `executed`; the executed notebook (also when a cell failed).

    Papermill injects `parameters` after the cell tagged ``parameters``, runs from a notebook
    stripped of stored outputs, stops at the first error and marks that cell. A timeout or a
    kernel that died is recorded on the cell that was running, as an error output.
    """
    import logging

    import nbformat
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    nb = _strip_outputs(nbformat.read(path, as_version=4))
    quiet = logging.getLogger("papermill")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # "Input notebook does not contain a cell with tag 'parameters'"
    try:
        return papermill.execute_notebook(
            nb, str(executed), parameters=dict(parameters or {}), language="python",
            kernel_name="journeylib-current-env", progress_bar=False, execution_timeout=timeout,
            kernel_manager_class=_kernel_manager_class(_kernel_changes(figures_dir)),
            resources={"metadata": {"path": str(path.parent.resolve())}})
    except papermill.PapermillExecutionError:
        return nbformat.read(executed, as_version=4)
    except (CellTimeoutError, DeadKernelError) as exc:  # papermill saved the notebook at each cell start
        nb = nbformat.read(executed, as_version=4)
        running = next((c for c in nb.cells if c.get("metadata", {}).get("papermill", {})
                        .get("status") == "running"), None)
        what = (f"no result within {timeout} s" if isinstance(exc, CellTimeoutError)
                else "the kernel died (out of memory?)")
        if running is not None:
            running.outputs.append(nbformat.v4.new_output(
                "error", ename=type(exc).__name__, evalue=what, traceback=[f"{type(exc).__name__}: {what}"]))
        return nb
    finally:
        quiet.setLevel(level)


def _mark_failure(nb, cell, ename, evalue):
    """Papermill's marker at the top of a failed notebook, in words a reader of the page follows."""
    import nbformat

    text = (f"**The analysis stopped with an error in cell {cell}** ({escape_markdown(ename)}: "
            f"{escape_markdown(str(evalue).rstrip('.'))}). Nothing below that cell was computed; "
            "[go to the failing cell](#papermill-error-cell).")
    for c in nb.cells:
        if "papermill-error-cell-tag" in c.get("metadata", {}).get("tags", []) and \
                "papermill-error-cell" not in c.source.split("id=", 1)[-1][:30]:
            c.source = text
            return nb
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(text, metadata={"tags": ["papermill-error-cell-tag"]}))
    return nb


def _run_one(path, out_dir, figures_dir, parameters, timeout, with_code=True):
    path = Path(path).resolve()
    prefix = _NOTEBOOK.match(path.name).group(1) if _NOTEBOOK.match(path.name) else path.stem
    import nbformat

    title, question = notebook_question(nbformat.read(path, as_version=4))
    (out_dir / "notebooks").mkdir(parents=True, exist_ok=True)
    executed = (out_dir / "notebooks" / path.name).resolve()
    start = time.time()
    nb = _execute(path, executed, figures_dir, parameters, timeout)
    seconds = time.time() - start
    status, error = "ok", ""
    cell, ename, evalue = _error_of(nb)
    if ename in UNAVAILABLE_ERRORS:
        status, error = "skipped", f"{ename}: {evalue}"
    elif ename is not None:
        status, error = "failed", f"cell {cell}: {ename}: {evalue}"
        _mark_failure(nb, cell, ename, evalue)
    nbformat.write(nb, executed)
    page = out_dir / f"{path.stem}.html"
    _write_html(nb, page, with_code=True if with_code else ("failing" if status == "failed" else False))
    figure = _key_figure(nb, prefix, figures_dir, start, out_dir / "thumbs") if status == "ok" else None
    return {"notebook": path.name, "status": status, "seconds": seconds, "title": title,
            "question": question, "figure": figure, "html": page, "error": error,
            "headline": _headline_of(nb) if status == "ok" else ""}


def build_report(notebooks="notebooks", out_dir="build/report", *, figures_dir=None, parameters=None,
                 title="journeylib report", timeout=300, with_code=True, quiet=False):
    """Execute notebooks, each in a fresh kernel, and write an HTML report with an index page.

    Parameters
    ----------
    notebooks : str, Path or list of them, default "notebooks"
        A folder (every ``NN-title.ipynb`` in it, in order) or notebook paths.
    out_dir : str or Path, default "build/report"
        Receives ``index.html``, one ``<notebook>.html`` per notebook and the
        executed copies in ``notebooks/``.
    figures_dir : str or Path, optional
        Where :func:`save_figure` writes inside the kernels (passed as
        ``$JOURNEYLIB_FIGURES_DIR``). Default ``<out_dir>/figures``.
    parameters : dict, optional
        Values papermill injects after each notebook's cell tagged
        ``parameters``, e.g. ``{"DATA": "survey.csv"}``.
    title : str
        Heading of the index page.
    timeout : int, default 300
        Seconds allowed per cell.
    with_code : bool, default True
        Show the code cells on the pages. False gives pages for a reader of
        results: outputs and text only (nbconvert's ``exclude_input``); a
        failed notebook's page then shows the code of the failing cell.
    quiet : bool, default False
        No progress lines.

    Returns
    -------
    pandas.DataFrame
        One row per notebook: notebook, status ("ok", "failed", "skipped"),
        seconds, title, question, figure (path of the key figure or None),
        html (path of the page), error ("cell N: Name: message" when failed,
        the reason when skipped), headline (the Markdown the notebook's cell
        tagged ``headline`` displayed, shown on the index under the question;
        "" when none). The index is ``<out_dir>/index.html``.

    Notes
    -----
    Each notebook runs through papermill (:func:`papermill.execute_notebook`)
    from a copy stripped of its stored outputs: a cell the run does not reach
    shows nothing, never a number from the data the notebook was saved with.
    A failed notebook stops at the first error; its page opens with a note
    naming the failing cell and linking to it.
    Kernels run in this Python with the notebook's folder as working directory.
    The thumbnail on the index is the figure named in the notebook metadata
    ``{"journeylib": {"key_figure": "05-power-curve"}}``, else the first one
    the notebook saved under its number (``05-...``), else its first image.
    When ``$JOURNEYLIB_DATA_MIRROR`` is unset and ``../shared/data`` exists next
    to the repository, the kernels get it as the mirror (set it empty for none). A notebook failing
    with an exception named in :data:`UNAVAILABLE_ERRORS` (data unreachable) is
    listed as skipped with that message, and the others still run.
    """
    paths = _notebook_list(notebooks)
    out_dir = Path(out_dir)
    figures_dir = Path(figures_dir) if figures_dir is not None else out_dir / "figures"
    if not isinstance(with_code, bool):
        raise ValueError(f"The value for `with_code` must be True or False, but {with_code!r} was passed.")
    out_dir.mkdir(parents=True, exist_ok=True)
    figures_dir.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(out_dir / "thumbs", ignore_errors=True)
    rows = []
    for number, path in enumerate(paths, start=1):
        if not quiet:
            print(f"[{number}/{len(paths)}] {path.name} ...", end=" ", flush=True)
        row = _run_one(path, out_dir, figures_dir, parameters, timeout, with_code)
        rows.append(row)
        if not quiet:
            tail = f" ({row['error']})" if row["error"] else ""
            print(f"{row['status']} in {row['seconds']:.1f} s{tail}", flush=True)
    index = _write_index(rows, out_dir, title)
    result = pd.DataFrame(rows, columns=_COLUMNS)
    result.attrs["index"] = index
    return result
