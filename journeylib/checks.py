"""The contract's rules on typed arrays, in journey order: one check for every in-memory path.

:func:`journeylib.validate` converts a raw table to the contract's dtypes and
then calls :func:`verify`; :func:`journeylib.journey_summary`,
:func:`journeylib.key_drivers` and the quality checks call :func:`verify`
directly on frames that already have those dtypes (a frame can have the right
dtypes and still be wrong: two validated months concatenated, a score edited
to 9 on a 1-5 scale, an ``inf``).  Nothing is trusted because of its dtypes.

The rows are looked at in journey order (:func:`journey_layout`: sorted by
``journey_id`` and ``step``, sorting only when the rows are not in that order
already), so that duplicate steps and values that differ within a journey are
found with comparisons of neighbours: O(n) after the sort, no hashing, no
Python loop over rows or journeys.  Problems name rows as a spreadsheet shows
them (the row's position in the caller's frame + 2).
"""

from __future__ import annotations

import difflib

import numpy as np
import pandas as pd

from .layout import Layout, journey_layout  # re-exported: the checks run on it
from .scales import SCALES, get_scale

__all__ = ["Layout", "journey_layout", "verify", "ensure_valid", "has_contract_dtypes"]

#: Number columns and the column giving each row's scale.
SCALED = (("score", "score_scale"), ("rating", "rating_scale"), ("recommend", "recommend_scale"))


# --- the checks -----------------------------------------------------------------------------------


def _spread(problems, rows, column, values, message, *, extra=None):
    """Add one problem per row (positions in the caller's frame), listing the earliest rows."""
    from .schema import MAX_PROBLEMS, _py, spreadsheet_row

    rows = np.sort(np.asarray(rows))
    get = values.iloc.__getitem__ if isinstance(values, pd.Series) else values.__getitem__
    for pos in rows[:MAX_PROBLEMS]:
        more = extra(pos) if extra is not None else {}
        problems.add(message, row=spreadsheet_row(pos), column=column, value=_py(get(int(pos))),
                     **more)
    problems.total += max(0, len(rows) - MAX_PROBLEMS)


def _check_scale_names(df, column, problems, quote=None):
    """Scale names of a categorical column: known, and present on every row."""
    from .schema import MESSAGES

    cat = df[column]
    shown = cat if quote is None or column not in quote.columns else quote[column]
    codes = cat.cat.codes.to_numpy()
    for i, name in enumerate(cat.cat.categories):
        if name in SCALES:
            continue
        pos = np.flatnonzero(codes == i)
        if not len(pos):
            continue
        close = difflib.get_close_matches(str(name), list(SCALES), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        _spread(problems, pos[:1], column, shown,
                f"{MESSAGES['unknown_scale']}{hint}; known scales: {', '.join(SCALES)}")
        problems.total += len(pos) - 1
    if len(codes) and codes.min() < 0:
        _spread(problems, np.flatnonzero(codes < 0), column, shown, MESSAGES["scale_missing"])


def off_scale_message(scale, scale_column=None):
    """The words for a value that is not a valid answer on `scale`."""
    s = get_scale(scale)
    kind = "whole number" if s.integer else "number"
    per = f", per column {scale_column!r}" if scale_column is not None else ""
    return (f"not a valid answer on scale {s.name!r} (expected a {kind} from {s.low:g} to "
            f"{s.high:g}{per})")


def off_scale(values, scale):
    """Mask of values that are not valid answers on `scale` (NaN is "not answered": valid).

    ``inf`` and ``-inf`` are off every scale.  The same rule as
    :meth:`journeylib.scales.Scale.contains`.
    """
    s = get_scale(scale)
    x = np.asarray(values, dtype="float64")
    with np.errstate(invalid="ignore"):
        bad = (x < s.low) | (x > s.high)
        if s.integer:
            bad |= (np.floor(x) != x) & ~np.isnan(x)
    return bad


def _check_on_scale(df, column, scale_column, problems, rows=None, quote=None):
    """Values of `column` on their row's scale (categorical `scale_column`), at `rows` or all."""
    cat = df[scale_column]
    names = cat.cat.categories
    x = df[column].to_numpy(dtype="float64", na_value=np.nan)
    codes = cat.cat.codes.to_numpy()
    if rows is not None:
        x, codes = x[rows], codes[rows]
    for i, name in enumerate(names):
        if name not in SCALES:
            continue
        bad = off_scale(x, name)
        if len(names) > 1:
            bad &= codes == i
        if bad.any():
            where = np.flatnonzero(bad)
            _spread(problems, where if rows is None else np.asarray(rows)[where], column,
                    (df if quote is None else quote)[column],
                    off_scale_message(name, scale_column))


def _check_duplicates(df, layout, problems):
    """Rows repeating an earlier (journey_id, step): the earliest row (caller's order) stays."""
    from .schema import MAX_PROBLEMS, MESSAGES, _py, spreadsheet_row

    key, step = layout.key, layout.step
    if len(key) < 2:
        return
    same = (key[1:] == key[:-1]) & (step[1:] == step[:-1])
    if not same.any():
        return
    # runs of equal (journey, step) in journey order; each run's earliest row is the original
    in_run = np.zeros(len(key), dtype=bool)
    in_run[1:] = same
    in_run[:-1] |= same
    pos = np.flatnonzero(in_run)
    run_starts = np.flatnonzero(np.concatenate(([True], ~same[pos[1:] - 1])))
    rows = layout.rows(pos)
    keeper = np.repeat(np.minimum.reduceat(rows, run_starts), np.diff(np.append(run_starts, len(pos))))
    flagged = rows != keeper
    dup_rows, dup_keeper, dup_step = rows[flagged], keeper[flagged], step[pos[flagged]]
    ids = df["journey_id"]
    for i in np.argsort(dup_rows, kind="stable")[:MAX_PROBLEMS]:
        row, s = int(dup_rows[i]), _py(dup_step[i])
        problems.add(f"duplicate step {s} in journey {_py(ids.iat[row])!r} (already on row "
                     f"{spreadsheet_row(dup_keeper[i])}); {MESSAGES['duplicate']}",
                     row=spreadsheet_row(row), column="step", value=s)
    problems.total += max(0, len(dup_rows) - MAX_PROBLEMS)


def _codes_of(col):
    if isinstance(col.dtype, pd.CategoricalDtype):
        return col.cat.codes.to_numpy()
    if pd.api.types.is_bool_dtype(col.dtype):
        return col.to_numpy(dtype="int8")
    return col.to_numpy(dtype="float64", na_value=np.nan)


def _check_journey_level(df, layout, problems, quote=None):
    """Journey-level columns agree on every row of a journey (missing on some rows counts)."""
    from .schema import JOURNEY_LEVEL, MAX_PROBLEMS, MESSAGES, _py, spreadsheet_row

    first = layout.first_rows()
    journey = layout.row_journey()  # compared in the caller's order: no gather of the rows
    for column in JOURNEY_LEVEL:
        if column not in df.columns:
            continue
        v = _codes_of(df[column])
        if v.dtype.kind != "f" and len(v) and v.min() == v.max():
            continue  # one scale (or flag) on every row: nothing can differ
        fv = v[first][journey]
        if v.dtype.kind == "f":
            differs = ~((v == fv) | (np.isnan(v) & np.isnan(fv)))
        else:
            differs = v != fv
        if not differs.any():
            continue
        rows = np.flatnonzero(differs)
        journeys = journey[rows]
        listed = np.argsort(rows, kind="stable")[:MAX_PROBLEMS]
        col = (df if quote is None or column not in quote.columns else quote)[column]
        for i in listed:
            row, head = int(rows[i]), col.iat[int(first[journeys[i]])]
            head = "<missing>" if pd.isna(head) else _py(head)
            jid = _py(df["journey_id"].iat[row])
            message = MESSAGES["differs"].format(column=column, journey=repr(jid)).replace(
                "; a journey", f" (first row of the journey has {head!r}); a journey")
            problems.add(message, row=spreadsheet_row(row), column=column, value=_py(col.iat[row]))
        problems.total += len(rows) - len(listed)


def verify(df, problems, *, layout=None, order=True, raw=None):
    """Check a frame with the contract's dtypes against every rule; add what is wrong to `problems`.

    Parameters
    ----------
    df : pandas.DataFrame
        Contract dtypes (as :func:`journeylib.validate` returns): int64 or text
        ``journey_id``, int64 ``step``, float64 numbers, categorical scales.
    problems : journeylib.schema._Problems
        Collects the problems.
    layout : Layout, optional
        The rows in journey order, when the caller has it (else computed here).
    order : bool, default True
        False when ``step`` is unusable: only the checks that need no journey
        order run (every number is then checked on its own scale).
    raw : pandas.DataFrame, optional
        The table as the user gave it, same rows: messages quote its cells
        (``"9"`` as typed, not ``9.0``).  Default `df`.

    Returns
    -------
    Layout or None
        The layout used (None when the steps were unusable).

    Examples
    --------
    >>> import pandas as pd
    >>> from journeylib.schema import _Problems, validate
    >>> good = validate(pd.DataFrame({"journey_id": [1, 1], "step": [1, 2],
    ...     "touchpoint": ["web", "mail"], "score": [4, 2], "score_scale": "likert5",
    ...     "rating": 2, "rating_scale": "likert5"}))
    >>> merged = pd.concat([good, good], ignore_index=True)   # dtypes still look right
    >>> p = _Problems(); _ = verify(merged, p); p.total
    2
    >>> print(p.items[0]["message"])
    duplicate step 1 in journey 1 (already on row 2); each (journey_id, step) must be unique
    """
    from .schema import MESSAGES

    quote = df if raw is None else raw
    jid = df["journey_id"]
    if jid.dtype.kind not in "iu":
        missing = jid.isna().to_numpy()
        if jid.dtype.kind in "OSUT" or pd.api.types.is_string_dtype(jid.dtype):
            missing = missing | (jid.astype("str").str.strip() == "").to_numpy()
        if missing.any():
            _spread(problems, np.flatnonzero(missing), "journey_id", quote["journey_id"],
                    MESSAGES["journey_id_missing"])
    step = df["step"].to_numpy()
    if step.dtype.kind not in "iu":  # unusable steps (reported by validate): negatives still count
        step = pd.to_numeric(df["step"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(invalid="ignore"):
        negative = step < 0
    if negative.any():
        _spread(problems, np.flatnonzero(negative), "step", quote["step"], MESSAGES["step"])
    for column, scale_column in SCALED:
        if column in df.columns and scale_column in df.columns:
            _check_scale_names(df, scale_column, problems, quote=quote)
    if order and layout is None:
        layout = journey_layout(jid, step)
    first = layout.first_rows() if order else None
    for column, scale_column in SCALED:
        if column not in df.columns or scale_column not in df.columns:
            continue
        # journey-level numbers are checked on each journey's first row (the others must equal it)
        _check_on_scale(df, column, scale_column, problems,
                        rows=None if column == "score" else first, quote=quote)
    if order:
        _check_duplicates(df, layout, problems)
        _check_journey_level(df, layout, problems, quote=quote)
    return layout


def has_contract_dtypes(data) -> bool:
    """True when `data` has the dtypes :func:`journeylib.validate` produces (nothing more)."""
    from .schema import REQUIRED

    if any(c not in data.columns for c in REQUIRED) or not data.columns.is_unique:
        return False
    dt = data.dtypes
    jid = dt["journey_id"]
    ok = (jid == np.int64 or jid == np.uint64 or pd.api.types.is_string_dtype(jid)) and \
        dt["step"] == np.int64
    ok = ok and dt["score"] == np.float64 and dt["rating"] == np.float64
    ok = ok and all(isinstance(dt[c], pd.CategoricalDtype) for c in ("score_scale", "rating_scale"))
    if "recommend" in data.columns:
        ok = ok and dt["recommend"] == np.float64 and "recommend_scale" in data.columns and \
            isinstance(dt["recommend_scale"], pd.CategoricalDtype)
    if "timestamp" in data.columns:
        ok = ok and pd.api.types.is_datetime64_any_dtype(dt["timestamp"])
    if "ordered" in data.columns:
        ok = ok and dt["ordered"] == np.bool_
    return bool(ok)


def ensure_valid(data, *, source=None):
    """`data` checked against the contract: validated when raw, verified when already typed.

    The one gate of every in-memory analysis: a frame with the contract's
    dtypes is checked with :func:`verify` (no copy), anything else goes
    through :func:`journeylib.validate`.

    Returns
    -------
    pandas.DataFrame
        `data` itself when it passed as typed, else the validated copy.

    Raises
    ------
    JourneyDataError

    Examples
    --------
    >>> import pandas as pd
    >>> from journeylib import validate
    >>> good = validate(pd.DataFrame({"journey_id": [1], "step": [1], "touchpoint": ["web"],
    ...     "score": [4.0], "score_scale": "likert5", "rating": 4.0, "rating_scale": "likert5"}))
    >>> ensure_valid(good) is good
    True
    >>> ensure_valid(good.assign(score=9.0))
    Traceback (most recent call last):
    ...
    journeylib.schema.JourneyDataError: 1 problem found:
      - row 2, column 'score': value 9.0: not a valid answer on scale 'likert5' (expected a whole number from 1 to 5, per column 'score_scale')
    """
    from .schema import JourneyDataError, _Problems, validate

    if len(data) == 0 or not has_contract_dtypes(data):
        return validate(data, source=source)
    problems = _Problems()
    verify(data, problems)
    if problems.total:
        raise JourneyDataError(problems.items, source=source, total=problems.total)
    return data
