"""fetch_skytrax: checksummed download through a cache, the local mirror, and the loader's traps.

No test touches the network: the mirror is ../shared/data (fixture ``data_mirror``) and the HTTP
downloader is replaced by one that fails the test if it is ever called.
"""

from __future__ import annotations

import hashlib
import shutil
import warnings

import numpy as np
import pandas as pd
import pytest
import requests

from journeylib.datasets import skytrax
from journeylib.datasets.skytrax import MIRROR_ENV, SKYTRAX_FILES, fetch_skytrax, get_data_home
from journeylib.scales import from_valence, valence


def _no_network(url, output_file, pooch_obj):
    raise AssertionError(f"a test tried to download {url}")


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    monkeypatch.setattr(skytrax, "_http_download", _no_network)
    monkeypatch.delenv("JOURNEYLIB_DATA_HOME", raising=False)


@pytest.fixture(scope="module")
def loaded(data_mirror, tmp_path_factory):
    """All four files, tidy and raw, fetched once from the mirror into a fresh cache."""
    home = tmp_path_factory.mktemp("cache")
    out = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(MIRROR_ENV, str(data_mirror))
        mp.setattr(skytrax, "_http_download", _no_network)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            for kind in SKYTRAX_FILES:
                out[kind] = fetch_skytrax(kind, data_home=home)
                out[kind + "_raw"] = fetch_skytrax(kind, data_home=home, raw=True)
    return out


def _sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _journeys(tidy):
    """Per journey: mean and min of the sub-ratings on valence, rating valence, first columns."""
    v = tidy.assign(v=valence(tidy["score"], "likert5"),
                    rv=valence(tidy["rating"], tidy["rating_scale"].astype(str).to_numpy()))
    return v.groupby("journey_id").agg(mean=("v", "mean"), min=("v", "min"), rating_v=("rv", "first"),
                                       rating=("rating", "first"), scale=("rating_scale", "first"),
                                       recommend=("recommend", "first"), date=("timestamp", "first"))


# --- downloader -------------------------------------------------------------------------------

def test_mirror_fills_the_cache_with_the_verified_file(data_mirror, tmp_path, monkeypatch):
    monkeypatch.setenv(MIRROR_ENV, str(data_mirror))
    with pytest.warns(UserWarning):
        fetch_skytrax("seat", data_home=tmp_path)
    cached = tmp_path / SKYTRAX_FILES["seat"].path
    assert cached.is_file()
    assert _sha256(cached) == SKYTRAX_FILES["seat"].sha256
    assert cached.read_bytes() == (data_mirror / SKYTRAX_FILES["seat"].path).read_bytes()


def test_second_call_reuses_the_cache_without_copy_or_download(data_mirror, tmp_path, monkeypatch):
    monkeypatch.setenv(MIRROR_ENV, str(data_mirror))
    with pytest.warns(UserWarning):
        first = fetch_skytrax("seat", data_home=tmp_path)
    cached = tmp_path / SKYTRAX_FILES["seat"].path
    stamp = cached.stat().st_mtime_ns
    calls = []
    monkeypatch.setattr(shutil, "copyfile", lambda *a, **k: calls.append(a))
    monkeypatch.setattr(skytrax, "_mirror_copy", lambda source: lambda *a: calls.append(a))
    with pytest.warns(UserWarning):
        second = fetch_skytrax("seat", data_home=tmp_path)
    assert calls == []
    assert cached.stat().st_mtime_ns == stamp
    pd.testing.assert_frame_equal(first, second)
    # and with neither mirror nor network the cache alone serves
    monkeypatch.delenv(MIRROR_ENV)
    with pytest.warns(UserWarning):
        third = fetch_skytrax("seat", data_home=tmp_path)
    pd.testing.assert_frame_equal(first, third)


def test_corrupted_mirror_file_is_refused(data_mirror, tmp_path, monkeypatch):
    rel = SKYTRAX_FILES["seat"].path
    bad = tmp_path / "mirror" / rel
    bad.parent.mkdir(parents=True)
    content = bytearray((data_mirror / rel).read_bytes())
    content[1000] ^= 0x01  # one flipped bit
    bad.write_bytes(bytes(content))
    monkeypatch.setenv(MIRROR_ENV, str(tmp_path / "mirror"))
    home = tmp_path / "home"
    with pytest.raises(ValueError, match="Checksum mismatch") as err:
        fetch_skytrax("seat", data_home=home)
    assert SKYTRAX_FILES["seat"].sha256 in str(err.value)
    assert str(bad) in str(err.value)
    assert not (home / rel).exists()


def test_corrupted_cache_file_is_replaced_from_the_mirror(data_mirror, tmp_path, monkeypatch):
    rel = SKYTRAX_FILES["lounge"].path
    cached = tmp_path / rel
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"not the lounge file")
    monkeypatch.setenv(MIRROR_ENV, str(data_mirror))
    with pytest.warns(UserWarning):
        fetch_skytrax("lounge", data_home=tmp_path)
    assert _sha256(cached) == SKYTRAX_FILES["lounge"].sha256


def test_offline_without_mirror_names_url_and_variable(tmp_path, monkeypatch):
    monkeypatch.delenv(MIRROR_ENV, raising=False)

    def offline(url, output_file, pooch_obj):
        raise requests.exceptions.ConnectionError("Name or service not known")

    monkeypatch.setattr(skytrax, "_http_download", offline)
    with pytest.raises(ConnectionError) as err:
        fetch_skytrax("airline", data_home=tmp_path)
    message = str(err.value)
    assert SKYTRAX_FILES["airline"].url in message
    assert MIRROR_ENV in message
    assert err.value.__cause__ is None and err.value.__suppress_context__


def test_mirror_without_the_file_says_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.setenv(MIRROR_ENV, str(tmp_path / "empty"))
    with pytest.raises(FileNotFoundError, match=MIRROR_ENV) as err:
        fetch_skytrax("airport", data_home=tmp_path / "home")
    assert SKYTRAX_FILES["airport"].path in str(err.value)


def test_data_home_argument_environment_and_default(tmp_path, monkeypatch):
    assert get_data_home(tmp_path / "a") == tmp_path / "a"
    monkeypatch.setenv("JOURNEYLIB_DATA_HOME", str(tmp_path / "b"))
    assert get_data_home() == tmp_path / "b"
    assert (tmp_path / "b").is_dir()
    monkeypatch.delenv("JOURNEYLIB_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    assert get_data_home() == tmp_path / "user" / "journeylib_data"


def test_bad_options():
    with pytest.raises(ValueError, match=r"`kind` must be one of \('airline', 'airport', 'seat', 'lounge'\)"):
        fetch_skytrax("lounges")
    with pytest.raises(ValueError, match="min_touchpoints"):
        fetch_skytrax("seat", min_touchpoints=0)


# --- what the loader does to the data ------------------------------------------------------------

def test_warnings_count_zeros_and_dropped_rows(data_mirror, tmp_path, monkeypatch):
    monkeypatch.setenv(MIRROR_ENV, str(data_mirror))
    raw = pd.read_csv(data_mirror / SKYTRAX_FILES["airport"].path)
    sub = [c for c in raw if c.endswith("_rating") and c != "overall_rating"]
    zeros = int((raw[sub] == 0).sum().sum())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fetch_skytrax("airport", data_home=tmp_path)
    messages = [str(w.message) for w in caught]
    assert all(w.category is UserWarning and w.filename == __file__ for w in caught)
    assert any(f"{zeros} sub-ratings of 0" in m for m in messages)
    dropped = [m for m in messages if "dropped" in m]
    assert len(dropped) == 1
    assert "1 with sub-ratings off the 1-5 scale (file rows 56)" in dropped[0]
    assert f"{int(raw['overall_rating'].isna().sum())} without an overall rating" in dropped[0]


def test_airline_orientation_figures(loaded):
    # issue 6: about 1,660 usable reviews from 2010 on; r(mean, overall) ~0.89; r(min, overall) ~0.76
    j = _journeys(loaded["airline"])
    j = j[j["date"] >= "2010-01-01"]
    assert abs(len(j) - 1660) <= 30
    assert abs(np.corrcoef(j["mean"], j["rating_v"])[0, 1] - 0.89) <= 0.015
    assert abs(np.corrcoef(j["min"], j["rating_v"])[0, 1] - 0.76) <= 0.015


def test_seat_overall_below_the_touchpoint_mean(loaded):
    # issue 6: seat overall about 0.6 points below the rescaled sub-rating mean on the 10-point scale
    j = _journeys(loaded["seat"])
    assert set(j["scale"]) == {"stars10"}
    gap = (j["rating"] - from_valence(j["mean"], "stars10")).mean()
    assert abs(gap - (-0.6)) <= 0.1


def test_lounge_overall_before_2015_is_the_rounded_mean(loaded):
    # issue 6: lounge before 2015, overall equals the rounded sub-rating mean in 99.6% of rows.
    # The site averaged its "not rated" zeros in, so this holds on the raw file, zeros included.
    raw = loaded["lounge_raw"]
    old = raw[pd.to_datetime(raw["date"]) < "2015-01-01"]
    sub = [c for c in raw if c.endswith("_rating") and c != "overall_rating"]
    share = (np.round(old[sub].mean(axis=1)) == old["overall_rating"]).mean()
    assert abs(share - 0.996) <= 0.002


def test_rating_scale_is_decided_per_review_by_date_and_value(loaded):
    for kind in ("airline", "airport", "lounge"):
        remote = SKYTRAX_FILES[kind]
        j = _journeys(loaded[kind])
        assert (j.loc[j["rating"] > 5, "scale"] == "stars10").all()
        early = j["date"] < remote.likert5_before
        assert (j.loc[early, "scale"] == "likert5").all()
        changeover = (j["date"] >= remote.likert5_before) & (j["rating"] <= 5)
        if remote.stars10_from is not None:
            assert (j.loc[j["date"] >= remote.stars10_from, "scale"] == "stars10").all()
            changeover &= j["date"] < remote.stars10_from
        assert not changeover.any()  # undecidable reviews are gone
    lounge = _journeys(loaded["lounge"])
    assert (lounge.loc[lounge["date"] < "2015-01-01", "scale"] == "likert5").all()


def test_recommend_missing_where_not_recorded(loaded):
    for kind in ("airline", "airport", "lounge"):
        j = _journeys(loaded[kind])
        before = j["date"] < SKYTRAX_FILES[kind].recommend_from
        assert j.loc[before, "recommend"].isna().all()
        assert set(j.loc[~before, "recommend"].unique()) == {0.0, 1.0}
    assert set(loaded["seat"]["recommend"].unique()) == {0.0, 1.0}
    assert (loaded["seat"]["recommend_scale"] == "binary").all()


def test_tidy_rows_match_the_raw_file(loaded):
    raw, tidy = loaded["lounge_raw"], loaded["lounge"]
    sub = [c for c in raw if c.endswith("_rating") and c != "overall_rating"]
    assert list(tidy.loc[tidy["journey_id"] == 1, "touchpoint"]) == [c.removesuffix("_rating") for c in sub]
    ids = tidy["journey_id"].unique()
    picked = raw.iloc[ids - 1]
    expected = picked[sub].replace(0, np.nan).to_numpy().reshape(-1)
    np.testing.assert_array_equal(tidy["score"].to_numpy(), expected)
    np.testing.assert_array_equal(tidy.groupby("journey_id")["actor"].first().to_numpy(),
                                  picked["airline_name"].to_numpy())
    assert (tidy["score_scale"] == "likert5").all()
    # at least two rated sub-ratings per review (the default min_touchpoints)
    assert tidy.groupby("journey_id")["score"].count().min() >= 2
    # airport: the 2022 review with 10 and 50 in its sub-ratings (file row 56) is gone
    assert 55 not in set(loaded["airport"]["journey_id"])


def test_text_only_on_request(data_mirror, tmp_path, monkeypatch):
    monkeypatch.setenv(MIRROR_ENV, str(data_mirror))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        plain = fetch_skytrax("seat", data_home=tmp_path)
        full = fetch_skytrax("seat", data_home=tmp_path, text=True)
        raw = fetch_skytrax("seat", data_home=tmp_path, raw=True)
    assert "text" not in plain.columns and "title" not in plain.columns
    first = full[full["journey_id"] == 1]
    assert (first["text"] == raw["content"].iloc[0]).all()
    assert (first["title"] == raw["title"].iloc[0]).all()
    pd.testing.assert_frame_equal(full.drop(columns=["title", "text"]), plain)
