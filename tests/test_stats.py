"""Gap tests, rule comparison and journey-versus-touchpoint against scipy and hand computations."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from journeylib import simulate_journeys
from journeylib.metrics import journey_summary
from journeylib.stats import compare_rules, gap_test, journey_vs_touchpoint

SINGLE_RULES = ("mean", "median", "min", "last", "peak_end", "trend", "effort")


@pytest.fixture(scope="module")
def sim():
    return simulate_journeys(400, rule="peak_end", noise=0.15, seed=42)


# --- gap test -------------------------------------------------------------------------------------

def test_gap_test_matches_scipy(sim):
    s = journey_summary(sim)
    res = gap_test(sim, rule="mean", n_boot=1000, seed=1)
    tt = st.ttest_rel(s["rating"], s["mean"])
    w = st.wilcoxon(s["rating"] - s["mean"], zero_method="pratt")
    gap = s["rating"] - s["mean"]
    r = res.iloc[0]
    assert r["n"] == len(s) and r["dof"] == len(s) - 1
    assert r["gap"] == pytest.approx(gap.mean())
    assert r["t"] == pytest.approx(tt.statistic) and r["p_val"] == pytest.approx(tt.pvalue)
    assert r["w"] == pytest.approx(w.statistic) and r["p_val_wilcoxon"] == pytest.approx(w.pvalue)
    assert r["d_z"] == pytest.approx(gap.mean() / gap.std(ddof=1))
    se = gap.std(ddof=1) / np.sqrt(len(gap))
    assert r["ci_low"] == pytest.approx(gap.mean() - 1.96 * se, abs=0.3 * se)
    assert r["ci_high"] == pytest.approx(gap.mean() + 1.96 * se, abs=0.3 * se)
    pd.testing.assert_frame_equal(res, gap_test(s, rule="mean", n_boot=1000, seed=1))
    res_pe = gap_test(s, rule="peak_end", n_boot=200, seed=1)
    assert res_pe["gap"].iloc[0] == pytest.approx(s["gap_peak_end"].mean())


def test_gap_test_patterns():
    # journey 1: PayPal (touchpoints good, journey bad), 2: recovered, 3 and 4: aligned
    df = pd.DataFrame({"journey_id": [1, 1, 2, 2, 3, 4], "step": [1, 2, 1, 2, 1, 1],
                       "touchpoint": "t", "score": [2, 1, -2, -1, 1, 0], "score_scale": "smiley5",
                       "rating": [-1, -1, 2, 2, 1, -2], "rating_scale": "smiley5"})
    r = gap_test(df, n_boot=100, seed=0).iloc[0]
    assert (r["share_paypal"], r["share_recovered"], r["share_aligned"]) == (0.25, 0.25, 0.5)


def test_gap_test_bad_input():
    base = dict(touchpoint="t", score_scale="smiley5", rating_scale="smiley5")
    one = pd.DataFrame({"journey_id": [1, 1], "step": [1, 2], "score": [1, 2], "rating": 1, **base})
    with pytest.raises(ValueError, match="at least 2 journeys"):
        gap_test(one)
    none_rated = pd.DataFrame({"journey_id": [1, 2], "step": 1, "score": [1, 2], "rating": np.nan,
                               **base})
    with pytest.raises(ValueError, match="only 0 have them"), pytest.warns(UserWarning):
        gap_test(none_rated)
    constant = pd.DataFrame({"journey_id": [1, 2, 3], "step": 1, "score": [1, 0, -1],
                             "rating": [1, 0, -1], **base})
    with pytest.warns(UserWarning, match="zero variance"):
        r = gap_test(constant, n_boot=50).iloc[0]
    assert r["gap"] == 0 and np.isnan(r["t"]) and np.isnan(r["p_val"]) and np.isnan(r["d_z"])
    with pytest.raises(ValueError, match="`rule`"):
        gap_test(constant, rule="average")


# --- compare_rules --------------------------------------------------------------------------------

@pytest.mark.parametrize("rule", ["mean", "min", "last", "peak_end"])
def test_compare_rules_recovers_the_generating_rule(rule):
    wins = 0
    for seed in range(20):
        df = simulate_journeys(2000, rule=rule, noise=0.1, seed=seed)
        res = compare_rules(df, rules=SINGLE_RULES, n_boot=0, seed=seed)
        wins += res["rule"].iloc[0] == rule
    assert wins >= 19


def test_compare_rules_leave_one_out_matches_hand_fit(sim):
    s = journey_summary(sim)
    n = len(s)
    res = compare_rules(s, rules=["mean", "last"], cv=n, n_boot=300, seed=3).set_index("rule")
    y = s["rating"].to_numpy()
    for rule in ("mean", "last"):
        x = s[rule].to_numpy()
        pred = np.empty(n)
        for i in range(n):
            keep = np.arange(n) != i
            b, a = np.polyfit(x[keep], y[keep], 1)
            pred[i] = a + b * x[i]
        r2 = 1 - ((y - pred) ** 2).sum() / ((y - y.mean()) ** 2).sum()
        row = res.loc[rule]
        assert row["r2"] == pytest.approx(r2) and row["score"] == row["r2"]
        assert row["mae"] == pytest.approx(np.abs(y - pred).mean())
        assert row["r"] == pytest.approx(np.corrcoef(pred, y)[0, 1])
        # near-tied predictions (same x, other fold) may order differently at 1e-16: ranks wobble
        assert row["rho"] == pytest.approx(st.spearmanr(pred, y).statistic, abs=1e-3)
        assert row["ci_low"] < r2 < row["ci_high"]
        # a 1-10 rating is ordinal; the default method is still the linear calibration
        assert row["outcome_type"] == "ordinal" and row["method"] == "linear"
        assert np.isnan(row["auc"])
    assert list(res.index) == sorted(res.index, key=lambda r: -res.loc[r, "score"])


def test_compare_rules_binary_outcome_uses_auc(sim):
    s = journey_summary(sim).assign(recommend=lambda d: (d["recommend"] >= 9).astype(float))
    res = compare_rules(s, rules=["mean", "all"], outcome="recommend", n_boot=200, seed=0)
    assert (res["outcome_type"] == "binary").all() and (res["score_name"] == "auc").all()
    row = res.set_index("rule").loc["mean"]
    y = s["recommend"].to_numpy()
    x = s["mean"].to_numpy()
    # the rule's own ranking: the Mann-Whitney U of the rule between yes and no, over n1 * n0
    u = st.mannwhitneyu(x[y == 1], x[y == 0]).statistic
    assert row["auc"] == pytest.approx(u / ((y == 1).sum() * (y == 0).sum()))
    assert row["score"] == row["auc"] and np.isnan(row["r2"])
    assert row["r"] == pytest.approx(st.pointbiserialr(y, x).statistic)


def test_compare_rules_bad_input(sim):
    s = journey_summary(sim)
    with pytest.raises(ValueError, match="at least 5 journeys"):
        compare_rules(s.head(4), cv=5)
    with pytest.raises(ValueError, match="same rating"):
        compare_rules(s.assign(rating=0.5), n_boot=0)
    with pytest.raises(ValueError, match="only 0 have them"), pytest.warns(UserWarning):
        compare_rules(s.assign(rating=np.nan))
    with pytest.raises(ValueError, match="'avg' was passed"):
        compare_rules(s, rules=["avg"])
    with pytest.raises(ValueError, match="`cv`"):
        compare_rules(s, cv=1)
    flat = s.assign(mean=0.25)  # constant scores: a documented NaN, not a crash
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = compare_rules(flat, rules=["mean", "last"], n_boot=50, seed=0).set_index("rule")
    assert np.isnan(res.loc["mean", "r"]) and np.isnan(res.loc["mean", "rho"])
    assert res.loc["mean", "r2"] <= 0.0 and res.index[0] == "last"
    tiny = journey_summary(simulate_journeys(6, seed=3))
    tiny["rating"] = [0.0, 0.0, 0.0, 0.0, 0.5, 1.0]  # some resamples hold one value
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = compare_rules(tiny, cv=5, n_boot=300, seed=0)
    assert res["n"].eq(6).all() and res["ci_low"].notna().all()


# --- journey versus touchpoint --------------------------------------------------------------------

def test_journey_vs_touchpoint_three_ratios(sim):
    s = journey_summary(sim)
    # rating and touchpoint mean are nearly collinear here: the beta ratio is flagged unstable
    with pytest.warns(UserWarning, match="too collinear"):
        res = journey_vs_touchpoint(sim, n_boot=300, seed=0).set_index("quantity")
    assert res.loc["beta", "touchpoint_ci_low"] <= 0 <= res.loc["beta", "touchpoint_ci_high"]
    assert res.loc["r", "ci_low"] < res.loc["r", "value"] < res.loc["r", "ci_high"]
    y, r, m = s["recommend"], s["rating"], s["mean"]
    rj, rt = np.corrcoef(r, y)[0, 1], np.corrcoef(m, y)[0, 1]
    assert res.loc["r", "value"] == pytest.approx(rj / rt)
    assert res.loc["r2", "value"] == pytest.approx(rj**2 / rt**2)
    assert res.loc["r", "percent_more"] == pytest.approx(100 * (rj / rt - 1))
    z = np.column_stack([np.ones(len(s)), st.zscore(r), st.zscore(m)])
    beta = np.linalg.lstsq(z, st.zscore(y), rcond=None)[0]
    assert res.loc["beta", "value"] == pytest.approx(beta[1] / beta[2])
    # standardised betas from correlations, the textbook two-predictor formula
    rjm = np.corrcoef(r, m)[0, 1]
    assert res.loc["beta", "journey"] == pytest.approx((rj - rt * rjm) / (1 - rjm**2))
    a1 = np.column_stack([np.ones(len(s)), m])
    a2 = np.column_stack([a1, s["peak_end"]])
    r2 = [1 - ((r - a @ np.linalg.lstsq(a, r, rcond=None)[0]) ** 2).sum() / ((r - r.mean()) ** 2).sum()
          for a in (a1, a2)]
    assert res.loc["incremental_r2_peak_end", "value"] == pytest.approx(r2[1] - r2[0])
    assert res.loc["incremental_r2_peak_end", "value"] > 0.05  # data generated by peak-end
    with pytest.raises(ValueError, match="other than the journey rating"):
        journey_vs_touchpoint(sim, outcome="rating")
    small = simulate_journeys(30, seed=2)
    with pytest.raises(ValueError, match="only 0 have them"), pytest.warns(UserWarning):
        journey_vs_touchpoint(small.assign(recommend=np.nan))
    with pytest.raises(ValueError, match="'loyalty' is not available"):
        journey_vs_touchpoint(small, outcome="loyalty")
