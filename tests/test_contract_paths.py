"""One contract on every path: DuckDB refuses what validate refuses, and agrees with pandas otherwise.

Each bad input goes through DuckDB as a pandas frame and as a Parquet file
(the error names file, journey, step, column and value), and through the
pandas path (:func:`journeylib.validate`, :func:`journeylib.journey_summary`).
Property tests generate tricky good data (text, int and huge uint64 ids,
unsorted rows, missing scores, mixed and reversed scales, huge steps, time
zones, missing channels) on which pandas and DuckDB give the same summary,
whatever the row order, and bad data (one defect injected) that both refuse.
The Spark path is tested in test_engines.py, with its session.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import journeylib as jl
from journeylib.engines import summarize
from journeylib.schema import ERROR_TOKENS, NA_TOKENS, JourneyDataError

SETTINGS = settings(max_examples=30, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def base():
    """Two good journeys with every column the checks look at."""
    return pd.DataFrame({
        "journey_id": [1, 1, 2, 2], "step": [1, 2, 1, 2], "touchpoint": list("abab"),
        "channel": ["web", "mail", "web", None],
        "score": [4.0, 2.0, 5.0, 1.0], "score_scale": "likert5",
        "rating": [3.0, 3.0, 2.0, 2.0], "rating_scale": "stars10",
        "recommend": [7.0, 7.0, 1.0, 1.0], "recommend_scale": "nps11",
        "timestamp": pd.to_datetime(["2026-01-01 10:00", "2026-01-01 11:00", "2026-01-02 00:00",
                                     "2026-01-03 00:00"]),
    })


def text(col, values):
    """`base()` with one column as Python objects (how text cells arrive)."""
    return base().assign(**{col: pd.Series(values, dtype=object)})


# (frame, column, journey, step, value, message) of the first problem listed
BAD = {
    "duplicate step": (base().assign(step=[1, 1, 1, 2]), "step", 1, 1, 1,
                       r"duplicate step 1 in journey 1 \(2 rows\); each \(journey_id, step\) must be unique"),
    "journey id NaN": (base().assign(journey_id=[1.0, np.nan, 2.0, 2.0]), "journey_id", None, 2, None,
                       r"journey_id is missing"),
    "journey id None": (text("journey_id", ["a", None, "b", "b"]), "journey_id", None, 2, None,
                        r"journey_id is missing"),
    "journey id blank": (text("journey_id", ["a", " \t", "b", "b"]), "journey_id", None, 2, None,
                         r"journey_id is missing"),
    "negative step": (base().assign(step=[1, -2, 1, 2]), "step", 1, -2, -2,
                      r"step must be a whole number >= 0"),
    "fractional step": (base().assign(step=[1, 2.5, 1, 2]), "step", 1, 2.5, 2.5,
                        r"step must be a whole number >= 0"),
    "text step": (text("step", ["1", "stap 2", "1", "2"]), "step", 1, "stap 2", "stap 2",
                  r"step must be a whole number >= 0"),
    "text score": (text("score", ["4", "zes", "5", "1"]), "score", 1, 2, "zes",
                   r"score is not a number"),
    "spreadsheet error": (text("score", ["4", " #N/A ", "5", "1"]), "score", 1, 2, " #N/A ",
                          r"score holds a spreadsheet error value"),
    "inf score": (base().assign(score=[4.0, np.inf, 5.0, 1.0]), "score", 1, 2, np.inf,
                  r"not a valid answer on scale 'likert5'"),
    "off-scale score": (base().assign(score=[4.0, 9.0, 5.0, 1.0]), "score", 1, 2, 9.0,
                        r"not a valid answer on scale 'likert5' \(expected a whole number from 1 to 5"),
    "fraction on a whole scale": (base().assign(score=[4.0, 2.5, 5.0, 1.0]), "score", 1, 2, 2.5,
                                  r"not a valid answer on scale 'likert5'"),
    "True among numbers": (text("score", [4, True, 5, 1]), "score", 1, 2, None,
                           r"score"),  # pandas: True/False; DuckDB reads a mixed column as text
    "boolean score": (text("score", [True, False, True, None]), "score", 1, 1, True,
                      r"score holds True/False, which is a valid answer only on the 'binary' scale"),
    "unknown scale": (base().assign(score_scale=["likert5", "likert9", "likert5", "likert5"]),
                      "score_scale", 1, 2, "likert9", r"unknown scale \(did you mean 'likert7'\?\)"),
    "missing scale": (base().assign(score_scale=["likert5", None, "likert5", "likert5"]),
                      "score_scale", 1, 2, None, r"scale name is missing"),
    "rating missing on a row": (base().assign(rating=[3.0, np.nan, 2.0, 2.0]), "rating", 1, 2, None,
                                r"rating differs between rows of journey 1 \(first row of the journey "
                                r"has 3\.0\); a journey has one rating"),
    # 3 on likert5 and on ces2010 both have valence 0: only the scale names differ
    "rating_scale differs, same valence": (
        base().assign(rating=3.0, rating_scale=["likert5", "ces2010", "likert5", "likert5"]),
        "rating_scale", 1, 2, "ces2010", r"rating_scale differs between rows of journey 1"),
    "recommend_scale differs, same valence": (
        base().assign(recommend=3.0, recommend_scale=["likert5", "ces2010", "likert5", "likert5"]),
        "recommend_scale", 1, 2, "ces2010", r"recommend_scale differs between rows of journey 1"),
    "off-scale rating": (base().assign(rating=[11.0, 11.0, 2.0, 2.0]), "rating", 1, 1, 11.0,
                         r"not a valid answer on scale 'stars10'"),
    "text timestamp": (text("timestamp", ["2026-01-01 10:00", "not a date", None, "n/a"]),
                       "timestamp", 1, 2, "not a date", r"not a date/time"),
    "zoned and naive times": (text("timestamp", ["2026-01-01 10:00+01:00", "2026-01-01 12:00",
                                                 None, None]),
                              "timestamp", 1, 2, "2026-01-01 12:00", r"without a time zone"),
}


@pytest.fixture(scope="module")
def parquet_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("bad")


def _problem(err):
    assert err.problems, str(err)
    return err.problems[0]


@pytest.mark.parametrize("case", list(BAD))
def test_duckdb_refuses_a_bad_frame_naming_journey_step_column_value(case):
    df, column, journey, step, value, message = BAD[case]
    with pytest.raises(JourneyDataError, match=message) as info:
        summarize(df, metrics=["mean"])
    p = _problem(info.value)
    assert p["column"] == column
    assert p["journey"] == journey and p["step"] == step
    if value is not None:
        assert p["value"] == value
    assert info.value.total >= 1


# Parquet holds one type per column: True among numbers cannot be written (the frame cases above
# cover it); every other defect is written to a file and must be refused naming that file.
IN_PARQUET = [case for case in BAD if case != "True among numbers"]


@pytest.mark.parametrize("case", IN_PARQUET)
def test_duckdb_refuses_a_bad_parquet_file_naming_the_file(case, parquet_dir):
    df, column, journey, step, value, message = BAD[case]
    path = parquet_dir / f"{case.replace(' ', '_').replace(',', '')}.parquet"
    df.to_parquet(path)
    with pytest.raises(JourneyDataError, match=message) as info:
        jl.journey_summary(str(path))  # the one entry point dispatches Parquet paths to DuckDB
    p = _problem(info.value)
    assert p["file"] == str(path) and p["column"] == column and p["step"] == step
    assert str(path) in str(info.value)


@pytest.mark.parametrize("case", list(BAD))
def test_pandas_refuses_the_same_bad_frames(case):
    df = BAD[case][0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # day/month ambiguity is not the point here
        with pytest.raises(JourneyDataError):
            jl.validate(df)
        with pytest.raises(JourneyDataError):
            jl.journey_summary(df)


def test_same_file_twice_is_refused_up_front(tmp_path):
    base().to_parquet(tmp_path / "a.parquet")
    (tmp_path / "sub").mkdir()
    for paths in ([tmp_path / "a.parquet", tmp_path / "a.parquet"],
                  [str(tmp_path / "*.parquet"), str(tmp_path / "a*.parquet")]):
        with pytest.raises(JourneyDataError, match=r"the same file is given twice") as info:
            summarize(paths)
        assert info.value.problems[0]["file"].endswith("a.parquet")


def test_duplicates_across_two_files_name_both(tmp_path):
    base().to_parquet(tmp_path / "jan.parquet")
    base().iloc[:1].to_parquet(tmp_path / "feb.parquet")
    with pytest.raises(JourneyDataError, match=r"duplicate step 1 in journey 1 \(2 rows, also in "
                                               r"file '.*jan.parquet'\)") as info:
        summarize(str(tmp_path / "*.parquet"))
    assert info.value.problems[0]["file"] == str(tmp_path / "feb.parquet")


@pytest.mark.parametrize("steps, duplicate", [
    ([1, 65, 129], False),          # 64 apart: one bit, checked exactly, no duplicate
    ([1, 65, 65], True),            # the same, with a duplicate
    (list(range(70)), False),       # more steps than bits
    ([5, 5, 6], True),              # a duplicate the bits see at once
])
def test_duplicates_the_quick_check_cannot_clear_are_checked_exactly(steps, duplicate, tmp_path):
    df = pd.DataFrame({"journey_id": 1, "step": steps, "touchpoint": "a", "score": 3.0,
                       "score_scale": "likert5", "rating": 3.0, "rating_scale": "likert5"})
    df = pd.concat([df, df.assign(journey_id=2, step=range(len(df)))], ignore_index=True)
    out = tmp_path / "summary.parquet"
    for kwargs in ({}, {"batch_rows": 3}, {"out": out}):
        if duplicate:
            with pytest.raises(JourneyDataError, match=r"duplicate step \d+ in journey 1 \(2 rows\)"):
                summarize(df, metrics=["mean"], **kwargs)
            assert not out.exists()  # no summary file is left behind
        else:
            got = summarize(df, metrics=["mean"], **kwargs)
            got = pd.read_parquet(got) if "out" in kwargs else got
            assert got["journey_id"].tolist() == [1, 2] and list(got.columns) == ["journey_id", "mean"]


def test_an_empty_table_is_refused(tmp_path):
    base().iloc[:0].to_parquet(tmp_path / "empty.parquet")
    for source in (base().iloc[:0], tmp_path / "empty.parquet"):
        with pytest.raises(JourneyDataError, match="the table is empty"):
            summarize(source)
    with pytest.raises(JourneyDataError, match="the table is empty"):
        jl.validate(base().iloc[:0])


def test_many_problems_are_counted_and_twenty_listed():
    df = base().iloc[[0] * 30].assign(journey_id=range(30), score="zes")
    with pytest.raises(JourneyDataError) as info:
        summarize(df)
    assert info.value.total == 30 and len(info.value.problems) == 20
    assert "and 10 more" in str(info.value)


def test_long_values_are_cut_in_messages():
    df = text("score", ["4", "x" * 500, "5", "1"])
    with pytest.raises(JourneyDataError) as info:
        summarize(df)
    assert len(str(info.value)) < 400


@pytest.mark.parametrize("token", NA_TOKENS + tuple(t.upper() for t in NA_TOKENS if t))
def test_missing_tokens_are_missing_on_the_duckdb_path(token):
    df = text("score", ["4", f" {token} ", "5", "1"])
    got = summarize(df, metrics=["n_missing", "mean"])
    ref = jl.journey_summary(df, metrics=["n_missing", "mean"])
    pd.testing.assert_frame_equal(got, ref, check_dtype=False)
    assert got["n_missing"].tolist() == [1, 0]


@pytest.mark.parametrize("token", ERROR_TOKENS)
def test_error_tokens_are_errors_on_the_duckdb_path(token):
    with pytest.raises(JourneyDataError, match="spreadsheet error value"):
        summarize(text("score", ["4", token.upper(), "5", "1"]))


@pytest.mark.parametrize("cell, number", [(" 4 ", 4.0), ("4.0", 4.0), ("+4", 4.0), ("4.", 4.0),
                                          ("4e0", 4.0), (".4e1", 4.0)])
def test_numbers_in_text_read_as_pandas_reads_them(cell, number):
    got = summarize(text("score", ["2", cell, "5", "1"]), metrics=["max"])
    assert got["max"].iloc[0] == pytest.approx(2 * (number - 1) / 4 - 1)


@pytest.mark.parametrize("cell", ["1_000", "0x4", "4,0", "4d", "١", "four", "inf inf", "-nan"])
def test_text_pandas_does_not_read_is_not_a_number(cell):
    df = text("score", ["2", cell, "5", "1"])
    with pytest.raises(JourneyDataError, match="score is not a number"):
        summarize(df)
    with pytest.raises(JourneyDataError):
        jl.validate(df)


@pytest.mark.parametrize("yes, no", [("yes", "no"), (" Ja ", "NEE"), ("true", "f")])
def test_yes_no_words_are_answers_on_the_binary_scale_only(yes, no):
    df = text("score", [yes, no, "1", None]).assign(score_scale="binary")
    pd.testing.assert_frame_equal(summarize(df, metrics=["mean", "n_missing"]),
                                  jl.journey_summary(df, metrics=["mean", "n_missing"]),
                                  check_dtype=False)
    assert summarize(df, metrics=["mean"])["mean"].tolist() == [0.0, 1.0]
    with pytest.raises(JourneyDataError, match="score is not a number"):
        summarize(df.assign(score_scale="likert5"))


def test_booleans_count_on_the_binary_scale():
    df = text("score", [True, False, True, None]).assign(score_scale="binary")
    pd.testing.assert_frame_equal(summarize(df, metrics=["mean", "n_missing"]),
                                  jl.journey_summary(df, metrics=["mean", "n_missing"]),
                                  check_dtype=False)


def test_time_zones_and_dst_offsets_give_true_durations():
    zoned = pd.to_datetime(["2026-03-29 01:30+01:00", "2026-03-29 03:30+02:00",
                            "2026-10-25 02:30+02:00", "2026-10-25 02:30+01:00"], utc=True)
    for ts in (zoned.tz_convert("Europe/Amsterdam"),
               pd.Series(["2026-03-29 01:30+01:00", "2026-03-29T03:30:00+0200",
                          "2026-10-25 02:30 +02:00", "2026-10-25 02:30:00+01:00"], dtype=object)):
        got = summarize(base().assign(timestamp=ts), metrics=["duration"])
        assert got["duration"].tolist() == [pd.Timedelta(hours=1), pd.Timedelta(hours=1)]


def test_huge_unsigned_ids_do_not_wrap(tmp_path):
    ids = np.array([2**63 + 5, 2**63 + 5, 2**64 - 1, 2**64 - 1], dtype=np.uint64)
    df = base().assign(journey_id=ids)
    df.to_parquet(tmp_path / "big.parquet")
    for source in (df, str(tmp_path / "big.parquet")):
        got = summarize(source, metrics=["n_touchpoints"])
        assert got["journey_id"].tolist() == [2**63 + 5, 2**64 - 1]


def test_trend_is_right_for_huge_steps():
    # epoch seconds, and epoch microseconds near 2**53
    for offset, unit in ((1_700_000_000, 1), (9_000_000_000_000_000, 1), (1_700_000_000_000_000, 10**6)):
        steps = offset + np.array([0, 3, 4, 9]) * unit
        df = pd.DataFrame({"journey_id": 1, "step": steps, "touchpoint": "t",
                           "score": [1.0, 2.0, 4.0, 5.0], "score_scale": "likert5",
                           "rating": 3.0, "rating_scale": "likert5"})
        want = np.polyfit(np.array([0, 3, 4, 9]) * unit, [-1.0, -0.5, 0.5, 1.0], 1)[0]
        got = summarize(df, metrics=["trend"])["trend"].iloc[0]
        assert got == pytest.approx(want, rel=1e-9)


# --- property tests -------------------------------------------------------------------------------

SCALE_VALUES = {"smiley5": [-2, -1, 0, 1, 2], "likert5": [1, 2, 3, 4, 5], "ces2010": [1, 2, 3, 4, 5],
                "stars10": list(range(1, 11)), "percent": [0.0, 12.5, 50.0, 99.9, 100.0],
                "binary": [0, 1]}


@st.composite
def good_frames(draw, ids="int"):
    """Tidy data with the traps; rows in any order."""
    n_j = draw(st.integers(1, 5))
    big = draw(st.booleans()) if ids == "int" else False
    step_base = draw(st.sampled_from([0, 1, 1_000_000, 1_700_000_000]))
    zone = draw(st.sampled_from([None, "UTC", "Europe/Amsterdam"]))
    rows = []
    for j in range(n_j):
        jid = {"int": (2**63 + j * 7 if big else j * 3 - 2), "text": f"j{j:02d}"}[ids]
        n = draw(st.integers(1, 5))
        steps = draw(st.lists(st.integers(0, 40), min_size=n, max_size=n, unique=True))
        rscale = draw(st.sampled_from(["likert5", "ces2010", "stars10", "percent"]))
        rating = draw(st.sampled_from(SCALE_VALUES[rscale] + [np.nan]))
        for s in steps:
            scale = draw(st.sampled_from(list(SCALE_VALUES)))
            score = draw(st.sampled_from(SCALE_VALUES[scale] + [np.nan]))
            rows.append({"journey_id": jid, "step": step_base + s * draw(st.sampled_from([1, 60])),
                         "touchpoint": draw(st.sampled_from("ABC")),
                         "channel": draw(st.sampled_from(["web", "mail", None])),
                         "score": float(score), "score_scale": scale,
                         "rating": float(rating), "rating_scale": rscale,
                         "timestamp": pd.Timestamp("2026-03-29 00:30") + pd.Timedelta(
                             minutes=int(draw(st.integers(0, 600))))})
    df = pd.DataFrame(rows)
    if big:
        df["journey_id"] = df["journey_id"].astype(np.uint64)
    if zone is not None:
        df["timestamp"] = df["timestamp"].dt.tz_localize("UTC").dt.tz_convert(zone)
    order = draw(st.permutations(range(len(df))))
    return df.iloc[list(order)].reset_index(drop=True)


def assert_same(got, ref):
    assert list(got.columns) == list(ref.columns)
    assert got["journey_id"].tolist() == ref["journey_id"].tolist()
    for col in ref.columns[1:]:
        a, b = got[col], ref[col]
        if col == "recommend_scale":
            assert a.astype(str).tolist() == b.astype(str).tolist()
            continue
        if col == "duration":
            a, b = a.dt.total_seconds(), b.dt.total_seconds()
        np.testing.assert_allclose(a.to_numpy(dtype="float64", na_value=np.nan),
                                   b.to_numpy(dtype="float64", na_value=np.nan),
                                   rtol=0, atol=1e-9, equal_nan=True, err_msg=col)


@SETTINGS
@given(df=good_frames(), shuffle=st.randoms(use_true_random=False))
def test_duckdb_equals_pandas_on_tricky_good_data(df, shuffle):
    ref = jl.journey_summary(df)
    got = summarize(df)
    assert_same(got, ref)
    shuffled = df.sample(frac=1.0, random_state=shuffle.randint(0, 2**31))
    assert_same(summarize(shuffled), got)


@settings(SETTINGS, max_examples=20)
@given(df=good_frames(ids="text"))
def test_duckdb_equals_pandas_with_text_ids(df):
    assert_same(summarize(df), jl.journey_summary(df))


def _inject(df, defect, i, j):
    """`df` (two or more rows) with one defect at row `i` (`j` another row of the same journey)."""
    df = df.copy()
    if defect == "duplicate":
        df.loc[i, "step"] = df.loc[j, "step"]
    elif defect == "missing id":
        df["journey_id"] = df["journey_id"].astype(object)
        df.loc[i, "journey_id"] = None
    elif defect in ("negative step", "fractional step", "text step"):
        df["step"] = df["step"].astype(object)
        df.loc[i, "step"] = {"negative step": -1, "fractional step": 1.5, "text step": "stap 2"}[defect]
    elif defect in ("text score", "error value", "bool score"):
        df["score"] = df["score"].astype(object)
        df.loc[i, "score"] = {"text score": "zes", "error value": "#DIV/0!", "bool score": True}[defect]
        if defect == "bool score":
            df.loc[i, "score_scale"] = "likert5"
    elif defect in ("inf score", "off-scale score"):
        df.loc[i, ["score", "score_scale"]] = [np.inf if defect == "inf score" else 9.0, "likert5"]
    elif defect == "rating partly missing":
        df["rating"] = 3.0
        df.loc[i, "rating"] = np.nan
    elif defect == "rating_scale same valence":
        df["rating"], df["rating_scale"] = 3.0, "likert5"
        df.loc[i, "rating_scale"] = "ces2010"
    elif defect == "bad timestamp":
        df["timestamp"] = df["timestamp"].astype(str).astype(object)
        df.loc[i, "timestamp"] = "not a date"
    return df


DEFECTS = ["duplicate", "missing id", "negative step", "fractional step", "text step", "text score",
           "error value", "bool score", "inf score", "off-scale score", "rating partly missing",
           "rating_scale same valence", "bad timestamp"]


@SETTINGS
@given(df=good_frames(), defect=st.sampled_from(DEFECTS), data=st.data())
def test_both_paths_refuse_the_same_bad_data(df, defect, data):
    sizes = df.groupby("journey_id").size()
    multi = sizes.index[sizes > 1]
    if not len(multi):  # every defect can go into a journey of one row except the two-row ones
        if defect in ("duplicate", "rating partly missing", "rating_scale same valence"):
            df = pd.concat([df, df.iloc[:1].assign(step=df["step"].iloc[0] + 1)], ignore_index=True)
            multi = [df["journey_id"].iloc[0]]
    rows = np.flatnonzero((df["journey_id"] == data.draw(st.sampled_from(list(multi)))).to_numpy()
                          ) if len(multi) else np.arange(len(df))
    i, j = (int(rows[0]), int(rows[-1])) if len(rows) > 1 else (int(rows[0]), int(rows[0]))
    bad = _inject(df, defect, i, j)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        with pytest.raises(JourneyDataError):
            jl.validate(bad)
        with pytest.raises(JourneyDataError):
            jl.journey_summary(bad)
    with pytest.raises(JourneyDataError):
        summarize(bad)
