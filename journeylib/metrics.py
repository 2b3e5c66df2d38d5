"""Per-journey aggregates of touchpoint valence: mean, min, peak-end, last, effort...

Everything is computed on *valence* (-1..+1, see :mod:`journeylib.scales`) with
sorted-array reductions over rows grouped by journey (:mod:`journeylib.reductions`):
no Python loop over journeys or rows.  Data already in journey order (as files
usually are) is used as it is; other data is put in journey order once
(:func:`journeylib.layout.journey_layout`: a counting sort of the journey codes)
plus a gather of each column used (see ``benchmarks/bench_metrics.py`` for the
figures).
"""

from __future__ import annotations

import concurrent.futures
import os

import numpy as np
import pandas as pd

from .checks import has_contract_dtypes, verify
from .layout import journey_layout
from .reductions import _codes, _duration, _end_value, _Groups, _median, _peak
from .scales import valence
from .schema import JourneyDataError, _Problems, validate

__all__ = ["journey_summary", "as_summary", "ALL_METRICS", "CORE_METRICS", "RULES",
           "ORDER_DEPENDENT", "VALENCE_RULES"]

#: Every metric :func:`journey_summary` knows, in output order.
ALL_METRICS: tuple[str, ...] = (
    "n_touchpoints", "n_missing", "mean", "median", "min", "max", "first", "last",
    "peak", "trough", "peak_end", "trend", "volatility", "n_negative", "share_negative",
    "n_channels", "n_actors", "n_repeats", "channel_switches", "effort", "duration",
    "rating", "gap", "gap_peak_end", "recommend",
)
#: The small set most analyses need (and the one the benchmark times).
CORE_METRICS: tuple[str, ...] = (
    "n_touchpoints", "mean", "min", "max", "last", "peak_end", "n_channels", "rating", "gap",
)
#: Metrics that are aggregation rules: candidate predictors of the journey rating.
RULES: tuple[str, ...] = (
    "mean", "median", "min", "max", "first", "last", "peak", "trough", "peak_end", "trend",
    "effort",
)
#: Metrics that depend on the order of the moments: NaN on journeys with ``ordered=False``.
ORDER_DEPENDENT: tuple[str, ...] = ("first", "last", "peak_end", "trend", "channel_switches",
                                    "gap_peak_end")
#: Rules whose value is on the valence scale (-1..+1), so that ``rating - rule`` is a gap.
VALENCE_RULES: tuple[str, ...] = ("mean", "median", "min", "max", "first", "last", "peak",
                                  "trough", "peak_end")
# metric -> optional column it needs
_NEEDS = {"n_channels": "channel", "channel_switches": "channel", "n_actors": "actor",
          "duration": "timestamp", "recommend": "recommend"}
# metric -> metrics it is computed from
_DEPENDS = {"peak_end": ("peak", "last"), "gap": ("rating", "mean"),
            "gap_peak_end": ("rating", "peak_end"), "share_negative": ("n_negative",),
            "trend": ("mean",), "volatility": ("mean",), "effort": ("n_repeats",),
            "peak": ("min", "max"), "trough": ("min",)}


def _is_contract(data) -> bool:
    """True when `data` already has the dtypes :func:`schema.validate` produces (checked anyway)."""
    return has_contract_dtypes(data)


def _resolve(metrics, columns):
    if metrics is None:
        return [m for m in ALL_METRICS if _NEEDS.get(m) is None or _NEEDS[m] in columns]
    if isinstance(metrics, str):
        metrics = [metrics]
    wanted = list(dict.fromkeys(metrics))
    for m in wanted:
        if m not in ALL_METRICS:
            raise ValueError(
                f"The value for `metrics` must be a list of names from {ALL_METRICS}, "
                f"but {m!r} was passed."
            )
        need = _NEEDS.get(m)
        if need is not None and need not in columns:
            raise ValueError(f"The metric {m!r} needs a {need!r} column, which the data lacks.")
    return wanted


def journey_summary(data, *, metrics=None):
    """One row of aggregate metrics per journey, on valence (-1..+1).

    Parameters
    ----------
    data : pandas.DataFrame, path, glob, list of paths or pyspark DataFrame
        Tidy journey data (:mod:`journeylib.schema`).  Parquet files (a path,
        folder, glob or list) are summarised out of core by DuckDB and a
        ``pyspark.sql.DataFrame`` by Spark, with the same definitions
        (:func:`journeylib.engines.summarize`, whose options such as
        ``memory_limit`` and ``out`` are available there).  Data is always
        checked against the contract: a frame that already has the contract's
        dtypes (as :func:`journeylib.validate` returns them) is verified in
        journey order without a copy (:func:`journeylib.checks.verify`:
        duplicate steps, values off their scale or not finite, journey-level
        columns that differ within a journey, unknown scales, missing ids),
        anything else is validated first; either way a
        :class:`~journeylib.JourneyDataError` names the bad rows.  Row order
        does not matter; the caller's frame is never modified.
    metrics : list of str, optional
        Which metrics to compute (default: all that the data's columns allow).
        Ask for a few on large data: each costs a pass or two over the rows.

    Returns
    -------
    pandas.DataFrame
        Sorted by ``journey_id`` (a column), then one column per metric, in
        this order; valence-valued metrics lie in -1..+1.

        - ``n_touchpoints``: rows (moments) of the journey; ``n_missing``: of
          which the score is missing.  Missing scores are skipped by every
          valence metric.
        - ``mean``, ``median``, ``min``, ``max``, ``first``, ``last``: of the
          scored moments.
        - ``peak``: the most extreme moment (largest distance from neutral,
          sign kept; on a tie the later one); ``trough``: the worst moment
          (equal to ``min``, named as in the emotion-curve literature);
          ``peak_end``: ``(peak + last) / 2``, Kahneman's rule.
        - ``trend``: least-squares slope of valence over ``step`` (NaN with
          fewer than two scored moments; steps are centred within the
          journey, so the level of ``step``, say epoch seconds, does not matter); ``volatility``: standard deviation
          (ddof=1).
        - ``n_negative``, ``share_negative``: moments below neutral.
        - ``n_channels``, ``n_actors``: distinct channels/actors (when those
          columns exist); ``channel_switches``: consecutive moments (in step
          order) on a different channel.  A moment without a channel breaks
          the chain: web, (missing), phone counts no switch, because nobody
          knows where that moment happened.
        - ``n_repeats``: contacts with a touchpoint already met in this
          journey (A, A, B is one repeat; A, B, A too); ``effort`` is
          ``-n_repeats``, so that, like the other rules, higher is better.
        - ``duration``: the time the journey spans, latest minus earliest
          timestamp (when a ``timestamp`` column exists; time-zone aware
          stamps are compared in UTC).  Not "last step minus first step":
          a journey's steps need not be in time order.
        - ``rating``: the journey rating as valence; ``gap``: ``rating -
          mean``; ``gap_peak_end``: ``rating - peak_end``.
        - ``recommend``: the raw recommend answer (on its own scale, e.g. 0-10,
          for :func:`journeylib.nps`), when the data has one.

        Unordered journeys (``ordered`` False, as survey items from
        :func:`journeylib.from_wide`): the metrics in :data:`ORDER_DEPENDENT`
        are NaN, and so is ``peak`` when a positive and a negative extreme
        tie (order broke that tie).  An ``ordered`` column closes the summary
        when the data has one.

    Raises
    ------
    ValueError
        For an unknown metric, or one whose column is missing.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"journey_id": [1, 1, 1, 2, 2], "step": [1, 2, 3, 1, 2],
    ...                    "touchpoint": ["web", "mail", "web", "phone", "shop"],
    ...                    "score": [2, -1, 0, 1, 1], "score_scale": "smiley5",
    ...                    "rating": [-1, -1, -1, 1, 1], "rating_scale": "smiley5"})
    >>> s = journey_summary(df, metrics=["mean", "peak", "last", "peak_end", "n_repeats", "gap"])
    >>> s.round(3)
       journey_id   mean  peak  last  peak_end  n_repeats    gap
    0           1  0.167   1.0   0.0       0.5          1 -0.667
    1           2  0.500   0.5   0.5       0.5          0  0.000
    """
    if isinstance(data, (str, os.PathLike, list)) or type(data).__module__.startswith("pyspark"):
        from .engines import summarize

        return summarize(data, metrics=metrics)
    if not isinstance(data, pd.DataFrame):
        raise TypeError(
            "Journey data must be a pandas DataFrame, a Parquet path/glob or a pyspark DataFrame, "
            f"not {type(data).__name__}."
        )
    if len(data) == 0 or not _is_contract(data):
        data = validate(data)  # raises for an empty table
        return _summarise(data, journey_layout(data["journey_id"], data["step"].to_numpy()), metrics)
    # right dtypes are no proof of valid data (a concat, an edited score): check, in journey order
    layout = journey_layout(data["journey_id"], data["step"].to_numpy())
    problems = _Problems()
    if len(data) < _OVERLAP_ROWS:
        verify(data, problems, layout=layout)
        if problems.total:
            raise JourneyDataError(problems.items, total=problems.total)
        return _summarise(data, layout, metrics)
    # on large data the check runs in a second thread while the metrics are computed (NumPy
    # releases the GIL in both); nothing is returned before the check has passed, and an error
    # the metrics hit on bad data gives way to the check's JourneyDataError
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        checked = pool.submit(verify, data, problems, layout=layout)
        try:
            out = _summarise(data, layout, metrics)
        except Exception as exc:
            checked.result()
            if problems.total:
                raise JourneyDataError(problems.items, total=problems.total) from exc
            raise
        checked.result()
    if problems.total:
        raise JourneyDataError(problems.items, total=problems.total)
    return out


#: From this many rows on, :func:`journey_summary` checks the contract in a second thread.
_OVERLAP_ROWS = 200_000


def _summarise(data, layout, metrics):
    """The metrics of checked `data` whose rows are in `layout` (the body of journey_summary)."""
    wanted = _resolve(metrics, data.columns)
    need = set(wanted)
    stack = list(wanted)
    while stack:
        for dep in _DEPENDS.get(stack.pop(), ()):
            if dep not in need:
                need.add(dep)
                stack.append(dep)

    key, order, starts, step = layout.key, layout.order, layout.starts, layout.step
    n_rows = len(key)

    def col(name):
        """A column in journey order: numpy gathers of values or category codes, not iloc."""
        a = data[name]
        if order is None:
            return a
        if isinstance(a.dtype, pd.CategoricalDtype):
            codes = a.cat.codes.to_numpy()
            if len(a.cat.categories) == 1 and codes.min() == 0:
                return a  # one category on every row: the same in any order
            return pd.Series(pd.Categorical.from_codes(codes[order], dtype=a.dtype))
        if a.dtype.kind in "fiub":
            return pd.Series(a.to_numpy()[order], name=name)
        return a.iloc[order]

    g = _Groups(starts, n_rows)
    out = {"journey_id": layout.ids()}
    res = {}

    v = valence(col("score").to_numpy(), col("score_scale"))
    nan_mask = np.isnan(v)
    n_missing = g.count(nan_mask)
    complete = not n_missing.any()
    n_valid = g.counts - n_missing
    empty = n_valid == 0

    res["n_touchpoints"] = g.counts
    res["n_missing"] = n_missing
    with np.errstate(invalid="ignore", divide="ignore"):
        # metrics that skip NaN themselves
        if "min" in need:
            res["min"] = np.fmin.reduceat(v, starts)
        if "max" in need:
            res["max"] = np.fmax.reduceat(v, starts)
        if "trough" in need:
            res["trough"] = res["min"]
        if "first" in need:
            res["first"] = _end_value(g, v, last=False)
        if "last" in need:
            res["last"] = _end_value(g, v, last=True)
        if "peak" in need:
            res["peak"] = _peak(g, v, res["min"], res["max"])
        if "peak_end" in need:
            res["peak_end"] = (res["peak"] + res["last"]) / 2.0
        if "n_negative" in need:
            res["n_negative"] = g.count(v < 0)
        if "share_negative" in need:
            res["share_negative"] = np.where(empty, np.nan, res["n_negative"] / n_valid)
        if "median" in need:
            res["median"] = _median(g, v, nan_mask, n_valid, col)
        # from here on missing scores count as 0 (they are excluded by n_valid)
        if not complete:
            v[nan_mask] = 0.0
        if need & {"mean", "trend", "volatility"}:
            res["mean"] = g.sum(v) / n_valid
        if need & {"trend", "volatility"}:
            dev = g.expand(res["mean"])
            np.subtract(v, dev, out=dev)
            if not complete:
                dev[nan_mask] = 0.0
            tmp = np.empty_like(dev)
            if "volatility" in need:
                np.multiply(dev, dev, out=tmp)
                res["volatility"] = np.where(n_valid > 1, np.sqrt(g.sum(tmp) / (n_valid - 1)), np.nan)
            if "trend" in need:
                # least squares on steps centred within each journey: sum (x - xbar)(v - vbar)
                # / sum (x - xbar)**2 over scored moments.  Centring makes the slope independent
                # of the level of `step` (epoch seconds, 10**9 + k): no catastrophic cancellation
                # first exactly, in integers, against the journey's first step; then the mean
                x = (step - g.expand(step[starts])).astype(np.float64)
                if complete:
                    xbar = g.sum(x) / n_valid
                else:
                    xbar = g.sum(np.where(nan_mask, 0.0, x)) / n_valid
                x -= g.expand(xbar)
                if not complete:
                    x[nan_mask] = 0.0
                np.multiply(x, x, out=tmp)
                sxx = g.sum(tmp)
                np.multiply(x, dev, out=tmp)
                sxy = g.sum(tmp)
                span = np.maximum.reduceat(np.abs(x), starts)
                res["trend"] = np.where(sxx > 1e-12 * span * span * n_valid, sxy / sxx, np.nan)
                del x
            del dev, tmp
    del v, nan_mask
    if "n_channels" in need or "channel_switches" in need:
        codes, n_cat = _codes(col("channel"))
        if "n_channels" in need:
            res["n_channels"] = g.n_distinct(codes, n_cat)
        if "channel_switches" in need:
            sw = np.zeros(n_rows, dtype=bool)
            sw[1:] = (codes[1:] != codes[:-1]) & (codes[1:] >= 0) & (codes[:-1] >= 0)
            sw[starts] = False
            res["channel_switches"] = g.count(sw)
    if "n_actors" in need:
        res["n_actors"] = g.n_distinct(*_codes(col("actor")))
    if "n_repeats" in need:
        codes, n_cat = _codes(col("touchpoint"))
        res["n_repeats"] = g.counts - g.n_distinct(codes, n_cat) - g.count(codes < 0)
    if "effort" in need:
        res["effort"] = -res["n_repeats"].astype(np.float64)
    if "duration" in need:
        res["duration"] = _duration(g, col("timestamp"))
    first = layout.rows(starts)  # each journey's first row in the caller's frame
    if "rating" in need:
        rating = data["rating"].iloc[first]
        res["rating"] = valence(rating.to_numpy(), data["rating_scale"].iloc[first])
    if "gap" in need:
        res["gap"] = res["rating"] - res["mean"]
    if "gap_peak_end" in need:
        res["gap_peak_end"] = res["rating"] - res["peak_end"]
    if "recommend" in need:
        res["recommend"] = data["recommend"].to_numpy()[first]
    if "ordered" in data.columns:
        ordered = data["ordered"].to_numpy(dtype=bool)[first]
        if not ordered.all():  # no order among the moments: what depends on it is undefined
            for m in ORDER_DEPENDENT:
                if m in res:
                    res[m] = np.where(ordered, res[m], np.nan)
            if "peak" in res:  # a tie between +x and -x was broken by order ("the later one")
                tie = (res["max"] == -res["min"]) & (res["max"] > 0) & ~ordered
                res["peak"] = np.where(tie, np.nan, res["peak"])
    for m in wanted:
        out[m] = res[m]
        if m == "recommend":  # its scale, so that nps() can refuse a recommend that is not 0-10
            out["recommend_scale"] = data["recommend_scale"].iloc[first].array
    if "ordered" in data.columns:
        out["ordered"] = ordered
    return pd.DataFrame(out)


def as_summary(data, *, metrics=None):
    """A journey summary from either tidy data or an existing summary.

    The statistics and the gap charts accept both: tidy data (it has ``step``
    and ``score`` columns) is summarised with :func:`journey_summary`; a frame
    that already is a summary (one row per journey, with ``journey_id``) is
    passed through unchanged (callers check for the columns they need and
    name them in their error).

    Raises
    ------
    TypeError
        When `data` is not a DataFrame.

    Examples
    --------
    >>> import pandas as pd
    >>> tidy = pd.DataFrame({"journey_id": [1, 1], "step": [1, 2], "touchpoint": ["web", "mail"],
    ...                      "score": [2, 0], "score_scale": "smiley5",
    ...                      "rating": 1, "rating_scale": "smiley5"})
    >>> s = as_summary(tidy, metrics=["mean", "rating"])
    >>> s.values.tolist()
    [[1.0, 0.5, 0.5]]
    >>> as_summary(s) is s
    True
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"Expected a pandas DataFrame, not {type(data).__name__}.")
    if {"step", "score"} <= set(data.columns):
        return journey_summary(data, metrics=metrics)
    return data
