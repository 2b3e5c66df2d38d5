"""A wide file read as tidy: say so, and show the call that reads it.

:func:`journeylib.read_journeys` expects one row per touchpoint moment.  A
survey export has one row per respondent and a column per touchpoint; read as
tidy it would only get "required column is missing" for ``step``,
``touchpoint`` and ``score``.  :func:`wide_hint` recognises such a table and
writes the ``from_wide`` call (and the command line) with the columns it
found, scales guessed from the answers, for the analyst to check.
"""

from __future__ import annotations

import re
import shlex

import numpy as np

from ..cells import parse_numbers

__all__ = ["wide_hint"]

_ID = re.compile(r"(^#$|^id$|respondent|response.?id|^resp$|record|^nr$|nummer)", re.I)
# the journey rating: first a name or question that says "overall", then any that says "rating"
_RATING = (re.compile(r"(overall|algemeen|totaal|in general|as a whole|rapportcijfer)", re.I),
           re.compile(r"(rating|satisf|tevreden|cijfer|oordeel)", re.I))
_RECOMMEND = re.compile(r"(recommend|nps|aanbevel|aanraden)", re.I)
# numbers a survey tool adds about the response, not answers
_META = re.compile(r"(progress|duration.*|finished|status|location(latitude|longitude)|lastpage|"
                   r"seed|collector id|network id|interviewtime|.*time)", re.I)
_TOOLS = {"qualtrics": "Qualtrics", "surveymonkey": "SurveyMonkey", "google_forms": "Google Forms",
          "typeform": "Typeform", "limesurvey": "LimeSurvey"}
# (scale, low, high, whole numbers) in the order they are tried
_SCALES = (("binary", 0, 1, True), ("likert5", 1, 5, True), ("likert7", 1, 7, True),
           ("stars10", 1, 10, True), ("nps11", 0, 10, True), ("grade10", 1, 10, False),
           ("percent", 0, 100, False))


def _scale(values):
    v = values[~np.isnan(values)]
    if not len(v):
        return None
    whole = bool(np.all(np.round(v) == v))
    for name, low, high, integer in _SCALES:
        if v.min() >= low and v.max() <= high and (whole or not integer):
            return name
    return None


def _numeric(df):
    """{column: guessed scale} of the columns that are mostly numbers (an answer column)."""
    out = {}
    for column in df.columns:
        values, not_number, error_value, _ = parse_numbers(df[column])
        present = int((~np.isnan(values)).sum())
        if present and present >= 0.8 * (present + int(not_number.sum() + error_value.sum())):
            out[column] = _scale(values)
    return out


def wide_hint(df, path):
    """A message when `df` (read as tidy) is a wide table, else None.

    Wide: no ``step`` column, ``touchpoint`` or ``score`` missing too, and at
    least two columns of numbers (the touchpoint answers).

    Examples
    --------
    >>> import pandas as pd
    >>> wide = pd.DataFrame({"resp": ["a", "b"], "web": [4, 5], "phone": [2, 3],
    ...                      "overall": [7, 9]})
    >>> print(wide_hint(wide, "survey.csv"))  # doctest: +NORMALIZE_WHITESPACE
    this looks like a wide file, one row per respondent (no step, touchpoint or score column; 2 rows; columns: resp, web, phone, overall). Read it as wide: jl.from_wide(jl.read_table('survey.csv'), touchpoints=['web', 'phone'], rating='overall', score_scale='likert5', rating_scale='stars10', id='resp') or on the command line python -m journeylib report survey.csv --format wide --touchpoints web,phone --rating overall --score-scale likert5 --rating-scale stars10 --id resp (scales guessed from the answers: check them; add ordered=True / --ordered if the touchpoints are in journey order).
    """
    cols = [str(c) for c in df.columns]
    if "step" in cols or ("touchpoint" in cols and "score" in cols):
        return None
    numeric = {c: v for c, v in _numeric(df).items() if not _META.fullmatch(str(c).strip())}
    if len(numeric) < 2:
        return None
    ids = [c for c in df.columns if _ID.search(str(c)) and df[c].notna().all()
           and df[c].is_unique]
    id_ = ids[0] if ids else None
    labels = df.attrs.get("labels", {})

    def said(column):  # the name, and the question text when the export kept it
        return f"{column} {labels.get(column, '')}"

    recommend = next((c for c in numeric if c != id_ and _RECOMMEND.search(said(c))), None)
    rating = next((c for pattern in _RATING for c in numeric
                   if c not in (id_, recommend) and pattern.search(said(c))), None)
    touchpoints = [c for c in numeric if c not in (id_, rating, recommend)]
    if not touchpoints:
        return None
    scales = [numeric[c] for c in touchpoints]
    score_scale = max(set(scales), key=scales.count) if any(scales) else None
    score_scale = score_scale or "<scale, e.g. likert5>"
    rating_scale = (numeric.get(rating) if rating is not None else None) or \
        "<scale, e.g. stars10>"
    shown = ", ".join(cols[:30]) + (f", ... ({len(cols)} columns)" if len(cols) > 30 else "")
    args = [f"touchpoints={[str(t) for t in touchpoints]!r}"]
    flags = [f"--touchpoints {_quote(','.join(map(str, touchpoints)))}"]
    if rating is not None:
        args += [f"rating={str(rating)!r}"]
        flags += [f"--rating {_quote(rating)}"]
    args += [f"score_scale={score_scale!r}"]
    flags += [f"--score-scale {score_scale}"]
    if rating is not None:
        args += [f"rating_scale={rating_scale!r}"]
        flags += [f"--rating-scale {rating_scale}"]
    else:
        args += ["rating='<overall rating column>'", "rating_scale='<its scale>'"]
        flags += ["--rating <overall rating column> --rating-scale <its scale>"]
    if recommend is not None:
        args += [f"recommend={str(recommend)!r}"]
        flags += [f"--recommend {_quote(recommend)}"]
    if id_ is not None:
        args += [f"id={str(id_)!r}"]
        flags += [f"--id {_quote(id_)}"]
    name = str(path)
    tool = _TOOLS.get(df.attrs.get("journeylib.export"))
    what = f"a {tool} export, " if tool else ""
    return (f"this looks like {what}a wide file, one row per respondent (no step, touchpoint or score "
            f"column; {len(df)} rows; columns: {shown}). Read it as wide: "
            f"jl.from_wide(jl.read_table({name!r}), {', '.join(args)}) or on the command line "
            f"python -m journeylib report {_quote(name)} --format wide {' '.join(flags)} "
            "(scales guessed from the answers: check them; add ordered=True / --ordered if the "
            "touchpoints are in journey order).")


def _quote(text):
    return shlex.quote(str(text))  # a name with spaces or quotes stays one shell word

