"""CSV and other delimited text: separator, encoding, Excel's ``sep=`` line."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

CSV_SUFFIXES = (".csv", ".txt", ".tsv")


def _sniff_separator(head: str) -> str:
    """The field separator of a CSV from its first non-empty line (quoted text ignored)."""
    line = next((ln for ln in head.splitlines() if ln.strip()), "")
    line = re.sub(r'"[^"]*"', "", line)
    counts = {sep: line.count(sep) for sep in (";", ",", "\t", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _read_csv(path: Path):
    """Read a CSV the way a spreadsheet would: returns (frame, separator, encoding)."""
    with open(path, "rb") as fh:
        head = fh.read(65536)
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        encodings = ["utf-16"]  # Excel's "Unicode text" export (tab separated)
    else:
        encodings = ["utf-8-sig", "cp1252"]
    text = head.decode(encodings[0], errors="replace").lstrip("\ufeff")
    first = text.split("\n", 1)[0].strip()
    hint = re.fullmatch(r"sep=(.)", first)  # Excel's separator line, e.g. "sep=;"
    sep = hint.group(1) if hint else _sniff_separator(text)
    options = dict(
        sep=sep,
        decimal="," if sep == ";" else ".",
        dtype={"journey_id": str},
        skip_blank_lines=False,
        skiprows=1 if hint else None,
    )
    try:
        df = pd.read_csv(path, encoding=encodings[0], **options)
        encoding = encodings[0]
    except UnicodeDecodeError:
        if len(encodings) == 1:
            raise
        # Not UTF-8: what Windows Excel writes in western Europe.
        df = pd.read_csv(path, encoding="cp1252", encoding_errors="replace", **options)
        encoding = "cp1252"
    return df, sep, encoding
