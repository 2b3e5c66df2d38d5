"""Journey metrics out of core (DuckDB) and on a cluster (Spark), from one SQL definition.

:func:`journeylib.journey_summary` computes per-journey metrics in memory
with pandas and numpy.  Event data (every contact of every customer) often
does not fit in memory: it lives in Parquet files or in a Spark cluster.
:func:`summarize` computes the same metrics there, with the same
definitions, by generating **one** SQL text from the table of metric
definitions below (:data:`METRIC_SQL`) and running it on either engine:

* ``engine="duckdb"`` (the default for a path, a glob or a pandas frame):
  DuckDB, embedded, reads the Parquet files itself within `memory_limit`,
  and computes median, distinct counts, trend and channel switches from
  fixed-size states (:mod:`.fast`: level counts, bitmasks, integer sums),
  computing again with the exact SQL only the journeys where a shortcut is
  not exact; inputs larger than `batch_rows` are first split once into parts
  of whole journeys (:mod:`.partition`), each summarised in memory, so the
  time grows in proportion to the rows;
* ``engine="spark"`` (the default for a ``pyspark.sql.DataFrame``): Spark
  SQL on the session the DataFrame belongs to; the work runs on the executors
  and only the per-journey result comes back to the driver.

Both refuse what :func:`journeylib.validate` refuses, inside the engine and
in the same pass: the query reads every cell as :mod:`journeylib.cells` does
(``n/a`` and the other :data:`~journeylib.schema.NA_TOKENS` are missing,
``#N/A`` and the other :data:`~journeylib.schema.ERROR_TOKENS` are errors,
True/False count only on the binary scale, ``inf`` is off every scale) and
checks the contract as it aggregates: duplicate (journey_id, step), missing
journey ids, bad steps, unknown scales, values off their scale, and
journey-level columns (rating, rating_scale, recommend, recommend_scale,
ordered) that differ between the rows of a journey.  Unordered journeys
(``ordered`` False) get no order-dependent metrics, as in pandas.  The first bad journey stops the query;
a second query then lists the problems (up to 20, and how many in all) for a
:class:`~journeylib.JourneyDataError` naming file, journey, step, column and
value.  The same Parquet file given twice is refused before any query.  No
row is pulled into Python.

The text is Spark SQL: plain aggregates (``avg``, ``median``, ``stddev_samp``,
``regr_slope``, ``min_by``/``max_by`` with a struct key for the peak,
``FILTER (WHERE ...)``), window columns over the journey's rows in step order
(``lag``, ``first_value``), ``CASE`` expressions, ``TRY_CAST``, and one
journeylib function ``n_distinct(col)``.  The engine-specific parts are small
and named: ``_DUCKDB_SHIMS``, five one-line DuckDB macros (``raise_error``,
``unix_micros``, ``named_struct``, ``n_distinct``, ``rlike``), and
``_spark_dialect``, which spells ``n_distinct`` and ``TIMESTAMPTZ`` for Spark
and escapes its string literals.  Valence is computed inside the engine
through a scale table (an inline ``VALUES`` list generated from
:data:`journeylib.scales.SCALES`, joined on the scale name).

The package's modules show the jobs: :mod:`.sql` (the metric definitions and
the summary query), :mod:`.fast` (the forms DuckDB can spill), :mod:`.checks`
(the contract in SQL: reading cells, checking rows and journeys),
:mod:`.problems` (listing and wording the problems), :mod:`.sources` (Parquet
paths, globs, folders), :mod:`.partition` (splitting large inputs once),
:mod:`.duckdb_engine` and :mod:`.spark_engine` (the runners).
"""

from __future__ import annotations

import warnings

from .duckdb_engine import ROWS_PER_GB, _run_duckdb
from .sources import _is_spark
from .spark_engine import _run_spark
from .sql import METRIC_SQL, summary_sql

__all__ = ["ENGINES", "METRIC_SQL", "ROWS_PER_GB", "summarize", "summary_sql"]

#: The engines :func:`summarize` can run on.
ENGINES: tuple[str, ...] = ("duckdb", "spark")


def _engine_for(source, engine) -> str:
    if engine is None:
        return "spark" if _is_spark(source) else "duckdb"
    if engine not in ENGINES:
        raise ValueError(f"The value for `engine` must be one of {ENGINES}, but {engine!r} was passed.")
    return engine


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
        metric the columns allow (``n_channels`` needs ``channel``, etc.); an
        empty list to check the data only (the result has the journey ids).
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
        DuckDB: rows summarised at once.  A journey summary keeps some sixty
        aggregates per journey, so inputs larger than this are split once
        into parts of whole journeys, written to DuckDB's temporary folder
        and summarised one after the other (default :data:`ROWS_PER_GB` per
        GB of `memory_limit`).  Results do not depend on it.

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
        When the data breaks the contract, as :func:`journeylib.validate`
        would say, naming the file, journey, step, column and value of each
        problem (up to 20, and how many in all): a file lacking a contract
        column or given twice, a missing journey id, a step that is not a
        whole number >= 0, a duplicate (journey_id, step), a cell that is not
        a number (or a spreadsheet error, or True/False off the binary
        scale), an unknown or missing scale, a value off its scale (``inf``
        included), a timestamp that is not one (text must be ISO 8601), or a
        rating, rating_scale, recommend, recommend_scale or ordered that
        differs between the rows of a journey (missing on some of them
        included), or an ``ordered`` that is not True or False.
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

    Bad data gets the same refusal as :func:`journeylib.validate` gives:

    >>> summarize(df.assign(step=[1, 1, 1]), metrics=["mean"])
    Traceback (most recent call last):
    ...
    journeylib.schema.JourneyDataError: 1 problem found:
      - journey 1, step 1, column 'step': value 1: duplicate step 1 in journey 1 (2 rows); each (journey_id, step) must be unique
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
