"""Key drivers: which touchpoints drive the journey outcome (correlation, weight, Shapley share)."""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np
import pandas as pd

from ._stats_common import _boot_index, _check_confidence, _column, _drop_missing
from .checks import ensure_valid
from .metrics import as_summary, journey_summary
from .scales import valence

__all__ = ["key_drivers", "DRIVER_METHODS"]

_MAX_SHAPLEY = 12
#: How :func:`key_drivers` divides R2 among the touchpoints.
DRIVER_METHODS: tuple[str, ...] = ("auto", "shapley", "relative_weights")


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


def _relative_weights(R, p):
    """Johnson's (2000) relative weights for correlation matrices R (..., p+1, p+1), y last.

    The predictors are replaced by their closest orthonormal counterparts
    (through the symmetric square root of their correlation matrix); the
    outcome is regressed on those, and each counterpart's share of R2 is
    given back to the original predictors in proportion to the squared
    loadings.  The weights add up to the model's R2.
    """
    rxx = R[..., :p, :p]
    rxy = R[..., :p, p]
    lam, vec = np.linalg.eigh(rxx)
    lam = np.clip(lam, 0.0, None)
    half = np.einsum("...ik,...k,...jk->...ij", vec, np.sqrt(lam), vec)  # Rxx ** 1/2
    beta_star = np.linalg.solve(half, rxy[..., None])[..., 0]
    return np.einsum("...jk,...k->...j", half ** 2, beta_star ** 2)


def key_drivers(data, *, outcome="rating", method="auto", n_boot=1000, confidence=0.95,
                seed=None):
    """Which touchpoints drive the journey outcome? Correlation, weight, share of R2.

    Needs survey-style data: every journey scores the same touchpoints, each
    once.  Journeys missing a touchpoint's score are left out (with a
    warning).

    The importance is each touchpoint's share of the model's R2, by one of
    two methods, named in the ``method`` column:

    - ``"shapley"``: the exact Shapley decomposition (LMG): every subset of
      touchpoints is fitted, 2**p regressions, so up to 12 touchpoints;
    - ``"relative_weights"``: Johnson's relative weights (Johnson 2000,
      Multivariate Behavioral Research 35(1)), the standard in driver
      analysis for many items: close to Shapley, computed from one
      eigendecomposition, for any number of touchpoints.

    ``method="auto"`` takes Shapley up to 12 touchpoints and relative weights
    above.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy journey data.
    outcome : str
        ``"rating"`` (journey rating, valence) or another journey_summary
        column such as ``"recommend"``.
    method : {"auto", "shapley", "relative_weights"}
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
        touchpoint's share of R2: the shares add up to the model's R2),
        ``ci_low``, ``ci_high``, ``performance`` (mean valence), ready for an
        importance-performance chart, and ``method`` (how the importance was
        computed).

    Raises
    ------
    ValueError
        When a touchpoint occurs twice in a journey (not survey style:
        aggregate first), when ``method="shapley"`` is asked for more than 12
        touchpoints (the exact decomposition needs 2**p regressions), when a
        touchpoint has no variance, or when fewer than p + 2 complete
        journeys remain.

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
    if method not in DRIVER_METHODS:
        raise ValueError(f"The value for `method` must be one of {DRIVER_METHODS}, but "
                         f"{method!r} was passed.")
    lo_q, hi_q = _check_confidence(confidence)
    df = ensure_valid(data)
    dup = df.duplicated(["journey_id", "touchpoint"]).to_numpy()
    if dup.any():
        pos = int(np.flatnonzero(dup)[0])
        raise ValueError(
            f"key_drivers needs survey-style data (each journey scores each touchpoint once), but "
            f"touchpoint {df['touchpoint'].iat[pos]!r} occurs again in journey "
            f"{df['journey_id'].iat[pos]!r} (row {pos + 2}). Aggregate repeated contacts first, "
            "e.g. the mean valence per journey and touchpoint.")
    v = valence(df["score"].to_numpy(), df["score_scale"])
    wide = pd.DataFrame({"j": df["journey_id"].to_numpy(), "t": df["touchpoint"].to_numpy(),
                         "v": v}).pivot(index="j", columns="t", values="v").sort_index()
    p = wide.shape[1]
    if method == "auto":
        method = "shapley" if p <= _MAX_SHAPLEY else "relative_weights"
    if method == "shapley" and p > _MAX_SHAPLEY:
        raise ValueError(f"The exact Shapley decomposition needs 2**p regressions, which is "
                         f"limited to {_MAX_SHAPLEY} touchpoints, but the data has {p}. Use "
                         "method='relative_weights' (or 'auto'), or group touchpoints first.")
    decompose = ((lambda R: _shapley(_subset_r2(R, p), p)) if method == "shapley"
                 else (lambda R: _relative_weights(R, p)))
    s = journey_summary(df, metrics=["rating"] if outcome == "rating" else ["rating", outcome]) \
        if outcome in ("rating", "recommend") else as_summary(df)
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
    imp = decompose(R)
    rng = np.random.default_rng(seed)
    boots = []
    width = (p + 1) * 2 ** p if method == "shapley" else (p + 1) ** 2
    for idx in _boot_index(rng, n, n_boot, width=width):
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
                boots.append(decompose(Rb))
            except np.linalg.LinAlgError:
                pass
    if boots:
        ci = np.percentile(np.concatenate(boots), [lo_q, hi_q], axis=0)
    else:
        ci = np.full((2, p), np.nan)
    out = pd.DataFrame({
        "touchpoint": [str(c) for c in wide.columns], "n": n, "r": R[:p, p], "beta": beta,
        "importance": imp, "ci_low": ci[0], "ci_high": ci[1], "performance": X.mean(axis=0),
        "method": method,
    })
    return out.sort_values("importance", ascending=False, kind="stable").reset_index(drop=True)
