"""The journey explorer: selection, numbers and figure from plain state; widget callbacks driven directly."""

from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import journeylib as jl
from journeylib.explorer import GAP_FILTERS, JourneyExplorer, explore
from journeylib.plots.faces import find_faces


@pytest.fixture(scope="module")
def cases():
    return jl.load_seed_cases()


def _line(ax, gid):
    (line,) = [a for a in ax.lines if a.get_gid() == gid]
    return line


def _reference(cases):
    """Per journey, by hand from the tidy rows: the mean valence of the moments and the rating."""
    v = cases.assign(valence=cases["score"] / 2, rating_v=cases["rating"] / 2)  # smiley5 -> valence
    return v.groupby("journey_id").agg(mean=("valence", "mean"), rating=("rating_v", "first"))


def test_reachable_as_jl_widgets_explore(cases):
    assert jl.widgets.explore is explore
    ex = jl.widgets.explore(cases)
    assert isinstance(ex, JourneyExplorer)
    assert ex.segments == ["channel", "actor"]  # categorical columns; ids, free text and scales left out
    assert ex.rules[:5] == ["mean", "peak_end", "min", "last", "first"]


def test_filters_follow_their_definitions(cases):
    ref = _reference(cases)
    gap = ref["rating"] - ref["mean"]
    expected = {
        "all": ref.index,
        "paypal": ref.index[(ref["mean"] > 0) & (ref["rating"] < 0)],
        "recovered": ref.index[(ref["mean"] < 0) & (ref["rating"] > 0)],
        "below": ref.index[gap < 0],
        "above": ref.index[gap > 0],
    }
    ex = JourneyExplorer(cases)
    for name in GAP_FILTERS:
        assert sorted(ex.set_filter(name).selected_ids()) == sorted(expected[name]), name
    assert sorted(ex.set_filter("paypal").selected_ids()) == ["laptop-refund", "paypal-claim"]
    ex.set_filter("all").set_gap_range(-2, -0.5)
    assert sorted(ex.selected_ids()) == sorted(ref.index[gap <= -0.5])


def test_segment_is_the_journeys_with_a_moment_of_that_value(cases):
    ex = JourneyExplorer(cases, segment=("channel", "phone"))
    with_phone = sorted(cases.loc[cases["channel"] == "phone", "journey_id"].unique())
    assert sorted(ex.selected_ids()) == with_phone
    assert ex.counts()["in_segment"] == len(with_phone)
    values = ex.segment_values("actor")
    assert values["PayPal"] == 1 and values.index[0] == values.idxmax()
    ex.set_segment(None)
    assert ex.counts()["selected"] == 5


def test_rule_changes_the_gap(cases):
    ex = JourneyExplorer(cases, rule="peak_end", journey="paypal-claim")
    s = jl.journey_summary(cases).set_index("journey_id").loc["paypal-claim"]
    row = ex.summary_row().iloc[0]
    assert row["gap"] == pytest.approx(s["rating"] - s["peak_end"])
    assert row["gap"] == pytest.approx(s["gap_peak_end"])
    ex.set_rule("min")
    assert ex.summary_row().iloc[0]["gap"] == pytest.approx(s["rating"] - s["min"])


def test_summary_row_of_a_segment_is_the_mean_over_its_journeys(cases):
    ex = JourneyExplorer(cases, gap_filter="below")
    row = ex.summary_row().iloc[0]
    sel = jl.journey_summary(cases).set_index("journey_id").loc[ex.selected_ids()]
    assert row["n_journeys"] == len(sel)
    assert row["journey"] == f"mean of {len(sel)} journeys"
    assert row["mean"] == pytest.approx(sel["mean"].mean())
    assert row["gap"] == pytest.approx((sel["rating"] - sel["mean"]).mean())


def test_journey_outside_the_selection_is_refused_and_a_filter_drops_it(cases):
    ex = JourneyExplorer(cases, gap_filter="paypal")
    with pytest.raises(ValueError, match="not in the selection"):
        ex.set_journey("parcel-diary")
    with pytest.raises(ValueError, match="no journey 'nope'"):
        ex.set_journey("nope")
    ex.set_filter("all").set_journey("parcel-diary")
    ex.set_filter("paypal")
    assert ex.journey is None  # the filter dropped it: back to the mean of the selection


def test_bad_options_say_what_was_expected(cases):
    with pytest.raises(ValueError, match=r"`rule` must be one of \('mean'"):
        JourneyExplorer(cases, rule="avg")
    with pytest.raises(ValueError, match="`gap_filter` must be one of"):
        JourneyExplorer(cases, gap_filter="bad")
    with pytest.raises(ValueError, match="segment column"):
        JourneyExplorer(cases, segment=("note", "x"))
    with pytest.raises(ValueError, match="gap_range"):
        JourneyExplorer(cases, gap_range=(1, -1))


def test_curve_is_emotion_curve_of_the_journey(cases):
    ex = JourneyExplorer(cases, journey="paypal-claim")
    fig = ex.plot()
    curve_ax, hist_ax = fig.axes[:2]
    paypal = cases[cases["journey_id"] == "paypal-claim"].sort_values("step")
    expected = (paypal["score"] / 2).to_numpy()
    np.testing.assert_allclose(_line(curve_ax, "journeylib-curve").get_ydata(), expected)
    np.testing.assert_allclose(ex.curve_values(), expected)
    assert [t.get_text().replace("\n", " ") for t in curve_ax.get_xticklabels()] == paypal["touchpoint"].tolist()
    assert len(find_faces(curve_ax)) == len(paypal)
    marked = _line(hist_ax, "journeylib-explorer-journey")
    assert marked.get_xdata()[0] == pytest.approx(ex.summary_row()["gap"].iloc[0])
    mean_gap = _line(hist_ax, "journeylib-gap-mean").get_xdata()[0]
    ref = _reference(cases)
    assert mean_gap == pytest.approx((ref["rating"] - ref["mean"]).mean())


def test_mean_curve_of_a_segment(cases):
    ex = JourneyExplorer(cases, gap_filter="below")
    fig, ax = plt.subplots()
    ex.plot_curve(ax)
    sel = cases[cases["journey_id"].isin(ex.selected_ids())]
    expected = (sel["score"] / 2).groupby(sel["step"]).mean().to_numpy()
    np.testing.assert_allclose(_line(ax, "journeylib-curve").get_ydata(), expected)
    np.testing.assert_allclose(ex.curve_values(), expected)


def test_empty_selection_draws_a_message(cases):
    ex = JourneyExplorer(cases, gap_filter="recovered")
    assert ex.counts()["selected"] == 0
    fig = ex.plot()
    texts = [t.get_text() for ax in fig.axes for t in ax.texts if t.get_gid() == "journeylib-explorer-empty"]
    assert texts == ["no journey in this selection", "no journey with a rating and a mean"]
    assert ex.summary_row()["n_journeys"].iloc[0] == 0


def test_reads_a_file(cases, tmp_path):
    path = tmp_path / "journeys.csv"
    cases.drop(columns=["note"]).to_csv(path, index=False)
    ex = explore(path, journey="bike-order")
    assert ex.summary_row()["journey"].iloc[0] == "bike-order"
    assert ex.counts()["journeys"] == 5


def test_does_not_modify_the_callers_frame(cases):
    before = cases.copy()
    JourneyExplorer(cases, segment=("actor", "PayPal"), journey="paypal-claim").plot()
    pd.testing.assert_frame_equal(cases, before)


def test_widget_callbacks_update_figure_numbers_and_options(cases):
    ex = JourneyExplorer(cases)
    box = ex.widget()
    assert repr(box).startswith("JourneyExplorer controls")
    c = ex.controls
    png0 = c["image"].value
    assert png0[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<b>5</b> of 5 journeys selected" in c["numbers"].value
    assert [v for _, v in c["journey"].options][0] is None and len(c["journey"].options) == 6

    c["filter"].value = "paypal"
    assert ex.gap_filter == "paypal" and "<b>2</b> of 5" in c["numbers"].value
    assert sorted(v for _, v in c["journey"].options if v is not None) == ["laptop-refund", "paypal-claim"]
    assert c["image"].value != png0

    assert c["journey"].index == 0 and c["journey"].label.startswith("mean of the 2")  # shown, not blank
    c["journey"].value = "paypal-claim"
    assert ex.journey == "paypal-claim"
    assert "<td>paypal-claim</td>" in c["numbers"].value and "<td>-0.61</td>" in c["numbers"].value
    assert c["caption"].value == jl.widgets.figure_caption(ex.describe())
    assert ex.describe().startswith("journey paypal-claim of 2 selected")

    c["rule"].value = "peak_end"
    assert ex.rule == "peak_end" and "<td>-1.25</td>" in c["numbers"].value  # rating - peak-end

    c["segment"].value = "actor"
    assert ex.segment[0] == "actor" and not c["value"].disabled
    c["segment"].index = 0
    assert ex.segment is None and c["segment"].label == "all journeys" and c["value"].disabled
    c["segment"].value = "actor"
    c["value"].value = "webshop"
    assert ex.segment == ("actor", "webshop")
    c["filter"].value = "all"
    c["range"].value = (-2.0, 0.0)
    assert ex.gap_range == (-2.0, 0.0)
    s = jl.journey_summary(cases).set_index("journey_id")
    webshop = cases.loc[cases["actor"] == "webshop", "journey_id"].unique()
    expected = sorted(j for j in webshop if s.loc[j, "rating"] - s.loc[j, "peak_end"] <= 0)
    assert sorted(ex.selected_ids()) == expected and expected  # rule peak_end still
    assert f"<b>{len(expected)}</b> of 5" in c["numbers"].value


def test_shows_as_its_widget_in_jupyter(cases):
    ex = explore(cases)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bundle = ex._repr_mimebundle_()
    assert bundle["text/plain"].startswith("JourneyExplorer controls")


def test_skytrax_airline(data_mirror, monkeypatch):
    monkeypatch.setenv("JOURNEYLIB_DATA_MIRROR", str(data_mirror))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the loader's notes on dropped reviews
        airline = jl.fetch_skytrax("airline")
    ex = explore(airline, gap_filter="paypal")
    assert {"actor", "cabin"} <= set(ex.segments)
    s = jl.journey_summary(airline)
    assert ex.counts()["selected"] == int(((s["mean"] > 0) & (s["rating"] < 0)).sum())
    ex.set_segment("cabin", "Business Class")
    assert ex.counts()["in_segment"] == airline.loc[airline["cabin"] == "Business Class", "journey_id"].nunique()
    fig = ex.plot()
    assert _line(fig.axes[0], "journeylib-curve").get_ydata().size == 7  # the mean per survey item


def test_segment_as_a_column_name_and_malformed_arguments_say_what_to_pass():
    cases = jl.load_seed_cases()
    ex = JourneyExplorer(cases, segment="channel")
    assert ex.segment[0] == "channel"
    assert ex.segment == JourneyExplorer(cases, segment=("channel",)).segment
    with pytest.raises(ValueError, match=r"column name or a \(column, value\) pair"):
        JourneyExplorer(cases, segment=("channel", "phone", "web"))
    with pytest.raises(ValueError, match=r"column name or a \(column, value\) pair"):
        JourneyExplorer(cases, segment=3)
    with pytest.raises(ValueError, match=r"\(low, high\) pair"):
        JourneyExplorer(cases, gap_range=0.5)
