"""Figures and the HTML report: the notebooks, executed, as one browsable page.

``save_figure`` writes a figure as PNG and SVG under a stable name, so the
report (and a paper) can point at it. ``build_report`` executes notebooks, each
in a fresh kernel, and writes executed copies, one HTML page per notebook and an
``index.html`` with a thumbnail of each notebook's key figure. ``make run`` is::

    python -m journeylib.report --notebooks notebooks --out build

which writes ``build/report/index.html`` and ``build/figures/*.png|svg``.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import sys
import time
import warnings
from pathlib import Path

import pandas as pd

from ._markup import defuse_html, escape_markdown

__all__ = ["save_figure", "build_report", "find_root", "notebook_question", "escape_markdown", "main",
           "FIGURES_ENV", "MIRROR_ENV", "UNAVAILABLE_ERRORS"]

FIGURES_ENV = "JOURNEYLIB_FIGURES_DIR"
MIRROR_ENV = "JOURNEYLIB_DATA_MIRROR"
#: Exception class names that mean "the data could not be reached" (offline, no mirror): a notebook
#: failing with one of these is listed as skipped, with the message as the reason, not as failed.
UNAVAILABLE_ERRORS = ("DataUnavailableError", "DatasetUnavailableError", "ConnectionError",
                      "URLError", "gaierror", "ConnectTimeout", "ConnectTimeoutError")
_NOTEBOOK = re.compile(r"^(\d\d)-[A-Za-z0-9_-]+\.ipynb$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_COLUMNS = ["notebook", "status", "seconds", "title", "question", "figure", "html", "error", "headline"]
#: Cells a run adds (papermill's injected parameters and its error markers): not the notebook's own.
_RUN_TAGS = {"injected-parameters", "papermill-error-cell-tag"}
_INLINE = "module://matplotlib_inline.backend_inline"


# --------------------------------------------------------------------------- figures
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


# --------------------------------------------------------------------------- notebooks
def _plain(markdown):
    """Markdown to plain text: no emphasis, code ticks or link targets (snake_case names survive)."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = re.sub(r"[*`]+|(?<!\w)_+|_+(?!\w)", "", text)
    return " ".join(text.split())


def notebook_question(nb):
    """Title and question of a notebook, from its first (markdown) cell.

    The title is the first ``#`` heading. The question is the first bold
    passage ending in ``?``, else the first sentence ending in ``?``, else the
    first sentence after the title. Code blocks are ignored.

    Parameters
    ----------
    nb : nbformat.NotebookNode, str or Path

    Returns
    -------
    tuple of str
        ``(title, question)``; empty strings when the cell has none.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
    ...     "# The gap\\n\\nSome context. Are **touchpoints** fine (see example.com) while the journey is not? More.")])
    >>> notebook_question(nb)
    ('The gap', 'Are touchpoints fine (see example.com) while the journey is not?')
    """
    import nbformat

    if isinstance(nb, (str, Path)):
        nb = nbformat.read(nb, as_version=4)
    first = next((c for c in nb.cells if c.cell_type == "markdown"), None)
    if first is None:
        return "", ""
    source = re.sub(r"(?ms)^```.*?^```", "", first.source)
    lines = source.splitlines()
    title = next((_plain(x.lstrip("#")) for x in lines if x.startswith("#")), "")
    body = " ".join(x for x in lines if x.strip() and not x.startswith("#"))
    bold = [_plain(b) for b in re.findall(r"\*\*(.+?)\*\*", body) if b.rstrip().endswith("?")]
    if bold:
        return title, bold[0]
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z\"'(])", _plain(body))
    asked = [x for x in sentences if x.endswith("?")]
    return title, (asked or sentences)[0].strip() if sentences else ""


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


def _headline_of(nb):
    """The Markdown a cell tagged ``headline`` displayed first (the notebook's answer in short), or ""."""
    for cell in nb.cells:
        if "headline" in cell.get("metadata", {}).get("tags", []):
            for out in cell.get("outputs", []):
                if "text/markdown" in out.get("data", {}):
                    return out["data"]["text/markdown"]
    return ""


def _write_html(nb, page, *, with_code=True):  # True, False or "failing"
    """One HTML page; cells tagged ``solution`` are folded into a <details> block, as they
    are collapsed in the notebook, so a reader of the report can try before looking.

    Without `with_code` the page is for a reader of results: no code and no prompts
    (nbconvert's ``exclude_input``). A failed run shows the code of the failing cell only,
    above its error. Values from the data are escaped where the notebooks write them
    (:func:`escape_markdown`); as a second line of defence, whatever could run inside a
    rendered Markdown or HTML output (a script, an ``on*`` attribute, a ``javascript:`` link)
    is removed (:func:`defuse_html`). nbconvert's own ``sanitize_html`` is not used: it shows
    the tags of headings, paragraphs and DataFrame tables as text.
    """
    import copy

    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter

    options = {}
    if with_code is not True:  # a code cell without output would only leave an empty gap
        nb = copy.deepcopy(nb)
        nb.cells = [c for c in nb.cells if c.cell_type != "code" or c.get("outputs")]
    failed = [i for i, c in enumerate(nb.cells)
              if any(o.get("output_type") == "error" for o in c.get("outputs", []))]
    if not with_code:
        options = {"exclude_input": True, "exclude_input_prompt": True, "exclude_output_prompt": True}
    elif with_code == "failing":
        nb = copy.deepcopy(nb)
        for i, c in enumerate(nb.cells):
            if c.cell_type == "code" and i not in failed[:1]:
                c.metadata.setdefault("transient", {})["remove_source"] = True
        options = {"exclude_input_prompt": True, "exclude_output_prompt": True}
    body, _ = HTMLExporter(template_name="lab", **options).from_notebook_node(nb)
    soup = BeautifulSoup(body, "html.parser")
    changed = defuse_html(soup)
    for cell in soup.select("div.celltag_solution"):
        details = soup.new_tag("details", attrs={"class": "journeylib-solution"})
        summary = soup.new_tag("summary")
        summary.string = "Solution (click to show)"
        cell.wrap(details)
        details.insert(0, summary)
        changed += 1
    page.write_text(str(soup) if changed else body, encoding="utf-8")


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:980px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}
h1{margin-bottom:.2em} .lead{color:#555;margin-top:0}
.nb{display:flex;gap:1.2em;align-items:center;border-top:1px solid #ddd;padding:1em 0}
.nb img{width:260px;height:170px;object-fit:contain;background:#fafafa;border:1px solid #eee}
.nb .noimg{width:260px;height:170px;display:flex;align-items:center;justify-content:center;
color:#999;background:#fafafa;border:1px solid #eee;flex:none}
.nb h2{font-size:1.15em;margin:0 0 .3em} .nb p{margin:.2em 0}
.meta{color:#777;font-size:.9em} .skipped{color:#a60} .failed{color:#b00;font-weight:bold}
.headline{background:#f6f8fb;border-left:3px solid #3b6ea5;padding:.2em 1em;margin:.6em 0}
.headline h3,.headline h4{margin:.4em 0}
"""


def _rel(path, start):
    return Path(os.path.relpath(path, start)).as_posix()


def _rendered(markdown):
    """A notebook's headline Markdown as HTML for the index (escaped where the notebook wrote it;
    defused again here)."""
    if not markdown:
        return ""
    from bs4 import BeautifulSoup
    from nbconvert.filters.markdown import markdown2html

    soup = BeautifulSoup(f'<div class="headline" data-mime-type="text/markdown">{markdown2html(markdown)}</div>',
                         "html.parser")
    for anchor in soup.select("a.anchor-link"):
        anchor.decompose()
    defuse_html(soup)
    return str(soup)


def _write_index(rows, out_dir, title):
    items = []
    for row in rows:
        name = html.escape(row["title"] or row["notebook"])
        link = html.escape(_rel(row["html"], out_dir))
        if row["figure"] is not None:
            thumb = f'<a href="{link}"><img src="{html.escape(_rel(row["figure"], out_dir))}" alt="key figure of {name}"></a>'
        else:
            thumb = '<div class="noimg">no figure</div>'
        state = {"ok": f"ran in {row['seconds']:.0f} s",
                 "skipped": f'<span class="skipped">skipped: {html.escape(row["error"])}</span>',
                 "failed": f'<span class="failed">failed: {html.escape(row["error"])}</span>'}[row["status"]]
        items.append(f'<div class="nb">{thumb}<div><h2><a href="{link}">{name}</a></h2>'
                     f'<p>{html.escape(row["question"])}</p>{_rendered(row.get("headline"))}'
                     f'<p class="meta">{html.escape(row["notebook"])} · {state}</p></div></div>')
    page = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'<style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1>'
            f'<p class="lead">Touchpoint scores versus the journey as a whole: each notebook answers one '
            f'question with numbers computed when the report was built. Click a title or a figure to read it.</p>'
            + "\n".join(items) + "</body></html>")
    index = out_dir / "index.html"
    index.write_text(page, encoding="utf-8")
    return index


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


# --------------------------------------------------------------------------- command line
def _run_main(args):
    out = Path(args.out)
    start = time.time()
    try:
        result = build_report(args.notebooks, out / "report", figures_dir=out / "figures", timeout=args.timeout)
    except (ValueError, FileNotFoundError) as exc:  # no notebooks where --notebooks says
        print(f"python -m journeylib.report: {exc}", file=sys.stderr)
        return 2
    counts = result["status"].value_counts()
    print(f"{counts.get('ok', 0)} ran, {counts.get('skipped', 0)} skipped, {counts.get('failed', 0)} failed "
          f"in {time.time() - start:.0f} s")
    for row in result.itertuples():
        if row.status == "failed":
            print(f"FAILED {row.notebook}: {row.error}", file=sys.stderr)
    print(f"Report: {result.attrs['index'].resolve()}")
    return 1 if (result["status"] == "failed").any() else 0


def main(argv=None):
    """``python -m journeylib.report --notebooks notebooks --out build``; returns the exit code.

    0 every notebook ran (or was skipped, its data unreachable), 1 one failed or the
    output folder cannot be written, 2 a bad option or no notebooks; an internal
    error prints one line naming a log file with the traceback
    (:func:`journeylib.__main__.run_command`).
    """
    from .__main__ import run_command, seconds

    argv = sys.argv[1:] if argv is None else [str(a) for a in argv]
    parser = argparse.ArgumentParser(prog="python -m journeylib.report", description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", default="notebooks", help="folder of NN-title.ipynb (default notebooks)")
    parser.add_argument("--out", default="build", help="build folder: report/ and figures/ go here")
    parser.add_argument("--timeout", type=seconds, default=300, help="seconds per cell (default 300)")
    return run_command(lambda a: _run_main(parser.parse_args(a)), argv, prog="python -m journeylib.report",
                       argv=["python -m journeylib.report", *argv])


if __name__ == "__main__":
    sys.exit(main())
