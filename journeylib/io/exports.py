"""Survey-tool exports, recognised by their own marks and read without options.

:func:`journeylib.read_table` passes every CSV and Excel table it reads
without ``header=``/``skiprows=`` through :func:`recognise`, which knows:

Qualtrics
    Names in row 1 (``StartDate``, ``EndDate``, ``Status``, ...,
    ``ResponseId``, ``Q1_1``), the question texts in row 2 and
    ``{"ImportId": ...}`` in row 3.  Rows 2-3 become labels; responses not
    finished (``Finished`` False or 0) and survey previews and tests
    (``Status`` or ``DistributionChannel`` "preview"/"test") are dropped with
    one warning that counts them.
SurveyMonkey
    ``Respondent ID``, ``Collector ID`` and a second header row holding
    "Response", an option's text, or the row of a matrix question.  The two
    rows become one unique name per column: the question, or for a matrix the
    row's text (``Check-in``), or ``Question [row]`` where the row's text
    alone would repeat; the full text is the label.
Google Forms
    ``Timestamp`` first (or its translation); grid questions as
    ``Question [Row]``: a grid's columns are named by their row (when unique),
    with ``Question [Row]`` kept as the label.
Typeform
    ``#`` first and ``Submit Date (UTC)``.
LimeSurvey
    ``id``, ``submitdate``, ``lastpage`` and codes such as ``Q1[SQ001]`` (or
    the full headings ``Response ID``, ``Date submitted``, ``Last page``);
    incomplete responses (no submit date) are dropped with a counted warning.

The question texts are metadata, not data: they are kept in
``df.attrs["labels"]`` (``{column: text}``) and shown by
:func:`column_labels`.  Rows dropped leave gaps in the index, so errors name
the file's own rows.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ._common import warn_user
from .answers import LABELS, VALUE_LABELS
from .columns import ROW_OFFSET

__all__ = ["recognise", "column_labels", "EXPORT"]

#: ``DataFrame.attrs`` key naming the survey tool whose export was recognised.
EXPORT = "journeylib.export"

_BLANK = re.compile(r"Unnamed: \d+")
_GRID = re.compile(r"(?P<question>.*\S)\s*\[(?P<row>[^\[\]]+)\]\s*")
_GOOGLE_TIMESTAMP = ("timestamp", "tijdstempel", "zeitstempel", "horodateur", "marca temporal",
                     "carimbo de data/hora", "informazioni cronologiche")
_MONKEY_PLAIN = ("", "response", "open-ended response")


def _text(value):
    """A cell as stripped text; '' for empty."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    return str(value).strip()


def _header_text(name):
    return "" if _BLANK.fullmatch(str(name)) else str(name).strip()


def _drop_top(df, k):
    """`df` without its first `k` rows (header rows below the header): the offset grows by k."""
    out = df.iloc[k:].copy()
    if pd.api.types.is_integer_dtype(out.index.dtype):
        out.index = out.index - k
    out.attrs = dict(df.attrs)
    out.attrs[ROW_OFFSET] = df.attrs.get(ROW_OFFSET, 0) + k
    return out


def _unique(names):
    """Names made unique by appending (2), (3)... to repeats."""
    seen, out = {}, []
    for name in names:
        n = seen.get(name, 0) + 1
        seen[name] = n
        out.append(name if n == 1 else f"{name} ({n})")
    return out


def _tell(tool, source, n, dropped):
    """One warning counting the responses dropped, by reason."""
    total = sum(dropped.values())
    if not total:
        return
    reasons = ", ".join(f"{k} {why}" for why, k in dropped.items() if k)
    warn_user(f"{tool} export {source}: dropped {total} of {n} responses: {reasons}. The others "
              "are read; the question texts are kept as labels (journeylib.io.column_labels).")


# --- the tools ------------------------------------------------------------------------------------

def _qualtrics(df, source):
    cols = set(df.columns)
    if not ({"StartDate", "EndDate"} <= cols and cols & {"ResponseId", "ResponseID", "Status"}):
        return None
    if not len(df) or _text(df["StartDate"].iat[0]).lower() not in ("start date", "startdate"):
        return None
    k = 2 if len(df) > 1 and _text(df["StartDate"].iat[1]).startswith('{"ImportId"') else 1
    labels = {c: _text(df[c].iat[0]) for c in df.columns if _text(df[c].iat[0])}
    out = _drop_top(df, k)
    out.attrs[LABELS] = labels
    n = len(out)

    def low(column):
        return (out[column].map(_text).str.lower() if column in out.columns
                else pd.Series("", index=out.index))

    unfinished = low("Finished").isin(("false", "0", "0.0")).to_numpy()
    status, channel = low("Status"), low("DistributionChannel")
    preview = (status.str.contains("preview") | status.isin(("1", "1.0", "17", "17.0"))
               | (channel == "preview")).to_numpy() & ~unfinished
    test = (status.str.contains("test") | status.isin(("2", "2.0"))
            | (channel == "test")).to_numpy() & ~unfinished & ~preview
    out = out.loc[~(unfinished | preview | test)]
    _tell("Qualtrics", source, n, {"not finished (Finished = False)": int(unfinished.sum()),
                                   "survey previews": int(preview.sum()),
                                   "survey tests": int(test.sum())})
    return out


def _surveymonkey(df, source):
    if not {"Respondent ID", "Collector ID"} <= set(df.columns) or not len(df):
        return None
    subs = [_text(v) for v in df.iloc[0]]
    questions, question = [], ""
    for name in df.columns:
        question = _header_text(name) or question  # a blank header continues the question
        questions.append(question)
    plain = [s.lower() in _MONKEY_PLAIN for s in subs]
    short = [q if p else s for q, s, p in zip(questions, subs, plain, strict=True)]
    long = [q if p else f"{q} [{s}]" for q, s, p in zip(questions, subs, plain, strict=True)]
    counts = pd.Series(short).value_counts()
    names = _unique([s if counts[s] == 1 else lng for s, lng in zip(short, long, strict=True)])
    out = _drop_top(df, 1)
    out.columns = names
    out.attrs[LABELS] = {n: lng for n, lng in zip(names, long, strict=True) if lng}
    return out


def _grid(df):
    """Grid columns ``Question [Row]`` renamed to their row (when unique); the labels."""
    matches = {c: _GRID.fullmatch(str(c)) for c in df.columns}
    per_question = pd.Series([m.group("question") for m in matches.values() if m]).value_counts()
    rows = [m.group("row").strip() if m and per_question[m.group("question")] > 1 else None
            for m in matches.values()]
    taken = pd.Series([r if r is not None else str(c) for c, r in zip(df.columns, rows,
                                                                      strict=True)]).value_counts()
    names = [r if r is not None and taken[r] == 1 else c
             for c, r in zip(df.columns, rows, strict=True)]
    out = df.copy()
    out.columns = names
    out.attrs = dict(df.attrs)
    out.attrs[LABELS] = {n: str(c) for n, c in zip(names, df.columns, strict=True)}
    return out


def _google(df, source):
    if not len(df.columns) or _header_text(df.columns[0]).lower() not in _GOOGLE_TIMESTAMP:
        return None
    return _grid(df)


def _typeform(df, source):
    if not len(df.columns) or str(df.columns[0]) != "#" or "Submit Date (UTC)" not in df.columns:
        return None
    out = df.copy()
    out.attrs = dict(df.attrs)
    out.attrs[LABELS] = {c: str(c) for c in df.columns}
    return out


def _limesurvey(df, source):
    cols = set(df.columns)
    if {"id", "submitdate", "lastpage"} <= cols:
        submitted = "submitdate"
        out = df.copy()
        out.attrs = dict(df.attrs)
    elif {"Response ID", "Date submitted", "Last page"} <= cols:
        submitted = "Date submitted"
        out = _grid(df)
    else:
        return None
    incomplete = (out[submitted].map(_text) == "").to_numpy()
    n = len(out)
    out = out.loc[~incomplete]
    _tell("LimeSurvey", source, n, {"incomplete (no submit date)": int(incomplete.sum())})
    return out


_TOOLS = (("qualtrics", _qualtrics), ("surveymonkey", _surveymonkey),
          ("limesurvey", _limesurvey), ("typeform", _typeform), ("google_forms", _google))


def recognise(df, source):
    """`df` as read from a survey tool's export, when it is one; else `df` unchanged.

    Parameters
    ----------
    df : pandas.DataFrame
        A table as a reader read it: header from the file's first row, cells
        not yet turned into numbers.
    source : str or path-like
        The file, for warnings.

    Returns
    -------
    pandas.DataFrame
        With the export's own header rows turned into names and labels,
        and the responses that are not answers dropped; ``attrs`` name the
        tool (:data:`EXPORT`), the labels and the rows of the file.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"Timestamp": ["2026/03/01 10:00"], "Trip [Check-in]": ["4"],
    ...                     "Trip [Boarding]": ["5"], "Overall": ["8"]})
    >>> out = recognise(raw, "form.csv")
    >>> list(out.columns), out.attrs["journeylib.export"]
    (['Timestamp', 'Check-in', 'Boarding', 'Overall'], 'google_forms')
    >>> out.attrs["labels"]["Check-in"]
    'Trip [Check-in]'
    """
    for tool, read in _TOOLS:
        out = read(df, source)
        if out is not None:
            out.attrs[EXPORT] = tool
            return out
    return df


def column_labels(df):
    """The labels a reader kept: one row per column, its question text and value labels.

    Survey exports (Qualtrics, SurveyMonkey, Google Forms, Typeform,
    LimeSurvey) and SPSS files carry the question behind each column, and
    SPSS files what each code means; :func:`journeylib.read_table` keeps
    them in ``df.attrs`` and this shows them.

    Parameters
    ----------
    df : pandas.DataFrame
        A table from :func:`journeylib.read_table`.

    Returns
    -------
    pandas.DataFrame
        ``column``, ``label`` (the question text; empty when the file gives
        none) and ``values`` (value labels as ``"1 = no; 2 = yes"``; empty
        when none), one row per column of `df`, in its order.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"Q1": [1, 2]})
    >>> df.attrs["labels"] = {"Q1": "How was the flight?"}
    >>> df.attrs["value_labels"] = {"Q1": {1: "bad", 2: "good"}}
    >>> column_labels(df)
      column                label             values
    0     Q1  How was the flight?  1 = bad; 2 = good
    """
    labels = df.attrs.get(LABELS, {})
    values = df.attrs.get(VALUE_LABELS, {})

    def code(value):
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)

    rows = [{"column": c, "label": labels.get(c, ""),
             "values": "; ".join(f"{code(k)} = {v}" for k, v in values.get(c, {}).items())}
            for c in df.columns]
    return pd.DataFrame(rows, columns=["column", "label", "values"])
