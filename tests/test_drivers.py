"""Key drivers against hand-computed correlations, weights and the closed-form Shapley shares."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from journeylib import simulate_journeys
from journeylib.drivers import key_drivers


def _survey(n, weights, seed, k=None):
    rng = np.random.default_rng(seed)
    p = len(weights)
    x = rng.integers(1, 6, size=(n, p)).astype(float)
    rating = np.clip(np.round(x @ np.asarray(weights) + rng.normal(0, 0.6, n)), 1, 5)
    names = [f"tp{i}" for i in range(p)]
    return pd.DataFrame({"journey_id": np.repeat(np.arange(n), p), "step": np.tile(np.arange(1, p + 1), n),
                         "touchpoint": np.tile(names, n), "score": x.ravel(), "score_scale": "likert5",
                         "rating": np.repeat(rating, p), "rating_scale": "likert5"}), x, rating


def test_key_drivers_two_predictor_shapley_closed_form():
    df, x, y = _survey(300, [0.6, 0.3], seed=2)
    res = key_drivers(df, n_boot=300, seed=0).set_index("touchpoint")
    r1, r2 = (np.corrcoef(x[:, j], y)[0, 1] for j in range(2))
    a = np.column_stack([np.ones(len(y)), x])
    fit = a @ np.linalg.lstsq(a, y, rcond=None)[0]
    big_r2 = np.corrcoef(fit, y)[0, 1] ** 2
    # LMG with two predictors: each gets half of its own R2 plus half of what it adds to the other
    assert res.loc["tp0", "importance"] == pytest.approx((r1**2 + big_r2 - r2**2) / 2)
    assert res.loc["tp1", "importance"] == pytest.approx((r2**2 + big_r2 - r1**2) / 2)
    assert res.loc["tp0", "r"] == pytest.approx(r1)
    zx = st.zscore(x)
    beta = np.linalg.lstsq(np.column_stack([np.ones(len(y)), zx]), st.zscore(y), rcond=None)[0][1:]
    np.testing.assert_allclose(res.loc[["tp0", "tp1"], "beta"], beta)
    np.testing.assert_allclose(res.loc[["tp0", "tp1"], "performance"], (x.mean(axis=0) - 3) / 2)
    assert (res["ci_low"] < res["importance"]).all() and (res["importance"] < res["ci_high"]).all()
    assert list(res.index) == ["tp0", "tp1"]


def test_key_drivers_shares_add_up_to_r2_with_five_touchpoints():
    df, x, y = _survey(250, [0.5, 0.0, 0.3, 0.1, 0.0], seed=4)
    res = key_drivers(df, n_boot=50, seed=0)
    a = np.column_stack([np.ones(len(y)), x])
    fit = a @ np.linalg.lstsq(a, y, rcond=None)[0]
    assert res["importance"].sum() == pytest.approx(np.corrcoef(fit, y)[0, 1] ** 2)
    assert res["touchpoint"].iloc[0] == "tp0"


def test_key_drivers_refuses_non_survey_data():
    with pytest.raises(ValueError, match="survey-style"):
        key_drivers(simulate_journeys(50, repeat_rate=0.5, seed=1), n_boot=10)
    df, _, _ = _survey(40, [0.1] * 13, seed=1)
    with pytest.raises(ValueError, match="12 touchpoints"):
        key_drivers(df, method="shapley", n_boot=10)
    df, _, _ = _survey(60, [0.5, 0.2], seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        key_drivers(df, n_boot=10)
    with pytest.warns(UserWarning, match="1 of 60 journeys dropped"):
        res = key_drivers(df[~((df["journey_id"] == 0) & (df["touchpoint"] == "tp1"))], n_boot=10)
    assert res["n"].iloc[0] == 59


def test_key_drivers_bad_input():
    df, _, _ = _survey(50, [0.5, 0.2], seed=3)
    flat = df.assign(score=np.where(df["touchpoint"] == "tp1", 3.0, df["score"]))
    with pytest.raises(ValueError, match="No variance in tp1"):
        key_drivers(flat, n_boot=10)
    with pytest.raises(ValueError, match="at least 4 journeys"):
        key_drivers(df[df["journey_id"] < 3], n_boot=10)


def _relative_weights_by_svd(X, y):
    """Johnson (2000) as he derived it: the SVD of the standardised data, written independently."""
    n = len(y)
    Xs = (X - X.mean(0)) / X.std(0) / np.sqrt(n)  # Xs'Xs is the correlation matrix
    ys = (y - y.mean()) / y.std() / np.sqrt(n)
    P, d, Qt = np.linalg.svd(Xs, full_matrices=False)
    Z = P @ Qt  # the orthonormal variables closest to the predictors
    beta = np.linalg.lstsq(Z, ys, rcond=None)[0]  # outcome on the orthonormal variables
    lam = np.linalg.lstsq(Z, Xs, rcond=None)[0]  # predictors on them: the loadings
    return (lam**2).T @ (beta**2)


def test_relative_weights_beyond_twelve_touchpoints():
    """14 items, as the airline satisfaction file has: Johnson's weights, named, adding up to R2."""
    weights = [0.5, 0.3, 0.2, 0.1] + [0.02] * 10
    df, X, y = _survey(400, weights, seed=5)
    res = key_drivers(df, n_boot=50, seed=1)
    assert (res["method"] == "relative_weights").all() and len(res) == 14
    got = res.set_index("touchpoint")["importance"]
    expected = _relative_weights_by_svd(X, y)
    names = [f"tp{i}" for i in range(14)]
    np.testing.assert_allclose(got[names].to_numpy(), expected, rtol=1e-8, atol=1e-12)
    A = np.column_stack([np.ones(len(y)), X])
    fit = A @ np.linalg.lstsq(A, y, rcond=None)[0]
    assert got.sum() == pytest.approx(np.corrcoef(fit, y)[0, 1] ** 2)
    assert res["touchpoint"].iloc[0] == "tp0"
    top = res.head(3)  # (near-zero weights have bootstrap intervals above them: a known bias)
    assert (top["ci_low"] <= top["importance"]).all() and (top["importance"] <= top["ci_high"]).all()


def test_relative_weights_equal_squared_correlations_for_uncorrelated_items():
    from journeylib.drivers import _relative_weights

    rng = np.random.default_rng(2)
    X = np.linalg.qr(rng.normal(size=(300, 3)) - 0.0)[0]
    X -= X.mean(0)
    X = np.linalg.qr(X)[0]  # centred, exactly uncorrelated columns
    y = X @ [3.0, 2.0, 1.0] + rng.normal(size=300)
    R = np.corrcoef(np.column_stack([X, y]), rowvar=False)
    assert np.allclose(R[:3, :3], np.eye(3), atol=1e-12)
    np.testing.assert_allclose(_relative_weights(R, 3), R[:3, 3] ** 2, atol=1e-12)
