"""Scales, valence, NPS categories and the face table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import journeylib as jl
from journeylib import scales
from journeylib.scales import (
    CANONICAL_FACES,
    EMOTICONS,
    FACES,
    SCALES,
    add_valence,
    face_score,
    from_valence,
    get_scale,
    is_face,
    nps_category,
    valence,
)

# The scales the issue asks for, with the range written out by hand (not read from SCALES).
EXPECTED_RANGES = {
    "smiley5": (-2, 2),
    "likert5": (1, 5),
    "likert7": (1, 7),
    "nps11": (0, 10),
    "stars10": (1, 10),
    "binary": (0, 1),
    "percent": (0, 100),
    "ces2010": (1, 5),
}


@pytest.mark.parametrize("name", sorted(EXPECTED_RANGES))
def test_scale_ranges(name):
    s = get_scale(name)
    assert (s.low, s.high) == EXPECTED_RANGES[name]
    assert s.reversed is (name == "ces2010")


@pytest.mark.parametrize("name", sorted(EXPECTED_RANGES))
def test_valence_endpoints_and_midpoint(name):
    low, high = EXPECTED_RANGES[name]
    sign = -1.0 if name == "ces2010" else 1.0
    assert valence(low, name) == -sign
    assert valence(high, name) == sign
    assert valence((low + high) / 2, name) == pytest.approx(0.0)


def test_valence_hand_worked_values():
    # 2 * (x - low) / (high - low) - 1, by hand
    assert valence(4, "likert5") == 0.5
    assert valence(7, "nps11") == pytest.approx(0.4)
    assert valence(3, "likert7") == pytest.approx(-1 / 3)
    assert valence(-1, "smiley5") == -0.5
    assert valence(2, "ces2010") == 0.5  # low effort is good
    assert valence(4, "ces2010") == -0.5
    assert valence(75, "percent") == 0.5
    assert valence(0.3, "valence") == pytest.approx(0.3)


def test_valence_per_row_scales_and_nan():
    out = valence([1, 10, np.nan, 5], ["likert5", "nps11", "likert5", "ces2010"])
    np.testing.assert_allclose(out, [-1.0, 1.0, np.nan, -1.0])
    assert np.isnan(valence(np.nan, "likert5"))


def test_valence_missing_scale_name_is_an_error():
    with pytest.raises(ValueError, match="scale name is missing"):
        valence([1, 2], ["likert5", None])


def test_from_valence_inverse_examples():
    assert from_valence(0.5, "likert5") == 4.0
    assert from_valence(-1.0, "nps11") == 0.0
    assert from_valence(1.0, "ces2010") == 1.0
    assert from_valence(-1.0, "ces2010") == 5.0
    np.testing.assert_allclose(from_valence([-1, 0, 1], ["smiley5", "stars10", "percent"]),
                               [-2.0, 5.5, 100.0])


def test_nps_category_boundaries():
    cats = nps_category(np.arange(11))
    assert list(cats) == ["detractor"] * 7 + ["passive"] * 2 + ["promoter"] * 2
    assert nps_category(6) == "detractor"
    assert nps_category(7) == "passive"
    assert nps_category(8) == "passive"
    assert nps_category(9) == "promoter"
    withnan = nps_category([np.nan, 10])
    assert pd.isna(withnan[0]) and withnan[1] == "promoter"


@pytest.mark.parametrize("bad", [11, -1, 7.5])
def test_nps_category_rejects_off_scale(bad):
    with pytest.raises(ValueError, match="whole numbers 0-10"):
        nps_category([3, bad])


def test_unknown_scale_lists_known_ones():
    with pytest.raises(ValueError) as err:
        get_scale("likret5")
    msg = str(err.value)
    assert "'likret5'" in msg
    assert "Did you mean 'likert5'?" in msg
    for name in EXPECTED_RANGES:
        assert name in msg
    with pytest.raises(ValueError, match="Known scales: smiley5"):
        valence(3, "ten-point")


def test_canonical_faces():
    expected = {"\U0001f616": -2, "\U0001f641": -1, "\U0001f615": -1, "\U0001f610": 0,
                "\U0001f642": 1, "\U0001f603": 2}
    assert CANONICAL_FACES == expected
    for face, score in expected.items():
        assert face_score(face) == score
        assert is_face(face)


@pytest.mark.parametrize(
    ("face", "sign"),
    [("\U0001f600", 1), ("\U0001f604", 1), ("\U0001f601", 1), ("\U0001f60a", 1),
     ("\U0001f60d", 1), ("\U0001f61e", -1), ("\U0001f61f", -1), ("\u2639\ufe0f", -1),
     ("\U0001f620", -1), ("\U0001f621", -1), ("\U0001f622", -1)],
)
def test_wider_faces_have_the_right_sign(face, sign):
    # 😀 😄 😁 😊 😍 positive; 😞 😟 ☹️ 😠 😡 😢 negative (the list)
    assert np.sign(face_score(face)) == sign
    assert -2 <= face_score(face) <= 2


@pytest.mark.parametrize(
    ("emoticon", "score"),
    [(":-D", 2), (":D", 2), (":)", 1), (":-)", 1), (":-|", 0), (":|", 0), (":(", -1),
     (":-(", -1), (":'(", -2)],
)
def test_emoticons(emoticon, score):
    assert EMOTICONS[emoticon] == score
    assert face_score(emoticon) == score


def test_face_table_is_the_union_and_on_smiley5():
    assert set(CANONICAL_FACES) <= set(FACES)
    assert set(EMOTICONS) <= set(FACES)
    assert all(-2 <= v <= 2 for v in FACES.values())


def test_face_score_array():
    out = face_score(["\U0001f642", ":(", "\U0001f616"])
    assert out.tolist() == [1, -1, -2]
    assert out.dtype == np.int64


def test_unknown_face_lists_known_faces():
    with pytest.raises(ValueError) as err:
        face_score(":-P")
    msg = str(err.value)
    assert "':-P'" in msg
    assert "Known faces:" in msg
    for face in [*CANONICAL_FACES, ":-)", ":-("]:
        assert face in msg
    assert not is_face(":-P")


def test_add_valence_copies_and_computes():
    df = pd.DataFrame({"score": [1, 3, -2], "score_scale": ["likert5", "ces2010", "smiley5"],
                       "rating": [7, 7, 7], "rating_scale": "nps11"})
    before = df.copy()
    out = add_valence(df)
    pd.testing.assert_frame_equal(df, before)
    assert "valence" not in df.columns
    np.testing.assert_allclose(out["valence"], [-1.0, 0.0, -1.0])
    np.testing.assert_allclose(out["rating_valence"], [0.4, 0.4, 0.4])


def test_public_names_reach_the_package():
    assert jl.valence is scales.valence
    assert jl.SCALES is SCALES
    assert jl.face_score is face_score


# --- property tests ------------------------------------------------------------------------------


def _on_scale(name):
    """Hypothesis strategy: valid answers on scale `name`."""
    s = SCALES[name]
    if s.integer:
        return st.integers(int(s.low), int(s.high))
    return st.floats(s.low, s.high, allow_nan=False)


scale_names = st.sampled_from(sorted(SCALES))


@st.composite
def scale_and_values(draw):
    name = draw(scale_names)
    values = draw(st.lists(_on_scale(name), min_size=1, max_size=20))
    return name, np.array(values, dtype="float64")


@settings(max_examples=150, deadline=None)
@given(scale_and_values())
def test_property_valence_within_unit_interval(case):
    name, values = case
    v = valence(values, name)
    assert np.all(v >= -1.0) and np.all(v <= 1.0)


@settings(max_examples=150, deadline=None)
@given(scale_and_values())
def test_property_valence_monotone(case):
    name, values = case
    x = np.sort(values)
    v = valence(x, name)
    d = np.diff(v)
    if SCALES[name].reversed:
        assert np.all(d <= 0)
    else:
        assert np.all(d >= 0)
    # strictly: answers that differ by more than rounding never share a valence
    s = SCALES[name]
    distinct = np.diff(x) > 1e-9 * (s.high - s.low)
    assert np.all(d[distinct] != 0)


@settings(max_examples=150, deadline=None)
@given(scale_and_values())
def test_property_inverse_round_trips(case):
    name, values = case
    np.testing.assert_allclose(from_valence(valence(values, name), name), values,
                               rtol=1e-12, atol=1e-9)


@settings(max_examples=150, deadline=None)
@given(scale_names, st.lists(st.floats(-1, 1, allow_nan=False), min_size=1, max_size=20))
def test_property_valence_of_inverse_round_trips(name, v):
    v = np.array(v)
    back = from_valence(v, name)
    s = SCALES[name]
    assert np.all(back >= s.low - 1e-9) and np.all(back <= s.high + 1e-9)
    np.testing.assert_allclose(valence(back, name), v, atol=1e-12)


def test_valence_accepts_names_as_categorical_string_or_object():
    names = ["likert5", "ces2010", "nps11", "likert5"]
    x = [4, 4, 7, 1]
    want = [0.5, -0.5, 0.4, -1.0]
    for scale in (names, np.array(names, dtype=object), pd.Series(names, dtype="str"),
                  pd.Series(names, dtype="category"), pd.Categorical(names)):
        np.testing.assert_allclose(valence(x, scale), want)
    with_unused = pd.Series(pd.Categorical(names, categories=["likert5", "ces2010", "nps11",
                                                              "stars10"]))
    np.testing.assert_allclose(valence(x, with_unused), want)
    with pytest.raises(ValueError, match="scale name is missing"):
        valence(x, pd.Series(["likert5", None, "nps11", "likert5"], dtype="category"))


def test_face_score_array_names_the_first_unknown_face():
    with pytest.raises(ValueError, match=r"Unknown face ':-P'"):
        face_score(["\U0001f642", ":-P", "nope"])
    assert face_score([]).tolist() == []


def test_face_score_ignores_skin_tone_and_variation_selector():
    smile, frown = "\U0001f642", "\u2639"
    for tone in "\U0001f3fb\U0001f3fc\U0001f3fd\U0001f3fe\U0001f3ff":
        assert face_score(smile + tone) == 1
        assert is_face(smile + tone)
    assert face_score(frown + "\ufe0f") == -1
    assert face_score("\U0001f603\U0001f3ff\ufe0f") == 2
    assert face_score([smile + "\U0001f3fd", ":(", "\U0001f616"]).tolist() == [1, -1, -2]
    with pytest.raises(ValueError, match="Unknown face"):
        face_score("\U0001f3fd")  # a modifier alone is no face
    assert not is_face("\U0001f3fd")


def test_valence_of_one_scale_categorical_leaves_input_alone():
    x = np.array([-2.0, 0.0, np.nan, 2.0])
    keep = x.copy()
    got = valence(x, pd.Series(["smiley5"] * 4, dtype="category"))
    np.testing.assert_array_equal(got, [-1.0, 0.0, np.nan, 1.0])
    np.testing.assert_array_equal(x, keep)
    np.testing.assert_array_equal(valence(np.array([1.0, 5.0]), pd.Categorical(["ces2010"] * 2)),
                                  [1.0, -1.0])
    with pytest.raises(ValueError, match="scale name is missing"):
        valence(x, pd.Series(["smiley5", None, "smiley5", "smiley5"], dtype="category"))


@pytest.fixture
def registry():
    """The process-wide scale registry, restored after the test."""
    from journeylib.scales import SCALES

    saved = dict(SCALES)
    yield SCALES
    SCALES.clear()
    SCALES.update(saved)


def test_user_defined_scale_and_the_dutch_grade(registry):
    """A user's scale is known everywhere once registered; the 1-10 grade takes decimals (issue 14)."""
    import journeylib as jl

    grade = jl.get_scale("grade10")
    assert (grade.low, grade.high, grade.integer) == (1, 10, False)
    assert float(jl.valence(7.5, "grade10")) == pytest.approx(2 * 6.5 / 9 - 1)
    jl.register_scale(jl.Scale("stars4", 1, 4, description="four stars"))
    df = pd.DataFrame({"journey_id": [1, 1], "step": [1, 2], "touchpoint": ["web", "mail"],
                       "score": [4, 1], "score_scale": "stars4", "rating": 7.5,
                       "rating_scale": "grade10"})
    s = jl.journey_summary(df, metrics=["mean", "rating"])
    assert s["mean"].iloc[0] == pytest.approx(0.0) and s["rating"].iloc[0] == pytest.approx(4 / 9)
    with pytest.raises(jl.JourneyDataError, match="not a valid answer on scale 'stars4'"):
        jl.validate(df.assign(score=[5, 1]))
    with pytest.raises(ValueError, match="taken by"):
        jl.register_scale(jl.Scale("stars4", 0, 4))
    jl.register_scale(jl.Scale("stars4", 0, 4), replace=True)
    with pytest.raises(ValueError, match="taken by"):
        jl.register_scale(jl.Scale("likert5", 0, 4), replace=True)
    with pytest.raises(ValueError, match="low < high"):
        jl.register_scale(jl.Scale("bad", 5, 1))
    # passed where a name is accepted: registered on the way
    assert jl.get_scale(jl.Scale("pct1000", 0, 1000, integer=False)).name == "pct1000"
    assert "pct1000" in jl.SCALES
