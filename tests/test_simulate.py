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


# --- planted truth for the sequence tools (issue 16) ------------------------------------------------

@pytest.mark.parametrize(("kwargs", "n_rows", "digest"), [
    ({"n_journeys": 300, "seed": 9}, 1531, 1993523282953325881),
    ({"n_journeys": 200, "rule": {"mean": 1, "last": 3}, "noise": 0.0, "effort_weight": 0.1,
      "rating_scale": "valence", "seed": 2}, 1014, 1029115709578605178),
    ({"n_journeys": 100, "touchpoints": ["a", "b", "c"], "repeat_rate": 0.5,
      "score_scale": "likert5", "seed": 4}, 555, 285432360414468062),
])
def test_existing_calls_give_the_same_data(kwargs, n_rows, digest):
    """Fingerprints taken before length=, moment_noise=, shapes=, path_effect= and recovery= existed."""
    df = simulate_journeys(**kwargs)
    assert len(df) == n_rows
    assert int(pd.util.hash_pandas_object(df, index=False).sum() % 2**61) == digest
    defaults = simulate_journeys(**kwargs, length=5.0, moment_noise=0.5, shapes=None,
                                 path_effect=None, recovery=None)
    pd.testing.assert_frame_equal(df, defaults)


def test_length_and_moment_noise():
    long = simulate_journeys(2000, length=8, seed=1)
    sizes = long.groupby("journey_id").size()
    assert abs(sizes.mean() - 8) < 0.2 and sizes.max() <= 15
    calm = simulate_journeys(500, moment_noise=0.0, score_scale="valence", repeat_rate=0.0, seed=1)
    assert (calm.groupby("journey_id")["score"].nunique() == 1).all()  # every moment at the mood
    with pytest.raises(ValueError, match="`length`"):
        simulate_journeys(5, length=1)
    with pytest.raises(ValueError, match="`moment_noise`"):
        simulate_journeys(5, moment_noise=-0.1)


def test_planted_shapes():
    df = simulate_journeys(3000, shapes={"late drop": 0.3, "early dip": 0.2}, moment_noise=0.0,
                           repeat_rate=0.0, score_scale="valence", seed=3)
    shape = df.groupby("journey_id")["shape"].first()
    shares = shape.value_counts(normalize=True)
    assert abs(shares["late drop"] - 0.3) < 0.03 and abs(shares["early dip"] - 0.2) < 0.03
    assert abs(shares["steady"] - 0.5) < 0.03
    assert df.groupby("journey_id").size().min() >= 3
    last = df.groupby("journey_id")["score"].last()
    first = df.groupby("journey_id")["score"].first()
    from journeylib.simulate import SHAPE_LOW

    np.testing.assert_allclose(last[shape == "late drop"], SHAPE_LOW)  # w(1) = 1: all the way down
    np.testing.assert_allclose(first[shape == "early dip"], SHAPE_LOW)
    assert (df.groupby("journey_id")["score"].nunique()[shape == "steady"] == 1).all()
    assert "shape" not in simulate_journeys(5, seed=1).columns
    with pytest.raises(ValueError, match="keys of `shapes`"):
        simulate_journeys(5, shapes={"zigzag": 0.5})
    with pytest.raises(ValueError, match="more than 1"):
        simulate_journeys(5, shapes={"late drop": 0.7, "V recovery": 0.5})


def test_planted_path_effect_is_exact_without_noise():
    tps = ["a", "b", "c"]
    plain = simulate_journeys(400, touchpoints=tps, rule="mean", noise=0.0, rating_scale="valence",
                              seed=5)
    planted = simulate_journeys(400, touchpoints=tps, rule="mean", noise=0.0,
                                rating_scale="valence", path_effect={("a", "b"): -0.2, "c": 0.1},
                                seed=5)
    pd.testing.assert_frame_equal(plain.drop(columns=["rating", "recommend"]),
                                  planted.drop(columns=["rating", "recommend"]))
    tp = planted["touchpoint"].astype(str)
    made_ab = (tp.groupby(planted["journey_id"]).shift() == "a") & (tp == "b")
    ab = made_ab.groupby(planted["journey_id"]).any()
    has_c = (tp == "c").groupby(planted["journey_id"]).any()
    r0 = plain.groupby("journey_id")["rating"].first()
    expected = np.clip(np.clip(r0, -1, 1) - 0.2 * ab + 0.1 * has_c, -1, 1)
    inside = (r0 - 0.2 * ab + 0.1 * has_c).abs() < 1  # away from the clipping
    np.testing.assert_allclose(planted.groupby("journey_id")["rating"].first()[inside],
                               expected[inside], atol=1e-12)
    with pytest.raises(ValueError, match="keys of `path_effect`"):
        simulate_journeys(5, touchpoints=tps, path_effect={("a", "z"): 1})


def test_planted_recovery_is_exact_without_noise():
    import journeylib as jl

    df = simulate_journeys(1000, rule="mean", noise=0.0, rating_scale="valence", seed=6,
                           recovery={"recovered": 0.2, "unrecovered": -0.1, "compensation": 0.25})
    last = df.groupby("journey_id").tail(1)
    share = (last["touchpoint"] == "compensation").mean()
    assert abs(share - 0.25) < 0.04
    comp = df[df["touchpoint"] == "compensation"]
    assert (comp["score"] == 1).all() and (comp["channel"] == "email").all()
    prev = df.groupby("journey_id")["actor"].shift().loc[comp.index]
    assert (comp["actor"] == prev).all()  # the actor of the moment before
    g = jl.recovery_groups(df)
    effect = g["group"].map({"no failure": 0.0, "recovered": 0.2, "unrecovered": -0.1})
    expected = np.clip(g["mean"] + effect, -1, 1)
    np.testing.assert_allclose(g["rating"], expected, atol=1e-12)
    assert set(g["group"]) == {"no failure", "recovered", "unrecovered"}
    with pytest.raises(ValueError, match="keys of `recovery`"):
        simulate_journeys(5, recovery={"paradox": 0.2})
