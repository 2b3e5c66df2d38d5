"""Gap tests, rule comparison, key drivers and NPS: tidy DataFrames out (pingouin's shape).

Everything works per journey, on valence (-1..+1): tidy data is first reduced
with :func:`journeylib.journey_summary`; a frame that already is such a
summary (no ``step`` column) is used as it is.
"""

from __future__ import annotations

import math
import warnings
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats as st

from .metrics import RULES, _is_contract, _linear_valence, journey_summary
from .scales import get_scale, nps_category
from .schema import validate

__all__ = ["gap_test", "compare_rules", "journey_vs_touchpoint", "key_drivers", "nps",
           "nps_difference", "DEFAULT_RULES"]

#: The rules :func:`compare_rules` compares by default ("all" is one model over the others).
DEFAULT_RULES: tuple[str, ...] = ("mean", "median", "min", "last", "peak_end", "trend", "effort",
                                  "all")
_MAX_SHAPLEY = 12
_CHUNK = 4_000_000  # bootstrap matrices are built in pieces of about this many numbers


def _summary(data):
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"Expected a pandas DataFrame, not {type(data).__name__}.")
    if "step" in data.columns and "score" in data.columns:
        return journey_summary(data)
    if "journey_id" not in data.columns:
        raise ValueError("Expected tidy journey data or a journey_summary() frame (with a "
                         "'journey_id' column).")
    return data


def _column(s, name, what):
    if name not in s.columns:
        raise ValueError(f"The {what} {name!r} is not available; the journey summary has "
                         f"{', '.join(map(str, s.columns))}.")
    return s[name].to_numpy(dtype="float64", na_value=np.nan)


def _drop_missing(arrays, names, *, minimum, what):
    ok = np.logical_and.reduce([~np.isnan(a) for a in arrays])
    n_drop = int((~ok).sum())
    if n_drop:
        warnings.warn(f"{n_drop} of {len(ok)} journeys dropped from {what}: {' or '.join(names)} "
                      "missing.", UserWarning, stacklevel=3)
    n = int(ok.sum())
    if n < minimum:
        raise ValueError(f"{what} needs at least {minimum} journeys with {' and '.join(names)}, "
                         f"but only {n} have them.")
    return [a[ok] for a in arrays], ok


def _boot_index(rng, n, n_boot, width=1):
    """Yield bootstrap index matrices (chunk x n) adding up to n_boot rows."""
    per = max(1, _CHUNK // max(n * width, 1))
    done = 0
    while done < n_boot:
        b = min(per, n_boot - done)
        yield rng.integers(0, n, size=(b, n))
        done += b


def _check_confidence(confidence):
    if not 0 < confidence < 1:
        raise ValueError(f"The value for `confidence` must lie between 0 and 1, but {confidence!r} "
                         "was passed.")
    return (1 - confidence) / 2 * 100, (1 + confidence) / 2 * 100


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
    s = _summary(data)
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
    s = _summary(data)
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
    s = _summary(data)
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


# --- key drivers ----------------------------------------------------------------------------------

def _subset_r2(R, p):
    """R2 of every subset (bitmask) of p predictors; R is (..., p+1, p+1) with y last."""
    lead = R.shape[:-2]
    out = np.zeros((*lead, 2 ** p))
    for k in range(1, p + 1):
        combos = np.array(list(combinations(range(p), k)))
        masks = (1 << combos).sum(axis=1)
        A = R[..., combos[:, :, None], combos[:, None, :]]  # (..., m, k, k)
        b = R[..., combos, p]  # (..., m, k)
        sol = np.linalg.solve(A, b[..., None])[..., 0]
        out[..., masks] = (sol * b).sum(axis=-1)
    return out


def _shapley(r2, p):
    masks = np.arange(2 ** p)
    size = np.bitwise_count(masks.astype(np.uint64)).astype(int)
    w = np.array([math.factorial(s) * math.factorial(p - s - 1) / math.factorial(p)
                  for s in range(p)])
    phi = np.empty((*r2.shape[:-1], p))
    for j in range(p):
        S = masks[(masks >> j) & 1 == 0]
        phi[..., j] = ((r2[..., S | (1 << j)] - r2[..., S]) * w[size[S]]).sum(axis=-1)
    return phi


def key_drivers(data, *, outcome="rating", n_boot=1000, confidence=0.95, seed=None):
    """Which touchpoints drive the journey outcome? Correlation, weight, Shapley importance.

    Needs survey-style data: every journey scores the same touchpoints, each
    once.  Journeys missing a touchpoint's score are left out (with a
    warning).

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy journey data.
    outcome : str
        ``"rating"`` (journey rating, valence) or another journey_summary
        column such as ``"recommend"``.
    n_boot : int
        Bootstrap resamples of journeys for the CI of ``importance``
        (percentile bootstrap).  Each resample repeats the 2**p regressions:
        with 12 touchpoints 1,000 resamples take about ten seconds.
    confidence : float
    seed : int, optional

    Returns
    -------
    pandas.DataFrame
        One row per touchpoint, most important first: ``touchpoint``, ``n``
        (journeys used), ``r`` (correlation with the outcome), ``beta``
        (standardised weight in the multiple regression), ``importance`` (the
        touchpoint's Shapley share of R2, LMG: the shares add up to the
        model's R2), ``ci_low``, ``ci_high``, ``performance`` (mean valence),
        ready for an importance-performance chart.

    Raises
    ------
    ValueError
        When a touchpoint occurs twice in a journey (not survey style:
        aggregate first), when there are more than 12 touchpoints (the exact
        Shapley decomposition needs 2**p regressions; group touchpoints
        first), when a touchpoint has no variance, or when fewer than p + 2
        complete journeys remain.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> n = 200
    >>> s = rng.integers(1, 6, size=(n, 3)).astype(float)
    >>> rating = np.clip(np.round(0.8 * s[:, 0] + 0.2 * s[:, 1] + rng.normal(0, .5, n)), 1, 5)
    >>> df = pd.DataFrame({"journey_id": np.repeat(np.arange(n), 3), "step": np.tile([1, 2, 3], n),
    ...                    "touchpoint": np.tile(["web", "mail", "phone"], n),
    ...                    "score": s.ravel(), "score_scale": "likert5",
    ...                    "rating": np.repeat(rating, 3), "rating_scale": "likert5"})
    >>> res = key_drivers(df, n_boot=200, seed=1)
    >>> res["touchpoint"].tolist()
    ['web', 'mail', 'phone']
    >>> A = np.column_stack([np.ones(n), s])  # the shares add up to the model's R2:
    >>> fit = A @ np.linalg.lstsq(A, rating, rcond=None)[0]
    >>> bool(np.isclose(res["importance"].sum(), np.corrcoef(fit, rating)[0, 1] ** 2))
    True
    """
    lo_q, hi_q = _check_confidence(confidence)
    df = data if _is_contract(data) else validate(data)
    dup = df.duplicated(["journey_id", "touchpoint"]).to_numpy()
    if dup.any():
        pos = int(np.flatnonzero(dup)[0])
        raise ValueError(
            f"key_drivers needs survey-style data (each journey scores each touchpoint once), but "
            f"touchpoint {df['touchpoint'].iat[pos]!r} occurs again in journey "
            f"{df['journey_id'].iat[pos]!r} (row {pos + 2}). Aggregate repeated contacts first, "
            "e.g. the mean valence per journey and touchpoint.")
    v = _linear_valence(df["score"].to_numpy(), df["score_scale"])
    wide = pd.DataFrame({"j": df["journey_id"].to_numpy(), "t": df["touchpoint"].to_numpy(),
                         "v": v}).pivot(index="j", columns="t", values="v").sort_index()
    p = wide.shape[1]
    if p > _MAX_SHAPLEY:
        raise ValueError(f"key_drivers decomposes R2 exactly over 2**p regressions, which is "
                         f"limited to {_MAX_SHAPLEY} touchpoints, but the data has {p}. Group "
                         "touchpoints (e.g. by channel) first.")
    s = journey_summary(df, metrics=["rating"] if outcome == "rating" else ["rating", outcome]) \
        if outcome in ("rating", "recommend") else _summary(df)
    y = pd.Series(_column(s, outcome, "outcome"), index=s["journey_id"].to_numpy()).reindex(wide.index)
    X = wide.to_numpy(dtype=float)
    (y_ok, *xs), _ = _drop_missing([y.to_numpy(), *X.T], [outcome, "a touchpoint score"],
                                   minimum=p + 2, what="key_drivers")
    X = np.column_stack(xs)
    n = len(y_ok)
    sd = X.std(axis=0)
    if (sd == 0).any() or np.ptp(y_ok) == 0:
        flat = [str(c) for c, z in zip(wide.columns, sd == 0, strict=True) if z] or [outcome]
        raise ValueError(f"No variance in {', '.join(flat)}: correlations are undefined.")
    Z = np.column_stack([X, y_ok])
    R = np.corrcoef(Z, rowvar=False)
    beta = np.linalg.solve(R[:p, :p], R[:p, p])
    imp = _shapley(_subset_r2(R, p), p)
    rng = np.random.default_rng(seed)
    boots = []
    for idx in _boot_index(rng, n, n_boot, width=(p + 1) * 2 ** p):
        Zb = Z[idx]  # (b, n, p+1)
        Zb = Zb - Zb.mean(axis=1, keepdims=True)
        C = np.einsum("bni,bnj->bij", Zb, Zb)
        d = np.sqrt(np.einsum("bii->bi", C))
        with np.errstate(invalid="ignore", divide="ignore"):
            Rb = C / d[:, :, None] / d[:, None, :]
        good = np.isfinite(Rb).all(axis=(1, 2))
        Rb = Rb[good]
        if len(Rb):
            try:
                boots.append(_shapley(_subset_r2(Rb, p), p))
            except np.linalg.LinAlgError:
                pass
    if boots:
        ci = np.percentile(np.concatenate(boots), [lo_q, hi_q], axis=0)
    else:
        ci = np.full((2, p), np.nan)
    out = pd.DataFrame({
        "touchpoint": [str(c) for c in wide.columns], "n": n, "r": R[:p, p], "beta": beta,
        "importance": imp, "ci_low": ci[0], "ci_high": ci[1], "performance": X.mean(axis=0),
    })
    return out.sort_values("importance", ascending=False, kind="stable").reset_index(drop=True)


# --- NPS ------------------------------------------------------------------------------------------

def _recommend_values(recommend):
    if isinstance(recommend, pd.DataFrame):
        if "recommend" not in recommend.columns:
            raise ValueError("The frame passed to nps() has no 'recommend' column.")
        if "journey_id" in recommend.columns:
            recommend = recommend.drop_duplicates("journey_id")
        recommend = recommend["recommend"]
    x = pd.to_numeric(pd.Series(np.asarray(recommend, dtype=object).ravel()), errors="coerce")
    x = x.to_numpy(dtype="float64", na_value=np.nan)
    missing = np.isnan(x)
    if missing.any():
        warnings.warn(f"{int(missing.sum())} of {len(x)} recommend answers are missing or not "
                      "numbers and were left out of the NPS.", UserWarning, stacklevel=3)
        x = x[~missing]
    if len(x) == 0:
        raise ValueError("nps() needs at least one 0-10 recommend answer, but got none.")
    if not get_scale("nps11").contains(x).all():
        nps_category(x)  # raises with the offending value and position
    return x


def nps(recommend, *, confidence=0.95):
    """Net Promoter Score with its standard error and a normal-approximation CI.

    Parameters
    ----------
    recommend : array-like or pandas.DataFrame
        0-10 answers to "how likely are you to recommend...".  A frame uses
        its ``recommend`` column, one answer per ``journey_id`` when it has
        one (tidy data repeats it on every row).  Missing answers are left
        out with a warning.
    confidence : float

    Returns
    -------
    pandas.DataFrame
        One row: ``nps`` (100 * (share 9-10 minus share 0-6)), ``se`` (100 *
        sqrt((pP + pD - (pP - pD)**2) / n)), ``ci_low``, ``ci_high``, ``n``,
        ``n_promoters``, ``n_passives``, ``n_detractors``,
        ``share_promoters``, ``share_passives``, ``share_detractors``.

    Examples
    --------
    >>> res = nps([10] * 50 + [7] * 33 + [3] * 17)
    >>> res[["nps", "se", "n"]].round(2)
        nps    se    n
    0  33.0  7.49  100
    """
    _check_confidence(confidence)
    x = _recommend_values(recommend)
    n = len(x)
    n_p = int((x >= 9).sum())
    n_d = int((x <= 6).sum())
    p_p, p_d = n_p / n, n_d / n
    score = 100 * (p_p - p_d)
    se = 100 * math.sqrt(max(p_p + p_d - (p_p - p_d) ** 2, 0.0) / n)
    zq = st.norm.ppf((1 + confidence) / 2)
    return pd.DataFrame({
        "nps": [score], "se": [se], "ci_low": [score - zq * se], "ci_high": [score + zq * se],
        "n": [n], "n_promoters": [n_p], "n_passives": [n - n_p - n_d], "n_detractors": [n_d],
        "share_promoters": [p_p], "share_passives": [1 - p_p - p_d], "share_detractors": [p_d],
    })


def nps_difference(a, b, *, confidence=0.95):
    """Difference between two independent NPS values, with a z-test.

    Parameters
    ----------
    a, b : array-like or pandas.DataFrame
        Two groups of 0-10 answers (see :func:`nps`).
    confidence : float

    Returns
    -------
    pandas.DataFrame
        One row: ``nps_a``, ``nps_b``, ``difference`` (a - b), ``se``
        (sqrt(se_a**2 + se_b**2)), ``ci_low``, ``ci_high``, ``z``, ``p_val``
        (two-sided), ``n_a``, ``n_b``.

    Examples
    --------
    >>> res = nps_difference([10] * 60 + [3] * 40, [10] * 40 + [3] * 60)
    >>> res[["difference", "z"]].round(3)
       difference      z
    0        40.0  2.887
    """
    ra, rb = nps(a, confidence=confidence), nps(b, confidence=confidence)
    diff = float(ra["nps"].iloc[0] - rb["nps"].iloc[0])
    se = math.hypot(float(ra["se"].iloc[0]), float(rb["se"].iloc[0]))
    zq = st.norm.ppf((1 + confidence) / 2)
    z = diff / se if se > 0 else np.nan
    p = float(2 * st.norm.sf(abs(z))) if se > 0 else np.nan
    return pd.DataFrame({
        "nps_a": ra["nps"], "nps_b": rb["nps"], "difference": [diff], "se": [se],
        "ci_low": [diff - zq * se], "ci_high": [diff + zq * se], "z": [z], "p_val": [p],
        "n_a": ra["n"], "n_b": rb["n"],
    })
