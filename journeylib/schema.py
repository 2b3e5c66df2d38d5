"""The tidy journey contract: column names, validation and :class:`JourneyDataError`.

One row per touchpoint moment, long format::

    journey_id  step  touchpoint  score  score_scale  rating  rating_scale  [optional columns]

``rating`` and ``rating_scale`` belong to the journey and repeat on each of its
rows.  Optional columns: ``channel``, ``actor`` (which organisation),
``timestamp``, ``face``, ``text``, ``recommend`` with ``recommend_scale``
(``nps11`` when absent), ``stop`` (diaries), ``note`` and ``ordered``.  Any
other column is kept as it is.

``ordered`` (journey-level, True when absent) says whether ``step`` is the
order in which the customer met the moments.  Tidy files, diaries and the
seed cases are ordered; the items of a survey (seat comfort, staff, food) are
not, and :func:`journeylib.from_wide` marks them ``ordered=False`` unless told
otherwise.  On unordered journeys the metrics that depend on order (``first``,
``last``, ``peak_end``, ``trend``...) are undefined (NaN).

Row numbers in error messages are those a spreadsheet shows: the header is
row 1, so the first data row is row 2.
"""

from __future__ import annotations

import difflib

import numpy as np
import pandas as pd

from .scales import SCALES

__all__ = [
    "JourneyDataError",
    "NA_TOKENS",
    "ERROR_TOKENS",
    "MESSAGES",
    "TIME_ZONE_PATTERN",
    "JOURNEY_LEVEL",
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
    "ordered",
)
#: Columns that describe the journey, not the moment: equal on every row of a journey.
JOURNEY_LEVEL: tuple[str, ...] = ("rating", "rating_scale", "recommend", "recommend_scale",
                                  "ordered")
#: Text read as True / False (1 / 0): the ``ordered`` column, and answers on the ``binary`` scale
#: in every reader (lower-cased, spaces ignored).
TRUE_TOKENS: tuple[str, ...] = ("true", "yes", "ja", "1", "1.0", "y", "t")
FALSE_TOKENS: tuple[str, ...] = ("false", "no", "nee", "0", "0.0", "n", "f")

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
    "journey_id_float": "journey_id must be a whole number or text (a fractional, infinite or huge "
                        "float id is not exact)",
    "ts_number": "a number, not a date/time: journeylib does not guess the unit; convert epoch "
                 "seconds with pd.to_datetime(column, unit='s') first",
    "ts_mixed": "a time without a time zone among times with one; give every time its offset "
                "(or none)",
    "ordered": "ordered must be True or False (are the moments in journey order?)",
}

#: A time of day followed by a zone ("10:00Z", "10:00:00+02:00", "10:00 +0200"): how every path
#: (pandas, DuckDB, Spark) tells a time with a time zone from one without.
TIME_ZONE_PATTERN = r"\d:\d\d(?::\d\d(?:\.\d+)?)?\s*(?:[zZ]|[+-]\d\d(?::?\d\d)?)\s*$"

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
    if where:
        return f"{where}{value}: {p['message']}"
    return f"value {_short(p['value'])}: {p['message']}" if "value" in p else p["message"]


def _column_list(columns, limit=30):
    """The column names for a message: each cut to 40 characters, at most `limit` of them."""
    names = [_short(str(c), 40)[1:-1] if len(repr(str(c))) > 42 else str(c) for c in columns]
    more = f", ... and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


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


def _as_number(series):
    """Series -> float64 array plus a mask of entries that were present but not numbers.

    A thin view of :func:`journeylib.cells.parse_numbers` (spreadsheet errors and
    True/False count as "not a number" here); :func:`validate` reports each kind
    in its own words.
    """
    from .cells import parse_numbers

    values, not_number, error_value, boolean = parse_numbers(series)
    return values, not_number | error_value | boolean


def _scale_column(df, column, problems=None):
    """A scale-name column as a categorical (names stripped; unused categories dropped).

    Unknown and missing names are reported by :func:`journeylib.checks.verify`;
    with `problems` (the wide reader) they are reported here, naming rows of
    `df`.
    """
    col = df[column]
    if isinstance(col.dtype, pd.CategoricalDtype):
        cat = col
    else:
        text = col.where(col.isna(), col.astype("str").str.strip())
        cat = text.astype("category")
    used = np.unique(cat.cat.codes.to_numpy())
    unused = [c for i, c in enumerate(cat.cat.categories) if c not in SCALES and i not in used]
    if unused:  # a category no row uses (left by a filter or a concat): nothing to report
        cat = cat.cat.remove_categories(unused)
    if problems is not None:
        from .checks import _check_scale_names

        _check_scale_names(pd.DataFrame({column: cat}), column, problems)
    return cat


def _off_scale(scale, values, *, scale_column=None):
    """Mask of `values` that are not valid answers on `scale`, and the message saying so.

    NaN (not answered) is never off the scale; ``inf`` always is.  With
    `scale_column` the message says which column gave the scale.
    """
    from .checks import off_scale, off_scale_message

    return off_scale(values, scale), off_scale_message(scale, scale_column)


def _check_on_scale(values, scales, column, scale_column, problems, *, raw):
    """Flag values that are not valid answers on their row's scale (rows of the caller's table)."""
    cats = scales.cat.categories
    codes = scales.cat.codes.to_numpy()
    for i, name in enumerate(cats):
        if name not in SCALES:
            continue
        off, message = _off_scale(name, values, scale_column=scale_column)
        bad = (codes == i) & off
        if bad.any():
            problems.add_rows(bad, column, raw, message)


def _journey_ids(jid, problems):
    """journey_id in the contract's dtype: int64 when every id is a whole number that fits, else
    the ids as they are (uint64 beyond int64, text)."""
    if jid.dtype.kind == "i":
        return jid.astype("int64") if jid.dtype != "int64" else jid
    if jid.dtype.kind == "u":
        if len(jid) and int(jid.max()) > np.iinfo(np.int64).max:
            return jid.astype("uint64")  # ids >= 2**63: kept exact, never wrapped negative
        return jid.astype("int64")
    if pd.api.types.is_bool_dtype(jid.dtype):
        return jid.astype("str")
    if pd.api.types.is_float_dtype(jid.dtype):
        arr = jid.to_numpy(dtype="float64", na_value=np.nan)
        whole = np.isfinite(arr) & (np.round(arr) == arr) & (np.abs(arr) < 2.0**53)
        if whole.all():
            return pd.Series(arr.astype("int64"), index=jid.index, name=jid.name)
        # NaN ids are reported by verify; other floats are not ids a person typed
        bad = ~whole & ~np.isnan(arr)
        problems.add_rows(bad, "journey_id", jid, MESSAGES["journey_id_float"])
        return jid
    if isinstance(jid.dtype, pd.CategoricalDtype):
        return jid.astype(object).where(jid.notna()).astype("str").where(jid.notna())
    if jid.dtype == object:
        odd = jid.map(lambda x: isinstance(x, (list, tuple, dict, set, np.ndarray, bytes)))
        odd = odd.to_numpy(dtype=bool)
        if odd.any():  # a list or a dict is no id (and cannot be grouped on)
            problems.add_rows(odd, "journey_id", jid, "journey_id must be a number or text, not "
                              "a list, a dict or bytes")
            jid = jid.where(~odd, jid.map(repr))  # reported; kept as text for the other checks
    if pd.api.types.is_string_dtype(jid.dtype) and jid.dtype != object:
        return jid
    return jid.where(jid.isna(), jid.astype("str"))


def _steps(raw, problems):
    """step as int64 (None when a step is unusable: no duplicate or journey-level checks then)."""
    from .cells import parse_numbers

    if raw.dtype.kind == "i":
        return raw.to_numpy(dtype="int64")
    if raw.dtype.kind == "u":
        big = raw.to_numpy() > np.iinfo(np.int64).max
        if big.any():
            problems.add_rows(big, "step", raw, MESSAGES["step"] + "; this one is too large")
            return None
        return raw.to_numpy(dtype="int64")
    step, not_number, error_value, boolean = parse_numbers(raw)
    with np.errstate(invalid="ignore"):
        bad = (not_number | error_value | boolean | ~np.isfinite(step) | (np.floor(step) != step)
               | (np.abs(step) >= 2.0**53))  # beyond 2**53 a float is not an exact whole number
    problems.add_rows(bad, "step", raw, MESSAGES["step"])
    if bad.any():
        return None
    return step.astype("int64")


def _ordered(raw, problems):
    """The ``ordered`` flag as bool: True/False, 1/0, yes/no; missing means ordered (the default)."""
    if pd.api.types.is_bool_dtype(raw.dtype):
        return raw.astype(bool)
    text = raw.astype("str").str.strip().str.lower()
    missing = raw.isna().to_numpy() | text.isin(NA_TOKENS).to_numpy()
    true = text.isin(TRUE_TOKENS).to_numpy()
    false = text.isin(FALSE_TOKENS).to_numpy()
    problems.add_rows(~(missing | true | false), "ordered", raw, MESSAGES["ordered"])
    return pd.Series(~false, index=raw.index, name=raw.name)


def _numbers(df, column, scale_column, problems):
    """A number column as float64; text, spreadsheet errors and True/False off 'binary' reported."""
    from .cells import parse_numbers

    raw = df[column]
    values, not_number, error_value, boolean = parse_numbers(raw)
    if not_number.any():  # yes/no, ja/nee, true/false are answers on the 'binary' scale
        binary = (df[scale_column].astype(object) == "binary").to_numpy(dtype=bool)
        words = not_number & binary
        if words.any():
            text = raw[words].astype("str").str.strip().str.lower()
            yes, no = text.isin(TRUE_TOKENS).to_numpy(), text.isin(FALSE_TOKENS).to_numpy()
            where = np.flatnonzero(words)
            values = values.copy()
            values[where[yes]] = 1.0
            values[where[no]] = 0.0
            not_number = not_number.copy()
            not_number[where[yes | no]] = False
    problems.add_rows(not_number, column, raw, MESSAGES["not_number"].format(column=column))
    if error_value.any():
        for pos in np.flatnonzero(error_value)[:MAX_PROBLEMS]:
            problems.add(MESSAGES["error_value"].format(column=column, value=raw.iat[pos]),
                         row=spreadsheet_row(pos), column=column, value=_py(raw.iat[pos]))
        problems.total += max(0, int(error_value.sum()) - MAX_PROBLEMS)
    if boolean.any():
        scales = df[scale_column]
        binary = (scales.astype(object) == "binary").to_numpy(dtype=bool)
        problems.add_rows(boolean & ~binary, column, raw, MESSAGES["bool"].format(column=column))
    return values


def validate(data, *, source=None, dayfirst=None, row_offset=0):
    """Check `data` against the tidy journey contract and return a validated copy.

    Parameters
    ----------
    data : pandas.DataFrame
        Long table, one row per touchpoint moment.  Never modified.
    source : str or path-like, optional
        Where the data came from (a file name); named in error messages.
    dayfirst : bool, optional
        How to read text dates such as ``03/04/2026`` in ``timestamp``; by
        default decided from the data, with a warning when both readings fit
        (see :func:`journeylib.cells.parse_timestamps`).
    row_offset : int, default 0
        For readers: lines of the file above the header row (a title and
        blank rows a reader skipped), added to every row number in messages
        so that they match the file.

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
            f"required column is missing{hint} (columns present: {_column_list(data.columns)})",
            column=col,
        )
    if len(data) == 0:
        problems.add("the table is empty: journey data needs at least one row")
    if problems.total:
        raise JourneyDataError(problems.items, source=source, total=problems.total)
    names = [str(c).strip() for c in data.columns]
    twice = sorted({c for c in names if names.count(c) > 1})
    if twice:
        raise JourneyDataError(
            [{"column": c, "message": "the column name appears more than once (spaces ignored); "
                                      "rename or drop the copies"} for c in twice], source=source)

    # with copy-on-write (pandas 3) a shallow copy is enough: columns are only ever replaced
    df = data.copy(deep=not _COPY_ON_WRITE)
    df["journey_id"] = _journey_ids(df["journey_id"], problems)
    step = _steps(df["step"], problems)
    if step is not None:
        df["step"] = step
    for column, scale_column in (("score", "score_scale"), ("rating", "rating_scale"),
                                 ("recommend", "recommend_scale")):
        if column not in df.columns:
            continue
        if scale_column not in df.columns:  # only recommend has a default scale
            df[scale_column] = "nps11"
        df[scale_column] = _scale_column(df, scale_column)
        df[column] = _numbers(df, column, scale_column, problems)
    if "ordered" in df.columns:
        df["ordered"] = _ordered(df["ordered"], problems)
    if "timestamp" in df.columns:
        from .cells import parse_timestamps

        ts, bad = parse_timestamps(df["timestamp"], dayfirst=dayfirst)
        for mask, message in bad:
            problems.add_rows(mask, "timestamp", df["timestamp"], message)
        df["timestamp"] = ts

    from .checks import journey_layout, verify

    # without usable steps there is no journey order: the checks that need none still run
    verify(df, problems, layout=None if step is None else journey_layout(df["journey_id"], step),
           order=step is not None, raw=data)
    if problems.total:
        for p in problems.items:
            if row_offset and p.get("row") is not None:
                p["row"] += int(row_offset)
        raise JourneyDataError(problems.items, source=source, total=problems.total)
    return df
