"""Words next to scores: text valence in tidy data, journeys from comments, and where they disagree."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as sps

from ..scales import valence
from .score import CLASSES, LANGUAGES, text_class, text_sentiment

__all__ = ["add_text_sentiment", "text_journeys", "text_vs_score", "text_disagreements",
           "weighted_kappa", "TEXT_SCALE"]

#: The scale of text-derived scores in the tidy contract (see journeylib.scales.SCALES).
TEXT_SCALE = "text"


def _frame(data, what):
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{what} needs a pandas DataFrame, not {type(data).__name__}.")


def _need(data, columns, what):
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ValueError(f"{what} needs the column(s) {', '.join(map(repr, missing))}; the data "
                         f"has {', '.join(map(str, data.columns))}.")


def _langs(data, lang):
    """One language code, or one per row (array-like, or the name of a column of `data`)."""
    if isinstance(lang, str) and lang not in LANGUAGES and lang in data.columns:
        return data[lang].to_numpy(dtype=object)
    return lang


def add_text_sentiment(data, *, column="text", lang="nl", vocabulary=True):
    """Return a copy of `data` with a ``text_valence`` column: the valence of each row's text.

    Parameters
    ----------
    data : pandas.DataFrame
        Any table with a text column, such as tidy journey data or a diary
        from :func:`journeylib.read_diary`.  Never modified.
    column : str, default "text"
        The column holding the text.
    lang : {"nl", "en"}, array-like or str
        The language of every text, one code per row, or the name of a
        column of `data` that holds the codes.
    vocabulary : bool, default True
        See :func:`journeylib.text_sentiment`.

    Returns
    -------
    pandas.DataFrame
        A new frame: `data`'s columns plus ``text_valence`` (-1..+1; NaN
        where the text is missing or blank).

    Examples
    --------
    >>> import pandas as pd, journeylib as jl
    >>> df = pd.DataFrame({"text": ["Keurig op tijd bezorgd.", "Niemand heeft me teruggebeld.",
    ...                             None]})
    >>> jl.add_text_sentiment(df)["text_valence"].round(2).tolist()
    [0.37, -0.7, nan]
    >>> "text_valence" in df.columns
    False
    """
    _frame(data, "add_text_sentiment")
    _need(data, [column], "add_text_sentiment")
    out = data.copy()
    out["text_valence"] = text_sentiment(out[column].to_numpy(dtype=object),
                                         lang=_langs(data, lang), vocabulary=vocabulary)
    return out


def text_journeys(data, *, column="text", lang="nl", vocabulary=True):
    """Tidy journey data whose scores are the words: ``score`` = text valence, scale ``"text"``.

    Comments can then be analysed like any score: :func:`journeylib.journey_summary`,
    :func:`journeylib.emotion_curve` and the statistics work on journeys that
    have a comment per touchpoint and no rating per touchpoint, and a diary's
    text becomes an emotion curve without its faces.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy journey data with a text column (``score`` and ``score_scale``
        may be missing).  Never modified.
    column, lang, vocabulary
        As in :func:`add_text_sentiment`.

    Returns
    -------
    pandas.DataFrame
        A new frame with ``text_valence``, ``score`` equal to it and
        ``score_scale`` ``"text"`` (a -1..+1 scale, so valence equals the
        score).  A score the data had is kept in ``original_score`` and
        ``original_score_scale``.  Journey columns (``rating``...) are
        untouched; a moment without text has a missing score.

    Examples
    --------
    >>> import pandas as pd, journeylib as jl
    >>> df = pd.DataFrame({"journey_id": 1, "step": [1, 2, 3],
    ...                    "touchpoint": ["web shop", "delivery", "phone"],
    ...                    "text": ["Overzichtelijke site.", "Pakket kwam beschadigd aan.",
    ...                             "Snel en vriendelijk geholpen!"],
    ...                    "rating": 1, "rating_scale": "smiley5"})
    >>> words = jl.text_journeys(df)
    >>> words[["score", "score_scale"]].round(2).values.tolist()
    [[0.5, 'text'], [-0.6, 'text'], [0.5, 'text']]
    >>> float(jl.journey_summary(words)["mean"].round(2).iloc[0])
    0.13
    """
    _frame(data, "text_journeys")
    out = add_text_sentiment(data, column=column, lang=lang, vocabulary=vocabulary)
    for name in ("score", "score_scale"):
        if name in out.columns:
            out[f"original_{name}"] = out[name]
    out["score"] = out["text_valence"]
    out["score_scale"] = TEXT_SCALE
    return out


# --- agreement ---------------------------------------------------------------------------------


def weighted_kappa(a, b, *, k=3, confidence=0.95):
    """Cohen's weighted kappa (linear weights) of two ratings coded 0..k-1, with its interval.

    Parameters
    ----------
    a, b : array-like of int
        Class codes (0..k-1) of the same items by two raters; pairs with a
        missing code (negative or NaN) are left out.
    k : int
        Number of ordered classes.
    confidence : float
        Level of the interval (large-sample standard error of Fleiss, Cohen
        and Everitt 1969).

    Returns
    -------
    tuple of float
        (kappa, ci_low, ci_high); NaN where undefined (fewer than two items,
        or both raters always use the same single class).

    Examples
    --------
    >>> kappa, low, high = weighted_kappa([0, 1, 2, 2, 0, 1], [0, 1, 2, 1, 0, 2])
    >>> round(kappa, 3)
    0.625
    """
    a = np.asarray(a, dtype="float64")
    b = np.asarray(b, dtype="float64")
    ok = np.isfinite(a) & np.isfinite(b) & (a >= 0) & (b >= 0)
    a, b = a[ok].astype(int), b[ok].astype(int)
    n = a.size
    if n < 2:
        return np.nan, np.nan, np.nan
    p = np.zeros((k, k))
    np.add.at(p, (a, b), 1.0)
    p /= n
    i = np.arange(k)
    w = 1.0 - np.abs(i[:, None] - i[None, :]) / (k - 1)  # agreement weights
    row, col = p.sum(axis=1), p.sum(axis=0)
    po = float(np.sum(w * p))
    pe = float(np.sum(w * np.outer(row, col)))
    if pe >= 1.0 - 1e-12:
        return np.nan, np.nan, np.nan
    kappa = (po - pe) / (1.0 - pe)
    w_row = w @ col  # mean weight of each row class against the column marginals
    w_col = row @ w
    term = np.sum(p * (w - (w_row[:, None] + w_col[None, :]) * (1.0 - kappa)) ** 2)
    var = (term - (kappa - pe * (1.0 - kappa)) ** 2) / (n * (1.0 - pe) ** 2)
    half = sps.norm.ppf((1 + confidence) / 2) * np.sqrt(max(var, 0.0))
    return float(kappa), float(kappa - half), float(kappa + half)


def _pearson(x, y, confidence):
    n = x.size
    if n < 4 or np.std(x) == 0 or np.std(y) == 0:
        return np.nan, np.nan, np.nan
    r = float(np.corrcoef(x, y)[0, 1])
    z, half = np.arctanh(np.clip(r, -0.9999999, 0.9999999)), (
        sps.norm.ppf((1 + confidence) / 2) / np.sqrt(n - 3))
    return r, float(np.tanh(z - half)), float(np.tanh(z + half))


def _moments(data, column, lang, band, what, vocabulary=True):
    """Moments with a score and a text: score valence, text valence and their classes."""
    _frame(data, what)
    _need(data, ["score", "score_scale"], what)
    if "text_valence" not in data.columns:
        _need(data, [column], what)
        d = add_text_sentiment(data, column=column, lang=lang, vocabulary=vocabulary)
    else:
        d = data.copy()
    scales = d["score_scale"].astype(str)
    if len(d) and (scales == TEXT_SCALE).all():
        raise ValueError(f"{what}: every score is on the 'text' scale, i.e. already the words "
                         "(from text_journeys); pass the data with its own scores.")
    d["score_valence"] = valence(d["score"].to_numpy(dtype="float64", na_value=np.nan),
                                 d["score_scale"])
    sv = d["score_valence"].to_numpy(dtype="float64")
    d["score_class"] = pd.Categorical.from_codes(
        np.where(np.isnan(sv), -1, np.where(sv < -1e-9, 0, np.where(sv > 1e-9, 2, 1))),
        categories=list(CLASSES), ordered=True)
    d["text_class"] = text_class(d["text_valence"].to_numpy(dtype="float64"),
                                 lang=_langs(d, lang), band=band)
    return d


def text_vs_score(data, *, column="text", lang="nl", by=None, band=None, confidence=0.95):
    """Do the words agree with the score?  Agreement between text valence and score, per moment.

    Every moment that has both a score (a face, stars, any scale) and a text
    is a pair of ratings of the same experience.  Both are put on valence and
    into three classes (negative, neutral, positive; a score is neutral at its
    scale's midpoint, a text within the language's neutral band).

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy journey data with ``score``, ``score_scale`` and a text column,
        or a ``text_valence`` column (from :func:`add_text_sentiment`), which
        is then used as it is.  Never modified.
    column, lang
        As in :func:`add_text_sentiment`.
    by : str or list of str, optional
        Columns to group by (``"journey_id"``, ``"touchpoint"``); default one
        row for all moments.
    band : float, optional
        Neutral band for the text classes; default :data:`journeylib.text.BANDS`.
    confidence : float
        Level of the intervals.

    Returns
    -------
    pandas.DataFrame
        One row per group: the `by` columns, then ``n`` (moments with both),
        ``n_without_text``, ``sign_agreement`` (share of moments in the same
        class), ``opposite`` (share where one is negative and the other
        positive), ``kappa``, ``kappa_ci_low``, ``kappa_ci_high`` (Cohen's
        weighted kappa, linear weights, on the three classes), ``r``,
        ``r_ci_low``, ``r_ci_high`` (Pearson correlation of the valences,
        Fisher-z interval), ``mean_text``, ``mean_score`` and
        ``text_minus_score``.

    See Also
    --------
    text_disagreements : the moments where words and score differ most, with the text.

    Examples
    --------
    >>> import journeylib as jl
    >>> diary = jl.load_example_diary()
    >>> agree = jl.text_vs_score(diary)
    >>> agree[["n", "sign_agreement", "opposite"]].round(2).values.tolist()
    [[9.0, 0.56, 0.0]]
    """
    d = _moments(data, column, lang, band, "text_vs_score")
    keys = [by] if isinstance(by, str) else list(by or [])
    _need(d, keys, "text_vs_score(by=...)")
    groups = d.groupby(keys, sort=True, observed=True, dropna=False) if keys else [((), d)]
    rows = []
    for key, g in groups:
        has_score = g["score_valence"].notna()
        both = has_score & g["text_valence"].notna()
        x = g.loc[both, "text_valence"].to_numpy(dtype="float64")
        y = g.loc[both, "score_valence"].to_numpy(dtype="float64")
        tc = g.loc[both, "text_class"].cat.codes.to_numpy()
        sc = g.loc[both, "score_class"].cat.codes.to_numpy()
        n = int(both.sum())
        kappa = weighted_kappa(tc, sc, confidence=confidence)
        r = _pearson(x, y, confidence)
        row = dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True))
        row.update({
            "n": n, "n_without_text": int((has_score & ~both).sum()),
            "sign_agreement": float(np.mean(tc == sc)) if n else np.nan,
            "opposite": float(np.mean(np.abs(tc - sc) == 2)) if n else np.nan,
            "kappa": kappa[0], "kappa_ci_low": kappa[1], "kappa_ci_high": kappa[2],
            "r": r[0], "r_ci_low": r[1], "r_ci_high": r[2],
            "mean_text": float(x.mean()) if n else np.nan,
            "mean_score": float(y.mean()) if n else np.nan,
        })
        row["text_minus_score"] = row["mean_text"] - row["mean_score"]
        rows.append(row)
    return pd.DataFrame(rows, columns=[*keys, "n", "n_without_text", "sign_agreement",
                                       "opposite", "kappa", "kappa_ci_low", "kappa_ci_high",
                                       "r", "r_ci_low", "r_ci_high", "mean_text", "mean_score",
                                       "text_minus_score"])


def text_disagreements(data, *, column="text", lang="nl", n=None, band=None):
    """The moments where the words and the score disagree most, with the text.

    Parameters
    ----------
    data : pandas.DataFrame
        As in :func:`text_vs_score`.  Never modified.
    column, lang, band
        As in :func:`text_vs_score`.
    n : int, optional
        Only the first `n` moments (default all moments with both a score
        and a text).

    Returns
    -------
    pandas.DataFrame
        One row per moment, largest ``|difference|`` first (ties in the
        data's order): ``journey_id``, ``step``, ``touchpoint`` (those the
        data has), ``face`` (when the data has it), ``score_valence``,
        ``text_valence``, ``difference`` (text minus score), ``score_class``,
        ``text_class``, ``opposite`` (one negative, the other positive), and
        the text.

    Examples
    --------
    >>> import journeylib as jl
    >>> worst = jl.text_disagreements(jl.load_example_diary(), n=2)
    >>> worst[["stop", "face", "difference"]].round(2).values.tolist()
    [[3, '😃', -1.0], [4, '😖', 0.7]]
    """
    d = _moments(data, column, lang, band, "text_disagreements")
    if n is not None and (not isinstance(n, (int, np.integer)) or n < 0):
        raise ValueError(f"`n` must be a whole number >= 0 or None, but {n!r} was passed.")
    d = d[d["score_valence"].notna() & d["text_valence"].notna()].copy()
    d["difference"] = d["text_valence"] - d["score_valence"]
    d["opposite"] = (np.abs(d["text_class"].cat.codes - d["score_class"].cat.codes) == 2)
    order = np.argsort(-np.abs(d["difference"].to_numpy(dtype="float64")), kind="stable")
    d = d.iloc[order]
    ids = [c for c in ("journey_id", "step", "stop", "touchpoint", "face") if c in d.columns]
    text = [column] if column in d.columns else []
    cols = [*ids, "score_valence", "text_valence", "difference", "score_class", "text_class",
            "opposite", *text]
    out = d[cols].reset_index(drop=True)
    return out if n is None else out.head(n)
