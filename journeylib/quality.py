"""Data-quality checks to run before any gap between touchpoints and the journey is reported.

A gap analysis assumes three things the data may quietly break: that the rating
is a judgement of its own (not computed from the touchpoint scores), that the
touchpoints and the rating measure related things with the same polarity, and
that each journey is counted once with a real date.  :func:`check_consistency`
measures each and says in words what looks wrong.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .checks import ensure_valid
from .metrics import journey_summary
from .scales import add_valence, from_valence

__all__ = ["check_consistency", "PLACEHOLDER_DATES", "DERIVATION_RULES"]

#: Dates that systems write when they have none (the Unix epoch, the spreadsheet epoch).
PLACEHOLDER_DATES = ("1970-01-01", "1900-01-01")

_COLUMNS = ["check", "value", "threshold", "flagged", "message"]


def _half_up(x):
    return np.floor(x + 0.5)


def _half_away(x):
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def _unrounded(x):
    return x


#: Ways a rating can be computed from the mean of the touchpoints once that mean is
#: mapped onto the rating's scale: name -> (words for the message, function).  In
#: this order of preference when two rules match equally often.
DERIVATION_RULES = {
    "half up": ("rounded half up as floor(x + 0.5)", _half_up),
    "half away from zero": ("rounded half away from zero as Excel's ROUND and SPSS's RND do",
                            _half_away),
    "half to even": ("rounded half to even as NumPy's and R's round do", np.round),
    "floor": ("rounded down", np.floor),
    "ceiling": ("rounded up", np.ceil),
    "unrounded": ("unrounded", _unrounded),
}


def _row(check, value, threshold, flagged, message):
    return {"check": check, "value": float(value), "threshold": float(threshold),
            "flagged": bool(flagged), "message": message}


def _n(count, noun, verb=None):
    """'1 journey gives', '3 journeys give'."""
    one = count == 1
    words = f"{count} {noun}{'' if one else 's'}"
    return words if verb is None else f"{words} {verb + 's' if one else verb}"


def _fmt(x, spec=".2f"):
    return "n/a" if not np.isfinite(x) else format(x, spec)


_POLARITY = ("one of the scales probably runs the other way (an effort scale read as "
             "satisfaction, or a scale coded 1 = best): check the scale names")


def _relation(r, unrelated, reversed, *, reversed_msg, unrelated_msg, related_msg):
    """Message and flag for a correlation that should be positive."""
    if r <= -reversed:
        return True, f"likely reversed polarity: {reversed_msg}; {_POLARITY}"
    if r < unrelated:
        note = " (negative: check that no scale runs the other way)" if r < 0 else ""
        return True, unrelated_msg + note
    return False, related_msg


def _placeholder(ts):
    """True where a timestamp falls on a placeholder date (wall clock, or UTC when zoned)."""
    marks = pd.to_datetime(list(PLACEHOLDER_DATES))
    tz = getattr(ts.dt, "tz", None)
    wall = ts.dt.tz_localize(None) if tz is not None else ts
    hit = wall.dt.normalize().isin(marks)
    if tz is not None:
        hit |= ts.dt.tz_convert("UTC").dt.tz_localize(None).dt.normalize().isin(marks)
    return hit.to_numpy()


def _derived_rows(mean_v, journeys, derived):
    """The derived-rating row: which rule reproduces the rating best, against chance."""
    usable = (mean_v.notna() & journeys["rating"].notna()).to_numpy()
    n = int(usable.sum())
    if n == 0:
        return _row("derived_rating", np.nan, derived, False,
                    "no journey has both a rating and touchpoint scores: derived-rating check "
                    "not computed")
    scales = journeys["rating_scale"].astype(str).to_numpy()[usable]
    rating = np.round(journeys["rating"].to_numpy(dtype="float64")[usable], 9)
    on_scale = np.round(from_valence(mean_v.to_numpy()[usable], scales), 9)
    p_rating = pd.DataFrame({"s": scales, "v": rating}).value_counts(normalize=True)
    results = []
    for name, (words, rule) in DERIVATION_RULES.items():
        made = np.round(rule(on_scale), 9)
        share = float(np.mean(made == rating))
        p_made = pd.DataFrame({"s": scales, "v": made}).value_counts(normalize=True)
        chance = float((p_rating * p_made.reindex(p_rating.index, fill_value=0.0)).sum())
        results.append((share, name, words, chance))
    best = max(results, key=lambda t: t[0])  # the first of equals: order of preference
    share, name, words, chance = best
    ties = [t[1] for t in results if t[0] == share and t[1] != name]
    also = f" (equally well: {', '.join(ties)})" if ties else ""
    levels = len(p_rating)
    if levels <= 2 or set(scales) == {"binary"}:
        values = " and ".join(sorted({f"{v:g}" for v in rating}))
        return _row("derived_rating", np.nan, derived, False,
                    f"derived-rating check skipped: the rating takes only {levels} value"
                    f"{'s' if levels != 1 else ''} ({values}), so a rounded touchpoint mean "
                    f"matches it often by chance alone (here {chance:.1%} expected, "
                    f"{share:.1%} observed); a match would not show that it was computed")
    what = (f"{share:.1%} of {n} journeys rate exactly the mean of their touchpoints on the "
            f"rating's scale, {words}{also}, where chance would match {chance:.1%} "
            f"(threshold {derived:.0%})")
    kappa = (share - chance) / (1 - chance) if chance < 1 else np.nan
    flag = bool(share >= derived and kappa >= 0.5)
    if flag:
        msg = "rating looks derived from the touchpoints: " + what
    elif share >= derived:
        msg = ("rating looks like a judgement of its own, although it often equals the rounded "
               "mean: ratings and means crowd on a few values, so chance alone comes close: "
               + what)
    else:
        msg = "rating looks like a judgement of its own: " + what
    return _row("derived_rating", share, derived, flag, msg)


def _duplicates_row(df, jid):
    """Journeys identical to an earlier one, with a text or time stamp that identifies them."""
    body = df.drop(columns=[jid, "valence", "rating_valence"])
    codes, _ = pd.factorize(pd.util.hash_pandas_object(body, index=False))
    sig = pd.DataFrame({"j": df[jid].to_numpy(), "s": df["step"].to_numpy(), "c": codes})
    sig = sig.pivot_table(index="j", columns="s", values="c", aggfunc="first", fill_value=-1)
    repeat = sig.duplicated()
    pattern = pd.Series(pd.factorize(pd.util.hash_pandas_object(sig, index=False))[0],
                        index=sig.index)
    # values that identify a submission: a non-empty free text, a time stamp with a time of
    # day (not a placeholder); neither counts when journeys with other answers carry it too
    keys = []
    if "text" in df.columns:
        text = df["text"].astype("string").str.strip()
        keys.append(("text", text.where((text.str.len() > 0).fillna(False))))
    if "timestamp" in df.columns:
        ts = df["timestamp"]
        stamped = ts.notna().to_numpy()
        timed = stamped & (ts != ts.dt.normalize()).to_numpy()
        if timed.any():
            keys.append(("time stamp", ts.where(stamped & ~_placeholder(ts))))
    evidence = pd.Series(False, index=sig.index)
    for _, key in keys:
        rows = pd.DataFrame({"j": df[jid].to_numpy(), "k": key.to_numpy()}).dropna()
        if not len(rows):
            continue
        rows["p"] = pattern.reindex(rows["j"]).to_numpy()
        identifying = rows.groupby("k", sort=False)["p"].transform("nunique") == 1
        evidence |= pd.Series(True, index=pd.unique(rows.loc[identifying, "j"])).reindex(
            sig.index, fill_value=False)
    n_rep = int(repeat.sum())
    n_dup = int((repeat & evidence).sum())
    n_same = n_rep - n_dup
    chance = ("the answers of one person hang together, so identical answer patterns are "
              "common in clean surveys")
    if not any(key.notna().any() for _, key in keys):
        if not n_rep:
            return _row("duplicates", 0, 0, False, "no journey repeats another")
        return _row("duplicates", np.nan, 0, False,
                    f"{_n(n_rep, 'journey', 'give')} exactly the same answers as an earlier one, "
                    "but "
                    "there is no free text or time of day to tell a resubmission from a "
                    f"coincidence, and {chance}: not counted as duplicates")
    same = (f"{_n(n_same, 'journey', 'give')} exactly the same answers as an earlier one without "
            f"a text or time stamp that identifies them, which is common by chance ({chance}) "
            "and not counted")
    if n_dup:
        msg = (f"{_n(n_dup, 'journey', 'repeat')} an earlier journey in every column, with the "
               f"same {' or '.join(k for k, _ in keys)}: likely duplicate submissions")
        msg += f"; {same}" if n_same else ""
    else:
        msg = "no journey repeats another" + (f"; {same}" if n_same else "")
    return _row("duplicates", n_dup, 0, n_dup > 0, msg)


def check_consistency(data, *, unrelated=0.2, derived=0.9, min_overlap=20, reversed=0.3):
    """Data-quality report for journey data: is a gap analysis on it meaningful?

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy journey data (see :func:`journeylib.schema.validate`).  Never modified.
    unrelated : float, default 0.2
        A correlation below this counts as "unrelated".
    derived : float, default 0.9
        A share of journeys at or above this whose rating equals the mean of
        their touchpoints, rounded by the best-matching rule, counts as
        "derived" (when it is also well above chance, see ``derived_rating``).
    min_overlap : int, default 20
        Journeys two touchpoints must share before their correlation is used.
    reversed : float, default 0.3
        A correlation at or below minus this counts as a likely reversed
        polarity rather than "unrelated".

    Returns
    -------
    pandas.DataFrame
        One row per check, columns ``check``, ``value``, ``threshold`` (NaN
        where none applies), ``flagged`` and ``message`` (in words):

        ``journeys``
            number of journeys (context, never flagged).
        ``touchpoint_correlation``
            median Pearson r over pairs of touchpoints (on valence, pairwise
            complete, pairs sharing at least `min_overlap` journeys); flagged
            below `unrelated`: "touchpoints look unrelated to each other".
            Also flagged when a touchpoint runs against the others (its r with
            the mean of the other touchpoints at or below ``-reversed``; with
            two touchpoints, their r): "likely reversed polarity".
        ``rating_correlation``
            r between the rating and the mean of the journey's touchpoints;
            flagged below `unrelated`: "rating unrelated to touchpoints", or at
            or below ``-reversed``: "likely reversed polarity".
        ``rating_correlation[<touchpoint>]``
            one row per touchpoint (in journey order: by mean ``step``): its r with
            the rating; flagged as ``rating_correlation``.
        ``derived_rating``
            share of journeys whose rating equals the mean of its touchpoints
            mapped onto the rating's scale and then rounded, by whichever rule
            of :data:`DERIVATION_RULES` matches most journeys (halves up as in
            floor(x + 0.5), halves away from zero as Excel's ROUND and SPSS's
            RND, halves to even as NumPy and R, floor, ceiling, or no rounding
            at all); the message names the rule.  Flagged when the share is at
            or above `derived` and also well above chance: at least half of the
            journeys chance would not match are matched (Cohen's kappa of
            0.5).  Chance is the share expected if ratings and rounded means
            were unrelated, from their own distributions.  A rating with at
            most two values (a yes/no outcome, or a scale used at two points)
            is not checked (value NaN): a rounded mean matches two levels too
            often by chance for a match to mean anything.
        ``duplicates``
            number of journeys identical to an earlier one in every column but
            ``journey_id`` *and* carrying a free text or a time stamp (with a
            time of day, not a placeholder date) that identifies them: no
            journey with other answers carries the same text or stamp (a stock
            answer such as "ok", or a batch import time, identifies nobody).
            Flagged above 0.  Journeys that only share their answers are
            counted in the message, not flagged; NaN when there is no text or
            time of day to tell a resubmission from a coincidence but some
            answers repeat.
        ``placeholder_dates``
            number of journeys dated 1970-01-01 or 1900-01-01 (NaN without a
            ``timestamp`` column); flagged above 0.

    Notes
    -----
    Correlations use valence (-1..+1), so ratings on per-row scales (a 1-5 and
    a 1-10 overall in one file) are comparable.  The rating is compared with
    the journey's ``mean`` as :func:`journeylib.journey_summary` defines it
    (the mean of all scored moments, so a touchpoint met twice counts twice);
    in the per-touchpoint and pairwise correlations a repeated touchpoint
    enters with its mean.

    A strong negative correlation between parts and whole of one experience
    is not a lack of relation: it almost always means that a scale was read
    the wrong way round, such as an effort score (high = bad) given the
    polarity of a satisfaction score.

    Identical answers alone are no evidence of a duplicate submission.  The
    answers of one respondent are strongly correlated, so identical answer
    patterns occur far more often than a model of independent answers
    predicts: in simulated survey data like
    :func:`journeylib.owndata.example_survey` (1,000 respondents, seed 3, six
    touchpoints, overall and recommend) 48 journeys repeat an earlier answer
    pattern where independent answers with the same distributions give about
    3, and even independence within each rating level gives about 34.  No
    chance model that ignores this correlation is honest, and one that
    captures it would have to be fitted to the very data it judges.  So a
    duplicate needs an identifying value in common: a free text or a time
    stamp.  (A journey id submitted twice is already refused by validation,
    which finds its steps twice.)

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"journey_id": [1, 1, 2, 2, 3, 3], "step": [1, 2] * 3,
    ...                    "touchpoint": ["web", "phone"] * 3, "score": [4, 2, 5, 5, 1, 2],
    ...                    "score_scale": "likert5", "rating": [3, 3, 5, 5, 2, 2],
    ...                    "rating_scale": "likert5"})
    >>> report = check_consistency(df, min_overlap=3)
    >>> report[["check", "value", "flagged"]]
                           check     value  flagged
    0                   journeys  3.000000    False
    1     touchpoint_correlation  0.693375    False
    2         rating_correlation  0.994192    False
    3    rating_correlation[web]  0.891042    False
    4  rating_correlation[phone]  0.944911    False
    5             derived_rating  1.000000     True
    6                 duplicates  0.000000    False
    7          placeholder_dates       NaN    False
    >>> print(report.loc[5, "message"])
    rating looks derived from the touchpoints: 100.0% of 3 journeys rate exactly the mean of their touchpoints on the rating's scale, rounded half up as floor(x + 0.5) (equally well: half away from zero, half to even, ceiling), where chance would match 33.3% (threshold 90%)
    """
    df = add_valence(ensure_valid(data))
    # touchpoints in journey order: by mean step, ties by first appearance
    df = df.sort_values(["journey_id", "step"], kind="stable")
    first_seen = pd.unique(df["touchpoint"].to_numpy())
    mean_step = df.groupby("touchpoint", observed=True)["step"].mean().reindex(first_seen)
    order = mean_step.sort_values(kind="stable").index.to_numpy()
    wide = df.pivot_table(index="journey_id", columns="touchpoint", values="valence",
                          aggfunc="mean", observed=True, sort=True).reindex(columns=order)
    # the journey's touchpoint mean and rating (valence): journey_summary's definitions
    summ = journey_summary(df, metrics=["mean", "rating"]).set_index("journey_id")
    # the raw rating and its scale, to compare with the mean mapped onto that scale
    journeys = df.groupby("journey_id", sort=True).agg(
        rating=("rating", "first"), rating_scale=("rating_scale", "first"))
    summ = summ.reindex(journeys.index)
    wide = wide.reindex(journeys.index)
    rows = [_row("journeys", len(journeys), np.nan, False,
                 f"{len(journeys)} journeys, {len(df)} touchpoint moments, "
                 f"{len(order)} distinct touchpoints")]

    # touchpoints with each other, and each with the mean of the others
    corr = wide.corr(min_periods=min_overlap).to_numpy()
    pairs = corr[np.triu_indices(len(order), k=1)]
    pairs = pairs[np.isfinite(pairs)]
    med = float(np.median(pairs)) if len(pairs) else np.nan
    against = []
    if len(order) == 2 and len(pairs) and med <= -reversed:
        against = [(f"{order[0]} and {order[1]} run against each other", med)]
    elif len(order) > 2:  # each touchpoint against the mean of the others (item-rest r)
        w = wide.to_numpy(dtype="float64")
        seen = ~np.isnan(w)
        total, count = np.where(seen, w, 0.0).sum(axis=1), seen.sum(axis=1)
        for j, tp in enumerate(order):
            others = count - seen[:, j]
            ok = seen[:, j] & (others > 0)
            if ok.sum() >= min_overlap:
                x, rest = w[ok, j], (total[ok] - w[ok, j]) / others[ok]
                if x.std() > 0 and rest.std() > 0:
                    r = float(np.corrcoef(x, rest)[0, 1])
                    if r <= -reversed:
                        against.append((f"{tp} runs against the other touchpoints", r))
    if against:
        which = "; ".join(f"{what} (r = {r:.2f})" for what, r in against)
        msg = (f"likely reversed polarity: {which}; {_POLARITY} (median r = {med:.2f} over "
               f"{_n(len(pairs), 'pair')})")
    elif not len(pairs):
        msg = f"no pair of touchpoints shares {min_overlap} journeys: correlation not computed"
    elif med < unrelated:
        msg = (f"touchpoints look unrelated to each other: median r = {med:.2f} over "
               f"{_n(len(pairs), 'pair')}")
    else:
        msg = f"touchpoints move together: median r = {med:.2f} over {_n(len(pairs), 'pair')}"
    rows.append(_row("touchpoint_correlation", med, unrelated,
                     bool(against) or med < unrelated, msg))

    # touchpoints with the rating
    rv = summ["rating"]
    mean_v = summ["mean"]
    r_all = mean_v.corr(rv) if (mean_v.notna() & rv.notna()).sum() >= 3 else np.nan
    if not np.isfinite(r_all):
        flag, msg = False, ("too few journeys with both a rating and touchpoint scores to "
                            "correlate them")
    else:
        flag, msg = _relation(
            r_all, unrelated, reversed,
            reversed_msg=(f"the rating runs against the touchpoints (r = {r_all:.2f} with their "
                          "mean)"),
            unrelated_msg=f"rating unrelated to touchpoints: r = {r_all:.2f} with their mean",
            related_msg=f"rating follows the touchpoints: r = {r_all:.2f} with their mean")
    rows.append(_row("rating_correlation", r_all, unrelated, flag, msg))
    per_tp = wide.corrwith(rv)
    counts = wide.notna().mul(rv.notna(), axis=0).sum()
    per_tp[counts < min_overlap] = np.nan
    for tp in order:
        r, k = per_tp[tp], int(counts[tp])
        if not np.isfinite(r):
            flag, msg = False, (f"{tp}: too few journeys ({k}, fewer than {min_overlap}) "
                                "to correlate with the rating")
        else:
            flag, msg = _relation(
                r, unrelated, reversed,
                reversed_msg=f"{tp} runs against the rating (r = {r:.2f} over {k} journeys)",
                unrelated_msg=f"{tp} looks unrelated to the rating: r = {r:.2f} over {k} journeys",
                related_msg=f"{tp} goes with the rating: r = {r:.2f} over {k} journeys")
        rows.append(_row(f"rating_correlation[{tp}]", r, unrelated, flag, msg))

    # a rating computed from the touchpoints
    rows.append(_derived_rows(mean_v, journeys, derived))

    # duplicate submissions
    rows.append(_duplicates_row(df, "journey_id"))

    # placeholder dates
    if "timestamp" in df.columns:
        first = df.groupby("journey_id", sort=True)["timestamp"].first()
        n_ph = int(_placeholder(first).sum())
        msg = (f"{_n(n_ph, 'journey', 'carry')} a placeholder date "
               f"({' or '.join(PLACEHOLDER_DATES)}): "
               "treat their dates as unknown" if n_ph else "no placeholder dates")
        rows.append(_row("placeholder_dates", n_ph, 0, n_ph > 0, msg))
    else:
        rows.append(_row("placeholder_dates", np.nan, 0, False, "no timestamp column"))
    return pd.DataFrame(rows, columns=_COLUMNS)
