"""Figures: artists inspected seaborn-style (faces, mouths, mean line, tick labels, bars)."""

from __future__ import annotations

import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection, PolyCollection, QuadMesh
from matplotlib.figure import Figure
from scipy import stats as sps

import journeylib as jl
from journeylib import plots
from journeylib.plots._common import _fmt
from journeylib.plots.faces import find_faces
from journeylib.plots.theme import valence_color

PAYPAL_SCORES = [-1, 2, 0, 0, -2, -1, 2, 1, 1]
PAYPAL_TOUCHPOINTS = [
    "PayPal web account", "payment receipt email", "phone call to Transavia",
    "claim rejected email", "repeated rejection email", "phone call to PayPal",
    "objection received email", "decision email", "refund notice",
]


@pytest.fixture
def paypal():
    """A PayPal-like journey: nine moments on smiley5, journey rated -1."""
    return pd.DataFrame({
        "journey_id": 1,
        "step": range(1, 10),
        "touchpoint": PAYPAL_TOUCHPOINTS,
        "score": PAYPAL_SCORES,
        "score_scale": "smiley5",
        "rating": -1,
        "rating_scale": "smiley5",
        "channel": ["web", "email", "phone", "email", "email", "phone", "email", "email", "email"],
        "actor": ["PayPal", "PayPal", "Transavia"] + ["PayPal"] * 6,
    })


@pytest.fixture
def diary():
    """A diary-like journey: stop 3 has two moments (the second is an extra face)."""
    return pd.DataFrame({
        "journey_id": "parcel",
        "step": range(1, 7),
        "stop": [1, 2, 3, 3, 4, 5],
        "touchpoint": ["web shop", "emails", "live tracking", "live tracking", "FAQ", "phone"],
        "score": [2, 1, -1, -2, 0, 1],
        "score_scale": "smiley5",
        "rating": 2,
        "rating_scale": "smiley5",
    })


def long_names(n=12):
    names = [f"touchpoint number {i} with a deliberately long descriptive name" for i in range(n)]
    return pd.DataFrame({"journey_id": 5, "step": range(1, n + 1), "touchpoint": names,
                         "score": np.arange(n) % 5 + 1, "score_scale": "likert5",
                         "rating": 7, "rating_scale": "stars10"})


def unwrap(text):
    return " ".join(text.split())


# --- emotion curve: one journey ----------------------------------------------------------------


def test_returns_the_axes_passed(paypal):
    fig, ax = plt.subplots()
    assert jl.emotion_curve(paypal, ax=ax) is ax
    # without ax: the current axes
    plt.figure()
    cur = plt.gca()
    assert jl.emotion_curve(paypal) is cur


def test_one_face_per_moment_and_one_rating_face(paypal):
    ax = jl.emotion_curve(paypal)
    moments = find_faces(ax)
    assert len(moments) == len(paypal)
    assert [f["x"] for f in moments] == list(range(len(paypal)))
    np.testing.assert_allclose([f["y"] for f in moments], np.array(PAYPAL_SCORES) / 2)
    (rating,) = find_faces(ax, kind="rating")
    assert rating["y"] == pytest.approx(-0.5)  # -1 on smiley5
    assert rating["x"] > len(paypal) - 1  # at the right edge, after the moments
    assert len(find_faces(ax, kind="tick")) == 5


def test_mouth_curvature_follows_the_score(paypal):
    faces = find_faces(plots.emotion_curve(paypal))
    sag = np.array([f["sag"] for f in faces])
    scores = np.array(PAYPAL_SCORES)
    # a smile has its middle below its ends (negative sag); a frown the reverse
    assert (sag[scores > 0] < 0).all()
    assert (sag[scores < 0] > 0).all()
    assert (sag[scores == 0] == 0).all()
    # stronger feeling, stronger curve
    by_score = {s: abs(sag[scores == s][0]) for s in (-2, -1, 1, 2)}
    assert by_score[2] > by_score[1] and by_score[-2] > by_score[-1]


def test_tick_faces_run_from_frown_to_smile(paypal):
    ticks = find_faces(plots.emotion_curve(paypal), kind="tick")
    assert [f["y"] for f in ticks] == [-1.0, -0.5, 0.0, 0.5, 1.0]
    sags = [f["sag"] for f in ticks]
    assert sags == sorted(sags, reverse=True) and sags[0] > 0 > sags[-1]


def test_face_colour_is_the_diverging_palette(paypal):
    faces = find_faces(plots.emotion_curve(paypal))
    for f, s in zip(faces, PAYPAL_SCORES, strict=True):
        np.testing.assert_allclose(f["color"], valence_color(s / 2))
    worst = faces[PAYPAL_SCORES.index(-2)]["color"]
    best = faces[PAYPAL_SCORES.index(2)]["color"]
    assert worst[0] > worst[2] and best[2] > best[0]  # red for unhappy, blue for happy


def test_mean_line_is_the_touchpoint_mean(paypal):
    ax = jl.emotion_curve(paypal)
    (line,) = [ln for ln in ax.lines if ln.get_gid() == "journeylib-mean"]
    expected = np.mean(PAYPAL_SCORES) / 2  # smiley5 -> valence is score / 2
    np.testing.assert_allclose(line.get_ydata(), [expected, expected])
    assert line.get_linestyle() == "--"
    (gap,) = [t for t in ax.texts if t.get_gid() == "journeylib-gap"]
    assert gap.get_text().endswith(f"{-0.5 - expected:+.2f}".replace("-", "\u2212"))


def test_curve_passes_through_the_moments(paypal):
    ax = jl.emotion_curve(paypal.sample(frac=1, random_state=3))  # row order must not matter
    (curve,) = [ln for ln in ax.lines if ln.get_gid() == "journeylib-curve"]
    np.testing.assert_allclose(curve.get_ydata(), np.array(PAYPAL_SCORES) / 2)


def test_tick_labels_are_the_touchpoints_in_order(paypal):
    ax = jl.emotion_curve(paypal.iloc[::-1])
    labels = [unwrap(t.get_text()) for t in ax.get_xticklabels()]
    assert labels == PAYPAL_TOUCHPOINTS


def test_long_names_are_wrapped_and_do_not_overlap():
    data = long_names(12)
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
    jl.emotion_curve(data, ax=ax)
    fig.canvas.draw()
    ticks = ax.get_xticklabels()
    assert [unwrap(t.get_text()) for t in ticks] == data["touchpoint"].tolist()
    assert all("\n" in t.get_text() for t in ticks)
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ticks]
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            assert not boxes[i].overlaps(boxes[j]), (ticks[i].get_text(), ticks[j].get_text())


def test_extra_moment_within_a_stop_is_smaller(diary):
    faces = find_faces(jl.emotion_curve(diary))
    assert len(faces) == len(diary)
    radii = np.array([f["radius"] for f in faces])
    extra = 3  # second moment of stop 3
    assert radii[extra] < 0.8 * radii[0]
    assert np.allclose(np.delete(radii, extra), radii[0])


def test_faces_stay_round_whatever_the_aspect(paypal):
    fig, ax = plt.subplots(figsize=(12, 2.5), dpi=100)
    jl.emotion_curve(paypal, ax=ax)
    ax.set_ylim(-5, 5)  # squash the data aspect further
    fig.canvas.draw()
    heads = [p for p in ax.patches if p.get_gid() == "journeylib-face"]
    for p in heads:
        box = p.get_window_extent()
        assert box.width == pytest.approx(box.height, rel=0.02)


def test_unscored_moment_is_a_face_without_mouth(paypal):
    data = paypal.astype({"score": "float64"})
    data.loc[4, "score"] = np.nan
    ax = jl.emotion_curve(data)
    faces = find_faces(ax)
    assert len(faces) == len(data)
    assert faces[4]["sag"] is None and faces[3]["sag"] is not None
    (line,) = [ln for ln in ax.lines if ln.get_gid() == "journeylib-mean"]
    kept = np.delete(PAYPAL_SCORES, 4)
    assert line.get_ydata()[0] == pytest.approx(np.mean(kept) / 2)


def test_lanes_follow_the_runs_of_actor(paypal):
    ax = jl.emotion_curve(paypal, lanes=["channel", "actor"])
    actor = [p for p in ax.patches if p.get_gid() == "journeylib-lane-actor"]
    channel = [p for p in ax.patches if p.get_gid() == "journeylib-lane-channel"]
    assert len(actor) == 3  # PayPal, Transavia, PayPal
    assert len(channel) == 6  # web, email, phone, email x2, phone, email x3
    widths = sorted(round(p.get_width(), 2) for p in actor)
    assert widths == [0.92, 1.92, 5.92]  # runs of 1, 2 and 6 moments
    texts = {t.get_text() for t in ax.texts}
    assert {"PayPal", "Transavia", "web", "email", "phone"} <= texts


def test_caller_frame_is_not_modified(paypal, diary):
    before = paypal.copy()
    jl.emotion_curve(paypal, lanes="actor")
    jl.journey_card(paypal, 1)
    pd.testing.assert_frame_equal(paypal, before)


def test_unknown_journey_names_the_nearest_ids(paypal, diary):
    data = pd.concat([paypal.assign(journey_id=j) for j in (3, 17, 18, 40)])
    with pytest.raises(ValueError, match=r"Journey 16 is not in the data.*17, 18, 3"):
        jl.emotion_curve(data, journey=16)
    named = pd.concat([paypal.assign(journey_id=j) for j in ("paypal-claim", "bike-order")])
    with pytest.raises(ValueError, match=r"'paypal-clam'.*Nearest journey ids: 'paypal-claim'"):
        jl.journey_card(named, "paypal-clam")


def test_bad_options_list_the_valid_ones(paypal):
    with pytest.raises(ValueError, match=r"`by` must be one of \('step', 'touchpoint'\)"):
        jl.emotion_curve(pd.concat([paypal, paypal.assign(journey_id=2)]), by="channel")
    with pytest.raises(ValueError, match="needs the column"):
        jl.emotion_curve(paypal.drop(columns="score"))


def test_seed_cases_render():
    data = jl.load_seed_cases()
    for journey in data["journey_id"].unique():
        fig, ax = plt.subplots()
        jl.emotion_curve(data, journey=journey, lanes="actor", ax=ax)
        n = int((data["journey_id"] == journey).sum())
        assert len(find_faces(ax)) == n
        plt.close(fig)


# --- emotion curve: many journeys ----------------------------------------------------------------


def _many(n=400, seed=7):
    rng = np.random.default_rng(seed)
    steps = 5
    scores = rng.integers(-2, 3, size=(n, steps))
    rating = rng.integers(-2, 3, size=n)
    return pd.DataFrame({
        "journey_id": np.repeat(np.arange(n), steps),
        "step": np.tile(np.arange(1, steps + 1), n),
        "touchpoint": np.tile(["e", "d", "c", "b", "a"], n),
        "score": scores.ravel(), "score_scale": "smiley5",
        "rating": np.repeat(rating, steps), "rating_scale": "smiley5",
    }), scores / 2, rating / 2


def test_mean_curve_with_confidence_band():
    data, v, r = _many()
    ax = jl.emotion_curve(data, confidence=0.9)
    (curve,) = [ln for ln in ax.lines if ln.get_gid() == "journeylib-curve"]
    np.testing.assert_allclose(curve.get_ydata(), v.mean(axis=0))
    (band,) = [c for c in ax.collections if c.get_gid() == "journeylib-band"]
    low, high = sps.t.interval(0.9, len(v) - 1, loc=v.mean(axis=0), scale=sps.sem(v, axis=0))
    ys = band.get_paths()[0].vertices[:, 1]
    np.testing.assert_allclose(np.sort(ys)[[0, -1]], [low.min(), high.max()])
    (mean,) = [ln for ln in ax.lines if ln.get_gid() == "journeylib-mean"]
    assert mean.get_ydata()[0] == pytest.approx(v.mean())
    (rating,) = find_faces(ax, kind="rating")
    assert rating["y"] == pytest.approx(r.mean())
    (ci,) = [ln for ln in ax.lines if ln.get_gid() == "journeylib-rating-ci"]
    np.testing.assert_allclose(ci.get_ydata(), sps.t.interval(0.9, len(r) - 1, loc=r.mean(),
                                                              scale=sps.sem(r)))


def test_mean_curve_of_two_journeys_keeps_its_intervals_on_the_valence_scale():
    """Two journeys: t intervals with one degree of freedom reach beyond -1..+1, where no mean of
    valence can be; the band and the rating's interval are cut at the scale's ends."""
    data, v, r = _many()
    two = data[data["journey_id"] < 2]
    v, r = v[:2], r[:2]
    ax = jl.emotion_curve(two)
    low, high = sps.t.interval(0.95, 1, loc=v.mean(axis=0), scale=sps.sem(v, axis=0))
    (band,) = [c for c in ax.collections if c.get_gid() == "journeylib-band"]
    ys = band.get_paths()[0].vertices[:, 1]
    assert ys.min() >= -1.0 and ys.max() <= 1.0
    np.testing.assert_allclose(np.sort(ys)[[0, -1]], [max(np.nanmin(low), -1.0), min(np.nanmax(high), 1.0)])
    (ci,) = [ln for ln in ax.lines if ln.get_gid() == "journeylib-rating-ci"]
    lo_r, hi_r = sps.t.interval(0.95, 1, loc=r.mean(), scale=sps.sem(r))  # ratings +0.5 and +1
    assert lo_r < -1.0 and hi_r > 1.0
    np.testing.assert_allclose(ci.get_ydata(), [-1.0, 1.0])


def test_mean_curve_by_touchpoint_keeps_journey_order():
    data, v, _ = _many()
    ax = jl.emotion_curve(data, by="touchpoint")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["e", "d", "c", "b", "a"]
    (curve,) = [ln for ln in ax.lines if ln.get_gid() == "journeylib-curve"]
    np.testing.assert_allclose(curve.get_ydata(), v.mean(axis=0))


# --- gap charts --------------------------------------------------------------------------------------


def _summary(n, seed=0, discrete=False):
    rng = np.random.default_rng(seed)
    mean = np.clip(rng.normal(0.2, 0.35, n), -1, 1)
    rating = np.clip(mean - 0.2 + rng.normal(0, 0.3, n), -1, 1)
    if discrete:
        rating = np.round(rating * 2) / 2
    return pd.DataFrame({"journey_id": np.arange(n), "mean": mean, "rating": rating,
                         "peak_end": np.clip(mean + 0.1, -1, 1)})


def test_gap_scatter_points_and_annotation():
    s = _summary(300)
    fig, ax = plt.subplots()
    assert jl.gap_scatter(s, ax=ax) is ax
    (points,) = ax.collections
    np.testing.assert_allclose(points.get_offsets(), s[["mean", "rating"]].to_numpy())
    (identity,) = [ln for ln in ax.lines if ln.get_gid() == "journeylib-identity"]
    np.testing.assert_allclose(identity.get_xdata(), identity.get_ydata())
    (text,) = [t for t in ax.texts if t.get_gid() == "journeylib-stats"]
    r = sps.pearsonr(s["mean"], s["rating"])[0]
    gap = s["rating"] - s["mean"]
    low, high = sps.t.interval(0.95, len(gap) - 1, loc=gap.mean(), scale=sps.sem(gap))
    body = text.get_text().replace("\u2212", "-")
    assert f"r = {r:+.2f}" in body
    assert f"mean gap {gap.mean():+.2f}" in body
    assert f"[{low:+.2f}, {high:+.2f}]" in body and "n = 300" in body
    shaded = {p.get_gid(): p for p in ax.patches}
    paypal = shaded["journeylib-paypal"]
    assert paypal.get_x() == 0 and paypal.get_y() < 0 < paypal.get_x() + paypal.get_width()
    recovered = shaded["journeylib-recovered"]
    assert recovered.get_x() < 0 and recovered.get_y() == 0


def test_gap_scatter_from_tidy_data(paypal, diary):
    data = pd.concat([paypal, diary.assign(journey_id=2).drop(columns="stop")])
    ax = jl.gap_scatter(data)
    (points,) = ax.collections
    means = [np.mean(PAYPAL_SCORES) / 2, diary["score"].mean() / 2]
    np.testing.assert_allclose(points.get_offsets(), np.column_stack([means, [-0.5, 1.0]]))


def test_gap_scatter_density_for_many_journeys():
    ax = jl.gap_scatter(_summary(20_000), hexbin_above=5000)
    assert any(isinstance(c, PolyCollection) for c in ax.collections)  # hexbin
    assert not any(c.get_offsets().shape[0] == 20_000 for c in ax.collections)
    plt.figure()
    # a five-level rating: cells aligned with the levels, so every row is centred on a level
    ax = jl.gap_scatter(_summary(20_000, discrete=True))
    (mesh,) = [c for c in ax.collections if isinstance(c, QuadMesh)]
    ey = mesh.get_coordinates()[:, 0, 1]
    centres = (ey[0::2] + ey[1::2]) / 2
    np.testing.assert_allclose(centres, np.unique(np.round(_summary(20_000, discrete=True)
                                                           ["rating"], 9)))
    counts = mesh.get_array()
    assert int(counts.sum()) == 20_000


def test_gap_scatter_a_million_journeys_in_seconds():
    s = _summary(1_000_000, seed=1, discrete=True)
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
    start = time.perf_counter()
    jl.gap_scatter(s, ax=ax)
    fig.canvas.draw()
    assert time.perf_counter() - start < 10


def test_gap_hist_mean_and_interval():
    s = _summary(500)
    ax = jl.gap_hist(s, rule="peak_end", confidence=0.9)
    gap = s["rating"] - s["peak_end"]
    (mean,) = [ln for ln in ax.lines if ln.get_gid() == "journeylib-gap-mean"]
    assert mean.get_xdata()[0] == pytest.approx(gap.mean())
    (span,) = [p for p in ax.patches if p.get_gid() == "journeylib-gap-ci"]
    low, high = sps.t.interval(0.9, len(gap) - 1, loc=gap.mean(), scale=sps.sem(gap))
    assert (span.get_x(), span.get_x() + span.get_width()) == pytest.approx((low, high))
    bars = [p for p in ax.patches if p.get_gid() is None]
    assert sum(p.get_height() for p in bars) == len(s)
    (box,) = [t for t in ax.texts if t.get_gid() == "journeylib-stats"]
    assert f"90% t interval\n[{_fmt(low)}, {_fmt(high)}]" in box.get_text()


def test_gap_hist_draws_and_names_a_given_interval():
    s = _summary(500)
    fig, ax = plt.subplots()
    jl.gap_hist(s, ci=(-0.3, -0.1), ci_label="95% bootstrap CI", ax=ax)
    (span,) = [p for p in ax.patches if p.get_gid() == "journeylib-gap-ci"]
    assert (span.get_x(), span.get_x() + span.get_width()) == pytest.approx((-0.3, -0.1))
    (box,) = [t for t in ax.texts if t.get_gid() == "journeylib-stats"]
    assert "95% bootstrap CI\n[\u22120.30, \u22120.10]" in box.get_text()
    assert "t interval" not in box.get_text()
    fig, ax = plt.subplots()
    jl.gap_hist(s, ci=(0.1, 0.2), ax=ax)
    assert "given interval\n[+0.10, +0.20]" in ax.texts[-1].get_text()
    with pytest.raises(ValueError, match="low <= high"):
        jl.gap_hist(s, ci=(0.2, 0.1), ax=ax)
    with pytest.raises(ValueError, match="pair"):
        jl.gap_hist(s, ci=0.2, ax=ax)


def test_gap_hist_of_two_journeys_draws_its_interval_within_the_possible_gaps():
    """Two journeys: the t interval (1 degree of freedom) reaches far beyond -2..+2, where no gap can
    be; the band stops at the bounds and the axis stays on the scale, the box gives the numbers."""
    s = pd.DataFrame({"mean": [0.5, 0.0], "rating": [0.0, 0.0]})
    fig, ax = plt.subplots()
    jl.gap_hist(s, ax=ax)
    low, high = sps.t.interval(0.95, 1, loc=-0.25, scale=sps.sem([-0.5, 0.0]))
    assert low < -2 and high > 2
    (span,) = [p for p in ax.patches if p.get_gid() == "journeylib-gap-ci"]
    assert (span.get_x(), span.get_x() + span.get_width()) == pytest.approx((-2.0, 2.0))
    assert ax.get_xlim()[0] >= -2.2 and ax.get_xlim()[1] <= 2.2
    (box,) = [t for t in ax.texts if t.get_gid() == "journeylib-stats"]
    assert f"[{_fmt(low)}, {_fmt(high)}]" in box.get_text()


def test_gap_hist_lattice_bins_have_no_holes():
    # gaps on a 1/4 lattice: every bin is centred on a lattice point, none empty inside
    s = pd.DataFrame({"mean": np.repeat([0.0, 0.25, 0.5], [5, 9, 3]), "rating": 0.0})
    ax = jl.gap_hist(s)
    heights = [p.get_height() for p in ax.patches if p.get_gid() is None]
    assert heights == [3, 9, 5]


def test_gap_hist_bins_stay_readable_off_the_lattice():
    # means of 2..15 answers against a 10-point rating: a fine, irregular lattice that once
    # produced hair-thin bars; at most 50 bins, none narrower than 1/50 of the range
    s = jl.journey_summary(jl.simulate_journeys(300, seed=2, score_scale="likert5",
                                                rating_scale="stars10"))
    ax = jl.gap_hist(s)
    bars = [p for p in ax.patches if p.get_gid() is None]
    gap = s["rating"] - s["mean"]
    assert len(bars) <= 50
    assert min(p.get_width() for p in bars) >= (gap.max() - gap.min()) / 50 - 1e-9
    assert sum(p.get_height() for p in bars) == len(s)


def test_unknown_rule_lists_the_valid_ones():
    s = jl.journey_summary(simulate_small())
    with pytest.raises(ValueError, match=r"`rule` must be one of \(.*'mean'.*'peak_end'.*\).*'avg'"):
        jl.gap_hist(s, rule="avg")
    with pytest.raises(ValueError, match=r"`x` must be one of .*'peak_end'"):
        jl.gap_scatter(s, x="peakend")


def simulate_small():
    return jl.simulate_journeys(200, seed=5)


# --- rules, drivers, NPS -----------------------------------------------------------------------------


def test_rule_plot_forest():
    res = pd.DataFrame({"rule": ["peak_end", "last", "mean"], "score_name": "auc",
                        "score": [0.81, 0.74, 0.70], "ci_low": [0.77, 0.70, 0.65],
                        "ci_high": [0.85, 0.78, 0.75]})
    fig, ax = plt.subplots()
    assert jl.rule_plot(res, ax=ax) is ax
    ticks = {t.get_text(): y for t, y in zip(ax.get_yticklabels(), ax.get_yticks(), strict=True)}
    assert ticks["peak_end"] > ticks["last"] > ticks["mean"]  # best on top
    (segments,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    spans = sorted((s[:, 0].min(), s[:, 0].max()) for s in segments.get_segments())
    assert spans == sorted(zip(res["ci_low"], res["ci_high"], strict=True))
    markers = {float(ln.get_ydata()[0]): float(ln.get_xdata()[0]) for ln in ax.lines
               if ln.get_marker() == "o"}
    assert markers == {ticks[r]: s for r, s in zip(res["rule"], res["score"], strict=True)}
    assert ax.get_xlabel() == "AUC of the rule's ranking"
    assert any(ln.get_xdata()[0] == 0.5 for ln in ax.lines if ln.get_linestyle() == ":")


def test_driver_plot_labels_do_not_overlap():
    names = [f"touchpoint {c}" for c in "abcdefghij"]
    res = pd.DataFrame({"touchpoint": names,
                        "importance": [0.30, 0.31, 0.305, 0.29, 0.5, 0.1, 0.315, 0.3, 0.2, 0.45],
                        "performance": [0.1, 0.11, 0.105, 0.1, -0.3, 0.6, 0.1, 0.12, 0.4, -0.2]})
    res["ci_low"] = res["importance"] - 0.05
    res["ci_high"] = res["importance"] + 0.05
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
    assert jl.driver_plot(res, ax=ax) is ax
    fig.canvas.draw()
    labels = [t for t in ax.texts if t.get_gid() == "journeylib-label"]
    assert [t.get_text() for t in labels] == names
    for t, (x, y) in zip(labels, res[["performance", "importance"]].to_numpy(), strict=True):
        assert t.xy == (x, y)
    boxes = [t.get_window_extent() for t in labels]
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            assert not boxes[i].overlaps(boxes[j]), (names[i], names[j])
    quadrants = {t.get_text() for t in ax.texts if t.get_gid() == "journeylib-quadrant"}
    assert quadrants == {"concentrate here", "keep up the good work", "low priority",
                         "possible overkill"}


def test_nps_plot_bars_and_margin():
    # the style guide's reference: n=100, 50% promoters, 1/6 detractors -> NPS 33.3 +- 14.6
    p, d, n = 0.5, 1 / 6, 100
    nps = 100 * (p - d)
    se = 100 * np.sqrt((p + d - (p - d) ** 2) / n)
    margin = 1.959964 * se
    res = pd.DataFrame({"nps": [nps], "ci_low": [nps - margin], "ci_high": [nps + margin],
                        "n": [n], "share_detractors": [d], "share_passives": [1 - p - d],
                        "share_promoters": [p]})
    fig, ax = plt.subplots()
    assert jl.nps_plot(res, ax=ax) is ax
    widths = [p.get_width() for p in ax.patches]
    np.testing.assert_allclose(widths, [100 * d, 100 * (1 - p - d), 100 * p])
    lefts = [p.get_x() for p in ax.patches]
    np.testing.assert_allclose(lefts, [0, 100 * d, 100 * (1 - p)])
    (label,) = [t for t in ax.texts if t.get_gid() == "journeylib-nps"]
    # 33.3 - 14.6 = 18.7 and 33.3 + 14.6 = 47.9: the bounds as they are, rounded
    assert label.get_text().startswith("NPS +33 (+19 to +48)")
    # the same result with NPS as a fraction (-1..1) and shares in percent
    plt.figure()
    frac = res.assign(nps=res["nps"] / 100, ci_low=res["ci_low"] / 100,
                      ci_high=res["ci_high"] / 100, share_detractors=100 * d,
                      share_passives=100 * (1 - p - d), share_promoters=100 * p)
    ax = jl.nps_plot(frac)
    (label,) = [t for t in ax.texts if t.get_gid() == "journeylib-nps"]
    assert label.get_text().startswith("NPS +33 (+19 to +48)")
    # an asymmetric interval is shown as it is, not as a symmetric margin
    plt.figure()
    ax = jl.nps_plot(res.assign(nps=100.0, ci_low=69.683, ci_high=100.0, share_detractors=0.0,
                                share_passives=0.0, share_promoters=1.0))
    (label,) = [t for t in ax.texts if t.get_gid() == "journeylib-nps"]
    assert label.get_text().startswith("NPS +100 (+70 to +100)")


# --- card and theme -----------------------------------------------------------------------------------


def test_journey_card_draws_into_a_given_figure(paypal):
    outer = plt.figure(figsize=(16, 4.6))
    left, right = outer.subfigures(1, 2)
    n_figures = len(plt.get_fignums())
    assert jl.journey_card(paypal, 1, fig=right) is right
    assert len(plt.get_fignums()) == n_figures  # no figure of its own
    assert len(right.axes) == 2 and not left.axes
    assert len(find_faces(right.axes[0])) == len(paypal)


def test_journey_card_is_a_figure_with_the_numbers(paypal):
    fig = jl.journey_card(paypal, 1, lanes="actor")
    assert isinstance(fig, Figure)
    curve_ax, table_ax = fig.axes
    assert len(find_faces(curve_ax)) == len(paypal)
    cells = {t.get_text() for t in table_ax.tables[0].get_celld().values()
             for t in [t.get_text()]}
    mean = np.mean(PAYPAL_SCORES) / 2
    fmt = _fmt
    assert {fmt(mean), fmt(-0.5), fmt(-0.5 - mean)} <= cells
    peak_end = jl.journey_summary(paypal)["peak_end"].iloc[0]
    assert fmt(peak_end) in cells


def test_set_theme_uses_a_bundled_font():
    jl.set_theme()
    assert plt.rcParams["font.family"][0] == "DejaVu Sans"
    assert plt.rcParams["axes.spines.right"] is False


# --- colour-blind safety ---------------------------------------------------------------------------

# Machado, Oliveira and Fernandes (2009) simulation matrices, severity 1, on linear RGB.
CVD = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                   [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                   [0.004733, 0.691367, 0.303900]],
}


def _lab_distances(colors, matrix):
    """CIE76 distances between colours as seen through a CVD simulation matrix."""
    c = np.asarray(colors, dtype=float)[:, :3]
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    linear = np.clip(linear @ np.asarray(matrix).T, 0, 1)
    xyz = linear @ np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                             [0.0193, 0.1192, 0.9505]]).T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    lab = np.column_stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]),
                           200 * (f[:, 1] - f[:, 2])])
    return np.linalg.norm(lab[:, None] - lab[None], axis=-1)


def _cvd_safe(colors):
    upper = np.triu_indices(len(colors), 1)
    return all(_lab_distances(colors, m)[upper].min() > 20
               and _lab_distances(colors, m)[0, -1] > 50 for m in CVD.values())


def test_face_palette_is_colour_blind_safe():
    levels = [-1, -0.5, 0, 0.5, 1]
    assert _cvd_safe([valence_color(v) for v in levels])
    # the check has teeth: a red-green palette fails it (its ends merge for deuteranopes)
    import matplotlib as mpl

    assert not _cvd_safe([mpl.colormaps["RdYlGn"]((v + 1) / 2) for v in levels])


def test_unordered_items_are_points_without_a_line():
    """Survey items have no journey order: no line may join them (issue 13)."""
    import journeylib as jl

    df = pd.DataFrame({"journey_id": [1, 1, 1, 2, 2, 2], "step": [1, 2, 3] * 2,
                       "touchpoint": ["seat", "staff", "food"] * 2, "score": [5, 2, 4, 3, 3, 1],
                       "score_scale": "likert5", "rating": [7] * 3 + [4] * 3,
                       "rating_scale": "stars10", "ordered": False})
    for kw in ({"journey": 1}, {"by": "touchpoint"}):
        _, ax = plt.subplots()
        jl.emotion_curve(df, ax=ax, **kw)
        (curve,) = [ln for ln in ax.lines if ln.get_gid() == "journeylib-curve"]
        assert curve.get_linestyle() == "None"
        plt.close(ax.figure)
    _, ax = plt.subplots()
    jl.emotion_curve(df.assign(ordered=True), journey=1, ax=ax)
    (curve,) = [ln for ln in ax.lines if ln.get_gid() == "journeylib-curve"]
    assert curve.get_linestyle() == "-"


# --- charts on real data (issue 14, item 5): counts on shared points, texts that cover no data -------


def _marker_boxes(ax, collection):
    """Display-coordinate boxes (x0, y0, x1, y1) of a scatter's markers, from their areas in points**2."""
    centres = ax.transData.transform(collection.get_offsets())
    sizes = np.broadcast_to(collection.get_sizes(), (len(centres),))
    r = np.sqrt(sizes) / 2 * ax.figure.dpi / 72
    return np.column_stack([centres[:, 0] - r, centres[:, 1] - r, centres[:, 0] + r, centres[:, 1] + r])


def _covered(box, boxes):
    """Which of `boxes` the display box `box` overlaps."""
    return (boxes[:, 0] < box.x1) & (box.x0 < boxes[:, 2]) & (boxes[:, 1] < box.y1) & (box.y0 < boxes[:, 3])


def _text_boxes(ax, gids):
    """Display boxes of the texts with these gids, their round box included where they have one."""
    renderer = ax.figure.canvas.get_renderer()
    out = {}
    for t in ax.texts:
        if t.get_gid() in gids:
            patch = t.get_bbox_patch()
            out[t.get_gid()] = patch.get_window_extent(renderer) if patch is not None else t.get_window_extent(renderer)
    return out


def _example_summary(repo_root):
    survey = pd.read_csv(repo_root / "data" / "example_survey.csv")
    with pytest.warns(UserWarning, match="coded as missing"):
        data = jl.from_wide(survey, id="respondent", rating="overall", score_scale="likert5",
                            rating_scale="stars10",
                            touchpoints=["find", "order", "confirmation", "tracking", "phone", "delivery"],
                            missing=[0], recommend="recommend")
    return jl.journey_summary(data)


def _skytrax_summary(data_mirror, monkeypatch):
    import warnings

    monkeypatch.setenv("JOURNEYLIB_DATA_MIRROR", str(data_mirror))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return jl.journey_summary(jl.fetch_skytrax("airline"))


def test_gap_scatter_marker_sizes_count_the_journeys():
    # 230 identical all-5 reviews (valence +1, +1), 20 at (0.5, 0.5), 7 single journeys elsewhere
    x = np.r_[np.ones(230), np.full(20, 0.5), [-1, -0.5, 0, 0.25, -0.25, 0.75, -0.75]]
    y = np.r_[np.ones(230), np.full(20, 0.5), [0.5, -1, 1, -0.5, 0, 0.25, -0.75]]
    s = pd.DataFrame({"journey_id": np.arange(x.size), "mean": x, "rating": y})
    fig, ax = plt.subplots()
    jl.gap_scatter(s, ax=ax)
    (points,) = [c for c in ax.collections if c.get_gid() == "journeylib-points"]
    offsets = points.get_offsets()
    counts = {(float(a), float(b)): int(((x == a) & (y == b)).sum()) for a, b in offsets}
    assert len(offsets) == 9 and counts[(1.0, 1.0)] == 230 and counts[(0.5, 0.5)] == 20
    sizes = points.get_sizes()
    expected = np.array([counts[(float(a), float(b))] for a, b in offsets])
    np.testing.assert_array_equal(points.journeylib_counts, expected)
    np.testing.assert_allclose(sizes / points.journeylib_unit, expected)  # area proportional to journeys
    key = ax.get_legend()
    assert key.get_gid() == "journeylib-size-key" and key.get_title().get_text() == "journeys"
    assert [t.get_text() for t in key.get_texts()] == ["1", "10", "100", "230"]
    sizes_in_key = [h.get_markersize() ** 2 / points.journeylib_unit for h in key.legend_handles]
    np.testing.assert_allclose(sizes_in_key, [1, 10, 100, 230])


@pytest.mark.parametrize("which", ["example", "skytrax"])
def test_gap_charts_texts_cover_no_data(which, repo_root, request, monkeypatch):
    if which == "example":
        s = _example_summary(repo_root)
    else:
        s = _skytrax_summary(request.getfixturevalue("data_mirror"), monkeypatch)
    jl.set_theme()
    fig, (ax, ax_hist) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")  # as notebook 07 draws them
    jl.gap_scatter(s, ax=ax)
    jl.gap_hist(s, ax=ax_hist)
    fig.canvas.draw()
    (points,) = [c for c in ax.collections if c.get_gid() == "journeylib-points"]
    markers = _marker_boxes(ax, points)
    texts = _text_boxes(ax, {"journeylib-stats", "journeylib-paypal-label", "journeylib-recovered-label",
                             "journeylib-identity-label"})
    assert {"journeylib-stats", "journeylib-paypal-label", "journeylib-recovered-label"} <= set(texts)
    for gid, box in texts.items():
        assert not _covered(box, markers).any(), (which, gid)
    key = ax.get_legend()
    assert key is not None and not _covered(key.get_window_extent(), markers).any()
    for a, b in [(a, b) for a in texts for b in texts if a < b]:
        assert not texts[a].overlaps(texts[b]), (a, b)
    # the histogram's box covers no bar
    bars = [p for p in ax_hist.patches if p.get_gid() is None and p.get_height() > 0]
    bar_boxes = np.array([list(p.get_window_extent().extents) for p in bars])
    (box,) = _text_boxes(ax_hist, {"journeylib-stats"}).values()
    assert not _covered(box, bar_boxes).any()


def test_gap_scatter_texts_leave_a_crowded_axes():
    # journeys everywhere: no free corner, so the box and the labels go outside, on the right
    g = np.linspace(-1, 1, 21)
    xx, yy = np.meshgrid(g, g)
    s = pd.DataFrame({"mean": xx.ravel(), "rating": yy.ravel()})
    fig, ax = plt.subplots(figsize=(5, 5))
    jl.gap_scatter(s, ax=ax)
    fig.canvas.draw()
    axes_box = ax.get_window_extent()
    for gid, box in _text_boxes(ax, {"journeylib-stats", "journeylib-paypal-label",
                                     "journeylib-recovered-label"}).items():
        assert box.x0 > axes_box.x1, gid
    assert not [t for t in ax.texts if t.get_gid() == "journeylib-identity-label"]


def test_driver_plot_with_fourteen_items_hides_nothing():
    rng = np.random.default_rng(4)
    names = ["wifi", "departure time", "booking", "gate location", "food and drink", "online boarding",
             "seat comfort", "entertainment", "on-board service", "leg room", "baggage handling",
             "check-in service", "inflight service", "cleanliness"]
    importance = np.r_[rng.uniform(0.02, 0.05, 11), [0.15, 0.13, 0.14]]
    res = pd.DataFrame({"touchpoint": names, "importance": importance,
                        "performance": rng.uniform(-0.01, 0.04, 14)})
    res["ci_low"], res["ci_high"] = res["importance"] - 0.012, res["importance"] + 0.012
    fig, ax = plt.subplots(layout="constrained")
    jl.driver_plot(res, ax=ax)
    fig.canvas.draw()
    (points,) = ax.collections[-1:]
    markers = _marker_boxes(ax, points)
    (ci,) = [c for c in ax.collections if c.get_gid() == "journeylib-ci"]
    segments = np.array([[*ax.transData.transform(seg[0]), *ax.transData.transform(seg[1])]
                         for seg in ci.get_segments()])
    lines = np.column_stack([segments[:, 0] - 1, np.minimum(segments[:, 1], segments[:, 3]),
                             segments[:, 0] + 1, np.maximum(segments[:, 1], segments[:, 3])])
    labels = [t for t in ax.texts if t.get_gid() == "journeylib-label"]
    quadrants = [t for t in ax.texts if t.get_gid() == "journeylib-quadrant"]
    assert [t.get_text() for t in labels] == names and len(quadrants) == 4
    boxes = [t.get_window_extent() for t in labels + quadrants]
    axes_box = ax.get_window_extent()
    for t, box in zip(labels + quadrants, boxes, strict=True):
        assert not _covered(box, markers).any(), t.get_text()
        assert not _covered(box, lines).any(), t.get_text()
        assert axes_box.x0 <= box.x0 and box.x1 <= axes_box.x1 and axes_box.y0 <= box.y0 and box.y1 <= axes_box.y1
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            assert not boxes[i].overlaps(boxes[j]), ((labels + quadrants)[i].get_text(),
                                                     (labels + quadrants)[j].get_text())


def test_gap_and_driver_charts_on_a_figure_without_pyplot():
    # a bare Figure (as widgets make them) has a canvas without a renderer of its own
    fig = Figure()
    ax = fig.add_subplot()
    jl.gap_scatter(pd.DataFrame({"mean": [0.5, 0.5, -0.5], "rating": [1.0, 1.0, -0.5]}), ax=ax)
    assert [t for t in ax.texts if t.get_gid() == "journeylib-stats"]
    fig = Figure()
    res = pd.DataFrame({"touchpoint": ["web", "mail"], "importance": [0.3, 0.1], "performance": [0.2, -0.1]})
    ax = jl.driver_plot(res, ax=fig.add_subplot())
    assert len([t for t in ax.texts if t.get_gid() == "journeylib-label"]) == 2
