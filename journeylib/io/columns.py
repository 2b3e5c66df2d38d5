"""Column clean-up shared by the readers: header names, trailing rows, numbers stored as
text (decimal comma, missing tokens), whole-number ids."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd

from ..schema import NA_TOKENS, JourneyDataError
from ._common import column_letter

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


#: ``DataFrame.attrs`` key under which a reader records how many lines of the file lie above
#: the header it used, so that :func:`journeylib.validate` names the file's own rows.
ROW_OFFSET = "journeylib.row_offset"

def check_header(names, source, *, line=None, sheet=None, first_column=1, row=None):
    """Refuse column names that repeat each other once spaces are trimmed.

    ``rating`` and ``rating `` (or two ``rating`` columns) would otherwise
    become two columns that look the same, or be renamed ``rating.1`` by
    pandas, and one of them would be analysed without a word.  Empty names
    are left alone (pandas names them ``Unnamed: n``).

    Parameters
    ----------
    names : list of str
        The header as written in the file, left to right.
    source : str or path-like
        The file, for the message.
    line : int, optional
        Line of the header in a text file.
    sheet : str, optional
        Sheet of a workbook.
    first_column : int
        1-based column number of ``names[0]`` (a sheet may start at column C).
    row : int, optional
        Row of the header in a sheet.

    Raises
    ------
    JourneyDataError
        Naming each repeated name and the columns (number and letter) holding it.
    """
    positions = {}
    for j, name in enumerate(names):
        clean = str(name).replace("\ufeff", "").strip()
        if clean:
            positions.setdefault(clean, []).append(j + first_column)
    twice = {name: pos for name, pos in positions.items() if len(pos) > 1}
    if not twice:
        return
    where = f"sheet {sheet!r}, row {row}: " if sheet is not None else ""
    problems = [{
        "line": line, "column": name,
        "message": f"{where}the header names columns "
                   f"{' and '.join(f'{k} ({column_letter(k)})' for k in pos[:5])} alike once "
                   "spaces are trimmed; give each column its own name (or remove the copy)"}
        for name, pos in list(twice.items())[:20]]
    raise JourneyDataError(problems, source=source, total=len(twice))


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
    # missing: an empty cell or a token of journeylib.schema.NA_TOKENS ("n/a", "NULL"...)
    present = series.notna().to_numpy() & ~s.str.lower().isin(NA_TOKENS).to_numpy()
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


def read_timestamps(column: pd.Series, *, dayfirst=None, continental=False) -> pd.Series:
    """A text ``timestamp`` column as datetime64 (the column as it was when a cell is no date).

    ISO dates (``2026-04-03 10:15``) are read directly; anything else goes
    through :func:`journeylib.cells.parse_timestamps`, which decides day or
    month first from the data or warns.  In a continental file
    (`continental`: separated by ``;``) dates that fit both readings are read
    day first, with a warning; ``dayfirst=`` decides when given.  A column
    with cells that are not dates is returned unchanged, for validation to
    name the rows.
    """
    from ..cells import parse_timestamps
    from ._common import warn_user

    try:  # ISO dates have one reading whatever `dayfirst` says, and this is fast
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            iso = pd.to_datetime(column, format="ISO8601")
        if pd.api.types.is_datetime64_any_dtype(iso.dtype):
            return iso
    except (ValueError, TypeError, OverflowError):
        pass
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ts, problems = parse_timestamps(column, dayfirst=dayfirst)
    ambiguous = [w for w in caught if "fit both" in str(w.message)]
    if continental and dayfirst is None and ambiguous:
        caught = [w for w in caught if w not in ambiguous]
        ts, problems = parse_timestamps(column, dayfirst=True)
        warn_user("The dates in 'timestamp' fit both day/month and month/day: read as day "
                  "first, because the file is separated by ';' (the continental convention). "
                  "Pass dayfirst=False if they are month first.")
    for w in caught:
        warn_user(str(w.message))
    return column if problems else ts
