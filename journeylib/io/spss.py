"""SPSS data files (``.sav``, ``.zsav``) through pyreadstat, with their labels kept.

Qualtrics, SurveyMonkey and LimeSurvey all offer an SPSS export.  Its answers
are numeric codes; what they mean travels in the file as *value labels*
(``1 = "very dissatisfied"`` ... ``5 = "very satisfied"``), and each
question's text as a *variable label*.  The codes become the numbers of the
table (what an analysis needs); the texts stay available as metadata:

- ``df.attrs["labels"]``: ``{column: question text}``;
- ``df.attrs["value_labels"]``: ``{column: {code: label}}``, which
  :func:`journeylib.from_wide` uses so that ``rating_map`` may name the labels
  (``{"satisfied": 1, "neutral or dissatisfied": 0}``) and a yes/no column
  coded 1/2 is read on the ``binary`` scale without a map.

:func:`journeylib.io.column_labels` shows both as a table.  User-defined
missing values (SPSS "missing values", such as 99 = "no answer") are missing
(NaN).  Rows are the case numbers SPSS shows in its Data View (the first case
is row 1).
"""

from __future__ import annotations

import pandas as pd

from ..schema import _short
from ._common import file_error, first_bytes, not_a
from .answers import LABELS, VALUE_LABELS
from .columns import ROW_OFFSET, check_header
from .sniff import describe

__all__ = ["SPSS_SUFFIXES", "read_sav"]

SPSS_SUFFIXES = (".sav", ".zsav")


def _check_bytes(path):
    head = first_bytes(path, "an SPSS data file")
    if head.startswith((b"$FL2", b"$FL3")):
        return
    raise not_a(path, describe(path, head), "an SPSS data file (.sav)")


def read_sav(path) -> pd.DataFrame:
    """An SPSS data file as a DataFrame of codes, with its labels in ``attrs``.

    Raises
    ------
    JourneyDataError
        When the file is not an SPSS data file (naming what it is) or is damaged.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import pandas as pd, pyreadstat
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "survey.sav"
    >>> pyreadstat.write_sav(pd.DataFrame({"seat": [4.0, 2.0], "happy": [1.0, 0.0]}), path,
    ...                      column_labels={"seat": "Seat comfort", "happy": "Satisfied?"},
    ...                      variable_value_labels={"happy": {1: "yes", 0: "no"}})
    >>> df = read_sav(path)
    >>> df["happy"].tolist(), df.attrs["labels"]["seat"], df.attrs["value_labels"]["happy"][1.0]
    ([1.0, 0.0], 'Seat comfort', 'yes')
    """
    import pyreadstat

    _check_bytes(path)
    try:
        df, meta = pyreadstat.read_sav(str(path), user_missing=False)
    except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError, UnicodeError, OSError) as err:
        raise file_error(path, "the SPSS file cannot be read (it is damaged or cut off): "
                               f"{_short(str(err), 120)}") from None
    check_header(list(df.columns), path)
    labels = {c: t for c, t in zip(meta.column_names, meta.column_labels or [], strict=False)
              if t}
    value_labels = {c: dict(v) for c, v in (meta.variable_value_labels or {}).items() if v}
    df.attrs[LABELS] = labels
    df.attrs[VALUE_LABELS] = value_labels
    df.attrs[ROW_OFFSET] = -1  # case 1 is the first data row: no header row in SPSS's Data View
    return df
