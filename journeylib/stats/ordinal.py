"""Rules scored by proportional-odds models: for ratings whose answers are ordered, not equally spaced.

A linear calibration treats the step from 1 to 2 stars as the step from 4 to
5.  A proportional-odds (ordered logit) model only uses their order: each
rule gets one model, ``P(rating <= k) = logistic(c_k - b * rule)``, fitted by
statsmodels' ``OrderedModel``.  A rule is scored by the log-loss of its
held-out predictions (the mean of ``-log P(observed answer)`` over journeys,
cross-validated), with the AIC of the model fitted on all journeys beside it.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import stats as st

__all__ = ["ordinal_scores"]

_EPS = 1e-12


def _merge_rare(levels_of, minimum):
    """Merge answer levels seen fewer than `minimum` times into their nearest neighbour.

    Every training fold must see every level an ordinal model is asked about.
    """
    codes = levels_of.copy()
    while True:
        counts = np.bincount(codes)
        used = np.flatnonzero(counts)
        rare = [u for u in used if counts[u] < minimum]
        if not rare or len(used) <= 2:
            return np.unique(codes, return_inverse=True)[1]
        u = rare[0]
        i = int(np.flatnonzero(used == u)[0])
        neighbour = used[i + 1] if i == 0 else used[i - 1] if i == len(used) - 1 else (
            used[i - 1] if counts[used[i - 1]] <= counts[used[i + 1]] else used[i + 1])
        codes[codes == u] = neighbour


def _stratified_folds(codes, cv, rng):
    """Folds that spread each answer level over the folds (so training folds see every level)."""
    folds = np.empty(len(codes), dtype=np.int64)
    for level in np.unique(codes):
        where = np.flatnonzero(codes == level)
        folds[rng.permutation(where)] = (np.arange(len(where)) + rng.integers(cv)) % cv
    return folds


def _fit(y, X):
    """An ordered-logit fit (statsmodels), or None for a constant predictor."""
    import pandas as pd
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    if np.ptp(X, axis=0).min() == 0:
        return None
    k = int(y.max()) + 1
    endog = pd.Series(pd.Categorical(y, categories=range(k), ordered=True))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter; the log-loss judges the fit
        return OrderedModel(endog, X, distr="logit").fit(method="bfgs", disp=False, maxiter=500)


def _probabilities(res, X, y_train, k):
    if res is None:  # no information in the rule: the training shares of the answers
        share = np.bincount(y_train, minlength=k) / len(y_train)
        return np.tile(share, (len(X), 1))
    return np.asarray(res.model.predict(res.params, exog=X))


def ordinal_scores(cols, rules, in_all, y, folds, cv, *, n_boot, rng, quantiles):
    """Cross-validated log-loss and AIC of one proportional-odds model per rule.

    Parameters are those of :func:`journeylib.compare_rules` after its checks;
    `folds` is ignored in favour of folds stratified by answer level (and
    levels seen fewer than `cv` times are merged with a neighbour), so that
    every training fold sees every answer.  Returns the rows of the result
    table.

    Examples
    --------
    >>> import journeylib as jl
    >>> df = jl.simulate_journeys(300, rule="min", rating_scale="likert5", seed=2)
    >>> res = jl.compare_rules(df, rules=["min", "mean"], method="ordinal", n_boot=100, seed=1)
    >>> res[["rule", "score_name"]].values.tolist()
    [['min', 'log_loss'], ['mean', 'log_loss']]
    >>> bool(res["aic"].iloc[0] < res["aic"].iloc[1])
    True
    """
    from .rules import _table

    levels = np.unique(y, return_inverse=True)[1]
    codes = _merge_rare(levels, cv)
    k = int(codes.max()) + 1
    folds = _stratified_folds(codes, cv, rng)
    n = len(y)
    losses = {}
    point, aic = {}, {}
    for r in rules:
        X = np.column_stack([cols[c] for c in in_all]) if r == "all" else cols[r][:, None]
        if r == "all" and X.shape[1] > 1:  # a constant rule (effort without repeats) adds nothing
            X = X[:, np.ptp(X, axis=0) > 0] if (np.ptp(X, axis=0) > 0).any() else X[:, :1]
        mu, sd = X.mean(axis=0), X.std(axis=0)
        Xs = (X - mu) / np.where(sd > 0, sd, 1.0)
        loss = np.empty(n)
        for f in range(cv):
            test = folds == f
            res = _fit(codes[~test], Xs[~test])
            p = _probabilities(res, Xs[test], codes[~test], k)
            loss[test] = -np.log(np.clip(p[np.arange(test.sum()), codes[test]], _EPS, 1.0))
        losses[r] = loss
        point[r] = float(loss.mean())
        full = _fit(codes, Xs)
        aic[r] = float(full.aic) if full is not None else np.nan
    boot = None
    if n_boot > 0:
        L = np.column_stack([losses[r] for r in rules])
        boot = np.empty((n_boot, len(rules)))
        per = max(1, 2_000_000 // max(n, 1))
        done = 0
        while done < n_boot:
            b = min(per, n_boot - done)
            idx = rng.integers(0, n, size=(b, n))
            boot[done:done + b] = L[idx].mean(axis=1)
            done += b
    rows = _table(point, boot, rules, higher_better=False, quantiles=quantiles,
                  score_name="log_loss")
    for row in rows:
        r = row["rule"]
        x = np.column_stack([cols[c] for c in in_all]).mean(axis=1) if r == "all" else cols[r]
        const = np.ptp(x) == 0
        row.update(r=np.nan if const else float(np.corrcoef(x, y)[0, 1]),
                   rho=np.nan if const else float(st.spearmanr(x, y).statistic),
                   r2=np.nan, mae=np.nan, auc=np.nan, aic=aic[r])
    return rows
