"""What a report on own data says first: the headline, and the analysis it comes from.

:func:`analyse` runs the checks and statistics of ``notebooks/07-your-data.ipynb``
once (consistency checks, journey summary, gap or PayPal share, rule
comparison, key drivers, recommendation); :func:`headline` turns them into a
few sentences a manager reads first: how many journeys, the mean gap with its
interval (for a yes/no rating, the share of "no" among journeys whose
touchpoints were fine), the best rule and its lead over the runner-up, the
strongest driver, and every quality flag raised. A part that the data cannot
support is not an error: its sentence says why it is missing.

Sentences are plain text; :func:`headline_markdown` escapes them for a
Markdown output (:func:`journeylib.report.escape_markdown`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ._markup import escape_markdown

__all__ = ["Analysis", "analyse", "headline", "headline_markdown", "drivers_skipped_reason",
           "largest_gap_journey", "show_warnings_as_notes", "HEADLINE_COLUMNS", "MIN_DRIVER_JOURNEYS"]

#: Columns of :func:`headline`.
HEADLINE_COLUMNS = ["topic", "statistic", "value", "ci_low", "ci_high", "sentence"]
#: Journeys below which no key drivers are computed.
MIN_DRIVER_JOURNEYS = 10
_MIN_RULE_JOURNEYS = 10
_LABELS = {"journeys": "Data", "gap": "Gap", "paypal_share": "Gap", "best_rule": "Best rule",
           "driver": "Strongest driver", "recommend": "Recommendation", "quality": "Quality"}
_SCORE_NAMES = {"r2": "R²", "auc": "AUC", "log_loss": "log-loss"}
_METHODS = {"shapley": "Shapley decomposition of R²", "relative_weights": "Johnson's relative weights"}


@dataclass
class Analysis:
    """The results behind a report on own data; a part that could not be computed is None.

    Attributes
    ----------
    data : pandas.DataFrame
        The tidy journey data analysed.
    summary : pandas.DataFrame
        :func:`journeylib.journey_summary` of `data`.
    quality : pandas.DataFrame
        :func:`journeylib.check_consistency` of `data`.
    outcome : str
        What the outcome is (:func:`journeylib.outcome_type`): ``"binary"``,
        ``"ordinal"``, ``"interval"`` or ``"constant"``.
    outcome_column : str
        The outcome: ``"rating"``, or ``"recommend"`` for data without a journey rating.
    gap : pandas.DataFrame or None
        :func:`journeylib.gap_test` (rule ``"mean"``); None for a yes/no rating.
    paypal : pandas.DataFrame or None
        :func:`journeylib.paypal_share`, for a yes/no rating.
    rules : pandas.DataFrame or None
        :func:`journeylib.compare_rules` over the single rules (not ``"all"``).
    drivers : pandas.DataFrame or None
        :func:`journeylib.owndata.key_driver_table`.
    driver_notes : list of str
        What the key drivers left out, and why.
    recommend : pandas.DataFrame or None
        :func:`journeylib.nps` (0-10 answers) or :func:`journeylib.recommend_share` (yes/no).
    recommend_kind : {"nps", "share", None}
    reasons : dict
        Part name (``"gap"``, ``"rules"``, ``"drivers"``, ``"recommend"``) -> why it is missing.
    headline : pandas.DataFrame
        :func:`headline`'s frame.
    """

    data: pd.DataFrame
    summary: pd.DataFrame
    quality: pd.DataFrame
    outcome: str
    gap: pd.DataFrame | None = None
    paypal: pd.DataFrame | None = None
    rules: pd.DataFrame | None = None
    drivers: pd.DataFrame | None = None
    driver_notes: list = field(default_factory=list)
    recommend: pd.DataFrame | None = None
    recommend_kind: str | None = None
    reasons: dict = field(default_factory=dict)
    headline: pd.DataFrame | None = None
    outcome_column: str = "rating"

    @property
    def judged(self):
        """What the analysis explains, in words."""
        return "journey rating" if self.outcome_column == "rating" else f"{self.outcome_column} answer"


# --- the parts ------------------------------------------------------------------------------------

def drivers_skipped_reason(data, *, min_share=0.8):
    """Why key drivers cannot be computed on `data`, in a sentence; None when they can.

    Key drivers need survey-style data: at least :data:`MIN_DRIVER_JOURNEYS`
    journeys, each touchpoint scored at most once per journey, and at least
    two touchpoints scored in `min_share` of the journeys or more (the others
    are left out, see :func:`journeylib.owndata.key_driver_table`). Any number
    of touchpoints works: above 12 :func:`journeylib.key_drivers` uses
    Johnson's relative weights.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy journey data.
    min_share : float
        Share of the journeys a touchpoint must be scored in to be analysed.

    Returns
    -------
    str or None

    Examples
    --------
    >>> import journeylib as jl
    >>> print(drivers_skipped_reason(jl.load_seed_cases()))
    There are 5 journeys; key drivers need at least 10.
    """
    n = int(data["journey_id"].nunique())
    if n < MIN_DRIVER_JOURNEYS:
        return f"There are {n} journeys; key drivers need at least {MIN_DRIVER_JOURNEYS}."
    dup = data.duplicated(["journey_id", "touchpoint"]).to_numpy()
    if dup.any():
        row = data.iloc[int(np.flatnonzero(dup)[0])]
        n_dup = int(data.loc[dup, "journey_id"].nunique())
        many = f"{n_dup} journeys have a repeat" if n_dup > 1 else "no other journey has one"
        return (f"Touchpoints repeat within journeys ('{row['touchpoint']}' comes back in journey "
                f"{row['journey_id']}; {many}), so this is a log of "
                "journeys, not a survey in which every journey scores each touchpoint once; key "
                "drivers need the survey form.")
    coverage = _coverage(data)
    core = coverage[coverage >= min_share]
    if len(core) < 2:
        shown = ", ".join(f"{t} ({s:.0%})" for t, s in coverage.sort_values(ascending=False)
                          .head(6).items())
        return (f"Only {len(core)} touchpoint{'' if len(core) == 1 else 's'} "
                f"{'is' if len(core) == 1 else 'are'} scored in at least {min_share:.0%} of the "
                f"journeys (most scored: {shown}); key drivers compare at least 2 touchpoints that "
                "most journeys scored.")
    return None


def _coverage(data):
    n = data["journey_id"].nunique()
    scored = data[data["score"].notna()]
    return scored.groupby("touchpoint", observed=True)["journey_id"].nunique() / n


def largest_gap_journey(summary, *, min_scored=0.5):
    """The journey whose rating is farthest from the mean of its touchpoints, among those mostly scored.

    Picks by the absolute gap (``rating - mean`` on valence), among journeys
    with at least `min_scored` of their touchpoints scored, so that a journey
    with one answer out of seven is not shown as the typical extreme. Ties go
    to the first journey in `summary`'s order.

    Parameters
    ----------
    summary : pandas.DataFrame
        A :func:`journeylib.journey_summary` frame (columns ``journey_id``,
        ``gap``, ``n_touchpoints``, ``n_missing``).
    min_scored : float
        Share of a journey's touchpoints that must carry a score (0..1).

    Returns
    -------
    pandas.Series or None
        The journey's row of `summary`; None when no journey qualifies.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"journey_id": ["a", "b", "c"], "gap": [-1.5, 0.9, -0.2],
    ...                   "n_touchpoints": [7, 7, 7], "n_missing": [6, 1, 0]})
    >>> largest_gap_journey(s)["journey_id"]  # 'a' has 1 of 7 touchpoints scored
    'b'
    """
    if not 0 <= min_scored <= 1:
        raise ValueError(f"The value for `min_scored` must be between 0 and 1, but {min_scored!r} was "
                         "passed.")
    gap = pd.to_numeric(summary["gap"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    ok = np.isfinite(gap)
    if {"n_touchpoints", "n_missing"} <= set(summary.columns):
        total = summary["n_touchpoints"].to_numpy(dtype="float64")
        scored = total - summary["n_missing"].to_numpy(dtype="float64")
        with np.errstate(invalid="ignore", divide="ignore"):
            ok &= scored / total >= min_scored
    if not ok.any():
        return None
    where = np.flatnonzero(ok)
    return summary.iloc[int(where[np.argmax(np.abs(gap[where]))])]


def _try(reasons, part, func, *args, **kwargs):
    """func(*args, **kwargs), or None with the ValueError's message as the part's reason."""
    try:
        return func(*args, **kwargs)
    except ValueError as err:  # the data cannot support this part (JourneyDataError included)
        reasons[part] = str(err).strip()
        return None


def analyse(data, *, outcome=None, seed=None, n_boot=1000, min_share=0.8):
    """Everything the own-data report shows, computed once, with its :func:`headline`.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy journey data (:func:`journeylib.owndata.load_data`).
    outcome : {"rating", "recommend"}, optional
        What the touchpoints are compared with.  By default the journey
        rating, or the recommend answer when the data has no rating (a review
        file with a recommend flag and no overall).
    seed : int, optional
        For the bootstrap intervals and the folds of the rule comparison.
    n_boot : int
        Bootstrap resamples for every interval.
    min_share : float
        Touchpoints scored in fewer journeys than this share are left out of the key drivers.

    Returns
    -------
    Analysis

    Examples
    --------
    >>> import journeylib as jl
    >>> res = analyse(jl.simulate_journeys(60, rule="min", seed=1), seed=0, n_boot=50)
    >>> res.rules["rule"].iloc[0], int(res.gap["n"].iloc[0])
    ('min', 60)
    """
    from . import stats
    from .metrics import journey_summary
    from .owndata import key_driver_table
    from .quality import check_consistency

    summary = journey_summary(data)
    if outcome is None:
        rated = summary["rating"].notna().any() or "recommend" not in summary.columns
        outcome = "rating" if rated else "recommend"
    if outcome not in ("rating", "recommend"):
        raise ValueError(f"The value for `outcome` must be 'rating' or 'recommend', but {outcome!r} "
                         "was passed.")
    y = summary[outcome].to_numpy(dtype="float64", na_value=np.nan)
    res = Analysis(data=data, summary=summary, quality=check_consistency(data),
                   outcome=stats.outcome_type(y), outcome_column=outcome)
    reasons = res.reasons
    if res.outcome == "binary":
        res.paypal = _try(reasons, "gap", stats.paypal_share, summary, outcome=outcome)
    elif outcome == "rating":
        res.gap = _try(reasons, "gap", stats.gap_test, summary, rule="mean", n_boot=n_boot, seed=seed)
    else:
        reasons["gap"] = ("The data has no journey rating; a gap compares the journey rating with "
                          "its touchpoints, so the recommend answers are analysed instead.")
    n = int(summary["journey_id"].nunique())
    if n < _MIN_RULE_JOURNEYS:
        reasons["rules"] = (f"There are {n} journeys; comparing rules out of sample needs at least "
                            f"{_MIN_RULE_JOURNEYS}.")
    else:
        singles = [r for r in stats.DEFAULT_RULES if r != "all"]
        res.rules = _try(reasons, "rules", stats.compare_rules, data, rules=singles, n_boot=n_boot,
                         seed=seed, outcome=outcome)
    reason = drivers_skipped_reason(data, min_share=min_share)
    if reason is None:
        found = _try(reasons, "drivers", key_driver_table, data, min_share=min_share, n_boot=n_boot,
                     seed=seed, outcome=outcome)
        if found is not None:
            res.drivers, res.driver_notes = found
    else:
        reasons["drivers"] = reason
    res.recommend, res.recommend_kind = _recommendation(data, reasons)
    res.headline = _headline_frame(res)
    return res


def _recommendation(data, reasons):
    from .netpromoter import nps, recommend_share

    if "recommend" not in data.columns or not data["recommend"].notna().any():
        reasons["recommend"] = "The data has no recommend answers."
        return None, None
    scales = set(data.loc[data["recommend"].notna(), "recommend_scale"].astype(str)) \
        if "recommend_scale" in data.columns else set()
    if scales == {"binary"}:
        return _try(reasons, "recommend", recommend_share, data), "share"
    if scales == {"nps11"}:
        return _try(reasons, "recommend", nps, data), "nps"
    reasons["recommend"] = (f"The recommend answers are on {', '.join(sorted(scales)) or 'no named scale'}; "
                            "an NPS needs 0-10 answers (nps11), a share yes/no answers (binary).")
    return None, None


# --- the headline ---------------------------------------------------------------------------------

def headline(data, *, seed=None, n_boot=1000, min_share=0.8):
    """The few sentences a report on own data opens with, as a tidy frame.

    Parameters
    ----------
    data : pandas.DataFrame or Analysis
        Tidy journey data (analysed with :func:`analyse`), or an
        :class:`Analysis` already made.
    seed, n_boot, min_share
        Passed to :func:`analyse`.

    Returns
    -------
    pandas.DataFrame
        One row per statement, in reading order, columns ``topic``
        (``"journeys"``, ``"gap"`` or ``"paypal_share"``, ``"best_rule"``,
        ``"driver"``, ``"recommend"``, ``"quality"``), ``statistic`` (what
        ``value`` is: ``"journeys"``, ``"mean_gap"``, ``"share_negative"``,
        ``"lead_over_runner_up"``, ``"importance"``, ``"nps"``,
        ``"share_yes"``, ``"flags"``, or ``"missing"`` when the part could not
        be computed), ``value``, ``ci_low``, ``ci_high`` (95% intervals; NaN
        where none applies) and ``sentence`` (plain text, user values
        unescaped). Every quality flag raised has a row of its own.

    Examples
    --------
    >>> import journeylib as jl
    >>> h = headline(jl.simulate_journeys(80, rule="min", noise=0.05, seed=2), seed=0, n_boot=100)
    >>> h["topic"].tolist()[:4]
    ['journeys', 'gap', 'best_rule', 'driver']
    >>> print(h.loc[h["topic"] == "journeys", "sentence"].item())
    80 journeys with 398 scored touchpoint moments (10 distinct touchpoints).
    """
    res = data if isinstance(data, Analysis) else analyse(data, seed=seed, n_boot=n_boot,
                                                          min_share=min_share)
    return res.headline if res.headline is not None else _headline_frame(res)


def _row(topic, statistic, value, sentence, ci=(np.nan, np.nan)):
    return {"topic": topic, "statistic": statistic, "value": float(value), "ci_low": float(ci[0]),
            "ci_high": float(ci[1]), "sentence": sentence}


def _num(x, digits=2):
    return f"{x:+.{digits}f}"


def _headline_frame(res):
    rows = [_journeys_row(res.data, res.summary)]
    rows.append(_paypal_row(res) if res.outcome == "binary" else _gap_row(res))
    rows.append(_rule_row(res))
    rows.append(_driver_row(res))
    if res.recommend is not None:
        rows.append(_recommend_row(res))
    rows += _quality_rows(res.quality)
    return pd.DataFrame(rows, columns=HEADLINE_COLUMNS)


def _journeys_row(data, summary):
    n = int(summary["journey_id"].nunique())
    moments = int(data["score"].notna().sum())
    k = int(data["touchpoint"].nunique())
    return _row("journeys", "journeys", n, f"{n:,} journeys with {moments:,} scored touchpoint moments "
                f"({k} distinct touchpoint{'' if k == 1 else 's'}).")


def _missing(topic, what, reason):
    return _row(topic, "missing", np.nan, f"No {what}: {reason}")


def _gap_row(res):
    if res.gap is None:
        return _missing("gap", "gap test", res.reasons.get("gap", "not computed."))
    g = res.gap.iloc[0]
    m, lo, hi = float(g["gap"]), float(g["ci_low"]), float(g["ci_high"])
    side = "below" if m < 0 else "above"
    where = (f"lies {abs(m):.2f} {side}" if round(abs(m), 2) > 0 else "lies within 0.005 of")
    if np.isfinite(lo) and lo <= 0 <= hi:
        verdict = "the data cannot tell this from no gap"
    elif np.isfinite(lo):
        verdict = f"journeys are rated {'lower' if m < 0 else 'higher'} than their touchpoints"
    else:
        verdict = "no interval could be computed"
    ci = f"95% CI {_num(lo)} to {_num(hi)}, " if np.isfinite(lo) else ""
    return _row("gap", "mean_gap", m,
                f"On average the journey rating {where} the mean of its touchpoints, "
                f"on a scale from -1 to +1 ({ci}n = {int(g['n']):,}): {verdict}.", (lo, hi))


def _paypal_row(res):
    if res.paypal is None:
        return _missing("paypal_share", "PayPal share", res.reasons.get("gap", "not computed."))
    fine = res.paypal.set_index("touchpoints").loc["positive"]
    n, share = int(fine["n"]), float(fine["share"])
    if n == 0:
        return _row("paypal_share", "share_negative", np.nan,
                    f"The {res.judged} is yes/no, and no journey has touchpoints that are positive "
                    "on average, so there is no PayPal pattern to count.")
    still = "were still rated negative" if res.outcome_column == "rating" else "still said no"
    return _row("paypal_share", "share_negative", share,
                f"The {res.judged} is yes/no: of the {n:,} journeys whose touchpoints were positive on "
                f"average, {share:.0%} {still} (95% CI {fine['ci_low']:.0%} to "
                f"{fine['ci_high']:.0%}).", (fine["ci_low"], fine["ci_high"]))


def _rule_row(res):
    if res.rules is None:
        return _missing("best_rule", "rule comparison", res.reasons.get("rules", "not computed."))
    scored = res.rules[res.rules["score"].notna() & (res.rules["rule"] != "all")]
    left_out = res.rules.loc[res.rules["score"].isna(), "rule"].tolist()
    if scored.empty:
        return _missing("best_rule", "rule comparison", "every rule was left out for this data.")
    best = scored.iloc[0]
    if float(best["diff_to_best"]) != 0:
        raise ValueError("The rule comparison ranks 'all' first; the headline needs the single rules "
                         "only (compare_rules(..., rules=[r for r in DEFAULT_RULES if r != 'all'])).")
    name = best["score_name"]
    label = _SCORE_NAMES.get(name, name)
    tail = (f" Left out for this data: {', '.join(left_out)} (see the rule comparison)."
            if left_out else "")
    if len(scored) < 2:
        return _row("best_rule", "lead_over_runner_up", np.nan,
                    f"The only rule compared is {best['rule']} ({label} {best['score']:.2f})."
                    + tail)
    runner = scored.iloc[1]
    sign = 1.0 if name == "log_loss" else -1.0  # the lead: how much better the best is
    lead = sign * float(runner["diff_to_best"])
    lo, hi = sorted((sign * float(runner["diff_ci_low"]), sign * float(runner["diff_ci_high"])))
    if np.isfinite(lo) and (lo > 0 or hi < 0):
        verdict = "the data tell them apart"
    elif np.isfinite(lo):
        verdict = "the data cannot tell them apart"
    else:
        verdict = "no interval was computed"
    ci = f" (95% CI {lo:.2f} to {hi:.2f})" if np.isfinite(lo) else ""
    better = "lower" if name == "log_loss" else "higher"
    how = "of the rule's own ranking" if name == "auc" else "out of sample"
    return _row("best_rule", "lead_over_runner_up", lead,
                f"The rule that best predicts the {res.judged} is {best['rule']} ({label} "
                f"{best['score']:.2f} {how}); the runner-up, {runner['rule']}, scores "
                f"{runner['score']:.2f}, so the best is {abs(lead):.2f} {better}{ci}: {verdict}." + tail,
                (lo, hi))


def _driver_row(res):
    if res.drivers is None or res.drivers.empty:
        return _missing("driver", "key drivers", res.reasons.get("drivers", "not computed."))
    d = res.drivers.sort_values("importance", ascending=False, kind="stable")
    top = d.iloc[0]
    r2 = float(d["importance"].sum())
    method = _METHODS.get(top.get("method"), str(top.get("method", "")))
    runner = f"; next is {d.iloc[1]['touchpoint']} ({d.iloc[1]['importance']:.2f})" if len(d) > 1 else ""
    return _row("driver", "importance", top["importance"],
                f"The touchpoint that moves the {res.judged} most is {top['touchpoint']}: importance "
                f"{top['importance']:.2f} (95% CI {top['ci_low']:.2f} to {top['ci_high']:.2f}) of the "
                f"R² of {r2:.2f} the {len(d)} touchpoints explain together{runner}; {method}.",
                (top["ci_low"], top["ci_high"]))


def _recommend_row(res):
    r = res.recommend.iloc[0]
    if res.recommend_kind == "nps":
        return _row("recommend", "nps", r["nps"],
                    f"Net Promoter Score {r['nps']:+.0f} (95% CI {r['ci_low']:+.0f} to {r['ci_high']:+.0f}, "
                    f"n = {int(r['n']):,}).", (r["ci_low"], r["ci_high"]))
    return _row("recommend", "share_yes", r["share"],
                f"{r['share']:.0%} would recommend (95% CI {r['ci_low']:.0%} to {r['ci_high']:.0%}, "
                f"n = {int(r['n']):,}).", (r["ci_low"], r["ci_high"]))


def _as_sentence(text):
    text = " ".join(str(text).split())
    return text if text.endswith((".", "!", "?")) else text + "."


def _quality_rows(quality):
    flagged = quality[quality["flagged"].astype(bool)]
    if flagged.empty:
        return [_row("quality", "flags", 0, f"None of the {len(quality)} data-quality checks raised a flag.")]
    return [_row("quality", "flags", 1, f"Quality check {row['check']} raised a flag: "
                 f"{_as_sentence(row['message'])}") for _, row in flagged.iterrows()]


def headline_markdown(frame, *, title="In short"):
    """:func:`headline`'s frame as a Markdown block: a heading and one bullet per sentence.

    Every sentence is escaped (:func:`journeylib.report.escape_markdown`), so a
    touchpoint named ``<script>`` or ``*bold*`` reads as typed.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"topic": ["driver"], "sentence": ["The strongest is <b>web</b>."]})
    >>> print(headline_markdown(f))
    ### In short
    <BLANKLINE>
    - **Strongest driver.** The strongest is &lt;b&gt;web&lt;\\/b&gt;\\.
    """
    lines = [f"### {escape_markdown(title)}", ""]
    lines += [f"- **{_LABELS.get(t, t)}.** {escape_markdown(s)}"
              for t, s in zip(frame["topic"], frame["sentence"], strict=True)]
    return "\n".join(lines)


# --- warnings in a notebook ------------------------------------------------------------------------

def show_warnings_as_notes(*, hide_paths=()):
    """From now on, a warning in this IPython kernel is shown as a Markdown note under its cell.

    Instead of a red stderr box that names the temporary file of the cell
    (``/tmp/ipykernel_.../123.py:4: UserWarning: ...``), the message alone
    is displayed, as *Note: ...*, escaped. Each path in `hide_paths` is
    replaced by its file name in the message. For a notebook's own use
    (``notebooks/07-your-data.ipynb`` calls it in its import cell).

    Parameters
    ----------
    hide_paths : sequence of str or Path
        Paths (such as the data file, made absolute by the command) shown by name only.

    Returns
    -------
    callable
        Restores the previous ``warnings.showwarning``.
    """
    from IPython.display import Markdown, display

    hide = sorted((str(p) for p in hide_paths if str(p)), key=len, reverse=True)
    previous = warnings.showwarning

    def note(message, category, filename, lineno, file=None, line=None):
        text = str(message)
        for p in hide:
            text = text.replace(p, Path(p).name)
        display(Markdown(f"*Note:* {escape_markdown(text)}"))

    warnings.showwarning = note

    def restore():
        warnings.showwarning = previous

    return restore
