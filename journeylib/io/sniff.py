"""What a file really is, from its first bytes, whatever its name says.

A PNG renamed ``.xlsx``, a Parquet file saved as ``.csv`` or a web page
downloaded as ``survey.csv`` must get a message that says so, not a decoding
or parsing error from deep inside pandas.  The readers call :func:`file_kind`
on the first bytes before they parse.
"""

from __future__ import annotations

import zipfile

# (signature at offset 0, what it is); longer signatures first where they share a prefix
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a zip archive"),
    (b"PK\x05\x06", "an empty zip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
     "an old-style Office file (an .xls workbook, or a password-protected .xlsx)"),
    (b"PAR1", "a Parquet file"),
    (b"ARROW1", "an Arrow (Feather) file"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"BZh", "a bzip2-compressed file"),
    (b"\xfd7zXZ\x00", "an xz-compressed file"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"$FL2", "an SPSS data file (.sav)"),
    (b"$FL3", "an SPSS data file (.zsav)"),
    (b"{\\rtf", "an RTF document"),
)

#: What a zip archive holds, by a member only that kind of file has.
_ZIP_MEMBERS: tuple[tuple[str, str], ...] = (
    ("xl/workbook.xml", "an Excel workbook"),
    ("xl/workbook.bin", "an Excel binary workbook (.xlsb)"),
    ("word/document.xml", "a Word document"),
    ("ppt/presentation.xml", "a PowerPoint presentation"),
    ("content.xml", "an OpenDocument file (.ods/.odt)"),
)


def file_kind(head: bytes) -> str | None:
    """What the first bytes of a file say it is, when it is a known binary format.

    Parameters
    ----------
    head : bytes
        The first bytes of the file (a few hundred are plenty).

    Returns
    -------
    str or None
        A phrase such as ``"a PNG image"``, or None for anything else
        (including text).

    Examples
    --------
    >>> file_kind(b"\\x89PNG\\r\\n\\x1a\\n\\x00\\x00")
    'a PNG image'
    >>> file_kind(b"journey_id,step\\n") is None
    True
    """
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    return None


def html_kind(text_head: str) -> str | None:
    """``"an HTML page"`` when decoded text starts like one (a download that went wrong)."""
    start = text_head.lstrip("\ufeff \t\r\n")[:200].lower()
    if start.startswith(("<!doctype html", "<html", "<?xml")):
        return "an XML document" if start.startswith("<?xml") and "<html" not in start else (
            "an HTML page (a web page, perhaps a login or error page saved under this name)")
    return None


def zip_kind(path) -> str:
    """What a zip archive at `path` holds: ``"an Excel workbook"``, ..., or a plain zip.

    Never raises: a damaged archive is described as such.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return "a damaged zip archive (perhaps a download or copy that was cut off)"
    for member, kind in _ZIP_MEMBERS:
        if member in names:
            return kind
    shown = ", ".join(sorted(names)[:3]) or "nothing"
    return f"a zip archive (holding {shown}{', ...' if len(names) > 3 else ''})"


def describe(path, head: bytes) -> str | None:
    """:func:`file_kind`, with a zip archive looked into (an Excel workbook, a plain zip...)."""
    kind = file_kind(head)
    if kind is not None and head.startswith(b"PK"):
        return zip_kind(path)
    return kind
