"""The gap between the journey rating and its touchpoints: is it there, and how big?

The gap of a journey is ``rating - rule`` on valence.  It is an equal-interval
quantity: it assumes that the step from "poor" to "fair" is as big as the step
from "good" to "excellent", and that a 1-5 touchpoint and a 1-10 rating meet
on one line.  :func:`gap_test` therefore offers other monotone scorings of
the answers (``scoring="ridit"`` or ``"normal"``): a gap whose sign flips
under one of them is a property of the scoring, not of the journeys.  A
yes/no rating has no gap at all (the mean of a label minus a score describes
no journey): :func:`paypal_share` answers that question instead.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats as st

from .._stats_common import _boot_index, _check_confidence, _column, _drop_missing
from ..metrics import ORDER_DEPENDENT, RULES, VALENCE_RULES, as_summary
from ..scales import valence
from .outcome import outcome_type

__all__ = ["gap_test", "paypal_share", "SCORINGS"]

#: Scorings of the answers :func:`gap_test` can test the gap on.
SCORINGS: tuple[str, ...] = ("valence", "ridit", "normal")


def _rescored(data, scoring):
    """Tidy data with every answer (scores and ratings) rescored on the pooled answer distribution.

    ``"ridit"``: each valence value becomes ``2 * ridit - 1``, where the ridit
    of a value is the share of all answers below it plus half the share equal
    to it, pooled over every touchpoint moment and every journey rating.
    ``"normal"``: the normal quantile of the ridit, divided by its largest
    absolute value (to stay on -1..+1).  Both keep the order of the answers
    and put the touchpoints and the rating on one common scoring.
    """
    from ..checks import ensure_valid
    from ..scales import add_valence

    df = add_valence(ensure_valid(data))
    first = ~df.duplicated("journey_id")
    pooled = np.concatenate([df["valence"].dropna().to_numpy(),
                             df.loc[first, "rating_valence"].dropna().to_numpy()])
    values, counts = np.unique(pooled, return_counts=True)
    share = counts / counts.sum()
    ridit = np.cumsum(share) - share / 2
    if scoring == "ridit":
        new = 2 * ridit - 1
    else:
        z = st.norm.ppf(ridit)
        new = z / np.max(np.abs(z)) if np.max(np.abs(z)) > 0 else z

    def recode(v):
        out = np.full(len(v), np.nan)
        ok = ~np.isnan(v)
        out[ok] = new[np.searchsorted(values, v[ok])]
        return out

    return df.assign(score=recode(df["valence"].to_numpy()), score_scale="valence",
                     rating=recode(df["rating_valence"].to_numpy()), rating_scale="valence"
                     ).drop(columns=["valence", "rating_valence"])


def gap_test(data, *, rule="mean", scoring="valence", confidence=0.95, n_boot=2000,
             threshold=0.0, seed=None):
    """Is the journey rated differently from what its touchpoints add up to?

    The gap of a journey is ``rating - rule`` on valence (with ``rule="mean"``
    the ``gap`` column of :func:`journeylib.journey_summary`).  Its mean is
    tested against zero with a paired t-test; a Wilcoxon signed-rank test
    (Pratt's handling of zero gaps: they count in the ranking, not in the
    sum) is given beside it.  The Wilcoxon test is about location and
    symmetry, not the mean: with skewed gaps whose mean is 0 it can reject
    almost always, so read it as "are the gaps centred on 0?".

    The gap is an equal-interval quantity.  Run the test again with
    ``scoring="ridit"`` and ``scoring="normal"``: when the sign of the gap
    changes with the scoring, the data do not say whether journeys are rated
    above or below their touchpoints.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy journey data or a :func:`journeylib.journey_summary` frame
        (tidy data is needed for a scoring other than ``"valence"``).
    rule : str
        The aggregate of the touchpoints to compare with: one of
        :data:`journeylib.metrics.VALENCE_RULES`, rules whose values are on
        the rating's valence scale (``effort`` and ``trend`` are not).
    scoring : {"valence", "ridit", "normal"}
        How answers are scored (see :data:`SCORINGS`).
    confidence : float
        Level of the confidence interval.
    n_boot : int
        Bootstrap resamples of journeys for the CI: a percentile bootstrap of
        the mean gap.
    threshold : float
        For the patterns: touchpoints count as positive when their mean
        valence is above `threshold`, the journey as negative when its rating
        is below ``-threshold`` (and the reverse).
    seed : int, optional

    Returns
    -------
    pandas.DataFrame
        One row: ``rule``, ``scoring``, ``n``, ``gap`` (mean), ``ci_low``,
        ``ci_high``, ``t``, ``dof``, ``p_val`` (t-test), ``w``,
        ``p_val_wilcoxon``, ``d_z`` (Cohen's d for paired data: mean gap / sd
        of gaps), and the shares of journeys in each pattern:
        ``share_paypal`` (touchpoints positive on average, journey rated
        negative), ``share_recovered`` (the reverse) and ``share_aligned``
        (all others).  With a constant gap (zero variance) the tests are NaN
        and a warning says so.

    Raises
    ------
    ValueError
        For a yes/no (two-level) rating (use :func:`paypal_share`), a rule
        not on the valence scale, a rule that needs an order on journeys
        that have none, or fewer than two journeys with a rating and the rule.

    Examples
    --------
    >>> import journeylib as jl
    >>> df = jl.simulate_journeys(300, rule="peak_end", seed=3)
    >>> res = gap_test(df, rule="mean", n_boot=500, seed=0)
    >>> list(res.columns[:6])
    ['rule', 'scoring', 'n', 'gap', 'ci_low', 'ci_high']
    >>> bool(res["ci_low"].iloc[0] < res["gap"].iloc[0] < res["ci_high"].iloc[0])
    True
    >>> signs = [float(gap_test(df, scoring=s, n_boot=0)["gap"].iloc[0]) > 0 for s in SCORINGS]
    >>> len(set(signs))  # one sign under all three scorings: the gap is not a scoring artefact
    1
    """
    if rule not in RULES:
        raise ValueError(f"The value for `rule` must be one of {VALENCE_RULES}, but {rule!r} was "
                         "passed.")
    if rule not in VALENCE_RULES:
        raise ValueError(f"The rule {rule!r} is not on the valence scale of the rating (it counts "
                         f"or measures a slope), so 'rating - {rule}' is no gap. Use one of "
                         f"{VALENCE_RULES}; compare {rule!r} with the rating in compare_rules().")
    if scoring not in SCORINGS:
        raise ValueError(f"The value for `scoring` must be one of {SCORINGS}, but {scoring!r} was "
                         "passed.")
    lo_q, hi_q = _check_confidence(confidence)
    if scoring != "valence":
        if not isinstance(data, pd.DataFrame) or not {"step", "score"} <= set(data.columns):
            raise ValueError(f"scoring={scoring!r} rescores every answer, so it needs tidy data "
                             "(one row per moment), not a journey summary.")
        data = _rescored(data, scoring)
    s = as_summary(data)
    rating = _column(s, "rating", "column")
    value = _column(s, rule, "rule")
    if rule in ORDER_DEPENDENT and "ordered" in s.columns and not s["ordered"].all():
        n_un = int((~s["ordered"].astype(bool)).sum())
        raise ValueError(f"The rule {rule!r} depends on the order of the moments, and {n_un} "
                         "journeys have none (survey items, from_wide(ordered=False)). Use an "
                         "order-free rule such as 'mean', 'median' or 'min'.")
    mean = _column(s, "mean", "column") if "mean" in s.columns else value
    (rating, value, mean), _ = _drop_missing([rating, value, mean], ["rating", rule],
                                             minimum=2, what="gap_test")
    if outcome_type(rating) == "binary":
        raise ValueError("The journey rating has two levels (a yes/no outcome): a mean gap "
                         "between a label and a score describes no journey. Use "
                         "jl.paypal_share(data): the share of 'no' among journeys whose "
                         "touchpoints are fine, with its confidence interval.")
    gap = rating - value
    n = len(gap)
    m = float(gap.mean())
    sd = float(gap.std(ddof=1))
    rng = np.random.default_rng(seed)
    if n_boot > 0:
        boots = np.concatenate([gap[idx].mean(axis=1) for idx in _boot_index(rng, n, n_boot)])
        ci_low, ci_high = np.percentile(boots, [lo_q, hi_q])
    else:
        ci_low = ci_high = np.nan
    if sd == 0:
        warnings.warn("The gap is the same for every journey (zero variance): t-test, Wilcoxon "
                      "and d_z are undefined and reported as NaN.", UserWarning, stacklevel=2)
        t = p = w = p_w = d_z = np.nan
    else:
        tt = st.ttest_1samp(gap, 0.0)
        t, p = float(tt.statistic), float(tt.pvalue)
        d_z = m / sd
        if np.any(gap != 0):
            wt = st.wilcoxon(gap, zero_method="pratt")
            w, p_w = float(wt.statistic), float(wt.pvalue)
        else:
            w = p_w = np.nan
    paypal = (mean > threshold) & (rating < -threshold)
    recovered = (mean < -threshold) & (rating > threshold)
    return pd.DataFrame({
        "rule": [rule], "scoring": [scoring], "n": [n], "gap": [m], "ci_low": [float(ci_low)],
        "ci_high": [float(ci_high)], "t": [t], "dof": [n - 1], "p_val": [p], "w": [w],
        "p_val_wilcoxon": [p_w], "d_z": [d_z], "share_paypal": [paypal.mean()],
        "share_recovered": [recovered.mean()],
        "share_aligned": [1.0 - paypal.mean() - recovered.mean()],
    })


def _wilson(k, n, z):
    """Wilson score interval for k successes in n trials."""
    if n == 0:
        return np.nan, np.nan
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def paypal_share(data, *, outcome="rating", threshold=0.0, confidence=0.95):
    """How often is a journey rated negative (or "no") although its touchpoints were fine?

    The question a gap answers for a yes/no rating: among journeys whose
    touchpoints are positive on average (mean valence above `threshold`),
    the share rated negative (rating valence below ``-threshold``; "no" on
    a yes/no scale), with a Wilson score interval (Wilson 1927), next to the
    same share among the other journeys.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy journey data or a :func:`journeylib.journey_summary` frame.
    outcome : str
        ``"rating"`` (the journey rating, negative below ``-threshold`` on
        valence) or another two-level summary column such as a yes/no
        ``"recommend"`` (negative: its lower level, "no").
    threshold : float
    confidence : float

    Returns
    -------
    pandas.DataFrame
        Two rows, ``touchpoints`` = ``"positive"`` and ``"not positive"``:
        ``n`` (journeys), ``n_negative`` (rated negative), ``share``,
        ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"journey_id": range(6), "mean": [0.5, 0.4, 0.6, 0.2, -0.5, -0.2],
    ...                   "rating": [-1.0, 1.0, 1.0, -1.0, -1.0, 1.0]})
    >>> paypal_share(s)[["touchpoints", "n", "n_negative", "share"]]
        touchpoints  n  n_negative  share
    0      positive  4           2    0.5
    1  not positive  2           1    0.5
    """
    _check_confidence(confidence)
    s = as_summary(data)
    rating = _column(s, outcome, "outcome")
    mean = _column(s, "mean", "column")
    (rating, mean), kept = _drop_missing([rating, mean], [outcome, "mean"], minimum=1,
                                         what="paypal_share")
    if outcome == "rating":
        negative = rating < -threshold
    else:
        levels = np.unique(rating)
        if len(levels) > 2:
            raise ValueError(f"paypal_share on {outcome!r} needs a yes/no (two-level) outcome, but "
                             f"it has {len(levels)} levels.")
        if f"{outcome}_scale" in s.columns:  # its scale says which answer is "no"
            negative = valence(rating, s[f"{outcome}_scale"][kept].reset_index(drop=True)) < 0
        elif len(levels) == 2 or levels[0] in (0, 1):  # the lower answer; a lone 0 is "no", 1 "yes"
            negative = rating == min(levels[0], 0)
        else:
            raise ValueError(f"paypal_share cannot tell whether {outcome!r}'s one answer "
                             f"({levels[0]:g}) is yes or no: give its scale in a "
                             f"'{outcome}_scale' column.")
    z = float(st.norm.ppf((1 + confidence) / 2))
    rows = []
    for label, group in (("positive", mean > threshold), ("not positive", mean <= threshold)):
        n = int(group.sum())
        k = int((group & negative).sum())
        lo, hi = _wilson(k, n, z)
        rows.append({"touchpoints": label, "n": n, "n_negative": k,
                     "share": k / n if n else np.nan, "ci_low": lo, "ci_high": hi})
    return pd.DataFrame(rows)
