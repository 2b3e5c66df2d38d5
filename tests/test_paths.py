"""Paths: transitions and path variants against hand-worked tables, the flow plot against them,
and a planted transition effect found again."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

import journeylib as jl
from journeylib import JourneyDataError
from journeylib.paths import END, START, path_variants, transitions
from journeylib.plots.flow import OTHER, band_color, flow_plot
from journeylib.plots.theme import valence_color


@pytest.fixture
def small():
    """Three journeys on smiley5 (valence = score / 2); journey 1 goes web -> phone -> web."""
    return pd.DataFrame({
        "journey_id": [1, 1, 1, 2, 2, 3, 3, 3],
        "step": [1, 2, 3, 1, 2, 1, 2, 3],
        "touchpoint": ["web", "phone", "web", "web", "phone", "mail", "phone", "web"],
        "actor": "shop",
        "score": [2, -2, 1, 1, 0, -1, np.nan, 2],
        "score_scale": "smiley5",
        "rating": [-1, -1, -1, 2, 2, 1, 1, 1],
        "rating_scale": "smiley5",
    })


def _row(t, frm, to, stage=None):
    m = (t["from"] == frm) & (t["to"] == to)
    if stage is not None:
        m &= t["stage"] == stage
    assert m.sum() == 1, f"no single row {frm} -> {to}"
    return t[m].iloc[0]


def test_transitions_hand_worked(small):
    t = transitions(small)
    assert list(t.columns) == ["from", "to", "n", "n_moves", "share", "valence", "rating", "diff",
                               "ci_low", "ci_high", "p_val"]
    # moves: 1: S-web, web-phone, phone-web, web-E; 2: S-web, web-phone, phone-E;
    #        3: S-mail, mail-phone, phone-web, web-E
    r = _row(t, START, "web")
    assert (r["n"], r["n_moves"]) == (2, 2)
    assert r["valence"] == pytest.approx((1.0 + 0.5) / 2)
    assert r["rating"] == pytest.approx((-0.5 + 1.0) / 2)
    assert r["share"] == pytest.approx(2 / 3)
    r = _row(t, "phone", "web")  # journeys 1 and 3; the moment arrived at: 0.5 and 1.0
    assert (r["n"], r["valence"], r["rating"]) == (2, pytest.approx(0.75), pytest.approx(0.0))
    r = _row(t, "mail", "phone")  # phone moment of journey 3 has no score
    assert r["n"] == 1 and np.isnan(r["valence"])
    r = _row(t, "web", END)
    assert r["n"] == 2 and np.isnan(r["valence"]) and r["rating"] == pytest.approx(0.0)
    # share: out of web there are 4 moves: 2 to phone, 2 to the end
    assert _row(t, "web", "phone")["share"] == pytest.approx(0.5)
    assert t["n"].is_monotonic_decreasing
    # every journey starts once and ends once
    assert t.loc[t["from"] == START, "n"].sum() == 3 and t.loc[t["to"] == END, "n"].sum() == 3


def test_journey_counted_once_per_transition():
    df = pd.DataFrame({"journey_id": 1, "step": [1, 2, 3, 4, 5],
                       "touchpoint": ["a", "b", "a", "b", "c"], "score": [0, 1, 2, -1, 0],
                       "score_scale": "smiley5", "rating": 0, "rating_scale": "smiley5"})
    r = _row(transitions(df), "a", "b")
    assert (r["n"], r["n_moves"]) == (1, 2)
    assert r["valence"] == pytest.approx((0.5 - 0.5) / 2)


def test_diff_is_welch_against_scipy():
    sim = jl.simulate_journeys(400, touchpoints=["a", "b", "c"], rule="mean", seed=11)
    t = transitions(sim)
    s = jl.journey_summary(sim, metrics=["rating", "mean"])
    made = sim.assign(prev=sim.groupby("journey_id")["touchpoint"].shift().astype(object))
    jids = made.loc[(made["prev"] == "a") & (made["touchpoint"].astype(str) == "b"), "journey_id"]
    inside = s["journey_id"].isin(jids)
    ref = sps.ttest_ind(s.loc[inside, "rating"], s.loc[~inside, "rating"], equal_var=False)
    ci = ref.confidence_interval(0.95)
    r = _row(t, "a", "b")
    assert r["n"] == inside.sum()
    assert r["diff"] == pytest.approx(s.loc[inside, "rating"].mean() - s.loc[~inside, "rating"].mean())
    assert (r["ci_low"], r["ci_high"], r["p_val"]) == (pytest.approx(ci.low), pytest.approx(ci.high),
                                                       pytest.approx(ref.pvalue))
    gap = s["rating"] - s["mean"]
    r = _row(transitions(sim, adjust="mean"), "a", "b")
    assert r["diff"] == pytest.approx(gap[inside].mean() - gap[~inside].mean())


def test_staged_table_is_one_move_per_journey_and_stage(small):
    t = transitions(small, steps=3)
    assert list(t.columns[:3]) == ["stage", "from", "to"]
    assert (t["n"] == t["n_moves"]).all()
    per_stage = t.groupby("stage")["n"].sum()
    # stage 0: all 3 start; stage 1: all 3 move on; stage 2: journey 2 ends, 1 and 3 move on
    assert per_stage.to_dict() == {0: 3, 1: 3, 2: 3}
    assert _row(t, "phone", END, stage=2)["n"] == 1
    assert set(t["stage"]) == {0, 1, 2}
    assert _row(t, "phone", "web", stage=2)["n"] == 2


def test_after_a_negative_moment(small):
    t = transitions(small, steps=3, align="negative")
    # negative moments: journey 1 step 2 (phone), journey 3 step 1 (mail); journey 2 has none
    assert t.attrs == {"n_journeys": 2, "n_left_out": 1}
    first = t[t["stage"] == 0].set_index("to")["n"].to_dict()
    assert first == {"mail": 1, "phone": 1}
    assert _row(t, "phone", "web", stage=1)["n"] == 1
    assert _row(t, "web", END, stage=2)["n"] == 1


def test_row_order_and_caller_frame(small):
    before = small.copy()
    t = transitions(small)
    pd.testing.assert_frame_equal(small, before)
    shuffled = small.sample(frac=1, random_state=3)
    pd.testing.assert_frame_equal(transitions(shuffled), t)
    pd.testing.assert_frame_equal(path_variants(shuffled), path_variants(small))


def test_unordered_journeys_left_out_with_a_count(small):
    df = small.assign(ordered=small["journey_id"] != 2)
    with pytest.warns(UserWarning, match="1 of 3 journeys left out of transitions"):
        t = transitions(df)
    assert t.loc[t["from"] == START, "n"].sum() == 2
    with pytest.raises(ValueError, match="needs ordered journeys"), \
            pytest.warns(UserWarning, match="3 of 3 journeys left out"):
        transitions(small.assign(ordered=False))


def test_bad_input(small):
    with pytest.raises(JourneyDataError):
        transitions(small.assign(score=9))
    with pytest.raises(ValueError, match="`align` must be one of"):
        transitions(small, align="end")
    with pytest.raises(ValueError, match="`steps`"):
        transitions(small, steps=0)
    with pytest.raises(ValueError, match="`adjust`"):
        transitions(small, adjust="median")
    with pytest.raises(ValueError, match="`top`"):
        path_variants(small, top=0)


def test_planted_transition_effect_found():
    """Journeys that go tracking -> helpdesk call rate 0.3 lower: sign right, CI covers -0.3."""
    sim = jl.simulate_journeys(3000, touchpoints=["search", "webshop", "tracking", "helpdesk call",
                                                  "delivery"],
                               rule="mean", rating_scale="valence",
                               path_effect={("tracking", "helpdesk call"): -0.3}, seed=16)
    for adjust in (None, "mean"):
        r = _row(transitions(sim, adjust=adjust), "tracking", "helpdesk call")
        assert r["diff"] < 0 and r["ci_high"] < 0
        assert r["ci_low"] <= -0.3 <= r["ci_high"], (adjust, r["ci_low"], r["ci_high"])
    # it stands out: the lowest diff of all transitions between touchpoints (others share some
    # of it, e.g. helpdesk call -> tracking is often made by the same journeys, so no zero test)
    t = transitions(sim, adjust="mean")
    inner = t[(t["from"] != START) & (t["to"] != END)]
    low = inner.loc[inner["diff"].idxmin()]
    assert (low["from"], low["to"]) == ("tracking", "helpdesk call")


def test_path_variants_hand_worked():
    df = pd.DataFrame({
        "journey_id": [1, 1, 2, 2, 3, 3, 4, 5],
        "step": [1, 2, 1, 2, 1, 2, 1, 1],
        "touchpoint": ["web", "phone", "web", "phone", "web", "phone", "mail", "web"],
        "score": [2, -2, 1, 0, 0, 0, 2, 1], "score_scale": "smiley5",
        "rating": [-1, -1, 2, 2, 1, 1, 2, 0], "rating_scale": "smiley5",
    })
    v = path_variants(df)
    assert v["variant"].tolist() == ["web \u2192 phone", "mail", "web"]
    first = v.iloc[0]
    assert (first["n"], first["n_moments"], first["share"]) == (3, 2, pytest.approx(0.6))
    ratings = np.array([-0.5, 1.0, 0.5])
    assert first["rating"] == pytest.approx(ratings.mean())
    lo, hi = sps.t.interval(0.95, 2, loc=ratings.mean(), scale=sps.sem(ratings))
    assert (first["ci_low"], first["ci_high"]) == (pytest.approx(lo), pytest.approx(hi))
    assert first["valence"] == pytest.approx(np.mean([0.0, 0.25, 0.0]))
    assert np.isnan(v.iloc[1]["ci_low"])  # one journey: no interval
    assert path_variants(df, top=1)["variant"].tolist() == ["web \u2192 phone"]


def test_path_variants_counts_add_up():
    sim = jl.simulate_journeys(500, touchpoints=["a", "b"], seed=5)
    v = path_variants(sim, top=None)
    assert v["n"].sum() == 500 and v["share"].sum() == pytest.approx(1.0)
    seqs = sim.groupby("journey_id")["touchpoint"].agg(lambda s: " \u2192 ".join(s.astype(str)))
    assert seqs.value_counts().iloc[0] == v["n"].iloc[0]
    assert (v["n"].diff().dropna() <= 0).all()


# --- the flow plot --------------------------------------------------------------------------------

def _bands(ax):
    return [p for p in ax.patches if p.get_gid() == "journeylib-flow-band"]


def _blocks(ax):
    return [p for p in ax.patches if p.get_gid() == "journeylib-flow-block"]


@pytest.mark.parametrize("align", ["start", "negative"])
def test_flow_bands_match_the_transition_table(align):
    import matplotlib.pyplot as plt

    sim = jl.simulate_journeys(400, touchpoints=["web", "mail", "phone", "shop"], seed=3)
    fig, ax = plt.subplots()
    out = flow_plot(sim, steps=4, align=align, min_share=0, ax=ax)
    assert out is ax
    table = transitions(sim, steps=4, align=align)
    expected = table[table["stage"] >= 1].set_index(["stage", "from", "to"])
    bands = _bands(ax)
    assert len(bands) == len(expected)
    for band in bands:
        stage, frm, to, n = band.journeylib_transition
        row = expected.loc[(stage, frm, to)]
        assert n == row["n"]
        verts = band.get_path().vertices
        assert verts[0, 1] - verts[7, 1] == pytest.approx(n)  # thickness at the left end
        assert verts[3, 1] - verts[4, 1] == pytest.approx(n)  # and at the right end
        assert verts[0, 0] == pytest.approx(stage + 0.035) and verts[3, 0] == pytest.approx(stage + 0.965)
        value = row["rating"] if to == END else row["valence"]
        np.testing.assert_allclose(band.get_facecolor()[:3], valence_color(value)[:3])
        assert band.get_facecolor()[:3] == pytest.approx(band_color({"to": to, **row})[:3])
    # a block is as tall as the journeys arriving in it
    heights = sorted(round(b.get_height(), 6) for b in _blocks(ax))
    sizes = sorted(round(float(x), 6) for x in table.groupby(["stage", "to"])["n"].sum())
    assert heights == sizes


def test_flow_coloured_by_rating_shows_a_planted_path():
    import matplotlib.pyplot as plt

    sim = jl.simulate_journeys(600, touchpoints=["web", "mail", "phone"], rule="mean",
                               path_effect={("mail", "phone"): -0.6}, seed=9)
    ax = flow_plot(sim, steps=3, color="rating", ax=plt.figure().gca())
    table = transitions(sim, steps=3).set_index(["stage", "from", "to"])
    for band in _bands(ax):
        stage, frm, to, _ = band.journeylib_transition
        np.testing.assert_allclose(band.get_facecolor()[:3],
                                   valence_color(table.loc[(stage, frm, to), "rating"])[:3])
    reds = {b.journeylib_transition[1:3] for b in _bands(ax)
            if b.get_facecolor()[0] > b.get_facecolor()[2] + 0.2}
    assert ("mail", "phone") in reds
    with pytest.raises(ValueError, match="`color`"):
        flow_plot(sim, color="n")


def test_flow_negative_view_says_how_many_are_left_out():
    import matplotlib.pyplot as plt

    sim = jl.simulate_journeys(300, touchpoints=["web", "mail"], seed=4)
    ax = flow_plot(sim, steps=3, align="negative", ax=plt.figure().gca())
    table = transitions(sim, steps=3, align="negative")
    note = next(t.get_text() for t in ax.texts if t.get_gid() == "journeylib-flow-note")
    assert f"{table.attrs['n_journeys']:,} journeys with a negative moment" in note
    assert f"{table.attrs['n_left_out']:,} without one" in note
    assert ax.get_xticklabels()[0].get_text().startswith("first negative")


def test_flow_rare_blocks_merge_into_other():
    import matplotlib.pyplot as plt

    sim = jl.simulate_journeys(500, seed=6)  # ten touchpoints, about 10% each per column
    ax = flow_plot(sim, steps=3, min_share=0.15, ax=plt.figure().gca())
    bands = _bands(ax)
    assert any(OTHER in (b.journeylib_transition[1], b.journeylib_transition[2]) for b in bands)
    table = transitions(sim, steps=3)
    for stage in (1, 2):  # merging keeps every journey
        assert sum(b.journeylib_transition[3] for b in bands if b.journeylib_transition[0] == stage) \
            == table.loc[table["stage"] == stage, "n"].sum()


def test_flow_plot_on_the_seed_stories_and_gca():
    import matplotlib.pyplot as plt

    cases = jl.load_seed_cases()
    plt.figure()
    ax = jl.flow_plot(cases, steps=4, min_share=0)
    assert ax is plt.gca()
    assert len(_bands(ax)) == 5 * 3  # five stories, three moves each, none ends before moment 4
    assert all(b.journeylib_transition[3] == 1 for b in _bands(ax))
    with pytest.raises(ValueError, match="`steps`"):
        jl.flow_plot(cases, steps=1)
