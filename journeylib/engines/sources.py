"""Where the rows come from: Parquet paths, globs and folders; engine output back to pandas."""

from __future__ import annotations

import glob as _glob
import os
import re

import numpy as np

from ..schema import REQUIRED, JourneyDataError


def _is_spark(obj) -> bool:
    return type(obj).__module__.startswith("pyspark.sql") and hasattr(obj, "createOrReplaceTempView")


def _parquet_files(source) -> list[str]:
    """Expand a path, directory, glob or list of them into Parquet file names."""
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
                problems.append({"column": col, "message": f"required column is missing in file {f}"
                                 f" (columns present: {', '.join(names)})"})
        common = names if common is None else [c for c in common if c in names]
    if problems:
        src = files[0] if len(files) == 1 else f"{len(files)} Parquet files"
        raise JourneyDataError(problems[:20], source=src, total=len(problems))
    return common, n_rows



def _rethrow(exc, source):
    """Turn an engine error raised by our raise_error into a JourneyDataError."""
    m = re.search(r"journeylib: column (\w+): (.*?)(?:\n|$|\"|'\s*$|\[)", str(exc))
    if m is None:
        raise exc
    raise JourneyDataError([{"column": m.group(1), "message": m.group(2).strip()}],
                           source=source) from None


def _finish(df):
    """Engine output -> the dtypes journey_summary returns (duration as a timedelta)."""
    if "duration" in df.columns:
        us = df["duration"].to_numpy(dtype="float64", na_value=np.nan)
        td = np.where(np.isnan(us), np.iinfo(np.int64).min, np.nan_to_num(us)).astype(np.int64)
        df["duration"] = td.view("timedelta64[us]")
    return df
