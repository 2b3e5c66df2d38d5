"""The journey summary as one SQL text, for DuckDB and Spark alike.

:data:`METRIC_SQL` holds the definition of every metric once, in SQL;
:func:`summary_sql` assembles them into one query, after the stages of
:mod:`.checks` that read every cell as the pandas path does and check the
contract in the same pass.  The text is Spark SQL with one journeylib
function, ``n_distinct(col)``; the engine-specific parts are small and named:
``_DUCKDB_SHIMS`` (DuckDB macros giving DuckDB the Spark names) and
``_spark_dialect`` (what Spark spells differently).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import checks, fast
from .fast import Plan

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
    # the journey's first step: trend is fitted on steps counted from it, so that epoch
    # seconds or microseconds as steps lose no precision (journey_summary centres them too)
    "step0": "first_value(step) OVER (PARTITION BY journey_id ORDER BY step)",
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
    "trend": _Metric("a_trend", {"a_trend": "regr_slope(v, CAST(step - step0 AS DOUBLE))"},
                     window=("step0",)),
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
        {"ts_max": "max(ts_us)", "ts_min": "min(ts_us)"},
        columns=("timestamp",)),
    # j_rv: the rating's valence, taken once per journey (checks.journey_stage)
    "rating": _Metric("j_rv"),
    "gap": _Metric("j_rv - a_mean", {"a_mean": "avg(v)"}),
    "gap_peak_end": _Metric(
        "j_rv - (a_peak + a_last) / 2.0E0",
        {"a_peak": _PEAK,
         "a_last": "max_by(v, step) FILTER (WHERE v IS NOT NULL)"}),
    "recommend": _Metric("a_rec", {"a_rec": "max(recommend)"}, columns=("recommend",)),
}

# ``n_distinct(col)`` counts distinct non-missing values.  DuckDB is fastest with
# count(DISTINCT col) (a macro below); Spark plans several count(DISTINCT) as an Expand of
# every row (4x the rows, about 5x slower here), so for Spark the text is rewritten to
# size(collect_set(col)), which Spark aggregates in one pass.
_N_DISTINCT = re.compile(r"n_distinct\((\w+)\)")


def _spark_dialect(sql: str) -> str:
    """The shared text as Spark reads it.

    Four differences: ``n_distinct`` (above); ``jl_bit(n)`` is ``shiftleft(1L, n)``;
    ``TIMESTAMPTZ`` is Spark's
    ``TIMESTAMP_LTZ``; and Spark un-escapes backslashes in string literals
    (DuckDB does not), so the regular expressions' backslashes are doubled.
    The generated text has backslashes only inside literals.
    """
    sql = _N_DISTINCT.sub(r"CAST(size(collect_set(\1)) AS BIGINT)", sql).replace(
        "jl_bit(", "shiftleft(1L, ")
    return sql.replace("AS TIMESTAMPTZ)", "AS TIMESTAMP_LTZ)").replace("\\", "\\\\")


#: DuckDB macros giving DuckDB the Spark names used in the shared SQL text.
_DUCKDB_SHIMS = (
    "CREATE OR REPLACE TEMP MACRO raise_error(msg) AS error(msg)",
    "CREATE OR REPLACE TEMP MACRO unix_micros(ts) AS epoch_us(ts)",
    # bit n of a 64-bit word (Spark: shiftleft(1L, n), see _spark_dialect)
    "CREATE OR REPLACE TEMP MACRO jl_bit(n) AS (1::UBIGINT << n)",
    # Spark's named_struct; DuckDB orders unnamed structs field by field just the same
    "CREATE OR REPLACE TEMP MACRO named_struct(k1, a, k2, b) AS row(a, b)",
    "CREATE OR REPLACE TEMP MACRO n_distinct(x) AS count(DISTINCT x)",
    "CREATE OR REPLACE TEMP MACRO rlike(s, pattern) AS regexp_matches(s, pattern)",
)


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


def _kinds(columns) -> dict:
    """Column kinds (:func:`.checks.duckdb_kinds`); from bare names, kinds that bind to any type."""
    if isinstance(columns, dict):
        return dict(columns)
    kinds = {c: "other" for c in columns}
    if "journey_id" in kinds:
        kinds["journey_id"] = "any"
    return kinds


def _unordered(exprs: dict) -> dict:
    """`exprs` with the order-dependent metrics NULL where the journey is unordered.

    As :func:`journeylib.journey_summary`: the metrics in
    :data:`journeylib.metrics.ORDER_DEPENDENT`, and ``peak`` when a positive
    and a negative extreme tie (order broke that tie: "the later one").
    """
    from ..metrics import ORDER_DEPENDENT

    out = dict(exprs)
    for m, e in exprs.items():
        if m in ORDER_DEPENDENT:
            out[m] = f"CASE WHEN jl_lo_ordered THEN {e} END"
        elif m == "peak":
            out[m] = f"CASE WHEN NOT jl_lo_ordered AND jl_pmax = -jl_pmin AND jl_pmax > 0 THEN NULL ELSE {e} END"
    return out


def _fast_metrics(names, kinds, plan: Plan, aggs: dict):
    """(metric -> expression, jl_f1 columns, jl_f1 joins, redo conditions) of the spillable forms."""
    exprs, cols, joins, redo = {}, [], [], []
    if "median" in names:
        aggs.update(fast.median_aggs(plan))
        c, join = fast.median_stage(plan)
        cols += c
        joins.append(join)
        exprs["median"] = "jl_median"
        redo.append("jl_redo_median")
    if "trend" in names:
        aggs.update(fast.trend_aggs())
        cols += fast.trend_stage()
        exprs["trend"], r = fast.trend_final()
        redo.append(f"({r})")
    if "channel_switches" in names:
        aggs.update(fast.switch_aggs(plan))
        cols += fast.switch_stage(plan)
        exprs["channel_switches"], r = fast.switch_final(plan)
        redo.append(f"({r})")
    for alias, expr in list(aggs.items()):
        for col in ("touchpoint", "channel", "actor"):
            if f"n_distinct({col})" in expr:
                aggs[alias] = expr.replace(f"n_distinct({col})", fast.n_distinct(col, plan))
    return exprs, cols, joins, redo


def summary_sql(table: str, columns, *, metrics=None, order=True, ts_mode=None,
                check: bool = True, duplicates: str = "exact", plan: Plan | None = None,
                only: str | None = None) -> str:
    """The SQL text of the journey summary over `table`, for DuckDB and Spark alike.

    The query reads every cell as :func:`journeylib.validate` does and checks
    the contract in the same pass (:mod:`journeylib.engines.checks`): when a
    journey breaks it, the query stops with an error holding
    ``checks.SENTINEL``, and :func:`journeylib.engines.summarize` then lists
    the problems.

    Parameters
    ----------
    table : str
        A table expression: a view name, or ``read_parquet([...])`` in DuckDB.
    columns : dict or iterable of str
        Columns the table has (optional contract columns switch metrics on):
        a dict from name to kind (``"int"``, ``"float"``, ``"text"``... as
        :func:`.checks.duckdb_kinds` gives them), or bare names, for which
        SQL is generated that reads any type (as text: slower).
    metrics : list of str, optional
        Metric names (keys of :data:`METRIC_SQL`); None for every metric the
        columns allow; an empty list for the journey ids alone (the checks only).
    order : bool, default True
        End with ``ORDER BY journey_id``.
    ts_mode : {None, "mixed"}
        "mixed" when a text timestamp column mixes times with and without a
        time zone (the runners find out with one pre-pass).
    check : bool, default True
        False leaves the contract checks out (cells are still read the same
        way); for measuring what the checks cost, never for results.
    duplicates : {"exact", "flag"}
        How duplicate steps are found when the query has no window in step
        order: "exact" in the query; "flag" clears most journeys with one cheap
        aggregate and adds a boolean column ``jl_unsure`` for the others, which
        the caller must check (:func:`.checks.check_aggs`) and drop.
    plan : journeylib.engines.fast.Plan, optional
        DuckDB only: compute median, distinct counts, trend and channel
        switches from states DuckDB can spill (:mod:`.fast`), with no window
        (so duplicates are flagged), and add a boolean column ``jl_redo`` for
        the journeys the exact query must compute again.
    only : str, optional
        A table with a ``journey_id`` column: summarise only those journeys.

    Unordered journeys (an ``ordered`` column that is False) get NULL for the
    metrics in :data:`journeylib.metrics.ORDER_DEPENDENT`, and for ``peak``
    when a positive and a negative extreme tie; the summary then ends with an
    ``ordered`` column.  ``recommend`` is followed by ``recommend_scale``.

    The text is Spark SQL with one journeylib function, ``n_distinct(col)``:
    DuckDB runs it after the macros in ``_DUCKDB_SHIMS``; Spark after
    ``_spark_dialect``.

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
    kinds = _kinds(columns)
    names = _select_metrics(metrics, list(kinds))
    aggs: dict[str, str] = {}
    window: list[str] = []
    exprs = {m: METRIC_SQL[m].expr for m in names}
    f1_cols, f1_joins, redo = [], [], []
    for m in names:
        if plan is not None and m in ("median", "trend", "channel_switches"):
            continue
        aggs.update(METRIC_SQL[m].agg)
        window += [w for w in METRIC_SQL[m].window if w not in window]
    if plan is not None:
        fast_exprs, f1_cols, f1_joins, redo = _fast_metrics(names, kinds, plan, aggs)
        exprs.update(fast_exprs)
        duplicates = "flag"
    if "ordered" in kinds and "peak" in names:
        aggs.update({"jl_pmin": "min(v)", "jl_pmax": "max(v)"})
    if "ordered" in kinds:
        exprs = _unordered(exprs)
    aggs.update(checks.journey_aggs(kinds))
    wins = [f"{_WINDOW[w]} AS {w}" for w in window]
    if check:
        if window:  # a duplicate step is one equal to the step before, in the same window
            wins.append("lag(step) OVER (PARTITION BY journey_id ORDER BY step) AS jl_prev_step")
        aggs.update(checks.check_aggs(bool(window), duplicates))
    else:
        aggs.update({"jl_bad": "0", "jl_dup": "0"})
    # the row stage keeps only what the aggregates read (a window materialises its input)
    keep = ["journey_id", "step", "v"]
    keep += [c for c in ("touchpoint", "channel", "actor") if c in kinds]
    if plan is not None:
        keep += fast.code_columns(plan, [c for c in ("touchpoint", "channel", "actor") if c in kinds])
        if "median" in names:
            keep += ["jl_sidx", "jl_lvl"]
    keep += [f"{checks.scale_code(c)} AS {c}" if c.endswith("_scale") else c
             for c in checks.journey_level(kinds)]
    if "timestamp" in kinds:
        keep.append("ts_us")
    if check:
        keep.append("jl_row_bad")
    source = "agg"
    f1 = ""
    if f1_cols:
        source = "jl_f1"
        f1 = (f"jl_f1 AS (SELECT agg.*, {', '.join(f1_cols)}\n  FROM agg "
              + " ".join(f1_joins) + "),\n")
    journey, bad = checks.journey_stage(kinds, source=source)
    agg_list = ",\n    ".join(f"{e} AS {a}" for a, e in aggs.items())
    outs = ["journey_id"]
    for m in names:
        outs.append(f"{exprs[m]} AS {m}")
        if m == "recommend":
            outs.append("jl_recommend_scale_name AS recommend_scale")
    if "ordered" in kinds:
        outs.append("jl_lo_ordered AS ordered")
    if checks.UNSURE in aggs:
        outs.append(checks.UNSURE)
    if plan is not None:
        outs.append(f"({' OR '.join(redo) or 'FALSE'}) AS {fast.REDO}")
    outs = ",\n  ".join(outs)
    where = (f"\nWHERE CASE WHEN {bad} THEN raise_error('{checks.SENTINEL}') ELSE TRUE END"
             if check else "")
    extra = fast.level_columns(plan) if plan is not None and "median" in names else None
    restrict = f"\n  WHERE journey_id IN (SELECT journey_id FROM {only})" if only else ""
    return (
        f"WITH {checks.stages(table, kinds, ts_mode=ts_mode, extra=extra)},\n"
        f"rowstage AS (SELECT {', '.join(keep + wins)}\n  FROM jl_src{restrict}),\n"
        f"agg AS (SELECT journey_id,\n    {agg_list}\n  FROM rowstage GROUP BY journey_id),\n"
        f"{f1}jl_j AS ({journey})\n"
        f"SELECT {outs}\nFROM jl_j{where}"
        + ("\nORDER BY journey_id" if order else "")
    )
