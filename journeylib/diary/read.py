"""Reading a smiley diary (the format is described in :mod:`journeylib.diary`)."""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ..encoding import REPLACEMENT, _repair
from ..io.decode import check_encoding, decode
from ..scales import CANONICAL_FACES, FACES, face_score
from ..schema import JourneyDataError, _short, validate

__all__ = ["read_diary", "COLUMNS"]

#: Columns of :func:`read_diary`'s table, in order.
COLUMNS = ["journey_id", "step", "stop", "touchpoint", "face", "score", "score_scale", "rating",
           "rating_scale", "text", "repaired", "ambiguous"]

_LABEL = re.compile(r"(?i)(halte|stop|stap|step|touchpoint)[ \t]*(\d+)[ \t]*:[ \t]*")
_RATING = re.compile(r"(?i)(eindoordeel|oordeel|rating|overall)[ \t]*:[ \t]*")
_CONCLUSION = re.compile(r"(?i)(tot slot|conclusie|conclusion)[ \t]*:[ \t]*")
_EMOTICON = re.compile(r"[:;=]['\-^]?[()\[\]DPpOo/\\|*3@]+|[()\[\]D]+['\-]?[:;=]|>[:;=]['\-]?[()]+")
_TOUCHPOINT = re.compile(r"([^\n]*?)\.(?=\s|$)")
# the first canonical face of each smiley5 score (-1 -> U+1F641, not U+1F615)
_FACE_OF_SCORE = {s5: face for face, s5 in reversed(CANONICAL_FACES.items())}
_DUTCH_LABELS = {"halte", "stap"}
_MAX_STOP_DIGITS = 18  # fits an int64 column


def _emoji_char(ch: str) -> bool:
    o = ord(ch)
    return (0x1F300 <= o <= 0x1FAFF or 0x2600 <= o <= 0x26FF
            or ch in ("\ufe0f", "\u200d", REPLACEMENT))


def _split_face(par: str):
    """(face, rest) when `par` opens with a face-like token, else (None, par)."""
    i = 0
    while i < len(par) and _emoji_char(par[i]):
        i += 1
    if i:
        return par[:i], par[i:].lstrip()
    m = re.match(r"(\S+)(?:\s+|$)", par)
    if m and (m.group(1) in FACES or _EMOTICON.fullmatch(m.group(1))):
        return m.group(1), par[m.end():]
    return None, par


def _score(face: str):
    """smiley5 score of a face; NaN for the replacement character; None when unknown."""
    if face == REPLACEMENT:
        return np.nan
    try:
        return float(face_score(face))
    except ValueError:
        return None


def _paragraphs(text: str):
    """[(first line, last line, paragraph)] with 1-based line numbers; blank lines separate."""
    out, buf, start = [], [], 0
    for k, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not buf:
                start = k
            buf.append(line.rstrip())
        elif buf:
            out.append((start, k - 1, "\n".join(buf).strip()))
            buf = []
    if buf:
        out.append((start, start + len(buf) - 1, "\n".join(buf).strip()))
    return out


def _problem(line, message, **value):
    # the line is shown by JourneyDataError (journeylib.schema._format), before the value
    return {"row": None, "column": None, "line": line, "message": message, **value}


def _digits(digits):
    """A stop number for a message, cut when absurdly long."""
    return digits if len(digits) <= _MAX_STOP_DIGITS else f"{digits[:_MAX_STOP_DIGITS]}..."


def _stop_number(digits, line, problems):
    """The N of "Halte N:" as an int; a number too large for one is a problem (stop 0 then)."""
    if len(digits) > _MAX_STOP_DIGITS:
        problems.append(_problem(line, f"the stop number is too large ({len(digits)} digits); "
                                       "stops are numbered 1, 2, 3, ... (at most "
                                       f"{_MAX_STOP_DIGITS} digits)", value=digits))
        return 0
    return int(digits)


def _unknown_face(line, face):
    return _problem(line, f"the face {face!r} is not in the lexicon; known faces: "
                          f"{' '.join(FACES)}", value=face)


def _read_source(path_or_text, text=None, encoding=None):
    """(text, source name or None) from a path, text, bytes or an open file.

    A str is the diary itself when it holds a line break (or is blank), else a
    file name; `text` says "this is the diary" explicitly.  Bytes are decoded by
    :func:`journeylib.io.decode.decode` (UTF-8, byte-order marks, UTF-16, stray
    Windows-1252 bytes, `encoding`).
    """
    source = None
    if text is not None:
        if path_or_text is not None:
            raise ValueError("Pass the diary either as `path_or_text` or as `text=`, not both.")
        if not isinstance(text, (str, bytes)):
            raise TypeError(f"`text` must be the diary as str or bytes, not {type(text).__name__}.")
        raw = text
    elif path_or_text is None:
        raise TypeError("read_diary needs a file name, the diary text, or `text=`.")
    elif hasattr(path_or_text, "read"):
        raw = path_or_text.read()
        source = getattr(path_or_text, "name", None)
        if not isinstance(raw, (str, bytes)):
            raise TypeError(f"The open file gave {type(raw).__name__}, not text or bytes.")
    elif isinstance(path_or_text, bytes):
        raw = path_or_text
    elif isinstance(path_or_text, str) and ("\n" in path_or_text or "\r" in path_or_text
                                            or not path_or_text.strip()):
        raw = path_or_text
    elif isinstance(path_or_text, (str, os.PathLike)):
        raw, source = _read_file(path_or_text)
    else:
        raise TypeError("`path_or_text` must be a path, the diary text (str or bytes) or an open "
                        f"file, not {type(path_or_text).__name__}.")
    if isinstance(raw, bytes):
        raw = decode(raw, encoding=encoding, source=source, what="diary")
    elif encoding is not None:
        check_encoding(encoding)
        if source is None:
            raise ValueError("`encoding` applies to a diary file or bytes, not to text that is "
                             "already a str.")
    text = raw.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return text, source


def _read_file(name):
    """The bytes of the diary file `name`, or an error that says the file is not there."""
    path = Path(name)
    shown = _short(str(name))
    try:
        exists, folder, regular = path.exists(), path.is_dir(), path.is_file()
    except (OSError, ValueError):  # too long for a file name, or a NUL in it
        exists, folder, regular = False, False, False
    if not exists:
        raise FileNotFoundError(
            f"No such diary file: {shown}. A str without a line break is read as a file name; "
            "to read it as the diary itself, pass read_diary(text=...).")
    if folder:
        raise ValueError(f"{shown} is a folder, not a diary file.")
    if not regular:  # a named pipe or a device: reading would wait for ever
        raise ValueError(f"{shown} is not a regular file (a pipe or a device); pass the diary "
                         "as text=... or save it to a file first.")
    return path.read_bytes(), str(path)


def read_diary(path_or_text=None, *, text=None, journey_id=None, encoding=None):
    """Read a smiley diary into tidy journey data, one row per moment.

    Broken encoding is repaired first (:func:`repair_text`); see the module
    documentation for the format.

    Parameters
    ----------
    path_or_text : str, path-like, bytes or file
        A file name (UTF-8; a BOM and Windows line ends are fine), or the
        diary itself (a str with a line break, or bytes).  A str without a
        line break is a file name, and a name that does not exist is an error.
    text : str or bytes, optional
        The diary itself, whatever it looks like (a one-line diary, say);
        instead of `path_or_text`.
    journey_id : int or str, optional
        Id of the journey in the result; default 1.
    encoding : str, optional
        The encoding of a file or bytes, used as the only one
        (``"cp1250"``, ``"utf-16-le"``...).  By default UTF-8, with UTF-16 and
        stray Windows-1252 bytes recognised and warned about (see
        :mod:`journeylib.io.decode`).

    Returns
    -------
    pandas.DataFrame
        Validated tidy data with columns :data:`COLUMNS`: ``journey_id``,
        ``step`` (1, 2, ... per moment), ``stop`` (the N of the label),
        ``touchpoint``, ``face`` (the emoji or emoticon as written),
        ``score`` (smiley5, -2..2), ``score_scale`` (``"smiley5"``),
        ``rating`` (from the ``Oordeel:`` paragraph, NaN without one),
        ``rating_scale`` (``"smiley5"``), ``text`` (the moment's text after the
        touchpoint name, paragraphs joined by a blank line), ``repaired``
        (True when broken encoding in the moment's lines was repaired) and
        ``ambiguous`` (True when the face lost a byte and could not be
        resolved: the face is then U+FFFD and the score NaN).
        ``attrs`` holds ``intro``, ``conclusion``, ``label`` (the label word
        of the first stop, e.g. ``"Halte"``) and ``source`` (the file name or
        None).

    Raises
    ------
    FileNotFoundError
        For a file name that does not exist.
    JourneyDataError
        For an empty diary, a diary without a labelled stop (quoting its first
        line), a face outside the lexicon (naming the line and the face), a
        label without a face, a stop without a touchpoint name, a stop number
        too large, a second overall rating, or bytes that cannot be decoded
        (naming the line and the bytes).  All problems are listed, with line
        numbers.

    Warns
    -----
    UserWarning
        When a face or other character lost a byte and could not be resolved,
        or when the bytes needed a fallback decoding (UTF-16 without a
        byte-order mark, stray bytes that are not UTF-8).

    Examples
    --------
    >>> diary = '''Mijn reis.
    ...
    ... ๐Ÿ˜ƒ Halte 1: webshop. Snel en hรฉlemaal duidelijk.
    ...
    ... ๐Ÿ™ Halte 2: bezorging. Twee dagen te laat.
    ...
    ... 🙂 De bezorger bood wel zijn excuses aan.'''
    >>> df = read_diary(diary)
    >>> df[["step", "stop", "touchpoint", "face", "score", "repaired"]]
       step  stop touchpoint face  score  repaired
    0     1     1    webshop    😃    2.0      True
    1     2     2  bezorging    🙁   -1.0      True
    2     3     2  bezorging    🙂    1.0     False
    >>> df.loc[0, "text"]
    'Snel en hélemaal duidelijk.'
    >>> df.attrs["intro"]
    'Mijn reis.'
    """
    text, source = _read_source(path_or_text, text, encoding)
    journey_id = 1 if journey_id is None else journey_id
    if not isinstance(journey_id, (str, int, np.integer)) or isinstance(journey_id, bool):
        raise TypeError(f"`journey_id` must be an int or a str, not {type(journey_id).__name__}.")
    if not text.strip():
        raise JourneyDataError(
            [{"message": "the diary is empty: there is no text to read"}], source=source)
    fixed, changes = _repair(text)
    paragraphs = _paragraphs(fixed)
    problems, intro, conclusion, moments = [], [], [], []
    rating_face, rating_line, label_word, state = None, None, None, "intro"

    for first, last, par in paragraphs:
        m = _RATING.match(par)
        if m:
            face, after = _split_face(par[m.end():])
            if face is None:
                problems.append(_problem(first, f"the overall rating {par[:40]!r} needs a face "
                                                "after the label, such as 'Oordeel: 🙂'"))
            elif _score(face) is None:
                problems.append(_unknown_face(first, face))
            elif rating_face is not None:
                problems.append(_problem(first, "a second overall rating; the first is on line "
                                                f"{rating_line}", value=face))
            else:
                rating_face, rating_line = face, first
            (intro if state == "intro" else conclusion).append(after.strip())
            state = "intro" if state == "intro" else "conclusion"
            continue
        face, rest = _split_face(par)
        label = _LABEL.match(rest if face is not None else par)
        if state == "conclusion":
            if face is not None and label:
                problems.append(_problem(first, "a stop after the conclusion started (line "
                                                f"{rating_line or '?'}); stops come first"))
            conclusion.append(par)
            continue
        m = _CONCLUSION.match(par)
        if m and state == "moments":
            state = "conclusion"
            conclusion.append(par[m.end():].strip())
            continue
        if label and face is None:
            problems.append(_problem(first, f"stop {_digits(label.group(2))} has no face before its label "
                                            "(a stop opens with a face, e.g. '🙂 Halte 1: webshop.')",
                                     value=par.split("\n")[0][:60]))
            continue
        if face is not None and (label or state == "moments"):
            score = _score(face)
            if score is None:
                problems.append(_unknown_face(first, face))
            if label:
                body = rest[label.end():]
                tp = _TOUCHPOINT.match(body)
                if tp is None:
                    tp = re.match(r"([^\n]*)", body)
                touchpoint, body = tp.group(1).strip(), body[tp.end():].strip()
                if not touchpoint:
                    problems.append(_problem(first, f"stop {_digits(label.group(2))} has no "
                                                    "touchpoint name after its label"))
                stop = _stop_number(label.group(2), first, problems)
                label_word = label_word or label.group(1)
            else:
                stop, touchpoint, body = moments[-1]["stop"], moments[-1]["touchpoint"], rest.strip()
            moments.append({"stop": stop, "touchpoint": touchpoint, "face": face,
                            "score": np.nan if score is None else score, "parts": [body] if body else [],
                            "first": first, "last": last})
            state = "moments"
        elif state == "moments":
            moments[-1]["parts"].append(par)
            moments[-1]["last"] = last
        else:
            intro.append(par)

    if not moments and not problems:
        first_line = next(line for line in fixed.split("\n") if line.strip()).strip()
        problems.append({"row": None, "column": None, "message": (
            'no "Halte N:" stop was found: a stop is a paragraph that opens with a face and a label,'
            f" such as '🙂 Halte 1: webshop.'; the text begins with {first_line[:80]!r}")})
    if problems:
        raise JourneyDataError(problems[:20], source=source, total=len(problems))

    changed_lines = np.array(sorted({c["line"] for c in changes}), dtype="int64")
    first = np.array([mo["first"] for mo in moments])
    last = np.array([mo["last"] for mo in moments])
    lo = np.searchsorted(changed_lines, first, side="left")
    hi = np.searchsorted(changed_lines, last, side="right")
    faces = [mo["face"] for mo in moments]
    ambiguous = np.array([f == REPLACEMENT for f in faces])
    rating = np.nan if rating_face is None else _score(rating_face)
    df = pd.DataFrame({
        "journey_id": journey_id,
        "step": np.arange(1, len(moments) + 1),
        "stop": np.array([mo["stop"] for mo in moments], dtype="int64"),
        "touchpoint": [mo["touchpoint"] for mo in moments],
        "face": faces,
        "score": np.array([mo["score"] for mo in moments], dtype="float64"),
        "score_scale": "smiley5",
        "rating": rating,
        "rating_scale": "smiley5",
        "text": ["\n\n".join(mo["parts"]) for mo in moments],
        "repaired": hi > lo,
        "ambiguous": ambiguous,
    })
    _warn_lost(changes, moments, ambiguous, rating_face, rating_line)
    df = validate(df, source=source)
    df.attrs = {"intro": "\n\n".join(p for p in intro if p),
                "conclusion": "\n\n".join(p for p in conclusion if p),
                "label": label_word, "source": source}
    return df


def _warn_lost(changes, moments, ambiguous, rating_face, rating_line):
    """One UserWarning for faces (and other characters) that could not be repaired."""
    lost = {}
    for c in changes:  # the first loss on a line is the face that opens it
        if c["ambiguous"]:
            lost.setdefault(c["line"], f"lost a byte in the broken encoding, could be "
                                       f"{c['candidates']}")
    unknown = "written as U+FFFD (a face lost earlier or a missing score)"
    msgs = [f"line {mo['first']} (stop {mo['stop']}): {lost.get(mo['first'], unknown)}"
            for mo, amb in zip(moments, ambiguous, strict=True) if amb]
    if rating_face == REPLACEMENT:
        msgs.append(f"line {rating_line} (overall rating): {lost.get(rating_line, unknown)}")
    if not lost and not msgs:
        return
    n_other = sum(1 for c in changes if c["ambiguous"]) - sum(m.count("lost a byte") for m in msgs)
    parts = []
    if msgs:
        parts.append(f"{len(msgs)} face{'s' if len(msgs) != 1 else ''} could not be read, so the "
                     "score is NaN and ambiguous=True: " + "; ".join(msgs))
    if n_other > 0:
        parts.append(f"{n_other} other character{'s' if n_other != 1 else ''} in the text could not "
                     "be repaired and became U+FFFD")
    warnings.warn(". ".join(parts) + ".", UserWarning, stacklevel=3)
