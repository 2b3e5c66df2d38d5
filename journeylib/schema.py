"""The tidy journey contract: column names, validation and :class:`JourneyDataError`.

One row per touchpoint moment, long format::

    journey_id  step  touchpoint  score  score_scale  rating  rating_scale  [optional columns]

``rating`` and ``rating_scale`` belong to the journey and repeat on each of its
rows.  Optional columns: ``channel``, ``actor`` (which organisation),
``timestamp``, ``face``, ``text``, ``recommend`` with ``recommend_scale``
(``nps11`` when absent), ``stop`` (diaries) and ``note``.  Any other column is
kept as it is.

Row numbers in error messages are those a spreadsheet shows: the header is
row 1, so the first data row is row 2.
"""

from __future__ import annotations

import difflib

import numpy as np
import pandas as pd

from .scales import SCALES, get_scale

__all__ = [
    "JourneyDataError",
    "NA_TOKENS",
    "ERROR_TOKENS",
    "MESSAGES",
    "REQUIRED",
    "OPTIONAL",
    "JOURNEY_LEVEL",
    "validate",
    "spreadsheet_row",
]

REQUIRED: tuple[str, ...] = (
    "journey_id",
    "step",
    "touchpoint",
    "score",
    "score_scale",
    "rating",
    "rating_scale",
)
OPTIONAL: tuple[str, ...] = (
    "channel",
    "actor",
    "timestamp",
    "face",
    "text",
    "recommend",
    "recommend_scale",
    "stop",
    "note",
)
#: Columns that describe the journey, not the moment: equal on every row of a journey.
JOURNEY_LEVEL: tuple[str, ...] = ("rating", "rating_scale", "recommend", "recommend_scale")

MAX_PROBLEMS = 20
#: Longest value quoted in an error message (longer ones are cut with an ellipsis).
MAX_VALUE_CHARS = 80

#: Text that means "no answer" in a number column (``score``, ``rating``, ``recommend``,
#: ``step``), compared after stripping spaces and lower-casing.  Every entry point (the CSV,
#: Excel and Parquet readers, :func:`validate` on a DataFrame, DuckDB and Spark) reads these as
#: missing, and nothing else.
NA_TOKENS: tuple[str, ...] = ("", "na", "n/a", "nan", "null", "none", "<na>")

#: Spreadsheet error values (compared lower-cased): a formula that failed.  They are reported
#: as errors naming the cell, never read as missing.
ERROR_TOKENS: tuple[str, ...] = ("#n/a", "#div/0!", "#value!", "#ref!", "#name?", "#num!",
                                 "#null!", "#spill!", "#calc!", "#getting_data", "#n/a n/a",
                                 "#na")

#: The contract's rules in words: one text per rule, used by every path (pandas, DuckDB,
#: Spark, the readers) so that the same bad input gets the same message everywhere.
MESSAGES: dict[str, str] = {
    "column_missing": "required column is missing",
    "empty": "the table is empty: journey data needs at least one row",
    "journey_id_missing": "journey_id is missing",
    "step": "step must be a whole number >= 0 (the moment's order)",
    "duplicate": "each (journey_id, step) must be unique",
    "not_number": "{column} is not a number",
    "error_value": "{column} holds a spreadsheet error value ({value}), not a number: fix the "
                   "formula or clear the cell",
    "bool": "{column} holds True/False, which is a valid answer only on the 'binary' scale",
    "scale_missing": "scale name is missing",
    "unknown_scale": "unknown scale",
    "differs": "{column} differs between rows of journey {journey}; a journey has one {column}",
    "not_date": "not a date/time",
}

_COPY_ON_WRITE = int(pd.__version__.split(".")[0]) >= 3 or bool(
    getattr(pd.options.mode, "copy_on_write", False) is True
)


class JourneyDataError(ValueError):
    """Bad journey data.

    The message lists every problem found (up to 20), each naming the row as a
    spreadsheet shows it, the column, the value and what was expected.  The
    problems are also available as a list of dicts in :attr:`problems`.
    """

    def __init__(self, problems, *, source=None, total=None):
        self.problems = list(problems)
        self.source = None if source is None else str(source)
        self.total = len(self.problems) if total is None else total
        where = f" in {self.source}" if self.source else ""
        head = f"{self.total} problem{'s' if self.total != 1 else ''} found{where}:"
        lines = [head] + [f"  - {_format(p)}" for p in self.problems]
        if self.total > len(self.problems):
            lines.append(f"  ... and {self.total - len(self.problems)} more.")
        super().__init__("\n".join(lines))


def _short(value, limit=MAX_VALUE_CHARS):
    """``repr(value)``, cut to about `limit` characters (a whole paragraph is no use in a message)."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def _format(p):
    """One problem as a line: where (file, row, journey, step, column), the value, the message."""
    parts = []
    if p.get("file") is not None:
        parts.append(f"file {str(p['file'])!r}")
    if p.get("line") is not None:
        parts.append(f"line {p['line']}")
    if p.get("row") is not None:
        parts.append(f"row {p['row']}")
    if p.get("journey") is not None:
        parts.append(f"journey {_short(p['journey'])}")
    if p.get("step") is not None:
        parts.append(f"step {_short(p['step'])}")
    if p.get("column") is not None:
        parts.append(f"column {_short(p['column'])}")
    where = ", ".join(parts)
    value = f": value {_short(p['value'])}" if "value" in p else ""
    return f"{where}{value}: {p['message']}" if where else p["message"]


def spreadsheet_row(position):
    """Row number as a spreadsheet shows it for a 0-based data position.

    Error messages name rows this way, so a user can find them in the file:
    the header is row 1, the first data row is row 2.

    Parameters
    ----------
    position : int
        0-based position of the row among the data rows (``df.iloc`` position).

    Returns
    -------
    int
        ``position + 2``.

    Examples
    --------
    >>> spreadsheet_row(0)
    2
    >>> import numpy as np
    >>> spreadsheet_row(np.int64(9))
    11
    """
    return int(position) + 2


class _Problems:
    def __init__(self):
        self.items = []
        self.total = 0

    def add(self, message, *, row=None, column=None, **value):
        self.total += 1
        if len(self.items) < MAX_PROBLEMS:
            item = {"row": row, "column": column, "message": message}
            item.update(value)
            self.items.append(item)

    def add_rows(self, mask, column, values, message, limit=MAX_PROBLEMS):
        """One problem per True position in `mask` (counted all, listed up to the limit).

        `values` is an array or a Series (read by position, only at flagged rows,
        so a large text column is never converted as a whole).
        """
        positions = np.flatnonzero(np.asarray(mask))
        if not len(positions):
            return
        get = values.iloc.__getitem__ if isinstance(values, pd.Series) else values.__getitem__
        for pos in positions[:limit]:
            self.add(message, row=spreadsheet_row(pos), column=column, value=_py(get(pos)))
        self.total += max(0, len(positions) - limit)


def _py(v):
    """A plain Python value for messages."""
    if isinstance(v, np.generic):
        return v.item()
    return v


def _journey_codes(ids):
    """Integer code per row, numbering journeys in order of first appearance (NaN is a journey)."""
    if ids.dtype.kind in "iu" and len(ids) > 1:
        arr = ids.to_numpy()
        change = arr[1:] != arr[:-1]
        if (arr[1:] >= arr[:-1]).all():  # sorted ids: no hashing needed
            codes = np.empty(len(arr), dtype="int64")
            codes[0] = 0
            np.cumsum(change, out=codes[1:])
            return codes
    return pd.factorize(ids, use_na_sentinel=False)[0].astype("int64", copy=False)


def _first_rows(codes):
    """Position of each group's first row, for codes numbered in order of first appearance."""
    codes = np.asarray(codes)
    if not len(codes):
        return np.zeros(0, dtype="intp")
    seen = np.maximum.accumulate(codes)
    is_first = np.empty(len(codes), dtype=bool)
    is_first[0] = True
    is_first[1:] = codes[1:] > seen[:-1]
    return np.flatnonzero(is_first)


def _duplicated(jcodes, step):
    """Rows repeating an earlier (journey, step) pair, like DataFrame.duplicated(keep="first")."""
    n = len(step)
    if n < 2:
        return np.zeros(n, dtype=bool)
    jcodes = np.asarray(jcodes, dtype="int64")
    # fast path: rows sorted by journey, steps strictly increasing within each journey
    same = jcodes[1:] == jcodes[:-1]
    if (jcodes[1:] >= jcodes[:-1]).all() and (step[1:][same] > step[:-1][same]).all():
        return np.zeros(n, dtype=bool)
    lo, hi = int(step.min()), int(step.max())
    width = hi - lo + 1
    if width < 2**62 // max(int(jcodes.max()) + 1, 1):
        key = pd.Series(jcodes * width + (step - lo))
        return key.duplicated(keep="first").to_numpy()
    return pd.DataFrame({"j": jcodes, "s": step}).duplicated(keep="first").to_numpy()


def _as_number(series):
    """Series -> float64 array plus a mask of entries that were present but not numbers."""
    if pd.api.types.is_bool_dtype(series):
        series = series.astype("float64")
    num = pd.to_numeric(series, errors="coerce")
    arr = num.to_numpy(dtype="float64", na_value=np.nan)
    bad = np.isnan(arr) & series.notna().to_numpy()
    return arr, bad


def _scale_column(df, column, problems):
    """Check a scale-name column; return it as a categorical."""
    col = df[column]
    cat = col.astype("category") if not isinstance(col.dtype, pd.CategoricalDtype) else col
    known = set(SCALES)
    codes = cat.cat.codes.to_numpy()
    unused = []
    for i, name in enumerate(cat.cat.categories):
        if name not in known:
            pos = np.flatnonzero(codes == i)
            if not len(pos):  # a category no row uses: drop it, nothing to report
                unused.append(name)
                continue
            close = difflib.get_close_matches(str(name), list(SCALES), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.add(
                f"unknown scale{hint}; known scales: {', '.join(SCALES)}",
                row=spreadsheet_row(pos[0]),
                column=column,
                value=name,
            )
    if unused:
        cat = cat.cat.remove_categories(unused)
    problems.add_rows(codes < 0, column, cat, "scale name is missing")
    return cat


def _off_scale(scale, values, *, scale_column=None):
    """Mask of `values` that are not valid answers on `scale`, and the message saying so.

    NaN (not answered) is never off the scale.  With `scale_column` the message
    says which column gave the scale.
    """
    s = get_scale(scale)
    kind = "whole number" if s.integer else "number"
    per = f", per column {scale_column!r}" if scale_column is not None else ""
    message = (f"not a valid answer on scale {s.name!r} (expected a {kind} from {s.low:g} to "
               f"{s.high:g}{per})")
    return ~s.contains(values), message


def _check_on_scale(values, scales, column, scale_column, problems, *, raw):
    """Flag values that are not valid answers on their row's scale."""
    cats = scales.cat.categories
    codes = scales.cat.codes.to_numpy()
    for i, name in enumerate(cats):
        if name not in SCALES:
            continue
        off, message = _off_scale(name, values, scale_column=scale_column)
        bad = (codes == i) & off
        if bad.any():
            problems.add_rows(bad, column, raw, message)


def validate(data, *, source=None):
    """Check `data` against the tidy journey contract and return a validated copy.

    Parameters
    ----------
    data : pandas.DataFrame
        Long table, one row per touchpoint moment.  Never modified.
    source : str or path-like, optional
        Where the data came from (a file name); named in error messages.

    Returns
    -------
    pandas.DataFrame
        A new frame with normalised dtypes: ``journey_id`` int64 when all ids
        are whole numbers, else string; ``step`` int64; ``score``, ``rating``
        and ``recommend`` float64 (missing as NaN); scale columns categorical;
        ``timestamp`` datetime64.  Row order and extra columns are kept.

    Raises
    ------
    JourneyDataError
        Listing every problem found (up to 20) with row, column, value and what
        was expected: a missing required column (with the closest existing
        name), an empty table, a missing ``journey_id``, a missing or
        non-integer ``step``, a duplicate (journey_id, step), a non-numeric
        score or rating, a value off its scale, an unknown scale name, and a
        rating (or rating_scale, recommend) that differs between rows of one
        journey.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"journey_id": [1, 1], "step": [1, 2], "touchpoint": ["web", "mail"],
    ...                    "score": [4, 2], "score_scale": "likert5",
    ...                    "rating": 2, "rating_scale": "likert5"})
    >>> validate(df)["score"].dtype
    dtype('float64')
    >>> validate(df.assign(score=[4, 9]))
    Traceback (most recent call last):
    ...
    journeylib.schema.JourneyDataError: 1 problem found:
      - row 3, column 'score': value 9: not a valid answer on scale 'likert5' (expected a whole number from 1 to 5, per column 'score_scale')
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"Journey data must be a pandas DataFrame, not {type(data).__name__}.")
    problems = _Problems()
    missing = [c for c in REQUIRED if c not in data.columns]
    for col in missing:
        # suggest only columns that are not already a contract column
        spare = [str(c) for c in data.columns if c not in REQUIRED]
        close = difflib.get_close_matches(col, spare, n=1, cutoff=0.5)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        problems.add(
            f"required column is missing{hint} (columns present: {', '.join(map(str, data.columns))})",
            column=col,
        )
    if len(data) == 0:
        problems.add("the table is empty: journey data needs at least one row")
    if problems.total:
        raise JourneyDataError(problems.items, source=source, total=problems.total)

    # with copy-on-write (pandas 3) a shallow copy is enough: columns are only ever replaced
    df = data.copy(deep=not _COPY_ON_WRITE)

    # journey_id
    jid = df["journey_id"]
    problems.add_rows(jid.isna().to_numpy(), "journey_id", jid, "journey_id is missing")
    if jid.dtype.kind in "iu":
        if jid.dtype != "int64":
            df["journey_id"] = jid.astype("int64")
    elif pd.api.types.is_numeric_dtype(jid) and not pd.api.types.is_bool_dtype(jid):
        arr = jid.to_numpy(dtype="float64", na_value=np.nan)
        if np.all(np.isnan(arr) | (np.round(arr) == arr)) and not np.isnan(arr).any():
            df["journey_id"] = arr.astype("int64") if jid.dtype.kind == "f" else jid.astype("int64")
    elif not isinstance(jid.dtype, pd.CategoricalDtype):
        df["journey_id"] = jid.astype(str)

    # step
    step_raw = df["step"]
    step, bad = _as_number(step_raw)
    if step_raw.dtype.kind in "iu":
        bad |= step < 0
    else:
        bad |= np.isnan(step) | (~np.isnan(step) & ((np.round(step) != step) | (step < 0)))
    problems.add_rows(bad, "step", step_raw, "step must be a whole number >= 0 (the moment's order)")
    # one integer code per journey, in order of first appearance (missing ids form one group)
    jcodes = _journey_codes(df["journey_id"])
    if not bad.any():
        df["step"] = step.astype("int64")
        dup = _duplicated(jcodes, df["step"].to_numpy())
        if dup.any():
            ids = df["journey_id"]
            for pos in np.flatnonzero(dup)[:MAX_PROBLEMS]:
                twin = np.flatnonzero((jcodes[:pos] == jcodes[pos]) & (step[:pos] == step[pos]))
                prev = spreadsheet_row(twin[0]) if len(twin) else "?"
                problems.add(
                    f"duplicate step {int(step[pos])} in journey {_py(ids.iat[pos])!r} (already on row {prev});"
                    " each (journey_id, step) must be unique",
                    row=spreadsheet_row(pos),
                    column="step",
                    value=int(step[pos]),
                )
            problems.total += max(0, int(dup.sum()) - MAX_PROBLEMS)

    # scales
    score_scale = _scale_column(df, "score_scale", problems)
    rating_scale = _scale_column(df, "rating_scale", problems)
    df["score_scale"] = score_scale
    df["rating_scale"] = rating_scale

    for column, scales in (("score", score_scale), ("rating", rating_scale)):
        raw = df[column]
        values, bad = _as_number(df[column])
        problems.add_rows(bad, column, raw, f"{column} is not a number")
        _check_on_scale(values, scales, column, f"{column}_scale", problems, raw=raw)
        df[column] = values

    if "recommend" in df.columns:
        if "recommend_scale" not in df.columns:
            df["recommend_scale"] = "nps11"
        rec_scale = _scale_column(df, "recommend_scale", problems)
        df["recommend_scale"] = rec_scale
        raw = df["recommend"]
        values, bad = _as_number(df["recommend"])
        problems.add_rows(bad, "recommend", raw, "recommend is not a number")
        _check_on_scale(values, rec_scale, "recommend", "recommend_scale", problems, raw=raw)
        df["recommend"] = values

    if "timestamp" in df.columns and not pd.api.types.is_datetime64_any_dtype(df["timestamp"]):
        ts = pd.to_datetime(df["timestamp"], errors="coerce")
        bad = (ts.isna() & df["timestamp"].notna()).to_numpy()
        problems.add_rows(bad, "timestamp", df["timestamp"], "not a date/time")
        df["timestamp"] = ts

    # journey-level columns must agree within a journey: compare each row with the journey's
    # first row through integer codes (O(n), no groupby over object values)
    first = _first_rows(jcodes)
    for column in JOURNEY_LEVEL:
        if column not in df.columns:
            continue
        col = df[column]
        if column in ("rating", "recommend"):
            v = col.to_numpy(dtype="float64", na_value=np.nan)
            fv = v[first][jcodes]
            differs = ~((v == fv) | (np.isnan(v) & np.isnan(fv)))
        else:
            v = col.cat.codes.to_numpy() if isinstance(col.dtype, pd.CategoricalDtype) else (
                pd.factorize(col, use_na_sentinel=True)[0])
            differs = v != v[first][jcodes]
        if differs.any():
            for pos in np.flatnonzero(differs)[:MAX_PROBLEMS]:
                head = first[jcodes[pos]]
                firstval = col.iat[head]
                firstval = "<missing>" if pd.isna(firstval) else firstval
                problems.add(
                    f"{column} differs between rows of journey {_py(df['journey_id'].iat[pos])!r} "
                    f"(first row of the journey has {_py(firstval)!r}); a journey has one {column}",
                    row=spreadsheet_row(pos),
                    column=column,
                    value=_py(col.iat[pos]),
                )
            problems.total += max(0, int(differs.sum()) - MAX_PROBLEMS)

    if problems.total:
        raise JourneyDataError(problems.items, source=source, total=problems.total)
    return df
