"""Rows in journey order: the one sort every in-memory analysis shares.

:func:`journey_layout` puts the rows of tidy data in (journey_id, step) order
without touching the caller's frame: not at all when they already are (files
written journey by journey), by a stable counting sort of the journey codes
when journeys are interleaved by time (event exports: each journey's moments
in step order, spread over the file), steps first when a sample shows the
rows shuffled.  The contract checks (:mod:`journeylib.checks`) and the metrics
(:mod:`journeylib.metrics`) both read the result.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Layout", "journey_layout"]


@dataclass
class Layout:
    """Rows in journey order.

    Attributes
    ----------
    key : numpy.ndarray
        Sorted journey code per row: dense, non-negative, in the order of the ids.
    labels : array-like or None
        The id of each code (None when the id is ``code + offset``).
    order : numpy.ndarray or None
        Row positions in journey order; None when the rows already are.
    starts : numpy.ndarray
        Position (in journey order) where each journey starts.
    step : numpy.ndarray
        The steps in journey order.
    """

    key: np.ndarray
    labels: object
    order: np.ndarray | None
    starts: np.ndarray
    step: np.ndarray
    offset: int = 0
    codes: np.ndarray | None = None  # journey code of each row in the caller's order

    def row_journey(self):
        """Journey number (0..n_journeys-1, in journey order) of each row, in the caller's order."""
        if self.order is None:
            return np.repeat(np.arange(len(self.starts)), np.diff(np.append(self.starts,
                                                                            self.n_rows)))
        table = np.empty(int(self.key[-1]) + 1, dtype=np.int64)
        table[self.key[self.starts]] = np.arange(len(self.starts))
        return table[self.codes]

    @property
    def n_rows(self):
        return len(self.key)

    def rows(self, positions):
        """Positions in the caller's frame of positions in journey order."""
        positions = np.asarray(positions)
        return positions if self.order is None else self.order[positions]

    def ids(self):
        """The journey id of each journey, in order."""
        first = self.key[self.starts]
        return first + self.offset if self.labels is None else self.labels[first]

    def first_rows(self):
        """Position (in the caller's frame) of each journey's first row in the caller's order."""
        if self.order is None:
            return self.starts
        return np.minimum.reduceat(self.order, self.starts)

    def take(self, values):
        """A column's values in journey order (an array; a view when already in order)."""
        arr = np.asarray(values)
        return arr if self.order is None else arr[self.order]


try:  # pandas' counting sort in C: a stable O(n + k) sort of integer codes (a private name, so
    # guarded; tests/test_checks.py checks it against the NumPy radix sort below)
    from pandas._libs.algos import groupsort_indexer as _counting_sort
except ImportError:  # pragma: no cover - a pandas without it
    _counting_sort = None


def _radix_order(codes, n_codes, order=None):
    """Stable order of non-negative integer `codes` (< `n_codes`), refining `order` if given.

    An LSD radix sort in 16-bit digits: NumPy's stable argsort of 16-bit
    integers is a radix sort, O(n) per digit, so codes below 2**32 take two
    passes whatever their order (interleaved events, shuffled rows).  Only
    16-bit digits are gathered between passes.
    """
    shift = 0
    while True:
        digit = ((codes >> shift) & 0xFFFF).astype(np.uint16)
        if order is not None:
            digit = digit[order]
        step = np.argsort(digit, kind="stable")
        order = step if order is None else order[step]
        shift += 16
        if (n_codes - 1) >> shift == 0:
            return order


def _code_order(codes, n_codes, order=None):
    """Stable order of the journey codes (refining `order`): a counting sort when pandas has one.

    A counting sort is one pass over the rows plus one over the codes; the
    radix sort two or more passes with a gather between them.
    """
    if _counting_sort is None or n_codes > 4 * len(codes) + (1 << 16):
        return _radix_order(codes, n_codes, order=order)
    c = codes if order is None else codes[order]
    step = _counting_sort(c.astype(np.intp, copy=False), int(n_codes))[0]
    return step if order is None else order[step]


def _journey_codes(journey_id):
    """Dense non-negative codes in the order of the ids, their number, and how to get ids back.

    Whole-number ids within a span of a few times the row count are used
    minus their minimum (no hashing); other ids (text, uint64, sparse
    numbers, missing ids, which sort last) are numbered in sorted order.
    Returns (codes, n_codes, labels, offset): the id of code c is
    ``labels[c]`` when labels is not None, else ``c + offset``.
    """
    n = len(journey_id)
    if journey_id.dtype == np.int64 and n:
        ids = journey_id.to_numpy()
        lo, hi = int(ids.min()), int(ids.max())
        if hi - lo < max(4 * n, 1 << 16):
            return ids - lo, hi - lo + 1, None, lo
    codes, labels = pd.factorize(journey_id, sort=True, use_na_sentinel=False)
    return codes.astype(np.int64, copy=False), max(len(labels), 1), labels, 0


def _step_order(step):
    """Stable order of the steps: one radix pass when they span fewer than 2**16 values."""
    smin, smax = int(step.min()), int(step.max())
    if smax - smin >= 1 << 16:
        return np.argsort(step, kind="stable")
    return np.argsort((step - smin).astype(np.uint16), kind="stable")


def _steps_look_shuffled(codes, step, sample=1024):
    """Whether the moments seem out of step order within journeys, from a sample of journeys.

    About one journey in `sample` (those whose code is a multiple of it) is
    looked at: its rows in file order, sorted by journey.  Rows interleaved by
    time keep each journey's steps rising; shuffled rows do not.  Deciding
    this first spares shuffled data a sort by journey that would be redone.
    """
    rows = np.flatnonzero((codes & (sample - 1)) == 0)
    if len(rows) < 2:
        return False
    c = codes[rows]
    o = np.argsort(c, kind="stable")
    c, st = c[o], step[rows][o]
    same = c[1:] == c[:-1]
    return bool(same.any() and (st[1:][same] < st[:-1][same]).mean() > 0.05)


def _sorted_codes(codes, n_codes):
    """The codes in sorted order, written from their counts (no gather of the rows)."""
    return np.repeat(np.arange(n_codes, dtype=np.int64), np.bincount(codes, minlength=n_codes))


def _starts(key):
    return np.concatenate(([0], np.flatnonzero(key[1:] != key[:-1]) + 1))


def journey_layout(journey_id, step):
    """The rows in journey order: sorted by (journey_id, step), sorting only when needed.

    Rows already in journey order (as files written journey by journey are)
    are not sorted at all.  Rows interleaved by time (event exports: every
    journey's moments spread over the file, in step order within the
    journey) are put in journey order by a stable counting sort on the journey
    codes (a radix sort without pandas' one), which keeps each journey's moments in file order; only journeys
    whose steps then still descend are sorted by step (all of them, by one
    more radix pass, when most are).

    Parameters
    ----------
    journey_id : pandas.Series
        The ids (int64, uint64, text; missing ids form one journey, sorted last).
    step : numpy.ndarray
        int64 steps.

    Returns
    -------
    Layout

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> lay = journey_layout(pd.Series([2, 1, 1]), np.array([1, 2, 1]))
    >>> lay.order.tolist(), lay.starts.tolist(), lay.ids().tolist()
    ([2, 1, 0], [0, 2], [1, 2])
    """
    codes, n_codes, labels, offset = _journey_codes(journey_id)
    step = np.asarray(step)
    n = len(codes)
    if n == 0:
        return Layout(codes, labels, None, np.zeros(0, dtype=np.intp), step, offset, codes)
    if bool((codes[1:] >= codes[:-1]).all()):  # journeys in order (as files usually are)
        starts = _starts(codes)
        step_down = step[1:] <= step[:-1]
        step_down[starts[1:] - 1] = False
        if not step_down.any():
            return Layout(codes, labels, None, starts, step, offset, codes)
        order = None  # steps out of order within some journeys: only those are sorted below
    elif _steps_look_shuffled(codes, step):
        order = _code_order(codes, n_codes, order=_step_order(step))  # steps first, then journeys
    else:
        order = _code_order(codes, n_codes)
    key = codes if order is None else _sorted_codes(codes, n_codes)
    st = step if order is None else step[order]
    starts = _starts(key)
    down = st[1:] <= st[:-1]
    down[starts[1:] - 1] = False
    if down.any():
        bad = np.unique(np.searchsorted(starts, np.flatnonzero(down), side="right") - 1)
        if 4 * len(bad) > len(starts):  # most journeys: sort again, steps first
            order = _code_order(codes, n_codes, order=_step_order(step))
        else:  # a few journeys out of step order: sort just their rows
            if order is None:
                order = np.arange(n)
            counts = np.diff(np.append(starts, n))[bad]
            pos = np.repeat(starts[bad] - np.concatenate(([0], np.cumsum(counts)[:-1])), counts) \
                + np.arange(counts.sum())
            sub = order[pos]
            order[pos] = sub[np.lexsort((step[sub], codes[sub]))]
        key = _sorted_codes(codes, n_codes)
        st = step[order]
        starts = _starts(key)
    return Layout(key, labels, order, starts, st, offset, codes)
