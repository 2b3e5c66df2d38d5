"""Readers: tidy journey files (CSV, Parquet, Excel) and wide survey tables.

:func:`read_journeys` reads a file already in the tidy contract (one row per
touchpoint moment, see :mod:`journeylib.schema`) and validates it, naming the
file in every error.  :func:`from_wide` turns the commonest real survey export,
one row per respondent and one column per touchpoint, into that contract.

CSV files written by Dutch (and most continental) Excel use ``;`` between fields
and ``,`` as the decimal mark; both that and the comma/point convention are
read without options.  See :func:`read_journeys` for the exact rules.

Survey tools' exports (Qualtrics, SurveyMonkey, Google Forms, Typeform,
LimeSurvey, SPSS ``.sav``) are recognised by their own marks and read without
options, their question texts kept as labels (:func:`column_labels`); a title
above the header is found and named, and ``header=``/``skiprows=`` read such
a file.

One file per job: :mod:`~journeylib.io.sniff` (what a file really is),
:mod:`~journeylib.io.decode` (bytes to text), :mod:`~journeylib.io.csv`,
:mod:`~journeylib.io.excel`, :mod:`~journeylib.io.parquet`,
:mod:`~journeylib.io.spss` (one reader per format),
:mod:`~journeylib.io.layout` (where the table starts),
:mod:`~journeylib.io.exports` (survey tools' layouts),
:mod:`~journeylib.io.columns` (clean-up shared by the readers),
:mod:`~journeylib.io.answers` (label maps, yes/no, the file's rows),
:mod:`~journeylib.io.guess` (a wide file read as tidy) and
:mod:`~journeylib.io.wide` (:func:`from_wide`).  A new format is a new file
whose reader is added to ``_READERS`` below.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from ..schema import JourneyDataError, validate
from ._common import file_error
from .answers import file_rows, renumber
from .columns import (
    _drop_trailing_empty_rows,
    _integer_ids,
    _is_text,
    _normalise,
    _strip_header,
    read_timestamps,
)
from .csv import CSV_SUFFIXES, read_csv
from .decode import check_encoding
from .excel import EXCEL_SUFFIXES, read_excel
from .exports import column_labels, recognise
from .guess import wide_hint
from .layout import check_layout
from .parquet import PARQUET_SUFFIXES, read_parquet
from .spss import SPSS_SUFFIXES, read_sav
from .wide import from_wide

__all__ = ["read_journeys", "read_table", "from_wide", "column_labels", "CSV_SUFFIXES",
           "PARQUET_SUFFIXES", "EXCEL_SUFFIXES", "SPSS_SUFFIXES"]

# respondent ids of the exports: whole numbers become integers, as journey_id does
_ID_COLUMNS = ("Respondent ID", "Collector ID", "id", "#")


def _finish(df, path, *, layout, decimal_comma):
    """A table as read: an export recognised (when no layout was given), then numbers."""
    if layout == (None, ()):
        df = recognise(df, path)
    df = _drop_trailing_empty_rows(df)
    for column in _ID_COLUMNS:  # before _normalise, which would make them floats
        if column not in df.columns or not df[column].notna().all():
            continue
        col = df[column]
        if _is_text(col):
            ids = _integer_ids(col.astype("str"))
            if ids is not None:
                df[column] = ids
        elif pd.api.types.is_float_dtype(col.dtype):  # read as floats above a blank header cell
            values = col.to_numpy(dtype="float64")
            if (np.isfinite(values) & (values == np.round(values)) & (abs(values) < 2**53)).all():
                df[column] = values.astype("int64")
    return _normalise(df, decimal_comma=decimal_comma)


def _csv(path, *, sheet, encoding, layout):
    df, sep = read_csv(path, encoding=encoding, header=layout[0], skip=layout[1])
    return _finish(_strip_header(df), path, layout=layout, decimal_comma=sep != ","), sep == ";"


def _excel(path, *, sheet, encoding, layout):
    df = read_excel(path, sheet, header=layout[0], skip=layout[1])
    return _finish(df, path, layout=layout, decimal_comma=True), False


def _parquet(path, *, sheet, encoding, layout):
    return _strip_header(read_parquet(path)), False


def _spss(path, *, sheet, encoding, layout):
    return read_sav(path), False


# suffix -> (reader, takes `sheet`, takes `encoding`, takes `header`/`skiprows`); a reader
# returns (frame, continental), continental meaning day-first dates are the file's convention
# (a ';' CSV)
_READERS = {
    **{s: (_csv, False, True, True) for s in CSV_SUFFIXES},
    **{s: (_excel, True, False, True) for s in EXCEL_SUFFIXES},
    **{s: (_parquet, False, False, False) for s in PARQUET_SUFFIXES},
    **{s: (_spss, False, False, False) for s in SPSS_SUFFIXES},
}


def _check_path(path):
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"`path` must be a file name (str or path-like), not {type(path).__name__}.")
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        exists, folder, regular = path.exists(), path.is_dir(), path.is_file()
    except (OSError, ValueError):  # a name too long, or with a NUL: not a file name
        raise FileNotFoundError(f"No such file: {str(path)[:80]!r}.") from None
    if not exists:
        raise FileNotFoundError(f"No such file: {str(path)!r}.")
    if folder:
        raise ValueError(f"{str(path)!r} is a folder, not a data file.")
    if not regular:  # reading a named pipe or a device would wait for ever
        raise ValueError(f"{str(path)!r} is not a regular file (a pipe or a device); save the "
                         "data to a file first.")
    if suffix not in _READERS:
        extra = " (save it as .xlsx; the old .xls format is not read)" if suffix == ".xls" else ""
        raise ValueError(
            f"Cannot read {str(path)!r}: unknown file type {suffix or '(none)'!r}{extra}. "
            f"journeylib reads {', '.join(_READERS)}."
        )
    return path, suffix


def read_table(path, *, sheet=None, header=None, skiprows=None, encoding=None, dayfirst=None):
    """Read a table as it is, without the journey contract: CSV, Excel, SPSS or Parquet.

    The same conventions as :func:`read_journeys` (separator, decimal comma,
    encoding, missing tokens, ids, trailing empty rows, dates in a
    ``timestamp`` column), but no validation: use it for wide survey files
    before :func:`from_wide`.

    Survey tools' exports are recognised by their own marks and read as they
    are meant (see :mod:`journeylib.io.exports`): Qualtrics (three header
    rows; unfinished responses and previews dropped with a counted warning),
    SurveyMonkey (two header rows combined into one name per column), Google
    Forms (grid columns named by their row), Typeform, LimeSurvey (incomplete
    responses dropped, counted) and SPSS ``.sav`` (codes, with their value
    labels).  Question texts are kept as labels in ``df.attrs["labels"]``;
    :func:`column_labels` shows them as a table.

    Parameters
    ----------
    path : str or path-like
        A ``.csv``/``.txt``/``.tsv``, ``.xlsx``/``.xlsm``, ``.sav``/``.zsav`` or
        ``.parquet``/``.pq`` file.
    sheet : str or int, optional
        Excel only: the sheet (name or 0-based position); the first by default.
    header : int, optional
        CSV and Excel: the row holding the column names, **0-based as in
        pandas** (``header=2`` is the third row, row 3 in a spreadsheet; on
        the command line ``--header 3`` takes the spreadsheet's row number).
        By default the first row (Excel: the first non-empty row); a title
        above the header is then refused with a message naming the row where
        the header seems to be.  Rows above the header are ignored.
    skiprows : int or list of int, optional
        CSV and Excel: rows to leave out, as in pandas: a number of rows at
        the top, or a list of 0-based row positions (``[1, 2]`` leaves out
        rows 2 and 3 of a spreadsheet, say two rows of question text under the
        header).  `header` counts the rows left.  Giving `header` or
        `skiprows` turns off the recognition of survey exports.
    encoding : str, optional
        Text files only: the file's encoding (``"cp1250"``, ``"utf-16-le"``...),
        used as the only one.  By default UTF-8, with the rules of
        :mod:`journeylib.io.decode` for files that are not.
    dayfirst : bool, optional
        How to read dates such as ``03/04/2026`` in a ``timestamp`` column.  By
        default decided from the data (a first number above 12 means day
        first); when every date fits both readings, a ``;``-separated file is
        read day first and any other file month first, with a warning that
        says so.  ISO dates (``2026-04-03``) are never ambiguous.

    Returns
    -------
    pandas.DataFrame
        The table.  Its ``attrs`` say which row of the file each row is
        (rows above the header, rows dropped), so that :func:`from_wide` and
        :func:`read_journeys` name the file's own rows in errors; rows
        dropped from an export leave gaps in the index.

    Raises
    ------
    FileNotFoundError
        When `path` does not exist.
    ValueError
        For an extension journeylib does not read (the message lists those it
        does), an unknown encoding, or `sheet`/`encoding`/`header`/`skiprows`
        given for a file they do not apply to or malformed.
    JourneyDataError
        When the file is not what its name says (a PNG or a zip renamed), is
        empty, starts with a title above the header, has bytes its encoding
        cannot decode, repeats a column name (spaces ignored), has a row with
        more fields than the header or an unclosed quote, a nested Parquet
        column, an unknown sheet, or an Excel formula without a saved result.
        The message names the file and, where known, the line, sheet and cell.

    Warns
    -----
    UserWarning
        For decoding that needed a fallback (see :mod:`journeylib.io.decode`),
        dates that fit both day-first and month-first readings, and responses
        of an export dropped (counted by reason).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "survey.csv"
    >>> _ = p.write_text("resp;web;overall\\nr1;4;7,5\\nr2;n/a;6\\n", encoding="utf-8")
    >>> read_table(p)
      resp  web  overall
    0   r1  4.0      7.5
    1   r2  NaN      6.0
    >>> _ = p.write_bytes("resp;plaats\\nr1;Łódź\\n".encode("cp1250"))
    >>> read_table(p, encoding="cp1250")["plaats"].tolist()
    ['Łódź']

    A title above the header is named, and `header` reads the table under it:

    >>> _ = p.write_text("Customer survey 2026\\n\\nresp,web,overall\\nr1,4,8\\n", encoding="utf-8")
    >>> read_table(p)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    journeylib.schema.JourneyDataError: 1 problem found in ...survey.csv:
      - row 1 looks like a title, not a header; the header seems to be on row 3 (as a spreadsheet numbers rows): read it with read_table(path, header=2) (pandas' 0-based count) or, on the command line, --header 3 (the row number)
    >>> read_table(p, header=2)
      resp  web  overall
    0   r1    4        8
    """
    path, suffix = _check_path(path)
    reader, takes_sheet, takes_encoding, takes_layout = _READERS[suffix]
    if sheet is not None and not takes_sheet:
        raise ValueError(f"`sheet` applies to Excel workbooks only, not to {str(path)!r}.")
    if encoding is not None:
        check_encoding(encoding)
        if not takes_encoding:
            raise ValueError(f"`encoding` applies to text files (CSV) only, not to {str(path)!r}.")
    if dayfirst is not None and not isinstance(dayfirst, bool):
        raise ValueError(f"The value for `dayfirst` must be one of (None, True, False), but "
                         f"{dayfirst!r} was passed.")
    layout = check_layout(header, skiprows)
    if layout != (None, ()) and not takes_layout:
        raise ValueError(f"`header` and `skiprows` apply to CSV and Excel files only, not to "
                         f"{str(path)!r}, whose column names are part of the format.")
    df, continental = reader(path, sheet=sheet, encoding=encoding, layout=layout)
    if "timestamp" in df.columns and _is_text(df["timestamp"]):
        df["timestamp"] = read_timestamps(df["timestamp"], dayfirst=dayfirst,
                                          continental=continental)
    return df


def read_journeys(path, *, sheet=None, header=None, skiprows=None, encoding=None, dayfirst=None):
    """Read a tidy journey file (CSV, Excel or Parquet) and validate it.

    Parameters
    ----------
    path : str or path-like
        A ``.csv``/``.txt``/``.tsv``, ``.parquet``/``.pq`` or ``.xlsx``/``.xlsm``
        file with the columns of the tidy contract (see :mod:`journeylib.schema`).
    sheet : str or int, optional
        Excel only: the sheet to read (name or 0-based position); the first
        sheet by default.
    header, skiprows : optional
        CSV and Excel: where the table starts, 0-based as in pandas (see
        :func:`read_table`).
    encoding : str, optional
        Text files only: the file's encoding, used as the only one (see
        :func:`read_table`).
    dayfirst : bool, optional
        How to read dates such as ``03/04/2026`` (see :func:`read_table`).

    Returns
    -------
    pandas.DataFrame
        Validated tidy data (see :func:`journeylib.schema.validate`).

    Raises
    ------
    FileNotFoundError
        When `path` does not exist.
    ValueError
        For an extension journeylib does not read (the message lists those it
        does) or `sheet`/`encoding` given for a file they do not apply to.
    JourneyDataError
        When the file cannot be read as a table (see :func:`read_table`) or
        the content breaks the contract; the message names the file, and the
        row numbers are the file's own (header = row 1 when it is the first).
        A wide file (one row per respondent, a column per touchpoint) is told
        so, with the :func:`from_wide` call and the command line that read it.

    Notes
    -----
    CSV rules:

    - the separator is taken from the header line: ``;``, ``,``, tab or ``|``;
    - a first line ``sep=;`` (which Excel writes and reads) sets the separator;
    - text is UTF-8, with or without a byte-order mark; a file with no UTF-8 at
      all is read as Windows-1252 (what Windows Excel writes in western
      Europe), with a warning when it looks like another code page; in a UTF-8
      file with a few stray bytes only those bytes are read as Windows-1252,
      with a warning naming their lines; ``encoding=`` overrides all this; a
      UTF-16 byte-order mark (Excel's "Unicode text") is honoured, and UTF-16
      without one is recognised by its NUL bytes (with a warning);
    - empty cells, and in number columns the tokens of
      :data:`journeylib.schema.NA_TOKENS` (``n/a``, ``NA``, ``null``...; any
      case), are missing; spreadsheet errors such as ``#N/A`` are kept as
      text, so validation reports them;
    - in files separated by ``;`` or tabs (or in Excel cells holding text), a
      column whose values include a decimal comma (``7,5``) is read the Dutch
      way: ``,`` is the decimal mark and ``.`` the thousands separator
      (``1.234,5`` is 1234.5); a column without any decimal comma keeps ``.``
      as the decimal mark, so ``3.5`` stays 3.5.  In comma-separated files a
      comma is never a decimal mark;
    - names and free text (``touchpoint``, ``channel``, ``actor``, ``text``,
      ``note``, scale names...) are never turned into numbers; ``journey_id``
      becomes integer only when every id is a plain whole number, so ids such as
      ``007`` or ``A-12`` stay text;
    - fully empty lines at the end are ignored; an empty line inside the data is
      kept, so validation points at it with the line number of the file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "nl.csv").write_text(
    ...     "journey_id;step;touchpoint;score;score_scale;rating;rating_scale\\n"
    ...     "1;1;webshop;7,5;percent;6;stars10\\n"
    ...     "1;2;telefoon;2,5;percent;6;stars10\\n", encoding="utf-8")
    >>> read_journeys(folder / "nl.csv")[["touchpoint", "score", "rating"]]
      touchpoint  score  rating
    0    webshop    7.5     6.0
    1   telefoon    2.5     6.0
    """
    table = read_table(path, sheet=sheet, header=header, skiprows=skiprows, encoding=encoding,
                       dayfirst=dayfirst)
    hint = wide_hint(table, path)
    if hint is not None:
        raise file_error(path, hint)
    try:
        return validate(table, source=path, dayfirst=dayfirst)
    except JourneyDataError as err:  # positions -> the file's own rows
        raise JourneyDataError(renumber(err.problems, file_rows(table)), source=err.source,
                               total=err.total) from None
