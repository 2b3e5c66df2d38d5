"""Gap tests and rule comparison: tidy DataFrames out (pingouin's shape).

Everything works per journey, on valence (-1..+1): tidy data is first reduced
with :func:`journeylib.journey_summary`; a frame that already is such a
summary (no ``step`` column) is used as it is.  Key drivers are in
:mod:`journeylib.drivers`, the Net Promoter Score in :mod:`journeylib.netpromoter`.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats as st

from ._stats_common import _boot_index, _check_confidence, _column, _drop_missing
from .metrics import RULES, as_summary

__all__ = ["gap_test", "compare_rules", "journey_vs_touchpoint", "DEFAULT_RULES"]

#: The rules :func:`compare_rules` compares by default ("all" is one model over the others).
DEFAULT_RULES: tuple[str, ...] = ("mean", "median", "min", "last", "peak_end", "trend", "effort",
                                  "all")


# --- gap test -------------------------------------------------------------------------------------

def gap_test(data, *, rule="mean", confidence=0.95, n_boot=2000, threshold=0.0, seed=None):
    """Is the journey rated differently from what its touchpoints add up to?

    The gap of a journey is ``rating - rule`` on valence (with ``rule="mean"``
    the ``gap`` column of :func:`journeylib.journey_summary`).  Tested against
    zero with a paired t-test and a Wilcoxon signed-rank test.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy journey data or a :func:`journeylib.journey_summary` frame.
    rule : str
        Which aggregate of the touchpoints to compare with (one of
        :data:`journeylib.metrics.RULES`).
    confidence : float
        Level of the confidence interval.
    n_boot : int
        Bootstrap resamples of journeys for the CI: a *percentile* bootstrap
        of the mean gap.
    threshold : float
        For the patterns: touchpoints count as positive when their mean
        valence is above `threshold`, the journey as negative when its rating
        is below ``-threshold`` (and the reverse).
    seed : int, optional

    Returns
    -------
    pandas.DataFrame
        One row: ``rule``, ``n``, ``gap`` (mean), ``ci_low``, ``ci_high``,
        ``t``, ``dof``, ``p_val`` (t-test), ``w``, ``p_val_wilcoxon``, ``d_z``
        (Cohen's d for paired data: mean gap / sd of gaps), and the shares of
        journeys in each pattern: ``share_paypal`` (touchpoints positive on
        average, journey rated negative), ``share_recovered`` (the reverse)
        and ``share_aligned`` (all others).  With a constant gap (zero
        variance) the tests are NaN and a warning says so.

    Raises
    ------
    ValueError
        With fewer than two journeys that have both a rating and the rule.

    Examples
    --------
    >>> import journeylib as jl
    >>> df = jl.simulate_journeys(300, rule="peak_end", seed=3)
    >>> res = gap_test(df, rule="mean", n_boot=500, seed=0)
    >>> list(res.columns[:5])
    ['rule', 'n', 'gap', 'ci_low', 'ci_high']
    >>> bool(res["ci_low"].iloc[0] < res["gap"].iloc[0] < res["ci_high"].iloc[0])
    True
    """
    if rule not in RULES:
        raise ValueError(f"The value for `rule` must be one of {RULES}, but {rule!r} was passed.")
    lo_q, hi_q = _check_confidence(confidence)
    s = as_summary(data)
    rating = _column(s, "rating", "column")
    value = _column(s, rule, "rule")
    mean = _column(s, "mean", "column") if "mean" in s.columns else value
    (rating, value, mean), _ = _drop_missing([rating, value, mean], ["rating", rule],
                                             minimum=2, what="gap_test")
    gap = rating - value
    n = len(gap)
    m = float(gap.mean())
    sd = float(gap.std(ddof=1))
    rng = np.random.default_rng(seed)
    boots = np.concatenate([gap[idx].mean(axis=1) for idx in _boot_index(rng, n, n_boot)])
    ci_low, ci_high = np.percentile(boots, [lo_q, hi_q])
    if sd == 0:
        warnings.warn("The gap is the same for every journey (zero variance): t-test, Wilcoxon "
                      "and d_z are undefined and reported as NaN.", UserWarning, stacklevel=2)
        t = p = w = p_w = d_z = np.nan
    else:
        tt = st.ttest_1samp(gap, 0.0)
        t, p = float(tt.statistic), float(tt.pvalue)
        d_z = m / sd
        if np.any(gap != 0):
            wt = st.wilcoxon(gap)
            w, p_w = float(wt.statistic), float(wt.pvalue)
        else:
            w = p_w = np.nan
    paypal = (mean > threshold) & (rating < -threshold)
    recovered = (mean < -threshold) & (rating > threshold)
    return pd.DataFrame({
        "rule": [rule], "n": [n], "gap": [m], "ci_low": [float(ci_low)], "ci_high": [float(ci_high)],
        "t": [t], "dof": [n - 1], "p_val": [p], "w": [w], "p_val_wilcoxon": [p_w], "d_z": [d_z],
        "share_paypal": [paypal.mean()], "share_recovered": [recovered.mean()],
        "share_aligned": [1.0 - paypal.mean() - recovered.mean()],
    })


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


# --- journey versus touchpoint --------------------------------------------------------------------

def _ols_r2(X, y):
    A = np.column_stack([np.ones(len(y)), X])
    coef = np.linalg.lstsq(A, y, rcond=None)[0]
    return float(_r2(y, A @ coef)), coef


def journey_vs_touchpoint(data, *, outcome="recommend"):
    """Is the journey rating more strongly related to an outcome than the touchpoints are?

    Rawson, Duncan and Jones (HBR 2013) report journey satisfaction "30-40%
    more strongly correlated" with outcomes than touchpoint satisfaction,
    without saying which ratio they took; this reports three.  "Journey" is
    the journey rating, "touchpoint" the mean touchpoint valence.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy journey data or a :func:`journeylib.journey_summary` frame.
    outcome : str
        A summary column other than the rating, such as ``"recommend"``.

    Returns
    -------
    pandas.DataFrame
        Columns ``quantity``, ``journey``, ``touchpoint``, ``value``,
        ``percent_more``, ``n``, ``outcome``; rows:

        - ``"r"``: correlations with the outcome, value their ratio;
        - ``"r2"``: squared correlations, value their ratio;
        - ``"beta"``: standardised weights in one regression of the outcome
          on both, value their ratio;
        - ``"incremental_r2_peak_end"``: ``journey`` the R2 of rating ~ mean
          + peak_end, ``touchpoint`` that of rating ~ mean, value the
          increase (what the peak-end rule adds to the plain mean).

        ``percent_more`` is ``100 * (ratio - 1)`` for the ratio rows.

    Examples
    --------
    >>> import journeylib as jl
    >>> df = jl.simulate_journeys(500, rule="peak_end", seed=5)
    >>> res = journey_vs_touchpoint(df)
    >>> res["quantity"].tolist()
    ['r', 'r2', 'beta', 'incremental_r2_peak_end']
    >>> bool(res.loc[0, "value"] > 1)
    True
    """
    if outcome == "rating":
        raise ValueError("The value for `outcome` must be an outcome other than the journey "
                         "rating (such as 'recommend'): the rating is the journey side.")
    s = as_summary(data)
    y = _column(s, outcome, "outcome")
    rating, mean, pe = (_column(s, c, "column") for c in ("rating", "mean", "peak_end"))
    (y, rating, mean, pe), _ = _drop_missing([y, rating, mean, pe], [outcome, "rating", "mean"],
                                             minimum=3, what="journey_vs_touchpoint")
    for name, a in ((outcome, y), ("rating", rating), ("mean", mean)):
        if np.ptp(a) == 0:
            raise ValueError(f"{name} is the same for every journey: correlations are undefined.")
    n = len(y)
    r_j = float(np.corrcoef(rating, y)[0, 1])
    r_t = float(np.corrcoef(mean, y)[0, 1])

    def z(a):
        return (a - a.mean()) / a.std()

    _, coef = _ols_r2(np.column_stack([z(rating), z(mean)]), z(y))
    r2_both, _ = _ols_r2(np.column_stack([mean, pe]), rating)
    r2_mean, _ = _ols_r2(mean[:, None], rating)
    rows = [("r", r_j, r_t), ("r2", r_j ** 2, r_t ** 2), ("beta", coef[1], coef[2])]
    out = [{"quantity": q, "journey": float(a), "touchpoint": float(b), "value": a / b,
            "percent_more": 100 * (a / b - 1), "n": n, "outcome": outcome} for q, a, b in rows]
    out.append({"quantity": "incremental_r2_peak_end", "journey": r2_both, "touchpoint": r2_mean,
                "value": r2_both - r2_mean, "percent_more": np.nan, "n": n, "outcome": "rating"})
    return pd.DataFrame(out)
