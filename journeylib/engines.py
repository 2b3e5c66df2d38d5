"""Journey metrics out of core (DuckDB) and on a cluster (Spark), from one SQL definition.

:func:`journeylib.journey_summary` computes per-journey metrics in memory
with pandas and numpy.  Event data (every contact of every customer) often
does not fit in memory: it lives in Parquet files or in a Spark cluster.
:func:`summarize` computes the same metrics there, with the same
definitions, by generating **one** SQL text from the table of metric
definitions below (:data:`METRIC_SQL`) and running it on either engine:

* ``engine="duckdb"`` (the default for a path, a glob or a pandas frame):
  DuckDB, embedded, reads the Parquet files itself within `memory_limit`;
  inputs larger than `batch_rows` run as several passes over ranges of
  journey ids, because median, distinct counts and the peak keep per-journey
  state that DuckDB cannot spill to disk;
* ``engine="spark"`` (the default for a ``pyspark.sql.DataFrame``): Spark
  SQL on the session the DataFrame belongs to; the work runs on the executors
  and only the per-journey result comes back to the driver.

The text is Spark SQL: plain aggregates (``avg``, ``median``, ``stddev_samp``,
``regr_slope``, ``min_by``/``max_by`` with a struct key for the peak,
``FILTER (WHERE ...)``), one window column (``lag``, for channel switches),
``CASE`` expressions, and one journeylib function ``n_distinct(col)``.  The
engine-specific parts are small and named: ``_DUCKDB_SHIMS``, four one-line
DuckDB macros (``raise_error``, ``unix_micros``, ``named_struct``,
``n_distinct``), and ``_spark_dialect``, which spells ``n_distinct`` for
Spark.  Valence is computed inside the engine through a scale table (an
inline ``VALUES`` list generated from :data:`journeylib.scales.SCALES`,
joined on the scale name); no row is pulled into Python.
"""

from __future__ import annotations

import glob as _glob
import os
import re
import shutil
import tempfile
import uuid
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .scales import SCALES
from .schema import REQUIRED, JourneyDataError

__all__ = ["ENGINES", "METRIC_SQL", "summarize", "summary_sql"]

#: The engines :func:`summarize` can run on.
ENGINES: tuple[str, ...] = ("duckdb", "spark")


@dataclass(frozen=True)
class _Metric:
    """One metric: SQL over the per-journey aggregates, and what it needs.

    ``agg`` maps helper aliases to aggregate expressions over the row stage
    (columns: the contract columns, ``v`` = valence of the score, ``rv`` =
    valence of the rating, ``recv`` = recommend, plus window helpers);
    ``expr`` is the metric's expression over those aliases; ``columns`` the
    optional contract columns it needs; ``window`` the window helpers.
    """

    expr: str
    agg: dict = field(default_factory=dict)
    columns: tuple = ()
    window: tuple = ()


# Window helpers, all over one window: the journey's rows in step order.
_WINDOW = {
    "prev_channel": "lag(channel) OVER (PARTITION BY journey_id ORDER BY step)",
}

_NVALID = "count(v)"
# the most extreme moment: largest |valence|, and on a tie the later step (struct order)
_PEAK = "max_by(v, named_struct('a', abs(v), 's', step)) FILTER (WHERE v IS NOT NULL)"
#: The definition of every metric, once, in SQL (the reference is metrics.journey_summary).
METRIC_SQL: dict[str, _Metric] = {
    "n_touchpoints": _Metric("n_rows", {"n_rows": "count(*)"}),
    "n_missing": _Metric("n_rows - n_valid", {"n_rows": "count(*)", "n_valid": _NVALID}),
    "mean": _Metric("a_mean", {"a_mean": "avg(v)"}),
    "median": _Metric("a_median", {"a_median": "median(v)"}),
    "min": _Metric("a_min", {"a_min": "min(v)"}),
    "max": _Metric("a_max", {"a_max": "max(v)"}),
    "first": _Metric("a_first", {"a_first": "min_by(v, step) FILTER (WHERE v IS NOT NULL)"}),
    "last": _Metric("a_last", {"a_last": "max_by(v, step) FILTER (WHERE v IS NOT NULL)"}),
    "peak": _Metric("a_peak", {"a_peak": _PEAK}),
    "trough": _Metric("a_min", {"a_min": "min(v)"}),
    "peak_end": _Metric(
        "(a_peak + a_last) / 2.0E0",
        {"a_peak": _PEAK,
         "a_last": "max_by(v, step) FILTER (WHERE v IS NOT NULL)"}),
    "trend": _Metric("a_trend", {"a_trend": "regr_slope(v, CAST(step AS DOUBLE))"}),
    "volatility": _Metric("a_sd", {"a_sd": "stddev_samp(v)"}),
    "n_negative": _Metric("n_neg", {"n_neg": "count(*) FILTER (WHERE v < 0)"}),
    "share_negative": _Metric("CAST(n_neg AS DOUBLE) / NULLIF(n_valid, 0)",
                              {"n_neg": "count(*) FILTER (WHERE v < 0)", "n_valid": _NVALID}),
    "n_channels": _Metric("n_chan", {"n_chan": "n_distinct(channel)"}, columns=("channel",)),
    "n_actors": _Metric("n_act", {"n_act": "n_distinct(actor)"}, columns=("actor",)),
    "n_repeats": _Metric("n_tp - n_tp_distinct",
                         {"n_tp": "count(touchpoint)", "n_tp_distinct": "n_distinct(touchpoint)"}),
    "channel_switches": _Metric(
        "n_switch",
        {"n_switch": "count(*) FILTER (WHERE channel <> prev_channel)"},
        columns=("channel",), window=("prev_channel",)),
    "effort": _Metric("-CAST(n_tp - n_tp_distinct AS DOUBLE)",
                      {"n_tp": "count(touchpoint)", "n_tp_distinct": "n_distinct(touchpoint)"}),
    # microseconds here; summarize() turns them into a timedelta column as journey_summary has
    "duration": _Metric(
        "ts_max - ts_min",
        {"ts_max": "max(unix_micros(timestamp))", "ts_min": "min(unix_micros(timestamp))"},
        columns=("timestamp",)),
    "rating": _Metric("a_rating", {"a_rating": "max(rv)"}),
    "gap": _Metric("a_rating - a_mean", {"a_rating": "max(rv)", "a_mean": "avg(v)"}),
    "gap_peak_end": _Metric(
        "a_rating - (a_peak + a_last) / 2.0E0",
        {"a_rating": "max(rv)",
         "a_peak": _PEAK,
         "a_last": "max_by(v, step) FILTER (WHERE v IS NOT NULL)"}),
    "recommend": _Metric("a_rec", {"a_rec": "max(recommend)"}, columns=("recommend",)),
}

# ``n_distinct(col)`` counts distinct non-missing values.  DuckDB is fastest with
# count(DISTINCT col) (a macro below); Spark plans several count(DISTINCT) as an Expand of
# every row (4x the rows, about 5x slower here), so for Spark the text is rewritten to
# size(collect_set(col)), which Spark aggregates in one pass.
_N_DISTINCT = re.compile(r"n_distinct\((\w+)\)")


def _spark_dialect(sql: str) -> str:
    return _N_DISTINCT.sub(r"CAST(size(collect_set(\1)) AS BIGINT)", sql)


#: DuckDB macros giving DuckDB the Spark names used in the shared SQL text.
_DUCKDB_SHIMS = (
    "CREATE OR REPLACE TEMP MACRO raise_error(msg) AS error(msg)",
    "CREATE OR REPLACE TEMP MACRO unix_micros(ts) AS epoch_us(ts)",
    # Spark's named_struct; DuckDB orders unnamed structs field by field just the same
    "CREATE OR REPLACE TEMP MACRO named_struct(k1, a, k2, b) AS row(a, b)",
    "CREATE OR REPLACE TEMP MACRO n_distinct(x) AS count(DISTINCT x)",
)


def _scales_sql() -> str:
    """The scale table as an inline VALUES table, generated from :data:`journeylib.scales.SCALES`."""
    rows = ", ".join(
        f"('{sc.name}', {float(sc.low)!r}E0, {float(sc.high)!r}E0, {float(sc.high - sc.low)!r}E0, "
        f"{str(sc.reversed).upper()}, {str(sc.integer).upper()})"
        for sc in SCALES.values()
    )
    return f"(VALUES {rows}) AS jl_scales(name, lo, hi, span, rev, whole)"


def _valence_sql(value: str, scale: str, t: str) -> str:
    """Valence of column `value` through the scale row joined as `t`.

    Mirrors :func:`journeylib.scales.valence` (``2 * (x - low) / (high - low) - 1``,
    negated for reversed scales).  An unknown scale name or a value off its
    scale stops the query with a message naming the column, value, journey and step.
    """
    x = f"CAST(r.{value} AS DOUBLE)"
    where = "' in journey ' || CAST(r.journey_id AS STRING) || ', step ' || CAST(r.step AS STRING)"
    v = f"2.0E0 * ({x} - {t}.lo) / {t}.span - 1.0E0"
    unknown = (f"raise_error('journeylib: column {scale}: unknown scale ' || "
               f"coalesce(CAST(r.{scale} AS STRING), 'NULL') || {where} || '; known scales: "
               f"{', '.join(SCALES)}')")
    off = (f"raise_error('journeylib: column {value}: value ' || CAST({x} AS STRING) || "
           f"' is not on scale ' || {t}.name || {where})")
    return (f"CASE WHEN {t}.name IS NULL THEN {unknown} WHEN {x} IS NULL THEN NULL "
            f"WHEN {x} < {t}.lo OR {x} > {t}.hi OR ({t}.whole AND {x} <> floor({x})) THEN {off} "
            f"WHEN {t}.rev THEN -({v}) ELSE {v} END")


def _select_metrics(metrics, columns) -> list[str]:
    """The metric names to compute, in METRIC_SQL order (all available ones for None)."""
    if metrics is None:
        return [m for m, d in METRIC_SQL.items() if all(c in columns for c in d.columns)]
    if isinstance(metrics, str):
        metrics = [metrics]
    unknown = [m for m in metrics if m not in METRIC_SQL]
    if unknown:
        raise ValueError(
            f"The value for `metrics` must be a list of names from ({', '.join(METRIC_SQL)}), "
            f"but {unknown[0]!r} was passed."
        )
    for m in metrics:
        missing = [c for c in METRIC_SQL[m].columns if c not in columns]
        if missing:
            raise ValueError(f"The metric {m!r} needs the column {missing[0]!r}, which the data lacks.")
    return list(dict.fromkeys(metrics))


def summary_sql(table: str, columns, *, metrics=None, order=True) -> str:
    """The SQL text of the journey summary over `table`, for DuckDB and Spark alike.

    Parameters
    ----------
    table : str
        A table expression: a view name, or ``read_parquet([...])`` in DuckDB.
    columns : iterable of str
        Columns the table has (optional contract columns switch metrics on).
    metrics : list of str, optional
        Metric names (keys of :data:`METRIC_SQL`); None for every metric the
        columns allow.
    order : bool, default True
        End with ``ORDER BY journey_id``.

    The text is Spark SQL with one journeylib function, ``n_distinct(col)``:
    DuckDB runs it after the macros in ``_DUCKDB_SHIMS``; Spark after
    ``_spark_dialect`` rewrites ``n_distinct``.

    Returns
    -------
    str

    Examples
    --------
    >>> import duckdb, pandas as pd
    >>> df = pd.DataFrame({"journey_id": [1, 1], "step": [1, 2], "touchpoint": ["web", "mail"],
    ...                    "score": [5, 1], "score_scale": "likert5",
    ...                    "rating": 3, "rating_scale": "likert5"})
    >>> sql = summary_sql("df", df.columns, metrics=["mean", "last", "gap"])
    >>> con = duckdb.connect()
    >>> for macro in _DUCKDB_SHIMS:
    ...     _ = con.execute(macro)
    >>> con.sql(sql).fetchall()
    [(1, 0.0, -1.0, 0.0)]
    """
    columns = list(columns)
    names = _select_metrics(metrics, columns)
    aggs: dict[str, str] = {}
    window: list[str] = []
    for m in names:
        aggs.update(METRIC_SQL[m].agg)
        window += [w for w in METRIC_SQL[m].window if w not in window]
    keep = [c for c in (*REQUIRED, "channel", "actor", "timestamp", "recommend") if c in columns]
    rows = ", ".join(f"r.{c}" for c in keep)
    valence = (f"{_valence_sql('score', 'score_scale', 'ss')} AS v, "
               f"{_valence_sql('rating', 'rating_scale', 'rs')} AS rv")
    scales = _scales_sql()
    # a journey has one rating: stop on a journey whose rating differs between its rows
    aggs["rv_lo"] = "min(rv)"
    aggs["rv_hi"] = "max(rv)"
    wins = "".join(f", {_WINDOW[w]} AS {w}" for w in window)
    agg_list = ",\n    ".join(f"{e} AS {a}" for a, e in aggs.items())
    outs = ",\n  ".join(f"{METRIC_SQL[m].expr} AS {m}" for m in names)
    conflict = ("raise_error('journeylib: column rating: the rating differs between rows of journey ' "
                "|| CAST(journey_id AS STRING) || '; a journey has one rating')")
    return (
        f"WITH jl_scales AS (SELECT * FROM {scales}),\n"
        f"src AS (SELECT {rows}, {valence} FROM {table} AS r\n"
        f"  LEFT JOIN jl_scales AS ss ON CAST(r.score_scale AS STRING) = ss.name\n"
        f"  LEFT JOIN jl_scales AS rs ON CAST(r.rating_scale AS STRING) = rs.name),\n"
        f"rowstage AS (SELECT *{wins} FROM src),\n"
        f"agg AS (SELECT journey_id,\n    {agg_list}\n  FROM rowstage GROUP BY journey_id)\n"
        f"SELECT journey_id,\n  {outs}\n"
        f"FROM agg WHERE CASE WHEN rv_lo <> rv_hi THEN {conflict} ELSE TRUE END"
        + ("\nORDER BY journey_id" if order else "")
    )


# --- sources --------------------------------------------------------------------------------------

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


def _engine_for(source, engine) -> str:
    if engine is None:
        return "spark" if _is_spark(source) else "duckdb"
    if engine not in ENGINES:
        raise ValueError(f"The value for `engine` must be one of {ENGINES}, but {engine!r} was passed.")
    return engine


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


# --- runners --------------------------------------------------------------------------------------

def _memory_bytes(limit: str) -> float:
    m = re.fullmatch(r"\s*([\d.]+)\s*([KMGT]?)i?B?\s*", str(limit), flags=re.I)
    if m is None:
        raise ValueError(f"The value for `memory_limit` must look like '2GB', but {limit!r} was passed.")
    return float(m.group(1)) * 1024 ** "BKMGT".index((m.group(2) or "B").upper())


#: Rows per DuckDB pass for each GB of memory_limit: median, distinct counts and max_by keep
#: per-journey state that DuckDB cannot spill, so large inputs run in journey-range passes.
ROWS_PER_GB = 4_000_000


def _run_duckdb(source, metrics, memory_limit, threads, out, batch_rows=None):
    import duckdb
    import pyarrow as pa
    import pyarrow.parquet as pq

    spill = tempfile.mkdtemp(prefix="journeylib-duckdb-")  # beyond memory_limit DuckDB spills here
    con = duckdb.connect(config={"memory_limit": memory_limit, "preserve_insertion_order": False,
                                 "temp_directory": spill,
                                 **({"threads": threads} if threads else {})})
    try:
        for shim in _DUCKDB_SHIMS:
            con.execute(shim)
        if isinstance(source, pd.DataFrame):
            missing = [c for c in REQUIRED if c not in source.columns]
            if missing:
                raise JourneyDataError([{"column": c, "message": "required column is missing"}
                                        for c in missing])
            con.register("journeylib_source", source)
            table, columns, where, n_rows = "journeylib_source", list(source.columns), None, len(source)
        else:
            files = _parquet_files(source)
            columns, n_rows = _check_files(files)
            table = "read_parquet([" + ", ".join("'" + f.replace("'", "''") + "'" for f in files) + "])"
            where = files[0] if len(files) == 1 else f"{len(files)} Parquet files"
        if batch_rows is None:
            batch_rows = max(1_000_000, int(ROWS_PER_GB * _memory_bytes(memory_limit) / 1024**3))
        n_pass = -(-n_rows // batch_rows)
        try:
            if n_pass <= 1:
                parts, resort = [summary_sql(table, columns, metrics=metrics)], False
            else:
                parts, resort = _journey_passes(con, table, columns, metrics, n_pass)
            if out is None:
                tables = [con.sql(sql).to_arrow_table() for sql in parts]
                result = pa.concat_tables(tables) if len(tables) > 1 else tables[0]
                del tables
                # free Arrow buffers column by column while pandas takes them over
                df = result.to_pandas(split_blocks=True, self_destruct=True)
                if resort:
                    df = df.sort_values("journey_id", ignore_index=True)
                return _finish(df)
            if resort:
                names = []
                for i, sql in enumerate(parts):
                    names.append(os.path.join(spill, f"part-{i}.parquet"))
                    con.execute(f"COPY ({sql}) TO '{names[-1]}' (FORMAT parquet)")
                merged = "read_parquet([" + ", ".join(f"'{n}'" for n in names) + "])"
                parts = [f"SELECT * FROM {merged} ORDER BY journey_id"]
            writer = None
            try:  # passes cover increasing journey ranges: appending keeps the file sorted
                for sql in parts:
                    for batch in con.sql(sql).to_arrow_reader():
                        if "duration" in batch.schema.names:  # microseconds -> Arrow duration
                            i = batch.schema.get_field_index("duration")
                            batch = batch.set_column(i, "duration",
                                                     batch.column(i).cast(pa.duration("us")))
                        if writer is None:
                            writer = pq.ParquetWriter(os.fspath(out), batch.schema)
                        writer.write_batch(batch)
            finally:
                if writer is not None:
                    writer.close()
            return Path(out)
        except duckdb.Error as exc:
            _rethrow(exc, where)
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


def _journey_passes(con, table, columns, metrics, n_pass):
    """One summary query per part of the journeys, and whether the parts need a final sort.

    Numeric ids: ranges between approximate quantiles, in increasing order (files
    in journey order let DuckDB skip the row groups outside each range).  Other
    ids: parts by hash, sorted afterwards.
    """
    numeric = con.sql(f"SELECT journey_id FROM {table} LIMIT 0").types[0] in (
        "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "UBIGINT", "UINTEGER", "USMALLINT", "UTINYINT",
        "HUGEINT", "DOUBLE", "FLOAT")
    if not numeric:
        return [summary_sql(f"(SELECT * FROM {table} WHERE hash(journey_id) % {n_pass} = {i})",
                            columns, metrics=metrics, order=False) for i in range(n_pass)], True
    qs = ", ".join(repr(i / n_pass) for i in range(1, n_pass))
    bounds = con.execute(f"SELECT approx_quantile(journey_id, [{qs}]) FROM {table}").fetchall()[0][0]
    bounds = sorted(set(bounds))
    lows = [None, *bounds]
    highs = [*bounds, None]
    out = []
    for lo, hi in zip(lows, highs, strict=True):
        cond = " AND ".join(c for c in (f"journey_id > {lo!r}" if lo is not None else "",
                                        f"journey_id <= {hi!r}" if hi is not None else "") if c)
        out.append(summary_sql(f"(SELECT * FROM {table} WHERE {cond})", columns, metrics=metrics))
    return out, False


def _run_spark(source, metrics, out):
    from pyspark.sql import DataFrame, SparkSession

    where = None
    if not isinstance(source, DataFrame):
        spark = SparkSession.getActiveSession() or SparkSession.builder.getOrCreate()
        files = _parquet_files(source)
        _check_files(files)
        where = files[0] if len(files) == 1 else f"{len(files)} Parquet files"
        source = spark.read.parquet(*files)
    spark = source.sparkSession
    missing = [c for c in REQUIRED if c not in source.columns]
    if missing:
        raise JourneyDataError([{"column": c, "message": "required column is missing in the Spark DataFrame"
                                 f" (columns present: {', '.join(source.columns)})"} for c in missing])
    columns = list(source.columns)
    view = f"journeylib_{uuid.uuid4().hex}"
    source.createOrReplaceTempView(view)
    try:
        # a global ORDER BY costs Spark a second pass (sampling for range partitions):
        # sort on the driver when the summary comes back anyway
        sql = summary_sql(view, columns, metrics=metrics, order=out is not None)
        result = spark.sql(_spark_dialect(sql))
        try:
            if out is not None:
                result.write.mode("overwrite").parquet(os.fspath(out))
                return Path(out)
            df = result.toArrow().to_pandas()
            return _finish(df.sort_values("journey_id", ignore_index=True))
        except Exception as exc:
            _rethrow(exc, where)
    finally:
        spark.catalog.dropTempView(view)


def summarize(source, *, metrics=None, engine=None, memory_limit="2GB", threads=None, out=None,
              batch_rows=None):
    """Per-journey metrics of data that does not fit in memory, by DuckDB or Spark.

    The same metrics, names and definitions as :func:`journeylib.journey_summary`
    (which is the reference), computed by one SQL text on either engine.

    Parameters
    ----------
    source : str, path-like, list, pandas.DataFrame or pyspark.sql.DataFrame
        Tidy journey data (the contract of :mod:`journeylib.schema`): a Parquet
        file, a folder of them, a glob such as ``"events/*.parquet"`` or a list
        of those; a pandas DataFrame (run by DuckDB, mostly for testing); or a
        Spark DataFrame.
    metrics : list of str, optional
        Compute only these metrics (fewer metrics, less work); None for every
        metric the columns allow (``n_channels`` needs ``channel``, etc.).
    engine : {"duckdb", "spark"}, optional
        Default: "spark" for a Spark DataFrame, else "duckdb".  With "spark"
        and a path, the active SparkSession reads the files.
    memory_limit : str, default "2GB"
        DuckDB's memory limit; beyond it DuckDB spills to a temporary folder.
    threads : int, optional
        DuckDB threads (default: all cores).
    out : str or path-like, optional
        Write the summary to this Parquet file (Spark: folder) instead of
        returning it: the out-of-core way for very many journeys.
    batch_rows : int, optional
        DuckDB: rows per pass.  Median, distinct counts and the peak keep
        per-journey state that DuckDB cannot spill to disk, so inputs larger
        than this run as several passes over ranges of journey ids (each a
        complete set of journeys; default :data:`ROWS_PER_GB` per GB of
        `memory_limit`).  Results do not depend on it.

    Returns
    -------
    pandas.DataFrame or pathlib.Path
        One row per journey sorted by ``journey_id``; columns ``journey_id``
        and the metrics, on valence (-1..+1) where they are scores.  The path
        written when `out` is given.

    Raises
    ------
    FileNotFoundError
        When a path does not exist or a glob matches nothing.
    JourneyDataError
        When a file lacks a contract column (naming the file and the column),
        a scale is unknown, a value is off its scale, or a journey's rating
        differs between its rows (naming the journey).
    ValueError
        For an unknown engine or metric.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"journey_id": [1, 1, 2], "step": [1, 2, 1],
    ...                    "touchpoint": ["web", "mail", "web"], "score": [2, -2, 1],
    ...                    "score_scale": "smiley5", "rating": [3, 3, 9], "rating_scale": "stars10"})
    >>> summarize(df, metrics=["mean", "peak_end", "gap"])
       journey_id  mean  peak_end       gap
    0           1   0.0      -1.0 -0.555556
    1           2   0.5       0.5  0.277778
    """
    kind = _engine_for(source, engine)
    if kind == "duckdb":
        if _is_spark(source):
            raise ValueError("A Spark DataFrame runs on engine='spark', not 'duckdb'.")
        return _run_duckdb(source, metrics, memory_limit, threads, out, batch_rows)
    with warnings.catch_warnings():
        # pyspark warns that it does not support pandas 3 yet; the summary comes back through Arrow
        warnings.filterwarnings("ignore", message=".*PySpark does not yet fully support pandas",
                                category=FutureWarning)
        return _run_spark(source, metrics, out)
