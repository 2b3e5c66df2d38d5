"""Metrics in aggregates that DuckDB can spill to disk: one pass, linear time, out of core.

DuckDB's hash aggregate spills fixed-size states (counts, sums, min, max,
bit_or) to its temporary folder, so a summary made of them runs over any
number of journeys in one pass.  A median keeps every value of its group,
``count(DISTINCT)`` a hash set per group, and a window sorts all rows: at 100M
rows these do not fit in memory, and passes over ranges of journey ids each
read all the files again (time growing with the square of the data).  So,
for DuckDB (:func:`.sql.summary_sql` with a :class:`Plan`), the metrics that
need them are computed from fixed-size states instead, with the same
definitions as :func:`journeylib.journey_summary`:

``median``
    from counts per level: on a whole-number scale of at most :data:`LEVELS`
    answers, each scored moment adds 1 to its level's 12-bit field of a
    64-bit sum (five levels a word); the journey's cumulative counts give the
    two middle levels, and their mean, mapped to valence, is the median (the
    map from level to valence is linear).  Journeys scored on continuous
    scales only take ``median(v)``, filtered to their rows.
``n_channels``, ``n_actors``, ``n_repeats``, ``effort``
    distinct values as the bits set in a 64-bit word (``bit_or`` of
    ``1 << code``), the codes coming from a first look at the column's values
    (:func:`distinct_sql`) when it has at most 64 of them.
``trend``
    the least-squares slope from exact integer sums of step and step squared
    (``n*Sxx - Sx**2`` in 128 bits) and double sums of ``v`` and ``step*v``.
``channel_switches``
    from step bitmasks (bit ``step % 64``) per channel: rotated so that the
    journey's first step is bit 0, the next moment of each moment is found
    with one addition (the carry runs over the steps that do not occur), and
    the pairs of consecutive moments on one channel are counted with
    ``bit_count``.

Where a shortcut is not exact for a journey (scores on two scales, more than
4095 scored moments, steps of 2**20 and more or too close together for the
sums, steps spanning more than 62, more than :data:`CHANNELS` channels), the
journey comes out flagged in :data:`REDO`, and the runner computes those
journeys again with the exact SQL (median, ``count(DISTINCT)``, windows).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .checks import _lit

__all__ = ["CHANNELS", "LEVELS", "Plan", "REDO", "distinct_sql", "plan_from"]

#: Name of the column flagging the journeys the exact query must compute again.
REDO = "jl_redo"
#: Most answers a whole-number scale may have for the median by level counts (nps11 has 11).
LEVELS = 11
#: Most distinct values a column may have for the bitmask distinct count.
BITS = 64
#: Most channels for channel_switches from step bitmasks (one 64-bit state per channel).
CHANNELS = 16
_FIELD = 12  # bits per level count: up to 4095 scored moments per journey
_PER_WORD = 5  # level counts per 64-bit word
_BIG_STEP = 2**20  # steps from here on take the exact trend
_CODED = ("touchpoint", "channel", "actor")
# every step of the journey from 0 to below 2**20: the integer sums of the trend are exact
_SMALL = f"(jl_smin >= 0 AND jl_smax < {_BIG_STEP})"


@dataclass(frozen=True)
class Plan:
    """What the first look at the data found (:func:`plan_from`).

    ``codes`` maps touchpoint, channel and actor (when text with at most
    :data:`BITS` values) to their values; ``levels`` is the most answers of a
    whole-number score scale present (0 when none has at most
    :data:`LEVELS`); ``continuous`` whether a score scale without levels may
    be present (then ``median(v)`` over those rows is needed too).
    """

    codes: dict = field(default_factory=dict)
    levels: int = 0
    continuous: bool = True


def distinct_sql(table: str, kinds: dict) -> str | None:
    """One row: the values (at most ``BITS + 1`` each) of the coded columns and the score scales."""
    cols = [c for c in (*_CODED, "score_scale") if kinds.get(c) == "text"]
    if not cols:
        return None
    subs = [f"(SELECT list(x) FROM (SELECT DISTINCT {c} AS x FROM {table} WHERE {c} IS NOT NULL "
            f"LIMIT {BITS + 1}) AS d)" for c in cols]
    return "SELECT " + ", ".join(f"{s} AS {c}" for s, c in zip(subs, cols, strict=True))


def plan_from(kinds: dict, row) -> Plan:
    """The :class:`Plan` from the row of :func:`distinct_sql` (None: no text column)."""
    from ..scales import SCALES

    cols = [c for c in (*_CODED, "score_scale") if kinds.get(c) == "text"]
    found = dict(zip(cols, row, strict=True)) if row is not None else {}
    codes = {c: tuple(sorted(v or [])) for c, v in found.items()
             if c in _CODED and len(v or []) <= BITS}
    if "score_scale" in found and len(found["score_scale"] or []) <= BITS:
        names = {str(s).strip() for s in found["score_scale"] or []}
    else:  # many scale names (or typed): plan for every scale
        names = set(SCALES)

    def leveled(n):
        return SCALES[n].integer and SCALES[n].high - SCALES[n].low < LEVELS

    sizes = [int(SCALES[n].high - SCALES[n].low) + 1 for n in names if n in SCALES and leveled(n)]
    # an unknown name stops the query anyway; a known one without levels needs the exact median
    continuous = any(n in SCALES and not leveled(n) for n in names)
    return Plan(codes=codes, levels=max(sizes, default=0), continuous=continuous)


def code_columns(plan: Plan, columns) -> list[str]:
    """Row-stage columns ``jl_code_<col>``: the value's position in the plan's list."""
    out = []
    for c in columns:
        if c in plan.codes:
            whens = " ".join(f"WHEN {_lit(v)} THEN {i}" for i, v in enumerate(plan.codes[c]))
            out.append(f"CASE {c} {whens} END AS jl_code_{c}" if whens else
                       f"CAST(NULL AS INT) AS jl_code_{c}")
    return out


def n_distinct(col: str, plan: Plan) -> str:
    """Distinct non-missing values of `col` per journey: bits of a word, or ``n_distinct``."""
    if col in plan.codes:
        return f"CAST(coalesce(bit_count(bit_or(jl_bit(jl_code_{col}))), 0) AS BIGINT)"
    return f"n_distinct({col})"


# --- median -----------------------------------------------------------------------------------------

def median_aggs(plan: Plan) -> dict:
    """Aggregates of the median: level counts packed in words, the scale, and the rest exact."""
    aggs = {"jl_mn": "count(v)", "jl_mlv": "count(jl_lvl)",
            # the scales of the scored moments, as bits of their index in the scale table
            "jl_mis": "bit_or(jl_bit(jl_sidx)) FILTER (WHERE v IS NOT NULL)"}
    if plan.continuous:  # journeys scored on continuous scales only: the exact median of their rows
        aggs["jl_mc"] = "median(v) FILTER (WHERE jl_lvl IS NULL)"
    for w in range(-(-plan.levels // _PER_WORD)):
        lo = w * _PER_WORD
        aggs[f"jl_mw{w}"] = (f"sum(CASE WHEN jl_lvl >= {lo} AND jl_lvl < {lo + _PER_WORD} THEN "
                             f"CAST(1 AS BIGINT) << ({_FIELD} * (jl_lvl - {lo})) END)")
    return aggs


def median_stage(plan: Plan) -> tuple[list[str], str]:
    """(jl_f1 columns, join): the level of the two middle moments from the cumulative counts."""
    cums = []
    for i in range(plan.levels):
        w, f = divmod(i, _PER_WORD)
        count = f"((coalesce(jl_mw{w}, 0) >> {_FIELD * f}) & {2**_FIELD - 1})"
        cums.append(count if not cums else f"{cums[-1]} + {count}")
    lo = " + ".join(f"CASE WHEN 2 * ({c}) <= jl_mn - 1 THEN 1 ELSE 0 END" for c in cums) or "0"
    hi = " + ".join(f"CASE WHEN 2 * ({c}) <= jl_mn THEN 1 ELSE 0 END" for c in cums) or "0"
    x = f"(ms.lo + ({lo} + {hi}) / 2.0E0)"
    level_median = (f"CASE WHEN ms.name IS NULL THEN NULL WHEN ms.rev THEN -(2.0E0 * ({x} - ms.lo) "
                    f"/ ms.span - 1.0E0) ELSE 2.0E0 * ({x} - ms.lo) / ms.span - 1.0E0 END")
    rest = "jl_mc" if plan.continuous else "CAST(NULL AS DOUBLE)"
    cols = [f"CASE WHEN jl_mlv = 0 THEN {rest} ELSE {level_median} END AS jl_median",
            f"(jl_mlv > 0 AND (jl_mlv < jl_mn OR bit_count(jl_mis) > 1 OR jl_mn >= {2**_FIELD})) "
            f"AS jl_redo_median"]
    # one scale: its index is the position of the one bit
    one = "CASE WHEN bit_count(jl_mis) = 1 THEN CAST(round(log2(CAST(jl_mis AS DOUBLE))) AS INT) END"
    return cols, f"LEFT JOIN jl_scales AS ms ON {one} = ms.idx"


def level_columns(plan: Plan) -> str:
    """jl_src columns: the scale's index and the score's level on a whole scale with few levels."""
    return (f"ss.idx AS jl_sidx, CASE WHEN ss.whole AND ss.span < {plan.levels} AND c.score >= ss.lo "
            f"AND c.score <= ss.hi THEN CAST(c.score - ss.lo AS INT) END AS jl_lvl")


# --- trend ------------------------------------------------------------------------------------------

def trend_aggs() -> dict:
    # a FILTER does not keep DuckDB from computing step * step on other rows: CASE does
    small = f"step >= 0 AND step < {_BIG_STEP}"
    return {"jl_mn": "count(v)", "jl_smin": "min(step)", "jl_smax": "max(step)",
            "jl_tx": f"sum(CASE WHEN {small} THEN step END) FILTER (WHERE v IS NOT NULL)",
            "jl_txx": f"sum(CASE WHEN {small} THEN step * step END) FILTER (WHERE v IS NOT NULL)",
            "jl_ty": "sum(v)",
            "jl_txy": "sum(CAST(step AS DOUBLE) * v)"}


def trend_stage() -> list[str]:
    """jl_f1 columns: the slope, and whether the double sums may be off by more than 1e-10."""
    # n*Sxx - Sx^2 = n^2 * var(step) exactly, in 128 bits; zero when fewer than two scored steps
    return [f"CASE WHEN {_SMALL} AND jl_mn > 1 THEN CAST(jl_mn * jl_txx - jl_tx * jl_tx AS DOUBLE) "
            "END AS jl_tdd"]


def trend_final() -> tuple[str, str]:
    """(trend, redo flag) over jl_f1: rounding in n*Sxy - Sx*Sy is below 4.4e-6 n^3 max(step)."""
    slope = ("CASE WHEN jl_tdd > 0 THEN (jl_mn * jl_txy - CAST(jl_tx AS DOUBLE) * jl_ty) / jl_tdd END")
    redo = (f"(NOT {_SMALL} AND jl_mn > 1) OR (jl_tdd > 0 AND jl_tdd < 4.4E-6 * "
            "CAST(jl_mn AS DOUBLE) * jl_mn * jl_mn * jl_smax)")
    return slope, redo


# --- channel switches -------------------------------------------------------------------------------

_BIT = "jl_bit(CAST((step % 64 + 64) % 64 AS INT))"


def _channels(plan: Plan) -> tuple:
    """The channels with a step bitmask each (none when there are more than :data:`CHANNELS`)."""
    found = plan.codes.get("channel", ())
    return found if len(found) <= CHANNELS else ()


def switch_aggs(plan: Plan) -> dict:
    aggs = {"jl_sm": f"bit_or({_BIT})", "jl_smin": "min(step)", "jl_smax": "max(step)",
            "jl_scount": "count(step)"}
    for i, _ in enumerate(_channels(plan)):
        aggs[f"jl_sc{i}"] = f"bit_or({_BIT}) FILTER (WHERE jl_code_channel = {i})"
    return aggs


def _rot(x: str) -> str:
    """`x` rotated right so that the journey's first step is bit 0 (no bit leaves the word)."""
    r = "CAST((jl_smin % 64 + 64) % 64 AS INT)"  # a negative step is refused, but read first
    x = f"coalesce({x}, CAST(0 AS UBIGINT))"
    return (f"CASE WHEN {r} = 0 THEN {x} ELSE ({x} >> {r}) | (({x} & ((CAST(1 AS UBIGINT) << {r}) "
            f"- CAST(1 AS UBIGINT))) << (64 - {r})) END")


def switch_stage(plan: Plan) -> list[str]:
    """jl_f1 columns: rotated masks, the steps present (M) and the gaps below the last step (G)."""
    ok = "jl_smax - jl_smin <= 62 AND bit_count(jl_sm) = jl_scount"
    snn = " | ".join(f"coalesce(jl_sc{i}, CAST(0 AS UBIGINT))"
                     for i in range(len(_channels(plan)))) or "CAST(0 AS UBIGINT)"
    cols = [f"CASE WHEN {ok} THEN {_rot('jl_sm')} END AS jl_rm",
            f"CASE WHEN {ok} THEN ~{_rot('jl_sm')} & ((CAST(1 AS UBIGINT) << CAST(jl_smax - jl_smin "
            f"AS INT)) - CAST(1 AS UBIGINT)) END AS jl_rg",
            # moments with a channel: those of any channel (every value has a code)
            f"CASE WHEN {ok} THEN {_rot(snn)} END AS jl_rnn"]
    for i, _ in enumerate(_channels(plan)):
        cols.append(f"CASE WHEN {ok} THEN {_rot(f'jl_sc{i}')} END AS jl_rc{i}")
    return cols


def _pairs(x: str) -> str:
    """Moments in `x` whose previous moment (in step order) is in `x` too."""
    y = f"(({x} & CAST(9223372036854775807 AS UBIGINT)) << 1)"
    nxt = f"(({y} & jl_rm) | ((({y} & jl_rg) + jl_rg) & jl_rm))"
    return f"bit_count({nxt} & {x})"


def switch_final(plan: Plan) -> tuple[str, str]:
    """(channel_switches, redo flag) over jl_f1."""
    if "channel" not in plan.codes or len(plan.codes["channel"]) > CHANNELS:
        return "CAST(NULL AS BIGINT)", "TRUE"
    same = " + ".join(_pairs(f"jl_rc{i}") for i in range(len(plan.codes["channel"]))) or "0"
    return (f"CAST({_pairs('jl_rnn')} - ({same}) AS BIGINT)",
            "jl_scount > 0 AND (jl_smax - jl_smin > 62 OR bit_count(jl_sm) < jl_scount)")
