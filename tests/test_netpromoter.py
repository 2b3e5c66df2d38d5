"""Net Promoter Score against the published margin, a simulation, hand-worked intervals and a
z-test; refusals of answers that are not on 0-10; the share of yes with its Wilson interval."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from journeylib.netpromoter import nps, nps_difference, recommend_share


def test_nps_reference_margin():
    """Published: 50% promoters, 1/6 detractors, n = 100 -> NPS 33.3 +- 14.6 (95%)."""
    answers = [10] * 300 + [8] * 200 + [2] * 100  # the same shares, n = 600
    res = nps(answers)
    assert res["nps"].iloc[0] == pytest.approx(100 / 3)
    # the published margin is the plain Wald one: 1.96 * se
    margin_100 = 1.959964 * res["se"].iloc[0] * np.sqrt(600 / 100)
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


# --- the adjusted Wald interval (Rocks 2016) ------------------------------------------------------

Z95 = 1.959963984540054  # normal 97.5% quantile


def test_nps_interval_is_the_adjusted_wald_worked_by_hand():
    """50 promoters, 33 passives, 17 detractors; add 0.75 / 1.5 / 0.75 pseudo-answers, m = 103.

    p~ = 50.75 / 103 = 0.492718, d~ = 17.75 / 103 = 0.172330, NPS~ = 33 / 103 = 0.320388;
    var = (p~ + d~ - NPS~**2) / m = (0.665049 - 0.102648) / 103 = 0.0054602, se~ = 0.0738931;
    95%: 0.320388 -+ 1.959964 * 0.0738931 = 0.175561 .. 0.465216.
    """
    res = nps([10] * 50 + [7] * 33 + [3] * 17)
    assert res["nps"].iloc[0] == pytest.approx(33.0)
    assert res["se"].iloc[0] == pytest.approx(100 * np.sqrt((0.5 + 0.17 - 0.33 ** 2) / 100))
    assert res["ci_low"].iloc[0] == pytest.approx(17.556, abs=1e-3)
    assert res["ci_high"].iloc[0] == pytest.approx(46.522, abs=1e-3)
    # another level: z = 2.575829 (99%)
    wide = nps([10] * 50 + [7] * 33 + [3] * 17, confidence=0.99)
    assert wide["ci_low"].iloc[0] == pytest.approx(32.0388 - 2.575829 * 7.38931, abs=1e-3)


@pytest.mark.parametrize("answer, expected", [
    # all promoters, n = 20: m = 23, NPS~ = 20/23 = 0.869565, var = (20.75/23 + 0.75/23 - NPS~**2)/23
    # = (0.934783 - 0.756144) / 23 = 0.0077669, se~ = 0.0881301 -> 0.696833 .. 1.042297, cut at 1
    (10, (69.683, 100.0)),
    (2, (-100.0, -69.683)),  # all detractors: the mirror image
    # all passives: NPS~ = 0, var = (1.5 / 23) / 23 = 0.00283554, se~ = 0.0532498 -> -+0.104368
    (8, (-10.437, 10.437)),
])
def test_unanimous_answers_give_an_interval_of_positive_width_within_bounds(answer, expected):
    res = nps([answer] * 20, scale="nps11")
    assert res["se"].iloc[0] == 0.0  # the plain interval would be a single point
    assert (res["ci_low"].iloc[0], res["ci_high"].iloc[0]) == pytest.approx(expected, abs=1e-3)


@pytest.mark.parametrize("n", [1, 2, 5, 30, 1000])
@pytest.mark.parametrize("answer", [2, 7, 10])
def test_nps_interval_stays_in_bounds_with_positive_width(n, answer):
    for answers in ([answer] * n, [answer] * n + [10] * (n // 3)):
        res = nps(answers, scale="nps11").iloc[0]
        assert -100 <= res["ci_low"] < res["ci_high"] <= 100
        if n > 1:
            assert res["ci_low"] <= res["nps"] <= res["ci_high"]


def test_one_answer():
    """One promoter: m = 4, p~ = 1.75/4, d~ = 0.75/4, NPS~ = 0.25, var = (0.625 - 0.0625) / 4
    = 0.140625, se~ = 0.375: 0.25 -+ 1.959964 * 0.375 = -0.484986 .. 0.984986 (without nps = 1)."""
    res = nps([10]).iloc[0]
    assert (res["ci_low"], res["ci_high"]) == pytest.approx((-48.4986, 98.4986), abs=1e-4)


def test_adjusted_interval_coverage_by_exact_enumeration():
    """Every sample of n = 20 from a trinomial with 5% detractors, 15% passives, 80% promoters,
    weighted by its multinomial probability: coverage of the adjusted interval and of the plain
    Wald interval (NPS -+ 1.96 se) of the true NPS of 75."""
    n, probs, true = 20, [0.05, 0.15, 0.80], 75.0
    adjusted = plain = 0.0
    for n_d in range(n + 1):
        for n_p in range(n + 1 - n_d):
            weight = stats.multinomial.pmf([n_d, n - n_d - n_p, n_p], n, probs)
            res = nps([3] * n_d + [7] * (n - n_d - n_p) + [10] * n_p, scale="nps11").iloc[0]
            adjusted += weight * (res["ci_low"] <= true <= res["ci_high"])
            plain += weight * (abs(res["nps"] - true) <= Z95 * res["se"])
    assert 0.94 <= adjusted <= 0.97  # 0.956
    assert plain < 0.90  # 0.860: the plain interval falls short near the top


def test_nps_difference_interval_adjusts_each_group():
    """The groups of test_nps_difference_z_test, each with its pseudo-answers (m = 103):
    a: NPS~ = 20/103, var = (71.5/103 - (20/103)**2) / 103; b: NPS~ = -10/103,
    var = (71.5/103 - (10/103)**2) / 103; difference~ 30/103 = 0.291262, se~ = 0.114112,
    95%: 0.291262 -+ 1.959964 * 0.114112 = 0.067607 .. 0.514918."""
    a = [10] * 45 + [7] * 30 + [2] * 25
    b = [10] * 30 + [7] * 30 + [2] * 40
    res = nps_difference(a, b)
    var_a = (71.5 / 103 - (20 / 103) ** 2) / 103
    var_b = (71.5 / 103 - (10 / 103) ** 2) / 103
    half = Z95 * np.sqrt(var_a + var_b)
    assert res["ci_low"].iloc[0] == pytest.approx(100 * (30 / 103 - half))
    assert res["ci_high"].iloc[0] == pytest.approx(100 * (30 / 103 + half))
    assert res["ci_low"].iloc[0] == pytest.approx(6.761, abs=1e-3)
    assert res["ci_high"].iloc[0] == pytest.approx(51.492, abs=1e-3)


def test_nps_difference_of_two_unanimous_groups():
    res = nps_difference([10] * 30, [10] * 30).iloc[0]
    assert res["difference"] == 0 and res["se"] == 0
    assert np.isnan(res["z"]) and np.isnan(res["p_val"])
    # both adjusted estimates equal: 0 -+ 1.96 * sqrt(2) * se~, se~ of 30 promoters (m = 33)
    var = ((30.75 + 0.75) / 33 - (30 / 33) ** 2) / 33
    assert res["ci_high"] == pytest.approx(100 * Z95 * np.sqrt(2 * var))
    assert -200 <= res["ci_low"] < 0 < res["ci_high"] <= 200


# --- NPS only on 0-10 ---------------------------------------------------------------------------

def test_one_to_five_answers_are_refused_naming_the_scale():
    tidy = pd.DataFrame({"journey_id": [1, 1, 2, 3], "recommend": [4, 4, 5, 4],
                         "recommend_scale": "likert5"})
    with pytest.raises(ValueError, match="'likert5'"):
        nps(tidy)
    with pytest.raises(ValueError, match="'likert5'"):
        nps([4, 5, 5, 4], scale="likert5")
    # bare answers that only use 1-5 are not guessed to be 0-10
    with pytest.raises(ValueError, match=r"1-5 scale.*scale='nps11'"):
        nps([4, 5, 5, 4, 3])
    # ...unless the caller says they are (then 4 and 5 are detractors: -100)
    assert nps([4, 5, 5, 4, 3], scale="nps11")["nps"].iloc[0] == -100


def test_yes_no_flags_are_refused_pointing_at_recommend_share():
    with pytest.raises(ValueError, match="yes/no flag.*recommend_share"):
        nps([1, 0, 1, 1])
    flags = pd.DataFrame({"journey_id": [1, 2, 3], "recommend": [1.0, 0.0, 1.0],
                          "recommend_scale": pd.Categorical(["binary"] * 3)})
    with pytest.raises(ValueError, match="'binary'.*recommend_share"):
        nps(flags)
    with pytest.raises(ValueError, match="'binary'.*recommend_share"):
        nps_difference([1, 0], [0, 1], scale="binary")


def test_the_frames_recommend_scale_decides():
    tidy = pd.DataFrame({"journey_id": [1, 1, 2, 3], "recommend": [4, 4, 5, np.nan],
                         "recommend_scale": pd.Categorical(["nps11"] * 3 + [np.nan])})
    with pytest.warns(UserWarning, match="1 of 3"):
        res = nps(tidy)  # answers 4 and 5 on a declared 0-10 scale: two detractors
    assert res["nps"].iloc[0] == -100 and res["n"].iloc[0] == 2
    mixed = tidy.assign(recommend=[9, 9, 5, 1],
                        recommend_scale=["nps11", "nps11", "nps11", "binary"])
    with pytest.raises(ValueError, match="'binary' and 'nps11'"):
        nps(mixed)
    with pytest.raises(ValueError, match="scale='likert5'.*'nps11'"):
        nps(tidy.dropna(), scale="likert5")
    with pytest.raises(ValueError, match="Unknown scale"):
        nps([9, 10], scale="nps10")


# --- recommend_share -----------------------------------------------------------------------------

@pytest.mark.parametrize("k, n, published", [
    # Newcombe (1998), Statistics in Medicine 17, 857-872, Table II, Wilson score method
    (81, 263, (0.2553, 0.3662)), (15, 148, (0.0624, 0.1605)),
    (0, 20, (0.0, 0.1611)), (1, 29, (0.0061, 0.1718)),
])
def test_recommend_share_wilson_interval(k, n, published):
    res = recommend_share([1] * k + [0] * (n - k))
    assert list(res.columns) == ["share", "ci_low", "ci_high", "n", "n_yes"]
    assert res[["n", "n_yes"]].iloc[0].tolist() == [n, k]
    assert res["share"].iloc[0] == pytest.approx(k / n)
    assert (res["ci_low"].iloc[0], res["ci_high"].iloc[0]) == pytest.approx(published, abs=5e-5)
    # independently: the limits are the roots in pi of (p - pi)**2 = z**2 pi (1 - pi) / n
    p, c = k / n, Z95 ** 2 / n
    roots = np.sort(np.roots([1 + c, -(2 * p + c), p ** 2]).real)
    assert (res["ci_low"].iloc[0], res["ci_high"].iloc[0]) == pytest.approx(tuple(roots), abs=1e-12)


def test_recommend_share_all_yes_has_positive_width():
    res = recommend_share([True] * 12).iloc[0]
    assert res["share"] == 1.0 and res["ci_high"] == 1.0
    assert res["ci_low"] == pytest.approx(12 / (12 + Z95 ** 2))  # Wilson's lower limit at p = 1


def test_recommend_share_inputs():
    tidy = pd.DataFrame({"journey_id": [1, 1, 2, 3, 4], "recommend": [1, 1, 0, 1, np.nan],
                         "recommend_scale": "binary"})
    with pytest.warns(UserWarning, match="1 of 4"):
        res = recommend_share(tidy)
    assert res[["n", "n_yes"]].iloc[0].tolist() == [3, 2]
    with pytest.raises(ValueError, match="'nps11'.*nps\\(\\)"):
        recommend_share(tidy.dropna().assign(recommend_scale="nps11"))
    with pytest.raises(ValueError, match="1 \\(yes\\) and 0 \\(no\\), but 7 was passed"):
        recommend_share([1, 0, 7])
    with pytest.raises(ValueError, match="none"):
        recommend_share([])
