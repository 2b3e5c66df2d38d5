"""Column clean-up shared by the text readers (CSV, Excel): header names, trailing rows,
numbers stored as text, whole-number ids."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

# Columns holding names and free text: never turned into numbers.
_TEXT_COLUMNS = frozenset(
    {"touchpoint", "score_scale", "rating_scale", "recommend_scale", "channel", "actor",
     "face", "text", "note", "timestamp", "stop"}
)
# Contract columns that must be numbers: convert what can be converted, leave the rest
# as text so that validation names the offending row.
_NUMBER_COLUMNS = frozenset({"step", "score", "rating", "recommend"})

_INT_ID = re.compile(r"-?(?:0|[1-9]\d*)")
_DOT_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_COMMA_NUMBER = r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?"
_HAS_DECIMAL_COMMA = r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+),\d+"
_DAY_FIRST = r"\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}(?:\s|$)"


def _strip_header(df: pd.DataFrame) -> pd.DataFrame:
    names = [str(c).replace("\ufeff", "").strip() for c in df.columns]
    if names != list(map(str, df.columns)):
        df.columns = names
    return df


def _drop_trailing_empty_rows(df: pd.DataFrame) -> pd.DataFrame:
    """Drop fully empty rows at the end only (spreadsheet exports add them); keeps row numbers."""
    if len(df) == 0 or df.iloc[-1].notna().any():
        return df
    filled = df.notna().to_numpy().any(axis=1)
    last = np.flatnonzero(filled)
    n = int(last[-1]) + 1 if len(last) else 0
    return df.iloc[:n] if n < len(df) else df


def _is_text(series: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(series) or series.dtype == object


def _numbers(series: pd.Series, *, decimal_comma: bool, partial: bool):
    """Convert a text column holding numbers; None when it should stay text.

    ``decimal_comma``: the file's convention allows ``2,5`` and ``1.234,5``.  A
    column counts as decimal-comma when one of its values has a decimal comma;
    then a dot is a thousands separator.  Otherwise a dot is the decimal mark.
    ``partial``: convert the values that are numbers and keep the others as text
    (for contract number columns, so validation can name the bad rows).
    """
    s = series.astype("str").str.strip()
    present = series.notna().to_numpy() & (s != "").to_numpy()
    if not present.any():
        return None
    dutch = decimal_comma and bool(s.str.fullmatch(_HAS_DECIMAL_COMMA).fillna(False).any())
    if dutch:
        ok = s.str.fullmatch(_COMMA_NUMBER).fillna(False).to_numpy()
        text = s.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        ok = s.str.fullmatch(_DOT_NUMBER).fillna(False).to_numpy()
        text = s
    ok = ok & present
    if not ok.any() or (not partial and (ok != present).any()):
        return None
    values = pd.to_numeric(text.where(ok), errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    if (ok == present).all():
        return pd.Series(values, index=series.index, name=series.name)
    out = series.astype(object).copy()
    out[ok] = values[ok]
    out[~present] = np.nan
    return out


def _integer_ids(col: pd.Series):
    """int64 ids when every id is written as a plain whole number ("12", not "012"), else None."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc

        text = pa.array(col.array) if isinstance(col.array, pd.arrays.ArrowStringArray) else None
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        text = None
    if text is not None:  # fast path for pandas' Arrow-backed strings
        try:
            ints = pc.cast(text, pa.int64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None
        # canonical spelling only: "007", "+7" or " 7" stay text
        if not pc.all(pc.equal(pc.cast(ints, text.type), text)).as_py():
            return None
        return pd.Series(ints.to_numpy(), index=col.index, name=col.name)
    s = col.astype("str")
    if s.str.fullmatch(_INT_ID).all():
        try:
            return s.astype("int64")
        except (OverflowError, ValueError):  # beyond int64: keep as text
            return None
    return None


def _normalise(df: pd.DataFrame, *, decimal_comma: bool) -> pd.DataFrame:
    """Numbers stored as text become numbers; whole-number ids become integers."""
    for column in df.columns:
        col = df[column]
        if column == "journey_id":
            if _is_text(col) and col.notna().all():
                ids = _integer_ids(col)
                if ids is not None:
                    df[column] = ids
            continue
        if column in _TEXT_COLUMNS or not _is_text(col):
            continue
        converted = _numbers(col, decimal_comma=decimal_comma, partial=column in _NUMBER_COLUMNS)
        if converted is not None:
            df[column] = converted
    return df
