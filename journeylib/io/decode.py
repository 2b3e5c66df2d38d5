"""Bytes to text for every reader: byte-order marks, UTF-8 byte by byte, code pages, UTF-16.

The rules, in order (:func:`decode`):

0. A known binary format (a PNG, a zip, a Parquet file...) is refused by name.
1. With ``encoding=`` given, that encoding and only that one is used; a byte
   sequence it cannot decode is an error naming the line and the bytes.
2. A byte-order mark decides: UTF-8, UTF-16 or UTF-32.
3. NUL bytes: a file with a NUL at every other byte is UTF-16 without a
   byte-order mark; it is read as such with a warning that shows the
   ``encoding=`` to pass.  Other NUL bytes mean the file is not text: refused.
4. Valid UTF-8 is UTF-8.
5. A file with no valid UTF-8 beyond ASCII is a legacy export: read as
   Windows-1252 (what Excel writes in western Europe), as a whole.  When the
   result holds characters typical of text in another code page (``£ódŸ`` for
   the Polish ``Łódź``, runs such as ``Ïðèâåò``, bytes Windows-1252 does not
   define), a warning names the line, shows what other code pages would make
   of it and the ``encoding=`` call to use.  Nothing is guessed silently.
6. A UTF-8 file with a few stray bytes (a value pasted from an old system)
   keeps its UTF-8 text; only the bytes that are not UTF-8 are read as
   Windows-1252, and a warning names each line and its bytes.
"""

from __future__ import annotations

import codecs
import re
import threading

import numpy as np

from ..schema import _short
from ._common import file_error, warn_user
from .sniff import file_kind

__all__ = ["decode", "check_encoding", "FALLBACK"]

#: The code page of files that are not UTF-8, unless ``encoding=`` says otherwise.
FALLBACK = "cp1252"
_FALLBACK_NAME = "Windows-1252"
#: Code pages whose reading of a suspicious word is shown in the warning (never applied).
_ALTERNATIVES = (("cp1250", "Central European"), ("cp1251", "Cyrillic"), ("cp1253", "Greek"),
                 ("cp1254", "Turkish"), ("cp1257", "Baltic"))
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
# what a wrong code page leaves in Windows-1252 text: a symbol between two letters
# ("mo¿e" for "może"), a lower-case letter followed by a non-ASCII capital ("£ódŸ"),
# three or more accented letters in a row ("Ïðèâåò"), or a byte it does not define
_SYMBOLS = "¢£¤¥¦§¨¬®¯±²³´¶·¸¹¼½¾¿×÷ƒ†‡‰‹›ˆ˜"
_ODD = re.compile(
    rf"(?<=[^\W\d_])[{_SYMBOLS}]+(?=[^\W\d_])"
    r"|(?<=[a-zà-ÿ])[À-ÞŠŒŽŸ]"
    r"|[À-ÖØ-öø-ÿ]{3,}"
    r"|\ufffd"
)

# the same marks found on the bytes (one byte is one character in Windows-1252), vectorised:
# the regular expression above takes seconds on a large file, these tables milliseconds
_LETTER, _LOWER, _HIUPPER, _HILETTER, _SYMBOL, _UNDEFINED = 1, 2, 4, 8, 16, 32


def _byte_classes() -> np.ndarray:
    table = np.zeros(256, dtype=np.uint8)
    for b in range(256):
        ch = bytes([b]).decode(FALLBACK, errors="replace")
        table[b] = ((_LETTER if ch.isalpha() else 0) | (_LOWER if ch.islower() else 0)
                    | (_HIUPPER if b >= 0x80 and ch.isupper() else 0)
                    | (_HILETTER if "\u00c0" <= ch <= "\u00ff" and ch not in "\u00d7\u00f7" else 0)
                    | (_SYMBOL if ch in _SYMBOLS else 0) | (_UNDEFINED if ch == "\ufffd" else 0))
    return table


_CLASSES = _byte_classes()
_CHUNK = 1 << 24  # bytes per vectorised step (bounded memory on large files)


def _chunks(raw: bytes, overlap: int):
    """(offset, uint8 array) windows over `raw`, each starting `overlap` bytes early."""
    arr = np.frombuffer(raw, dtype=np.uint8)
    for lo in range(0, len(arr), _CHUNK):
        start = max(lo - overlap, 0)
        yield start, arr[start:lo + _CHUNK]


def _has_utf8(raw: bytes) -> bool:
    """True when `raw` holds a well-formed UTF-8 sequence beyond ASCII anywhere."""
    for _, a in _chunks(raw, 3):
        cont = (a & 0xC0) == 0x80
        if ((((a >= 0xC2) & (a <= 0xDF))[:-1] & cont[1:]).any()
                or (((a >= 0xE0) & (a <= 0xEF))[:-2] & cont[1:-1] & cont[2:]).any()
                or (((a >= 0xF0) & (a <= 0xF4))[:-3] & cont[1:-2] & cont[2:-1] & cont[3:]).any()):
            return True
    return False


def _first_odd(raw: bytes) -> int | None:
    """Offset of the first byte whose Windows-1252 reading looks like another code page."""
    for start, a in _chunks(raw, 2):
        c = _CLASSES[a]
        odd = (c & _UNDEFINED) != 0
        letter, lower = (c & _LETTER) != 0, (c & _LOWER) != 0
        odd[1:-1] |= letter[:-2] & ((c[1:-1] & _SYMBOL) != 0) & letter[2:]
        odd[1:] |= lower[:-1] & ((c[1:] & _HIUPPER) != 0)
        high = (c & _HILETTER) != 0
        odd[:-2] |= high[:-2] & high[1:-1] & high[2:]
        hits = np.flatnonzero(odd)
        if len(hits):
            return start + int(hits[0])
    return None


# a UTF-8 file's stray bytes, decoded one by one as Windows-1252 by a codec error handler
_STRAYS = threading.local()


def _stray_handler(err: UnicodeDecodeError):
    bad = err.object[err.start:err.end]
    found = getattr(_STRAYS, "found", None)
    if found is not None:
        found.append((err.start, bytes(bad)))
    return bytes(bad).decode(FALLBACK, errors="replace"), err.end


codecs.register_error("journeylib.stray-cp1252", _stray_handler)


def check_encoding(encoding):
    """The codec name for `encoding` (None stays None); ValueError for an unknown one."""
    if encoding is None:
        return None
    if not isinstance(encoding, str):
        raise TypeError(f"`encoding` must be a str such as 'cp1250', not {type(encoding).__name__}.")
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise ValueError(
            f"Unknown encoding {encoding!r}. Examples: 'utf-8', 'cp1252' (western Europe), "
            "'cp1250' (central Europe), 'cp1251' (Cyrillic), 'utf-16-le'.") from None


def _line_of(raw: bytes, offset: int, encoding: str) -> int:
    """1-based line number of byte `offset` in `raw`, written in `encoding`."""
    if encoding.startswith(("utf-16", "utf-32")):
        return raw[:offset].decode(encoding, errors="replace").count("\n") + 1
    return raw.count(b"\n", 0, offset) + 1


def _strict(raw: bytes, encoding: str, source, how: str, advice: str | None = None) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as err:
        line = _line_of(raw, err.start, encoding)
        advice = advice or ("pass the file's encoding, e.g. encoding='cp1252' for a Windows "
                            "export, or fix the bytes")
        raise file_error(source, f"bytes that are not valid {encoding.removesuffix('-sig')} text "
                                 f"({how}); {advice}",
                         line=line, value=raw[err.start:err.end]) from None


def _utf16_order(raw: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when NUL bytes sit at every other byte (UTF-16 without BOM)."""
    sample = raw[:4096]
    n = len(sample) // 2
    if n < 2:
        return None
    even, odd = sample[0:2 * n:2], sample[1:2 * n:2]
    zero_even, zero_odd = even.count(0) / n, odd.count(0) / n
    if zero_odd >= 0.4 and zero_even <= 0.02:
        return "utf-16-le"
    if zero_even >= 0.4 and zero_odd <= 0.02:
        return "utf-16-be"
    return None


def _nul_bytes(raw: bytes, source, what: str) -> str:
    """Text of a file holding NUL bytes: UTF-16 without BOM, or an error."""
    order = _utf16_order(raw)
    if order is not None:
        text = _strict(raw, order, source, f"the {what} looks like {order.upper()} without a "
                                           "byte-order mark: a NUL byte at every other byte")
        warn_user(f"{source or 'The ' + what} has no byte-order mark but a NUL byte at every "
                  f"other byte: read as UTF-16 ({order}). Pass encoding={order!r} to say so and "
                  "silence this warning.")
        return text
    at = raw.index(b"\x00")
    raise file_error(
        source, f"a NUL byte (b'\\x00'): this is not a text {what}, or it is text in UTF-16 or "
        "UTF-32 that cannot be recognised; pass encoding='utf-16-le' (or the right one) if so",
        line=raw.count(b"\n", 0, at) + 1)


def _lines_with(raw: bytes, offsets) -> list[int]:
    """1-based line numbers of byte `offsets` (sorted), counted incrementally."""
    out, line, last = [], 1, 0
    for off in offsets:
        line += raw.count(b"\n", last, off)
        last = off
        out.append(line)
    return out


def _mixed(raw: bytes, source, what: str) -> str:
    """UTF-8 with stray bytes: only the bytes that are not UTF-8 are read as Windows-1252."""
    _STRAYS.found = stray = []
    try:
        text = raw.decode("utf-8", errors="journeylib.stray-cp1252")
    finally:
        _STRAYS.found = None
    lines = _lines_with(raw, [start for start, _ in stray])
    shown = []
    for (start, bad), line in list(zip(stray, lines, strict=True))[:5]:
        lo = raw.rfind(b"\n", 0, start) + 1
        hi = raw.find(b"\n", start)
        line_text = raw[lo:len(raw) if hi < 0 else hi].decode("utf-8", "journeylib.stray-cp1252")
        at = len(raw[lo:start].decode("utf-8", "journeylib.stray-cp1252"))
        piece = bad.decode(FALLBACK, errors="replace")
        near = line_text[max(at - 20, 0):at + len(piece) + 20]
        shown.append(f"line {line}: {bad!r} read as {piece!r} in {_short(near, 60)}")
    n_lines = len(set(lines))
    more = f"; and {n_lines - 5} more lines" if n_lines > 5 else ""
    warn_user(f"{source or 'The ' + what} is UTF-8 except for {len(stray)} byte sequence"
              f"{'s' if len(stray) != 1 else ''} on {n_lines} line{'s' if n_lines != 1 else ''}, "
              f"read as {_FALLBACK_NAME} there: {'; '.join(shown)}{more}. Check these values; "
              "pass encoding='utf-8' to refuse such bytes, or the file's code page (e.g. "
              "encoding='cp1252') if it is not UTF-8.")
    return text


def _apart(ch: str) -> bool:
    """True for what separates words in a table: spaces, field separators, quotes."""
    return ch.isspace() or ch in ",;|\"'"


def _suspicious(raw: bytes, text: str, source, what: str) -> None:
    """Warn when Windows-1252 text looks like another code page read wrongly.

    `text` is ``raw`` decoded as Windows-1252 with errors replaced: one character
    per byte, so a character offset is a byte offset.
    """
    at = _first_odd(raw)
    if at is None:
        return
    line = raw.count(b"\n", 0, at) + 1
    w0 = at
    while w0 > 0 and not _apart(text[w0 - 1]):
        w0 -= 1
    w1 = at + 1
    while w1 < len(text) and not _apart(text[w1]):
        w1 += 1
    word, data = text[w0:w1], raw[w0:w1]
    readings = [f"{codec} ({name}) reads {_short(data.decode(codec, errors='replace'), 40)}"
                for codec, name in _ALTERNATIVES
                if not _ODD.search(data.decode(codec, errors="replace"))]
    hint = f" Read as {'; as '.join(readings[:3])}." if readings else ""
    found = (" holds bytes Windows-1252 does not define (shown as U+FFFD) in "
             if text[at] == "\ufffd" else " holds ") + _short(word, 40)
    warn_user(f"{source or 'The ' + what} is not UTF-8 and was read as {_FALLBACK_NAME}, but line "
              f"{line}{found}, which is unusual in {_FALLBACK_NAME} text: the file may be in "
              f"another code page.{hint} Pass the right one, e.g. encoding='cp1250'.")


def decode(raw: bytes, *, encoding=None, source=None, what: str = "file") -> str:
    """Decode the bytes of a text file, refusing or warning where a reading would be a guess.

    Parameters
    ----------
    raw : bytes
        The whole file.
    encoding : str, optional
        The file's encoding, used as the only one; by default the rules of
        the module documentation decide.
    source : str, optional
        File name for messages.
    what : str
        What the bytes are (``"file"``, ``"diary"``), for messages.

    Returns
    -------
    str
        The text, without a byte-order mark.

    Raises
    ------
    JourneyDataError
        For bytes the given encoding cannot decode, NUL bytes in a file that
        is not UTF-16, or a UTF-16 byte-order mark followed by invalid data;
        the message names the line and shows the bytes.

    Warns
    -----
    UserWarning
        For UTF-16 without a byte-order mark, stray non-UTF-8 bytes in a UTF-8
        file (naming line and bytes), and Windows-1252 text that looks like
        another code page.

    Examples
    --------
    >>> decode("café;4\\n".encode("utf-8"))
    'café;4\\n'
    >>> decode(b"caf\\xe9;4\\n")  # a Windows export: Windows-1252
    'café;4\\n'
    >>> decode("Łódź".encode("cp1250"), encoding="cp1250")
    'Łódź'
    """
    encoding = check_encoding(encoding)
    kind = file_kind(raw[:512])
    if kind is not None:
        raise file_error(source, f"this is {kind}, not a text {what}")
    if encoding is not None:
        if encoding == "utf-8":
            encoding = "utf-8-sig"
        text = _strict(raw, encoding, source, f"read as encoding={encoding!r}")
        return text.removeprefix("\ufeff")
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            return _strict(raw, codec, source, "after its byte-order mark",
                           "the file is damaged here (cut off, or edited as another "
                           "encoding)").removeprefix("\ufeff")
    if b"\x00" in raw:
        return _nul_bytes(raw, source, what)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if not _has_utf8(raw):  # nothing but ASCII and legacy bytes: a legacy file
        text = raw.decode(FALLBACK, errors="replace")
        _suspicious(raw, text, source, what)
        return text
    return _mixed(raw, source, what)
