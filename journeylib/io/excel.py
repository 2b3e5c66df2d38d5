"""Excel workbooks (.xlsx, .xlsm) through openpyxl."""

from __future__ import annotations

import pandas as pd

EXCEL_SUFFIXES = (".xlsx", ".xlsm")


def _read_excel(path, sheet):
    """The sheet (name or 0-based position; the first by default) as read by pandas."""
    try:
        return pd.read_excel(path, sheet_name=0 if sheet is None else sheet, engine="openpyxl")
    except ValueError as err:  # unknown sheet name
        raise ValueError(f"Cannot read sheet {sheet!r} of {str(path)!r}: {err}") from None
