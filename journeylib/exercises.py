"""The five exercises of notebooks/06-student-lab.ipynb: what is asked, the truth, the judge.

Each truth is computed from journeylib (the seed cases, the builder, simulated
journeys); a judge compares a student's answer with it and explains.
:func:`check_answer` (also ``jl.widgets.check_answer``) gives the verdict and
:func:`o_ring` the chance that every touchpoint of a journey goes right.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd

from .scales import from_valence

__all__ = ["EXERCISES", "EX2_SCORES", "EX3", "EX4", "EX5", "Check", "check_answer", "exercise_truth", "o_ring"]

#: ex2: the builder journey whose last touchpoint the student changes.
EX2_SCORES = (1, 2, 1, -1, -2, 1, 0)
#: ex3: simulated journeys whose rating drops with effort (repeat contacts).
EX3 = {"n_journeys": 400, "effort_weight": 0.15, "seed": 3}
#: ex4: the O-ring journey.
EX4 = {"p": 0.97, "n": 8}
#: ex5: simulated journeys rated by peak-end; the derived overall replaces the rating by the mean.
EX5 = {"n_journeys": 300, "seed": 5}


def _number(answer):
    try:
        x = float(answer)
    except (TypeError, ValueError):
        return None
    return None if np.isnan(x) else x


# --- truths ------------------------------------------------------------------------------------

def _truth_ex1():
    from .datasets import load_seed_cases

    cases = load_seed_cases()
    paypal = cases[cases["journey_id"] == "paypal-claim"]
    mean = float(paypal["score"].mean())  # smiley scale, unrated moments skipped
    rating = float(paypal["rating"].iloc[0])
    return {"journey": "paypal-claim", "n_rated": int(paypal["score"].notna().sum()),
            "mean_score": mean, "rating": rating, "gap_score": rating - mean}


def _truth_ex2():
    from .widgets import JourneyBuilder

    b = JourneyBuilder(EX2_SCORES, rule="peak_end")
    last = len(EX2_SCORES) - 1
    rows = [b.set_score(last, s).numbers().assign(last_smiley=s) for s in range(-2, 3)]
    table = pd.concat(rows, ignore_index=True)
    table[["mean", "peak_end"]] = from_valence(table[["mean", "peak_end"]].to_numpy(), "smiley5")
    table = table[["last_smiley", "mean", "peak_end", "predicted_score"]]
    predicted = {int(s): float(p) for s, p in zip(table["last_smiley"], table["predicted_score"], strict=True)}
    flips = [s for s, p in predicted.items() if p >= 0]
    return {"scores": EX2_SCORES, "predicted_by_last": predicted, "table": table,
            "lowest_last_for_neutral": min(flips) if flips else None,
            "mean_by_last": {s: float(np.mean([*EX2_SCORES[:-1], s])) for s in range(-2, 3)}}


def _truth_ex3():
    from .metrics import journey_summary
    from .simulate import simulate_journeys

    sim = simulate_journeys(EX3["n_journeys"], rule="mean", effort_weight=EX3["effort_weight"],
                            seed=EX3["seed"])
    summ = journey_summary(sim)
    x = summ["n_repeats"].to_numpy(dtype="float64")
    y = summ["gap"].to_numpy(dtype="float64")
    slope, intercept = np.polyfit(x, y, 1)
    return {"slope_per_repeat": float(slope), "intercept": float(intercept),
            "table": summ.groupby("n_repeats")[["mean", "rating", "gap"]].mean(),
            "mean_touchpoint_by_repeats": summ.groupby("n_repeats")["mean"].mean().to_dict(),
            "rating_by_repeats": summ.groupby("n_repeats")["rating"].mean().to_dict()}


def _truth_ex4():
    from .widgets import o_ring

    p, n = EX4["p"], EX4["n"]
    return {"p": p, "n": n, "all_right": o_ring(p, n), "per_1000_wrong": 1000 * (1 - o_ring(p, n))}


def _truth_ex5():
    from .metrics import journey_summary
    from .simulate import simulate_journeys
    from .stats import DEFAULT_RULES, compare_rules

    sim = simulate_journeys(EX5["n_journeys"], rule="peak_end", seed=EX5["seed"])
    mean = journey_summary(sim).set_index("journey_id")["mean"]
    derived = sim.assign(rating=sim["journey_id"].map(mean).to_numpy(), rating_scale="valence")
    single = [r for r in DEFAULT_RULES if r != "all"]  # rules a customer can use
    asked = compare_rules(sim, rules=single, seed=EX5["seed"])
    made = compare_rules(derived, rules=single, seed=EX5["seed"])
    cols = ["overall", "rule", "score_name", "score", "ci_low", "ci_high"]
    table = pd.concat([asked.assign(overall="asked"), made.assign(overall="derived (mean)")],
                      ignore_index=True)[cols]
    return {"table": table, "best_asked": str(asked["rule"].iloc[0]), "best_derived": str(made["rule"].iloc[0]),
            "score_derived": float(made["score"].iloc[0]), "score_asked": float(asked["score"].iloc[0]),
            "score_name": str(made["score_name"].iloc[0])}


@cache
def _cached(exercise):
    return EXERCISES[exercise]["truth"]()


def exercise_truth(exercise):
    """The computed answer of `exercise` as a dict (computed once per session).

    ex2, ex3 and ex5 also hold ``"table"``, the DataFrame the student lab shows
    as the solution.

    Examples
    --------
    >>> round(exercise_truth("ex4")["all_right"], 4)
    0.7837
    """
    if exercise not in EXERCISES:
        raise ValueError(f"The value for `exercise` must be one of {tuple(EXERCISES)}, but {exercise!r} was passed.")
    return {k: v.copy() if isinstance(v, pd.DataFrame) else v for k, v in _cached(exercise).items()}


# --- judges ------------------------------------------------------------------------------------

def _judge_ex1(answer, t):
    x = _number(answer)
    if x is None:
        return False, f"Give a number on the smiley scale (-2..+2), not {answer!r}."
    ok = abs(x - t["mean_score"]) <= 0.25
    return ok, (f"The {t['n_rated']} rated PayPal moments average **{t['mean_score']:+.2f}** on the smiley "
                f"scale (you said {x:+.2f}), yet the journey as a whole got **{t['rating']:+.0f}**: a gap of "
                f"{t['gap_score']:+.2f} smileys that the mean cannot see.")


def _judge_ex2(answer, t):
    x = _number(answer)
    want = t["lowest_last_for_neutral"]
    if x is None:
        return False, f"Give a smiley score from -2 to 2, not {answer!r}."
    pred = t["predicted_by_last"]
    table = ", ".join(f"{s:+d} \N{RIGHTWARDS ARROW} {p:+.2f}" for s, p in pred.items())
    return x == want, (f"The lowest last smiley that lifts the peak-end rating to neutral or better is "
                       f"**{want:+d}** (you said {x:+g}). Predicted rating by last smiley: {table}. "
                       f"The mean moves only {t['mean_by_last'][2] - t['mean_by_last'][-2]:.2f} smileys "
                       "over the same range.")


def _judge_ex3(answer, t):
    x = _number(answer)
    if x is None:
        return False, f"Give a number (change of the gap, valence, per extra repeat contact), not {answer!r}."
    s = t["slope_per_repeat"]
    ok = np.sign(x) == np.sign(s) and abs(x - s) <= max(0.05, 0.5 * abs(s))
    return ok, (f"Each extra repeat contact moves the gap (rating minus mean) by **{s:+.3f}** valence "
                f"(you said {x:+.3f}), although the contacts themselves score as well as the others.")


def _judge_ex4(answer, t):
    x = _number(answer)
    if x is None:
        return False, f"Give a share (0..1) or a percentage, not {answer!r}."
    share = x / 100 if x > 1 else x
    ok = abs(share - t["all_right"]) <= 0.02
    return ok, (f"{t['p']:.0%} right at each of {t['n']} touchpoints gives {t['p']}^{t['n']} = "
                f"**{t['all_right']:.1%}** journeys right all the way (you said {share:.1%}): "
                f"about {t['per_1000_wrong']:.0f} in 1000 go wrong somewhere.")


def _judge_ex5(answer, t):
    if not isinstance(answer, str):
        return False, f"Give the rule's name as a string, such as 'peak_end', not {answer!r}."
    ok = answer.strip().lower().replace("-", "_") == t["best_derived"]
    return ok, (f"With the overall derived as the average of the touchpoints, compare_rules ranks "
                f"**{t['best_derived']}** first ({t['score_name']} = {t['score_derived']:.3f}; you said "
                f"{answer!r}). The same journeys rated by the customers themselves put "
                f"**{t['best_asked']}** first ({t['score_name']} = {t['score_asked']:.3f}): a derived "
                "overall only finds the formula that made it.")


EXERCISES = {
    "ex1": {"title": "Why the mean misleads (PayPal)", "expects": "a number on the smiley scale, -2..+2",
            "truth": _truth_ex1, "judge": _judge_ex1},
    "ex2": {"title": "One last touchpoint flips the journey", "expects": "a smiley score, -2..+2",
            "truth": _truth_ex2, "judge": _judge_ex2},
    "ex3": {"title": "Effort: fine contacts, worse journey", "expects": "a number, valence per repeat contact",
            "truth": _truth_ex3, "judge": _judge_ex3},
    "ex4": {"title": "O-ring arithmetic", "expects": "a share 0..1 or a percentage",
            "truth": _truth_ex4, "judge": _judge_ex4},
    "ex5": {"title": "A derived overall and rule comparison", "expects": "a rule name such as 'mean'",
            "truth": _truth_ex5, "judge": _judge_ex5},
}


def o_ring(p, n):
    """Chance that a journey of `n` independent touchpoints goes right at every one.

    Each touchpoint goes right with probability `p` (a scalar or one per
    touchpoint, then `n` is ignored); like Kremer's O-ring, one failure spoils
    the whole journey, so the chances multiply.

    Examples
    --------
    >>> round(o_ring(0.9, 2), 4)
    0.81
    >>> round(o_ring([0.5, 0.5, 1.0], None), 4)
    0.25
    """
    p = np.asarray(p, dtype="float64")
    if np.any((p < 0) | (p > 1)):
        raise ValueError(f"`p` must be a probability from 0 to 1, but {p.tolist()!r} was passed.")
    if p.ndim == 0:
        if n is None or int(n) != n or n < 0:
            raise ValueError(f"`n` must be a whole number >= 0, but {n!r} was passed.")
        return float(p ** int(n))
    return float(np.prod(p))


@dataclass
class Check:
    """The verdict of :func:`check_answer`; shows itself as Markdown in a notebook."""

    exercise: str
    answer: object
    correct: bool | None
    message: str
    truth: dict = field(default_factory=dict, repr=False)

    def __bool__(self):
        return bool(self.correct)

    def __repr__(self):
        return f"Check({self.exercise!r}, correct={self.correct})"

    def _repr_markdown_(self):
        mark = {True: "**Right.**", False: "**Not quite.**", None: "**No answer yet.**"}[self.correct]
        return f"{mark} {self.message}"


def check_answer(exercise, answer=None):
    """Tell whether `answer` to `exercise` ("ex1".."ex5") is right.

    The right answer is computed from journeylib each time (see
    :func:`exercise_truth`); a missing answer (None or ``...``) gets a neutral
    message, so a notebook runs the same before anyone answers.

    Returns
    -------
    Check
        ``correct`` is True, False or None (no answer yet); it renders as Markdown.

    Examples
    --------
    >>> check_answer("ex4").correct is None
    True
    >>> check_answer("ex4", 0.97 ** 8).correct
    True
    """
    if exercise not in EXERCISES:
        raise ValueError(f"The value for `exercise` must be one of {tuple(EXERCISES)}, but {exercise!r} was passed.")
    spec = EXERCISES[exercise]
    if answer is None or answer is Ellipsis:
        return Check(exercise, answer, None, f"Write your prediction ({spec['expects']}) in `answer` "
                     "and run this cell again.")
    truth = exercise_truth(exercise)
    correct, message = spec["judge"](answer, truth)
    return Check(exercise, answer, correct, message, truth)
