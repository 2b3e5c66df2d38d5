"""Synthetic journeys whose rating follows a known rule, for teaching and for testing statistics."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .metrics import journey_summary
from .scales import from_valence, get_scale
from .schema import REQUIRED, validate

__all__ = ["simulate_journeys", "DEFAULT_TOUCHPOINTS", "GENERATING_RULES", "SHAPES",
           "SHAPE_LOW", "COMPENSATION"]

#: The default touchpoint catalogue: name -> (channel, actor).
DEFAULT_TOUCHPOINTS: dict[str, tuple[str, str]] = {
    "search": ("web", "search engine"),
    "webshop": ("web", "retailer"),
    "confirmation email": ("email", "retailer"),
    "payment": ("web", "payment provider"),
    "tracking": ("app", "carrier"),
    "delivery": ("in person", "carrier"),
    "helpdesk call": ("phone", "retailer"),
    "chatbot": ("chat", "retailer"),
    "invoice": ("email", "retailer"),
    "return": ("in person", "carrier"),
}
#: Rules a simulated rating can follow (or mix, with a dict of weights).
GENERATING_RULES: tuple[str, ...] = ("mean", "median", "min", "max", "first", "last", "peak",
                                     "peak_end", "trend")
_CHANNELS = ("web", "email", "phone", "app", "chat", "in person")
#: Curve shapes :func:`simulate_journeys` can plant (``shapes=``): the weight w(t) with which a
#: moment at position t (0 = first moment, 1 = last) is pulled to :data:`SHAPE_LOW`.
SHAPES: dict[str, object] = {
    "steady": lambda t: np.zeros_like(t),
    "late drop": lambda t: np.clip((t - 0.5) / 0.3, 0.0, 1.0),
    "V recovery": lambda t: np.clip(1.5 - 3.0 * np.abs(t - 0.5), 0.0, 1.0),
    "early dip": lambda t: np.clip((0.45 - t) / 0.3, 0.0, 1.0),
}
#: The valence a planted shape pulls its bad moments to.
SHAPE_LOW = -0.9
#: The touchpoint a planted compensation (``recovery={"compensation": ...}``) is called.
COMPENSATION = "compensation"
_RECOVERY_KEYS = ("recovered", "unrecovered", "compensation")


def _catalogue(touchpoints):
    if touchpoints is None:
        touchpoints = DEFAULT_TOUCHPOINTS
    if isinstance(touchpoints, dict):
        names = list(touchpoints)
        channels = [touchpoints[n][0] for n in names]
        actors = [touchpoints[n][1] for n in names]
    else:
        names = [str(t) for t in touchpoints]
        channels = [_CHANNELS[i % len(_CHANNELS)] for i in range(len(names))]
        actors = ["company"] * len(names)
    if not names:
        raise ValueError("The value for `touchpoints` must name at least one touchpoint.")
    return names, channels, actors


def _weights(rule):
    if isinstance(rule, str):
        rule = {rule: 1.0}
    weights = {str(k): float(w) for k, w in dict(rule).items()}
    for name in weights:
        if name not in GENERATING_RULES:
            raise ValueError(
                f"The value for `rule` must be one of {GENERATING_RULES} (or a dict of weights "
                f"over them), but {name!r} was passed."
            )
    total = sum(weights.values())
    if total <= 0:
        raise ValueError("The weights in `rule` must add up to a positive number.")
    return {k: w / total for k, w in weights.items()}


def _shape_shares(shapes):
    """Planted shape names and their probabilities ("steady" takes what is left)."""
    shares = {str(k): float(v) for k, v in dict(shapes).items()}
    for name, share in shares.items():
        if name not in SHAPES:
            raise ValueError(f"The keys of `shapes` must be among {tuple(SHAPES)}, but {name!r} "
                             "was passed.")
        if not 0 <= share <= 1:
            raise ValueError(f"The share of {name!r} in `shapes` must lie in 0..1, not {share!r}.")
    rest = 1.0 - sum(v for k, v in shares.items() if k != "steady")
    if rest < -1e-9:
        raise ValueError("The shares in `shapes` add up to more than 1.")
    if "steady" not in shares:
        shares["steady"] = max(rest, 0.0)
    names = [k for k in SHAPES if shares.get(k, 0.0) > 0]
    p = np.array([shares[k] for k in names])
    return names, p / p.sum()


def _recovery_options(recovery):
    opts = {k: 0.0 for k in _RECOVERY_KEYS} | {str(k): v for k, v in dict(recovery).items()}
    for key in opts:
        if key not in _RECOVERY_KEYS:
            raise ValueError(f"The keys of `recovery` must be among {_RECOVERY_KEYS}, but {key!r} "
                             "was passed.")
    opts = {k: float(v) for k, v in opts.items()}
    if not 0 <= opts["compensation"] <= 1:
        raise ValueError("recovery['compensation'] is a share of journeys, in 0..1, not "
                         f"{opts['compensation']!r}.")
    return opts


def _journeys_with(hit, starts):
    """Per journey: does any of its rows hit?"""
    return np.add.reduceat(hit.astype(np.int64), starts) > 0


def _path_hits(path_effect, names, code, step, starts):
    """(journey mask, effect) for each planted path effect: a touchpoint or a (from, to) move."""
    index = {name: i for i, name in enumerate(names)}
    prev = np.concatenate(([-1], code[:-1]))
    out = []
    for key, effect in dict(path_effect).items():
        parts = (key,) if isinstance(key, str) else tuple(key)
        unknown = [p for p in parts if p not in index]
        if unknown or len(parts) not in (1, 2):
            raise ValueError(f"The keys of `path_effect` must be a touchpoint or a (from, to) pair "
                             f"of touchpoints from {tuple(names)}, but {key!r} was passed.")
        hit = code == index[parts[-1]]
        if len(parts) == 2:
            hit &= (prev == index[parts[0]]) & (step > 1)
        out.append((_journeys_with(hit, starts), float(effect)))
    return out


def simulate_journeys(n_journeys, *, touchpoints=None, rule="peak_end", noise=0.1,
                      effort_weight=0.0, repeat_rate=0.12, score_scale="smiley5",
                      rating_scale="stars10", length=5.0, moment_noise=0.5, shapes=None,
                      path_effect=None, recovery=None, seed=None):
    """Synthetic tidy journey data whose rating is generated by a known rule.

    Each journey has 2 + Poisson(`length` - 2) moments (at most 15); each moment picks a
    touchpoint from the catalogue, or, with probability `repeat_rate`,
    contacts the previous touchpoint again (a repeat: the effort signal, and
    a little less pleasant).  Moments vary around a journey mood: valence =
    mood + N(0, 0.5), mood ~ N(0.2, 0.35), minus 0.3 on a repeat; the score is
    that valence rounded onto `score_scale`.  The rating is then generated
    from the *observed* score valences: ``rule`` (e.g. peak_end) + N(0,
    `noise`) - `effort_weight` * n_repeats, clipped to -1..+1 and rounded onto
    `rating_scale`.  A 0-10 ``recommend`` answer follows the rating (valence
    + N(0, 0.15)); timestamps are hours apart from a random start in 2025.

    Three options plant a known truth for the sequence tools (:mod:`journeylib.paths`,
    :mod:`journeylib.shapes`, :mod:`journeylib.recovery`); each is applied
    to the rating valence before clipping and rounding, and without them the
    data are exactly what they were before the options existed (same seed,
    same frame).

    Parameters
    ----------
    n_journeys : int
        How many journeys.
    touchpoints : list of str or dict, optional
        Touchpoint names, or a dict name -> (channel, actor).  Default
        :data:`DEFAULT_TOUCHPOINTS` (ten touchpoints of an online purchase).
    rule : str or dict
        One of :data:`GENERATING_RULES`, or weights such as ``{"mean": 0.5,
        "peak_end": 0.5}``.
    noise : float
        Standard deviation of the rating noise, on valence.
    effort_weight : float
        Valence subtracted from the rating per repeated contact.
    repeat_rate : float
        Probability that a moment repeats the previous touchpoint.
    score_scale, rating_scale : str
        Scales of scores and rating (``"valence"`` keeps them continuous).
    length : float
        Mean number of moments per journey (at least 2; 2 + Poisson(length - 2),
        at most 15).
    moment_noise : float
        Standard deviation of a moment's valence around the journey mood.
    shapes : dict, optional
        Curve shapes to plant, name -> share of journeys, names from
        :data:`SHAPES`: ``"late drop"`` (the second half slides to valence
        -0.9 at the end), ``"V recovery"`` (down to -0.9 in the middle, back
        to the journey's mood at positions 0.2 and 0.8), ``"early dip"``
        (starts at -0.9, back to the mood by position 0.35); a moment is
        ``(1 - w) * valence + w * -0.9`` with the shape's weight w of its
        position (0 = first moment, 1 = last).  The rest are ``"steady"``.  Adds a journey-level ``shape``
        column naming the planted shape; every journey then has at least
        three moments.  A small `moment_noise` (0.15) and
        longer journeys (`length` 8) make shapes recognisable.
    path_effect : dict, optional
        Rating valence added to journeys that visit a touchpoint (key: its
        name) or make a transition (key: a ``(from, to)`` pair of names), once
        per journey, e.g. ``{("tracking", "helpdesk call"): -0.3}``.
    recovery : dict, optional
        Service recovery: ``"compensation"`` (share of journeys whose last
        moment becomes a :data:`COMPENSATION` touchpoint, valence +0.5, same
        actor as the moment before), ``"recovered"`` and ``"unrecovered"``
        (rating valence added to journeys whose failure is recovered or not,
        as :func:`journeylib.recovery_groups` defines them with its defaults:
        a negative moment, recovered by a later positive moment of the same
        actor or a compensation).  Relative to journeys without a failure, so
        ``{"recovered": 0.2}`` is a recovery paradox of +0.2 beyond what the
        moments themselves give.
    seed : int or numpy.random.Generator, optional

    Returns
    -------
    pandas.DataFrame
        Validated tidy data (:func:`journeylib.validate`) with ``channel``,
        ``actor``, ``timestamp`` and ``recommend`` columns.

    Examples
    --------
    >>> df = simulate_journeys(4, seed=0)
    >>> df.groupby("journey_id").size().tolist()
    [4, 2, 9, 3]
    >>> list(df.columns)  # doctest: +NORMALIZE_WHITESPACE
    ['journey_id', 'step', 'touchpoint', 'score', 'score_scale', 'rating', 'rating_scale',
     'channel', 'actor', 'timestamp', 'recommend', 'recommend_scale']

    Planted truth: a share of late drops, and a cost for one move.

    >>> sim = simulate_journeys(400, length=8, moment_noise=0.1, shapes={"late drop": 0.25},
    ...                         path_effect={("tracking", "helpdesk call"): -0.3}, seed=0)
    >>> sim.groupby("journey_id")["shape"].first().value_counts().to_dict()
    {'steady': 289, 'late drop': 111}
    """
    n_journeys = int(n_journeys)
    if n_journeys < 1:
        raise ValueError(f"The value for `n_journeys` must be at least 1, but {n_journeys} was passed.")
    if noise < 0:
        raise ValueError(f"The value for `noise` must be >= 0, but {noise!r} was passed.")
    if length < 2:
        raise ValueError(f"The value for `length` must be at least 2, but {length!r} was passed.")
    if moment_noise < 0:
        raise ValueError(f"The value for `moment_noise` must be >= 0, but {moment_noise!r} was "
                         "passed.")
    weights = _weights(rule)
    names, channels, actors = _catalogue(touchpoints)
    n_pick = len(names)  # a planted compensation is not picked at random
    rec = _recovery_options(recovery) if recovery is not None else None
    if rec is not None and rec["compensation"] > 0 and COMPENSATION not in names:
        names, channels, actors = [*names, COMPENSATION], [*channels, "email"], [*actors, ""]
    s_scale, r_scale = get_scale(score_scale), get_scale(rating_scale)
    rng = np.random.default_rng(seed)

    counts = np.minimum(2 + rng.poisson(float(length) - 2.0, n_journeys), 15)
    if shapes is not None:  # a shape needs three moments
        counts = np.maximum(counts, 3)
    n = int(counts.sum())
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    jid = np.repeat(np.arange(1, n_journeys + 1, dtype=np.int64), counts)
    step = np.arange(n, dtype=np.int64) - np.repeat(starts, counts) + 1

    code = rng.integers(0, n_pick, n)
    repeat = rng.random(n) < repeat_rate
    repeat[starts] = False
    src = np.maximum.accumulate(np.where(repeat, 0, np.arange(n)))
    code = code[src]

    mood = rng.normal(0.2, 0.35, n_journeys)
    v = np.repeat(mood, counts) + rng.normal(0.0, moment_noise, n) - 0.3 * repeat
    channel = np.asarray(channels, dtype=object)[code]
    actor = np.asarray(actors, dtype=object)[code]
    planted = None
    if shapes is not None:
        shape_names, p = _shape_shares(shapes)
        planted = np.asarray(shape_names, dtype=object)[rng.choice(len(shape_names), n_journeys,
                                                                   p=p)]
        t = (step - 1) / np.repeat(counts - 1, counts)
        for name in shape_names:
            rows = np.repeat(planted == name, counts)
            w = SHAPES[name](t[rows])
            v[rows] = (1.0 - w) * v[rows] + w * SHAPE_LOW
    if rec is not None and rec["compensation"] > 0:
        last = (starts + counts - 1)[rng.random(n_journeys) < rec["compensation"]]
        code[last] = names.index(COMPENSATION)
        channel[last] = channels[names.index(COMPENSATION)]
        actor[last] = actor[last - 1]
        v[last] = 0.5
    score = from_valence(np.clip(v, -1, 1), s_scale)
    if s_scale.integer:
        score = np.round(score)
    score = score + 0.0  # no negative zeros

    hours = rng.exponential(6.0, n)
    hours[starts] = 0.0
    t0 = np.datetime64("2025-01-01T08:00") + rng.integers(0, 365 * 24 * 60, n_journeys).astype(
        "timedelta64[m]"
    )
    elapsed = np.cumsum(hours) - np.repeat(np.cumsum(hours)[starts], counts)
    ts = np.repeat(t0, counts) + (elapsed * 60).astype("int64").astype("timedelta64[m]")

    df = pd.DataFrame({
        "journey_id": jid,
        "step": step,
        "touchpoint": pd.Categorical.from_codes(code, names) if len(set(names)) == len(names)
        else np.asarray(names, dtype=object)[code],
        "channel": channel,
        "actor": actor,
        "timestamp": ts,
        "score": score,
        "score_scale": pd.Categorical.from_codes(np.zeros(n, np.int8), [s_scale.name]),
        "rating": np.full(n, np.nan),  # filled in below, from the summary
        "rating_scale": pd.Categorical.from_codes(np.zeros(n, np.int8), [r_scale.name]),
    })
    summary = journey_summary(df, metrics=[*weights, "n_repeats"])
    target = sum(w * summary[k].fillna(0.0).to_numpy() for k, w in weights.items())
    target = target + rng.normal(0.0, noise, n_journeys) - effort_weight * summary["n_repeats"].to_numpy()
    if path_effect:
        for hit, effect in _path_hits(path_effect, names, code, step, starts):
            target = target + effect * hit
    if rec is not None:
        from .recovery import _classify, _is_compensation
        from .scales import valence

        group = _classify(valence(score, s_scale), pd.factorize(actor)[0],
                          _is_compensation(names, (COMPENSATION,))[code], starts, counts)[0]
        target = target + rec["recovered"] * (group == 1) + rec["unrecovered"] * (group == 2)
    target = np.clip(target, -1.0, 1.0)
    rating = from_valence(target, r_scale)
    if r_scale.integer:
        rating = np.round(rating)
    recommend = np.round(from_valence(np.clip(target + rng.normal(0, 0.15, n_journeys), -1, 1), "nps11"))
    df["rating"] = np.repeat(rating + 0.0, counts)
    df["recommend"] = np.repeat(recommend, counts)
    df["recommend_scale"] = pd.Categorical.from_codes(np.zeros(n, np.int8), ["nps11"])
    order = [*REQUIRED, "channel", "actor", "timestamp", "recommend", "recommend_scale"]
    if planted is not None:
        df["shape"] = np.repeat(planted, counts)
        order.append("shape")
    return validate(df[order])
