"""Net Promoter Score (NPS) with its standard error and an adjusted interval, the difference
between two NPS values, and the share of "yes" for a yes/no recommend question.

The NPS is defined for 0-10 answers only (scale ``nps11``): 9-10 promote, 0-6 detract.  On
any other scale the same cut-offs make every answer a detractor, so :func:`nps` refuses
answers that are not on ``nps11`` instead of returning -100.

Named ``netpromoter`` rather than ``nps`` so that the module does not shadow the function
:func:`journeylib.nps` on the package.

References
----------
Rocks, B. (2016). Interval estimation for the "Net Promoter Score". *The American
Statistician*, 70(4), 365-372.  doi:10.1080/00031305.2016.1158124

Agresti, A., & Caffo, B. (2000). Simple and effective confidence intervals for proportions
and differences of proportions result from adding two successes and two failures. *The
American Statistician*, 54(4), 280-288.

Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
*Journal of the American Statistical Association*, 22(158), 209-212.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
from scipy import stats as st

from ._stats_common import _check_confidence
from .scales import get_scale, nps_category

__all__ = ["nps", "nps_difference", "recommend_share"]

#: Pseudo-observations the adjusted Wald interval adds: detractors, passives, promoters.
#: Three in all, spread 1/4, 1/2, 1/4 (Rocks 2016; the default of his R package ``NPS``).
PSEUDO = (0.75, 1.5, 0.75)


def _answers(recommend, func, what):
    """The answers as float64 (missing left out with a warning) and the scale names the data
    carries in a ``recommend_scale`` column (None when it carries none)."""
    scales = None
    if isinstance(recommend, pd.DataFrame):
        if "recommend" not in recommend.columns:
            raise ValueError(f"The frame passed to {func}() has no 'recommend' column.")
        frame = recommend
        if "journey_id" in frame.columns:  # tidy data repeats the answer on every row
            frame = frame.drop_duplicates("journey_id")
        if "recommend_scale" in frame.columns:
            answered = frame["recommend"].notna().to_numpy()
            names = frame["recommend_scale"].to_numpy(dtype=object)[answered]
            names = sorted({str(s) for s in names if not pd.isna(s)})
            scales = names or None
        recommend = frame["recommend"]
    x = pd.to_numeric(pd.Series(np.asarray(recommend, dtype=object).ravel()), errors="coerce")
    x = x.to_numpy(dtype="float64", na_value=np.nan)
    missing = np.isnan(x)
    if missing.any():
        warnings.warn(f"{int(missing.sum())} of {len(x)} recommend answers are missing or not "
                      f"numbers and were left out of {what}.", UserWarning, stacklevel=3)
        x = x[~missing]
    return x, scales


def _scale_names(scales, scale):
    """The recommend scale: the data's ``recommend_scale`` if it has one, else `scale`."""
    if scale is not None:
        scale = get_scale(scale).name  # an unknown name raises, listing the known ones
        if scales is not None and scales != [scale]:
            raise ValueError(f"scale={scale!r} was passed, but the frame's recommend_scale column "
                             f"says {', '.join(map(repr, scales))}.")
        return [scale]
    return scales


def _quoted(names):
    return " and ".join(repr(s) for s in names)


def _nps_answers(recommend, scale):
    x, scales = _answers(recommend, "nps", "the NPS")
    scales = _scale_names(scales, scale)
    if scales is not None and scales != ["nps11"]:
        hint = (" For a yes/no recommend use recommend_share(), which gives the share of "
                "'yes' with a Wilson interval." if "binary" in scales else
                " Report those answers on their own scale, or recode them to yes/no and use "
                "recommend_share().")
        raise ValueError(
            f"nps() needs 0-10 recommend answers (scale 'nps11'), but the answers are on "
            f"{_quoted(scales)}. The NPS counts 9-10 as promoters and 0-6 as detractors, so on "
            f"another scale it misreads the answers (on 1-5 every answer is a detractor).{hint}")
    if len(x) == 0:
        raise ValueError("nps() needs at least one 0-10 recommend answer, but got none.")
    if not get_scale("nps11").contains(x).all():
        nps_category(x)  # raises with the offending value and position
    if scales is None:  # the data does not say: refuse answers that look like another scale
        seen = np.unique(x)
        shown = ("the value " if len(seen) == 1 else "the values ") + \
            ", ".join(f"{v:g}" for v in seen)
        if set(seen) <= {0.0, 1.0}:
            raise ValueError(
                f"The recommend answers only take {shown}, which looks like a yes/no "
                "flag, not 0-10 answers: an NPS would count every answer as a detractor. For a "
                "yes/no recommend use recommend_share(); if these really are answers on 0-10, "
                "call nps(..., scale='nps11').")
        if set(seen) <= {1.0, 2.0, 3.0, 4.0, 5.0}:
            raise ValueError(
                f"The recommend answers only take {shown}, which looks like a 1-5 "
                "scale, not 0-10 answers: an NPS would count every answer as a detractor. If "
                "these really are answers on 0-10, call nps(..., scale='nps11'); a yes/no "
                "recommend goes to recommend_share().")
    return x


def _adjusted(n_p, n_d, n):
    """Adjusted Wald estimate and standard error in NPS points (Rocks 2016)."""
    m = n + sum(PSEUDO)
    p_p, p_d = (n_p + PSEUDO[2]) / m, (n_d + PSEUDO[0]) / m
    est = p_p - p_d
    return 100 * est, 100 * math.sqrt((p_p + p_d - est ** 2) / m)


def nps(recommend, *, confidence=0.95, scale=None):
    """Net Promoter Score with its standard error and an adjusted Wald interval.

    Parameters
    ----------
    recommend : array-like or pandas.DataFrame
        0-10 answers to "how likely are you to recommend...".  A frame uses
        its ``recommend`` column, one answer per ``journey_id`` when it has
        one (tidy data repeats it on every row), and its ``recommend_scale``
        column when it has one.  Missing answers are left out with a warning.
    confidence : float, default 0.95
        Confidence level of ``ci_low``/``ci_high``.
    scale : str, optional
        Scale of bare answers (an array, or a frame without
        ``recommend_scale``).  Only ``"nps11"`` has an NPS.

    Returns
    -------
    pandas.DataFrame
        One row: ``nps`` (100 * (share 9-10 minus share 0-6)), ``se`` (the
        plain standard error, 100 * sqrt((pP + pD - (pP - pD)**2) / n)),
        ``ci_low``, ``ci_high`` (the adjusted Wald interval, see Notes),
        ``n``, ``n_promoters``, ``n_passives``, ``n_detractors``,
        ``share_promoters``, ``share_passives``, ``share_detractors``.

    Raises
    ------
    ValueError
        When the answers are on a scale other than ``nps11`` (the message names
        it), or, with no scale given, when they only take the values 0 and 1
        (a yes/no flag: use :func:`recommend_share`) or only 1-5 (a 1-5 scale);
        pass ``scale="nps11"`` if such answers really are on 0-10.  Also for
        answers off 0-10 or no answers at all.

    Notes
    -----
    The interval is the adjusted Wald interval of Rocks (2016): three
    pseudo-observations, 3/4 detractor, 3/2 passive and 3/4 promoter, are
    added to the counts, and the Wald interval of the NPS is built on them:
    with m = n + 3, p~ = (promoters + 0.75) / m and d~ = (detractors + 0.75) / m,
    ``100 * (p~ - d~) +- z * 100 * sqrt((p~ + d~ - (p~ - d~)**2) / m)``, cut at
    -100 and +100.  Rocks found this interval's coverage close to nominal
    where the plain Wald interval falls short, and unlike the plain interval
    it does not shrink to a single point when every answer is a promoter (or
    a detractor, or a passive).  It is centred on the adjusted estimate, so
    it is not symmetric around ``nps``; with a handful of answers it can even
    leave ``nps`` out (one promoter: -48.5 .. 98.5).  ``se`` stays the plain standard
    error of ``nps`` itself (the published margin of +-14.6 at n = 100 with
    50% promoters and 1/6 detractors is 1.96 * se).

    References
    ----------
    Rocks, B. (2016). Interval estimation for the "Net Promoter Score".
    *The American Statistician*, 70(4), 365-372.

    Examples
    --------
    >>> res = nps([10] * 50 + [7] * 33 + [3] * 17)
    >>> res[["nps", "se", "ci_low", "ci_high", "n"]].round(2)
        nps    se  ci_low  ci_high    n
    0  33.0  7.49   17.56    46.52  100
    >>> nps([10] * 20)[["nps", "se", "ci_low", "ci_high"]].round(2)
         nps   se  ci_low  ci_high
    0  100.0  0.0   69.68    100.0
    """
    _check_confidence(confidence)
    x = _nps_answers(recommend, scale)
    n = len(x)
    n_p = int((x >= 9).sum())
    n_d = int((x <= 6).sum())
    p_p, p_d = n_p / n, n_d / n
    score = 100 * (p_p - p_d)
    se = 100 * math.sqrt(max(p_p + p_d - (p_p - p_d) ** 2, 0.0) / n)
    zq = st.norm.ppf((1 + confidence) / 2)
    est, se_adj = _adjusted(n_p, n_d, n)
    return pd.DataFrame({
        "nps": [score], "se": [se],
        "ci_low": [max(est - zq * se_adj, -100.0)], "ci_high": [min(est + zq * se_adj, 100.0)],
        "n": [n], "n_promoters": [n_p], "n_passives": [n - n_p - n_d], "n_detractors": [n_d],
        "share_promoters": [p_p], "share_passives": [1 - p_p - p_d], "share_detractors": [p_d],
    })


def nps_difference(a, b, *, confidence=0.95, scale=None):
    """Difference between two independent NPS values, with a z-test and an adjusted interval.

    Parameters
    ----------
    a, b : array-like or pandas.DataFrame
        Two groups of 0-10 answers (see :func:`nps`, which also says what is
        refused).
    confidence : float, default 0.95
    scale : str, optional
        Scale of bare answers, for both groups (see :func:`nps`).

    Returns
    -------
    pandas.DataFrame
        One row: ``nps_a``, ``nps_b``, ``difference`` (a - b), ``se``
        (sqrt(se_a**2 + se_b**2), the plain standard errors), ``ci_low``,
        ``ci_high`` (adjusted Wald, see Notes), ``z`` (difference / se),
        ``p_val`` (two-sided), ``n_a``, ``n_b``.

    Notes
    -----
    The interval adds the pseudo-observations of :func:`nps` (3/4 detractor,
    3/2 passive, 3/4 promoter) to each group, as Agresti & Caffo (2000) add
    one success and one failure to each group for a difference of two
    proportions: ``(nps~_a - nps~_b) +- z * sqrt(se~_a**2 + se~_b**2)``,
    with the adjusted estimates and standard errors of each group, cut at
    -200 and +200.  It keeps a positive width when both groups answer alike
    (all promoters, say), where the plain interval has none.  The z-test is
    the plain Wald test on ``difference`` and ``se`` (NaN when ``se`` is 0), so
    near its 5% boundary the test and the interval can disagree.

    Examples
    --------
    >>> res = nps_difference([10] * 60 + [3] * 40, [10] * 40 + [3] * 60)
    >>> res[["difference", "se", "ci_low", "ci_high", "z"]].round(3)
       difference      se  ci_low  ci_high      z
    0        40.0  13.856  12.247   65.423  2.887
    """
    ra = nps(a, confidence=confidence, scale=scale)
    rb = nps(b, confidence=confidence, scale=scale)
    diff = float(ra["nps"].iloc[0] - rb["nps"].iloc[0])
    se = math.hypot(float(ra["se"].iloc[0]), float(rb["se"].iloc[0]))
    zq = st.norm.ppf((1 + confidence) / 2)
    z = diff / se if se > 0 else np.nan
    p = float(2 * st.norm.sf(abs(z))) if se > 0 else np.nan
    est_a, se_a = _adjusted(int(ra["n_promoters"].iloc[0]), int(ra["n_detractors"].iloc[0]),
                            int(ra["n"].iloc[0]))
    est_b, se_b = _adjusted(int(rb["n_promoters"].iloc[0]), int(rb["n_detractors"].iloc[0]),
                            int(rb["n"].iloc[0]))
    half = zq * math.hypot(se_a, se_b)
    return pd.DataFrame({
        "nps_a": ra["nps"], "nps_b": rb["nps"], "difference": [diff], "se": [se],
        "ci_low": [max(est_a - est_b - half, -200.0)],
        "ci_high": [min(est_a - est_b + half, 200.0)],
        "z": [z], "p_val": [p], "n_a": ra["n"], "n_b": rb["n"],
    })


def recommend_share(recommend, *, confidence=0.95, scale=None):
    """Share of "yes" for a yes/no recommend question, with a Wilson score interval.

    Parameters
    ----------
    recommend : array-like or pandas.DataFrame
        Answers coded 1 (yes, would recommend) and 0 (no); booleans work too.
        A frame uses its ``recommend`` column, one answer per ``journey_id``
        when it has one, and its ``recommend_scale`` column when it has one.
        Missing answers are left out with a warning.
    confidence : float, default 0.95
        Confidence level of ``ci_low``/``ci_high``.
    scale : str, optional
        Scale of bare answers; only ``"binary"`` is accepted (for 0-10 answers
        use :func:`nps`).

    Returns
    -------
    pandas.DataFrame
        One row: ``share`` (n_yes / n), ``ci_low``, ``ci_high`` (Wilson score
        interval), ``n``, ``n_yes``.

    Raises
    ------
    ValueError
        When the answers are on another scale (the message names it), are not
        all 0 or 1, or there are none.

    Notes
    -----
    The Wilson (1927) interval inverts the score test of a proportion: with
    p = n_yes / n and z the normal quantile,
    ``(p + z**2 / (2 n) +- z * sqrt(p (1 - p) / n + z**2 / (4 n**2))) / (1 + z**2 / n)``.
    It stays within 0..1 and keeps a positive width when every answer is yes
    or every answer is no.

    Examples
    --------
    >>> res = recommend_share([1] * 8 + [0] * 2)
    >>> res.round(4)
       share  ci_low  ci_high   n  n_yes
    0    0.8  0.4902   0.9433  10      8
    """
    _check_confidence(confidence)
    x, scales = _answers(recommend, "recommend_share", "the share")
    scales = _scale_names(scales, scale)
    if scales is not None and scales != ["binary"]:
        hint = " For 0-10 answers use nps()." if "nps11" in scales else ""
        raise ValueError(
            f"recommend_share() needs yes/no recommend answers (scale 'binary'), but the answers "
            f"are on {_quoted(scales)}.{hint}")
    if len(x) == 0:
        raise ValueError("recommend_share() needs at least one yes/no recommend answer, but got "
                         "none.")
    bad = (x != 0) & (x != 1)
    if bad.any():
        raise ValueError(
            f"recommend_share() needs answers coded 1 (yes) and 0 (no), but {x[bad][0]:g} was "
            f"passed (position {int(np.flatnonzero(bad)[0])}). For 0-10 answers use nps().")
    n, k = len(x), int(x.sum())
    p = k / n
    zq = st.norm.ppf((1 + confidence) / 2)
    centre = (p + zq ** 2 / (2 * n)) / (1 + zq ** 2 / n)
    half = zq * math.sqrt(p * (1 - p) / n + zq ** 2 / (4 * n ** 2)) / (1 + zq ** 2 / n)
    return pd.DataFrame({"share": [p], "ci_low": [max(centre - half, 0.0)],
                         "ci_high": [min(centre + half, 1.0)], "n": [n], "n_yes": [k]})
