"""check_consistency: each check against an independent computation, on made-up and on real data."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from journeylib.datasets import skytrax
from journeylib.datasets.skytrax import MIRROR_ENV, SKYTRAX_FILES, fetch_skytrax
from journeylib.quality import check_consistency

TPS = ["web", "mail", "phone", "shop"]


def _tidy(scores, rating, *, rating_scale="likert5", ids=None, **extra):
    """Tidy frame from a (journeys x touchpoints) likert5 score matrix and one rating per journey."""
    n, k = scores.shape
    ids = np.arange(1, n + 1) if ids is None else np.asarray(ids)
    df = pd.DataFrame({
        "journey_id": np.repeat(ids, k), "step": np.tile(np.arange(1, k + 1), n),
        "touchpoint": np.tile(TPS[:k], n), "score": scores.reshape(-1), "score_scale": "likert5",
        "rating": np.repeat(rating, k),
        "rating_scale": np.repeat(rating_scale, k) if np.ndim(rating_scale) else rating_scale,
    })
    # a free text per journey, so journeys with equal scores are not taken for duplicates
    extra.setdefault("text", np.array([f"review {i}" for i in ids]))
    for name, values in extra.items():
        df[name] = np.repeat(values, k)
    return df


def _get(report, check, column="value"):
    return report.set_index("check").loc[check, column]


@pytest.fixture
def related():
    """Touchpoints driven by one latent satisfaction; the rating by the same, with its own noise."""
    rng = np.random.default_rng(7)
    latent = rng.normal(size=300)
    scores = np.clip(np.round(3 + 1.2 * latent[:, None] + rng.normal(size=(300, 4))), 1, 5)
    rating = np.clip(np.round(3 + 1.2 * latent + rng.normal(size=300)), 1, 5)
    return scores, rating


def test_columns_and_the_unflagged_case(related):
    scores, rating = related
    report = check_consistency(_tidy(scores, rating))
    assert list(report.columns) == ["check", "value", "threshold", "flagged", "message"]
    assert list(report["check"]) == [
        "journeys", "touchpoint_correlation", "rating_correlation",
        *[f"rating_correlation[{t}]" for t in TPS], "derived_rating", "duplicates", "placeholder_dates"]
    assert not report["flagged"].any()
    assert _get(report, "journeys") == 300


def test_correlations_equal_independent_pearson(related):
    scores, rating = related
    report = check_consistency(_tidy(scores, rating))
    corr = np.corrcoef(scores, rowvar=False)
    assert _get(report, "touchpoint_correlation") == pytest.approx(np.median(corr[np.triu_indices(4, 1)]))
    assert _get(report, "rating_correlation") == pytest.approx(stats.pearsonr(scores.mean(axis=1), rating)[0])
    for i, tp in enumerate(TPS):
        assert _get(report, f"rating_correlation[{tp}]") == pytest.approx(stats.pearsonr(scores[:, i], rating)[0])


def test_unrelated_touchpoints_and_rating_are_flagged_in_words():
    rng = np.random.default_rng(3)
    scores = rng.integers(1, 6, size=(400, 4)).astype(float)
    rating = rng.integers(1, 6, size=400).astype(float)
    report = check_consistency(_tidy(scores, rating))
    assert _get(report, "touchpoint_correlation", "flagged")
    assert "touchpoints look unrelated to each other" in _get(report, "touchpoint_correlation", "message")
    assert _get(report, "rating_correlation", "flagged")
    assert "rating unrelated to touchpoints" in _get(report, "rating_correlation", "message")
    assert _get(report, "rating_correlation[web]", "flagged")
    assert "web looks unrelated to the rating" in _get(report, "rating_correlation[web]", "message")


def test_derived_rating_share_and_flag(related):
    scores, rating = related
    derived = np.round(scores.mean(axis=1))  # halves to even, as the check rounds
    report = check_consistency(_tidy(scores, derived))
    assert _get(report, "derived_rating") == 1.0
    assert _get(report, "derived_rating", "flagged")
    assert "rating looks derived from the touchpoints" in _get(report, "derived_rating", "message")
    own = check_consistency(_tidy(scores, rating))
    assert _get(own, "derived_rating") == pytest.approx(np.mean(np.round(scores.mean(axis=1)) == rating))
    assert not _get(own, "derived_rating", "flagged")


def test_derived_rating_maps_the_mean_onto_each_rows_rating_scale(related):
    scores, _ = related
    mean = scores.mean(axis=1)
    on10 = np.round(1 + (mean - 1) * 9 / 4)  # likert5 mean onto 1-10
    scale = np.where(np.arange(300) % 2 == 0, "stars10", "likert5")
    rating = np.where(scale == "stars10", on10, np.round(mean))
    rating[:30] = np.where(rating[:30] > 1, rating[:30] - 1, rating[:30] + 1)  # 30 of 300 differ
    report = check_consistency(_tidy(scores, rating, rating_scale=scale))
    assert _get(report, "derived_rating") == pytest.approx(0.9)
    assert _get(report, "derived_rating", "flagged")  # at the threshold counts


def test_duplicates_and_placeholder_dates(related):
    scores, rating = related
    dates = pd.date_range("2014-01-01", periods=300, freq="D").to_numpy().copy()
    dates[[5, 9]] = np.datetime64("1970-01-01")
    df = _tidy(scores, rating, timestamp=dates)
    copy = df[df["journey_id"].isin([3, 4])].assign(journey_id=lambda d: d["journey_id"] + 1000)
    report = check_consistency(pd.concat([df, copy], ignore_index=True))
    assert _get(report, "duplicates") == 2
    assert "2 journeys repeat an earlier journey" in _get(report, "duplicates", "message")
    assert _get(report, "placeholder_dates") == 2
    assert _get(report, "placeholder_dates", "flagged")
    plain = check_consistency(_tidy(scores, rating))
    assert np.isnan(_get(plain, "placeholder_dates")) and not _get(plain, "placeholder_dates", "flagged")
    assert _get(plain, "duplicates") == 0


def test_caller_frame_untouched_and_row_order_irrelevant(related):
    scores, rating = related
    df = _tidy(scores, rating)
    before = df.copy()
    report = check_consistency(df)
    pd.testing.assert_frame_equal(df, before)
    shuffled = df.sample(frac=1, random_state=1).reset_index(drop=True)
    pd.testing.assert_frame_equal(check_consistency(shuffled), report)


def test_too_few_journeys_give_nan_not_flags():
    df = _tidy(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([2.0, 4.0]))
    report = check_consistency(df)
    assert np.isnan(_get(report, "touchpoint_correlation"))
    assert not _get(report, "touchpoint_correlation", "flagged")
    assert "too few journeys" in _get(report, "rating_correlation[web]", "message")


# --- on the Skytrax files ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def skytrax_data(data_mirror, tmp_path_factory):
    home = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as mp, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        mp.setenv(MIRROR_ENV, str(data_mirror))
        mp.setattr(skytrax, "_http_download", lambda *a: pytest.fail("network"))
        return {"lounge": fetch_skytrax("lounge", data_home=home),
                "lounge_raw": fetch_skytrax("lounge", data_home=home, raw=True),
                "seat": fetch_skytrax("seat", data_home=home, text=True),
                "seat_raw": fetch_skytrax("seat", data_home=home, raw=True),
                "airline": fetch_skytrax("airline", data_home=home)}


def test_lounge_before_2015_is_flagged_as_derived(skytrax_data):
    tidy, raw = skytrax_data["lounge"], skytrax_data["lounge_raw"]
    old = tidy[tidy["timestamp"] < "2015-01-01"]
    report = check_consistency(old)
    # independently, from the raw file: zeros are "not rated", reviews with 2+ rated sub-ratings
    sub = [c for c in raw if c.endswith("_rating") and c != "overall_rating"]
    r = raw[(pd.to_datetime(raw["date"]) < "2015-01-01") & raw["overall_rating"].notna()]
    s = r[sub].replace(0, np.nan)
    r, s = r[s.count(axis=1) >= 2], s[s.count(axis=1) >= 2]
    expected = np.mean(np.round(s.mean(axis=1)) == r["overall_rating"])
    assert _get(report, "derived_rating") == pytest.approx(expected)
    assert _get(report, "derived_rating", "flagged")
    # where every aspect was rated, the 99.6% (within 0.5 points)
    complete = old.groupby("journey_id")["score"].transform("count") == len(sub)
    assert _get(check_consistency(old[complete]), "derived_rating") == pytest.approx(0.996, abs=0.005)


def test_seat_duplicates_and_placeholder_dates(skytrax_data):
    report = check_consistency(skytrax_data["seat"])
    raw = skytrax_data["seat_raw"]
    # MANIFEST: 26 rows dated 1970-01-01
    assert _get(report, "placeholder_dates") == (raw["date"] == "1970-01-01").sum() == 26
    # exact duplicates over the columns the loader keeps (text included); the manifest's 8 also
    # match on author, which the loader drops, and 2 of its 8 differ in aircraft or sub-ratings
    kept = ["airline_name", "date", "type_traveller", "cabin_flown", "overall_rating", "recommended",
            "title", "content", *[c for c in raw if c.endswith("_rating")]]
    assert _get(report, "duplicates") == raw[raw["overall_rating"].notna()].duplicated(kept).sum() == 6


def test_airline_reviews_pass_the_relation_checks(skytrax_data):
    report = check_consistency(skytrax_data["airline"])
    assert not report.set_index("check").loc[
        ["touchpoint_correlation", "rating_correlation", "derived_rating"], "flagged"].any()
    assert _get(report, "rating_correlation") == pytest.approx(0.89, abs=0.015)
    assert SKYTRAX_FILES["airline"].name_column == "airline_name"


def test_repeated_touchpoints_use_journey_summarys_mean_of_all_moments():
    # likert5 moments (valence): j1 web 5, web 5, mail 1 -> mean of moments (1 + 1 - 1) / 3 = 1/3,
    # while the mean of per-touchpoint means would be (1 + -1) / 2 = 0; j2 all 3 -> 0;
    # j3 web 1, mail 5, mail 5 -> 1/3 (per-touchpoint: 0).  On likert5 1/3 is 3 + 2/3 -> 4.
    df = pd.DataFrame({
        "journey_id": np.repeat([1, 2, 3], 3), "step": np.tile([1, 2, 3], 3),
        "touchpoint": ["web", "web", "mail", "web", "mail", "mail", "web", "mail", "mail"],
        "score": [5, 5, 1, 3, 3, 3, 1, 5, 5], "score_scale": "likert5",
        "rating": np.repeat([4, 3, 4], 3), "rating_scale": "likert5"})
    report = check_consistency(df, min_overlap=3)
    # means 1/3, 0, 1/3 against rating valences 0.5, 0, 0.5: perfectly correlated
    assert _get(report, "rating_correlation") == pytest.approx(1.0)
    # every rating is the rounded mean of all moments (with per-touchpoint means only j2 would be)
    assert _get(report, "derived_rating") == 1.0
