"""Per-journey reductions over rows in journey order: the kernels of :func:`journeylib.journey_summary`.

Rows of one journey are contiguous (``starts`` marks where each begins); every
function here is an array reduction over those runs (``np.add.reduceat``,
bitmasks, counts per level), never a Python loop over journeys or rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .scales import get_scale, valence

#: Categories up to this many are counted distinct per journey with bitmasks.
_BITMASK_MAX = 64


def _codes(col):
    """Integer codes (-1 = missing) and the number of categories of a column."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return col.cat.codes.to_numpy(), len(col.cat.categories)
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    return codes, len(uniques)


class _Groups:
    """Rows in journey order: starts, counts and a few cached helpers."""

    def __init__(self, starts, n_rows):
        self.starts = starts
        self.bounds = np.append(starts, n_rows)
        self.counts = np.diff(self.bounds)
        self.n = n_rows
        self._gidx = None

    @property
    def gidx(self):
        if self._gidx is None:
            dt = np.int32 if len(self.starts) < 2**31 else np.int64
            self._gidx = np.repeat(np.arange(len(self.starts), dtype=dt), self.counts)
        return self._gidx

    def sum(self, x):
        return np.add.reduceat(x, self.starts)

    def count(self, mask):
        """True entries of a boolean row mask, per group."""
        return np.add.reduceat(mask, self.starts, dtype=np.int32).astype(np.int64)

    def expand(self, per_group):
        return np.repeat(per_group, self.counts)

    def subset(self, groups):
        """Row positions of some groups, and where each group starts among them."""
        cnt = self.counts[groups]
        sub_bounds = np.concatenate(([0], np.cumsum(cnt)))
        rows = np.repeat(self.starts[groups] - sub_bounds[:-1], cnt) + np.arange(sub_bounds[-1])
        return rows, sub_bounds

    def n_distinct(self, codes, n_cat):
        """Distinct non-missing codes per group."""
        valid = codes >= 0
        if n_cat <= _BITMASK_MAX:
            dt = next(t for t in (np.uint8, np.uint16, np.uint32, np.uint64)
                      if np.iinfo(t).bits >= n_cat)
            bits = np.left_shift(dt(1), codes.astype(dt))
            if not valid.all():
                bits[~valid] = 0
            return np.bitwise_count(np.bitwise_or.reduceat(bits, self.starts)).astype(np.int64)
        key = self.gidx[valid].astype(np.int64) * n_cat + codes[valid]
        uniq = np.unique(key)
        return np.bincount(uniq // n_cat, minlength=len(self.starts)).astype(np.int64)


def _last_where(hit, sub_bounds, *, last=True):
    """Per sub-group: position of the last (first) True in `hit`, -1 when none."""
    pos = np.flatnonzero(hit)
    if last:
        i = np.searchsorted(pos, sub_bounds[1:]) - 1
        ok = (i >= 0) & (pos[np.maximum(i, 0)] >= sub_bounds[:-1]) if len(pos) else np.zeros(len(i), bool)
    else:
        i = np.searchsorted(pos, sub_bounds[:-1])
        ok = (i < len(pos)) & (pos[np.minimum(i, len(pos) - 1)] < sub_bounds[1:]) if len(pos) \
            else np.zeros(len(i), bool)
    out = np.full(len(i), -1, dtype=np.int64)
    out[ok] = pos[i[ok]]
    return out


def _end_value(g, v, *, last):
    """First or last non-missing value per group (NaN when none)."""
    at = g.bounds[1:] - 1 if last else g.starts
    out = v[at]
    todo = np.flatnonzero(np.isnan(out))
    if len(todo):
        rows, sub_bounds = g.subset(todo)
        pos = _last_where(~np.isnan(v[rows]), sub_bounds, last=last)
        out[todo] = np.where(pos >= 0, v[rows[np.maximum(pos, 0)]], np.nan)
    return out


def _peak(g, v, mn, mx):
    """Signed most extreme moment; on a tie the later one.

    Uses min and max: only journeys whose max equals -min (a positive and a
    negative extreme of the same size) need a look at positions.
    """
    with np.errstate(invalid="ignore"):
        peak = np.where(mx > -mn, mx, mn)
        tie = np.flatnonzero((mx == -mn) & (mx > 0))
    if 5 * len(tie) > len(g.starts):
        # many ties (common on short integer scales): one pass over all rows is cheaper
        target = np.full(len(g.starts), np.nan)
        target[tie] = mx[tie]
        hit = np.abs(v) == g.expand(target)
        peak[tie] = v[_last_where(hit, g.bounds)[tie]]
    elif len(tie):
        rows, sub_bounds = g.subset(tie)
        vv = v[rows]
        hit = np.abs(vv) == np.repeat(mx[tie], np.diff(sub_bounds))
        peak[tie] = vv[_last_where(hit, sub_bounds)]
    return peak


def _median(g, v, nan_mask, n_valid, col):
    """Grouped median: counting on the levels of one integer scale, else pandas."""
    scales = col("score_scale")
    cats = scales.cat.categories
    if len(cats) == 1 and get_scale(cats[0]).integer:
        s = get_scale(cats[0])
        k = int(s.high - s.low) + 1
        x = col("score").to_numpy()
        bits = 64 // k
        if int(g.counts.max()) < 2**bits:
            # one pass: each level adds 1 to its own bit field of a uint64 per journey
            table = np.append(np.left_shift(np.uint64(1), np.arange(k, dtype=np.uint64)
                                            * np.uint64(bits)), np.uint64(0))
            level = x - s.low
            level[nan_mask] = k  # missing -> the zero entry
            packed = np.add.reduceat(table[level.astype(np.intp)], g.starts)
            del level
            shifts = np.arange(k, dtype=np.uint64) * np.uint64(bits)
            cum = ((packed[None, :] >> shifts[:, None]) & np.uint64(2**bits - 1)).astype(np.int64)
            for i in range(1, k):  # (k, G): cumulative over levels, one row at a time
                cum[i] += cum[i - 1]
            cum = cum.T
        else:
            level = x - s.low
            level[nan_mask] = k  # missing -> an extra level k
            key = g.gidx.astype(np.int64) * (k + 1)
            key += level.astype(np.int64)
            del level
            counts = np.bincount(key, minlength=len(g.starts) * (k + 1))
            del key
            cum = counts.reshape(-1, k + 1)[:, :k].cumsum(axis=1)
        cum = cum.T  # (k, G): row-wise passes are the fast ones
        lev_lo = (cum <= ((n_valid - 1) // 2)[None, :]).sum(axis=0)
        lev_hi = (cum <= (n_valid // 2)[None, :]).sum(axis=0)
        vals = valence(np.arange(k, dtype=np.float64) + s.low, s)
        vals = np.append(vals, np.nan)
        return (vals[np.minimum(lev_lo, k)] + vals[np.minimum(lev_hi, k)]) / 2.0
    w = np.where(nan_mask, np.nan, v)
    return pd.Series(w).groupby(g.gidx, sort=True).median().to_numpy()


def _duration(g, ts):
    if getattr(ts.dtype, "tz", None) is not None:  # one clock (UTC) for times with a zone
        ts = ts.dt.tz_convert("UTC").dt.tz_localize(None)
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
