"""Helpers shared by several plot modules: input checks, the journey summary, intervals, labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as sps


def _need(data, columns, what):
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{what} needs a pandas DataFrame, not {type(data).__name__}.")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ValueError(
            f"{what} needs the column(s) {', '.join(map(repr, missing))}; "
            f"the data has {', '.join(map(str, data.columns))}."
        )


def _summary(data, metrics=None):
    """journey_summary of tidy data (one definition of every metric: journeylib.metrics)."""
    from ..metrics import journey_summary

    return journey_summary(data, metrics=metrics)


def _mean_ci(values, confidence):
    """Mean and the t-based confidence interval of a 1-d array (NaN bounds for n < 2)."""
    v = np.asarray(values, dtype="float64")
    n = v.size
    mean = float(v.mean()) if n else np.nan
    if n < 2:
        return mean, np.nan, np.nan
    half = sps.t.ppf((1 + confidence) / 2, n - 1) * v.std(ddof=1) / np.sqrt(n)
    return mean, mean - half, mean + half


def _fmt(v, digits=2):
    """Signed number with a real minus sign; a value that rounds to zero is shown as +0, never -0.

    Examples
    --------
    >>> _fmt(-0.004), _fmt(-0.5)
    ('+0.00', '\u22120.50')
    """
    text = f"{v:+.{digits}f}"
    if float(text) == 0:
        text = f"{0.0:+.{digits}f}"
    return text.replace("-", "\u2212")
