"""Small helpers shared by the readers: user warnings and file errors."""

from __future__ import annotations

import os
import sys
import warnings

from ..schema import JourneyDataError

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def warn_user(message: str) -> None:
    """A ``UserWarning`` attributed to the first caller outside journeylib.

    The readers call each other (``read_journeys`` -> ``read_table`` -> the
    CSV reader -> the decoder), so a fixed ``stacklevel`` would point into
    the library; this points at the user's line.
    """
    frame, level = sys._getframe(0), 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, UserWarning, stacklevel=level)


def file_error(source, message: str, **where) -> JourneyDataError:
    """A :class:`JourneyDataError` with one problem about the file `source`.

    `where` may hold ``line``, ``row``, ``column`` and ``value`` (cut to 80
    characters when shown).
    """
    problem = {"row": where.pop("row", None), "column": where.pop("column", None),
               "message": message}
    problem.update(where)
    return JourneyDataError([problem], source=source)


def first_bytes(path, expected: str) -> bytes:
    """The first 512 bytes of `path`; an empty file is refused, naming what it should have been."""
    with open(path, "rb") as fh:
        head = fh.read(512)
    if not head:
        raise file_error(path, f"the file is empty (0 bytes), not {expected}")
    return head


def not_a(path, kind: str | None, expected: str, hint: str = "") -> JourneyDataError:
    """The error for a file that is `kind` (from :func:`journeylib.io.sniff.describe`; None: text)
    and not `expected`."""
    what = kind or "a text file (perhaps CSV: then name it .csv)"
    return file_error(path, f"this is {what}, not {expected}{hint}")


def column_letter(index: int) -> str:
    """Spreadsheet letters of a 1-based column number: 1 -> A, 27 -> AA."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
