"""Curve shapes: features by hand, silhouette and adjusted Rand index against direct formulas,
planted shapes found again (ARI >= 0.9 at n = 2,000), shape_test and shape_plot."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest

import journeylib as jl
from journeylib import JourneyDataError
from journeylib.shapes import (
    SHAPE_FEATURES,
    _distances,
    _silhouette,
    adjusted_rand,
    curve_shapes,
    name_shape,
    shape_test,
)


def _journeys(curves, rating=None):
    """Tidy smiley5 data from lists of scores (one list per journey)."""
    rows = []
    for j, scores in enumerate(curves, start=1):
        for s, score in enumerate(scores, start=1):
            rows.append({"journey_id": j, "step": s, "touchpoint": f"t{s}", "score": score,
                         "score_scale": "smiley5",
                         "rating": 0 if rating is None else rating[j - 1],
                         "rating_scale": "smiley5"})
    return pd.DataFrame(rows)


def test_features_by_hand():
    # valences 1.0, 0.5, -1.0, 0.0 at positions 0, 1/3, 2/3, 1
    df = _journeys([[2, 1, -2, 0], [1, 1, 1]])
    s = curve_shapes(df, cluster=False)
    r = s.iloc[0]
    v, t = np.array([1.0, 0.5, -1.0, 0.0]), np.array([0, 1, 2, 3]) / 3
    assert r["level"] == pytest.approx(v.mean())
    assert r["slope"] == pytest.approx(np.polyfit(t, v, 1)[0])
    assert r["trough_pos"] == pytest.approx(2 / 3)
    assert r["trough_depth"] == pytest.approx(v.mean() + 1.0)
    assert r["recovery"] == pytest.approx(1.0)
    assert r["end_minus_peak"] == pytest.approx(-1.0)
    assert r["volatility"] == pytest.approx(v.std(ddof=1))
    flat = s.iloc[1]  # a flat journey: its low is everywhere, so at the middle on average
    assert (flat["trough_pos"], flat["trough_depth"], flat["slope"], flat["volatility"]) == (
        pytest.approx(0.5), 0.0, 0.0, 0.0)
    assert flat["shape"] == "steady high"
    assert list(s.columns) == ["journey_id", "shape", "cluster", "n_moments", *SHAPE_FEATURES,
                               "rating"]


def test_missing_scores_are_skipped_and_short_journeys_left_out():
    df = _journeys([[2, np.nan, 1, -2], [1, 2], [0, 0, 0]])
    with pytest.warns(UserWarning, match="1 of 3 journeys left out of curve_shapes"):
        s = curve_shapes(df, cluster=False)
    assert s["journey_id"].tolist() == [1, 3]
    assert s.loc[0, "n_moments"] == 3 and s.loc[0, "trough_pos"] == pytest.approx(1.0)
    mixed = _journeys([[1, 2, 0], [0, 1, 2]]).assign(ordered=lambda d: d["journey_id"] == 1)
    with pytest.warns(UserWarning, match="1 of 2 journeys left out of curve_shapes: their moments"):
        assert curve_shapes(mixed, cluster=False)["journey_id"].tolist() == [1]


def test_names_from_centres():
    base = {"level": 0.3, "slope": 0.0, "trough_pos": 0.5, "trough_depth": 0.1, "recovery": 0.1,
            "end_minus_peak": -0.1, "volatility": 0.1}
    assert name_shape(base) == "steady high"
    assert name_shape(base | {"level": -0.5}) == "steady low"
    assert name_shape(base | {"level": 0.0}) == "steady"
    assert name_shape(base | {"trough_depth": 0.6, "recovery": 0.9, "volatility": 0.5}) == "V recovery"
    assert name_shape(base | {"trough_pos": 0.05, "trough_depth": 0.6, "recovery": 0.9,
                              "volatility": 0.5}) == "early dip"
    assert name_shape(base | {"trough_pos": 0.95, "recovery": 0.0, "end_minus_peak": -1.0,
                              "volatility": 0.5}) == "late drop"
    late_dip = {"trough_pos": 0.85, "trough_depth": 0.8, "recovery": 1.5, "volatility": 0.5}
    assert name_shape(base | late_dip | {"end_minus_peak": 0.0}) == "late dip"
    assert name_shape(base | late_dip | {"end_minus_peak": -0.5}) == "late drop"  # partly back
    assert name_shape(base | {"slope": 0.8, "volatility": 0.5}) == "rising"
    assert name_shape(base | {"volatility": 0.6}) == "up and down"
    frame = pd.DataFrame([base, base | {"level": -0.5}])
    assert name_shape(frame).tolist() == ["steady high", "steady low"]


def _silhouette_by_definition(z, labels):
    """Rousseeuw's silhouette, one point at a time (the reference for the vectorised one)."""
    out = []
    for i in range(len(z)):
        d = np.sqrt(((z - z[i]) ** 2).sum(axis=1))
        own = labels == labels[i]
        if own.sum() == 1:
            out.append(0.0)
            continue
        a = d[own].sum() / (own.sum() - 1)
        b = min(d[labels == c].mean() for c in set(labels) - {labels[i]})
        out.append((b - a) / max(a, b))
    return float(np.mean(out))


def test_silhouette_matches_its_definition():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(60, 3))
    labels = np.repeat([0, 1, 2], 20)
    z[labels == 1] += 3
    labels[0] = 2
    labels[59] = 1
    assert _silhouette(_distances(z), labels, 3) == pytest.approx(_silhouette_by_definition(z, labels))
    single = np.array([0, 1, 1, 1])  # a singleton scores 0
    pts = np.array([[0.0], [5.0], [5.5], [6.0]])
    assert _silhouette(_distances(pts), single, 2) == pytest.approx(_silhouette_by_definition(pts, single))


def _ari_by_pairs(a, b):
    """Adjusted Rand index from the pair counts (Hubert and Arabie 1985), by enumeration."""
    n = len(a)
    pairs = list(itertools.combinations(range(n), 2))
    same_a = np.array([a[i] == a[j] for i, j in pairs])
    same_b = np.array([b[i] == b[j] for i, j in pairs])
    index = (same_a & same_b).sum()
    expected = same_a.sum() * same_b.sum() / len(pairs)
    top = (same_a.sum() + same_b.sum()) / 2
    return (index - expected) / (top - expected)


def test_adjusted_rand():
    assert adjusted_rand([1, 1, 2, 2, 3], ["x", "x", "y", "y", "z"]) == 1.0
    rng = np.random.default_rng(1)
    for _ in range(5):
        a, b = rng.integers(0, 3, 25), rng.integers(0, 4, 25)
        assert adjusted_rand(a, b) == pytest.approx(_ari_by_pairs(a, b))
        assert adjusted_rand(a, b) == pytest.approx(adjusted_rand(b, a))
    # by hand: table [[2,0,0],[0,1,1],[0,0,2]]: index 1 + 1 = 2, row pairs 3, column pairs 1 + 3 = 4,
    # expected 3 * 4 / 15 = 0.8, maximum (3 + 4) / 2 = 3.5: ARI = 1.2 / 2.7
    assert adjusted_rand([0, 0, 1, 1, 2, 2], [0, 0, 1, 2, 2, 2]) == pytest.approx(1.2 / 2.7)
    big = rng.integers(0, 5, 100_000)
    assert abs(adjusted_rand(big, rng.permutation(big))) < 0.01  # chance level
    with pytest.raises(ValueError, match="same length"):
        adjusted_rand([1, 2], [1])


def _planted(sim):
    return sim.groupby("journey_id")["shape"].first().to_numpy()


def test_planted_late_drops_recovered_at_n_2000():
    """A share of late drops planted among steady journeys: ARI >= 0.9 at n = 2,000."""
    sim = jl.simulate_journeys(2000, length=8, moment_noise=0.1, shapes={"late drop": 0.3},
                               seed=2000)
    shapes = curve_shapes(sim, seed=7)
    assert len(shapes) == 2000
    ari = adjusted_rand(shapes["shape"], _planted(sim))
    assert ari >= 0.9, ari
    assert sorted(shapes["shape"].unique()) == ["late drop", "steady"]
    assert shapes.attrs["k"] == 2 and max(shapes.attrs["silhouette"], key=shapes.attrs["silhouette"].get) == 2
    drop = shapes.attrs["centres"]["late drop"]
    assert drop["trough_pos"] > 0.8 and drop["end_minus_peak"] < -0.8


def test_two_planted_shapes_recovered():
    sim = jl.simulate_journeys(2000, length=8, moment_noise=0.1,
                               shapes={"late drop": 0.3, "V recovery": 0.3}, seed=21)
    shapes = curve_shapes(sim, seed=1)
    assert shapes.attrs["k"] == 3
    assert sorted(shapes["shape"].unique()) == ["V recovery", "late drop", "steady"]
    assert adjusted_rand(shapes["shape"], _planted(sim)) >= 0.85
    # each found cluster is mostly its planted shape
    tab = pd.crosstab(_planted(sim), shapes["shape"].to_numpy())
    for name in ("late drop", "V recovery", "steady"):
        assert tab.loc[name, name] / tab.loc[name].sum() > 0.9


def test_seeded_and_order_free():
    sim = jl.simulate_journeys(300, length=8, moment_noise=0.1, shapes={"late drop": 0.3}, seed=3)
    before = sim.copy()
    a = curve_shapes(sim, seed=4)
    pd.testing.assert_frame_equal(sim, before)
    pd.testing.assert_frame_equal(a, curve_shapes(sim.sample(frac=1, random_state=1), seed=4))
    fixed = curve_shapes(sim, k=3, seed=4)
    assert fixed.attrs["k"] == 3 and fixed["cluster"].nunique() == 3
    sizes = fixed["cluster"].value_counts().sort_index()
    assert sizes.is_monotonic_decreasing  # cluster 0 is the largest
    assert len(set(fixed["shape"])) == 3  # names made unique


def test_bad_input():
    df = _journeys([[2, 1, -2, 0], [1, 1, 1]])
    with pytest.raises(ValueError, match="not possible"):
        curve_shapes(df)
    with pytest.raises(ValueError, match="`k`"):
        curve_shapes(df, k=0)
    with pytest.raises(JourneyDataError):
        curve_shapes(df.assign(score=7))


def test_shape_test_finds_a_shape_rule_and_not_a_mean_rule():
    common = {"length": 8, "moment_noise": 0.1, "shapes": {"late drop": 0.3},
              "rating_scale": "valence", "noise": 0.1, "seed": 12}
    last = shape_test(jl.simulate_journeys(1000, rule="last", **common), n_boot=400, seed=1)
    assert list(last.columns) == ["shape", "predictors", "n", "k", "r2_mean", "r2_shape", "gain",
                                  "ci_low", "ci_high", "cv", "repeats"]
    assert last["shape"].tolist() == ["features", "clusters"]
    assert (last["ci_low"] > 0.05).all(), last
    assert (last["gain"] == last["r2_shape"] - last["r2_mean"]).all()
    mean = shape_test(jl.simulate_journeys(1000, rule="mean", **common), n_boot=400, seed=1)
    assert (mean["gain"].abs() < 0.01).all() and (mean["ci_low"] < 0.005).all(), mean


def test_shape_test_gain_by_hand():
    """The gain equals (SSE_mean - SSE_shape) / SST of out-of-fold errors of plain OLS fits."""
    sim = jl.simulate_journeys(200, rule="last", length=6, moment_noise=0.1,
                               shapes={"late drop": 0.4}, rating_scale="valence", seed=5)
    res = shape_test(sim, repeats=1, n_boot=0, seed=3).set_index("shape")
    rng = np.random.default_rng(3)
    shapes = curve_shapes(sim, seed=rng)
    folds = rng.permutation(np.arange(len(shapes)) % 5)
    y = shapes["rating"].to_numpy()

    def cv_sse(cols):
        x = np.column_stack([np.ones(len(y)), shapes[cols].to_numpy()])
        pred = np.empty(len(y))
        for f in range(5):
            m = folds == f
            coef = np.linalg.lstsq(x[~m], y[~m], rcond=None)[0]
            pred[m] = x[m] @ coef
        return ((y - pred) ** 2).sum()

    sst = ((y - y.mean()) ** 2).sum()
    r2_mean = 1 - cv_sse(["level"]) / sst
    r2_feat = 1 - cv_sse(list(SHAPE_FEATURES)) / sst
    assert res.loc["features", "r2_mean"] == pytest.approx(r2_mean)
    assert res.loc["features", "r2_shape"] == pytest.approx(r2_feat)
    assert np.isnan(res.loc["features", "ci_low"])


# --- the figure -----------------------------------------------------------------------------------

def _interpolated(sim, shapes, grid):
    curves = []
    for jid in shapes["journey_id"]:
        v = jl.add_valence(sim[sim["journey_id"] == jid]).sort_values("step")["valence"].dropna()
        curves.append(np.interp(grid, np.linspace(0, 1, len(v)), v.to_numpy()))
    return np.array(curves)


def test_shape_plot_lines_are_the_cluster_means():
    import matplotlib.pyplot as plt

    sim = jl.simulate_journeys(150, length=6, moment_noise=0.1, shapes={"late drop": 0.4}, seed=8)
    shapes = curve_shapes(sim, seed=2)
    fig, ax = plt.subplots()
    out = jl.shape_plot(sim, shapes=shapes, grid=11, ax=ax)
    assert out is ax
    grid = np.linspace(0, 1, 11)
    curves = _interpolated(sim, shapes, grid)
    lines = [ln for ln in ax.get_lines() if ln.get_label() and not ln.get_label().startswith("_")]
    sizes = shapes["cluster"].value_counts()
    assert len(lines) == len(sizes)
    for line, cluster in zip(lines, sizes.index, strict=True):
        in_c = (shapes["cluster"] == cluster).to_numpy()
        np.testing.assert_allclose(line.get_xdata(), grid)
        np.testing.assert_allclose(line.get_ydata(), curves[in_c].mean(axis=0), atol=1e-12)
        name = shapes.loc[in_c, "shape"].iloc[0]
        assert line.get_label() == f"{name} (n = {in_c.sum():,})"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [ln.get_label() for ln in lines]


def test_shape_plot_band_and_errors():
    import matplotlib.pyplot as plt

    sim = jl.simulate_journeys(150, length=6, moment_noise=0.1, shapes={"late drop": 0.4}, seed=8)
    shapes = curve_shapes(sim, seed=2)
    ax = jl.shape_plot(sim, shapes=shapes, band="iqr", grid=5, ax=plt.figure().gca())
    bands = [c for c in ax.collections if c.get_gid() == "journeylib-shape-band"]
    assert len(bands) == shapes["cluster"].nunique()
    curves = _interpolated(sim, shapes, np.linspace(0, 1, 5))
    biggest = (shapes["cluster"] == shapes["cluster"].value_counts().index[0]).to_numpy()
    q25, q75 = np.percentile(curves[biggest], [25, 75], axis=0)
    ys = bands[0].get_paths()[0].vertices[:, 1]
    assert set(np.round(q25, 9)) <= set(np.round(ys, 9)) and set(np.round(q75, 9)) <= set(np.round(ys, 9))
    with pytest.raises(ValueError, match="`band`"):
        jl.shape_plot(sim, shapes=shapes, band="sd")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        other = jl.simulate_journeys(50, seed=1)
    with pytest.raises(ValueError, match="not in the data"):
        jl.shape_plot(other, shapes=shapes)
