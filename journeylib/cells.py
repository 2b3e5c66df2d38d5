"""Cells to typed values: numbers and dates, the same way on every path.

A score typed as ``n/a``, a ``#N/A`` left by a failed spreadsheet formula, a
``True`` among numbers, a date written ``03/04/2026``: each reader and
:func:`journeylib.validate` must read such cells the same way.  This module is
that one way; the readers (:mod:`journeylib.io`) and the contract
(:mod:`journeylib.schema`) call it, and the SQL engines generate their checks
from the same token lists (:data:`journeylib.schema.NA_TOKENS`,
:data:`journeylib.schema.ERROR_TOKENS`).

Missing
    An empty cell, or text in :data:`~journeylib.schema.NA_TOKENS` (``NA``,
    ``n/a``, ``null``, ``None``, ``NaN``...; any case, spaces ignored), is a
    missing answer: NaN.
Errors
    Text in :data:`~journeylib.schema.ERROR_TOKENS` (``#N/A``, ``#DIV/0!``...)
    is a spreadsheet error: reported, never read as missing.
Numbers
    Numbers, and text holding a number (``" 4 "``, ``"4.0"``, ``"1e3"``).
    ``True``/``False`` are numbers only where the scale is ``binary``.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd

from .schema import MESSAGES, TIME_ZONE_PATTERN

__all__ = ["parse_numbers", "parse_timestamps"]

_DMY = re.compile(r"^\s*(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})(?:[ T]|$)")


def _tokens():
    from .schema import ERROR_TOKENS, NA_TOKENS

    return NA_TOKENS, ERROR_TOKENS


def parse_numbers(values):
    """Read a column of answers as numbers, saying which cells are not numbers and why.

    Parameters
    ----------
    values : pandas.Series or array-like
        A column as read from a file or given in a DataFrame: numbers, text,
        booleans, None.  Never modified.

    Returns
    -------
    numbers : numpy.ndarray
        float64; NaN for missing cells and for cells that are not numbers.
    not_number : numpy.ndarray of bool
        Text that is neither a number nor a missing token (``"zes"``).
    error_value : numpy.ndarray of bool
        Spreadsheet error values (``"#N/A"``, ``"#DIV/0!"``...).
    boolean : numpy.ndarray of bool
        ``True``/``False`` cells (read as 1/0 in `numbers`): valid answers on
        the ``binary`` scale only, which the caller decides.

    Examples
    --------
    >>> x, bad, err, boolean = parse_numbers(["4", " n/a ", "#N/A", True, "zes", None, 2.5])
    >>> x.tolist()
    [4.0, nan, nan, 1.0, nan, nan, 2.5]
    >>> bad.tolist(), err.tolist(), boolean.tolist()
    ([False, False, False, False, True, False, False], [False, False, True, False, False, False, False], [False, False, False, True, False, False, False])
    """
    s = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values, dtype=object))
    n = len(s)
    none = np.zeros(n, dtype=bool)
    if pd.api.types.is_bool_dtype(s.dtype):
        present = s.notna().to_numpy()
        return s.astype("float64").to_numpy(na_value=np.nan), none, none, present
    if pd.api.types.is_complex_dtype(s.dtype):  # 1+2j is not an answer on any scale
        z = s.to_numpy()
        real = np.imag(z) == 0
        return np.where(real, np.real(z), np.nan), ~real & s.notna().to_numpy(), none, none
    if pd.api.types.is_numeric_dtype(s.dtype):
        return s.to_numpy(dtype="float64", na_value=np.nan), none, none, none
    present = s.notna().to_numpy()
    na_tokens, error_tokens = _tokens()
    if s.dtype == object:
        kinds = s.map(type)
        boolean = kinds.isin((bool, np.bool_)).to_numpy()
        is_text = kinds.isin((str, np.str_)).to_numpy()
    else:  # string dtype
        boolean = none
        is_text = present
    numbers = np.full(n, np.nan)
    not_number = np.zeros(n, dtype=bool)
    error_value = np.zeros(n, dtype=bool)
    if boolean.any():
        numbers[boolean] = s[boolean].astype("float64").to_numpy()
    other = present & ~boolean & ~is_text  # numbers (and odd objects) in an object column
    if s.dtype == object and other.any():
        odd = kinds.isin((complex, np.complex64, np.complex128)).to_numpy() | \
            kinds.map(lambda k: not issubclass(k, (int, float, np.number))).to_numpy(dtype=bool)
        odd &= other
        not_number[odd] = True
        other &= ~odd
    if other.any():
        conv = pd.to_numeric(s[other], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        numbers[other] = conv
        not_number[other] = np.isnan(conv) & ~s[other].map(_is_nan).to_numpy(dtype=bool)
    if is_text.any():
        text = s[is_text].astype("str").str.strip()
        low = text.str.lower()
        missing = low.isin(na_tokens).to_numpy()
        err = low.isin(error_tokens).to_numpy()
        conv = pd.to_numeric(text.where(~(missing | err)), errors="coerce").to_numpy(
            dtype="float64", na_value=np.nan)
        numbers[is_text] = conv
        where = np.flatnonzero(is_text)
        error_value[where[err]] = True
        not_number[where[np.isnan(conv) & ~missing & ~err & ~low.isin(("nan",)).to_numpy()]] = True
    return numbers, not_number, error_value, boolean


def _is_nan(x):
    try:
        return bool(np.isnan(x))
    except (TypeError, ValueError):
        return False


def parse_timestamps(values, *, dayfirst=None, name="timestamp"):
    """Read a column of dates and times, refusing what cannot be read without guessing.

    Parameters
    ----------
    values : pandas.Series
        Dates as text, Python/NumPy datetimes, or already datetime64 (naive
        or with a time zone, which are kept as they are).  Never modified.
    dayfirst : bool, optional
        How to read ``03/04/2026``.  None (default) decides from the data:
        a first number above 12 anywhere means day first, a second number
        above 12 means month first; when every date fits both readings a
        ``UserWarning`` says that month first was assumed and how to change it.
    name : str
        Column name for the warning.

    Returns
    -------
    timestamps : pandas.Series
        datetime64, naive or time-zone aware.  Offsets that differ between
        rows (``+01:00`` in winter, ``+02:00`` in summer) are converted to UTC.
    problems : list of (numpy.ndarray of bool, str)
        Masks of bad cells with what is wrong: not a date, or a mix of times
        with and without a time zone (which cannot be put on one clock).

    Examples
    --------
    >>> import pandas as pd
    >>> ts, problems = parse_timestamps(pd.Series(["2026-03-29 01:30+01:00",
    ...                                            "2026-03-29 03:30+02:00"]))
    >>> str(ts.dt.tz), (ts.iloc[1] - ts.iloc[0]).seconds // 60, problems
    ('UTC', 60, [])
    >>> ts, problems = parse_timestamps(pd.Series(["13/04/2026", "03/04/2026"]))
    >>> ts.dt.month.tolist()
    [4, 4]
    """
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return s, []
    if not pd.api.types.is_numeric_dtype(s.dtype):
        try:  # the common case, ISO 8601 text (one zone or none), read in one vectorised pass
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ts = pd.to_datetime(s, format="ISO8601")
            if pd.api.types.is_datetime64_any_dtype(ts.dtype):
                return ts, []
        except (ValueError, TypeError, OverflowError):
            pass  # anything else: the careful path below
    na_tokens, _ = _tokens()
    present = s.notna().to_numpy()
    if pd.api.types.is_numeric_dtype(s.dtype):
        return (pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]"),
                [(present, MESSAGES["ts_number"])] if present.any() else [])
    number = present & s.map(lambda x: isinstance(x, (int, float, np.number))
                             and not isinstance(x, bool)).to_numpy(dtype=bool)
    text = s.where(~number)  # seconds? milliseconds? since when? not guessed: refused below
    text = text.where(~text.map(lambda x: isinstance(x, str) and x.strip().lower() in na_tokens)
                   .to_numpy(dtype=bool))
    present = present & text.notna().to_numpy()
    problems = [(number, MESSAGES["ts_number"])] if number.any() else []
    is_str = text.map(lambda x: isinstance(x, str)).to_numpy(dtype=bool)
    if dayfirst is None and is_str.any():
        parts = text[is_str].str.extract(_DMY)
        if parts.notna().all(axis=None) and len(parts):
            a = parts[0].astype(int)
            b = parts[1].astype(int)
            if (a > 12).any() and not (b > 12).any():
                dayfirst = True
            elif (b > 12).any() and not (a > 12).any():
                dayfirst = False
            elif not (a > 12).any() and not (b > 12).any() and (a != b).any():
                warnings.warn(
                    f"The dates in {name!r} fit both day/month and month/day (e.g. "
                    f"{text[is_str].iloc[int(np.flatnonzero((a != b).to_numpy())[0])]!r}): read as "
                    "month first. Pass dayfirst=True if they are day first.",
                    UserWarning, stacklevel=3)
    # times with and without a time zone cannot be put on one clock
    aware = np.zeros(len(s), dtype=bool)
    if is_str.any():
        aware[is_str] = text[is_str].str.contains(TIME_ZONE_PATTERN, regex=True).to_numpy(dtype=bool)
    objs = ~is_str & present
    if objs.any():
        aware[objs] = text[objs].map(lambda x: getattr(x, "tzinfo", None) is not None).to_numpy(bool)
    if aware.any() and not aware[present].all():
        naive = present & ~aware
        problems.append((naive, MESSAGES["ts_mixed"]))
        text = text.where(~naive)
    kw = {"errors": "coerce", "dayfirst": bool(dayfirst)}
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*Parsing dates in .* format when dayfirst")
        warnings.filterwarnings("ignore", message="Could not infer format")
        try:
            ts = pd.to_datetime(text, **kw)
        except (ValueError, TypeError):  # offsets that differ between rows
            ts = None
        if aware.any():
            # one clock for all: UTC, unless keeping the zone loses nothing (a single offset)
            utc = pd.to_datetime(text, utc=True, **kw)
            if (ts is None or not pd.api.types.is_datetime64_any_dtype(ts.dtype)
                    or int(ts.isna().sum()) > int(utc.isna().sum())):
                ts = utc
        elif ts is None:
            ts = pd.to_datetime(text.astype(object), utc=True, **kw)
    bad = present & ts.isna().to_numpy() & text.notna().to_numpy()
    if bad.any():  # the format was inferred from the first date: retry the others one by one
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            again = pd.to_datetime(text[bad], format="mixed", utc=bool(aware.any()), **kw)
        if again.notna().any():
            got = again.notna().to_numpy()
            idx = np.flatnonzero(bad)[got]
            if ts.dt.tz is not None and again.dt.tz is not None:
                again = again.dt.tz_convert(ts.dt.tz)
            ts = ts.copy()
            ts.iloc[idx] = again[got].to_numpy() if ts.dt.tz is None else again[got]
            bad[idx] = False
    if bad.any():
        problems.append((bad, MESSAGES["not_date"]))
    return ts, problems
