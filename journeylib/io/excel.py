"""Excel workbooks (.xlsx, .xlsm) through openpyxl, with error cells and formulas kept in view.

pandas' own Excel reader turns a ``#N/A`` or ``#DIV/0!`` cell into NaN and a
formula whose result was never saved into an empty cell, so a failed formula
becomes a missing answer without a word.  This reader keeps error cells as
their text (``"#N/A"``), which :func:`journeylib.validate` and
:func:`journeylib.from_wide` report as spreadsheet errors, and refuses a
formula without a saved result, naming sheet and cell (``C7``).
"""

from __future__ import annotations

import re
import zipfile

import numpy as np
import pandas as pd

from ..schema import JourneyDataError
from ._common import column_letter, file_error, first_bytes, not_a
from .columns import ROW_OFFSET, check_header
from .layout import offset_and_index, plan, title_message, title_rows
from .sniff import describe

EXCEL_SUFFIXES = (".xlsx", ".xlsm")


def _open(path):
    """The workbook in read-only mode, or a JourneyDataError saying what the file is instead."""
    import openpyxl

    kind = describe(path, first_bytes(path, "an Excel workbook"))
    if kind != "an Excel workbook":
        hint = "; save it as .xlsx" if kind and kind.startswith("an old-style") else ""
        raise not_a(path, kind, "an Excel workbook", hint)
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many kinds for a damaged archive  # noqa: BLE001
        raise file_error(path, "the workbook could not be opened: it is damaged or not "
                               f"saved by a spreadsheet program ({type(err).__name__}: "
                               f"{str(err)[:80]}); open it in Excel and save it again") from None


def _pick_sheet(wb, sheet, path):
    names = list(wb.sheetnames)
    if not names:
        raise file_error(path, "the workbook has no sheets")
    if sheet is None:
        sheet = 0
    if isinstance(sheet, bool) or not isinstance(sheet, (int, np.integer, str)):
        raise TypeError(f"`sheet` must be a sheet name or a 0-based position, not "
                        f"{type(sheet).__name__}.")
    listed = ", ".join(map(repr, names[:20])) + (", ..." if len(names) > 20 else "")
    if isinstance(sheet, str):
        if sheet not in names:
            close = [n for n in names if n.strip().lower() == sheet.strip().lower()]
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise file_error(path, f"there is no sheet {sheet!r}{hint}; the sheets are {listed}")
        name = sheet
    else:
        if not -len(names) <= int(sheet) < len(names):
            raise file_error(path, f"there is no sheet at position {int(sheet)} (0-based); the "
                                   f"workbook has {len(names)}: {listed}")
        name = names[int(sheet)]
    ws = wb[name]
    if not hasattr(ws, "iter_rows"):
        raise file_error(path, f"sheet {name!r} is a chart, not a table")
    return name, ws


def _uncached_formulas(path, ws_path, name, rows, first, header, lo, problems):
    """Cells holding a formula whose result was never saved (None in the values view).

    Looked up only when the sheet has formulas at all and the table has empty cells;
    a formula whose saved result is the empty text (``=IF(A2>0, A2, "")``) is not one.
    """
    import openpyxl

    with zipfile.ZipFile(path) as archive:
        xml = archive.read(ws_path)
    if b"<f>" not in xml and b"<f " not in xml:
        return
    wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        formulas = list(wb[name].iter_rows(min_row=first + 1, max_row=first + len(rows),
                                           values_only=True))
    finally:
        wb.close()
    string_result = {m.group(1) for m in re.finditer(rb'<c r="([A-Z]+[0-9]+)"[^>]*?t="str"', xml)}
    for i, (values, written) in enumerate(zip(rows, formulas, strict=False)):
        for j, (value, formula) in enumerate(zip(values, written, strict=False)):
            if value is None and formula is not None and (
                    not isinstance(formula, str) or formula.startswith("=")):
                cell = f"{column_letter(j + 1)}{first + 1 + i}"
                if cell.encode() in string_result:
                    continue
                inside = 0 <= j - lo < len(header)
                problems.append({
                    "row": first + 1 + i, "column": header[j - lo] if inside else cell,
                    "value": str(formula),
                    "message": f"sheet {name!r}, cell {cell}: a formula without a saved result "
                               "(the file was written by a program that does not calculate); "
                               "open it in Excel or LibreOffice and save it, so the results "
                               "are stored"})


def _where(rows, name, path, header, skip):
    """(header row, data rows): 0-based sheet rows of the header and of the data under it."""
    filled = [i for i, r in enumerate(rows) if any(v is not None and v != "" for v in r)]
    if not filled:
        raise file_error(path, f"sheet {name!r} is empty: there is no header and no data")
    if header is None and not skip:
        title = title_rows(rows)
        if title is not None:
            raise file_error(path, f"sheet {name!r}: {title_message(*title)}")
        first = filled[0]
        return first, list(range(first + 1, filled[-1] + 1))
    first, below = plan(header, tuple(skip), len(rows))
    if first is None or first not in filled:
        raise file_error(path, f"sheet {name!r}, row {len(rows) if first is None else first + 1}: "
                               "there is no header on this row (it is empty or beyond the "
                               f"sheet's {len(rows)} rows); check `header`/`skiprows`")
    return first, [r for r in range(first + 1, filled[-1] + 1) if r not in below]


def read_excel(path, sheet=None, *, header=None, skip=()) -> pd.DataFrame:
    """One sheet as a DataFrame: the first non-empty row is the header, unless `header` says.

    `header` (0-based sheet row, pandas' count) and `skip` (0-based rows, see
    :func:`journeylib.io.layout.check_layout`) say where the table is; without
    them a title above the header is refused with a message naming the row
    where the header seems to be.  Error cells stay text (``"#N/A"``); a
    formula without a saved result is an error naming sheet and cell; fully
    empty columns at the edges and rows at the end are dropped.  The frame's
    ``attrs`` and index say which row of the sheet each row is.
    """
    wb = _open(path)
    try:
        name, ws = _pick_sheet(wb, sheet, path)
        rows = list(ws.iter_rows(values_only=True))
        ws_path = getattr(ws, "_worksheet_path", None)
    finally:
        wb.close()
    first, kept = _where(rows, name, path, header, skip)
    body = [rows[first], *(rows[r] for r in kept)]
    width = max(len(r) for r in body)
    body = [tuple(r) + (None,) * (width - len(r)) for r in body]
    used = [j for j in range(width) if any(r[j] is not None for r in body)]
    lo, hi = used[0], used[-1] + 1
    body = [r[lo:hi] for r in body]
    names = [f"Unnamed: {j}" if v is None else v for j, v in enumerate(body[0])]
    check_header([str(h) for h in names], path, line=None, sheet=name,
                 first_column=lo + 1, row=first + 1)

    data = body[1:]
    problems = []
    if ws_path is not None and any(v is None for r in data for v in r):
        if kept[-1] - kept[0] == len(kept) - 1:  # contiguous rows: their cells can be named
            _uncached_formulas(path, ws_path, name, [rows[r] for r in kept], kept[0], names,
                               lo, problems)
    if problems:
        raise JourneyDataError(problems[:20], source=path, total=len(problems))
    columns = list(zip(*data, strict=True)) if data else [()] * len(names)
    frame = pd.DataFrame({j: pd.Series(list(col), dtype=None if col else object)
                          for j, col in enumerate(columns)})
    frame.columns = [h.strip() if isinstance(h, str) else h for h in names]
    # rows above the header (and skipped under it): messages name the sheet's rows
    offset, index = offset_and_index(np.asarray(kept, dtype="int64"))
    if kept and kept[-1] - kept[0] != len(kept) - 1:
        frame.index = index
    frame.attrs[ROW_OFFSET] = offset if kept else first
    return frame
