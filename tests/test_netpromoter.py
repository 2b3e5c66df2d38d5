"""Net Promoter Score against the published margin, a simulation and a hand-worked z-test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

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
    """Worked by hand: a has 45% promoters, 25% detractors (NPS 20), b 30% and 40% (NPS -10).

    se of an NPS in points = 100 * sqrt((p + d - (p - d) ** 2) / n):
    a: sqrt(0.45 + 0.25 - 0.04) * 10 = sqrt(0.66) * 10 = 8.124;
    b: sqrt(0.30 + 0.40 - 0.01) * 10 = sqrt(0.69) * 10 = 8.307;
    difference 30, se sqrt(66 + 69) = 11.619, z = 30 / 11.619 = 2.582, p = 0.0098.
    """
    a = [10] * 45 + [7] * 30 + [2] * 25
    b = [10] * 30 + [7] * 30 + [2] * 40
    ra, rb = nps(a), nps(b)
    assert ra[["n_promoters", "n_detractors", "n"]].iloc[0].tolist() == [45, 25, 100]
    assert rb[["n_promoters", "n_detractors", "n"]].iloc[0].tolist() == [30, 40, 100]
    assert ra["se"].iloc[0] == pytest.approx(8.124, abs=5e-4)
    assert rb["se"].iloc[0] == pytest.approx(8.307, abs=5e-4)
    res = nps_difference(a, b)
    assert res["difference"].iloc[0] == pytest.approx(30.0)
    assert res["se"].iloc[0] == pytest.approx(11.619, abs=5e-4)
    assert res["z"].iloc[0] == pytest.approx(2.582, abs=5e-4)
    assert res["p_val"].iloc[0] == pytest.approx(0.0098, abs=5e-5)
