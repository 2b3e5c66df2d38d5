"""CSV and other delimited text: separator, encoding, Excel's ``sep=`` line, broken rows.

A clean UTF-8 file goes straight to pandas' C parser (the fast path).  Anything
else is decoded first (:func:`journeylib.io.decode.decode`) and parsed from
memory.  A file that is not text, or rows that do not fit the header, get a
:class:`~journeylib.schema.JourneyDataError` naming the line, never a pandas
``ParserError``.
"""

from __future__ import annotations

import csv
import io
import mmap
import re
import warnings
from pathlib import Path

import pandas as pd

from ..schema import MESSAGES, JourneyDataError, _short
from ._common import file_error
from .columns import ROW_OFFSET, check_header
from .decode import check_encoding, decode
from .layout import data_rows, offset_and_index, plan, title_message, title_rows
from .sniff import describe, html_kind

__all__ = ["CSV_SUFFIXES", "read_csv"]

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
_HEAD = 65536
_RENAME = {"an Excel workbook": " (rename it .xlsx)", "a Parquet file": " (rename it .parquet)"}


def _sniff_separator(head: str) -> str:
    """The field separator of a CSV from its first line holding one (quoted text ignored).

    Lines without any separator above it (a title such as ``Customer survey``)
    are passed over, so that the title can be reported as such.
    """
    for line in head.splitlines():
        line = re.sub(r'"[^"]*"', "", line)
        if not line.strip():
            continue
        counts = {sep: line.count(sep) for sep in (";", ",", "\t", "|")}
        best = max(counts, key=counts.get)
        if counts[best]:
            return best
    return ","


def _head_records(text: str, sep: str, skip: int, limit: int) -> list[list[str]]:
    """The first `limit` records after `skip` lines, read with the csv module (quotes understood)."""
    out = []
    for record in _records(text, sep, skip, strict=False):
        if record[0] == "error" or len(out) >= limit:
            break
        out.append(record[1])
    return out


def _has_nul(path: Path) -> bool:
    """True when the file holds a NUL byte anywhere (memchr speed through mmap)."""
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as m:
        return m.find(b"\x00") >= 0


def _records(text: str, sep: str, skip: int, *, strict: bool):
    """(first line, fields) of each record after `skip` lines, read with the csv module.

    With ``strict=True`` a record that cannot be read ends the iteration with
    ``("error", first line of that record, message)``.
    """
    lines = io.StringIO(text)
    for _ in range(skip):
        lines.readline()
    reader = csv.reader(lines, delimiter=sep, strict=strict)
    start = skip + 1
    try:
        for fields in reader:
            yield start, fields
            start = skip + reader.line_num + 1
    except csv.Error as err:
        yield "error", start, str(err)


def _unclosed_quote(text: str, sep: str, skip: int) -> int | None:
    """Line where a quoted value opens and is never closed, or None."""
    for record in _records(text, sep, skip, strict=True):
        if record[0] == "error":
            return record[1] if "end of data" in record[2] else None
    return None


def explain(text: str, sep: str, skip: int, path, parser_says: str = "") -> JourneyDataError | None:
    """Why pandas could not parse `text`: rows with more fields than the header, or a quote
    that is never closed (read again with the csv module; only called after a failure)."""
    problems, total, width, row = [], 0, None, 0
    for record in _records(text, sep, skip, strict=False):
        if record[0] == "error":  # e.g. a value beyond the csv module's field size limit
            total += 1
            problems.append({"line": record[1], "message": (
                f"the file cannot be read as a table separated by {sep!r} "
                f"({_short(parser_says.strip(), 120)}); this line holds a value too long to "
                f"check further ({_short(record[2], 60)})")})
            break
        start, fields = record
        row += 1
        if width is None:
            width = len(fields)
        elif len(fields) > width:
            total += 1
            if len(problems) < 20:
                problems.append({
                    "line": start, "value": sep.join(fields),
                    "message": f"row {row} has {len(fields)} fields, the header has {width}; "
                               f"a value holding {sep!r} must be in double quotes"})
    line = _unclosed_quote(text, sep, skip)
    if line is not None:
        total += 1
        problems.append({
            "line": line, "value": text.split("\n")[line - 1],
            "message": f"a quoted value opens on this line and is never closed (a {chr(34)} is "
                       "missing, or a quote inside a value is not doubled)"})
    if not problems:
        return None
    return JourneyDataError(problems, source=path, total=total)


def _parse(source, options, encoding=None):
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.ParserWarning)  # a row longer than the header
        warnings.simplefilter("ignore", pd.errors.DtypeWarning)  # mixed chunks: normalised later
        return pd.read_csv(source, encoding=encoding, **options)


def _parse_text(text: str, options, sep: str, skip: int, path):
    """Parse decoded text; a parser failure becomes a JourneyDataError saying why."""
    try:
        return _parse(io.StringIO(text), options)
    except pd.errors.EmptyDataError:
        raise file_error(path, f"there is no header and no data: {MESSAGES['empty']}") from None
    except (pd.errors.ParserError, pd.errors.ParserWarning, csv.Error) as err:
        found = explain(text, sep, skip, path, str(err))
        if found is not None:
            raise found from None
        raise file_error(path, f"the file cannot be read as a table separated by {sep!r}: "
                               f"{_short(str(err).strip(), 160)}") from None


def read_csv(path: Path, *, encoding=None, header=None, skip=()):
    """Read a CSV the way a spreadsheet would: returns (frame, separator).

    `header` (0-based row, pandas' count) and `skip` (0-based rows, from
    :func:`journeylib.io.layout.check_layout`) say where the table is; without
    them the first row is the header, and a title above it is refused.  The
    frame's ``attrs`` and index say which row of the file each row is (see
    :func:`journeylib.io.answers.file_rows`).

    Raises
    ------
    JourneyDataError
        For an empty file, a file that is not text (naming what it is), bytes
        the encoding cannot decode, a title above the header (naming the row
        where the header seems to be), repeated header names, a row with more
        fields than the header or a quote that is never closed.
    """
    codec = check_encoding(encoding)
    with open(path, "rb") as fh:
        head = fh.read(_HEAD)
    if not head:
        raise file_error(path, f"the file is empty (0 bytes): {MESSAGES['empty']}")
    kind = describe(path, head)
    if kind is not None:
        raise file_error(path, f"this is {kind}, not a text (CSV) file{_RENAME.get(kind, '')}")
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
    text = None
    if codec in (None, "utf-8") and not utf16 and not _has_nul(path):
        head_text = head.decode("utf-8", errors="replace").removeprefix("\ufeff")
    else:
        text = decode(path.read_bytes(), encoding=codec, source=str(path))
        head_text = text[:_HEAD]
    html = html_kind(head_text)
    if html is not None:
        raise file_error(path, f"this is {html}, not a CSV table", line=1)
    if not head_text.strip():
        raise file_error(path, f"the file holds no text, only blank lines: {MESSAGES['empty']}")

    first = head_text.split("\n", 1)[0].strip()
    hint = re.fullmatch(r"sep=(.)", first)  # Excel's separator line, e.g. "sep=;"
    sep = hint.group(1) if hint else _sniff_separator(head_text)
    hint_lines = 1 if hint else 0
    if header is None and not skip:
        title = title_rows(_head_records(head_text, sep, hint_lines, 30))
        if title is not None:
            raise file_error(path, title_message(*title))
    header_row, below = plan(header, tuple(skip))
    records = _head_records(head_text, sep, hint_lines, header_row + 1)
    if header is not None and len(records) <= header_row:
        raise file_error(path, f"there is no row {header_row + 1} to read the header from: the "
                               f"file has {len(records)} rows")
    check_header(records[header_row] if len(records) > header_row else [], path,
                 line=header_row + 1 + hint_lines)
    skiprows = [*range(hint_lines), *(hint_lines + r for r in range(header_row)),
                *(hint_lines + r for r in below)]
    options = dict(
        sep=sep,
        decimal="," if sep == ";" else ".",
        dtype={"journey_id": str},
        skip_blank_lines=False,
        skiprows=sorted(set(skiprows)) or None,
        keep_default_na=False,  # only empty cells are missing here; the number columns
        na_values=[""],         # read journeylib.schema.NA_TOKENS (see columns._numbers)
        index_col=False,        # a first row longer than the header is an error, not an index
    )
    df = None
    if text is None:  # the fast path: clean UTF-8 straight into pandas' C parser
        try:
            df = _parse(path, options, encoding="utf-8-sig")
        except UnicodeDecodeError:  # a stray byte beyond the first 64 kB
            pass
        except (pd.errors.ParserError, pd.errors.ParserWarning, pd.errors.EmptyDataError):
            pass
        if df is None:
            text = decode(path.read_bytes(), encoding=codec, source=str(path))
    if df is None:
        df = _parse_text(text, options, sep, hint_lines + header_row, path)
    offset, index = offset_and_index(data_rows(header_row, below, len(df)))
    if offset or (len(index) and index[-1] != len(df) - 1):
        df.index = index
    df.attrs[ROW_OFFSET] = offset
    return df, sep
