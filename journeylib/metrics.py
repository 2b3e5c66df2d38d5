"""Per-journey aggregates of touchpoint valence: mean, min, peak-end, last, effort...

Everything is computed on *valence* (-1..+1, see :mod:`journeylib.scales`) with
sorted-array reductions (``np.add.reduceat`` and friends) over rows grouped by
journey: no Python loop over journeys or rows.  Data already in journey order
(as files usually are) is used as it is; other data is sorted once by
(journey_id, step), which costs one ``np.lexsort`` (about a second per ten
million rows).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .scales import get_scale
from .schema import REQUIRED, validate

__all__ = ["journey_summary", "ALL_METRICS", "CORE_METRICS", "RULES"]

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
# metric -> optional column it needs
_NEEDS = {"n_channels": "channel", "channel_switches": "channel", "n_actors": "actor",
          "duration": "timestamp", "recommend": "recommend"}
# metric -> metrics it is computed from
_DEPENDS = {"peak_end": ("peak", "last"), "gap": ("rating", "mean"),
            "gap_peak_end": ("rating", "peak_end"), "share_negative": ("n_negative",),
            "trend": ("mean",), "volatility": ("mean",), "effort": ("n_repeats",),
            "peak": ("min", "max"), "trough": ("min",)}
_BITMASK_MAX = 64


def _is_contract(data) -> bool:
    """True when `data` already has the dtypes :func:`schema.validate` produces."""
    if any(c not in data.columns for c in REQUIRED):
        return False
    dt = data.dtypes
    jid = dt["journey_id"]
    ok = (jid == np.int64 or pd.api.types.is_string_dtype(jid)) and dt["step"] == np.int64
    ok = ok and dt["score"] == np.float64 and dt["rating"] == np.float64
    ok = ok and all(isinstance(dt[c], pd.CategoricalDtype) for c in ("score_scale", "rating_scale"))
    if "recommend" in data.columns:
        ok = ok and dt["recommend"] == np.float64
    if "timestamp" in data.columns:
        ok = ok and pd.api.types.is_datetime64_any_dtype(dt["timestamp"])
    return bool(ok)


def _linear_valence(values, scales):
    """Valence of `values` whose scale names are in categorical Series `scales`.

    The same arithmetic as :func:`journeylib.valence` (so results agree to
    the last bit), with one scale lookup per category instead of per row.
    """
    cats = scales.cat.categories
    table = [get_scale(name) for name in cats]
    low = np.array([s.low for s in table], dtype=np.float64)
    span = np.array([s.high - s.low for s in table], dtype=np.float64)
    rev = np.array([s.reversed for s in table])
    if len(cats) == 1:
        v = 2.0 * (values - low[0]) / span[0] - 1.0
        return -v if rev[0] else v
    codes = scales.cat.codes.to_numpy()
    v = 2.0 * (values - low[codes]) / span[codes] - 1.0
    return np.where(rev[codes], -v, v) if rev.any() else v


def _codes(col):
    """Integer codes (-1 = missing) and the number of categories of a column."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return col.cat.codes.to_numpy(), len(col.cat.categories)
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    return codes, len(uniques)


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


class _Groups:
    """Rows in journey order: starts, counts and a few cached helpers."""

    def __init__(self, starts, n_rows):
        self.starts = starts
        self.counts = np.diff(np.append(starts, n_rows))
        self.n = n_rows
        self._gidx = None

    @property
    def gidx(self):
        if self._gidx is None:
            self._gidx = np.repeat(np.arange(len(self.starts)), self.counts)
        return self._gidx

    def sum(self, x, dtype=None):
        return np.add.reduceat(x, self.starts, dtype=dtype)

    def expand(self, per_group):
        return np.repeat(per_group, self.counts)

    def n_distinct(self, codes, n_cat):
        """Distinct non-missing codes per group."""
        valid = codes >= 0
        if n_cat <= _BITMASK_MAX:
            bits = np.left_shift(np.uint64(1), codes.astype(np.uint64))
            if not valid.all():
                bits[~valid] = 0
            return np.bitwise_count(np.bitwise_or.reduceat(bits, self.starts)).astype(np.int64)
        key = self.gidx[valid].astype(np.int64) * n_cat + codes[valid]
        uniq = np.unique(key)
        return np.bincount(uniq // n_cat, minlength=len(self.starts)).astype(np.int64)


def _positions(g, mask, *, last):
    """Per group: the last (or first) row position where `mask` is True; -1 when none."""
    pos = np.arange(g.n, dtype=np.int64)
    if last:
        return np.maximum.reduceat(np.where(mask, pos, -1), g.starts)
    first = np.minimum.reduceat(np.where(mask, pos, g.n), g.starts)
    return np.where(first == g.n, -1, first)


def _pick(v, pos):
    out = np.full(len(pos), np.nan)
    ok = pos >= 0
    out[ok] = v[pos[ok]]
    return out


def journey_summary(data, *, metrics=None):
    """One row of aggregate metrics per journey, on valence (-1..+1).

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy journey data (:mod:`journeylib.schema`).  Data that already has
        the contract's dtypes (as :func:`journeylib.validate` returns them) is
        trusted and only read; anything else is validated first (a
        :class:`~journeylib.JourneyDataError` names bad rows).  Row order does
        not matter; the caller's frame is never modified.
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
          fewer than two scored moments); ``volatility``: standard deviation
          (ddof=1).
        - ``n_negative``, ``share_negative``: moments below neutral.
        - ``n_channels``, ``n_actors``: distinct channels/actors (when those
          columns exist); ``channel_switches``: consecutive moments on a
          different channel.
        - ``n_repeats``: contacts with a touchpoint already met in this
          journey (A, A, B is one repeat; A, B, A too); ``effort`` is
          ``-n_repeats``, so that, like the other rules, higher is better.
        - ``duration``: last minus first timestamp (when a ``timestamp``
          column exists).
        - ``rating``: the journey rating as valence; ``gap``: ``rating -
          mean``; ``gap_peak_end``: ``rating - peak_end``.
        - ``recommend``: the raw recommend answer (on its own scale, e.g. 0-10,
          for :func:`journeylib.nps`), when the data has one.

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
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"Journey data must be a pandas DataFrame, not {type(data).__name__}.")
    if not _is_contract(data):
        data = validate(data)
    wanted = _resolve(metrics, data.columns)
    need = set(wanted)
    stack = list(wanted)
    while stack:
        for dep in _DEPENDS.get(stack.pop(), ()):
            if dep not in need:
                need.add(dep)
                stack.append(dep)

    # journey keys, order check, sort only when needed
    jid = data["journey_id"]
    if jid.dtype == np.int64:
        key = jid.to_numpy()
        labels = None
    else:
        key, labels = pd.factorize(jid, sort=True)
    step = data["step"].to_numpy()
    n_rows = len(key)
    dk = np.diff(key)
    order = None
    if not ((dk >= 0).all() and ((dk > 0) | (np.diff(step) > 0)).all()):
        order = np.lexsort((step, key))
        key = key[order]
        step = step[order]
        dk = np.diff(key)

    def col(name):
        a = data[name]
        return a if order is None else a.iloc[order]

    starts = np.concatenate(([0], np.flatnonzero(dk) + 1)) if n_rows else np.zeros(0, np.int64)
    g = _Groups(starts, n_rows)
    out = {"journey_id": key[starts] if labels is None else labels[key[starts]]}
    res = {}

    v = _linear_valence(col("score").to_numpy(), col("score_scale"))
    valid = ~np.isnan(v)
    complete = bool(valid.all())
    n_valid = g.counts if complete else g.sum(valid, dtype=np.int64)
    empty = n_valid == 0
    vz = v if complete else np.where(valid, v, 0.0)

    res["n_touchpoints"] = g.counts
    res["n_missing"] = g.counts - n_valid
    with np.errstate(invalid="ignore", divide="ignore"):
        if need & {"mean", "trend", "volatility"}:
            res["mean"] = g.sum(vz) / n_valid
        if "min" in need:
            mn = np.minimum.reduceat(v if complete else np.where(valid, v, np.inf), starts)
            res["min"] = np.where(empty, np.nan, mn)
        if "max" in need:
            mx = np.maximum.reduceat(v if complete else np.where(valid, v, -np.inf), starts)
            res["max"] = np.where(empty, np.nan, mx)
        if "trough" in need:
            res["trough"] = res["min"]
        if "first" in need:
            res["first"] = v[starts] if complete else _pick(v, _positions(g, valid, last=False))
        if "last" in need:
            res["last"] = v[starts + g.counts - 1] if complete else _pick(v, _positions(g, valid, last=True))
        if "peak" in need:
            res["peak"] = _peak(g, v, res["min"], res["max"])
        if "peak_end" in need:
            res["peak_end"] = (res["peak"] + res["last"]) / 2.0
        if "median" in need:
            res["median"] = _median(g, v, valid, n_valid, col)
        if need & {"trend", "volatility"}:
            dev = vz - g.expand(res["mean"])
            if not complete:
                dev[~valid] = 0.0
            if "volatility" in need:
                res["volatility"] = np.where(n_valid > 1, np.sqrt(g.sum(dev * dev) / (n_valid - 1)),
                                             np.nan)
            if "trend" in need:
                x = step.astype(np.float64)
                if not complete:
                    x = np.where(valid, x, 0.0)
                xc = x - g.expand(g.sum(x) / n_valid)
                if not complete:
                    xc[~valid] = 0.0
                sxx = g.sum(xc * xc)
                res["trend"] = np.where(sxx > 0, g.sum(xc * dev) / sxx, np.nan)
        if "n_negative" in need:
            res["n_negative"] = g.sum(v < 0, dtype=np.int64)
        if "share_negative" in need:
            res["share_negative"] = np.where(empty, np.nan, res["n_negative"] / n_valid)
    if "n_channels" in need or "channel_switches" in need:
        codes, n_cat = _codes(col("channel"))
        if "n_channels" in need:
            res["n_channels"] = g.n_distinct(codes, n_cat)
        if "channel_switches" in need:
            sw = np.zeros(n_rows, dtype=bool)
            sw[1:] = (codes[1:] != codes[:-1]) & (codes[1:] >= 0) & (codes[:-1] >= 0)
            sw[starts] = False
            res["channel_switches"] = g.sum(sw, dtype=np.int64)
    if "n_actors" in need:
        res["n_actors"] = g.n_distinct(*_codes(col("actor")))
    if "n_repeats" in need:
        codes, n_cat = _codes(col("touchpoint"))
        res["n_repeats"] = g.counts - g.n_distinct(codes, n_cat) - g.sum(codes < 0, dtype=np.int64)
    if "effort" in need:
        res["effort"] = -res["n_repeats"].astype(np.float64)
    if "duration" in need:
        res["duration"] = _duration(g, col("timestamp"))
    if "rating" in need:
        rows = starts if order is None else order[starts]
        rating = data["rating"].iloc[rows]
        res["rating"] = _linear_valence(rating.to_numpy(), data["rating_scale"].iloc[rows])
    if "gap" in need:
        res["gap"] = res["rating"] - res["mean"]
    if "gap_peak_end" in need:
        res["gap_peak_end"] = res["rating"] - res["peak_end"]
    if "recommend" in need:
        rows = starts if order is None else order[starts]
        res["recommend"] = data["recommend"].to_numpy()[rows]
    for m in wanted:
        out[m] = res[m]
    return pd.DataFrame(out)


def _peak(g, v, mn, mx):
    """Signed most extreme moment; on a tie the later one.

    Uses min and max: only journeys whose max equals -min (a positive and a
    negative extreme of the same size) need a look at positions.
    """
    with np.errstate(invalid="ignore"):
        peak = np.where(mx > -mn, mx, mn)
        tie = np.flatnonzero((mx == -mn) & (mx > 0))
    if len(tie):
        cnt = g.counts[tie]
        first = g.starts[tie]
        offsets = np.repeat(first - np.concatenate(([0], np.cumsum(cnt)[:-1])), cnt)
        rows = offsets + np.arange(cnt.sum())
        sub_starts = np.concatenate(([0], np.cumsum(cnt)[:-1]))
        a = np.abs(v[rows])
        hit = a == np.repeat(mx[tie], cnt)
        pos = np.maximum.reduceat(np.where(hit, np.arange(len(rows)), -1), sub_starts)
        peak[tie] = v[rows[pos]]
    return peak


def _median(g, v, valid, n_valid, col):
    """Grouped median: counting on the levels of one integer scale, else pandas."""
    scales = col("score_scale")
    cats = scales.cat.categories
    if len(cats) == 1 and get_scale(cats[0]).integer:
        s = get_scale(cats[0])
        k = int(s.high - s.low) + 1
        x = col("score").to_numpy()
        level = np.where(valid, x - s.low, k).astype(np.int64)  # missing -> extra level k
        counts = np.bincount(g.gidx * (k + 1) + level, minlength=len(g.starts) * (k + 1))
        cum = counts.reshape(-1, k + 1)[:, :k].cumsum(axis=1)
        lo = (n_valid - 1) // 2
        hi = n_valid // 2
        lev_lo = (cum <= lo[:, None]).sum(axis=1)
        lev_hi = (cum <= hi[:, None]).sum(axis=1)
        vals = np.asarray(_linear_valence(np.arange(k, dtype=np.float64) + s.low,
                                          pd.Series(pd.Categorical([cats[0]] * k))))
        vals = np.append(vals, np.nan)
        med = (vals[np.minimum(lev_lo, k)] + vals[np.minimum(lev_hi, k)]) / 2.0
        return np.where(n_valid == 0, np.nan, med)
    return pd.Series(v).groupby(g.gidx, sort=True).median().to_numpy()


def _duration(g, ts):
    arr = ts.to_numpy()
    nat = np.isnat(arr)
    i = arr.view(np.int64)
    big = np.iinfo(np.int64).max
    tmax = np.maximum.reduceat(np.where(nat, -big, i), g.starts)
    tmin = np.minimum.reduceat(np.where(nat, big, i), g.starts)
    unit = np.datetime_data(arr.dtype)[0]
    d = (tmax - tmin).astype(f"timedelta64[{unit}]")
    d[tmax == -big] = np.timedelta64("NaT")
    return d
