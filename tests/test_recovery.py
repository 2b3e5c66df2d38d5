"""Service recovery: the groups by hand and on the seed stories, Welch's comparison against scipy,
and the coverage of a planted recovery effect over repeated simulations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

import journeylib as jl
from journeylib import JourneyDataError
from journeylib.recovery import GROUPS, recovery_groups, recovery_test


@pytest.fixture
def stories():
    """Five small journeys, one per case the definitions must tell apart."""
    rows = [
        # 1: failure, then the same actor does well -> recovered (actor)
        (1, "order", "shop", 1), (1, "late delivery", "carrier", -2), (1, "carrier call", "carrier", 2),
        # 2: failure, a later positive moment of another actor only -> unrecovered
        (2, "order", "shop", 1), (2, "late delivery", "carrier", -2), (2, "review mail", "shop", 2),
        # 3: failure, then a compensation (scored neutral) -> recovered (compensation)
        (3, "order", "shop", 0), (3, "broken item", "shop", -1), (3, "voucher as compensation", "shop", 0),
        # 4: no failure
        (4, "order", "shop", 1), (4, "delivery", "carrier", 0),
        # 5: recovered once, then fails again at the end -> unrecovered (the last failure counts)
        (5, "late delivery", "carrier", -1), (5, "carrier call", "carrier", 1), (5, "invoice", "shop", -1),
    ]
    df = pd.DataFrame(rows, columns=["journey_id", "touchpoint", "actor", "score"])
    df["step"] = df.groupby("journey_id").cumcount() + 1
    rating = {1: 2, 2: -1, 3: 1, 4: 1, 5: -2}
    return df.assign(score_scale="smiley5", rating=df["journey_id"].map(rating),
                     rating_scale="smiley5")


def test_groups_by_hand(stories):
    g = recovery_groups(stories).set_index("journey_id")
    assert g["group"].to_dict() == {1: "recovered", 2: "unrecovered", 3: "recovered",
                                    4: "no failure", 5: "unrecovered"}
    assert g.loc[1, "recovered_by"] == "actor" and g.loc[1, "recovery_step"] == 3
    assert g.loc[3, "recovered_by"] == "compensation"
    assert g.loc[3, "recovery_touchpoint"] == "voucher as compensation"
    assert g.loc[5, "failure_step"] == 3 and g.loc[5, "n_failures"] == 2
    assert pd.isna(g.loc[4, "failure_step"]) and g.loc[4, "n_failures"] == 0
    assert g.loc[2, "failure_touchpoint"] == "late delivery"
    assert g.loc[1, "mean"] == pytest.approx((0.5 - 1 + 1) / 3)
    assert g.loc[1, "rating"] == 1.0
    assert "recommend" not in g.columns


def test_definitions_are_parameters(stories):
    only_comp = recovery_groups(stories, recovered_by="compensation").set_index("journey_id")
    assert only_comp.loc[1, "group"] == "unrecovered" and only_comp.loc[3, "group"] == "recovered"
    only_actor = recovery_groups(stories, recovered_by=["actor"]).set_index("journey_id")
    assert only_actor.loc[3, "group"] == "unrecovered"
    words = recovery_groups(stories, compensation=["VOUCHER"]).set_index("journey_id")
    assert words.loc[3, "group"] == "recovered"  # names matched ignoring case
    none = recovery_groups(stories, compensation=[]).set_index("journey_id")
    assert none.loc[3, "group"] == "unrecovered"
    strict = recovery_groups(stories, failure=-0.75).set_index("journey_id")  # only -2 fails
    assert strict["group"].to_dict() == {1: "recovered", 2: "unrecovered", 3: "no failure",
                                         4: "no failure", 5: "no failure"}
    picky = recovery_groups(stories, positive=0.75).set_index("journey_id")  # only +2 recovers
    assert picky.loc[5, "group"] == "unrecovered" and picky.loc[1, "group"] == "recovered"
    with pytest.raises(ValueError, match="`recovered_by`"):
        recovery_groups(stories, recovered_by="apology")
    with pytest.raises(ValueError, match="needs an 'actor' column"):
        recovery_groups(stories.drop(columns="actor"), recovered_by="actor")
    no_actor = recovery_groups(stories.drop(columns="actor")).set_index("journey_id")
    assert no_actor.loc[1, "group"] == "unrecovered" and no_actor.loc[3, "group"] == "recovered"


def test_missing_scores_are_neither_failure_nor_recovery(stories):
    df = stories.copy()
    df.loc[(df["journey_id"] == 1) & (df["step"] == 3), "score"] = np.nan
    df.loc[(df["journey_id"] == 4) & (df["step"] == 2), "score"] = np.nan
    g = recovery_groups(df).set_index("journey_id")
    assert g.loc[1, "group"] == "unrecovered" and g.loc[4, "group"] == "no failure"


def test_welch_against_scipy():
    sim = jl.simulate_journeys(600, rule="mean", seed=2, recovery={"compensation": 0.3})
    g = recovery_groups(sim)
    res = recovery_test(sim)
    assert res["outcome"].tolist() == ["rating"] * 2 + ["recommend"] * 2
    assert res["scale"].tolist() == ["valence"] * 2 + ["nps11"] * 2
    for _, row in res.iterrows():
        col = "rating" if row["outcome"] == "rating" else "recommend"
        a = g.loc[g["group"] == row["group_a"], col]
        b = g.loc[g["group"] == row["group_b"], col]
        ref = sps.ttest_ind(a, b, equal_var=False)
        ci = ref.confidence_interval(0.95)
        assert (row["n_a"], row["n_b"]) == (len(a), len(b))
        assert row["diff"] == pytest.approx(a.mean() - b.mean())
        assert (row["ci_low"], row["ci_high"]) == (pytest.approx(ci.low), pytest.approx(ci.high))
        assert row["p_val"] == pytest.approx(ref.pvalue)
    adj = recovery_test(sim, adjust="mean")
    gap = g["rating"] - g["mean"]
    first = adj.iloc[0]
    assert first["outcome"] == "rating - mean"
    assert first["diff"] == pytest.approx(gap[g["group"] == "recovered"].mean()
                                          - gap[g["group"] == "no failure"].mean())


def test_seed_stories_002_to_004():
    cases = jl.load_seed_cases()
    seeds = cases[cases["seed"].str[:3].isin(["002", "003", "004"])]
    g = recovery_groups(seeds, compensation=["compensation", "voucher"]).set_index("journey_id")
    assert g["group"].to_dict() == {"bike-order": "recovered", "laptop-refund": "unrecovered",
                                    "tablet-order": "recovered"}
    assert g.loc["tablet-order", "failure_touchpoint"] == "call: colour unavailable"
    assert g.loc["tablet-order", "recovery_touchpoint"] == "next-day delivery"
    assert g.loc["bike-order", "recovery_touchpoint"] == "complaint email reply"
    res = recovery_test(seeds, compensation=["compensation", "voucher"])
    paradox = res.set_index(["outcome", "comparison"]).loc[("rating", "recovered - no failure")]
    assert (paradox["n_a"], paradox["n_b"]) == (2, 0) and np.isnan(paradox["diff"])
    vs = res.set_index(["outcome", "comparison"]).loc[("rating", "recovered - unrecovered")]
    assert vs["diff"] == pytest.approx(((0.5 - 0.5) / 2) - (-0.5))
    assert np.isnan(vs["ci_low"])  # one unrecovered journey: no interval
    rec = res[res["outcome"] == "recommend"]  # only the bike buyer answered: 0 (no ambassador)
    assert rec["scale"].iloc[0] == "binary" and rec["n_a"].tolist() == [1, 1]


def test_caller_frame_kept_and_bad_input(stories):
    before = stories.copy()
    recovery_test(stories)
    pd.testing.assert_frame_equal(stories, before)
    with pytest.raises(JourneyDataError):
        recovery_test(stories.assign(score=5))
    with pytest.raises(ValueError, match="`adjust`"):
        recovery_test(stories, adjust="gap")
    with pytest.warns(UserWarning, match="1 of 5 journeys left out of recovery_test"):
        res = recovery_test(stories.assign(ordered=stories["journey_id"] != 4))
    assert res.loc[0, "n_b"] == 0


def test_planted_recovery_effect_has_95_percent_coverage():
    """200 simulated studies of 400 journeys: the 95% intervals cover the planted effects.

    The rating is the touchpoint mean plus +0.15 for a recovered failure and -0.15 for an
    unrecovered one, so with adjust="mean" the truth is +0.15 (recovered - no failure) and
    +0.30 (recovered - unrecovered).  One simulation of 80,000 journeys, cut into 200 studies.
    """
    reps, n = 200, 400
    sim = jl.simulate_journeys(reps * n, rule="mean", rating_scale="valence", noise=0.1,
                               recovery={"recovered": 0.15, "unrecovered": -0.15,
                                         "compensation": 0.3}, seed=95)
    study = (sim["journey_id"].to_numpy() - 1) // n
    hits = np.zeros((reps, 2), dtype=bool)
    est = np.zeros(reps)
    for r, part in sim.groupby(study, sort=True):
        res = recovery_test(part, adjust="mean")
        hits[r] = (res["ci_low"].to_numpy()[:2] <= [0.15, 0.30]) & ([0.15, 0.30] <= res["ci_high"].to_numpy()[:2])
        est[r] = res.loc[0, "diff"]
    coverage = hits.mean(axis=0)
    assert 0.91 <= coverage[0] <= 0.985 and 0.91 <= coverage[1] <= 0.985, coverage
    assert abs(est.mean() - 0.15) < 0.01
    assert set(GROUPS) == set(recovery_groups(part)["group"])
