"""The journey summary as one SQL text, for DuckDB and Spark alike.

:data:`METRIC_SQL` holds the definition of every metric once, in SQL;
:func:`summary_sql` assembles them into one query.  The text is Spark SQL with
one journeylib function, ``n_distinct(col)``; the engine-specific parts are
small and named: ``_DUCKDB_SHIMS`` (DuckDB macros giving DuckDB the Spark
names) and ``_spark_dialect`` (which spells ``n_distinct`` for Spark).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..scales import SCALES
from ..schema import REQUIRED

__all__ = ["METRIC_SQL", "summary_sql"]



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
