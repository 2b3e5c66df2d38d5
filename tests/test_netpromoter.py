"""Net Promoter Score against the published margin, a simulation and a hand-worked z-test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from journeylib.netpromoter import nps, nps_difference


def test_nps_reference_margin():
    """Published: 50% promoters, 1/6 detractors, n = 100 -> NPS 33.3 +- 14.6 (95%)."""
    answers = [10] * 300 + [8] * 200 + [2] * 100  # the same shares, n = 600
    res = nps(answers)
    assert res["nps"].iloc[0] == pytest.approx(100 / 3)
    margin_100 = (res["ci_high"].iloc[0] - res["nps"].iloc[0]) * np.sqrt(600 / 100)
    assert round(margin_100, 1) == 14.6
    assert res[["n_promoters", "n_passives", "n_detractors"]].iloc[0].tolist() == [300, 200, 100]
    assert res["share_passives"].iloc[0] == pytest.approx(1 / 3)


def test_nps_standard_error_matches_simulated_spread():
    rng = np.random.default_rng(0)
    probs = [1 / 6, 1 / 3, 1 / 2]  # detractor, passive, promoter
    draws = rng.choice([3, 8, 10], p=probs, size=(20_000, 100))
    sd = (100 * ((draws >= 9).mean(axis=1) - (draws <= 6).mean(axis=1))).std()
    se = nps(draws[0])["se"].iloc[0]  # a single sample's estimate
    expected = 100 * np.sqrt((1 / 2 + 1 / 6 - (1 / 2 - 1 / 6) ** 2) / 100)
    assert abs(sd - expected) / expected < 0.03
    assert abs(se - expected) / expected < 0.25


def test_nps_input_handling():
    tidy = pd.DataFrame({"journey_id": [1, 1, 2, 3], "recommend": [10, 10, 0, np.nan]})
    with pytest.warns(UserWarning, match="1 of 3"):
        res = nps(tidy)
    assert res["n"].iloc[0] == 2 and res["nps"].iloc[0] == 0.0
    with pytest.raises(ValueError, match="0-10"):
        nps([3, 11])
    with pytest.raises(ValueError, match="none"):
        nps([])


def test_nps_difference_z_test():
    a = [10] * 45 + [7] * 30 + [2] * 25
    b = [10] * 30 + [7] * 30 + [2] * 40
    res = nps_difference(a, b)
    ra, rb = nps(a), nps(b)
    se = np.sqrt(ra["se"].iloc[0] ** 2 + rb["se"].iloc[0] ** 2)
    z = (20 - (-10)) / se
    assert res["difference"].iloc[0] == pytest.approx(30.0)
    assert res["z"].iloc[0] == pytest.approx(z)
    assert res["p_val"].iloc[0] == pytest.approx(2 * st.norm.sf(z))
