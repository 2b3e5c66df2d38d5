"""Readers: tidy journey files (CSV, Parquet, Excel) and wide survey tables.

:func:`read_journeys` reads a file already in the tidy contract (one row per
touchpoint moment, see :mod:`journeylib.schema`) and validates it, naming the
file in every error.  :func:`from_wide` turns the commonest real survey export,
one row per respondent and one column per touchpoint, into that contract.

CSV files written by Dutch (and most continental) Excel use ``;`` between fields
and ``,`` as the decimal mark; both that and the comma/point convention are
read without options.  See :func:`read_journeys` for the exact rules.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..schema import validate
from .columns import _DAY_FIRST, _drop_trailing_empty_rows, _is_text, _normalise, _strip_header
from .csv import CSV_SUFFIXES, _read_csv
from .excel import EXCEL_SUFFIXES, _read_excel
from .parquet import PARQUET_SUFFIXES, _read_parquet
from .wide import from_wide

__all__ = ["read_journeys", "read_table", "from_wide", "CSV_SUFFIXES", "PARQUET_SUFFIXES", "EXCEL_SUFFIXES"]


def read_table(path, *, sheet=None):
    """Read a table as it is, without the journey contract: CSV, Parquet or Excel.

    The same conventions as :func:`read_journeys` (separator, decimal comma,
    encoding, ids, trailing empty rows, day-first dates in a ``timestamp``
    column of a ``;`` file), but no validation: use it for wide survey files
    before :func:`from_wide`.

    Parameters
    ----------
    path : str or path-like
        A ``.csv``/``.txt``/``.tsv``, ``.parquet``/``.pq`` or ``.xlsx``/``.xlsm`` file.
    sheet : str or int, optional
        Excel only: the sheet (name or 0-based position); the first by default.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    FileNotFoundError
        When `path` does not exist.
    ValueError
        For an extension journeylib does not read (the message lists those it
        does), an unknown sheet, or `sheet` given for a file that is not a workbook.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "survey.csv"
    >>> _ = p.write_text("resp;web;overall\\nr1;4;7,5\\nr2;2;6\\n", encoding="utf-8")
    >>> read_table(p)
      resp  web  overall
    0   r1    4      7.5
    1   r2    2      6.0
    """
    path = Path(path)
    suffix = path.suffix.lower()
    known = CSV_SUFFIXES + PARQUET_SUFFIXES + EXCEL_SUFFIXES
    if not path.exists():
        raise FileNotFoundError(f"No such file: {str(path)!r}.")
    if path.is_dir():
        raise ValueError(f"{str(path)!r} is a folder, not a data file.")
    if suffix not in known:
        extra = " (save it as .xlsx; the old .xls format is not read)" if suffix == ".xls" else ""
        raise ValueError(
            f"Cannot read {str(path)!r}: unknown file type {suffix or '(none)'!r}{extra}. "
            f"journeylib reads {', '.join(known)}."
        )
    if sheet is not None and suffix not in EXCEL_SUFFIXES:
        raise ValueError(f"`sheet` applies to Excel workbooks only, not to {str(path)!r}.")

    if suffix in CSV_SUFFIXES:
        df, sep, _ = _read_csv(path)
        df = _normalise(_drop_trailing_empty_rows(_strip_header(df)), decimal_comma=sep != ",")
        if sep != "," and "timestamp" in df.columns and _is_text(df["timestamp"]):
            # continental exports write dates day first (22-11-2026 or 22/11/2026 14:05)
            stamps = df["timestamp"].dropna().astype("str").str.strip()
            if len(stamps) and stamps.str.match(_DAY_FIRST).all():
                ts = pd.to_datetime(df["timestamp"], errors="coerce", dayfirst=True)
                if not (ts.isna() & df["timestamp"].notna()).any():
                    df["timestamp"] = ts
        return df
    if suffix in PARQUET_SUFFIXES:
        return _strip_header(_read_parquet(path))
    df = _read_excel(path, sheet)
    return _normalise(_drop_trailing_empty_rows(_strip_header(df)), decimal_comma=True)


def read_journeys(path, *, sheet=None):
    """Read a tidy journey file (CSV, Parquet or Excel) and validate it.

    Parameters
    ----------
    path : str or path-like
        A ``.csv``/``.txt``/``.tsv``, ``.parquet``/``.pq`` or ``.xlsx``/``.xlsm``
        file with the columns of the tidy contract (see :mod:`journeylib.schema`).
    sheet : str or int, optional
        Excel only: the sheet to read (name or 0-based position); the first
        sheet by default.

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
        does) or `sheet` given for a file that is not a workbook.
    JourneyDataError
        When the content breaks the contract; the message names the file, and
        the row numbers are the file's line numbers (header = row 1).

    Notes
    -----
    CSV rules:

    - the separator is taken from the header line: ``;``, ``,``, tab or ``|``;
    - a first line ``sep=;`` (which Excel writes and reads) sets the separator;
    - text is UTF-8, with or without a byte-order mark; a file that is not valid
      UTF-8 is read as Windows-1252 (what Windows Excel writes in western Europe);
      a UTF-16 byte-order mark (Excel's "Unicode text") is honoured;
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
    return validate(read_table(path, sheet=sheet), source=path)

