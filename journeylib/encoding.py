"""Repair of broken text encoding (mojibake), including emoji that lost a byte.

Two kinds of damage are repaired, segment by segment, so that text that is
already correct (curly quotes, emoji, accents) is left alone:

* **cp874 mojibake**, the damage in seed 001: UTF-8 bytes read through a Thai
  Windows code page and saved again.  Bytes 0x80-0x9F show as Windows-1252
  characters and 0xA0-0xFF as Thai (TIS-620) characters, so 😃 (F0 9F 98 83)
  reads ``"๐Ÿ˜ƒ"`` and é (C3 A9) reads ``"รฉ"``.  Bytes Windows-1252 does not
  define (0x81, 0x8D, 0x8F, 0x90, 0x9D) were dropped, so 🙁 (F0 9F 99 81)
  became ``"๐Ÿ™"``.
* **cp1252 mojibake**, the classic kind (``"ðŸ˜ƒ"``, ``"Ã©"``), which ftfy
  repairs well; journeylib calls it with quote uncurling switched off (ftfy
  would otherwise turn the ``"‚"`` inside a broken 🙂 into ``"'"``).  Emoji in
  this form (including truncated ones) are decoded here first, because ftfy
  reads a space after a truncated emoji as a lost no-break space.

A truncated character is resolved by the canonical survey faces
(:data:`journeylib.scales.CANONICAL_FACES`): when exactly one of the
characters the lost byte could have made is a canonical face, that face is
taken.  A variation selector (U+FE0F) or zero-width joiner right after an
emoji, or a lone possible character, is also taken.  Anything else becomes
U+FFFD (the replacement character) and is reported as ambiguous.

Limitation: Thai script is taken to be cp874 mojibake, so genuine Thai text
would be damaged; journeylib's diaries are Dutch or English.
"""

from __future__ import annotations

import re
import warnings

import ftfy
import pandas as pd

from .scales import CANONICAL_FACES

__all__ = ["repair_text", "corrupt_text", "DROPPED_BYTES", "REPLACEMENT"]

#: Bytes that Windows-1252 does not define; a round trip through it loses them.
DROPPED_BYTES: tuple[int, ...] = (0x81, 0x8D, 0x8F, 0x90, 0x9D)
#: What an unrecoverable character becomes.
REPLACEMENT = "\ufffd"

_FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_encoding=True,
    replace_lossy_sequences=False,  # no U+FFFD for "â€?": a lost byte is resolved here or left
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,  # curly quotes in correct text must stay
    fix_line_breaks=False,
    fix_surrogates=True,
    remove_control_chars=False,
    normalization=None,
    explain=False,
)


def _byte_table(high: str) -> dict[int, str]:
    """byte -> character for 0x80-0xFF: Windows-1252 below 0xA0, `high` codec above."""
    table = {}
    for b in range(0x80, 0x100):
        try:
            table[b] = bytes([b]).decode("cp1252" if b < 0xA0 else high)
        except UnicodeDecodeError:
            continue
    return table


_CP874 = _byte_table("cp874")  # the hybrid of seed 001: cp1252 + TIS-620 (Thai)
_CP1252 = _byte_table("latin-1")  # classic mojibake: cp1252 + Latin-1
# reverse maps; a C1 control character stands for its byte (a "sloppy" decoder keeps them)
_REV874 = {c: b for b, c in _CP874.items()} | {chr(b): b for b in DROPPED_BYTES}
_REV1252 = {c: b for b, c in _CP1252.items()} | {chr(b): b for b in DROPPED_BYTES}

_RUN874 = re.compile("[" + re.escape("".join(_REV874)) + "]+")
_RUN1252 = re.compile("[" + re.escape("".join(_REV1252)) + "]{2,}")
# a Latin-1 lead byte followed by a continuation byte: the mark of classic mojibake (ftfy's cue)
_SIGN1252 = re.compile("[\u00c2-\u00f4][" + re.escape(
    "".join(c for c, b in _REV1252.items() if 0x80 <= b <= 0xBF)) + "]")
_CAUTIOUS_PREFIXES = {b"\xf0\x9f", b"\xe2\x80", b"\xef\xb8"}


def corrupt_text(text: str, *, codepage: str = "cp874") -> str:
    """Break `text` the way seed 001 was broken (for tests and demo files).

    The text is encoded as UTF-8 and each byte read back through `codepage`;
    bytes the code page does not define are dropped.

    Parameters
    ----------
    text : str
        Correct text.
    codepage : {"cp874", "cp1252"}
        ``"cp874"``: bytes 0x80-0x9F as Windows-1252, 0xA0-0xFF as Thai
        (seed 001).  ``"cp1252"``: the classic Windows-1252 mojibake.

    Examples
    --------
    >>> corrupt_text("hét \\U0001f603")
    'hรฉt ๐Ÿ˜ƒ'
    >>> corrupt_text("\\U0001f641")  # the last byte, 0x81, is lost
    '๐Ÿ™'
    >>> corrupt_text("hét", codepage="cp1252")
    'hÃ©t'
    """
    tables = {"cp874": _CP874, "cp1252": _CP1252}
    if codepage not in tables:
        raise ValueError(
            f"The value for `codepage` must be one of {tuple(tables)}, but {codepage!r} was passed."
        )
    table = tables[codepage]
    return "".join(
        chr(b) if b < 0x80 else table.get(b, "") for b in text.encode("utf-8")
    )


def _need(b: int) -> int:
    """Continuation bytes a UTF-8 lead byte needs (0: not a lead byte)."""
    if 0xC2 <= b <= 0xDF:
        return 1
    if 0xE0 <= b <= 0xEF:
        return 2
    if 0xF0 <= b <= 0xF4:
        return 3
    return 0


def _is_emoji(ch: str) -> bool:
    o = ord(ch)
    return 0x1F000 <= o <= 0x1FAFF or (0x2600 <= o <= 0x27BF)


def _plausible(ch: str) -> bool:
    """Classic runs: accept only punctuation, symbols, variation selectors and emoji."""
    o = ord(ch)
    return 0x2000 <= o <= 0x2BFF or 0xFE00 <= o <= 0xFE0F or o >= 0x1F000


def _latin(text: str) -> bool:
    """True when `text` holds only Latin letters, punctuation, symbols and emoji."""
    return all(ord(ch) <= 0x24F or 0x2000 <= ord(ch) <= 0x2BFF or 0xFE00 <= ord(ch) <= 0xFE0F
               or ord(ch) >= 0x1F000 for ch in text)


def _candidates(seq: bytes) -> list[str]:
    """Single characters that `seq` could have been with one dropped byte put back."""
    out = []
    for k in range(len(seq), 0, -1):  # a lost last byte first: the usual case
        for d in DROPPED_BYTES:
            try:
                ch = (seq[:k] + bytes([d]) + seq[k:]).decode("utf-8")
            except UnicodeDecodeError:
                continue
            if len(ch) == 1 and ch not in out:
                out.append(ch)
    return out


def _resolve(cands: list[str], previous: str) -> str | None:
    """The one character a truncated sequence stands for, or None when ambiguous."""
    faces = [c for c in cands if c in CANONICAL_FACES]
    if len(faces) == 1:
        return faces[0]
    if previous and _is_emoji(previous):
        for joiner in ("\ufe0f", "\u200d"):
            if joiner in cands:
                return joiner
    if len(cands) == 1:
        return cands[0]
    return None


def _decode(chars: str, rev: dict[str, int], method: str, previous: str, *, cautious=False):
    """Decode a run of mojibake characters; return (new text, list of changes).

    `cautious` (classic cp1252 runs, where Latin-1 letters are common in correct text):
    decode only 3- and 4-byte sequences that give punctuation, symbols or emoji (and, with
    ``cautious=2``, once the run proved to be mojibake, 2-byte ones too), and treat as truncated
    only emoji (F0 9F), punctuation (E2 80) and variation selectors (EF B8); ftfy does the rest.
    """
    codes = [rev[c] for c in chars]
    out, changes = [], []
    i, n = 0, len(codes)
    while i < n:
        need = _need(codes[i])
        if need:
            j = i + 1
            while j < n and j - i - 1 < need and 0x80 <= codes[j] <= 0xBF:
                j += 1
            got, seq = j - i - 1, bytes(codes[i:j])
            new = None
            if cautious and ((need < 2 and cautious != 2)
                             or (got < need and seq[:2] not in _CAUTIOUS_PREFIXES)):
                got = -1  # neither decoded nor resolved here
            if got == need:
                try:
                    new = seq.decode("utf-8")
                except UnicodeDecodeError:
                    new = None
                if cautious and new is not None and not (_plausible(new) or need == 1):
                    new = None
                if new is not None:
                    changes.append({"before": chars[i:j], "after": new, "method": method,
                                    "candidates": "", "ambiguous": False})
            elif got == need - 1:
                cands = _candidates(seq)
                if cands:
                    prev = out[-1][-1] if out else previous
                    new = _resolve(cands, prev)
                    ambiguous = new is None
                    new = REPLACEMENT if ambiguous else new
                    changes.append({"before": chars[i:j], "after": new,
                                    "method": f"{method}-truncated",
                                    "candidates": " ".join(cands), "ambiguous": ambiguous})
            if new is not None:
                out.append(new)
                i = j
                continue
        out.append(chars[i])
        i += 1
    return "".join(out), changes


def _sub(pattern, line, rev, method, changes, lineno, *, cautious=False):
    """Replace every match of `pattern` in `line` through :func:`_decode`."""
    pieces, last = [], 0
    for m in pattern.finditer(line):
        run = m.group()
        if not any(_need(rev[c]) for c in run):
            continue
        previous = (line[last:m.start()] or "".join(pieces))[-1:]
        new, found = _decode(run, rev, method, previous, cautious=cautious)
        if found and cautious:  # the run is mojibake: decode its 2-byte sequences as well
            new, found = _decode(run, rev, method, previous, cautious=2)
        if not found:
            continue
        pieces.append(line[last:m.start()])
        pieces.append(new)
        last = m.end()
        for c in found:
            c["line"] = lineno
        changes.extend(found)
    pieces.append(line[last:])
    return "".join(pieces)


def _ftfy_changes(old: str, new: str, lineno: int) -> list[dict]:
    """What ftfy changed in one line, as replaced spans."""
    import difflib

    out = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            out.append({"line": lineno, "before": old[i1:i2], "after": new[j1:j2], "method": "ftfy",
                        "candidates": "", "ambiguous": False})
    return out


_REPORT_COLUMNS = ["line", "before", "after", "method", "candidates", "ambiguous"]


def _repair(text: str):
    """Repair `text`; return (repaired text, list of change dicts). No warnings."""
    changes: list[dict] = []
    lines = text.split("\n")
    for k, line in enumerate(lines):
        lineno = k + 1
        if line.isascii():
            continue
        line = _sub(_RUN874, line, _REV874, "cp874", changes, lineno)
        line = _sub(_RUN1252, line, _REV1252, "cp1252", changes, lineno, cautious=True)
        if _SIGN1252.search(line):
            fixed = ftfy.fix_text(line, _FTFY_CONFIG)
            found = _ftfy_changes(line, fixed, lineno) if fixed != line else []
            # journeylib's diaries are in Latin script: a "repair" into another script is ftfy
            # misreading correct text (it can turn "ç€–" into one CJK character)
            if found and all(_latin(c["after"]) for c in found):
                changes.extend(found)
                line = fixed
        lines[k] = line
    return "\n".join(lines), changes


def repair_text(text: str, *, report: bool = False):
    """Repair broken encoding in `text`, leaving correct segments alone.

    Repairs cp874 mojibake (seed 001: ``"๐Ÿ˜ƒ"`` for 😃, ``"hรฉt"`` for hét)
    and classic Windows-1252 mojibake (``"ðŸ˜ƒ"``, ``"Ã©"``, through ftfy with
    quote uncurling off), line by line.  A character that lost a byte is
    resolved by the canonical survey faces; when that fails it becomes U+FFFD
    and a ``UserWarning`` lists the candidates.

    Parameters
    ----------
    text : str
        Text as read from a file (already decoded from UTF-8).
    report : bool, default False
        Also return what was changed.

    Returns
    -------
    str
        The repaired text.  Line breaks are never changed.
    pandas.DataFrame, only when ``report=True``
        One row per repaired character: ``line`` (1-based), ``before``,
        ``after``, ``method`` (``"cp874"``, ``"cp874-truncated"``,
        ``"cp1252"``, ``"cp1252-truncated"`` or ``"ftfy"``), ``candidates``
        (what a truncated character could have been, space-separated) and
        ``ambiguous`` (True when it could not be resolved).

    Examples
    --------
    >>> repair_text("๐Ÿ˜ƒ Halte 1: hรฉt ‘pakket’")
    '😃 Halte 1: hét ‘pakket’'
    >>> repair_text("๐Ÿ™ geรฏnformeerd")  # 🙁 lost its last byte
    '🙁 geïnformeerd'
    >>> repair_text("ðŸ™‚ cafÃ©")
    '🙂 café'
    >>> text, changes = repair_text("๐Ÿ˜ x", report=True)
    >>> changes[["before", "after", "method", "ambiguous"]].values.tolist()
    [['๐Ÿ˜', '😐', 'cp874-truncated', False]]
    """
    if not isinstance(text, str):
        raise TypeError(f"`text` must be a str, not {type(text).__name__}.")
    fixed, changes = _repair(text)
    lost = [c for c in changes if c["ambiguous"]]
    if lost:
        where = "; ".join(f"line {c['line']}: {c['before']!r} could be {c['candidates']}"
                          for c in lost[:5])
        warnings.warn(
            f"{len(lost)} character{'s' if len(lost) != 1 else ''} lost a byte and could not be "
            f"resolved, replaced by U+FFFD ({where}).",
            UserWarning,
            stacklevel=2,
        )
    if report:
        return fixed, pd.DataFrame(changes, columns=_REPORT_COLUMNS).astype(
            {"line": "int64", "ambiguous": "bool"})
    return fixed

