"""journey_summary against a plain per-journey reference, plus the theory fixtures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hst

import journeylib as jl
from journeylib import JourneyDataError, simulate_journeys, validate
from journeylib.metrics import ALL_METRICS, CORE_METRICS, RULES, journey_summary
from journeylib.scales import valence


def _random_tidy(rng, n_journeys=60, *, mixed=False, missing=0.1, string_ids=False,
                 scale="likert7", sizes=(1, 9)):
    counts = rng.integers(*sizes, n_journeys)
    n = counts.sum()
    jid = np.repeat(np.arange(100, 100 + n_journeys), counts)
    step = np.concatenate([rng.permutation(np.arange(1, c + 1) * 2) for c in counts])
    tps = np.array(["web", "mail", "phone", "chat"])
    if mixed:
        scales = rng.choice(["smiley5", "likert5", "ces2010"], n)
        score = np.where(scales == "smiley5", rng.integers(-2, 3, n), rng.integers(1, 6, n))
    elif scale == "percent":
        scales = np.full(n, scale)
        score = rng.uniform(0, 100, n)
    else:
        lo, hi = {"likert7": (1, 7), "smiley5": (-2, 2), "nps11": (0, 10)}[scale]
        scales = np.full(n, scale)
        score = rng.integers(lo, hi + 1, n)
    score = score.astype(float)
    score[rng.random(n) < missing] = np.nan
    df = pd.DataFrame({
        "journey_id": [f"J{j}" for j in jid] if string_ids else jid,
        "step": step,
        "touchpoint": tps[rng.integers(0, 4, n)],
        "channel": np.array(["web", "phone", None], dtype=object)[rng.integers(0, 3, n)],
        "actor": np.array(["shop", "bank"])[rng.integers(0, 2, n)],
        "timestamp": pd.Timestamp("2025-03-01") + pd.to_timedelta(rng.integers(0, 10_000, n), "min"),
        "score": score,
        "score_scale": scales,
        "rating": np.repeat(rng.integers(1, 11, n_journeys), counts).astype(float),
        "rating_scale": "stars10",
    })
    return df


def _reference(df):
    """Straightforward per-journey computation, one journey at a time."""
    rows = []
    for jid, g in df.sort_values(["journey_id", "step"]).groupby("journey_id", sort=True):
        v = valence(g["score"].to_numpy(float), g["score_scale"].to_numpy(object))
        ok = ~np.isnan(v)
        w = v[ok]
        x = g["step"].to_numpy(float)[ok]
        tp = g["touchpoint"].tolist()
        ch = [c for c in g["channel"].tolist() if isinstance(c, str)]
        chs = g["channel"].tolist()
        r = valence(g["rating"].iloc[0], g["rating_scale"].iloc[0])
        peak = np.nan
        if len(w):
            best = max(abs(a) for a in w)
            peak = [a for a in w if abs(a) == best][-1]
        last = w[-1] if len(w) else np.nan
        seen, repeats = set(), 0
        for t in tp:
            repeats += t in seen
            seen.add(t)
        switches = sum(1 for a, b in zip(chs[:-1], chs[1:], strict=True)
                       if isinstance(a, str) and isinstance(b, str) and a != b)
        mean = w.mean() if len(w) else np.nan
        rows.append({
            "journey_id": jid, "n_touchpoints": len(g), "n_missing": int((~ok).sum()),
            "mean": mean, "median": np.median(w) if len(w) else np.nan,
            "min": w.min() if len(w) else np.nan, "max": w.max() if len(w) else np.nan,
            "first": w[0] if len(w) else np.nan, "last": last, "peak": peak,
            "trough": w.min() if len(w) else np.nan, "peak_end": (peak + last) / 2,
            "trend": np.polyfit(x, w, 1)[0] if len(w) >= 2 else np.nan,
            "volatility": w.std(ddof=1) if len(w) >= 2 else np.nan,
            "n_negative": int((w < 0).sum()),
            "share_negative": (w < 0).mean() if len(w) else np.nan,
            "n_channels": len(set(ch)), "n_actors": g["actor"].nunique(), "n_repeats": repeats,
            "channel_switches": switches, "effort": -float(repeats),
            "duration": g["timestamp"].max() - g["timestamp"].min(),
            "rating": r, "gap": r - mean, "gap_peak_end": r - (peak + last) / 2,
        })
    return pd.DataFrame(rows)


def _compare(got, ref):
    assert list(got["journey_id"]) == list(ref["journey_id"])
    for c in ref.columns:
        if c in ("journey_id", "duration"):
            continue
        np.testing.assert_allclose(got[c].to_numpy(float), ref[c].to_numpy(float), atol=1e-12,
                                   equal_nan=True, err_msg=c)
    assert (got["duration"].to_numpy() == ref["duration"].to_numpy()).all()


# smiley5: many peak ties, counting median; nps11: the bincount median; percent: few ties and
# the pandas median; mixed scales: per-category valence
@pytest.mark.parametrize("scale", ["likert7", "smiley5", "nps11", "percent", "mixed"])
def test_every_metric_matches_reference(scale):
    rng = np.random.default_rng(len(scale))
    df = _random_tidy(rng, mixed=scale == "mixed", scale=scale, n_journeys=150)
    got = journey_summary(df)
    assert list(got.columns) == ["journey_id", *[m for m in ALL_METRICS if m != "recommend"]]
    _compare(got, _reference(df))


def test_long_journeys_take_the_general_median_path():
    # 11 levels packed into 5-bit fields hold at most 31 moments per journey: longer ones fall back
    rng = np.random.default_rng(21)
    df = _random_tidy(rng, scale="nps11", n_journeys=40, sizes=(25, 45))
    _compare(journey_summary(df), _reference(df))


def test_string_ids_and_unsorted_rows_give_identical_summary():
    rng = np.random.default_rng(3)
    df = _random_tidy(rng, string_ids=True)
    ordered = df.sort_values(["journey_id", "step"]).reset_index(drop=True)
    a = journey_summary(ordered)
    b = journey_summary(df.sample(frac=1.0, random_state=4))
    pd.testing.assert_frame_equal(a, b)
    blocks = df.sort_values(["journey_id", "step"], ascending=[False, True])  # grouped, ids falling
    pd.testing.assert_frame_equal(a, journey_summary(blocks))
    assert a["journey_id"].tolist() == sorted(df["journey_id"].unique())
    _compare(a, _reference(df))


def test_validated_and_raw_input_agree_and_caller_frame_untouched():
    rng = np.random.default_rng(5)
    df = _random_tidy(rng)
    before = df.copy()
    raw = journey_summary(df)
    pd.testing.assert_frame_equal(df, before)
    pd.testing.assert_frame_equal(raw, journey_summary(validate(df)))
    contract = simulate_journeys(50, seed=2)  # already validated: read in place, never written
    contract.loc[contract.index[::7], "score"] = np.nan
    before = contract.copy()
    journey_summary(contract)
    journey_summary(contract.iloc[::-1])
    pd.testing.assert_frame_equal(contract, before)


def test_peak_tie_takes_the_later_moment_and_all_missing_journey():
    df = pd.DataFrame({"journey_id": [1, 1, 1, 2, 2, 3, 3], "step": [1, 2, 3, 1, 2, 1, 2],
                       "touchpoint": list("ABCABAB"),
                       "score": [2, -2, 0, -2, 2, np.nan, np.nan], "score_scale": "smiley5",
                       "rating": [0, 0, 0, 1, 1, 2, 2], "rating_scale": "smiley5"})
    s = journey_summary(df, metrics=["peak", "peak_end", "last", "n_missing", "mean", "rating"])
    assert s["peak"].tolist()[:2] == [-1.0, 1.0]
    assert s["peak_end"].tolist()[:2] == [-0.5, 1.0]
    assert s.iloc[2][["peak", "mean", "last"]].isna().all()
    assert s["n_missing"].tolist() == [0, 0, 2]
    assert s["rating"].tolist() == [0.0, 0.5, 1.0]


def test_metric_selection_and_errors():
    df = simulate_journeys(20, seed=1)
    s = journey_summary(df, metrics=["gap", "n_touchpoints"])
    assert list(s.columns) == ["journey_id", "gap", "n_touchpoints"]
    full = journey_summary(df)
    np.testing.assert_allclose(s["gap"], full["gap"])
    assert set(CORE_METRICS) <= set(full.columns) and set(RULES) <= set(full.columns)
    with pytest.raises(ValueError, match="'avg' was passed"):
        journey_summary(df, metrics=["avg"])
    with pytest.raises(ValueError, match="needs a 'channel' column"):
        journey_summary(df.drop(columns="channel"), metrics=["n_channels"])
    assert "n_channels" not in journey_summary(df.drop(columns="channel")).columns
    with pytest.raises(JourneyDataError, match="row 3"):
        journey_summary(pd.DataFrame({"journey_id": [1, 1], "step": [1, 2], "touchpoint": "a",
                                      "score": [1, 9], "score_scale": "likert5", "rating": 3,
                                      "rating_scale": "likert5"}))


def test_empty_table_is_refused():
    empty = simulate_journeys(5, seed=1).iloc[:0]
    with pytest.raises(JourneyDataError, match="empty"):
        journey_summary(empty)


def test_many_categories_take_the_general_distinct_path():
    rng = np.random.default_rng(8)
    df = _random_tidy(rng, missing=0.0)
    df["touchpoint"] = [f"tp{i}" for i in rng.integers(0, 200, len(df))]
    _compare(journey_summary(df), _reference(df))


# --- theory fixtures ---------------------------------------------------------------------------

def test_cold_pressor_longer_episode_with_milder_end_has_better_peak_end():
    """Kahneman et al. (1993): 60 s of cold water, versus the same 60 s plus 30 s slightly warmer."""
    # valence per 10 seconds: 14 degrees C hurts (-0.8), the slow rise to 15 degrees a little less
    harsh = np.full(6, -0.8)
    milder = np.full(3, -0.6)
    short = harsh
    long = np.concatenate([harsh, milder])
    df = pd.DataFrame({
        "journey_id": np.repeat([1, 2], [len(short), len(long)]),
        "step": np.concatenate([np.arange(1, len(short) + 1), np.arange(1, len(long) + 1)]),
        "touchpoint": "cold water", "score": np.concatenate([short, long]), "score_scale": "valence",
        "rating": 0.0, "rating_scale": "valence"})
    s = journey_summary(df).set_index("journey_id")
    assert s.loc[2, "peak_end"] > s.loc[1, "peak_end"]  # the long trial is remembered as better
    total = s["mean"] * s["n_touchpoints"]  # discomfort summed over time
    assert total[2] < total[1]  # ...although it holds more discomfort in total
    assert s.loc[2, "min"] == s.loc[1, "min"]  # and its worst moment is no better


def test_o_ring_share_of_flawless_journeys():
    """19 touchpoints, each good with p = 0.95: few journeys are good throughout."""
    p, k, n = 0.95, 19, 40_000
    rng = np.random.default_rng(2024)
    good = rng.random((n, k)) < p
    df = pd.DataFrame({"journey_id": np.repeat(np.arange(n), k), "step": np.tile(np.arange(1, k + 1), n),
                       "touchpoint": "tp", "score": good.ravel().astype(float),
                       "score_scale": "binary", "rating": 1.0, "rating_scale": "binary"})
    s = journey_summary(df, metrics=["min", "mean"])
    flawless = (s["min"] == 1.0).mean()
    se = np.sqrt(p**k * (1 - p**k) / n)
    assert abs(flawless - p**k) < 4 * se
    assert abs(flawless - 0.377) < 0.01
    assert abs(((s["mean"] + 1) / 2).mean() - p) < 0.003


# --- property tests ----------------------------------------------------------------------------

@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hst.lists(hst.tuples(hst.integers(0, 5), hst.one_of(hst.none(), hst.integers(-2, 2))),
                 min_size=1, max_size=40), hst.randoms(use_true_random=False))
def test_properties_bounds_and_row_order(rows, rnd):
    jid = [j for j, _ in rows]
    df = pd.DataFrame({"journey_id": jid, "step": range(1, len(rows) + 1), "touchpoint": "x",
                       "score": [np.nan if s is None else float(s) for _, s in rows],
                       "score_scale": "smiley5", "rating": 0.0, "rating_scale": "smiley5"})
    s = journey_summary(df)
    for c in ("mean", "median", "min", "max", "first", "last", "peak", "peak_end"):
        vals = s[c].dropna()
        assert ((vals >= -1) & (vals <= 1)).all()
    ok = s["mean"].notna()
    assert (s.loc[ok, "min"] <= s.loc[ok, "mean"] + 1e-12).all()
    assert (s.loc[ok, "mean"] <= s.loc[ok, "max"] + 1e-12).all()
    order = list(range(len(df)))
    rnd.shuffle(order)
    pd.testing.assert_frame_equal(s, journey_summary(df.iloc[order]))


@pytest.mark.parametrize("offset", [0, 1_000_000, 1_767_225_600, 2**52])
def test_trend_does_not_depend_on_the_level_of_step(offset):
    """Steps 10**6 + k or epoch seconds give the slope of steps 1..k (issue 12, item 5)."""
    rng = np.random.default_rng(3)
    n_j, k = 50, 6
    gaps = rng.integers(1, 3600, size=(n_j, k))
    steps = np.cumsum(gaps, axis=1)
    scores = rng.integers(1, 6, size=(n_j, k)).astype(float)
    scores[rng.random((n_j, k)) < 0.15] = np.nan  # missing scores are skipped
    df = pd.DataFrame({"journey_id": np.repeat(np.arange(n_j), k), "step": (steps + offset).ravel(),
                       "touchpoint": "web", "score": scores.ravel(), "score_scale": "likert5",
                       "rating": 3, "rating_scale": "likert5"})
    got = journey_summary(df, metrics=["trend"])["trend"].to_numpy()
    expected = []
    for j in range(n_j):  # slope of valence on the steps, computed on small numbers
        ok = ~np.isnan(scores[j])
        x = (steps[j][ok] - steps[j][ok].mean()).astype(float)
        v = (scores[j][ok] - 3) / 2
        expected.append(np.polyfit(x, v, 1)[0] if ok.sum() > 1 else np.nan)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-15)


def test_large_frame_checked_beside_the_metrics_refuses_and_agrees(monkeypatch):
    """Above the overlap threshold: one bad cell still stops the summary, and good data gives
    the same numbers as the check-first path."""
    big = jl.simulate_journeys(60_000, seed=4)
    monkeypatch.setattr(jl.metrics, "_OVERLAP_ROWS", 200_000)
    assert len(big) >= jl.metrics._OVERLAP_ROWS
    bad = big.copy()
    bad.loc[len(bad) - 1, "score"] = 42.0
    with pytest.raises(JourneyDataError) as err:
        jl.journey_summary(bad)
    assert err.value.problems[0]["row"] == len(bad) + 1 and err.value.problems[0]["column"] == "score"
    threaded = jl.journey_summary(big)
    monkeypatch.setattr(jl.metrics, "_OVERLAP_ROWS", len(big) + 1)
    pd.testing.assert_frame_equal(threaded, jl.journey_summary(big))
