"""Journeys as paths through the touchpoints: :func:`transitions` and :func:`path_variants`.

A path is the order in which a customer met the touchpoints.  Sequences exist
only for ordered journeys: a journey whose ``ordered`` column is False (survey
items, :func:`journeylib.from_wide`) has no path and is left out, with a
warning that counts it.  Moments without a score still belong to the path
(the customer was there); they only drop out of the mean valence.

Every journey starts at the pseudo-touchpoint :data:`START` and ends at
:data:`END`, so the first and last moments are transitions too.  All of it is
computed with array reductions over the rows in journey order (one
``np.unique`` of an integer key per table): no Python loop over journeys.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import stats as st

from .checks import ensure_valid, journey_layout
from .scales import valence

__all__ = ["transitions", "path_variants", "START", "END", "ALIGNMENTS"]

#: Pseudo-touchpoint every journey starts from.
START = "(start)"
#: Pseudo-touchpoint every journey ends in.
END = "(end)"
#: Where sequences begin: at the first moment, or at the first negative moment.
ALIGNMENTS: tuple[str, ...] = ("start", "negative")
_MISSING = "(missing)"


# --- the moments in journey order -----------------------------------------------------------------

@dataclass
class _Seq:
    """Ordered journeys' moments in journey order (rows) and their journey-level values."""

    ids: np.ndarray        # journey id, per journey
    starts: np.ndarray     # first row of each journey
    counts: np.ndarray     # rows per journey
    step: np.ndarray       # per row
    code: np.ndarray       # touchpoint code per row (an index into `names`)
    names: np.ndarray      # touchpoint names (object)
    v: np.ndarray          # valence per row, NaN when not scored
    rating: np.ndarray     # rating valence, per journey
    actor: np.ndarray | None = None         # actor code per row (-1: missing)
    recommend: np.ndarray | None = None     # raw recommend answer, per journey
    recommend_scale: str | None = None

    @property
    def n_journeys(self):
        return len(self.starts)

    @property
    def gidx(self):
        return np.repeat(np.arange(len(self.starts)), self.counts)

    @property
    def pos(self):
        """0-based position of each row within its journey."""
        return np.arange(len(self.code)) - np.repeat(self.starts, self.counts)

    @property
    def last(self):
        return self.starts + self.counts - 1

    def per_journey(self, x, ufunc=np.add):
        return ufunc.reduceat(x, self.starts) if len(self.starts) else np.asarray(x)[:0]

    def subset(self, keep):
        """Only the rows where `keep` is True (order kept); journeys left without rows go."""
        keep = np.asarray(keep, dtype=bool)
        n_keep = self.per_journey(keep.astype(np.int64))
        jkeep = n_keep > 0
        counts = n_keep[jkeep]
        starts = (np.cumsum(counts) - counts).astype(np.int64)
        rows = {k: getattr(self, k)[keep] for k in ("step", "code", "v")}
        return replace(
            self, ids=self.ids[jkeep], starts=starts, counts=counts, rating=self.rating[jkeep],
            actor=None if self.actor is None else self.actor[keep],
            recommend=None if self.recommend is None else self.recommend[jkeep], **rows)


def _sequences(data, what):
    """The ordered journeys of `data` as a :class:`_Seq` (validated; unordered ones left out)."""
    data = ensure_valid(data)
    lay = journey_layout(data["journey_id"], data["step"].to_numpy())
    order = lay.order

    def col(name):
        s = data[name]
        return s if order is None else s.iloc[order]

    starts = np.asarray(lay.starts, dtype=np.int64)
    counts = np.diff(np.append(starts, lay.n_rows)).astype(np.int64)
    code, uniques = pd.factorize(col("touchpoint"), sort=True)
    names = np.asarray([str(u) for u in uniques], dtype=object)
    if (code < 0).any():
        names = np.append(names, _MISSING)
        code = np.where(code < 0, len(names) - 1, code)
    v = valence(col("score").to_numpy(dtype="float64", na_value=np.nan), col("score_scale"))
    rating = valence(col("rating").to_numpy(dtype="float64", na_value=np.nan)[starts],
                     col("rating_scale").iloc[starts])
    seq = _Seq(ids=np.asarray(lay.ids()), starts=starts, counts=counts,
               step=np.asarray(lay.step, dtype=np.int64), code=code.astype(np.int64),
               names=names, v=np.asarray(v, dtype="float64"),
               rating=np.asarray(rating, dtype="float64"))
    if "actor" in data.columns:
        seq.actor = pd.factorize(col("actor"))[0].astype(np.int64)
    if "recommend" in data.columns:
        rec = col("recommend").to_numpy(dtype="float64", na_value=np.nan)[starts]
        if not np.isnan(rec).all():
            seq.recommend = rec
            if "recommend_scale" in data.columns:
                scales = pd.unique(col("recommend_scale").iloc[starts][~np.isnan(rec)])
                seq.recommend_scale = ", ".join(map(str, scales))
            else:
                seq.recommend_scale = "nps11"
    if "ordered" in data.columns:
        ordered = col("ordered").to_numpy(dtype=bool)[starts]
        if not ordered.all():
            n_un = int((~ordered).sum())
            warnings.warn(f"{n_un} of {len(ordered)} journeys left out of {what}: their moments "
                          "have no order (ordered False, as survey items), so they have no "
                          "sequence.", UserWarning, stacklevel=3)
            seq = seq.subset(np.repeat(ordered, counts))
    if seq.n_journeys == 0:
        raise ValueError(f"{what} needs ordered journeys, and the data has none.")
    return seq


def _after_negative(seq, negative):
    """Each journey from its first moment with valence below `negative` on; journeys without one go."""
    pos = seq.pos
    big = np.iinfo(np.int64).max
    first = seq.per_journey(np.where(seq.v < negative, pos, big), np.minimum)
    out = seq.subset(pos >= np.repeat(first, seq.counts))
    return out, int((first == big).sum())


def _choice(name, value, options):
    if value not in options:
        raise ValueError(f"The value for `{name}` must be one of {tuple(options)!r}, but "
                         f"{value!r} was passed.")


def _welch(n1, s1, q1, n0, s0, q0, confidence):
    """Difference of means (group 1 minus group 0) from counts, sums and sums of squares.

    Welch's t interval and p-value; NaN where a group has fewer than two values.
    """
    n1, n0 = n1.astype("float64"), n0.astype("float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        m1, m0 = s1 / n1, s0 / n0
        v1 = np.maximum(q1 - n1 * m1 * m1, 0.0) / (n1 - 1)
        v0 = np.maximum(q0 - n0 * m0 * m0, 0.0) / (n0 - 1)
        a, b = v1 / n1, v0 / n0
        se = np.sqrt(a + b)
        dof = (a + b) ** 2 / (a * a / (n1 - 1) + b * b / (n0 - 1))
        diff = m1 - m0
        t = diff / se
        p = 2 * st.t.sf(np.abs(t), dof)
        half = st.t.ppf((1 + confidence) / 2, dof) * se
    ok = (n1 >= 2) & (n0 >= 2) & (se > 0)
    nan = np.full(len(diff), np.nan)
    return (m1, m0, diff, np.where(ok, diff - half, nan), np.where(ok, diff + half, nan),
            np.where(ok, p, nan))


def _outcome(seq, adjust):
    """Per journey: the rating valence, or the rating minus the touchpoint mean (adjust='mean')."""
    if adjust is None:
        return seq.rating
    ok = ~np.isnan(seq.v)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = seq.per_journey(np.where(ok, seq.v, 0.0)) / seq.per_journey(ok.astype(np.int64))
    return seq.rating - mean


# --- transitions ----------------------------------------------------------------------------------

def _moves(seq, steps):
    """Every move of every journey: (journey, stage, from code, to code, valence arrived at).

    Stage ``s`` is the move from position ``s`` to ``s + 1`` (1-based, position
    0 is the start); a journey of length L moves to the end at stage L.
    """
    k = len(seq.names)
    pos = seq.pos
    frm = np.empty(len(seq.code), dtype=np.int64)
    frm[1:] = seq.code[:-1]
    frm[pos == 0] = k  # START
    jour = np.concatenate([seq.gidx, np.arange(seq.n_journeys)])
    stage = np.concatenate([pos, seq.counts])
    frm = np.concatenate([frm, seq.code[seq.last]])
    to = np.concatenate([seq.code, np.full(seq.n_journeys, k + 1)])  # END
    val = np.concatenate([seq.v, np.full(seq.n_journeys, np.nan)])
    if steps is not None:
        keep = stage < steps
        jour, stage, frm, to, val = jour[keep], stage[keep], frm[keep], to[keep], val[keep]
    return jour, stage, frm, to, val


def transitions(data, *, steps=None, align="start", negative=0.0, adjust=None, confidence=0.95):
    """From which touchpoint to which: how many journeys, how the next moment felt, how they rated.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy journey data (validated; never modified).  Journeys with
        ``ordered`` False are left out with a warning.
    steps : int, optional
        None (default): one row per transition wherever in the journey it
        happens.  An int: one row per transition *and stage*, for the first
        `steps` moments (the table :func:`journeylib.flow_plot` draws); stage
        ``s`` is the move from moment ``s`` to moment ``s + 1``, stage 0 the
        move from the start to the first moment.
    align : {"start", "negative"}
        ``"negative"`` starts every journey at its first moment whose valence
        is below `negative` and leaves out journeys without one: where do
        customers go after a bad moment?  (``attrs["n_left_out"]`` counts
        them.)
    negative : float
        Valence below which a moment is negative (for ``align="negative"``).
    adjust : {None, "mean"}
        What ``diff`` compares: the journey rating (None), or the rating
        minus the journey's touchpoint mean (``"mean"``, the gap): what the
        rating says beyond how the moments felt on average.
    confidence : float
        Level of the interval of ``diff``.

    Returns
    -------
    pandas.DataFrame
        One row per transition (and stage), most journeys first, columns:

        - ``stage`` (only with `steps`), ``from``, ``to``: touchpoints, with
          :data:`START` and :data:`END` as pseudo-touchpoints;
        - ``n``: journeys that made the transition (at least once);
          ``n_moves``: times it was made; ``share``: ``n_moves`` over all
          moves out of ``from`` (at that stage), the transition probability;
        - ``valence``: mean valence of the moment arrived at (NaN into
          :data:`END` and where no moment was scored);
        - ``rating``: mean journey rating (valence) of the journeys that made it;
        - ``diff``: mean outcome (see `adjust`) of the journeys that made the
          transition minus that of the journeys that did not, with Welch's
          interval ``ci_low``, ``ci_high`` and ``p_val`` (NaN when a side has
          fewer than two rated journeys).  One test per row: with many rows,
          some intervals miss 0 by chance.  The comparison is marginal:
          journeys that make a transition often make related ones too (the
          move back, the moves of longer journeys), which then share some
          of its difference.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"journey_id": [1, 1, 2, 2, 2], "step": [1, 2, 1, 2, 3],
    ...                    "touchpoint": ["web", "phone", "web", "mail", "phone"],
    ...                    "score": [2, -2, 1, 0, 2], "score_scale": "smiley5",
    ...                    "rating": [-1, -1, 2, 2, 2], "rating_scale": "smiley5"})
    >>> t = transitions(df)
    >>> t[["from", "to", "n", "valence", "rating"]]
          from     to  n  valence  rating
    0  (start)    web  2     0.75    0.25
    1    phone  (end)  2      NaN    0.25
    2     mail  phone  1     1.00    1.00
    3      web   mail  1     0.00    1.00
    4      web  phone  1    -1.00   -0.50
    """
    _choice("align", align, ALIGNMENTS)
    _choice("adjust", adjust, (None, "mean"))
    if steps is not None and (not isinstance(steps, (int, np.integer)) or steps < 1):
        raise ValueError(f"The value for `steps` must be a whole number of at least 1 (or None), "
                         f"but {steps!r} was passed.")
    if not 0 < confidence < 1:
        raise ValueError(f"The value for `confidence` must lie between 0 and 1, but "
                         f"{confidence!r} was passed.")
    seq = _sequences(data, "transitions")
    n_left_out = 0
    if align == "negative":
        seq, n_left_out = _after_negative(seq, negative)
    y = _outcome(seq, adjust)
    jour, stage, frm, to, val = _moves(seq, steps)
    b = len(seq.names) + 2
    key = (stage * b + frm) * b + to if steps is not None else frm * b + to
    ukey, inv, n_moves = np.unique(key, return_inverse=True, return_counts=True)
    u = len(ukey)
    ok = ~np.isnan(val)
    with np.errstate(invalid="ignore", divide="ignore"):
        v_mean = np.bincount(inv, np.where(ok, val, 0.0), u) / np.bincount(inv, ok, u)
    # journeys per transition: unique (journey, transition) pairs
    pair = np.sort(jour.astype(np.int64) * u + inv)
    pair = pair[np.concatenate(([True], pair[1:] != pair[:-1]))]
    t_of, j_of = pair % u, pair // u
    n = np.bincount(t_of, minlength=u)
    r = seq.rating[j_of]
    r_ok = ~np.isnan(r)
    with np.errstate(invalid="ignore", divide="ignore"):
        r_mean = np.bincount(t_of, np.where(r_ok, r, 0.0), u) / np.bincount(t_of, r_ok, u)
    yj = y[j_of]
    y_ok = ~np.isnan(yj)
    y0 = np.where(y_ok, yj, 0.0)
    n1 = np.bincount(t_of, y_ok, u)
    s1 = np.bincount(t_of, y0, u)
    q1 = np.bincount(t_of, y0 * y0, u)
    all_ok = ~np.isnan(y)
    tot_n, tot_s, tot_q = all_ok.sum(), y[all_ok].sum(), (y[all_ok] ** 2).sum()
    _, _, diff, lo, hi, p = _welch(n1, s1, q1, tot_n - n1, tot_s - s1, tot_q - q1, confidence)
    # share: moves of this transition over all moves out of `from` (at this stage)
    _, src_inv = np.unique(ukey // b, return_inverse=True)
    share = n_moves / np.bincount(src_inv, n_moves)[src_inv]
    labels = np.append(seq.names, [START, END])
    cols = {}
    if steps is not None:
        cols["stage"] = ukey // (b * b)
    cols |= {"from": labels[(ukey // b) % b], "to": labels[ukey % b], "n": n,
             "n_moves": n_moves, "share": share, "valence": v_mean, "rating": r_mean,
             "diff": diff, "ci_low": lo, "ci_high": hi, "p_val": p}
    out = pd.DataFrame(cols)
    for c in ("from", "to"):
        out[c] = out[c].astype(object)
    keys = ["stage"] if steps is not None else []
    out = out.sort_values([*keys, "n", "from", "to"], ascending=[*([True] * len(keys)), False,
                                                                 True, True], kind="stable")
    out = out.reset_index(drop=True)
    out.attrs = {"n_journeys": int(seq.n_journeys), "n_left_out": n_left_out}
    return out


# --- complete sequences ---------------------------------------------------------------------------

def path_variants(data, *, top=10, confidence=0.95):
    """The commonest complete paths: each distinct sequence of touchpoints, its n and its rating.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy journey data (validated; never modified).  Journeys with
        ``ordered`` False are left out with a warning.
    top : int or None
        How many variants to return (None: all of them).
    confidence : float
        Level of the t interval of the mean rating.

    Returns
    -------
    pandas.DataFrame
        One row per variant, commonest first (ties: shorter paths first, then
        by touchpoint names): ``variant`` (the touchpoints joined by " → "),
        ``n_moments``, ``n`` (journeys), ``share`` (of all ordered journeys),
        ``valence`` (mean over journeys of their mean moment valence),
        ``rating`` (mean journey rating, valence) with its t interval
        ``ci_low``, ``ci_high`` (NaN below two rated journeys).

    Notes
    -----
    Variants are found exactly, by sorting the journeys' padded code
    sequences (memory: journeys times the longest journey, in int32).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"journey_id": [1, 1, 2, 2, 3], "step": [1, 2, 1, 2, 1],
    ...                    "touchpoint": ["web", "phone", "web", "phone", "web"],
    ...                    "score": [2, -2, 1, 0, 2], "score_scale": "smiley5",
    ...                    "rating": [-1, -1, 2, 2, 1], "rating_scale": "smiley5"})
    >>> path_variants(df)[["variant", "n", "share", "rating"]]
           variant  n     share  rating
    0  web → phone  2  0.666667    0.25
    1          web  1  0.333333    0.50
    """
    if top is not None and (not isinstance(top, (int, np.integer)) or top < 1):
        raise ValueError(f"The value for `top` must be a whole number of at least 1 (or None), "
                         f"but {top!r} was passed.")
    if not 0 < confidence < 1:
        raise ValueError(f"The value for `confidence` must lie between 0 and 1, but "
                         f"{confidence!r} was passed.")
    seq = _sequences(data, "path_variants")
    n_j = seq.n_journeys
    padded = np.full((n_j, int(seq.counts.max())), -1, dtype=np.int32)
    padded[seq.gidx, seq.pos] = seq.code
    uniq, inv, cnt = np.unique(padded, axis=0, return_inverse=True, return_counts=True)
    inv = np.asarray(inv).ravel()
    u = len(uniq)
    length = (uniq >= 0).sum(axis=1)
    ok = ~np.isnan(seq.v)
    with np.errstate(invalid="ignore", divide="ignore"):
        jv = seq.per_journey(np.where(ok, seq.v, 0.0)) / seq.per_journey(ok.astype(np.int64))
    jv_ok = ~np.isnan(jv)
    r = seq.rating
    r_ok = ~np.isnan(r)
    r0 = np.where(r_ok, r, 0.0)
    nr = np.bincount(inv, r_ok, u)
    with np.errstate(invalid="ignore", divide="ignore"):
        valence_mean = np.bincount(inv, np.where(jv_ok, jv, 0.0), u) / np.bincount(inv, jv_ok, u)
        mean = np.bincount(inv, r0, u) / nr
        var = np.maximum(np.bincount(inv, r0 * r0, u) - nr * mean * mean, 0.0) / (nr - 1)
        half = st.t.ppf((1 + confidence) / 2, nr - 1) * np.sqrt(var / nr)
    half = np.where(nr >= 2, half, np.nan)
    order = np.lexsort((np.arange(u), length, -cnt))  # uniq rows are sorted: ties alphabetical
    if top is not None:
        order = order[:top]
    variant = [" \u2192 ".join(seq.names[uniq[i][uniq[i] >= 0]]) for i in order]
    return pd.DataFrame({
        "variant": pd.Series(variant, dtype=object), "n_moments": length[order],
        "n": cnt[order], "share": cnt[order] / n_j, "valence": valence_mean[order],
        "rating": mean[order], "ci_low": (mean - half)[order], "ci_high": (mean + half)[order],
    })
