"""Service recovery: :func:`recovery_groups` and :func:`recovery_test`.

The service recovery paradox: a failure that is well recovered can leave a
customer more satisfied than no failure at all.  De Matos, Henrique and Rossi
(2007, Journal of Service Research 10(1), 60-77) pooled 24 studies and found
the paradox for satisfaction but not for repurchase intention or word of
mouth, which is why :func:`recovery_test` compares the recommend answer as
well as the rating when the data has one.

Every journey (ordered ones only: a recovery must come *after* the failure)
falls in one of three groups, with definitions given as parameters:

- **failure**: a moment whose valence is below ``failure`` (default: any
  negative moment);
- **recovered**: the journey's *last* failure is followed by a recovery,
  a later moment of the same actor above ``positive`` (route ``"actor"``)
  or a compensation touchpoint (route ``"compensation"``, whatever its
  score), whose names are given by ``compensation``;
- **unrecovered**: a failure, and no recovery after the last one;
- **no failure**: no moment below ``failure``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .paths import _sequences, _welch

__all__ = ["recovery_groups", "recovery_test", "GROUPS", "RECOVERY_ROUTES"]

#: The groups, in the order of their codes (0, 1, 2).
GROUPS: tuple[str, ...] = ("no failure", "recovered", "unrecovered")
#: Ways a failure can be recovered.
RECOVERY_ROUTES: tuple[str, ...] = ("actor", "compensation")
_COMPARISONS = (("recovered", "no failure"), ("recovered", "unrecovered"))


def _is_compensation(names, compensation):
    """Per touchpoint name: does it contain one of the `compensation` words (case-insensitive)?"""
    words = [str(w).casefold() for w in compensation]
    return np.array([any(w in str(n).casefold() for w in words) for n in names], dtype=bool)


def _classify(v, actor, comp, starts, counts, *, failure=0.0, positive=0.0,
              routes=RECOVERY_ROUTES):
    """Group code per journey (0 no failure, 1 recovered, 2 unrecovered), from rows in journey order.

    Also returns, per journey, the row of the last failure and of the first
    recovery after it (-1 when none) and the number of failures.
    """
    n_rows = len(v)
    rows = np.arange(n_rows)
    if len(starts) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, empty
    fail = v < failure  # a missing score is no failure
    last_fail = np.maximum.reduceat(np.where(fail, rows, -1), starts)
    lf_row = np.repeat(last_fail, counts)
    ok = np.zeros(n_rows, dtype=bool)
    if "compensation" in routes:
        ok |= comp
    if "actor" in routes and actor is not None:
        actor = np.asarray(actor)
        ok |= (v > positive) & (actor == actor[np.maximum(lf_row, 0)]) & (actor >= 0)
    hit = ok & (rows > lf_row) & (lf_row >= 0)
    first_rec = np.minimum.reduceat(np.where(hit, rows, n_rows), starts)
    has_fail = last_fail >= 0
    recovered = has_fail & (first_rec < n_rows)
    group = np.where(has_fail, np.where(recovered, 1, 2), 0)
    n_fail = np.add.reduceat(fail.astype(np.int64), starts)
    return group, last_fail, np.where(recovered, first_rec, -1), n_fail


def _check(failure, positive, recovered_by, compensation):
    if isinstance(recovered_by, str):
        recovered_by = (recovered_by,)
    recovered_by = tuple(recovered_by)
    bad = [r for r in recovered_by if r not in RECOVERY_ROUTES]
    if bad or not recovered_by:
        raise ValueError(f"The value for `recovered_by` must be one or more of {RECOVERY_ROUTES}, "
                         f"but {bad[0] if bad else recovered_by!r} was passed.")
    if isinstance(compensation, str):
        compensation = (compensation,)
    if not -1 <= failure <= 1 or not -1 <= positive <= 1:
        raise ValueError("`failure` and `positive` are valences, in -1..+1.")
    return recovered_by, tuple(compensation)


def _grouped(data, what, failure, positive, recovered_by, compensation):
    recovered_by, compensation = _check(failure, positive, recovered_by, compensation)
    seq = _sequences(data, what)
    comp = _is_compensation(seq.names, compensation)[seq.code]
    if "actor" in recovered_by and seq.actor is None and "compensation" not in recovered_by:
        raise ValueError("Recovery by the same actor needs an 'actor' column, which the data "
                         "lacks; pass recovered_by=('compensation',) or add the column.")
    group, last_fail, first_rec, n_fail = _classify(
        seq.v, seq.actor, comp, seq.starts, seq.counts, failure=failure, positive=positive,
        routes=recovered_by)
    return seq, comp, group, last_fail, first_rec, n_fail


def recovery_groups(data, *, failure=0.0, positive=0.0, recovered_by=RECOVERY_ROUTES,
                    compensation=("compensation",)):
    """Which journeys had a failure, and was it recovered?  One row per ordered journey.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy journey data (validated; never modified), with an ``actor``
        column for recovery by the same actor.  Journeys with ``ordered``
        False are left out with a warning.
    failure : float
        A moment with valence below this is a failure (default 0: any
        negative moment).
    positive : float
        A later moment of the failing actor with valence above this
        recovers the failure (route ``"actor"``).
    recovered_by : sequence of {"actor", "compensation"}
        The routes that count as a recovery.
    compensation : sequence of str
        A touchpoint whose name contains one of these words (ignoring case)
        is a compensation.  Choose them with care: ``"refund"`` would also
        match "refund short by 60 euro".

    Returns
    -------
    pandas.DataFrame
        ``journey_id``, ``group`` (one of :data:`GROUPS`), ``n_failures``,
        ``failure_step`` (step of the last failure), ``failure_touchpoint``,
        ``recovery_step``, ``recovery_touchpoint`` and ``recovered_by`` (the
        first recovery after the last failure; missing when none),
        ``mean`` (touchpoint mean valence), ``rating`` (valence) and, when the
        data has one, ``recommend`` (as answered).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({
    ...     "journey_id": [1, 1, 1, 2, 2, 3, 3], "step": [1, 2, 3, 1, 2, 1, 2],
    ...     "touchpoint": ["order", "late delivery", "gift voucher", "order", "delivery",
    ...                    "order", "broken item"],
    ...     "actor": "shop", "score": [1, -2, 1, 1, 2, 1, -1], "score_scale": "smiley5",
    ...     "rating": [2, 2, 2, 1, 1, -1, -1], "rating_scale": "smiley5"})
    >>> g = recovery_groups(df, compensation=["voucher"])
    >>> g[["journey_id", "group", "failure_step", "recovery_step", "recovered_by"]]
       journey_id        group  failure_step  recovery_step  recovered_by
    0           1    recovered             2              3  compensation
    1           2   no failure          <NA>           <NA>          <NA>
    2           3  unrecovered             2           <NA>          <NA>
    """
    seq, comp, group, last_fail, first_rec, n_fail = _grouped(
        data, "recovery_groups", failure, positive, recovered_by, compensation)
    ok = ~np.isnan(seq.v)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = seq.per_journey(np.where(ok, seq.v, 0.0)) / seq.per_journey(ok.astype(np.int64))
    has_f, has_r = last_fail >= 0, first_rec >= 0
    lf, fr = np.maximum(last_fail, 0), np.maximum(first_rec, 0)

    def at(values, rows, present, dtype):
        return pd.array(np.where(present, values[rows], None), dtype=dtype)

    # a compensation that is also the same actor's positive moment is named a compensation
    route = np.where(comp[fr], "compensation", "actor")
    out = pd.DataFrame({
        "journey_id": seq.ids,
        "group": np.asarray(GROUPS, dtype=object)[group],
        "n_failures": n_fail,
        "failure_step": at(seq.step, lf, has_f, "Int64"),
        "failure_touchpoint": at(seq.names[seq.code], lf, has_f, object),
        "recovery_step": at(seq.step, fr, has_r, "Int64"),
        "recovery_touchpoint": at(seq.names[seq.code], fr, has_r, object),
        "recovered_by": pd.array(np.where(has_r, route, None), dtype=object),
        "mean": mean,
        "rating": seq.rating,
    })
    if seq.recommend is not None:
        out["recommend"] = seq.recommend
    for c in ("recovered_by", "failure_touchpoint", "recovery_touchpoint"):
        out[c] = out[c].astype(object).where(out[c].notna(), pd.NA)
    return out


def recovery_test(data, *, failure=0.0, positive=0.0, recovered_by=RECOVERY_ROUTES,
                  compensation=("compensation",), adjust=None, confidence=0.95):
    """The service recovery paradox: recovered failures against no failure and against unrecovered.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy journey data (validated; never modified).
    failure, positive, recovered_by, compensation
        The definitions, as in :func:`recovery_groups`.
    adjust : {None, "mean"}
        None: compare the journey ratings (the paradox as the literature
        states it).  ``"mean"``: compare the rating minus the touchpoint
        mean (the gap), i.e. what the rating says beyond how the moments
        felt on average (the compensation's own good moment included).
        Recommend is compared unadjusted (it is not on the rating's scale).
    confidence : float
        Level of Welch's interval of each difference.

    Returns
    -------
    pandas.DataFrame
        One row per outcome and comparison: ``outcome`` (``"rating"``,
        ``"rating - mean"`` or ``"recommend"``), ``scale`` (``"valence"``, or
        the recommend scale: 0-10 answers or a 0/1 share), ``comparison``,
        ``group_a``, ``group_b``, ``n_a``, ``n_b`` (journeys with the
        outcome), ``mean_a``, ``mean_b``, ``diff`` (a minus b), ``ci_low``,
        ``ci_high`` and ``p_val`` (Welch; NaN when a group has fewer than two
        journeys).  Comparisons: ``"recovered - no failure"`` (above 0: the
        paradox) and ``"recovered - unrecovered"`` (what recovery is worth).

    Examples
    --------
    >>> import journeylib as jl
    >>> sim = jl.simulate_journeys(3000, rule="mean", rating_scale="valence", seed=3,
    ...                            recovery={"recovered": 0.2, "unrecovered": -0.2,
    ...                                      "compensation": 0.3})
    >>> res = recovery_test(sim, adjust="mean")
    >>> res[["outcome", "comparison"]].values.tolist()[:2]
    [['rating - mean', 'recovered - no failure'], ['rating - mean', 'recovered - unrecovered']]
    >>> bool(res.loc[0, "ci_low"] < 0.2 < res.loc[0, "ci_high"])  # the planted paradox of +0.2
    True
    """
    if adjust not in (None, "mean"):
        raise ValueError(f"The value for `adjust` must be one of (None, 'mean'), but {adjust!r} "
                         "was passed.")
    if not 0 < confidence < 1:
        raise ValueError(f"The value for `confidence` must lie between 0 and 1, but "
                         f"{confidence!r} was passed.")
    seq, _, group, *_ = _grouped(data, "recovery_test", failure, positive, recovered_by,
                                 compensation)
    ok = ~np.isnan(seq.v)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = seq.per_journey(np.where(ok, seq.v, 0.0)) / seq.per_journey(ok.astype(np.int64))
    outcomes = [("rating", "valence", seq.rating)] if adjust is None else \
        [("rating - mean", "valence", seq.rating - mean)]
    if seq.recommend is not None:
        outcomes.append(("recommend", seq.recommend_scale, seq.recommend))
    rows = []
    for name, scale, y in outcomes:
        fine = ~np.isnan(y)
        y0 = np.where(fine, y, 0.0)
        n = np.bincount(group, fine, 3)
        s = np.bincount(group, y0, 3)
        q = np.bincount(group, y0 * y0, 3)
        a = np.array([GROUPS.index(x) for x, _ in _COMPARISONS])
        b = np.array([GROUPS.index(x) for _, x in _COMPARISONS])
        ma, mb, diff, lo, hi, p = _welch(n[a], s[a], q[a], n[b], s[b], q[b], confidence)
        for i, (ga, gb) in enumerate(_COMPARISONS):
            rows.append({"outcome": name, "scale": scale, "comparison": f"{ga} - {gb}",
                         "group_a": ga, "group_b": gb, "n_a": int(n[a[i]]), "n_b": int(n[b[i]]),
                         "mean_a": float(ma[i]), "mean_b": float(mb[i]), "diff": float(diff[i]),
                         "ci_low": float(lo[i]), "ci_high": float(hi[i]), "p_val": float(p[i])})
    return pd.DataFrame(rows)
