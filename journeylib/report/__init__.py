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
import sys
import time
from pathlib import Path

from .._markup import escape_markdown
from .figures import FIGURES_ENV, find_root, save_figure
from .pages import notebook_question
from .run import MIRROR_ENV, UNAVAILABLE_ERRORS, build_report

__all__ = ["save_figure", "build_report", "find_root", "notebook_question", "escape_markdown", "main",
           "FIGURES_ENV", "MIRROR_ENV", "UNAVAILABLE_ERRORS"]


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
    from ..__main__ import run_command, seconds

    argv = sys.argv[1:] if argv is None else [str(a) for a in argv]
    parser = argparse.ArgumentParser(prog="python -m journeylib.report", description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", default="notebooks", help="folder of NN-title.ipynb (default notebooks)")
    parser.add_argument("--out", default="build", help="build folder: report/ and figures/ go here")
    parser.add_argument("--timeout", type=seconds, default=300, help="seconds per cell (default 300)")
    return run_command(lambda a: _run_main(parser.parse_args(a)), argv, prog="python -m journeylib.report",
                       argv=["python -m journeylib.report", *argv])
