"""Answers as survey tools write them: label maps, yes/no words, value labels, the file's rows.

:func:`journeylib.from_wide` reads each answer column through this module
before it checks the numbers:

- a *label map* (``rating_map={"satisfied": 1, "neutral or dissatisfied": 0}``)
  turns the answer texts of a column into numbers; a value the map does not
  know is an error naming its row and value;
- on the ``binary`` scale, yes/no, ja/nee, true/false, y/n (any case) are read
  as 1/0 without a map;
- value labels kept by a reader (SPSS ``.sav``: ``{1: "satisfied", ...}`` in
  ``df.attrs["value_labels"]``) let a map name the labels instead of the codes,
  and serve as the yes/no words of a binary column coded 1/2.

Row numbers: a reader records in ``df.attrs`` how many rows of the file lie
above the first data row (:data:`journeylib.io.columns.ROW_OFFSET`); rows it
dropped on purpose (a survey preview) leave gaps in the index, so that
:func:`file_rows` still names each remaining row as the file shows it.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import pandas as pd

from ..schema import FALSE_TOKENS, NA_TOKENS, TRUE_TOKENS
from .columns import ROW_OFFSET

__all__ = ["LABELS", "VALUE_LABELS", "check_map", "map_answers", "yes_no", "file_rows"]

#: ``DataFrame.attrs`` key: ``{column: question text}`` as the survey tool wrote it.
LABELS = "labels"
#: ``DataFrame.attrs`` key: ``{column: {code: label}}``, the value labels of coded answers (SPSS).
VALUE_LABELS = "value_labels"

_YES = frozenset(TRUE_TOKENS)
_NO = frozenset(FALSE_TOKENS)


def _key(value):
    """A cell as a map key: text stripped and case-folded; 1.0 and "1" are the same key."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value)).casefold()
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isfinite(number) and number == int(number):
            return str(int(number))
        return repr(number)
    text = str(value).strip().casefold()
    try:
        number = float(text)
    except ValueError:
        return text
    return _key(number) if math.isfinite(number) else text


def check_map(mapping, argument):
    """A label map as ``{key: number}`` with normalised keys; ValueError naming `argument`.

    Examples
    --------
    >>> check_map({"Satisfied ": 1, "neutral or dissatisfied": 0}, "rating_map")
    {'satisfied': 1.0, 'neutral or dissatisfied': 0.0}
    """
    if mapping is None:
        return None
    if not isinstance(mapping, dict) or not mapping:
        raise ValueError(f"`{argument}` must be a dict {{answer text: number}}, such as "
                         f"{{'satisfied': 1, 'neutral or dissatisfied': 0}}, not {mapping!r}.")
    out = {}
    for key, value in mapping.items():
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or \
                not math.isfinite(float(value)):
            raise ValueError(f"`{argument}` maps {key!r} to {value!r}; every answer must map to "
                             "a number.")
        k = _key(key)
        if k in out and out[k] != float(value):
            raise ValueError(f"`{argument}` maps {key!r} twice (case and spaces ignored) to "
                             "different numbers.")
        out[k] = float(value)
    return out


def _missing(col):
    """Cells that are empty or a missing token (``n/a``, ``NA``...)."""
    text = col.astype("str").str.strip().str.lower()
    return col.isna().to_numpy() | text.isin(NA_TOKENS).to_numpy()


def _labelled(col, labels):
    """`col` with each code that has a value label replaced by its label."""
    if not labels:
        return col
    keyed = {_key(code): label for code, label in labels.items()}
    as_key = col.map(lambda v: keyed.get(_key(v)) if pd.notna(v) else None)
    return col.astype(object).where(as_key.isna(), as_key)


def map_answers(col, mapping, argument, *, value_labels=None, skip=None):
    """Numbers for the answers of one column through a label map.

    Parameters
    ----------
    col : pandas.Series
        The answers as read (text, numbers or codes with `value_labels`).
    mapping : dict
        From :func:`check_map`.
    argument : str
        The argument's name, for the message (``"rating_map"``).
    value_labels : dict, optional
        ``{code: label}`` of the column: a code is looked up by its label when
        the map names the label, else by the code itself.
    skip : numpy.ndarray of bool, optional
        Cells already known to be missing (a missing code).

    Returns
    -------
    values : numpy.ndarray
        float64, NaN where missing.
    unknown : numpy.ndarray of bool
        Cells holding a value the map does not name.

    Examples
    --------
    >>> m = check_map({"satisfied": 1, "neutral or dissatisfied": 0}, "rating_map")
    >>> import pandas as pd
    >>> v, unknown = map_answers(pd.Series(["Satisfied", "n/a", "happy"]), m, "rating_map")
    >>> v.tolist(), unknown.tolist()
    ([1.0, nan, nan], [False, False, True])
    """
    n = len(col)
    absent = _missing(col) | (np.zeros(n, dtype=bool) if skip is None else skip)
    labelled = _labelled(col, value_labels)
    values = np.full(n, np.nan)
    unknown = np.zeros(n, dtype=bool)
    for pos in np.flatnonzero(~absent):
        for candidate in (labelled.iat[pos], col.iat[pos]):
            number = mapping.get(_key(candidate))
            if number is not None:
                values[pos] = number
                break
        else:
            unknown[pos] = True
    return values, unknown


def unknown_message(argument, mapping):
    """What a value missing from a label map is told."""
    known = ", ".join(repr(k) for k in list(mapping)[:8]) + (", ..." if len(mapping) > 8 else "")
    return (f"not an answer `{argument}` names (it maps {known}, case and spaces ignored); "
            "add it to the map or code it as missing")


def yes_no(col, value_labels=None, where=None):
    """`col` with yes/no, ja/nee, true/false, y/n (any case) as 1.0/0.0, for a ``binary`` column.

    Numbers and other text are left as they are (checked later); codes whose
    value label is such a word (SPSS ``{1: "Yes", 2: "No"}``) are read
    through the label.  `where` limits the change to some rows (a rating
    scale per respondent).

    Examples
    --------
    >>> import pandas as pd
    >>> yes_no(pd.Series(["Yes", "nee", 1, None, "maybe"])).tolist()
    [1.0, 0.0, 1, None, 'maybe']
    """
    labels = {}
    if value_labels:
        words = {_key(code): _key(label) for code, label in value_labels.items()}
        if all(w in _YES or w in _NO for w in words.values()):
            labels = words

    def word(v):
        if v is None or isinstance(v, (bool, np.bool_)) or (isinstance(v, float) and np.isnan(v)):
            return v
        k = _key(v)
        if isinstance(v, str) and k in _YES | _NO:
            return 1.0 if k in _YES else 0.0
        if k in labels:
            return 1.0 if labels[k] in _YES else 0.0
        return v

    if not (pd.api.types.is_object_dtype(col.dtype) or pd.api.types.is_string_dtype(col.dtype)
            or labels):
        return col
    out = col.astype(object).map(word)
    if where is not None:
        out = col.astype(object).where(~np.asarray(where, dtype=bool), out)
    return out


def file_rows(df):
    """The row number the file shows for each row of `df` (header = row 1).

    A table from :func:`journeylib.read_table` knows how many rows lie above
    its first data row (``df.attrs["journeylib.row_offset"]``), and rows a
    reader dropped on purpose leave gaps in its index, so row ``i`` of the
    index is file row ``i + 2 + offset``; any other table is numbered by
    position, header = row 1.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [1, 2]}, index=[0, 3])
    >>> file_rows(df).tolist()
    [2, 3]
    >>> df.attrs["journeylib.row_offset"] = 2
    >>> file_rows(df).tolist()
    [4, 7]
    """
    offset = df.attrs.get(ROW_OFFSET)
    if offset is None:
        return np.arange(2, len(df) + 2, dtype="int64")
    if pd.api.types.is_integer_dtype(df.index.dtype) and df.index.is_unique:
        return df.index.to_numpy(dtype="int64") + 2 + int(offset)
    return np.arange(2, len(df) + 2, dtype="int64") + int(offset)


def renumber(problems, rows):
    """Problems counted by position (row = position + 2) renamed to the file's rows `rows`."""
    out = []
    for p in problems:
        p = dict(p)
        r = p.get("row")
        if isinstance(r, (int, np.integer)) and 2 <= r < len(rows) + 2:
            p["row"] = int(rows[r - 2])
        out.append(p)
    return out

