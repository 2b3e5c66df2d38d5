"""Smiley diaries: journey stories with a face at each stop, in seed 001's format.

The format
----------
A diary is plain text in paragraphs (separated by blank lines)::

    12 februari 2025                          <- intro: everything before the first stop

    😃 Halte 1: webshop. Snel besteld.        <- a stop: face, label, touchpoint, text
    Meer tekst over de webshop.               <- same paragraph: part of the text

    Een tweede alinea over de webshop.        <- other paragraph: continues the moment

    😕 Later die dag ...                      <- face without label: extra moment, same stop

    🙁 Stop 2: helpdesk. ...                  <- next stop

    Oordeel: 🙂                               <- optional overall rating; starts the conclusion

    Tot slot: ...                             <- conclusion

* A **stop** is a paragraph whose first token is a face (an emoji or text
  emoticon from :data:`journeylib.scales.FACES`) followed by a label
  ``Halte N:`` (also ``Stop``, ``Stap``, ``Step`` or ``Touchpoint``, any
  case) and the touchpoint name up to the first full stop (a ``.`` followed
  by a space or the end of the line), or up to the end of the line.
* A paragraph that opens with a face but no label is an **extra moment** in
  the current stop: the same ``stop`` and touchpoint, its own ``step`` and
  face.  Other paragraphs continue the current moment's text.
* The **overall rating** (a diary's journey rating) is optional: a paragraph
  ``Oordeel: <face>`` (also ``Eindoordeel``, ``Rating``, ``Overall``).
  Without it the rating is NaN.  Its scale is ``smiley5``.
* The **intro** is the text before the first stop; the **conclusion** starts
  at the rating paragraph or at a paragraph opening with ``Tot slot:``,
  ``Conclusie:`` or ``Conclusion:`` (that label is not kept).  Without such a
  paragraph the last moment's text runs to the end and the conclusion is
  empty.  Both are in ``data.attrs["intro"]`` and ``data.attrs["conclusion"]``.

Broken encoding (seed 001 is UTF-8 read through a Thai Windows code page) is
repaired first, see :func:`journeylib.encoding.repair_text`.
"""

from __future__ import annotations

import io
import os
import re
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from .encoding import REPLACEMENT, _repair, repair_text
from .io.decode import check_encoding, decode
from .scales import CANONICAL_FACES, FACES, face_score, from_valence, valence
from .schema import JourneyDataError, _short, validate

__all__ = ["read_diary", "repair_text", "to_diary", "add_arguments", "run", "COLUMNS"]

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
        exists, folder = path.exists(), path.is_dir()
    except (OSError, ValueError):  # too long for a file name, or a NUL in it
        exists, folder = False, False
    if not exists:
        raise FileNotFoundError(
            f"No such diary file: {shown}. A str without a line break is read as a file name; "
            "to read it as the diary itself, pass read_diary(text=...).")
    if folder:
        raise ValueError(f"{shown} is a folder, not a diary file.")
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


# --- writing ------------------------------------------------------------------------------------

def _faces_for(scores, scales):
    """Canonical face per score on any scale (through valence to smiley5); NaN -> U+FFFD."""
    x = np.asarray(scores, dtype="float64")
    s5 = np.round(from_valence(valence(x, scales), "smiley5"))
    return [REPLACEMENT if np.isnan(v) else _FACE_OF_SCORE[int(v)] for v in np.atleast_1d(s5)]


def _misread(par: str, *, in_moment: bool) -> bool:
    """True when a free-text paragraph would read back as a stop, rating or conclusion."""
    face, rest = _split_face(par)
    if face is not None and (_LABEL.match(rest) or in_moment):
        return True
    return bool(_RATING.match(par) or (in_moment and _CONCLUSION.match(par)) or _LABEL.match(par))


def to_diary(data, journey_id=None, *, path=None, label=None, intro=None, conclusion=None):
    """Write one journey as a smiley diary (clean UTF-8), the inverse of :func:`read_diary`.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy journey data (validated on the way).  Never modified.
    journey_id : optional
        Which journey to write; may be omitted when `data` holds one.
    path : str or path-like, optional
        Also write the diary to this file (UTF-8, ``\\n`` line ends).
    label : str, optional
        Label word of the stops; default ``data.attrs["label"]`` or ``"Halte"``.
    intro, conclusion : str, optional
        Default ``data.attrs["intro"]`` and ``data.attrs["conclusion"]``.

    Returns
    -------
    str
        The diary.  A row opens a new stop when its ``stop`` (default: its
        ``step``) differs from the row before, else it is an extra moment.  The
        face is the ``face`` column where present, else the canonical face of
        the score (converted to smiley5 through valence); a missing score is
        written as U+FFFD.  A rating is written as ``Oordeel: <face>``
        (``Rating:`` for English labels), the conclusion after it (or after
        ``Tot slot:`` / ``Conclusion:`` when there is no rating).  Reading the
        result gives the same table as long as each stop has one touchpoint
        and steps run 1, 2, ...

    Raises
    ------
    ValueError
        For an unknown journey, a touchpoint name with a full stop or line
        break, a face outside the lexicon, or text that would read back as a
        new stop.

    Examples
    --------
    >>> df = read_diary("😃 Halte 1: webshop. Snel.\\n\\n🙁 Halte 2: bezorging.\\n\\nOordeel: 🙂")
    >>> print(to_diary(df))
    😃 Halte 1: webshop. Snel.
    <BLANKLINE>
    🙁 Halte 2: bezorging.
    <BLANKLINE>
    Oordeel: 🙂
    <BLANKLINE>
    """
    rows = _one_journey(data, journey_id)
    rows = validate(rows).sort_values("step", kind="stable")
    label = label or data.attrs.get("label") or "Halte"
    if not _LABEL.fullmatch(f"{label} 1:"):
        raise ValueError("The value for `label` must be one of ('Halte', 'Stop', 'Stap', 'Step', "
                         f"'Touchpoint') in any case, but {label!r} was passed.")
    dutch = label.lower() in _DUTCH_LABELS
    intro = data.attrs.get("intro", "") if intro is None else intro
    conclusion = data.attrs.get("conclusion", "") if conclusion is None else conclusion

    steps = rows["step"].to_numpy()
    stops = rows["stop"].to_numpy(dtype="int64") if "stop" in rows else steps
    faces = _faces_for(rows["score"].to_numpy(), rows["score_scale"].astype(str).to_numpy())
    if "face" in rows:
        given = rows["face"].to_numpy(dtype=object)
        faces = [g if isinstance(g, str) and g else f for g, f in zip(given, faces, strict=True)]
    texts = (rows["text"].fillna("").astype(str).str.strip().to_numpy()
             if "text" in rows else np.full(len(rows), ""))
    touchpoints = rows["touchpoint"].to_numpy(dtype=object)

    parts = [p.strip() for p in re.split(r"\n\s*\n", intro.strip())] if intro and intro.strip() else []
    for p in parts:
        if _misread(p, in_moment=False):
            raise ValueError(f"The intro paragraph {p[:40]!r} would read back as a stop or rating.")
    previous = None
    for step, stop, face, tp, text in zip(steps, stops, faces, touchpoints, texts, strict=True):
        if face != REPLACEMENT and _score(face) is None:
            raise ValueError(f"Step {step}: the face {face!r} is not in the lexicon.")
        for k, p in enumerate(re.split(r"\n\s*\n", text)):
            if (k or stop == previous) and p and _misread(p, in_moment=True):
                raise ValueError(f"Step {step}: the text paragraph {p[:40]!r} would read back as a "
                                 "new moment, stop or conclusion.")
        if stop != previous:
            tp = "" if tp is None or (isinstance(tp, float) and np.isnan(tp)) else str(tp).strip()
            if not tp or "\n" in tp or re.search(r"\.(\s|$)", tp):
                raise ValueError(f"Step {step}: the touchpoint {tp!r} cannot be written: it must be "
                                 "a non-empty name without a line break or full stop.")
            parts.append(f"{face} {label} {stop}: {tp}." + (f" {text}" if text else ""))
        else:
            parts.append(f"{face} {text}" if text else face)
        previous = stop
    rating = rows["rating"].iloc[0]
    if not np.isnan(rating):
        face = _faces_for([rating], [str(rows["rating_scale"].iloc[0])])[0]
        parts.append(f"{'Oordeel' if dutch else 'Rating'}: {face}")
    if conclusion and conclusion.strip():
        conclusion = conclusion.strip()
        if np.isnan(rating):
            conclusion = f"{'Tot slot' if dutch else 'Conclusion'}: {conclusion}"
        parts.append(conclusion)
    out = "\n\n".join(parts) + "\n"
    if path is not None:
        Path(path).write_text(out, encoding="utf-8", newline="\n")
    return out


def _one_journey(data, journey_id):
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"`data` must be a pandas DataFrame, not {type(data).__name__}.")
    if "journey_id" not in data:
        raise ValueError("`data` has no 'journey_id' column; it must follow the tidy contract.")
    ids = pd.unique(data["journey_id"])
    if journey_id is None:
        if len(ids) != 1:
            raise ValueError(f"`data` holds {len(ids)} journeys; pass `journey_id` (one of "
                             f"{', '.join(map(repr, ids[:10].tolist()))}).")
        return data
    rows = data[data["journey_id"] == journey_id]
    if rows.empty:
        raise ValueError(f"There is no journey {journey_id!r} in `data`; journeys: "
                         f"{', '.join(map(repr, ids[:10].tolist()))}.")
    return rows


# --- command line -------------------------------------------------------------------------------

_TABLE = ["step", "stop", "face", "score", "touchpoint", "repaired", "ambiguous"]


def add_arguments(parser):
    """Arguments of ``python -m journeylib diary``."""
    parser.add_argument("file", help="the diary (UTF-8 text; broken encoding is repaired), "
                                     "or - to read standard input")
    parser.add_argument("--csv", action="store_true",
                        help="print every column as CSV instead of a table")


def run(args) -> int:
    """Print the moments of ``args.file``; return the exit status (1 on bad input)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            if args.file == "-":
                stdin = getattr(sys.stdin, "buffer", sys.stdin)  # bytes: decoded as files are
                df = read_diary(text=stdin.read())
            else:
                source = Path(args.file)
                if not source.is_file():
                    raise FileNotFoundError(f"no such file: {args.file}")
                df = read_diary(source)
        except (ValueError, OSError) as exc:  # JourneyDataError is a ValueError
            print(f"error: {exc}", file=sys.stderr)
            return 1
    for w in caught:
        print(f"warning: {w.message}", file=sys.stderr)
    if args.csv:
        buf = io.StringIO()
        df.to_csv(buf, index=False, lineterminator="\n")
        sys.stdout.write(buf.getvalue())
    else:
        table = df[_TABLE].assign(score=df["score"].astype("Int64"))
        print(table.to_string(index=False))
        if not np.isnan(df["rating"].iloc[0]):
            print(f"overall rating: {df['rating'].iloc[0]:+.0f} (smiley5)")
    return 0

