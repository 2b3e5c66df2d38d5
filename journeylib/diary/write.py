"""Writing one journey as a smiley diary, the inverse of :func:`journeylib.diary.read_diary`."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..encoding import REPLACEMENT
from ..scales import from_valence, valence
from ..schema import validate
from .read import _CONCLUSION, _DUTCH_LABELS, _FACE_OF_SCORE, _LABEL, _RATING, _score, _split_face

__all__ = ["to_diary"]


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
    >>> from journeylib.diary import read_diary
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
