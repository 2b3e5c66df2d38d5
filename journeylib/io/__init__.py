"""Readers: tidy journey files (CSV, Parquet, Excel) and wide survey tables.

:func:`read_journeys` reads a file already in the tidy contract (one row per
touchpoint moment, see :mod:`journeylib.schema`) and validates it, naming the
file in every error.  :func:`from_wide` turns the commonest real survey export,
one row per respondent and one column per touchpoint, into that contract.

CSV files written by Dutch (and most continental) Excel use ``;`` between fields
and ``,`` as the decimal mark; both that and the comma/point convention are
read without options.  See :func:`read_journeys` for the exact rules.
"""

from __future__ import annotations

import difflib
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from .scales import SCALES, get_scale
from .schema import (
    JourneyDataError,
    _as_number,
    _check_on_scale,
    _off_scale,
    _Problems,
    _py,
    _scale_column,
    spreadsheet_row,
    validate,
)

__all__ = ["read_journeys", "read_table", "from_wide", "CSV_SUFFIXES", "PARQUET_SUFFIXES", "EXCEL_SUFFIXES"]

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
PARQUET_SUFFIXES = (".parquet", ".pq")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")

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


# --- CSV details -------------------------------------------------------------------------------


def _sniff_separator(head: str) -> str:
    """The field separator of a CSV from its first non-empty line (quoted text ignored)."""
    line = next((ln for ln in head.splitlines() if ln.strip()), "")
    line = re.sub(r'"[^"]*"', "", line)
    counts = {sep: line.count(sep) for sep in (";", ",", "\t", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _read_csv(path: Path):
    """Read a CSV the way a spreadsheet would: returns (frame, separator, encoding)."""
    with open(path, "rb") as fh:
        head = fh.read(65536)
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        encodings = ["utf-16"]  # Excel's "Unicode text" export (tab separated)
    else:
        encodings = ["utf-8-sig", "cp1252"]
    text = head.decode(encodings[0], errors="replace").lstrip("\ufeff")
    first = text.split("\n", 1)[0].strip()
    hint = re.fullmatch(r"sep=(.)", first)  # Excel's separator line, e.g. "sep=;"
    sep = hint.group(1) if hint else _sniff_separator(text)
    options = dict(
        sep=sep,
        decimal="," if sep == ";" else ".",
        dtype={"journey_id": str},
        skip_blank_lines=False,
        skiprows=1 if hint else None,
    )
    try:
        df = pd.read_csv(path, encoding=encodings[0], **options)
        encoding = encodings[0]
    except UnicodeDecodeError:
        if len(encodings) == 1:
            raise
        # Not UTF-8: what Windows Excel writes in western Europe.
        df = pd.read_csv(path, encoding="cp1252", encoding_errors="replace", **options)
        encoding = "cp1252"
    return df, sep, encoding


# --- cleaning shared by CSV and Excel ----------------------------------------------------------


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


def read_table(path, *, sheet=None):
    """Read a table as it is, without the journey contract: CSV, Parquet or Excel.

    The same conventions as :func:`read_journeys` (separator, decimal comma,
    encoding, ids, trailing empty rows, day-first dates in a ``timestamp``
    column of a ``;`` file), but no validation: use it for wide survey files
    before :func:`from_wide`.

    Parameters
    ----------
    path : str or path-like
        A ``.csv``/``.txt``/``.tsv``, ``.parquet``/``.pq`` or ``.xlsx``/``.xlsm`` file.
    sheet : str or int, optional
        Excel only: the sheet (name or 0-based position); the first by default.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    FileNotFoundError
        When `path` does not exist.
    ValueError
        For an extension journeylib does not read (the message lists those it
        does), an unknown sheet, or `sheet` given for a file that is not a workbook.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "survey.csv"
    >>> _ = p.write_text("resp;web;overall\\nr1;4;7,5\\nr2;2;6\\n", encoding="utf-8")
    >>> read_table(p)
      resp  web  overall
    0   r1    4      7.5
    1   r2    2      6.0
    """
    path = Path(path)
    suffix = path.suffix.lower()
    known = CSV_SUFFIXES + PARQUET_SUFFIXES + EXCEL_SUFFIXES
    if not path.exists():
        raise FileNotFoundError(f"No such file: {str(path)!r}.")
    if path.is_dir():
        raise ValueError(f"{str(path)!r} is a folder, not a data file.")
    if suffix not in known:
        extra = " (save it as .xlsx; the old .xls format is not read)" if suffix == ".xls" else ""
        raise ValueError(
            f"Cannot read {str(path)!r}: unknown file type {suffix or '(none)'!r}{extra}. "
            f"journeylib reads {', '.join(known)}."
        )
    if sheet is not None and suffix not in EXCEL_SUFFIXES:
        raise ValueError(f"`sheet` applies to Excel workbooks only, not to {str(path)!r}.")

    if suffix in CSV_SUFFIXES:
        df, sep, _ = _read_csv(path)
        df = _normalise(_drop_trailing_empty_rows(_strip_header(df)), decimal_comma=sep != ",")
        if sep != "," and "timestamp" in df.columns and _is_text(df["timestamp"]):
            # continental exports write dates day first (22-11-2026 or 22/11/2026 14:05)
            stamps = df["timestamp"].dropna().astype("str").str.strip()
            if len(stamps) and stamps.str.match(_DAY_FIRST).all():
                ts = pd.to_datetime(df["timestamp"], errors="coerce", dayfirst=True)
                if not (ts.isna() & df["timestamp"].notna()).any():
                    df["timestamp"] = ts
        return df
    if suffix in PARQUET_SUFFIXES:
        return _strip_header(pd.read_parquet(path))
    try:
        df = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, engine="openpyxl")
    except ValueError as err:  # unknown sheet name
        raise ValueError(f"Cannot read sheet {sheet!r} of {str(path)!r}: {err}") from None
    return _normalise(_drop_trailing_empty_rows(_strip_header(df)), decimal_comma=True)


def read_journeys(path, *, sheet=None):
    """Read a tidy journey file (CSV, Parquet or Excel) and validate it.

    Parameters
    ----------
    path : str or path-like
        A ``.csv``/``.txt``/``.tsv``, ``.parquet``/``.pq`` or ``.xlsx``/``.xlsm``
        file with the columns of the tidy contract (see :mod:`journeylib.schema`).
    sheet : str or int, optional
        Excel only: the sheet to read (name or 0-based position); the first
        sheet by default.

    Returns
    -------
    pandas.DataFrame
        Validated tidy data (see :func:`journeylib.schema.validate`).

    Raises
    ------
    FileNotFoundError
        When `path` does not exist.
    ValueError
        For an extension journeylib does not read (the message lists those it
        does) or `sheet` given for a file that is not a workbook.
    JourneyDataError
        When the content breaks the contract; the message names the file, and
        the row numbers are the file's line numbers (header = row 1).

    Notes
    -----
    CSV rules:

    - the separator is taken from the header line: ``;``, ``,``, tab or ``|``;
    - a first line ``sep=;`` (which Excel writes and reads) sets the separator;
    - text is UTF-8, with or without a byte-order mark; a file that is not valid
      UTF-8 is read as Windows-1252 (what Windows Excel writes in western Europe);
      a UTF-16 byte-order mark (Excel's "Unicode text") is honoured;
    - in files separated by ``;`` or tabs (or in Excel cells holding text), a
      column whose values include a decimal comma (``7,5``) is read the Dutch
      way: ``,`` is the decimal mark and ``.`` the thousands separator
      (``1.234,5`` is 1234.5); a column without any decimal comma keeps ``.``
      as the decimal mark, so ``3.5`` stays 3.5.  In comma-separated files a
      comma is never a decimal mark;
    - names and free text (``touchpoint``, ``channel``, ``actor``, ``text``,
      ``note``, scale names...) are never turned into numbers; ``journey_id``
      becomes integer only when every id is a plain whole number, so ids such as
      ``007`` or ``A-12`` stay text;
    - fully empty lines at the end are ignored; an empty line inside the data is
      kept, so validation points at it with the line number of the file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "nl.csv").write_text(
    ...     "journey_id;step;touchpoint;score;score_scale;rating;rating_scale\\n"
    ...     "1;1;webshop;7,5;percent;6;stars10\\n"
    ...     "1;2;telefoon;2,5;percent;6;stars10\\n", encoding="utf-8")
    >>> read_journeys(folder / "nl.csv")[["touchpoint", "score", "rating"]]
      touchpoint  score  rating
    0    webshop    7.5     6.0
    1   telefoon    2.5     6.0
    """
    return validate(read_table(path, sheet=sheet), source=path)


# --- wide surveys ------------------------------------------------------------------------------


def _need_columns(df, names, argument):
    absent = [c for c in names if c not in df.columns]
    if absent:
        present = [str(c) for c in df.columns]
        hints = []
        for c in absent:
            close = difflib.get_close_matches(str(c), present, n=1, cutoff=0.5)
            hints.append(f"{c!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise ValueError(
            f"The column{'s' if len(absent) > 1 else ''} {', '.join(hints)} named in `{argument}` "
            f"{'are' if len(absent) > 1 else 'is'} not in the table. Columns present: "
            f"{', '.join(present)}."
        )


def _tiled_text(names, n):
    """The text column ``names * n`` (touchpoint names repeated per respondent), built in Arrow."""
    import pyarrow as pa

    index = pa.array(np.tile(np.arange(len(names), dtype="int32"), n))
    return pd.array(pa.array(names, type=pa.string()).take(index), dtype="str")


def _check_answers(values, notnum, raw, scale, column, problems):
    """Wide-table check of one answer column: numbers on their scale, rows as a spreadsheet shows."""
    problems.add_rows(notnum, column, raw, "not a number")
    bad, message = _off_scale(scale, values)
    problems.add_rows(bad, column, raw, message)


def from_wide(df, *, touchpoints, rating, score_scale, rating_scale, id=None, missing=(),
              recommend=None, recommend_scale="nps11", keep=()):
    """Melt a wide survey table (one row per respondent) into tidy journey data.

    Each respondent becomes one journey; each touchpoint column becomes one
    moment, in the order given by `touchpoints`.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per respondent, one column per touchpoint score.  Never modified.
    touchpoints : list of str or dict
        The touchpoint columns in journey order; ``step`` is the position (1, 2,
        ...).  A dict ``{column: name}`` also renames them (the ``touchpoint``
        value); otherwise the column name is the touchpoint.
    rating : str
        Column with the rating of the journey as a whole.
    score_scale : str or dict
        Scale of the touchpoint scores (see :data:`journeylib.scales.SCALES`),
        or a dict ``{column: scale}`` when they differ.
    rating_scale : str
        Scale of `rating`: a scale name, or the name of a column of `df`
        holding each respondent's own rating scale (when the scale changed
        during the survey, say).  A known scale name is taken as the scale
        even if `df` has a column of that name.  With a column, each rating is
        checked on its own row's scale, and a missing or unknown scale name is
        an error naming the row.
    id : str, optional
        Column identifying the respondent (becomes ``journey_id``); by default
        the respondent's position, 1, 2, ...
    missing : scalar or sequence, optional
        Codes meaning "not answered" in the touchpoint and rating columns (for
        example ``0`` for "not rated", or ``99``).  They become NaN; one
        ``UserWarning`` counts them per column.  They are not applied to
        `recommend`, where 0 is a real answer.
    recommend : str, optional
        Column with the likelihood-to-recommend answer, on `recommend_scale`
        (``"nps11"`` by default; ``"binary"`` for yes/no as in Skytrax reviews).
    keep : sequence of str, optional
        Further respondent-level columns to carry onto every row (channel,
        segment, date...).

    Returns
    -------
    pandas.DataFrame
        Validated tidy data, respondent by respondent and step by step.  A
        touchpoint a respondent did not rate stays as a row with a NaN score; a
        respondent without a journey rating is kept with a NaN rating (metrics
        leave such journeys out of rating comparisons), so nothing is dropped.

    Raises
    ------
    ValueError
        When a named column is absent (the message suggests the closest one),
        or for an unknown scale name.
    JourneyDataError
        When answers are not numbers or off their scale, or an id is missing
        or repeated; rows are those of the wide table as a spreadsheet shows
        them and columns are its own names.

    Examples
    --------
    >>> import pandas as pd
    >>> survey = pd.DataFrame({"resp": ["a", "b"], "web": [5, 0], "phone": [2, 4],
    ...                        "overall": [6, 9]})
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     tidy = from_wide(survey, touchpoints=["web", "phone"], rating="overall",
    ...                      score_scale="likert5", rating_scale="stars10", id="resp", missing=0)
    >>> print(caught[0].message)
    1 answer coded as missing (0) set to NaN: 'web' 1.
    >>> tidy[["journey_id", "step", "touchpoint", "score", "rating"]]
      journey_id  step touchpoint  score  rating
    0          a     1        web    5.0     6.0
    1          a     2      phone    2.0     6.0
    2          b     1        web    NaN     9.0
    3          b     2      phone    4.0     9.0
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"from_wide needs a pandas DataFrame, not {type(df).__name__}.")
    if isinstance(touchpoints, dict):
        columns, names = list(touchpoints), [str(v) for v in touchpoints.values()]
    elif isinstance(touchpoints, str):
        raise ValueError("`touchpoints` must be a list of column names (or a dict), not one string.")
    else:
        columns = list(touchpoints)
        names = [str(c) for c in columns]
    if not columns:
        raise ValueError("`touchpoints` names no column; a journey needs at least one touchpoint.")
    if len(set(columns)) < len(columns):
        raise ValueError(f"`touchpoints` names a column twice: {columns!r}.")
    keep = [keep] if isinstance(keep, str) else list(keep)
    _need_columns(df, columns, "touchpoints")
    _need_columns(df, [rating], "rating")
    if id is not None:
        _need_columns(df, [id], "id")
    if recommend is not None:
        _need_columns(df, [recommend], "recommend")
    reserved = {"journey_id", "step", "touchpoint", "score", "score_scale", "rating",
                "rating_scale", "recommend", "recommend_scale"}
    clash = [c for c in keep if c in reserved]
    if clash:
        raise ValueError(f"`keep` cannot carry {clash!r}: these names belong to the tidy contract.")
    _need_columns(df, keep, "keep")

    if isinstance(score_scale, dict):
        _need_columns(pd.DataFrame(columns=columns), list(score_scale), "score_scale")
        absent = [c for c in columns if c not in score_scale]
        if absent:
            raise ValueError(f"`score_scale` gives no scale for {absent!r}.")
        scales = [get_scale(score_scale[c]).name for c in columns]
    else:
        scales = [get_scale(score_scale).name] * len(columns)
    per_respondent = (isinstance(rating_scale, str) and rating_scale not in SCALES
                      and rating_scale in df.columns)
    if per_respondent:
        rating_scale_column = rating_scale
        if rating_scale_column in columns or rating_scale_column == rating:
            raise ValueError(f"`rating_scale` names the answer column {rating_scale_column!r}; "
                             "it must hold scale names.")
    else:
        rating_scale = get_scale(rating_scale).name
    if recommend is not None:
        recommend_scale = get_scale(recommend_scale).name

    n, k = len(df), len(columns)
    if missing is None:
        codes = []
    elif isinstance(missing, (str, bytes, int, float, np.generic)):
        codes = [missing]
    else:
        codes = list(missing)

    # answers as float arrays; sentinel codes become NaN and are counted per column
    answer_columns = [*columns, rating]
    counts = {}
    values, notnum, raws = {}, {}, {}
    for column in dict.fromkeys(answer_columns):
        col = df[column]
        coded = col.isin(codes).to_numpy() if codes else np.zeros(n, dtype=bool)
        counts[column] = int(coded.sum())
        arr, bad = _as_number(col)
        arr = np.where(coded, np.nan, arr)
        values[column], notnum[column], raws[column] = arr, bad & ~coded, col.to_numpy()
    if recommend is not None:
        arr, bad = _as_number(df[recommend])
        values[recommend], notnum[recommend], raws[recommend] = arr, bad, df[recommend].to_numpy()

    problems = _Problems()
    if id is not None:
        ids = df[id]
        problems.add_rows(ids.isna().to_numpy(), id, ids.to_numpy(), "respondent id is missing")
        dup = (ids.duplicated(keep="first") & ids.notna()).to_numpy()
        for pos in np.flatnonzero(dup)[:20]:
            first = int(np.flatnonzero((ids == ids.iat[pos]).to_numpy())[0])
            problems.add(f"respondent id repeated (already on row {spreadsheet_row(first)}); "
                         "each row must be one respondent", row=spreadsheet_row(pos), column=id,
                         value=_py(ids.iat[pos]))
        problems.total += max(0, int(dup.sum()) - 20)
        journey_ids = ids.to_numpy()
    else:
        journey_ids = np.arange(1, n + 1, dtype="int64")
    for column, scale in zip(columns, scales, strict=True):
        _check_answers(values[column], notnum[column], raws[column], scale, column, problems)
    if per_respondent:
        # one scale per respondent: names checked (and made categorical) row by row, then each
        # rating on its own row's scale
        rating_scales = _scale_column(df, rating_scale_column, problems)
        problems.add_rows(notnum[rating], rating, raws[rating], "not a number")
        _check_on_scale(values[rating], rating_scales, rating, rating_scale_column, problems,
                        raw=raws[rating])
    else:
        _check_answers(values[rating], notnum[rating], raws[rating], rating_scale, rating,
                       problems)
    if recommend is not None:
        _check_answers(values[recommend], notnum[recommend], raws[recommend], recommend_scale,
                       recommend, problems)
    if problems.total:
        raise JourneyDataError(problems.items, total=problems.total)

    total = sum(counts.values())
    if total:
        shown = ", ".join(f"{c!r} {m}" for c, m in counts.items() if m)
        code_text = ", ".join(map(repr, codes))
        warnings.warn(
            f"{total} answer{'s' if total != 1 else ''} coded as missing ({code_text}) set to NaN: "
            f"{shown}.",
            UserWarning,
            stacklevel=2,
        )

    block = np.column_stack([values[c] for c in columns]) if n else np.empty((0, k))
    scale_codes, scale_names = pd.factorize(np.asarray(scales, dtype=object))
    out = {
        "journey_id": np.repeat(journey_ids, k),
        "step": np.tile(np.arange(1, k + 1, dtype="int64"), n),
        "touchpoint": _tiled_text(names, n),
        "score": block.reshape(-1),
        "score_scale": pd.Categorical.from_codes(np.tile(scale_codes, n), scale_names),
        "rating": np.repeat(values[rating], k),
        "rating_scale": (
            pd.Categorical.from_codes(np.repeat(rating_scales.cat.codes.to_numpy(), k),
                                      rating_scales.cat.categories)
            if per_respondent
            else pd.Categorical.from_codes(np.zeros(n * k, dtype="int8"), [rating_scale])
        ),
    }
    if recommend is not None:
        out["recommend"] = np.repeat(values[recommend], k)
        out["recommend_scale"] = pd.Categorical.from_codes(np.zeros(n * k, dtype="int8"),
                                                           [recommend_scale])
    tidy = pd.DataFrame(out)
    rows = np.repeat(np.arange(n), k)
    for column in keep:
        tidy[column] = df[column].iloc[rows].reset_index(drop=True)
    return validate(tidy)
