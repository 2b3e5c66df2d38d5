"""What an outcome is, and which rules are defined on which journeys.

The statistics ask the data two questions before they compute anything:

- Is the outcome a yes/no label (two levels), an ordinal grade (a few
  ordered levels: 1-5 stars, 0-10) or an interval score (a slider, many
  values)?  A mean gap or an R2 suits an interval score; a yes/no outcome is
  scored by AUC and an ordinal grade by an ordinal model.
- Do the touchpoints have an order?  ``first``, ``last``, ``peak_end`` and
  ``trend`` need one; on survey items (``ordered`` False) they are undefined.
"""

from __future__ import annotations

import numpy as np

from ..metrics import ORDER_DEPENDENT

__all__ = ["outcome_type", "OUTCOME_TYPES", "MAX_ORDINAL_LEVELS", "rule_notes"]

#: The kinds of outcome the statistics tell apart.
OUTCOME_TYPES: tuple[str, ...] = ("constant", "binary", "ordinal", "interval")
#: An outcome with at most this many distinct values is ordinal (0-10 has 11).
MAX_ORDINAL_LEVELS = 11


def outcome_type(values):
    """``"binary"``, ``"ordinal"`` or ``"interval"``: what kind of outcome `values` are.

    (``"constant"`` when there are fewer than two distinct values.)

    Two distinct values (a yes/no flag, a rating on the ``binary`` scale, or
    any rating that happens to take two levels) make a binary outcome; up to
    :data:`MAX_ORDINAL_LEVELS` an ordinal one (a 1-5, 1-10 or 0-10 rating);
    more an interval one (a slider, a percentage, a computed score).
    Missing values are ignored.

    Examples
    --------
    >>> outcome_type([-1.0, 1.0, 1.0, float("nan")]), outcome_type([1, 2, 3, 4, 5])
    ('binary', 'ordinal')
    >>> outcome_type(list(range(100)))
    'interval'
    """
    x = np.asarray(values, dtype="float64")
    levels = np.unique(x[~np.isnan(x)])
    if len(levels) < 2:
        return "constant"
    if len(levels) == 2:
        return "binary"
    return "ordinal" if len(levels) <= MAX_ORDINAL_LEVELS else "interval"


def rule_notes(summary, rules, base):
    """Rules undefined on some journeys of the sample, with the reason in words.

    Parameters
    ----------
    summary : pandas.DataFrame
        A journey summary with a column per rule (and ``ordered`` when the
        data had one).
    rules : list of str
        The rules asked for (``"all"`` is not looked at here).
    base : numpy.ndarray of bool
        The journeys of the sample (an outcome and at least one scored moment).

    Returns
    -------
    dict
        rule -> note, for each rule left out.  A rule undefined on some
        journeys of the sample is left out rather than allowed to shrink the
        sample every other rule is scored on.
    """
    notes = {}
    unordered = np.zeros(len(summary), dtype=bool)
    if "ordered" in summary.columns:
        unordered = ~summary["ordered"].to_numpy(dtype=bool)
    for r in rules:
        if r == "all" or r not in summary.columns:
            continue
        v = summary[r].to_numpy(dtype="float64", na_value=np.nan)
        undefined = base & np.isnan(v)
        if not undefined.any():
            continue
        n_un = int((undefined & unordered).sum())
        if n_un and (r in ORDER_DEPENDENT or r == "peak"):
            notes[r] = (f"left out: {r} depends on the order of the moments, and {n_un} of "
                        f"{int(base.sum())} journeys have none (survey items; "
                        "from_wide(..., ordered=True) if the columns are in journey order)")
        else:
            why = " (fewer than two scored moments)" if r in ("trend", "volatility") else ""
            notes[r] = (f"left out: {r} is undefined for {int(undefined.sum())} of "
                        f"{int(base.sum())} journeys{why}; compare it on the journeys where it is "
                        "defined")
    return notes
