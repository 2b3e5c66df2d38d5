"""Net Promoter Score (NPS) with its standard error, and the difference between two NPS values.

Named ``netpromoter`` rather than ``nps`` so that the module does not shadow the function
:func:`journeylib.nps` on the package.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
from scipy import stats as st

from ._stats_common import _check_confidence
from .scales import get_scale, nps_category

__all__ = ["nps", "nps_difference"]


def _recommend_values(recommend):
    if isinstance(recommend, pd.DataFrame):
        if "recommend" not in recommend.columns:
            raise ValueError("The frame passed to nps() has no 'recommend' column.")
        if "journey_id" in recommend.columns:
            recommend = recommend.drop_duplicates("journey_id")
        recommend = recommend["recommend"]
    x = pd.to_numeric(pd.Series(np.asarray(recommend, dtype=object).ravel()), errors="coerce")
    x = x.to_numpy(dtype="float64", na_value=np.nan)
    missing = np.isnan(x)
    if missing.any():
        warnings.warn(f"{int(missing.sum())} of {len(x)} recommend answers are missing or not "
                      "numbers and were left out of the NPS.", UserWarning, stacklevel=3)
        x = x[~missing]
    if len(x) == 0:
        raise ValueError("nps() needs at least one 0-10 recommend answer, but got none.")
    if not get_scale("nps11").contains(x).all():
        nps_category(x)  # raises with the offending value and position
    return x


def nps(recommend, *, confidence=0.95):
    """Net Promoter Score with its standard error and a normal-approximation CI.

    Parameters
    ----------
    recommend : array-like or pandas.DataFrame
        0-10 answers to "how likely are you to recommend...".  A frame uses
        its ``recommend`` column, one answer per ``journey_id`` when it has
        one (tidy data repeats it on every row).  Missing answers are left
        out with a warning.
    confidence : float

    Returns
    -------
    pandas.DataFrame
        One row: ``nps`` (100 * (share 9-10 minus share 0-6)), ``se`` (100 *
        sqrt((pP + pD - (pP - pD)**2) / n)), ``ci_low``, ``ci_high``, ``n``,
        ``n_promoters``, ``n_passives``, ``n_detractors``,
        ``share_promoters``, ``share_passives``, ``share_detractors``.

    Examples
    --------
    >>> res = nps([10] * 50 + [7] * 33 + [3] * 17)
    >>> res[["nps", "se", "n"]].round(2)
        nps    se    n
    0  33.0  7.49  100
    """
    _check_confidence(confidence)
    x = _recommend_values(recommend)
    n = len(x)
    n_p = int((x >= 9).sum())
    n_d = int((x <= 6).sum())
    p_p, p_d = n_p / n, n_d / n
    score = 100 * (p_p - p_d)
    se = 100 * math.sqrt(max(p_p + p_d - (p_p - p_d) ** 2, 0.0) / n)
    zq = st.norm.ppf((1 + confidence) / 2)
    return pd.DataFrame({
        "nps": [score], "se": [se], "ci_low": [score - zq * se], "ci_high": [score + zq * se],
        "n": [n], "n_promoters": [n_p], "n_passives": [n - n_p - n_d], "n_detractors": [n_d],
        "share_promoters": [p_p], "share_passives": [1 - p_p - p_d], "share_detractors": [p_d],
    })


def nps_difference(a, b, *, confidence=0.95):
    """Difference between two independent NPS values, with a z-test.

    Parameters
    ----------
    a, b : array-like or pandas.DataFrame
        Two groups of 0-10 answers (see :func:`nps`).
    confidence : float

    Returns
    -------
    pandas.DataFrame
        One row: ``nps_a``, ``nps_b``, ``difference`` (a - b), ``se``
        (sqrt(se_a**2 + se_b**2)), ``ci_low``, ``ci_high``, ``z``, ``p_val``
        (two-sided), ``n_a``, ``n_b``.

    Examples
    --------
    >>> res = nps_difference([10] * 60 + [3] * 40, [10] * 40 + [3] * 60)
    >>> res[["difference", "z"]].round(3)
       difference      z
    0        40.0  2.887
    """
    ra, rb = nps(a, confidence=confidence), nps(b, confidence=confidence)
    diff = float(ra["nps"].iloc[0] - rb["nps"].iloc[0])
    se = math.hypot(float(ra["se"].iloc[0]), float(rb["se"].iloc[0]))
    zq = st.norm.ppf((1 + confidence) / 2)
    z = diff / se if se > 0 else np.nan
    p = float(2 * st.norm.sf(abs(z))) if se > 0 else np.nan
    return pd.DataFrame({
        "nps_a": ra["nps"], "nps_b": rb["nps"], "difference": [diff], "se": [se],
        "ci_low": [diff - zq * se], "ci_high": [diff + zq * se], "z": [z], "p_val": [p],
        "n_a": ra["n"], "n_b": rb["n"],
    })
