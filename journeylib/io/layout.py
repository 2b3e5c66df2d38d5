"""Where the table starts: ``header=``, ``skiprows=`` and a title above the header.

Spreadsheets exported for people often open with a title ("Customer survey
2026"), a date line and a blank row before the header.  Read as they are, the
title becomes the header and the real header a row of data.  The readers call
:func:`check_layout` on the options and, when neither is given,
:func:`title_rows` on the first rows: a title is refused with a message that
names the row where the header seems to be and the option that reads it.

Rows are counted as in pandas for ``header=`` and ``skiprows=`` (0-based, the
file's first row is 0); messages and the command line use the row numbers a
spreadsheet shows (1-based).  A CSV's first line ``sep=;`` (Excel's separator
line, which Excel hides) is not counted.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["check_layout", "plan", "title_rows", "title_message"]

#: Rows looked at for a title above the header.
_LOOK = 30


def check_layout(header, skiprows):
    """(header, skip): the options checked; `skip` a sorted tuple of 0-based rows, or ().

    Raises
    ------
    ValueError
        For a header that is not a whole number >= 0, or skiprows that are
        not a whole number or a list of row positions.

    Examples
    --------
    >>> check_layout(2, None)
    (2, ())
    >>> check_layout(None, 3)
    (None, (0, 1, 2))
    >>> check_layout(0, [1, 2])
    (0, (1, 2))
    """
    def whole(value):
        return isinstance(value, (numbers.Integral, np.integer)) and not isinstance(
            value, (bool, np.bool_)) and value >= 0

    if header is not None and not whole(header):
        raise ValueError(f"The value for `header` must be a whole number >= 0 (the 0-based row "
                         f"of the header, as in pandas), but {header!r} was passed.")
    if skiprows is None:
        return (None if header is None else int(header)), ()
    if whole(skiprows):
        skip = tuple(range(int(skiprows)))
    elif isinstance(skiprows, (list, tuple, set, frozenset, range, np.ndarray)) and all(
            whole(r) for r in skiprows):
        skip = tuple(sorted({int(r) for r in skiprows}))
    else:
        raise ValueError("The value for `skiprows` must be a whole number (rows to skip at the "
                         "top) or a list of 0-based row positions, as in pandas, but "
                         f"{skiprows!r} was passed.")
    return (None if header is None else int(header)), skip


def plan(header, skip, n_rows=None):
    """(header row, rows skipped below it): 0-based rows of the file, pandas' rules.

    The rows in `skip` go first; `header` counts among the rows left (0 when
    None).  Returns the header's row in the file and the skipped rows below it.

    Examples
    --------
    >>> plan(2, ())
    (2, ())
    >>> plan(1, (0,))
    (2, ())
    >>> plan(None, (1, 2))
    (0, (1, 2))
    """
    left = 0 if header is None else header
    row = 0
    while True:
        if row not in skip:
            if left == 0:
                break
            left -= 1
        row += 1
        if n_rows is not None and row >= n_rows:
            return None, ()
    return row, tuple(r for r in skip if r > row)


def data_rows(header_row, below, n):
    """File rows (0-based) of the `n` data rows under `header_row`, the rows `below` skipped."""
    rows = np.arange(header_row + 1, header_row + 1 + n + len(below), dtype="int64")
    if below:
        rows = rows[~np.isin(rows, np.asarray(below, dtype="int64"))]
    return rows[:n]


def offset_and_index(rows):
    """ROW_OFFSET and the index for data rows at 0-based file rows `rows`.

    File row ``r`` (0-based) is spreadsheet row ``r + 1``; with the index
    label ``i`` of a row and the offset ``o``, ``i + 2 + o == r + 1``.  The
    first data row gets label 0; a row skipped inside the data leaves a gap.
    """
    if not len(rows):
        return 0, np.arange(0, dtype="int64")
    offset = int(rows[0]) - 1
    return offset, rows - 1 - offset


def _filled(row):
    return [v for v in row if v is not None and not (isinstance(v, str) and not v.strip())
            and not (isinstance(v, float) and np.isnan(v))]


def _is_word(v):
    if not isinstance(v, str):
        return False
    try:
        float(v.strip().replace(",", "."))
    except ValueError:
        return True
    return False


def title_rows(rows):
    """(title row, header row), 0-based, when the first rows look like a title above a header.

    A title: the first non-empty row holds one cell (text), the rows after it
    hold at most one cell each, and then comes a row of at least two cells,
    all text: the header.  None otherwise (a header on the first non-empty row).

    Examples
    --------
    >>> title_rows([("Customer survey 2026", None, None), (None, None, None),
    ...             ("resp", "web", "overall"), ("r1", 4, 7)])
    (0, 2)
    >>> title_rows([("resp", "web"), ("r1", 4)]) is None
    True
    """
    rows = list(rows)[:_LOOK]
    filled = [_filled(r) for r in rows]
    first = next((i for i, f in enumerate(filled) if f), None)
    if first is None or len(filled[first]) != 1 or not _is_word(filled[first][0]):
        return None
    for i in range(first + 1, len(rows)):
        if len(filled[i]) >= 2:
            return (first, i) if all(_is_word(v) for v in filled[i]) else None
    return None


def title_message(title, header):
    """The words for a title found above the header (`title`, `header`: 0-based rows)."""
    return (f"row {title + 1} looks like a title, not a header; the header "
            f"seems to be on row {header + 1} (as a spreadsheet numbers rows): "
            f"read it with read_table(path, header={header}) (pandas' 0-based count) or, on the "
            f"command line, --header {header + 1} (the row number)")
