"""Reading options as people write them on a command line.

``python -m journeylib report`` (:mod:`journeylib.owndata`) takes its reading
options as text: ``--missing "overall=0,wifi=99"``, ``--rating-map
"satisfied=1,neutral or dissatisfied=0"``, ``--skiprows 2-3`` (rows as a
spreadsheet numbers them), ``--scale grade10x=1:10:decimal``.  These functions
turn that text into what :func:`journeylib.read_table` and
:func:`journeylib.from_wide` take, and are the argparse types that refuse a
malformed value with a usage message (exit code 2).  Each also accepts the
Python value (a dict, a list) unchanged, so the report notebook can pass either.
"""

from __future__ import annotations

import argparse
import re

import numpy as np

__all__ = ["parse_missing", "parse_names", "parse_map", "parse_rows", "scale_definition",
           "scale_type", "cli_type", "row_number"]


def _number(text):
    """A CLI value as a number when it is one (0, 99, 7.5), else the text itself."""
    try:
        f = float(text)
    except (TypeError, ValueError):
        return text
    return int(f) if f.is_integer() else f


def parse_missing(missing):
    """Missing codes from a list, a scalar, a dict or a CLI string.

    ``"0,99"`` (or a list, or a scalar) gives codes for the touchpoint columns;
    ``"overall=0,wifi=99"`` (or a dict) gives codes per column, the rating and
    recommend columns only when named.  A dict's codes become lists.

    Raises
    ------
    ValueError
        For a string that mixes both forms.

    Examples
    --------
    >>> parse_missing("0,99")
    [0, 99]
    >>> parse_missing("overall=0,wifi=99,wifi=98")
    {'overall': [0], 'wifi': [99, 98]}
    """
    if missing is None:
        return []
    if isinstance(missing, dict):
        return {k: [_number(v) for v in (v if isinstance(v, (list, tuple)) else [v])]
                for k, v in missing.items()}
    if isinstance(missing, str):
        parts = [m for m in (x.strip() for x in missing.split(",")) if m]
        named = [p for p in parts if "=" in p]
        if named and len(named) < len(parts):
            raise ValueError(f"--missing {missing!r}: give codes for every touchpoint (0,99) or "
                             "codes per column (overall=0,wifi=99), not both.")
        if named:
            out = {}
            for part in named:
                column, code = (x.strip() for x in part.rsplit("=", 1))
                out.setdefault(column, []).append(_number(code))
            return out
        missing = parts
    elif np.ndim(missing) == 0:
        missing = [missing]
    return [_number(m) for m in missing]


def parse_names(value):
    """Column names from a list or a CLI string "a,b,c" (spaces around names ignored).

    Examples
    --------
    >>> parse_names("web, phone,mail")
    ['web', 'phone', 'mail']
    """
    if value is None:
        return None
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return list(value)


def parse_map(value, option):
    """A label map from a dict or a CLI string "satisfied=1,neutral or dissatisfied=0".

    Pairs are separated by ``,`` (or by ``;`` when the string holds one, for
    labels with commas); the number follows the last ``=``.  `option` names
    the command-line option in the message.

    Raises
    ------
    ValueError
        For a pair without a number.

    Examples
    --------
    >>> parse_map("satisfied=1,neutral or dissatisfied=0", "rating-map")
    {'satisfied': 1, 'neutral or dissatisfied': 0}
    >>> parse_map("yes, very=1;no=0", "recommend-map")
    {'yes, very': 1, 'no': 0}
    """
    if value is None or isinstance(value, dict):
        return value
    sep = ";" if ";" in value else ","
    out = {}
    for part in (p.strip() for p in str(value).split(sep)):
        if not part:
            continue
        label, _, number = part.rpartition("=")
        number = _number(number.strip())
        if not label.strip() or isinstance(number, str):
            raise ValueError(f"--{option} {value!r}: each answer needs a number, as in "
                             f"\"satisfied=1{sep}neutral or dissatisfied=0\"; {part!r} has none.")
        out[label.strip()] = number
    return out


def parse_rows(value):
    """--skiprows "2,3" or "2-4" (the rows as a spreadsheet numbers them) as 0-based positions.

    A list (already 0-based, as :func:`journeylib.read_table` takes it) is returned as it is.

    Examples
    --------
    >>> parse_rows("2,4-5")
    [1, 3, 4]
    """
    if value is None or not isinstance(value, str):
        return value
    out = []
    for part in (p.strip() for p in value.split(",") if p.strip()):
        low, _, high = part.partition("-")
        try:
            first, last = int(low), int(high or low)
        except ValueError:
            raise ValueError(f"--skiprows {value!r}: row numbers such as 2,3 or 2-4, as a "
                             "spreadsheet numbers rows (the first row is 1).") from None
        if first < 1 or last < first:
            raise ValueError(f"--skiprows {value!r}: rows are numbered from 1, as in a spreadsheet.")
        out.extend(range(first - 1, last))
    return out


def scale_definition(text):
    """A scale from its command-line definition ``NAME=LOW:HIGH[:decimal][:reversed]``, registered.

    ``grade10x=1:10:decimal`` is a 1-10 grade with decimals, ``effort7=1:7:reversed`` a
    seven-point scale where 7 is worst.  The scale is known to the Python process from
    then on (:func:`journeylib.register_scale`); in Python, define one with
    ``jl.register_scale(jl.Scale("grade10x", 1, 10, integer=False))``.

    Returns
    -------
    str
        `text`, so that the report notebook can register the same scale.

    Raises
    ------
    ValueError
        For a definition that does not follow the pattern, or a name taken by another scale.

    Examples
    --------
    >>> scale_definition("grade10x=1:10:decimal")
    'grade10x=1:10:decimal'
    >>> from journeylib.scales import get_scale
    >>> get_scale("grade10x").integer
    False
    """
    from ..scales import Scale, register_scale

    match = re.fullmatch(r"\s*([^=\s]+)\s*=\s*([-+]?[\d.]+)\s*:\s*([-+]?[\d.]+)((?:\s*:\s*\w+)*)\s*",
                         str(text))
    words = [w.strip().lower() for w in match.group(4).split(":") if w.strip()] if match else []
    if not match or any(w not in ("decimal", "reversed") for w in words):
        raise ValueError(f"--scale {text!r}: write NAME=LOW:HIGH, optionally followed by "
                         ":decimal (answers may have decimals) and :reversed (high is bad), "
                         "e.g. grade10x=1:10:decimal.")
    try:
        low, high = float(match.group(2)), float(match.group(3))
    except ValueError:
        raise ValueError(f"--scale {text!r}: LOW and HIGH must be numbers.") from None
    kind = ", ".join(["decimals" if "decimal" in words else "whole numbers",
                      *(["high is bad"] if "reversed" in words else [])])
    register_scale(Scale(match.group(1), low, high, reversed="reversed" in words,
                         integer="decimal" not in words,
                         description=f"{low:g} to {high:g}, {kind} (defined by the user)"))
    return text


def scale_type(text):
    """argparse type of ``--scale``: the definition registered, or a usage error."""
    try:
        return scale_definition(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err).split(": ", 1)[-1]) from None


def cli_type(parse, *option):
    """An argparse type that checks a value with `parse` (ValueError -> usage error) and keeps it."""
    def check(text):
        try:
            parse(text, *option)
        except ValueError as err:
            raise argparse.ArgumentTypeError(str(err)) from None
        return text
    check.__name__ = parse.__name__.strip("_")
    return check


def row_number(text):
    """argparse type of ``--header``: a row number as a spreadsheet shows it (1, 2, ...)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a row number as a spreadsheet shows it (1, 2, "
                                         f"...), not {text!r}")
    return value
