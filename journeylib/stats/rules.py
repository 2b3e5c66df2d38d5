"""Which aggregation rule of the touchpoints predicts the journey rating best, out of sample?"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as st

from .._stats_common import _boot_index, _check_confidence, _column, _drop_missing
from ..metrics import RULES, as_summary

__all__ = ["compare_rules", "DEFAULT_RULES"]

#: The rules :func:`compare_rules` compares by default ("all" is one model over the others).
DEFAULT_RULES: tuple[str, ...] = ("mean", "median", "min", "last", "peak_end", "trend", "effort",
                                  "all")


# --- rule comparison ------------------------------------------------------------------------------

def _cv_predict(X, y, folds, cv):
    """Out-of-fold predictions of y from X (n x p) with a per-fold least-squares fit."""
    n, p = X.shape
    pred = np.empty(n)
    if p == 1:
        x = X[:, 0]
        cnt = np.bincount(folds, minlength=cv).astype(float)
        sums = [np.bincount(folds, w, minlength=cv) for w in (x, y, x * x, x * y)]
        tn = n - cnt
        sx, sy, sxx, sxy = (a.sum() - a for a in sums)
        den = tn * sxx - sx * sx
        with np.errstate(invalid="ignore", divide="ignore"):
            b = np.where(den > 1e-12 * tn * tn, (tn * sxy - sx * sy) / den, 0.0)
        a = (sy - b * sx) / tn
        return a[folds] + b[folds] * x
    A = np.column_stack([np.ones(n), X])
    for k in range(cv):
        test = folds == k
        coef = np.linalg.lstsq(A[~test], y[~test], rcond=None)[0]
        pred[test] = A[test] @ coef
    return pred


def _auc(y, pred):
    """AUC along the last axis (ties count one half), via ranks."""
    ranks = st.rankdata(pred, axis=-1)
    n1 = y.sum(axis=-1)
    n0 = y.shape[-1] - n1
    with np.errstate(invalid="ignore", divide="ignore"):  # a resample of one class: NaN
        auc = ((ranks * y).sum(axis=-1) - n1 * (n1 + 1) / 2) / (n1 * n0)
    return np.where(n1 * n0 > 0, auc, np.nan)


def _r2(y, pred):
    resid = ((y - pred) ** 2).sum(axis=-1)
    tot = ((y - y.mean(axis=-1, keepdims=True)) ** 2).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):  # a resample of equal ratings: NaN
        return np.where(tot > 0, 1.0 - resid / tot, np.nan)


def compare_rules(data, *, rules=DEFAULT_RULES, cv=5, n_boot=1000, confidence=0.95,
                  outcome="rating", seed=None):
    """How well does each aggregation rule predict the journey rating, out of sample?

    For each rule, K-fold cross-validation of a linear calibration
    ``outcome ~ a + b * rule`` fitted on the training folds, evaluated on the
    held-out fold; ``"all"`` is one linear model over every other rule
    listed (or the default rules when none are).  The out-of-fold predictions
    of all journeys are then scored.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy journey data or a :func:`journeylib.journey_summary` frame.
    rules : sequence of str
        Names from :data:`journeylib.metrics.RULES`, plus ``"all"``.
    cv : int
        Number of folds (at least 2).
    n_boot : int
        Bootstrap resamples of journeys for ``ci_low``/``ci_high`` of
        ``score`` (percentile bootstrap of the out-of-fold predictions, the
        same resamples for every rule); 0 gives NaN.
    confidence : float
    outcome : str
        ``"rating"`` (journey rating, valence) or another summary column such
        as ``"recommend"``.  An outcome taking only the values 0 and 1
        (recommended yes/no) is treated as binary: ``score`` is then the AUC
        and ``r`` the point-biserial correlation.
    seed : int, optional
        Seeds the fold assignment and the bootstrap.

    Returns
    -------
    pandas.DataFrame
        One row per rule, best first: ``rule``, ``score_name`` (``"r2"`` or
        ``"auc"``), ``score``, ``ci_low``, ``ci_high``, ``r`` (Pearson, or
        point-biserial), ``rho`` (Spearman), ``r2`` (out of sample, ``1 -
        SSE/SST``: can be negative), ``mae``, ``auc`` (NaN for a continuous
        outcome), ``n``, ``outcome_type`` (``"continuous"`` or ``"binary"``).
        A rule that is the same for every journey (constant scores, no
        repeats for ``effort``) predicts a constant: its ``r`` and ``rho`` are
        NaN and its ``r2`` is at most about 0.

    Raises
    ------
    ValueError
        For an unknown rule; fewer journeys than ``cv`` (each fold needs a journey); an outcome with
        no variance (all ratings equal, or all missing).

    Notes
    -----
    ``"all"`` nests every single rule, so it cannot be expected to lose
    against the rule that truly generated the ratings; compare single rules
    to find that one.

    Examples
    --------
    >>> import journeylib as jl
    >>> df = jl.simulate_journeys(1000, rule="min", noise=0.1, seed=7)
    >>> res = compare_rules(df, rules=["mean", "min", "last"], n_boot=200, seed=0)
    >>> res["rule"].iloc[0]
    'min'
    >>> list(res.columns)  # doctest: +NORMALIZE_WHITESPACE
    ['rule', 'score_name', 'score', 'ci_low', 'ci_high', 'r', 'rho', 'r2', 'mae', 'auc', 'n',
     'outcome_type']
    """
    rules = [rules] if isinstance(rules, str) else list(rules)
    for r in rules:
        if r != "all" and r not in RULES:
            raise ValueError(f"The value for `rules` must hold names from {(*RULES, 'all')}, but "
                             f"{r!r} was passed.")
    if int(cv) != cv or cv < 2:
        raise ValueError(f"The value for `cv` must be a whole number >= 2, but {cv!r} was passed.")
    cv = int(cv)
    lo_q, hi_q = _check_confidence(confidence)
    singles = [r for r in rules if r != "all"]
    in_all = singles or [r for r in DEFAULT_RULES if r != "all"]
    s = as_summary(data)
    y = _column(s, outcome, "outcome")
    feats = {r: _column(s, r, "rule") for r in dict.fromkeys(singles + (in_all if "all" in rules else []))}
    names = list(feats)
    arrays, _ = _drop_missing([y, *feats.values()], [outcome, *names], minimum=max(cv, 3),
                              what="compare_rules")
    y, cols = arrays[0], dict(zip(names, arrays[1:], strict=True))
    n = len(y)
    if np.ptp(y) == 0:
        raise ValueError(f"Every journey has the same {outcome} ({y[0]:g}): nothing to predict.")
    binary = bool(np.isin(y, (0.0, 1.0)).all())
    rng = np.random.default_rng(seed)
    folds = rng.permutation(n) % cv
    preds = {}
    for r in rules:
        X = np.column_stack([cols[c] for c in in_all]) if r == "all" else cols[r][:, None]
        preds[r] = _cv_predict(X, y, folds, cv)
    P = np.vstack([preds[r] for r in rules])  # rules x n
    boot = [[] for _ in rules]
    for idx in _boot_index(rng, n, n_boot):
        yb = y[idx]
        for i in range(len(rules)):
            pb = P[i][idx]
            boot[i].append(_auc(yb, pb) if binary else _r2(yb, pb))
    rows = []
    with np.errstate(invalid="ignore", divide="ignore"):
        for i, r in enumerate(rules):
            p = P[i]
            # a constant rule carries no information; its out-of-fold predictions only
            # vary with the training means, which would give a spurious (negative) r
            const = np.ptp(p) == 0 or (r != "all" and np.ptp(cols[r]) == 0)
            rr = np.nan if const else float(np.corrcoef(p, y)[0, 1])
            rho = np.nan if const else float(st.spearmanr(p, y).statistic)
            r2 = float(_r2(y, p))
            auc = float(_auc(y, p)) if binary else np.nan
            b = np.concatenate(boot[i]) if boot[i] else np.array([np.nan])
            lo, hi = np.nanpercentile(b, [lo_q, hi_q]) if np.isfinite(b).any() else (np.nan, np.nan)
            rows.append({"rule": r, "score_name": "auc" if binary else "r2",
                         "score": auc if binary else r2, "ci_low": float(lo), "ci_high": float(hi),
                         "r": rr, "rho": rho, "r2": r2, "mae": float(np.abs(y - p).mean()),
                         "auc": auc, "n": n, "outcome_type": "binary" if binary else "continuous"})
    out = pd.DataFrame(rows)
    return out.sort_values("score", ascending=False, kind="stable", na_position="last").reset_index(
        drop=True)
