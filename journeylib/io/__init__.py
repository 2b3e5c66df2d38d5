"""Readers: tidy journey files (CSV, Parquet, Excel) and wide survey tables.

:func:`read_journeys` reads a file already in the tidy contract (one row per
touchpoint moment, see :mod:`journeylib.schema`) and validates it, naming the
file in every error.  :func:`from_wide` turns the commonest real survey export,
one row per respondent and one column per touchpoint, into that contract.

CSV files written by Dutch (and most continental) Excel use ``;`` between fields
and ``,`` as the decimal mark; both that and the comma/point convention are
read without options.  See :func:`read_journeys` for the exact rules.

One file per job: :mod:`~journeylib.io.sniff` (what a file really is),
:mod:`~journeylib.io.decode` (bytes to text), :mod:`~journeylib.io.csv`,
:mod:`~journeylib.io.excel`, :mod:`~journeylib.io.parquet` (one reader per
format), :mod:`~journeylib.io.columns` (clean-up shared by the readers) and
:mod:`~journeylib.io.wide` (:func:`from_wide`).  A new format is a new file
whose reader is added to ``_READERS`` below.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..schema import validate
from .columns import (
    ROW_OFFSET,
    _drop_trailing_empty_rows,
    _is_text,
    _normalise,
    _strip_header,
    read_timestamps,
)
from .csv import CSV_SUFFIXES, read_csv
from .decode import check_encoding
from .excel import EXCEL_SUFFIXES, read_excel
from .parquet import PARQUET_SUFFIXES, read_parquet
from .wide import from_wide

__all__ = ["read_journeys", "read_table", "from_wide", "CSV_SUFFIXES", "PARQUET_SUFFIXES",
           "EXCEL_SUFFIXES"]


def _csv(path, *, sheet, encoding):
    df, sep = read_csv(path, encoding=encoding)
    df = _normalise(_drop_trailing_empty_rows(_strip_header(df)), decimal_comma=sep != ",")
    return df, sep == ";"


def _excel(path, *, sheet, encoding):
    df = read_excel(path, sheet)
    return _normalise(_drop_trailing_empty_rows(df), decimal_comma=True), False


def _parquet(path, *, sheet, encoding):
    return _strip_header(read_parquet(path)), False


# suffix -> (reader, takes `sheet`, takes `encoding`); a reader returns (frame, continental),
# continental meaning day-first dates are the file's convention (a ';' CSV)
_READERS = {
    **{s: (_csv, False, True) for s in CSV_SUFFIXES},
    **{s: (_excel, True, False) for s in EXCEL_SUFFIXES},
    **{s: (_parquet, False, False) for s in PARQUET_SUFFIXES},
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


def read_table(path, *, sheet=None, encoding=None, dayfirst=None):
    """Read a table as it is, without the journey contract: CSV, Parquet or Excel.

    The same conventions as :func:`read_journeys` (separator, decimal comma,
    encoding, missing tokens, ids, trailing empty rows, dates in a
    ``timestamp`` column), but no validation: use it for wide survey files
    before :func:`from_wide`.

    Parameters
    ----------
    path : str or path-like
        A ``.csv``/``.txt``/``.tsv``, ``.parquet``/``.pq`` or ``.xlsx``/``.xlsm`` file.
    sheet : str or int, optional
        Excel only: the sheet (name or 0-based position); the first by default.
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

    Raises
    ------
    FileNotFoundError
        When `path` does not exist.
    ValueError
        For an extension journeylib does not read (the message lists those it
        does), an unknown encoding, or `sheet`/`encoding` given for a file
        they do not apply to.
    JourneyDataError
        When the file is not what its name says (a PNG or a zip renamed), is
        empty, has bytes its encoding cannot decode, repeats a column name
        (spaces ignored), has a row with more fields than the header or an
        unclosed quote, a nested Parquet column, an unknown sheet, or an
        Excel formula without a saved result.  The message names the file
        and, where known, the line, sheet and cell.

    Warns
    -----
    UserWarning
        For decoding that needed a fallback (see :mod:`journeylib.io.decode`)
        and dates that fit both day-first and month-first readings.

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
    """
    path, suffix = _check_path(path)
    reader, takes_sheet, takes_encoding = _READERS[suffix]
    if sheet is not None and not takes_sheet:
        raise ValueError(f"`sheet` applies to Excel workbooks only, not to {str(path)!r}.")
    if encoding is not None:
        check_encoding(encoding)
        if not takes_encoding:
            raise ValueError(f"`encoding` applies to text files (CSV) only, not to {str(path)!r}.")
    if dayfirst is not None and not isinstance(dayfirst, bool):
        raise ValueError(f"The value for `dayfirst` must be one of (None, True, False), but "
                         f"{dayfirst!r} was passed.")
    df, continental = reader(path, sheet=sheet, encoding=encoding)
    if "timestamp" in df.columns and _is_text(df["timestamp"]):
        df["timestamp"] = read_timestamps(df["timestamp"], dayfirst=dayfirst,
                                          continental=continental)
    return df


def read_journeys(path, *, sheet=None, encoding=None, dayfirst=None):
    """Read a tidy journey file (CSV, Parquet or Excel) and validate it.

    Parameters
    ----------
    path : str or path-like
        A ``.csv``/``.txt``/``.tsv``, ``.parquet``/``.pq`` or ``.xlsx``/``.xlsm``
        file with the columns of the tidy contract (see :mod:`journeylib.schema`).
    sheet : str or int, optional
        Excel only: the sheet to read (name or 0-based position); the first
        sheet by default.
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
        row numbers are the file's line numbers (header = row 1).

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
    table = read_table(path, sheet=sheet, encoding=encoding, dayfirst=dayfirst)
    return validate(table, source=path, dayfirst=dayfirst,
                    row_offset=table.attrs.get(ROW_OFFSET, 0))

