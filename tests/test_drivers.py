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
        key_drivers(df, n_boot=10)
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
