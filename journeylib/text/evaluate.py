"""How well :func:`journeylib.text_sentiment` works: the evaluation set and its scores.

The set (``data/text_eval.csv``, datasheet in data/README.md) holds 96 touchpoint
comments written for journeylib, each in Dutch and in English, labelled
negative / neutral / positive before any scorer existed, and split into a
``tune`` half (used to build the vocabulary and pick the neutral band) and a
``test`` half (only reported).
"""

from __future__ import annotations

from importlib import resources
from io import StringIO

import numpy as np
import pandas as pd

from .score import CLASSES, LANGUAGES, _check_lang, text_class, text_sentiment

__all__ = ["load_text_eval", "text_evaluation", "tune_band", "macro_f1", "BAND_GRID"]

EVAL_FILE = "text_eval.csv"
#: Neutral bands :func:`tune_band` tries.
BAND_GRID = tuple(np.round(np.arange(0.0, 0.301, 0.05), 2).tolist())
_COLUMNS = ["id", "pair", "lang", "touchpoint", "text", "label", "phenomenon", "split"]


def load_text_eval(*, lang=None, split=None):
    """The evaluation set of journeylib's text sentiment: labelled touchpoint comments.

    Parameters
    ----------
    lang : {"nl", "en"}, optional
        Only this language (default both).
    split : {"tune", "test"}, optional
        Only this half (default both).  Tune on ``tune``, report ``test``.

    Returns
    -------
    pandas.DataFrame
        Columns ``id``, ``pair`` (the same comment in both languages shares
        it), ``lang``, ``touchpoint``, ``text``, ``label`` (``negative``,
        ``neutral``, ``positive``), ``phenomenon`` (what makes it easy or
        hard: plain, negation, contrast, sarcasm, fact...), ``split``.

    Examples
    --------
    >>> ev = load_text_eval()
    >>> len(ev), sorted(ev["lang"].unique()), sorted(ev["split"].unique())
    (192, ['en', 'nl'], ['test', 'tune'])
    >>> load_text_eval(lang="nl", split="test")["label"].value_counts().to_dict()
    {'negative': 22, 'positive': 17, 'neutral': 10}
    """
    text = resources.files("journeylib").joinpath("data", EVAL_FILE).read_text(encoding="utf-8")
    data = pd.read_csv(StringIO(text), dtype={"id": str, "lang": str, "text": str, "label": str,
                                              "split": str}, keep_default_na=False)
    data = data[_COLUMNS]
    if lang is not None:
        data = data[data["lang"] == _check_lang(lang)]
    if split is not None:
        if split not in ("tune", "test"):
            raise ValueError(
                f"The value for `split` must be one of ('tune', 'test'), but {split!r} was passed.")
        data = data[data["split"] == split]
    return data.reset_index(drop=True)


def macro_f1(labels, predicted, classes=CLASSES):
    """Mean F1 over `classes` (a class never predicted nor present counts 0).

    Examples
    --------
    >>> macro_f1(["negative", "neutral", "positive"], ["negative", "negative", "positive"])
    0.5555555555555555
    """
    y = np.asarray(labels, dtype=object)
    p = np.asarray(predicted, dtype=object)
    f1 = []
    for c in classes:
        tp = np.sum((y == c) & (p == c))
        wrong = np.sum((y == c) != (p == c))  # false positives plus false negatives
        f1.append(0.0 if tp == 0 else 2.0 * tp / (2.0 * tp + wrong))
    return float(np.mean(f1))


def tune_band(data=None, *, lang="nl", grid=BAND_GRID):
    """The neutral band that maximises macro-F1 on the *tune* half (ties: the smaller band).

    The shipped :data:`journeylib.text.BANDS` are this function's answers;
    a test checks that they still are.

    Parameters
    ----------
    data : pandas.DataFrame, optional
        Labelled comments with ``text``, ``label``, ``lang`` and ``split``;
        default :func:`load_text_eval`.  Only ``split == "tune"`` rows are used.
    lang : {"nl", "en"}
    grid : sequence of float

    Examples
    --------
    >>> from journeylib.text import BANDS
    >>> tune_band(lang="nl") == BANDS["nl"]
    True
    """
    data = load_text_eval() if data is None else data
    rows = data[(data["split"] == "tune") & (data["lang"] == _check_lang(lang))]
    v = text_sentiment(rows["text"].to_numpy(dtype=object), lang=lang)
    scores = [macro_f1(rows["label"], np.asarray(text_class(v, band=b), dtype=object))
              for b in grid]
    return float(grid[int(np.argmax(scores))])


def text_evaluation(data=None, *, band=None):
    """Accuracy and macro-F1 of text sentiment against hand labels, per language and half.

    Three scorers per language and half: ``journeylib`` (the default
    :func:`text_sentiment`), ``general lexicon`` (``vocabulary=False``: the
    Pattern lexicon with the same rules, VADER as shipped) and ``majority
    class`` (always the commonest label of the tune half: the baseline to beat).

    Parameters
    ----------
    data : pandas.DataFrame, optional
        Labelled comments (``text``, ``label``, ``lang``, ``split``); default
        :func:`load_text_eval`.
    band : float, optional
        Neutral band for both languages; default the tuned :data:`BANDS`.

    Returns
    -------
    pandas.DataFrame
        One row per ``lang``, ``split``, ``scorer``: ``n``, ``correct``,
        ``accuracy``, ``macro_f1``, ``predicted_as`` (the baseline's label).

    Examples
    --------
    >>> table = text_evaluation()
    >>> table.columns.tolist()
    ['lang', 'split', 'scorer', 'n', 'correct', 'accuracy', 'macro_f1', 'predicted_as']
    >>> base = table.query("scorer == 'majority class' and lang == 'nl' and split == 'test'")
    >>> round(float(base["accuracy"].iloc[0]), 3)
    0.449
    """
    data = load_text_eval() if data is None else data
    rows = []
    for lang in LANGUAGES:
        d = data[data["lang"] == lang]
        if d.empty:
            continue
        tune = d[d["split"] == "tune"]
        majority = (tune if len(tune) else d)["label"].value_counts().sort_index().idxmax()
        texts = d["text"].to_numpy(dtype=object)
        predictions = {
            "journeylib": text_class(text_sentiment(texts, lang=lang), lang=lang, band=band),
            "general lexicon": text_class(text_sentiment(texts, lang=lang, vocabulary=False),
                                          lang=lang, band=band),
            "majority class": np.full(len(d), majority, dtype=object),
        }
        for split in ("tune", "test"):
            mask = (d["split"] == split).to_numpy()
            if not mask.any():
                continue
            y = d["label"].to_numpy(dtype=object)[mask]
            for scorer, pred in predictions.items():
                p = np.asarray(pred, dtype=object)[mask]
                correct = int(np.sum(p == y))
                rows.append({"lang": lang, "split": split, "scorer": scorer, "n": int(mask.sum()),
                             "correct": correct, "accuracy": correct / mask.sum(),
                             "macro_f1": macro_f1(y, p),
                             "predicted_as": majority if scorer == "majority class" else ""})
    return pd.DataFrame(rows, columns=["lang", "split", "scorer", "n", "correct", "accuracy",
                                       "macro_f1", "predicted_as"])
