"""Where the rows come from: Parquet paths, globs and folders; engine output back to pandas."""

from __future__ import annotations

import glob as _glob
import os

import numpy as np
import pandas as pd

from ..schema import MAX_PROBLEMS, MESSAGES, REQUIRED, JourneyDataError


def _is_spark(obj) -> bool:
    return type(obj).__module__.startswith("pyspark.sql") and hasattr(obj, "createOrReplaceTempView")


def _where(files) -> str:
    """How an error names the input: the file, or how many files."""
    return files[0] if len(files) == 1 else f"{len(files)} Parquet files"


def _parquet_files(source) -> list[str]:
    """Expand a path, directory, glob or list of them into Parquet file names.

    A file named twice (listed twice, matched by two globs, or reached through
    a link) is refused: its rows would count twice.
    """
    items = [source] if isinstance(source, (str, os.PathLike)) else list(source)
    files: list[str] = []
    for item in items:
        text = os.fspath(item)
        if os.path.isdir(text):
            found = sorted(_glob.glob(os.path.join(text, "**", "*.parquet"), recursive=True))
            if not found:
                raise FileNotFoundError(f"The folder {text!r} contains no .parquet files.")
        elif _glob.has_magic(text):
            found = sorted(_glob.glob(text, recursive=True))
            if not found:
                raise FileNotFoundError(f"The pattern {text!r} matches no files.")
        elif os.path.exists(text):
            found = [text]
        else:
            raise FileNotFoundError(f"No such file: {text!r}.")
        files += found
    seen: dict = {}
    problems = []
    for i, f in enumerate(files):
        st = os.stat(f)
        k = seen.setdefault((st.st_dev, st.st_ino), i)
        if k != i:
            first = files[k]
            also = "" if os.path.abspath(first) == os.path.abspath(f) else f" (also given as {first!r})"
            problems.append({"file": f, "message": f"the same file is given twice{also}: its rows "
                                                   "would count twice; give each file once"})
    if problems:
        raise JourneyDataError(problems[:MAX_PROBLEMS], source=_where(files), total=len(problems))
    return files


def _check_files(files) -> list[str]:
    """Read each file's schema (footer only); name the file and column a contract column lacks."""
    import pyarrow.parquet as pq

    common = None
    problems = []
    n_rows = 0
    for f in files:
        try:
            meta = pq.read_metadata(f)
            names = meta.schema.to_arrow_schema().names
            n_rows += meta.num_rows
        except Exception as exc:  # pyarrow raises several types for a non-Parquet file
            raise JourneyDataError([{"message": f"not a readable Parquet file ({exc})"}], source=f) from None
        for col in REQUIRED:
            if col not in names:
                problems.append({"file": f, "column": col,
                                 "message": f"{MESSAGES['column_missing']} in file {f}"
                                            f" (columns present: {', '.join(names)})"})
        common = names if common is None else [c for c in common if c in names]
    if problems:
        raise JourneyDataError(problems[:MAX_PROBLEMS], source=_where(files), total=len(problems))
    return common, n_rows


def _frame_columns(df) -> None:
    """A pandas frame given to an engine: the required columns, each name once."""
    names = [str(c).strip() for c in df.columns]
    twice = sorted({c for c in names if names.count(c) > 1})
    problems = [{"column": c, "message": "the column name appears more than once (spaces ignored); "
                                         "rename or drop the copies"} for c in twice]
    problems += [{"column": c, "message": MESSAGES["column_missing"]}
                 for c in REQUIRED if c not in df.columns]
    if problems:
        raise JourneyDataError(problems)


def _frame_for_engine(df):
    """A pandas frame as the engine should read it: object columns of the contract as text.

    DuckDB guesses an object column's type from a sample of its rows and fails
    on a later row of another type (a ``True`` among numbers); as text, every
    cell is read by the checks and a bad one named.  A column of True/False
    alone stays boolean.  The caller's frame is not modified.
    """
    from ..schema import OPTIONAL

    objects = {}
    for c in (*REQUIRED, *OPTIONAL):
        if c in df.columns and df[c].dtype == object:
            kind = pd.api.types.infer_dtype(df[c], skipna=True)
            if kind == "boolean":
                objects[c] = df[c].astype("boolean")
            elif kind not in ("string", "empty"):
                objects[c] = df[c].astype("string")
    return df.assign(**objects) if objects else df


def _engine_error(exc, source):
    """An engine's own error about a value it could not read, as a JourneyDataError.

    The checks read every cell with ``TRY_CAST``, so this is a safety net: any
    conversion or range error still names the input instead of escaping as the
    engine's exception.  Other errors (out of memory, a bug) are raised as they are.
    """
    name = type(exc).__name__
    if not any(k in name for k in ("Conversion", "OutOfRange", "NumberFormat", "DateTime",
                                   "ArithmeticException")):
        raise exc
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else name
    raise JourneyDataError([{"message": f"the engine could not read a value ({first[:200]})"}],
                           source=source) from None


def _finish(df):
    """Engine output -> the dtypes journey_summary returns (duration as a timedelta,
    recommend_scale as a categorical)."""
    if "recommend_scale" in df.columns:
        df["recommend_scale"] = df["recommend_scale"].astype("category")
    if "duration" in df.columns:
        us = df["duration"].to_numpy(dtype="float64", na_value=np.nan)
        td = np.where(np.isnan(us), np.iinfo(np.int64).min, np.nan_to_num(us)).astype(np.int64)
        df["duration"] = td.view("timedelta64[us]")
    return df
