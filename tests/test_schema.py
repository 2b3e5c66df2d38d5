"""The tidy contract: one test per validation error kind, dtypes, the caller's frame, the limit."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import journeylib as jl
from journeylib.schema import (
    MAX_PROBLEMS,
    OPTIONAL,
    REQUIRED,
    JourneyDataError,
    spreadsheet_row,
    validate,
)


@pytest.fixture
def good():
    """Two journeys; journey 1 has three moments, journey 2 two."""
    return pd.DataFrame({
        "journey_id": [1, 1, 1, 2, 2],
        "step": [1, 2, 3, 1, 2],
        "touchpoint": ["webshop", "email", "phone", "app", "chatbot"],
        "score": [5, 2, 1, 4, 4],
        "score_scale": "likert5",
        "rating": [3, 3, 3, 9, 9],
        "rating_scale": "stars10",
    })


def raises(df, **kwargs) -> JourneyDataError:
    with pytest.raises(JourneyDataError) as err:
        validate(df, **kwargs)
    return err.value


def names_row_and_column(err, row, column):
    """The message has a line naming this spreadsheet row and column."""
    pattern = rf"row {row}, column '{re.escape(column)}'"
    return re.search(pattern, str(err)) is not None


def test_contract_names():
    assert REQUIRED == ("journey_id", "step", "touchpoint", "score", "score_scale", "rating",
                        "rating_scale")
    assert {"channel", "actor", "timestamp", "face", "text", "recommend"} <= set(OPTIONAL)
    assert spreadsheet_row(0) == 2


def test_error_is_a_value_error():
    assert issubclass(JourneyDataError, ValueError)
    assert jl.JourneyDataError is JourneyDataError


# --- one test per error kind ----------------------------------------------------------------------


def test_missing_required_column_suggests_closest(good):
    err = raises(good.rename(columns={"rating": "ratng"}))
    assert "column 'rating'" in str(err)
    assert "required column is missing" in str(err)
    assert "did you mean 'ratng'?" in str(err)
    assert err.problems == [{"row": None, "column": "rating", "message": err.problems[0]["message"]}]


def test_non_numeric_score(good):
    df = good.astype({"score": object})
    df.loc[3, "score"] = "good"  # data row 4 = spreadsheet row 5
    err = raises(df)
    assert names_row_and_column(err, 5, "score")
    assert "value 'good'" in str(err)
    assert "score is not a number" in str(err)
    assert len(err.problems) == 1


def test_score_outside_scale(good):
    err = raises(good.assign(score=[5, 2, 6, 4, 0]))
    assert names_row_and_column(err, 4, "score")
    assert names_row_and_column(err, 6, "score")
    assert "value 6" in str(err) and "value 0" in str(err)
    assert "expected a whole number from 1 to 5" in str(err)
    assert err.total == 2


def test_fraction_on_integer_scale(good):
    err = raises(good.assign(score=[5, 2.5, 1, 4, 4]))
    assert names_row_and_column(err, 3, "score")
    assert "value 2.5" in str(err)


def test_rating_outside_its_own_scale(good):
    # 10 is fine on stars10 but not on likert5: the rating's scale decides
    err = raises(good.assign(rating=[3, 3, 3, 10, 10], rating_scale="likert5"))
    # a journey has one rating: reported once, on the journey's first row
    assert names_row_and_column(err, 5, "rating")
    assert err.total == 1
    validate(good.assign(rating=[3, 3, 3, 10, 10]))


def test_unknown_scale_name(good):
    err = raises(good.assign(score_scale=["likert5", "likert5", "likret5", "likert5", "likert5"]))
    assert names_row_and_column(err, 4, "score_scale")
    assert "value 'likret5'" in str(err)
    assert "did you mean 'likert5'?" in str(err)
    assert "known scales: smiley5" in str(err)


def test_duplicate_journey_step(good):
    err = raises(good.assign(step=[1, 2, 3, 1, 1]))
    assert names_row_and_column(err, 6, "step")
    assert "duplicate step 1 in journey 2 (already on row 5)" in str(err)
    assert len(err.problems) == 1


def test_duplicate_points_at_the_first_occurrence_after_earlier_duplicates(good):
    # rows 2,3 duplicate in journey 1; rows 5,6 in journey 2: the twin of row 6 is row 5
    err = raises(good.assign(step=[1, 1, 2, 1, 1]))
    assert "duplicate step 1 in journey 1 (already on row 2)" in str(err)
    assert "duplicate step 1 in journey 2 (already on row 5)" in str(err)


def test_duplicate_in_unsorted_data(good):
    df = good.iloc[[3, 0, 4, 1, 2]].reset_index(drop=True).assign(step=[1, 1, 1, 2, 3])
    err = raises(df)
    # journey 2 sits on rows 2 and 4, both step 1
    assert names_row_and_column(err, 4, "step")
    assert "already on row 2" in str(err)


def test_rating_differs_within_journey(good):
    err = raises(good.assign(rating=[3, 3, 4, 9, 9]))
    assert names_row_and_column(err, 4, "rating")
    assert "value 4" in str(err)
    assert "rating differs between rows of journey 1 (first row of the journey has 3)" in str(err)
    assert len(err.problems) == 1


def test_rating_missing_on_one_row_of_a_journey(good):
    err = raises(good.assign(rating=[3, 3, 3, 9, np.nan]))
    assert names_row_and_column(err, 6, "rating")


def test_rating_scale_differs_within_journey(good):
    err = raises(good.assign(rating_scale=["stars10"] * 4 + ["nps11"]))
    assert names_row_and_column(err, 6, "rating_scale")


def test_missing_journey_id(good):
    err = raises(good.assign(journey_id=[1, 1, None, 2, 2]))
    assert names_row_and_column(err, 4, "journey_id")
    assert "journey_id is missing" in str(err)


def test_bad_step(good):
    err = raises(good.assign(step=[1, 2, 2.5, 1, -1]))
    assert names_row_and_column(err, 4, "step")
    assert names_row_and_column(err, 6, "step")


def test_empty_table(good):
    err = raises(good.iloc[:0])
    assert "the table is empty" in str(err)


def test_source_is_named(good):
    err = raises(good.assign(score=[5, 2, 9, 4, 4]), source="survey.csv")
    assert str(err).startswith("1 problem found in survey.csv:")
    assert err.source == "survey.csv"


def test_every_problem_is_listed_not_only_the_first(good):
    df = good.assign(score=[9, 2, 1, 4, 4], rating=[3, 3, 4, 9, 9],
                     score_scale=["likert5"] * 4 + ["nope"])
    err = raises(df)
    columns = {p["column"] for p in err.problems}
    assert {"score", "rating", "score_scale"} <= columns
    assert err.total == len(err.problems) == 3


def test_problem_limit(good):
    n = 57
    df = pd.DataFrame({"journey_id": np.arange(n), "step": 1, "touchpoint": "web",
                       "score": 99, "score_scale": "likert5", "rating": 1,
                       "rating_scale": "likert5"})
    err = raises(df)
    assert len(err.problems) == MAX_PROBLEMS == 20
    assert err.total == n
    assert str(err).startswith(f"{n} problems found:")
    assert str(err).rstrip().endswith(f"... and {n - 20} more.")
    # the listed ones are the first twenty rows, in order
    assert [p["row"] for p in err.problems] == list(range(2, 22))


def test_problems_are_dicts_with_row_column_value(good):
    err = raises(good.assign(score=[5, 2, 1, 4, 7]))
    assert err.problems[0]["row"] == 6
    assert err.problems[0]["column"] == "score"
    assert err.problems[0]["value"] == 7


def test_not_a_dataframe():
    with pytest.raises(TypeError, match="DataFrame"):
        validate([{"journey_id": 1}])


# --- what a valid table turns into --------------------------------------------------------------


def test_callers_frame_unchanged(good):
    df = good.astype({"score": object, "journey_id": "float64"})
    df["timestamp"] = ["2024-01-01 10:00"] * 5
    before = df.copy()
    out = validate(df)
    pd.testing.assert_frame_equal(df, before)
    assert out is not df
    out.loc[0, "score"] = -99.0
    pd.testing.assert_frame_equal(df, before)


def test_dtypes_normalised(good):
    df = good.assign(journey_id=[1.0, 1.0, 1.0, 2.0, 2.0], step=["1", "2", "3", "1", "2"],
                     score=["5", "2", "1", "4", None], recommend=[7, 7, 7, 10, 10],
                     timestamp=["2024-01-01"] * 5)
    out = validate(df)
    assert out["journey_id"].dtype == "int64"
    assert out["step"].dtype == "int64"
    for column in ("score", "rating", "recommend"):
        assert out[column].dtype == "float64"
    for column in ("score_scale", "rating_scale", "recommend_scale"):
        assert isinstance(out[column].dtype, pd.CategoricalDtype)
    assert (out["recommend_scale"] == "nps11").all()
    assert pd.api.types.is_datetime64_any_dtype(out["timestamp"])
    assert np.isnan(out["score"].iloc[4])
    assert out["score"].iloc[:4].tolist() == [5.0, 2.0, 1.0, 4.0]


def test_text_ids_stay_text(good):
    out = validate(good.assign(journey_id=["A-1"] * 3 + ["007"] * 2))
    assert out["journey_id"].tolist() == ["A-1"] * 3 + ["007"] * 2
    assert pd.api.types.is_string_dtype(out["journey_id"])


def test_extra_columns_and_order_kept(good):
    df = good.assign(segment=list("xyzxy")).iloc[::-1]
    out = validate(df)
    assert list(out.columns) == list(df.columns)
    assert out["segment"].tolist() == list("yxzyx")
    assert out.index.tolist() == df.index.tolist()


def test_missing_rating_is_allowed(good):
    out = validate(good.assign(rating=np.nan))
    assert out["rating"].isna().all()


def test_binary_recommend(good):
    out = validate(good.assign(recommend=[1, 1, 1, 0, 0], recommend_scale="binary"))
    assert out["recommend"].tolist() == [1.0, 1.0, 1.0, 0.0, 0.0]
    err = raises(good.assign(recommend=[1, 1, 1, 3, 3], recommend_scale="binary"))
    assert names_row_and_column(err, 5, "recommend")


def test_duplicate_check_agrees_with_pandas_duplicated():
    """The duplicate check in journey order (sorted or not) flags what DataFrame.duplicated flags."""
    from journeylib.checks import _check_duplicates, journey_layout
    from journeylib.schema import _Problems

    rng = np.random.default_rng(7)
    for _ in range(20):
        n = 60
        df = pd.DataFrame({"journey_id": rng.integers(0, 6, n), "step": rng.integers(1, 12, n)})
        ordered = df.sort_values(["journey_id", "step"]).reset_index(drop=True)
        for frame in (df, ordered, ordered.drop_duplicates().reset_index(drop=True)):
            problems = _Problems()
            lay = journey_layout(frame["journey_id"], frame["step"].to_numpy())
            _check_duplicates(frame, lay, problems)
            expected = frame.duplicated().to_numpy()
            assert problems.total == expected.sum()
            listed = {p["row"] for p in problems.items}
            assert listed == {spreadsheet_row(p) for p in np.flatnonzero(expected)[:20]}


def test_unused_unknown_category_is_dropped_not_reported(good):
    scale = pd.Categorical(["likert5"] * 5, categories=["likert5", "nope", "likert7"])
    out = validate(good.assign(score_scale=scale))
    assert list(out["score_scale"].cat.categories) == ["likert5", "likert7"]


# --- property tests: the fast checks agree with plain pandas -------------------------------------


@st.composite
def journeys(draw):
    """A small tidy table in random row order, with random duplicate steps and rating clashes."""
    n_journeys = draw(st.integers(1, 5))
    text_ids = draw(st.booleans())
    rows = []
    for j in range(n_journeys):
        jid = f"J{j}" if text_ids else j * 10
        rating = draw(st.sampled_from([1.0, 2.0, 3.0, 4.0, 5.0, np.nan]))
        for k in range(draw(st.integers(1, 4))):
            rows.append({"journey_id": jid, "step": k + 1, "rating": rating})
    df = pd.DataFrame(rows)
    n = len(df)
    # break a few things
    for _ in range(draw(st.integers(0, 3))):
        df.loc[draw(st.integers(0, n - 1)), "step"] = draw(st.integers(1, 4))
    for _ in range(draw(st.integers(0, 3))):
        df.loc[draw(st.integers(0, n - 1)), "rating"] = draw(st.sampled_from([1.0, 5.0, np.nan]))
    order = draw(st.permutations(range(n)))
    df = df.iloc[list(order)].reset_index(drop=True)
    return df.assign(touchpoint="web", score=3, score_scale="likert5", rating_scale="likert5")


def _reference_problem_rows(df):
    dup = df.duplicated(["journey_id", "step"], keep="first").to_numpy()
    # the value on the journey's first row, NaN included (groupby "first" would skip NaN)
    first_row = df.groupby("journey_id", sort=False)["rating"].transform(lambda s: s.iloc[0])
    r, f = df["rating"].to_numpy(), first_row.to_numpy()
    clash = ~((r == f) | (np.isnan(r) & np.isnan(f)))
    return ({spreadsheet_row(p) for p in np.flatnonzero(dup)},
            {spreadsheet_row(p) for p in np.flatnonzero(clash)})


@settings(max_examples=120, deadline=None)
@given(journeys())
def test_property_duplicate_and_consistency_checks_match_pandas(df):
    dup_rows, clash_rows = _reference_problem_rows(df)
    if not dup_rows and not clash_rows:
        out = validate(df)
        pd.testing.assert_frame_equal(validate(out), out)  # idempotent
        assert out["journey_id"].tolist() == df["journey_id"].tolist()  # row order kept
        return
    with pytest.raises(JourneyDataError) as err:
        validate(df)
    got_dup = {p["row"] for p in err.value.problems if p["column"] == "step"}
    got_clash = {p["row"] for p in err.value.problems if p["column"] == "rating"}
    assert got_dup == dup_rows
    assert got_clash == clash_rows
    assert err.value.total == len(dup_rows) + len(clash_rows)


def test_off_scale_mask_and_message_shared_by_validate_and_from_wide():
    from journeylib.schema import _off_scale

    mask, message = _off_scale("likert5", np.array([1.0, 5.5, np.nan, 6.0, 0.0]))
    assert mask.tolist() == [False, True, False, True, True]  # NaN is "not answered", not off
    assert message == "not a valid answer on scale 'likert5' (expected a whole number from 1 to 5)"
    _, message = _off_scale("percent", [50.0], scale_column="score_scale")
    assert message.endswith("(expected a number from 0 to 100, per column 'score_scale')")
