"""Statistics that ask what the outcome is and whether the moments have an order (issue 13)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

import journeylib as jl
from journeylib.stats.rules import _cv_multi


def survey(n=300, seed=0, ordered=False, rating_levels=10):
    """Survey-like tidy data: 5 items per respondent, an overall driven by the item mean."""
    rng = np.random.default_rng(seed)
    items = rng.integers(1, 6, size=(n, 5)).astype(float)
    v = (items.mean(axis=1) - 3) / 2 + rng.normal(0, 0.15, n)
    if rating_levels == 2:
        rating, scale = (v > 0).astype(float), "binary"
    else:
        rating = np.clip(np.round((v + 1) / 2 * 9 + 1), 1, 10)
        scale = "stars10"
    return pd.DataFrame({
        "journey_id": np.repeat(np.arange(n), 5), "step": np.tile(np.arange(1, 6), n),
        "touchpoint": np.tile(["seat", "staff", "food", "value", "wifi"], n),
        "score": items.ravel(), "score_scale": "likert5",
        "rating": np.repeat(rating, 5), "rating_scale": scale,
        "ordered": ordered,
    })


# --- order is part of the data --------------------------------------------------------------------

def test_order_dependent_metrics_are_undefined_on_unordered_journeys():
    df = survey(20)
    s = jl.journey_summary(df)
    for m in jl.metrics.ORDER_DEPENDENT:
        if m in s.columns:
            assert s[m].isna().all(), m
    assert s["mean"].notna().all() and not s["ordered"].any()
    ordered = jl.journey_summary(df.assign(ordered=True))
    assert ordered["last"].notna().all()
    pd.testing.assert_series_equal(s["mean"], ordered["mean"])


def test_order_survives_a_csv_round_trip_and_concat(tmp_path):
    df = pd.concat([survey(3), survey(3, seed=1).assign(journey_id=lambda d: d["journey_id"] + 10,
                                                       ordered=True)], ignore_index=True)
    path = tmp_path / "mixed.csv"
    df.to_csv(path, index=False)
    back = jl.read_journeys(path)
    assert back["ordered"].dtype == bool
    assert back.groupby("journey_id")["ordered"].first().tolist() == [False] * 3 + [True] * 3
    s = jl.journey_summary(back, metrics=["last"])
    assert s["last"].isna().sum() == 3


def test_column_order_of_survey_items_changes_nothing():
    """Listing the items in another order permutes steps; on unordered data nothing moves."""
    df = survey(400, seed=3)
    perm = {1: 4, 2: 1, 3: 5, 4: 2, 5: 3}
    other = df.assign(step=df["step"].map(perm))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        a = jl.compare_rules(df, n_boot=200, seed=1)
        b = jl.compare_rules(other, n_boot=200, seed=1)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(jl.gap_test(df, n_boot=200, seed=1),
                                  jl.gap_test(other, n_boot=200, seed=1))
    # the order-dependent rules leave with a note; the others keep every journey
    left = a[a["note"] != ""]
    assert set(left["rule"]) == {"last", "peak_end", "trend"}
    assert left["note"].str.contains("order of the moments").all()
    assert (a.loc[a["note"] == "", "n"] == 400).all()


def test_an_undefined_rule_does_not_shrink_the_others():
    df = jl.simulate_journeys(300, rule="mean", seed=4)
    one = df[df["journey_id"] <= 20].groupby("journey_id").head(1)  # 20 one-moment journeys
    df = pd.concat([one, df[df["journey_id"] > 20]], ignore_index=True)
    res = jl.compare_rules(df, rules=["mean", "trend", "min"], n_boot=0, seed=0).set_index("rule")
    assert res.loc["mean", "n"] == 300 and res.loc["min", "n"] == 300
    assert "undefined for 20 of 300 journeys" in res.loc["trend", "note"]


def test_gap_test_refuses_order_dependent_rule_on_unordered_data():
    with pytest.raises(ValueError, match="depends on the order"):
        jl.gap_test(survey(50), rule="last", n_boot=0)


# --- binary outcomes -----------------------------------------------------------------------------

def test_binary_rating_is_scored_by_the_rules_own_ranking():
    df = survey(300, rating_levels=2, ordered=True)
    res = jl.compare_rules(df, rules=["mean", "min", "last"], n_boot=200, seed=2).set_index("rule")
    s = jl.journey_summary(df)
    y = s["rating"].to_numpy() > 0
    for rule in ("mean", "min", "last"):
        x = s[rule].to_numpy()
        u = st.mannwhitneyu(x[y], x[~y]).statistic
        assert res.loc[rule, "score"] == pytest.approx(u / (y.sum() * (~y).sum()))
        assert res.loc[rule, "ci_low"] <= res.loc[rule, "score"] <= res.loc[rule, "ci_high"]
    assert (res["outcome_type"] == "binary").all() and (res["method"] == "auc").all()


def test_pure_noise_rule_has_auc_near_one_half():
    """Over 100 data sets a rule of pure noise averages an AUC within 0.48-0.52."""
    rng = np.random.default_rng(11)
    aucs = []
    for _ in range(100):
        n = 200
        s = pd.DataFrame({"journey_id": np.arange(n), "rating": rng.choice([-1.0, 1.0], n),
                          "mean": rng.normal(size=n)})
        aucs.append(jl.compare_rules(s, rules=["mean"], n_boot=0, seed=0)["score"].iloc[0])
    assert 0.48 <= np.mean(aucs) <= 0.52


def test_gap_test_refuses_a_yes_no_rating_and_paypal_share_answers():
    df = survey(200, rating_levels=2, ordered=True)
    with pytest.raises(ValueError, match="paypal_share"):
        jl.gap_test(df)
    res = jl.paypal_share(df).set_index("touchpoints")
    s = jl.journey_summary(df)
    fine = s["mean"] > 0
    k, n = int((fine & (s["rating"] < 0)).sum()), int(fine.sum())
    assert (res.loc["positive", "n"], res.loc["positive", "n_negative"]) == (n, k)
    # Wilson (1927) interval, by the textbook formula
    z = st.norm.ppf(0.975)
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    assert res.loc["positive", "ci_low"] == pytest.approx(centre - half)
    assert res.loc["positive", "ci_high"] == pytest.approx(centre + half)


# --- ordinal outcomes ----------------------------------------------------------------------------

def test_ordinal_method_fits_proportional_odds_models():
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    df = jl.simulate_journeys(250, rule="min", noise=0.1, rating_scale="likert5", seed=6)
    res = jl.compare_rules(df, rules=["min", "mean", "last"], method="ordinal", n_boot=200,
                           seed=0).set_index("rule")
    assert res.index[0] == "min" and (res["score_name"] == "log_loss").all()
    s = jl.journey_summary(df)
    y = pd.Series(pd.Categorical(np.unique(s["rating"], return_inverse=True)[1], ordered=True))
    for rule in ("min", "mean"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = OrderedModel(y, s[[rule]].to_numpy(), distr="logit").fit(method="bfgs",
                                                                            disp=False)
        assert res.loc[rule, "aic"] == pytest.approx(fit.aic, rel=1e-5)
    # held-out log-loss of the winner beats guessing the answer shares
    shares = np.bincount(y.cat.codes) / len(y)
    assert res.loc["min", "score"] < -(shares * np.log(shares)).sum()
    assert res.loc["min", "diff_to_best"] == 0 and res.loc["mean", "diff_to_best"] > 0


def test_gap_under_other_scorings_matches_a_hand_computed_ridit():
    df = jl.simulate_journeys(200, rule="peak_end", seed=8)
    res = jl.gap_test(df, scoring="ridit", n_boot=0).iloc[0]
    v = jl.add_valence(df)
    ratings = v.drop_duplicates("journey_id")["rating_valence"].dropna().to_numpy()
    pooled = np.concatenate([v["valence"].dropna().to_numpy(), ratings])

    def ridit(x):
        return np.array([(pooled < a).mean() + (pooled == a).mean() / 2 for a in x])

    v["r"] = 2 * ridit(v["valence"].fillna(0).to_numpy()) - 1
    v.loc[v["valence"].isna(), "r"] = np.nan
    per = v.groupby("journey_id").agg(m=("r", "mean"), rating=("rating_valence", "first"))
    gap = 2 * ridit(per["rating"].to_numpy()) - 1 - per["m"].to_numpy()
    assert res["scoring"] == "ridit" and res["gap"] == pytest.approx(gap.mean())
    with pytest.raises(ValueError, match="needs tidy data"):
        jl.gap_test(jl.journey_summary(df), scoring="normal")


def test_gap_test_refuses_rules_off_the_valence_scale():
    df = jl.simulate_journeys(50, seed=1)
    for rule in ("effort", "trend"):
        with pytest.raises(ValueError, match="not on the valence scale"):
            jl.gap_test(df, rule=rule)


# --- is the best rule really better? -------------------------------------------------------------

def test_difference_to_the_best_rule():
    df = jl.simulate_journeys(400, rule="peak_end", noise=0.1, seed=9)
    s = jl.journey_summary(df).assign(median=lambda d: d["mean"])  # a twin of "mean"
    res = jl.compare_rules(s, rules=["peak_end", "mean", "median", "min"], n_boot=300,
                           seed=1).set_index("rule")
    assert res.index[0] == "peak_end"
    assert res.loc["peak_end", ["diff_to_best", "diff_ci_low", "diff_ci_high"]].tolist() == [0] * 3
    assert res.loc["mean", "diff_to_best"] == pytest.approx(res.loc["mean", "score"]
                                                            - res.loc["peak_end", "score"])
    assert res.loc["mean", "diff_ci_high"] < 0  # clearly worse: the interval excludes 0
    # identical rules get identical scores in every resample
    assert res.loc["mean", "score"] == res.loc["median", "score"]
    assert res.loc["mean", "diff_ci_low"] == res.loc["median", "diff_ci_low"]


def test_multi_predictor_fold_fit_matches_lstsq():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = X @ [1.0, -0.5, 0.2] + rng.normal(size=60)
    folds = rng.permutation(60) % 4
    expected = np.empty(60)
    for k in range(4):
        A = np.column_stack([np.ones(60), X])
        coef = np.linalg.lstsq(A[folds != k], y[folds != k], rcond=None)[0]
        expected[folds == k] = A[folds == k] @ coef
    np.testing.assert_allclose(_cv_multi(X, y, folds, 4), expected, rtol=1e-9)


def test_paypal_share_on_a_recommend_where_everyone_said_yes():
    """One answer only: its scale (or 0/1 coding) says whether it is yes or no, never 'the lower'."""
    s = pd.DataFrame({"journey_id": range(4), "mean": [0.5, 0.4, -0.1, 0.2], "rating": 1.0,
                      "recommend": 1.0, "recommend_scale": pd.Categorical(["binary"] * 4)})
    for frame in (s, s.drop(columns="recommend_scale")):
        assert jl.paypal_share(frame, outcome="recommend")["n_negative"].tolist() == [0, 0]
    no = s.assign(recommend=0.0)
    assert jl.paypal_share(no, outcome="recommend")["n_negative"].tolist() == [3, 1]
    with pytest.raises(ValueError, match="recommend_scale"):
        jl.paypal_share(s.drop(columns="recommend_scale").assign(recommend=7.0), outcome="recommend")
