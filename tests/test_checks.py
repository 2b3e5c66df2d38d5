"""The contract is checked on every in-memory path, whatever the dtypes look like (issue 12, item 3)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import journeylib as jl
from journeylib.checks import ensure_valid, journey_layout
from journeylib.schema import JourneyDataError


@pytest.fixture(autouse=True, params=["check first", "check beside the metrics"])
def check_mode(request, monkeypatch):
    """Every test here runs twice: the contract checked before the metrics, and (as on large
    frames) in a second thread while the metrics are computed."""
    if request.param == "check beside the metrics":
        monkeypatch.setattr(jl.metrics, "_OVERLAP_ROWS", 0)
    return request.param


def month(first_day):
    """A validated monthly export: journeys numbered from 1, as each month's file does."""
    df = pd.DataFrame({
        "journey_id": [1, 1, 1, 2, 2],
        "step": [1, 2, 3, 1, 2],
        "touchpoint": ["web", "mail", "phone", "web", "shop"],
        "score": [5, 4, 1, 2, 2] if first_day == "2026-01" else [1, 2, 5, 5, 4],
        "score_scale": "likert5",
        "rating": [2, 2, 2, 4, 4] if first_day == "2026-01" else [5, 5, 5, 1, 1],
        "rating_scale": "likert5",
    })
    return jl.validate(df)


def test_concat_of_validated_months_is_refused_in_every_row_order():
    """Both months restart ids at 1: one merged journey would flip sign with the row order."""
    merged = pd.concat([month("2026-01"), month("2026-02")], ignore_index=True)
    assert jl.checks.has_contract_dtypes(merged)  # the dtypes still look right
    rng = np.random.default_rng(0)
    for _ in range(20):
        shuffled = merged.iloc[rng.permutation(len(merged))]
        with pytest.raises(JourneyDataError) as err:
            jl.journey_summary(shuffled)
        # journey 1 has steps 1-3 twice, journey 2 steps 1-2 twice: five repeated pairs
        assert err.value.total >= 5
        assert "duplicate step" in str(err.value)


def test_duplicate_message_names_the_earlier_row():
    merged = pd.concat([month("2026-01"), month("2026-02")], ignore_index=True)
    with pytest.raises(JourneyDataError) as err:
        jl.journey_summary(merged)
    # rows 2-6 are January, rows 7-11 February: row 7 repeats journey 1 step 1 of row 2
    first = err.value.problems[0]
    assert first["row"] == 7 and first["column"] == "step"
    assert "(already on row 2)" in first["message"]


@pytest.mark.parametrize("bad", [9.0, np.inf, -np.inf, 0.0, 2.5])
def test_edited_score_off_its_scale_is_refused(bad):
    good = month("2026-01")
    edited = good.copy()
    edited.loc[3, "score"] = bad
    with pytest.raises(JourneyDataError) as err:
        jl.journey_summary(edited)
    assert err.value.problems[0]["row"] == 5  # position 3 -> spreadsheet row 5
    assert err.value.problems[0]["column"] == "score"
    assert good.loc[3, "score"] == 2.0  # the caller's frames untouched


def test_rating_that_differs_or_is_missing_within_a_journey_is_refused():
    good = month("2026-01")
    for value in (3.0, np.nan):
        edited = good.copy()
        edited.loc[1, "rating"] = value
        with pytest.raises(JourneyDataError) as err:
            jl.journey_summary(edited)
        assert err.value.problems[0]["row"] == 3
        assert "rating differs between rows of journey 1" in str(err.value)


def test_rating_scale_that_differs_with_the_same_valence_is_refused():
    # likert5 3 and nps11 5 are both valence 0: the rating's valence hides the clash
    good = month("2026-01").assign(rating=[3, 3, 3, 4, 4])
    edited = good.copy()
    edited["rating_scale"] = pd.Categorical(["likert5", "likert5", "nps11", "likert5", "likert5"])
    edited.loc[2, "rating"] = 5.0
    assert jl.valence(3, "likert5") == jl.valence(5, "nps11") == 0.0
    with pytest.raises(JourneyDataError) as err:
        jl.journey_summary(edited)
    assert {p["column"] for p in err.value.problems} >= {"rating_scale"}


def test_unknown_category_and_missing_text_id_in_a_typed_frame():
    good = month("2026-01")
    edited = good.copy()
    edited["score_scale"] = pd.Categorical(["likert5"] * 4 + ["likert9"])
    with pytest.raises(JourneyDataError, match="unknown scale"):
        jl.journey_summary(edited)
    text_ids = good.assign(journey_id=pd.array(["a", "a", "a", None, None], dtype="str"))
    with pytest.raises(JourneyDataError, match="journey_id is missing"):
        jl.journey_summary(text_ids)


def test_other_analyses_check_too():
    edited = jl.simulate_journeys(30, seed=1)
    edited.loc[0, "score"] = 99.0
    with pytest.raises(JourneyDataError):
        jl.check_consistency(edited)
    with pytest.raises(JourneyDataError):
        ensure_valid(edited)


def test_valid_typed_frame_passes_without_a_copy():
    good = month("2026-01")
    assert ensure_valid(good) is good


def test_layout_sorts_only_when_needed():
    ids = pd.Series([3, 3, 7, 7, 7], dtype="int64")
    lay = journey_layout(ids, np.array([1, 2, 1, 2, 3]))
    assert lay.order is None and lay.starts.tolist() == [0, 2]
    lay = journey_layout(ids, np.array([2, 1, 1, 3, 2]))
    assert lay.order.tolist() == [1, 0, 2, 4, 3]
    assert lay.ids().tolist() == [3, 7]
    # the earliest row of each journey in the caller's order, not the smallest step
    assert lay.first_rows().tolist() == [0, 2]


@pytest.mark.parametrize("layout", ["journey", "event", "shuffled", "few_out_of_step",
                                    "text_ids", "sparse_ids"])
def test_layout_matches_a_plain_lexsort(layout):
    """Whatever the row layout, the rows come out sorted by (journey_id, step)."""
    rng = np.random.default_rng(5)
    counts = rng.integers(1, 9, 400)
    jid = np.repeat(np.arange(400) * (10**12 if layout == "sparse_ids" else 1), counts)
    step = np.concatenate([np.sort(rng.choice(50, c, replace=False)) for c in counts])
    n = len(jid)
    if layout == "journey":
        order = np.arange(n)
    elif layout == "event":  # interleaved in time, steps in order within each journey
        t = np.repeat(rng.random(400) * 100, counts) + step
        order = np.argsort(t, kind="stable")
    elif layout == "few_out_of_step":
        order = np.arange(n)
        swap = np.flatnonzero(np.diff(jid) == 0)[:5]
        order[swap], order[swap + 1] = order[swap + 1], order[swap]
    else:
        order = rng.permutation(n)
    ids = pd.Series(jid[order])
    if layout == "text_ids":
        ids = ids.map(lambda i: f"J{i:04d}").astype("str")
    lay = journey_layout(ids, step[order])
    rows = lay.rows(np.arange(n))
    expected = np.lexsort((step[order], ids.to_numpy()))
    np.testing.assert_array_equal(rows, expected)
    np.testing.assert_array_equal(lay.step, step[order][expected])
    assert list(lay.ids()) == list(pd.unique(ids.to_numpy()[expected]))


def test_counting_sort_and_radix_sort_agree():
    """pandas' counting sort (a private name) must order journey codes as the NumPy radix sort does."""
    from journeylib import layout as checks

    rng = np.random.default_rng(9)
    for n_codes in (3, 70_000, 200_000):
        codes = rng.integers(0, n_codes, 50_000).astype(np.int64)
        expected = np.argsort(codes, kind="stable")
        np.testing.assert_array_equal(checks._radix_order(codes, n_codes), expected)
        np.testing.assert_array_equal(checks._code_order(codes, n_codes), expected)
        first = rng.permutation(len(codes))
        np.testing.assert_array_equal(checks._code_order(codes, n_codes, order=first),
                                      first[np.argsort(codes[first], kind="stable")])
