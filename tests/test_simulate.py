"""simulate_journeys: valid tidy data whose rating follows the named rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from journeylib import REQUIRED, validate
from journeylib.metrics import journey_summary
from journeylib.scales import from_valence
from journeylib.simulate import DEFAULT_TOUCHPOINTS, simulate_journeys


def test_output_is_valid_realistic_and_seeded():
    df = simulate_journeys(500, seed=9)
    pd.testing.assert_frame_equal(df, validate(df))
    assert list(df.columns[:7]) == list(REQUIRED)
    assert df["journey_id"].nunique() == 500
    sizes = df.groupby("journey_id").size()
    assert sizes.min() >= 2 and sizes.max() <= 15 and sizes.nunique() >= 6
    s = journey_summary(df)
    assert (s["n_repeats"] > 0).mean() > 0.2
    assert s["n_channels"].max() >= 3 and s["n_actors"].max() >= 2
    assert set(df["touchpoint"].unique()) <= set(DEFAULT_TOUCHPOINTS)
    assert df["score"].isin(range(-2, 3)).all() and df["rating"].isin(range(1, 11)).all()
    assert (df["timestamp"].diff()[df["step"] > 1] >= pd.Timedelta(0)).all()
    pd.testing.assert_frame_equal(df, simulate_journeys(500, seed=9))
    assert not df.equals(simulate_journeys(500, seed=10))


@pytest.mark.parametrize("rule", ["mean", "min", "last", "peak_end", "median"])
def test_noise_free_rating_is_the_rule(rule):
    df = simulate_journeys(300, rule=rule, noise=0.0, rating_scale="valence", seed=1)
    s = journey_summary(df)
    np.testing.assert_allclose(s["rating"], np.clip(s[rule], -1, 1), atol=1e-12)


def test_effort_penalty_and_weighted_mix():
    df = simulate_journeys(300, rule={"mean": 1, "last": 3}, noise=0.0, effort_weight=0.1,
                           rating_scale="valence", seed=2)
    s = journey_summary(df)
    expected = np.clip(0.25 * s["mean"] + 0.75 * s["last"] - 0.1 * s["n_repeats"], -1, 1)
    np.testing.assert_allclose(s["rating"], expected, atol=1e-12)


def test_rating_rounded_onto_the_rating_scale():
    df = simulate_journeys(200, rule="last", noise=0.0, rating_scale="likert5", seed=3)
    s = journey_summary(df)
    expected = (np.round(from_valence(s["last"].to_numpy(), "likert5")) - 3) / 2
    np.testing.assert_allclose(s["rating"], expected)


def _same_as_previous(df):
    same = df["touchpoint"].astype(str).eq(df["touchpoint"].astype(str).shift())
    return same[df["step"] > 1].mean()


def test_repeat_rate_and_custom_touchpoints():
    df = simulate_journeys(3000, touchpoints=["a", "b", "c"], repeat_rate=0.0, seed=4)
    assert set(df["touchpoint"]) == {"a", "b", "c"}
    assert (df["actor"] == "company").all()
    assert abs(_same_as_previous(df) - 1 / 3) < 0.02  # chance only
    df = simulate_journeys(3000, touchpoints=["a", "b", "c"], repeat_rate=0.5, seed=4)
    assert abs(_same_as_previous(df) - (0.5 + 0.5 / 3)) < 0.02


def test_bad_arguments():
    with pytest.raises(ValueError, match="'avg' was passed"):
        simulate_journeys(10, rule="avg")
    with pytest.raises(ValueError, match="at least 1"):
        simulate_journeys(0)
    with pytest.raises(ValueError, match="`noise`"):
        simulate_journeys(5, noise=-1)
    with pytest.raises(ValueError, match="Unknown scale"):
        simulate_journeys(5, rating_scale="stars11")
