"""Named rating scales, conversion to valence, NPS categories and the face table.

Every number in a journey table says what it means through a scale name
(``score_scale``, ``rating_scale``).  Comparison happens on *valence*: a linear
map of the scale's minimum to -1 and its maximum to +1 (the POMP idea), with the
polarity reversed for scales where a high number is bad (customer effort).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "Scale",
    "SCALES",
    "get_scale",
    "register_scale",
    "valence",
    "from_valence",
    "nps_category",
    "CANONICAL_FACES",
    "FACES",
    "EMOTICONS",
    "face_score",
    "is_face",
    "add_valence",
]


@dataclass(frozen=True)
class Scale:
    """A named rating scale.

    Parameters
    ----------
    name : str
        The name used in ``score_scale`` / ``rating_scale`` columns.
    low, high : float
        The smallest and largest value an answer can take.
    reversed : bool
        True where a high value is bad (effort scales): valence is then
        ``+1`` at ``low`` and ``-1`` at ``high``.
    integer : bool
        True when only whole numbers are valid answers.
    description : str
        One line for people.
    """

    name: str
    low: float
    high: float
    reversed: bool = False
    integer: bool = True
    description: str = ""

    def contains(self, values):
        """Boolean array: which values lie on the scale (NaN counts as valid, i.e. missing)."""
        v = np.asarray(values, dtype="float64")
        ok = (v >= self.low) & (v <= self.high)
        if self.integer:
            ok &= np.equal(np.round(v), v)
        return ok | np.isnan(v)


SCALES: dict[str, Scale] = {
    s.name: s
    for s in [
        Scale("smiley5", -2, 2, description="five smileys, from very unhappy (-2) to very happy (+2)"),
        Scale("likert5", 1, 5, description="five-point Likert or star rating, 1 = worst"),
        Scale("likert7", 1, 7, description="seven-point Likert, 1 = worst"),
        Scale("nps11", 0, 10, description="0-10 likelihood to recommend (Net Promoter question)"),
        Scale("stars10", 1, 10, description="1-10 rating, 1 = worst"),
        Scale("binary", 0, 1, description="no (0) / yes (1)"),
        Scale("percent", 0, 100, integer=False, description="0-100 slider or percentage"),
        Scale(
            "ces2010",
            1,
            5,
            reversed=True,
            description="Customer Effort Score (Dixon et al. 2010), 1 = very low effort, 5 = very high",
        ),
        Scale("valence", -1, 1, integer=False, description="already on the -1..+1 valence scale"),
        Scale("text", -1, 1, integer=False,
              description="valence of free text (journeylib.text_sentiment), -1..+1"),
        Scale("grade10", 1, 10, integer=False,
              description="1-10 grade with decimals, as the Dutch rapportcijfer (7,5)"),
    ]
}


#: The names journeylib defines itself (never replaced by a user's scale).
_BUILT_IN = frozenset(SCALES)


def _unknown(kind: str, value, known) -> ValueError:
    known = list(known)
    close = difflib.get_close_matches(str(value), [str(k) for k in known], n=3)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return ValueError(f"Unknown {kind} {value!r}.{hint} Known {kind}s: {', '.join(map(str, known))}.")


def register_scale(scale: Scale, *, replace: bool = False) -> Scale:
    """Make `scale` known by its name to every part of journeylib, for this Python process.

    Once registered, the name can be used in ``score_scale``/``rating_scale``
    columns, in :func:`journeylib.from_wide` and on the command line, and the
    DuckDB and Spark engines know it too (their scale table is built from
    :data:`SCALES`).  A :class:`Scale` passed where a scale name is accepted
    is registered the same way.

    Parameters
    ----------
    scale : Scale
    replace : bool, default False
        Allow a different definition under a name already registered.  The
        built-in scales cannot be replaced.

    Returns
    -------
    Scale

    Raises
    ------
    ValueError
        When the name is taken by a different definition, the bounds are not
        finite or low >= high.

    Examples
    --------
    >>> register_scale(Scale("mood7", -3, 3, description="seven faces, -3..+3")).name
    'mood7'
    >>> float(valence(3, "mood7"))
    1.0
    """
    if not isinstance(scale, Scale):
        raise TypeError(f"register_scale needs a journeylib.Scale, not {type(scale).__name__}.")
    if not (isinstance(scale.name, str) and scale.name.strip() and scale.name == scale.name.strip()):
        raise ValueError(f"A scale needs a name without surrounding spaces, not {scale.name!r}.")
    if not (np.isfinite(scale.low) and np.isfinite(scale.high) and scale.low < scale.high):
        raise ValueError(f"Scale {scale.name!r} needs finite bounds with low < high, but has "
                         f"low={scale.low!r}, high={scale.high!r}.")
    known = SCALES.get(scale.name)
    if known is not None and known != scale:
        if scale.name in _BUILT_IN or not replace:
            raise ValueError(f"The scale name {scale.name!r} is taken by {known!r}; choose another "
                             "name" + ("" if scale.name in _BUILT_IN else " or pass replace=True")
                             + ".")
    SCALES[scale.name] = scale
    return scale


def get_scale(name: str | Scale) -> Scale:
    """Return the :class:`Scale` called `name` (a :class:`Scale` is registered and returned).

    Raises
    ------
    ValueError
        For an unknown name; the message lists the known scales.

    Examples
    --------
    >>> get_scale("likert5").high
    5
    """
    if isinstance(name, Scale):
        return register_scale(name)
    try:
        return SCALES[name]
    except (KeyError, TypeError):
        raise _unknown("scale", name, SCALES) from None


def _bounds(scale):
    """Low, span (high - low) and reversed for a scale name or an array of names.

    Scalars for one scale (a name, a :class:`Scale`, or a categorical with a
    single category), else one entry per value.  A categorical (say a validated
    ``score_scale`` column) is read through its codes: one scale lookup per
    category, no conversion of millions of names to Python objects.
    """
    if isinstance(scale, (str, Scale)):
        s = get_scale(scale)
        return s.low, s.high - s.low, s.reversed
    if isinstance(getattr(scale, "dtype", None), pd.CategoricalDtype):
        cat = scale.array if isinstance(scale, (pd.Series, pd.Index)) else scale
        codes, uniques = np.asarray(cat.codes), cat.categories
    else:
        names = scale if isinstance(scale, (pd.Series, pd.Index)) else pd.Series(
            np.asarray(scale, dtype=object))
        codes, uniques = pd.factorize(names, use_na_sentinel=True)
        codes = np.asarray(codes)
    if len(codes) and codes.min() < 0:
        raise ValueError("A scale name is missing; every value needs a scale.")
    table = [get_scale(u) for u in uniques]
    if len(table) == 1:
        return table[0].low, table[0].high - table[0].low, table[0].reversed
    low = np.array([s.low for s in table], dtype="float64")[codes]
    span = np.array([s.high - s.low for s in table], dtype="float64")[codes]
    rev = np.array([s.reversed for s in table], dtype=bool)[codes]
    return low, span, rev


def valence(values, scale):
    """Map answers on `scale` onto valence, -1 (worst) .. +1 (best).

    The one definition of valence in journeylib: :func:`add_valence`,
    :func:`journeylib.journey_summary` and :func:`journeylib.key_drivers` all
    call it.

    Parameters
    ----------
    values : scalar or array-like
        Answers; NaN stays NaN.  An array is not modified.
    scale : str, Scale or array-like of str
        One scale for all values, or one scale name per value (as in a
        ``score_scale`` column; a categorical column is fastest).

    Returns
    -------
    float or numpy.ndarray
        ``2 * (x - low) / (high - low) - 1``, negated for reversed scales.
        Values off the scale are *not* clipped: validate first.

    Examples
    --------
    >>> float(valence(4, "likert5"))
    0.5
    >>> valence([1, 5], "ces2010").tolist()
    [1.0, -1.0]
    >>> valence([-2, 10], ["smiley5", "nps11"]).tolist()
    [-1.0, 1.0]
    """
    low, span, rev = _bounds(scale)
    x = np.asarray(values, dtype="float64")
    if np.ndim(low) == 0:  # one scale: in place after the first subtraction, one new array
        v = np.subtract(x, low)
        v *= 2.0
        v /= span
        v -= 1.0
        if rev:
            v = np.negative(v, out=v) if np.ndim(v) else -v
    else:
        v = 2.0 * (x - low) / span - 1.0
        if rev.any():
            v = np.where(rev, -v, v)
    return float(v) if np.ndim(v) == 0 else v


def from_valence(values, scale):
    """Map valence (-1..+1) back onto `scale`, for display.

    The inverse of :func:`valence`; the result is not rounded.

    Examples
    --------
    >>> float(from_valence(0.5, "likert5"))
    4.0
    >>> float(from_valence(1.0, "ces2010"))
    1.0
    """
    low, span, rev = _bounds(scale)
    v = np.asarray(values, dtype="float64")
    v = np.where(rev, -v, v)
    x = (v + 1.0) / 2.0 * span + low
    return float(x) if np.ndim(x) == 0 else x


def nps_category(values):
    """Net Promoter category of 0-10 answers.

    0-6 is ``"detractor"``, 7-8 ``"passive"``, 9-10 ``"promoter"``; NaN stays
    missing.  Values off the 0-10 scale raise ``ValueError``.

    Returns
    -------
    pandas.Categorical or str

    Examples
    --------
    >>> nps_category(9)
    'promoter'
    >>> list(nps_category([0, 7, 10]))
    ['detractor', 'passive', 'promoter']
    """
    scalar = np.ndim(values) == 0
    x = np.atleast_1d(np.asarray(values, dtype="float64"))
    bad = ~get_scale("nps11").contains(x)
    if bad.any():
        raise ValueError(
            f"NPS answers must be whole numbers 0-10, but {x[bad][0]!r} was passed "
            f"(position {int(np.flatnonzero(bad)[0])})."
        )
    cat = pd.cut(x, [-0.5, 6.5, 8.5, 10.5], labels=["detractor", "passive", "promoter"])
    return cat[0] if scalar else cat


# --- faces -------------------------------------------------------------------------------------

#: The faces of survey smiley scales, with their smiley5 score.  Both 🙁 and 😕 mean -1.
CANONICAL_FACES: dict[str, int] = {
    "\U0001f616": -2,  # 😖 confounded
    "\U0001f641": -1,  # 🙁 slightly frowning
    "\U0001f615": -1,  # 😕 confused
    "\U0001f610": 0,  # 😐 neutral
    "\U0001f642": 1,  # 🙂 slightly smiling
    "\U0001f603": 2,  # 😃 grinning with big eyes
}

_WIDER_FACES: dict[str, int] = {
    "\U0001f600": 2,  # 😀
    "\U0001f604": 2,  # 😄
    "\U0001f601": 2,  # 😁
    "\U0001f60a": 1,  # 😊
    "\U0001f60d": 2,  # 😍
    "\U0001f929": 2,  # 🤩
    "\U0001f970": 2,  # 🥰
    "\U0001f60c": 1,  # 😌
    "\U0001f643": 0,  # 🙃 (ironic: neutral)
    "\U0001f611": 0,  # 😑
    "\U0001f636": 0,  # 😶
    "\U0001f914": 0,  # 🤔
    "\U0001f61e": -1,  # 😞
    "\U0001f61f": -1,  # 😟
    "\u2639\ufe0f": -1,  # ☹️
    "\u2639": -1,  # ☹ (without variation selector)
    "\U0001f612": -1,  # 😒
    "\U0001f614": -1,  # 😔
    "\U0001f623": -2,  # 😣
    "\U0001f629": -2,  # 😩
    "\U0001f62b": -2,  # 😫
    "\U0001f620": -2,  # 😠
    "\U0001f621": -2,  # 😡
    "\U0001f92c": -2,  # 🤬
    "\U0001f622": -2,  # 😢
    "\U0001f62d": -2,  # 😭
}

#: Text emoticons and their smiley5 score.
EMOTICONS: dict[str, int] = {
    **dict.fromkeys([":-D", ":D", "=D", ":-))", ":))", "XD", "xD"], 2),
    **dict.fromkeys([":-)", ":)", "=)", ":]", ":-]", "(:"], 1),
    **dict.fromkeys([":-|", ":|", "=|", ":-/", ":/"], 0),
    **dict.fromkeys([":-(", ":(", "=(", ":[", ":-[", "):"], -1),
    **dict.fromkeys([":-((", ":((", ":'(", ":'-(", "D:", ">:(", ">:-("], -2),
}

#: Every face journeylib knows: canonical survey faces, common emoji, text emoticons.
FACES: dict[str, int] = {**CANONICAL_FACES, **_WIDER_FACES, **EMOTICONS}


# skin-tone modifiers (U+1F3FB..U+1F3FF) and the emoji variation selector (U+FE0F)
_FACE_MODIFIERS = re.compile("[\U0001f3fb-\U0001f3ff\ufe0f]")


def _lookup_face(face):
    """smiley5 score of one face, None when unknown.

    Tried as written, then without U+FE0F, then without skin-tone modifiers
    and U+FE0F (so "\U0001f642\U0001f3fd" scores as "\U0001f642").
    """
    if not isinstance(face, str):
        return None
    for f in (face, face.replace("\ufe0f", ""), _FACE_MODIFIERS.sub("", face)):
        if f in FACES:
            return FACES[f]
    return None


def is_face(token: str) -> bool:
    """Whether `token` is a face journeylib can score.

    Parameters
    ----------
    token : str
        An emoji or text emoticon.  The emoji variation selector (U+FE0F) and
        skin-tone modifiers are ignored, as in :func:`face_score`.

    Returns
    -------
    bool
        True when :func:`face_score` gives `token` a score, i.e. it is in
        :data:`FACES` up to those modifiers.

    Examples
    --------
    >>> is_face("\U0001f642"), is_face(":-)"), is_face("\U0001f642\U0001f3fd")
    (True, True, True)
    >>> is_face(":-P")
    False
    """
    return _lookup_face(token) is not None


def face_score(face):
    """smiley5 score (-2..+2) of a face, or of each face in an array.

    The emoji variation selector (U+FE0F) and skin-tone modifiers
    (U+1F3FB..U+1F3FF) are ignored: a face scores as its plain form.

    Raises
    ------
    ValueError
        For a face outside the lexicon; the message lists the known faces.

    Examples
    --------
    >>> face_score("\U0001f642")
    1
    >>> face_score("\U0001f642\U0001f3fd")  # with a skin-tone modifier
    1
    >>> face_score(":-(")
    -1
    """
    if isinstance(face, str):
        score = _lookup_face(face)
        if score is None:
            raise ValueError(f"Unknown face {face!r}. Known faces: {' '.join(FACES)}.")
        return score
    faces = pd.Series(np.asarray(face, dtype=object))
    scores = faces.map(FACES).to_numpy(dtype="float64", na_value=np.nan, copy=True)
    unknown = np.isnan(scores)
    if unknown.any():  # retry without modifiers, one lookup per distinct face
        rest = faces[unknown]
        retry = {f: _lookup_face(f) for f in pd.unique(rest)}
        scores[unknown] = rest.map(retry).to_numpy(dtype="float64", na_value=np.nan)
        unknown = np.isnan(scores)
    if unknown.any():
        bad = faces.iat[int(np.flatnonzero(unknown)[0])]
        raise ValueError(f"Unknown face {bad!r}. Known faces: {' '.join(FACES)}.")
    return scores.astype("int64")


def add_valence(data, *, score="score", score_scale="score_scale", rating="rating",
                rating_scale="rating_scale"):
    """Return a copy of tidy journey data with ``valence`` and ``rating_valence`` columns.

    ``valence`` is each moment's score on -1..+1 (through its ``score_scale``),
    ``rating_valence`` the journey rating on -1..+1 (through ``rating_scale``).
    The caller's frame is not modified.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"score": [1, 5], "score_scale": "likert5",
    ...                    "rating": 7, "rating_scale": "nps11"})
    >>> add_valence(df)[["valence", "rating_valence"]].round(2).values.tolist()
    [[-1.0, 0.4], [1.0, 0.4]]
    """
    out = data.copy()
    out["valence"] = valence(out[score].to_numpy(dtype="float64", na_value=np.nan),
                             out[score_scale])
    if rating in out.columns and rating_scale in out.columns:
        out["rating_valence"] = valence(out[rating].to_numpy(dtype="float64", na_value=np.nan),
                                        out[rating_scale])
    return out

