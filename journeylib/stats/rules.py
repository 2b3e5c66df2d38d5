"""Which aggregation rule of the touchpoints predicts the journey rating best, out of sample?"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as st

from .._stats_common import _check_confidence, _column, _drop_missing
from ..metrics import RULES, as_summary
from .outcome import outcome_type, rule_notes

__all__ = ["compare_rules", "DEFAULT_RULES", "METHODS"]

#: The rules :func:`compare_rules` compares by default ("all" is one model over the others).
DEFAULT_RULES: tuple[str, ...] = ("mean", "median", "min", "last", "peak_end", "trend", "effort",
                                  "all")
#: How :func:`compare_rules` scores a rule.
METHODS: tuple[str, ...] = ("linear", "auc", "ordinal")
_CHUNK = 2_000_000  # bootstrap work in pieces of about this many numbers
_COLUMNS = ["rule", "method", "score_name", "score", "ci_low", "ci_high", "diff_to_best",
            "diff_ci_low", "diff_ci_high", "r", "rho", "r2", "mae", "auc", "aic", "n",
            "outcome_type", "note"]


# --- fits -----------------------------------------------------------------------------------------

def _cv_single(x, y, folds, cv):
    """Out-of-fold predictions of a one-predictor linear fit, for rows of (B x n) matrices at once.

    ``folds`` holds each journey's fold; every row of the matrices is one data
    set (the data, or a bootstrap resample), fitted fold by fold in closed form
    through per-(row, fold) sums: no loop over resamples or folds.
    """
    x, y, folds = np.atleast_2d(x), np.atleast_2d(y), np.atleast_2d(folds)
    b_rows, n = x.shape
    key = (np.arange(b_rows)[:, None] * cv + folds).ravel()
    size = b_rows * cv

    def per_fold(w=None):
        return np.bincount(key, None if w is None else w.ravel(), minlength=size).reshape(b_rows, cv)

    cnt, sx, sy, sxx, sxy = per_fold(), per_fold(x), per_fold(y), per_fold(x * x), per_fold(x * y)
    tn, tx, ty, txx, txy = (a.sum(axis=1, keepdims=True) - a for a in (cnt, sx, sy, sxx, sxy))
    den = tn * txx - tx * tx
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = np.where(den > 1e-12 * tn * tn, (tn * txy - tx * ty) / den, 0.0)
        icept = np.where(tn > 0, (ty - slope * tx) / tn, 0.0)
    rows = np.arange(b_rows)[:, None]
    return icept[rows, folds] + slope[rows, folds] * x


def _cv_multi(X, y, folds, cv):
    """Out-of-fold predictions of a least-squares fit on several predictors.

    ``X`` is (n x p) for one data set or (B x n x p) for B resamples at once
    (``y`` and ``folds`` then B x n).  Each fold's fit solves its normal
    equations, built from per-(resample, fold) sums of cross-products (the
    training sums are the totals minus the fold's), with the pseudo-inverse,
    so collinear rules (a constant ``effort``) get the minimum-norm fit.
    """
    single = X.ndim == 2
    X, y, folds = (np.atleast_3d(X[None]) if single else X), np.atleast_2d(y), np.atleast_2d(folds)
    b_rows, n, p = X.shape
    A = np.concatenate([np.ones((b_rows, n, 1)), X], axis=2)
    key = (np.arange(b_rows)[:, None] * cv + folds).ravel()
    size = b_rows * cv
    q = p + 1
    xtx = np.empty((size, q, q))
    xty = np.empty((size, q))
    for i in range(q):
        xty[:, i] = np.bincount(key, (A[..., i] * y).ravel(), minlength=size)
        for j in range(i, q):
            xtx[:, i, j] = xtx[:, j, i] = np.bincount(key, (A[..., i] * A[..., j]).ravel(),
                                                      minlength=size)
    xtx = xtx.reshape(b_rows, cv, q, q)
    xty = xty.reshape(b_rows, cv, q)
    xtx = xtx.sum(axis=1, keepdims=True) - xtx  # training folds: all but the held-out one
    xty = xty.sum(axis=1, keepdims=True) - xty
    coef = np.einsum("bkij,bkj->bki", np.linalg.pinv(xtx, hermitian=True), xty)
    pred = np.einsum("bni,bni->bn", A, coef[np.arange(b_rows)[:, None], folds])
    return pred[0] if single else pred


def _auc(y, pred):
    """AUC along the last axis (ties count one half), via ranks."""
    ranks = st.rankdata(pred, axis=-1)
    n1 = y.sum(axis=-1)
    n0 = y.shape[-1] - n1
    with np.errstate(invalid="ignore", divide="ignore"):  # a resample of one class: NaN
        auc = ((ranks * y).sum(axis=-1) - n1 * (n1 + 1) / 2) / (n1 * n0)
    return np.where(n1 * n0 > 0, auc, np.nan)


def _fold_auc(y, pred, folds, cv):
    """AUC within each held-out fold, averaged over folds (pooling folds' predictions biases it)."""
    aucs = [float(_auc(y[folds == k], pred[folds == k])) for k in range(cv) if (folds == k).any()]
    return float(np.nanmean(aucs)) if np.isfinite(aucs).any() else np.nan


def _r2(y, pred):
    resid = ((y - pred) ** 2).sum(axis=-1)
    tot = ((y - y.mean(axis=-1, keepdims=True)) ** 2).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):  # a resample of equal ratings: NaN
        return np.where(tot > 0, 1.0 - resid / tot, np.nan)


def _scores(method, rules, cols, in_all, y, folds, cv):
    """One score per rule on one data set (the data, or one bootstrap resample)."""
    out = {}
    for r in rules:
        if r == "all":
            pred = _cv_multi(np.column_stack([cols[c] for c in in_all]), y, folds, cv)
            out[r] = _fold_auc(y, pred, folds, cv) if method == "auc" else float(_r2(y, pred))
        elif method == "auc":  # the rule's own ranking: no fit, no folds
            out[r] = float(_auc(y, cols[r]))
        else:
            out[r] = float(_r2(y, _cv_single(cols[r], y, folds, cv)[0]))
    return out


def _boot_scores(method, rules, cols, in_all, y, folds, cv, n_boot, rng):
    """Scores of every rule on `n_boot` resamples of journeys, refitted within each resample.

    Returns a (n_boot x rules) matrix.  A journey drawn twice keeps its fold, so
    that it is never in a training fold and its own test fold at once.
    """
    n = len(y)
    out = np.empty((n_boot, len(rules)))
    width = max(len(in_all) + 2, 4) if "all" in rules else 4
    per = max(1, _CHUNK // max(n * width, 1))
    X_all = np.column_stack([cols[c] for c in in_all]) if "all" in rules else None
    done = 0
    while done < n_boot:
        b = min(per, n_boot - done)
        idx = rng.integers(0, n, size=(b, n))
        yb, fb = y[idx], folds[idx]
        for j, r in enumerate(rules):
            if r == "all":
                pred = _cv_multi(X_all[idx], yb, fb, cv)
                out[done:done + b, j] = ([_fold_auc(yb[i], pred[i], fb[i], cv) for i in range(b)]
                                         if method == "auc" else _r2(yb, pred))
            elif method == "auc":
                out[done:done + b, j] = _auc(yb, cols[r][idx])
            else:
                out[done:done + b, j] = _r2(yb, _cv_single(cols[r][idx], yb, fb, cv))
        done += b
    return out


# --- the comparison -------------------------------------------------------------------------------

def compare_rules(data, *, rules=DEFAULT_RULES, method=None, cv=5, n_boot=1000, confidence=0.95,
                  outcome="rating", seed=None):
    """How well does each aggregation rule predict the journey rating, out of sample?

    The method follows what the outcome is (:func:`journeylib.stats.outcome.outcome_type`):

    - ``"linear"`` (an interval or ordinal rating): K-fold cross-validation
      of a linear calibration ``outcome ~ a + b * rule`` fitted on the
      training folds; the score is the out-of-sample R2 of the held-out
      predictions.
    - ``"auc"`` (a yes/no outcome, or any rating with two levels): the AUC of
      the rule's own ranking of the journeys.  No calibration is fitted: a
      monotone calibration cannot change an AUC, and pooling out-of-fold
      predictions of per-fold fits biases it (a pure-noise rule then averages
      below 0.5).  ``"all"`` is a least-squares combination fitted per fold
      and scored by the AUC within each held-out fold, averaged.
    - ``"ordinal"`` (asked for; 1-5, 1-10 or 0-10 ratings): one
      proportional-odds model per rule (statsmodels ``OrderedModel``),
      scored by the cross-validated log-loss (lower is better), with the AIC
      of the model fitted on all journeys beside it.  See
      :func:`journeylib.stats.ordinal.ordinal_scores`.

    ``"all"`` is one model over every other rule listed (or the default rules
    when none are).  A rule that is undefined for some journeys (``last`` on
    survey items that have no order, ``trend`` with one scored moment) is
    left out with a note instead of shrinking the sample the other rules are
    scored on.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy journey data or a :func:`journeylib.journey_summary` frame.
    rules : sequence of str
        Names from :data:`journeylib.metrics.RULES`, plus ``"all"``.
    method : {"linear", "auc", "ordinal"}, optional
        Default: ``"auc"`` for a two-level outcome, ``"linear"`` otherwise.
    cv : int
        Number of folds (at least 2).
    n_boot : int
        Bootstrap resamples of journeys for the intervals; 0 gives NaN.
        For ``"linear"`` and ``"auc"`` every resample is refitted (new
        out-of-fold predictions in each); for ``"ordinal"`` the held-out
        log-losses are resampled (refitting eight ordinal models five times
        per resample would take minutes).
    confidence : float
    outcome : str
        ``"rating"`` (journey rating, valence) or another summary column such
        as ``"recommend"``.
    seed : int, optional
        Seeds the fold assignment and the bootstrap.

    Returns
    -------
    pandas.DataFrame
        One row per rule, best first (rules left out last): ``rule``,
        ``method``, ``score_name`` (``"r2"``, ``"auc"`` or ``"log_loss"``),
        ``score``, ``ci_low``, ``ci_high``; ``diff_to_best`` (score minus the
        best rule's score: at most 0 for R2 and AUC, at least 0 for
        log-loss) with ``diff_ci_low``/``diff_ci_high``, a paired bootstrap
        interval (the same resamples for both rules; an interval that holds
        0 means the data cannot tell the rule from the best); ``r``
        (Pearson of the held-out predictions, or of the rule, with the
        outcome), ``rho`` (Spearman), ``r2`` and ``mae`` (linear only),
        ``auc`` (binary only), ``aic`` (ordinal only), ``n``,
        ``outcome_type`` (``"binary"``, ``"ordinal"``, ``"interval"``) and
        ``note`` (why a rule was left out; empty otherwise).

    Raises
    ------
    ValueError
        For an unknown rule or method; ``"ordinal"`` on a two-level outcome;
        fewer journeys than ``cv``; an outcome with no variance.

    Notes
    -----
    ``"all"`` nests every single rule, so it cannot be expected to lose
    against the rule that truly generated the ratings; compare single rules
    to find that one.  The linear and the ordinal ranking can disagree: the
    linear one treats the steps between answers as equal, the ordinal one
    only their order.  When they disagree, the data do not single out a rule
    (see notebook 05).

    Examples
    --------
    >>> import journeylib as jl
    >>> df = jl.simulate_journeys(1000, rule="min", noise=0.1, seed=7)
    >>> res = compare_rules(df, rules=["mean", "min", "last"], n_boot=200, seed=0)
    >>> res["rule"].iloc[0], res["score_name"].iloc[0]
    ('min', 'r2')
    >>> bool(res["diff_ci_high"].iloc[1] < 0)  # the runner-up is worse, and the data can tell
    True
    """
    rules = [rules] if isinstance(rules, str) else list(dict.fromkeys(rules))
    for r in rules:
        if r != "all" and r not in RULES:
            raise ValueError(f"The value for `rules` must hold names from {(*RULES, 'all')}, but "
                             f"{r!r} was passed.")
    if method is not None and method not in METHODS:
        raise ValueError(f"The value for `method` must be one of {METHODS}, but {method!r} was "
                         "passed.")
    if int(cv) != cv or cv < 2:
        raise ValueError(f"The value for `cv` must be a whole number >= 2, but {cv!r} was passed.")
    cv = int(cv)
    lo_q, hi_q = _check_confidence(confidence)
    singles = [r for r in rules if r != "all"]
    s = as_summary(data)
    y_all = _column(s, outcome, "outcome")
    base = ~np.isnan(y_all)
    if "mean" in s.columns:
        base &= ~np.isnan(s["mean"].to_numpy(dtype="float64", na_value=np.nan))
    asked = singles + ([c for c in DEFAULT_RULES if c != "all"] if "all" in rules and not singles
                       else [])
    notes = rule_notes(s, [r for r in asked if r in s.columns], base)
    singles = [r for r in singles if r not in notes]
    in_all = [r for r in (asked if "all" in rules else []) if r not in notes]
    rules = [r for r in rules if r not in notes and (r != "all" or in_all)]
    feats = {r: _column(s, r, "rule") for r in dict.fromkeys(singles + in_all)}
    names = list(feats)
    arrays, _ = _drop_missing([y_all, *feats.values()], [outcome, *names], minimum=max(cv, 3),
                              what="compare_rules")
    y, cols = arrays[0], dict(zip(names, arrays[1:], strict=True))
    n = len(y)
    if np.ptp(y) == 0:
        raise ValueError(f"Every journey has the same {outcome} ({y[0]:g}): nothing to predict.")
    kind = outcome_type(y)
    if method is None:
        method = "auc" if kind == "binary" else "linear"
    if kind == "binary":
        if method == "ordinal":
            raise ValueError("The outcome has two levels (yes/no): score rules by AUC "
                             "(method='auc'), not by an ordinal model.")
        y = (y == y.max()).astype(float)  # the better level is 1
    elif method == "auc":
        raise ValueError(f"method='auc' needs a two-level (yes/no) outcome, but {outcome!r} has "
                         f"{len(np.unique(y))} levels.")
    rng = np.random.default_rng(seed)
    folds = rng.permutation(n) % cv

    if method == "ordinal":
        from .ordinal import ordinal_scores

        table = ordinal_scores(cols, rules, in_all, y, folds, cv, n_boot=n_boot, rng=rng,
                               quantiles=(lo_q, hi_q))
    else:
        point = _scores(method, rules, cols, in_all, y, folds, cv)
        boot = (_boot_scores(method, rules, cols, in_all, y, folds, cv, n_boot, rng)
                if n_boot > 0 else None)
        table = _table(point, boot, rules, higher_better=True, quantiles=(lo_q, hi_q),
                       score_name="auc" if method == "auc" else "r2")
        for row in table:
            r = row["rule"]
            with np.errstate(invalid="ignore", divide="ignore"):
                if method == "linear":
                    p = (_cv_multi(np.column_stack([cols[c] for c in in_all]), y, folds, cv)
                         if r == "all" else _cv_single(cols[r], y, folds, cv)[0])
                    const = np.ptp(p) == 0 or (r != "all" and np.ptp(cols[r]) == 0)
                    row.update(r2=row["score"], mae=float(np.abs(y - p).mean()), auc=np.nan)
                else:
                    p = (_cv_multi(np.column_stack([cols[c] for c in in_all]), y, folds, cv)
                         if r == "all" else cols[r])
                    const = np.ptp(p) == 0
                    row.update(r2=np.nan, mae=np.nan, auc=row["score"])
                # a constant rule carries no information: no correlation to speak of
                row["r"] = np.nan if const else float(np.corrcoef(p, y)[0, 1])
                # ranks of predictions that tie in exact arithmetic must not depend on the last
                # bits a BLAS kernel leaves (rho moved in the 7th digit between CPUs): round first
                row["rho"] = np.nan if const else float(
                    st.spearmanr(np.round(p, 10), y).statistic)
            row["aic"] = np.nan
    for row in table:
        row.update(method=method, n=n, outcome_type=kind, note="")
    order = sorted(range(len(table)), key=lambda i: (np.isnan(table[i]["score"]),
                   -table[i]["score"] if method != "ordinal" else table[i]["score"]))
    rows = [table[i] for i in order]
    for r, note in notes.items():
        rows.append({"rule": r, "method": method, "score_name": rows[0]["score_name"] if rows else "",
                     "n": n, "outcome_type": kind, "note": note})
    out = pd.DataFrame(rows).reindex(columns=_COLUMNS)
    return out.astype({"n": "int64"})


def _table(point, boot, rules, *, higher_better, quantiles, score_name):
    """Rows with each rule's score, its interval and its paired difference to the best rule."""
    lo_q, hi_q = quantiles
    names = list(rules)
    scores = np.array([point[r] for r in names], dtype=float)
    finite = np.isfinite(scores)
    if finite.any():
        best = int(np.nanargmax(scores) if higher_better else np.nanargmin(scores))
    else:
        best = 0
    rows = []
    for j, r in enumerate(names):
        row = {"rule": r, "score_name": score_name,
               "score": float(scores[j]), "diff_to_best": float(scores[j] - scores[best])}
        if boot is not None and np.isfinite(boot[:, j]).any():
            row["ci_low"], row["ci_high"] = np.nanpercentile(boot[:, j], [lo_q, hi_q])
            d = boot[:, j] - boot[:, best]
            if j == best:
                row["diff_ci_low"] = row["diff_ci_high"] = 0.0
            elif np.isfinite(d).any():
                row["diff_ci_low"], row["diff_ci_high"] = np.nanpercentile(d, [lo_q, hi_q])
        for k in ("ci_low", "ci_high", "diff_ci_low", "diff_ci_high"):
            row[k] = float(row.get(k, np.nan))
        rows.append(row)
    return rows
