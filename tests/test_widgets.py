"""The student lab: builder numbers and figure, widget callbacks (driven directly), exercise checks."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import journeylib as jl
from journeylib import widgets
from journeylib.plots.faces import find_faces
from journeylib.widgets import JourneyBuilder, check_answer, o_ring, rule_value

smileys = st.lists(st.integers(-2, 2), min_size=6, max_size=8)


def _summary_of(builder):
    """The same journey through metrics.journey_summary: the independent reference."""
    return jl.journey_summary(builder.frame()).iloc[0]


@settings(max_examples=40, deadline=None)
@given(smileys)
def test_builder_numbers_agree_with_journey_summary(scores):
    b = JourneyBuilder(scores)
    nums = b.numbers().iloc[0]
    ref = _summary_of(b)
    for rule in ("mean", "peak_end", "min", "last"):
        assert nums[rule] == pytest.approx(ref[rule]), rule


@settings(max_examples=40, deadline=None)
@given(smileys, st.sampled_from(sorted(widgets.BUILDER_RULES)))
def test_predicted_rating_is_the_rule_and_stays_on_the_scale(scores, rule):
    b = JourneyBuilder(scores, rule=rule)
    nums = b.numbers().iloc[0]
    v = (np.array(scores) + 2) / 2 - 1  # smiley5 -> valence by hand
    expected = {"mean": v.mean(), "min": v.min(), "last": v[-1], "first": v[0]}.get(rule)
    if expected is not None:
        assert nums["predicted"] == pytest.approx(expected)
    assert -1 <= nums["predicted"] <= 1
    assert nums["predicted_score"] == pytest.approx(2 * nums["predicted"])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(-2, 2)), min_size=1, max_size=8).filter(
    lambda xs: any(x is not None for x in xs)))
def test_rule_value_equals_journey_summary_for_every_rule(scores):
    # unrated moments (None -> NaN) included; every builder rule, "first" too
    score = np.array([np.nan if x is None else x for x in scores], dtype="float64")
    n = len(score)
    frame = pd.DataFrame({"journey_id": np.ones(n, dtype="int64"), "step": np.arange(1, n + 1),
                          "touchpoint": [f"t{i}" for i in range(n)], "score": score,
                          "score_scale": "smiley5", "rating": 0.0, "rating_scale": "smiley5"})
    ref = jl.journey_summary(frame).iloc[0]
    v = score / 2  # smiley5 -> valence by hand
    for rule in widgets.BUILDER_RULES:
        assert rule_value(v, rule) == pytest.approx(ref[rule]), rule


def test_peak_end_by_hand():
    # peak is the most extreme moment (-2 beats +1), the end is +1: (-1 + 0.5) / 2
    assert rule_value([0.5, -1.0, 0.0, 0.5], "peak_end") == -0.25
    # a tie between +1 and -1 goes to the later one
    assert rule_value([1.0, -1.0, 0.0], "peak_end") == -0.5
    assert rule_value([-1.0, 1.0, 0.0], "peak_end") == 0.5
    assert np.isnan(rule_value([np.nan, np.nan], "mean"))


def test_bad_inputs_say_what_was_expected():
    with pytest.raises(ValueError, match=r"`rule` must be one of .*'avg' was passed"):
        JourneyBuilder([0] * 6, rule="avg")
    with pytest.raises(ValueError, match="whole number from -2 to 2, but 3 was passed at position 1"):
        JourneyBuilder([0, 3, 0, 0, 0, 0])
    with pytest.raises(ValueError, match="6 scores but 2 touchpoints"):
        JourneyBuilder([0] * 6, touchpoints=["a", "b"])
    with pytest.raises(ValueError, match="`position` must be from 0 to 5"):
        JourneyBuilder([0] * 6).set_score(6, 1)


def test_frame_is_valid_tidy_data_and_does_not_share_state():
    b = JourneyBuilder()
    tidy = jl.validate(b.frame())
    assert tidy["touchpoint"].tolist() == list(widgets.DEFAULT_TOUCHPOINTS)
    assert tidy["score"].tolist() == list(map(float, widgets.DEFAULT_SCORES))
    before = b.scores.copy()
    frame = b.frame()
    frame.loc[0, "score"] = -2.0
    assert b.scores.tolist() == before.tolist()


def _line(ax, gid):
    (line,) = [a for a in ax.lines if a.get_gid() == gid]
    return line


def test_plot_draws_the_state_as_an_emotion_curve_on_the_given_axes():
    b = JourneyBuilder([2, 1, -2, 1, 1, 0], touchpoints=list("abcdef"))
    fig, ax = plt.subplots()
    assert b.plot(ax=ax) is ax
    curve = _line(ax, "journeylib-curve")  # emotion_curve's line through the moments
    assert curve.get_ydata().tolist() == [1.0, 0.5, -1.0, 0.5, 0.5, 0.0]
    assert _line(ax, "journeylib-mean").get_ydata().tolist() == pytest.approx([0.25, 0.25])
    assert _line(ax, "journeylib-peak-end").get_ydata().tolist() == pytest.approx([-0.5, -0.5])
    assert _line(ax, "journeylib-rating").get_ydata().tolist() == pytest.approx([-0.5])  # predicted
    assert [t.get_text() for t in ax.get_xticklabels()] == [*"abcdef"]
    assert b.artists == {"curve": curve, "mean": _line(ax, "journeylib-mean"),
                         "peak_end": _line(ax, "journeylib-peak-end"),
                         "rating": _line(ax, "journeylib-rating")}
    # the faces: one per moment, smiling where happy; the rating face at the predicted value
    moments = find_faces(ax)
    assert [f["y"] for f in moments] == [1.0, 0.5, -1.0, 0.5, 0.5, 0.0]
    assert [f["sag"] < 0 for f in moments[:2]] == [True, True] and moments[2]["sag"] > 0
    (rating,) = find_faces(ax, kind="rating")
    assert rating["y"] == pytest.approx(-0.5)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    # the figure speaks the builder's scale (smiley, -2..+2), as its table and title do: valence x 2
    assert legend == ["touchpoint mean +0.50", "peak-end \u22121.00"]
    (gap,) = [t.get_text() for t in ax.texts if t.get_gid() == "journeylib-gap"]
    assert gap == "gap\n\u22121.50"  # predicted -1.00 (peak-end rule) minus the mean +0.50


def test_builder_draws_what_emotion_curve_draws():
    """One visual language: the builder's picture is emotion_curve's of the same journey."""
    b = JourneyBuilder([2, 1, -2, 1, 1, 0], touchpoints=list("abcdef"), rule="mean")
    fig, (ax1, ax2) = plt.subplots(1, 2)
    b.plot(ax=ax1)
    jl.emotion_curve(b.frame().assign(rating=b.predicted(), rating_scale="valence"), ax=ax2)
    def faces(ax, kind):
        return [(f["x"], f["y"], f["color"], f["kind"], round(f["sag"] / f["radius"], 9))
                for f in find_faces(ax, kind=kind)]

    for kind in ("moment", "rating"):
        assert faces(ax1, kind) == faces(ax2, kind)
    for gid in ("journeylib-curve", "journeylib-mean", "journeylib-rating"):
        assert _line(ax1, gid).get_xydata().tolist() == _line(ax2, gid).get_xydata().tolist()


def test_plot_without_ax_uses_the_current_axes():
    ax = plt.gca()
    assert JourneyBuilder().plot() is ax


def test_widget_callbacks_update_figure_and_numbers():
    b = JourneyBuilder([2, 1, -2, 1, 1, 0])
    box = b.widget()
    assert box.children  # a VBox of controls
    c = b.controls
    html0, png0 = c["numbers"].value, c["image"].value
    assert "-1.00" in html0  # peak-end of (2, 1, -2, 1, 1, 0) on the smiley scale
    assert png0[:8] == b"\x89PNG\r\n\x1a\n"
    assert c["caption"].value == widgets.figure_caption(b.describe())

    c["faces"][5].value = 2  # the last touchpoint becomes very happy: it is now the peak and the end
    # every change redraws the emotion curve, so the artists are asked for again
    assert b.artists["curve"].get_ydata().tolist() == [1.0, 0.5, -1.0, 0.5, 0.5, 1.0]
    assert [f["y"] for f in find_faces(b.ax)] == [1.0, 0.5, -1.0, 0.5, 0.5, 1.0]
    assert b.artists["peak_end"].get_ydata().tolist() == pytest.approx([1.0, 1.0])
    assert b.artists["rating"].get_ydata().tolist() == pytest.approx([1.0])
    assert b.scores.tolist() == [2, 1, -2, 1, 1, 2]
    assert "+2.00 = +2 very happy" in c["numbers"].value
    assert c["image"].value != png0
    assert "step 6 +2;" in c["caption"].value and c["caption"].value.endswith("rating +2.00</p></details>")

    c["rule"].value = "mean"  # the customer averages instead
    mean = (2 + 1 - 2 + 1 + 1 + 2) / 6
    assert b.artists["rating"].get_ydata().tolist() == pytest.approx([mean / 2])
    assert f"predicted journey rating (mean): {mean:+.2f}" in c["numbers"].value
    assert "rule: mean" in " ".join(b.ax.get_title(loc) for loc in ("left", "center", "right"))
    assert len(b.ax.lines) == len({line.get_gid() for line in b.ax.lines})  # redrawn, not drawn over


def test_widget_controls_start_at_the_state():
    b = JourneyBuilder(rule="min")
    b.widget()
    assert [d.value for d in b.controls["faces"]] == list(widgets.DEFAULT_SCORES)
    assert [d.description for d in b.controls["faces"]] == list(widgets.DEFAULT_TOUCHPOINTS)
    assert b.controls["rule"].value == "min"


def test_o_ring():
    assert o_ring(0.97, 8) == pytest.approx(np.prod([0.97] * 8))
    assert o_ring([0.9, 0.8, 0.5], None) == pytest.approx(0.36)
    with pytest.raises(ValueError, match="probability"):
        o_ring(1.2, 3)


# --- exercises ----------------------------------------------------------------------------------

@pytest.mark.parametrize("exercise", sorted(widgets.EXERCISES))
def test_no_answer_is_neutral(exercise):
    check = check_answer(exercise, None)
    assert check.correct is None and not check
    assert check._repr_markdown_().startswith("**No answer yet.**")
    assert check_answer(exercise, ...).correct is None


def test_ex1_paypal_mean_from_the_seed_cases():
    cases = jl.load_seed_cases()
    paypal = cases[cases["journey_id"] == "paypal-claim"]
    mean = paypal["score"].dropna().sum() / paypal["score"].notna().sum()
    assert check_answer("ex1", mean).correct
    assert check_answer("ex1", mean + 0.2).correct  # close enough
    wrong = check_answer("ex1", float(paypal["rating"].iloc[0]))  # the rating is not the mean
    assert wrong.correct is False and "**Not quite.**" in wrong._repr_markdown_()
    assert check_answer("ex1", "positive").correct is False


def test_ex2_last_touchpoint_flip():
    truth = widgets.exercise_truth("ex2")
    # worked by hand: (1, 2, 1, -1, -2, 1, s). With s = +2 the last moment ties the -2 as most
    # extreme and, being later, becomes the peak: (1 + 1) / 2. With s = +1: (-1 + 0.5) / 2 < 0.
    assert truth["predicted_by_last"][2] == pytest.approx(2.0)
    assert truth["predicted_by_last"][1] == pytest.approx(-0.5)
    assert truth["lowest_last_for_neutral"] == 2
    assert check_answer("ex2", 2).correct and not check_answer("ex2", 1).correct


def test_ex4_o_ring_share_or_percent():
    assert check_answer("ex4", 0.784).correct
    assert check_answer("ex4", 78).correct  # a percentage
    assert not check_answer("ex4", 0.97).correct  # one touchpoint's chance is not the journey's


def test_ex3_effort_truth_is_a_negative_slope():
    truth = widgets.exercise_truth("ex3")
    assert truth["slope_per_repeat"] < 0
    assert check_answer("ex3", truth["slope_per_repeat"]).correct
    assert not check_answer("ex3", -truth["slope_per_repeat"]).correct


def test_ex5_derived_overall_makes_mean_win():
    truth = widgets.exercise_truth("ex5")
    assert truth["best_derived"] == "mean"
    assert truth["best_asked"] != "mean"
    assert check_answer("ex5", "mean").correct
    assert not check_answer("ex5", "peak-end").correct


def test_check_answer_rejects_unknown_exercise():
    with pytest.raises(ValueError, match="`exercise` must be one of"):
        check_answer("ex9", 1)


def test_truth_is_a_copy():
    t = widgets.exercise_truth("ex4")
    t["all_right"] = 0
    assert widgets.exercise_truth("ex4")["all_right"] == pytest.approx(0.97 ** 8)
    assert isinstance(pd.DataFrame([t]), pd.DataFrame)


def test_static_figure_and_widget_follow_the_same_state():
    b = JourneyBuilder([0] * 6)
    fig, ax = plt.subplots()
    b.plot(ax=ax)  # the plain figure a static page shows
    box = b.widget()
    assert repr(box).startswith("JourneyBuilder controls")  # what a page without widgets prints
    b.controls["faces"][0].value = -2
    assert np.asarray(_line(ax, "journeylib-curve").get_ydata())[0] == -1.0
    assert find_faces(ax)[0]["y"] == -1.0
    assert np.asarray(b.artists["curve"].get_ydata())[0] == -1.0
    assert b.artists["curve"].axes is not ax  # the widget draws its own figure
