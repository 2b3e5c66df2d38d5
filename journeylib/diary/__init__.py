"""Smiley diaries: journey stories with a face at each stop, in seed 001's format.

The format
----------
A diary is plain text in paragraphs (separated by blank lines)::

    12 februari 2025                          <- intro: everything before the first stop

    😃 Halte 1: webshop. Snel besteld.        <- a stop: face, label, touchpoint, text
    Meer tekst over de webshop.               <- same paragraph: part of the text

    Een tweede alinea over de webshop.        <- other paragraph: continues the moment

    😕 Later die dag ...                      <- face without label: extra moment, same stop

    🙁 Stop 2: helpdesk. ...                  <- next stop

    Oordeel: 🙂                               <- optional overall rating; starts the conclusion

    Tot slot: ...                             <- conclusion

* A **stop** is a paragraph whose first token is a face (an emoji or text
  emoticon from :data:`journeylib.scales.FACES`) followed by a label
  ``Halte N:`` (also ``Stop``, ``Stap``, ``Step`` or ``Touchpoint``, any
  case) and the touchpoint name up to the first full stop (a ``.`` followed
  by a space or the end of the line), or up to the end of the line.
* A paragraph that opens with a face but no label is an **extra moment** in
  the current stop: the same ``stop`` and touchpoint, its own ``step`` and
  face.  Other paragraphs continue the current moment's text.
* The **overall rating** (a diary's journey rating) is optional: a paragraph
  ``Oordeel: <face>`` (also ``Eindoordeel``, ``Rating``, ``Overall``).
  Without it the rating is NaN.  Its scale is ``smiley5``.
* The **intro** is the text before the first stop; the **conclusion** starts
  at the rating paragraph or at a paragraph opening with ``Tot slot:``,
  ``Conclusie:`` or ``Conclusion:`` (that label is not kept).  Without such a
  paragraph the last moment's text runs to the end and the conclusion is
  empty.  Both are in ``data.attrs["intro"]`` and ``data.attrs["conclusion"]``.

Broken encoding (seed 001 is UTF-8 read through a Thai Windows code page) is
repaired first, see :func:`journeylib.encoding.repair_text`.
"""

from __future__ import annotations

import io
import sys
import warnings
from pathlib import Path

import numpy as np

from ..encoding import repair_text
from .read import COLUMNS, read_diary
from .write import to_diary

__all__ = ["read_diary", "repair_text", "to_diary", "add_arguments", "run", "COLUMNS"]


# --- command line (python -m journeylib diary FILE) ---------------------------------------------

_TABLE = ["step", "stop", "face", "score", "touchpoint", "repaired", "ambiguous"]


def add_arguments(parser):
    """Arguments of ``python -m journeylib diary``."""
    parser.add_argument("file", help="the diary (UTF-8 text; broken encoding is repaired), "
                                     "or - to read standard input")
    parser.add_argument("--csv", action="store_true",
                        help="print every column as CSV instead of a table")


def run(args) -> int:
    """Print the moments of ``args.file``; return the exit status (1 on bad input)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            if args.file == "-":
                stdin = getattr(sys.stdin, "buffer", sys.stdin)  # bytes: decoded as files are
                df = read_diary(text=stdin.read())
            else:
                source = Path(args.file)
                if not source.is_file():
                    raise FileNotFoundError(f"no such file: {args.file}")
                df = read_diary(source)
        except (ValueError, OSError) as exc:  # JourneyDataError is a ValueError
            print(f"error: {exc}", file=sys.stderr)
            return 1
    for w in caught:
        print(f"warning: {w.message}", file=sys.stderr)
    if args.csv:
        buf = io.StringIO()
        df.to_csv(buf, index=False, lineterminator="\n")
        sys.stdout.write(buf.getvalue())
    else:
        table = df[_TABLE].assign(score=df["score"].astype("Int64"))
        print(table.to_string(index=False))
        if not np.isnan(df["rating"].iloc[0]):
            print(f"overall rating: {df['rating'].iloc[0]:+.0f} (smiley5)")
    return 0
