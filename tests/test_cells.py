"""Number and date cells read one way on every path (issue 12, item 5)."""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pandas as pd
import pytest

import journeylib as jl
from journeylib.cells import parse_numbers, parse_timestamps
from journeylib.schema import ERROR_TOKENS, NA_TOKENS, JourneyDataError


def tidy(**columns):
    base = {"journey_id": [1, 1, 2], "step": [1, 2, 1], "touchpoint": ["web", "mail", "web"],
            "score": [4, 2, 5], "score_scale": "likert5", "rating": [3, 3, 5],
            "rating_scale": "likert5"}
    base.update(columns)
    return pd.DataFrame(base)


@pytest.mark.parametrize("token", [*NA_TOKENS, " NA ", "N/A", "Null", "NONE", "NaN"])
def test_missing_tokens_are_missing_in_validate(token):
    out = jl.validate(tidy(score=pd.array([4, token, 5], dtype=object)))
    assert np.isnan(out.loc[1, "score"]) and out.loc[0, "score"] == 4.0


@pytest.mark.parametrize("token", ["#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!"])
def test_spreadsheet_errors_are_reported_not_missing(token):
    with pytest.raises(JourneyDataError) as err:
        jl.validate(tidy(score=pd.array([4, token, 5], dtype=object)))
    p = err.value.problems[0]
    assert (p["row"], p["column"], p["value"]) == (3, "score", token)
    assert "spreadsheet error value" in p["message"]
    assert token.lower() in ERROR_TOKENS


def test_true_among_numbers_is_refused_unless_binary():
    with pytest.raises(JourneyDataError) as err:
        jl.validate(tidy(score=pd.array([4, True, 5], dtype=object)))
    assert err.value.problems[0]["row"] == 3
    assert "only on the 'binary' scale" in err.value.problems[0]["message"]
    ok = jl.validate(tidy(score=pd.array([1, True, False], dtype=object), score_scale="binary"))
    assert ok["score"].tolist() == [1.0, 1.0, 0.0]
    # a whole boolean column on a 1-5 scale is as wrong
    with pytest.raises(JourneyDataError):
        jl.validate(tidy(score=[True, False, True]))


def test_parse_numbers_kinds():
    x, bad, err, boolean = parse_numbers(pd.Series([" 4 ", "4,5", "1e1", "", "zes", "#n/a"]))
    np.testing.assert_array_equal(x, [4.0, np.nan, 10.0, np.nan, np.nan, np.nan])
    assert bad.tolist() == [False, True, False, False, True, False]
    assert err.tolist() == [False] * 5 + [True]
    assert not boolean.any()


def test_huge_and_fractional_ids_and_steps():
    big = np.array([2**63 + 5, 2**63 + 5, 2**64 - 1], dtype="uint64")
    out = jl.validate(tidy(journey_id=big))
    assert out["journey_id"].dtype == np.uint64
    assert out["journey_id"].tolist() == [2**63 + 5, 2**63 + 5, 2**64 - 1]  # not wrapped
    s = jl.journey_summary(out, metrics=["mean"])
    assert s["journey_id"].tolist() == [2**63 + 5, 2**64 - 1]
    with pytest.raises(JourneyDataError, match="journey_id must be a whole number"):
        jl.validate(tidy(journey_id=[1e19, 1e19, 2.5]))
    with pytest.raises(JourneyDataError) as err:
        jl.validate(tidy(step=[1, 2.0**60, -1]))
    assert {p["row"] for p in err.value.problems} == {3, 4}


def test_duplicate_column_names_are_refused():
    df = tidy()
    df.columns = [*df.columns[:-1], "rating"]  # rating_scale renamed: two 'rating' columns
    df.insert(len(df.columns), "rating_scale", "likert5")
    with pytest.raises(JourneyDataError, match="appears more than once"):
        jl.validate(df)


def test_offsets_across_a_dst_switch_and_duration():
    # Europe/Amsterdam moved from +01:00 to +02:00 at 02:00 on 29 March 2026
    df = tidy(timestamp=["2026-03-29 01:30+01:00", "2026-03-29 03:30+02:00", "2026-07-01 10:00+02:00"])
    out = jl.validate(df)
    s = jl.journey_summary(out, metrics=["duration"])
    assert s["duration"].tolist() == [pd.Timedelta(hours=1), pd.Timedelta(0)]
    aware = pd.Series(pd.to_datetime(["2026-03-29 01:30", "2026-03-29 03:30", "2026-07-01 00:00"]))
    aware = aware.dt.tz_localize("Europe/Amsterdam")
    s = jl.journey_summary(tidy(timestamp=aware), metrics=["duration"])
    assert s["duration"].iloc[0] == pd.Timedelta(hours=1)


def test_times_with_and_without_zone_are_refused():
    with pytest.raises(JourneyDataError) as err:
        jl.validate(tidy(timestamp=["2026-01-01 10:00+01:00", "2026-01-01 11:00", "2026-01-02"]))
    assert {p["row"] for p in err.value.problems} == {3, 4}
    assert "time zone" in err.value.problems[0]["message"]


def test_epoch_numbers_are_not_guessed():
    with pytest.raises(JourneyDataError, match="does not guess the unit"):
        jl.validate(tidy(timestamp=[1.7e9, 1.7e9 + 60, 1.7e9]))


def test_day_first_dates():
    ts, problems = parse_timestamps(pd.Series(["13/04/2026", "01/05/2026"]))
    assert ts.dt.month.tolist() == [4, 5] and not problems
    ts, _ = parse_timestamps(pd.Series(["04/13/2026", "05/01/2026"]))
    assert ts.dt.month.tolist() == [4, 5]
    with pytest.warns(UserWarning, match="dayfirst=True"):
        ts, _ = parse_timestamps(pd.Series(["03/04/2026", "05/06/2026"]))
    assert ts.dt.month.tolist() == [3, 5]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ts, _ = parse_timestamps(pd.Series(["03/04/2026", "05/06/2026"]), dayfirst=True)
    assert ts.dt.month.tolist() == [4, 6]
    out = jl.validate(tidy(timestamp=["03/04/2026", "05/04/2026", "06/04/2026"]), dayfirst=True)
    assert out["timestamp"].dt.day.tolist() == [3, 5, 6]


def test_python_datetimes_with_different_zones_share_one_clock():
    a = dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)
    b = dt.datetime(2026, 1, 1, 15, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    ts, problems = parse_timestamps(pd.Series([a, b], dtype=object))
    assert not problems
    assert (ts.iloc[1] - ts.iloc[0]) == pd.Timedelta(hours=1)


def test_mixed_date_formats_are_read():
    ts, problems = parse_timestamps(pd.Series(["2026-01-01 10:00", "2026-01-02", "2026-01-03T08:15"]))
    assert not problems
    assert ts.tolist() == [pd.Timestamp("2026-01-01 10:00"), pd.Timestamp("2026-01-02"),
                           pd.Timestamp("2026-01-03 08:15")]


def test_odd_cells_are_refused_not_crashed_on():
    """Lists as ids, complex numbers as scores: a JourneyDataError, never a TypeError."""
    with pytest.raises(JourneyDataError, match="not a list"):
        jl.validate(tidy(journey_id=pd.array([[1], [1], 2], dtype=object)))
    x, bad, _, _ = parse_numbers(pd.Series([1 + 2j, 3 + 0j]))
    assert np.isnan(x[0]) and x[1] == 3.0 and bad.tolist() == [True, False]
    with pytest.raises(JourneyDataError, match="score is not a number"):
        jl.validate(tidy(score=pd.array([4, 1 + 2j, 5], dtype=object)))


def test_row_offset_and_long_headers_in_messages():
    with pytest.raises(JourneyDataError) as err:
        jl.validate(tidy(score=[4, 9, 5]), row_offset=3)  # three lines above the header
    assert err.value.problems[0]["row"] == 6
    with pytest.raises(JourneyDataError) as err:
        jl.validate(pd.DataFrame({"x" * 10_000: [1], **{f"c{i}": [1] for i in range(100)}}))
    assert len(str(err.value)) < 20_000 and "and 71 more" in str(err.value)


def test_yes_no_words_on_the_binary_scale_in_a_tidy_file():
    """The tidy path reads yes/no, ja/nee, true/false on a binary scale as from_wide does (issue 14)."""
    out = jl.validate(tidy(recommend=["yes", "Yes", "nee"], recommend_scale="binary"))
    assert out["recommend"].tolist() == [1.0, 1.0, 0.0]
    out = jl.validate(tidy(score=pd.array(["ja", "FALSE", 1], dtype=object), score_scale="binary"))
    assert out["score"].tolist() == [1.0, 0.0, 1.0]
    with pytest.raises(JourneyDataError, match="score is not a number"):
        jl.validate(tidy(score=["yes", "no", "yes"]))  # words are no answer on likert5
