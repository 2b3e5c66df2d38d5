"""Wide survey tables (one row per respondent) into the tidy journey contract."""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Hashable

import numpy as np
import pandas as pd

from ..cells import parse_numbers
from ..scales import SCALES, get_scale
from ..schema import (
    MAX_PROBLEMS,
    MESSAGES,
    JourneyDataError,
    _check_on_scale,
    _off_scale,
    _Problems,
    _py,
    _scale_column,
    _short,
    spreadsheet_row,
    validate,
)
from .answers import (
    LABELS,
    VALUE_LABELS,
    check_map,
    file_rows,
    map_answers,
    renumber,
    unknown_message,
    yes_no,
)

__all__ = ["from_wide"]


def _need_columns(df, names, argument):
    absent = [c for c in names if c not in df.columns]
    if absent:
        present = [str(c) for c in df.columns]
        # a question text kept as a label (survey exports) names the column holding it
        by_label = {str(v).strip().casefold(): k for k, v in df.attrs.get(LABELS, {}).items()
                    if k in df.columns}
        hints = []
        for c in absent:
            labelled = by_label.get(str(c).strip().casefold())
            close = [labelled] if labelled is not None else difflib.get_close_matches(
                str(c), present, n=1, cutoff=0.5)
            hints.append(f"{c!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise ValueError(
            f"The column{'s' if len(absent) > 1 else ''} {', '.join(hints)} named in `{argument}` "
            f"{'are' if len(absent) > 1 else 'is'} not in the table. Columns present: "
            f"{', '.join(present)}."
        )


def _tiled_text(names, n):
    """The text column ``names * n`` (touchpoint names repeated per respondent), built in Arrow."""
    import pyarrow as pa

    index = pa.array(np.tile(np.arange(len(names), dtype="int32"), n))
    return pd.array(pa.array(names, type=pa.string()).take(index), dtype="str")


def _check_names(df, used):
    """Refuse a table where a column from_wide uses has a twin (same name, spaces ignored)."""
    names = [str(c).strip() for c in df.columns]
    wanted = {str(c).strip() for c in used}
    twice = sorted({c for c in names if c in wanted and names.count(c) > 1})
    if twice:
        raise JourneyDataError([
            {"column": c, "message": f"the table has {names.count(c)} columns named {c!r} "
                                     "(spaces ignored), so it is unclear which one to read; "
                                     "rename or drop the copies"} for c in twice])


def _missing_codes(missing, touchpoint_columns, answer_columns):
    """{column: [codes]} from the `missing` argument of :func:`from_wide`.

    A scalar or a list applies to the touchpoint columns only; a dict to the
    columns it names (any of `answer_columns`: touchpoints, rating, recommend).
    """
    def as_list(value):
        if value is None:
            return []
        if isinstance(value, (str, bytes, int, float, np.generic)):
            return [value]
        return list(value)

    if isinstance(missing, dict):
        unknown = [c for c in missing if c not in answer_columns]
        if unknown:
            raise ValueError(f"`missing` gives codes for {unknown!r}, which are not answer columns "
                             f"of this call; it may name {answer_columns!r}.")
        return {column: as_list(value) for column, value in missing.items()}
    codes = as_list(missing)
    return {column: codes for column in touchpoint_columns}


def _parse_answers(col, coded):
    """(values, not a number, spreadsheet error, True/False) of one answer column.

    Cells holding a missing code (`coded`) are NaN and never reported.
    """
    values, not_number, error_value, boolean = parse_numbers(col)
    keep = ~coded
    return np.where(coded, np.nan, values), not_number & keep, error_value & keep, boolean & keep


def _check_answers(parsed, raw, scale, column, problems, *, binary=None):
    """Wide-table check of one answer column, rows as a spreadsheet shows them.

    Text that is not a number, spreadsheet errors and True/False off the
    ``binary`` scale each get their own message (:data:`journeylib.schema.MESSAGES`);
    the numbers left are checked on `scale` (skipped when None: a scale per row).
    """
    values, not_number, error_value, boolean = parsed
    problems.add_rows(not_number, column, raw, MESSAGES["not_number"].format(column=column))
    for pos in np.flatnonzero(error_value)[:MAX_PROBLEMS]:
        problems.add(MESSAGES["error_value"].format(column=column, value=raw[pos]),
                     row=spreadsheet_row(pos), column=column, value=_py(raw[pos]))
    problems.total += max(0, int(error_value.sum()) - MAX_PROBLEMS)
    if binary is None:
        binary = scale == "binary"
    refused = boolean & ~np.asarray(binary, dtype=bool)
    problems.add_rows(refused, column, raw, MESSAGES["bool"].format(column=column))
    values = np.where(refused, np.nan, values)
    if scale is not None:
        bad, message = _off_scale(scale, values)
        problems.add_rows(bad, column, raw, message)
    return values


def _columns(touchpoints):
    """(columns, touchpoint names) from the `touchpoints` argument."""
    if isinstance(touchpoints, dict):
        columns, names = list(touchpoints), [str(v) for v in touchpoints.values()]
    elif isinstance(touchpoints, str):
        raise ValueError("`touchpoints` must be a list of column names (or a dict), not one string.")
    elif isinstance(touchpoints, (list, tuple, pd.Index, np.ndarray, pd.Series)):
        columns = list(touchpoints)
        names = [str(c) for c in columns]
    else:
        raise TypeError("`touchpoints` must be a list of column names (or a dict {column: name}), "
                        f"not {type(touchpoints).__name__}.")
    odd = [c for c in columns if not isinstance(c, Hashable)]
    if odd:
        raise TypeError(f"`touchpoints` must name columns, but holds {_short(odd[0])}.")
    if not columns:
        raise ValueError("`touchpoints` names no column; a journey needs at least one touchpoint.")
    if len(set(columns)) < len(columns):
        raise ValueError(f"`touchpoints` names a column twice: {columns!r}.")
    return columns, names


def _outcome_options(rating, rating_scale, recommend, recommend_scale, ordered):
    if rating is None and recommend is None:
        raise ValueError("from_wide needs an outcome: `rating` (the column with the rating of the "
                         "journey as a whole) or `recommend` (a recommend answer), or both.")
    if rating is not None and rating_scale is None:
        raise ValueError(f"`rating_scale` is needed with `rating` ({rating!r}): the scale of the "
                         "journey rating, e.g. 'stars10', or 'binary' for yes/no.")
    if not isinstance(ordered, (bool, np.bool_)):
        raise ValueError(f"The value for `ordered` must be one of (True, False), but {ordered!r} "
                         "was passed.")


def _read_column(col, coded, *, mapping, argument, value_labels, binary):
    """(values, not a number, error value, True/False) of one answer column, plus the cells a
    label map does not name (None without a map)."""
    if mapping is not None:
        values, unknown = map_answers(col, mapping, argument, value_labels=value_labels,
                                      skip=coded)
        none = np.zeros(len(col), dtype=bool)
        return (values, none, none, none), unknown
    if np.ndim(binary) == 0:
        if bool(binary):
            col = yes_no(col, value_labels)
    elif np.any(binary):  # a rating scale per respondent: the rows on 'binary' only
        col = yes_no(col, value_labels, where=binary)
    return _parse_answers(col, coded), None


def _respondent_ids(df, id, problems, rows):
    if id is None:
        return np.arange(1, len(df) + 1, dtype="int64")
    ids = df[id]
    problems.add_rows(ids.isna().to_numpy(), id, ids.to_numpy(), "respondent id is missing")
    if pd.api.types.infer_dtype(ids, skipna=True) == "mixed":  # lists, dicts...: look closer
        odd = ids.map(lambda v: not isinstance(v, Hashable)).to_numpy(dtype=bool)
        if odd.any():  # a list or a dict in a cell cannot name a respondent
            problems.add_rows(odd, id, ids.to_numpy(), "a respondent id must be one value "
                                                       "(text or a number)")
            raise JourneyDataError(renumber(problems.items, rows), total=problems.total)
    dup = (ids.duplicated(keep="first") & ids.notna()).to_numpy()
    for pos in np.flatnonzero(dup)[:20]:
        first = int(np.flatnonzero((ids == ids.iat[pos]).to_numpy())[0])
        problems.add(f"respondent id repeated (already on row {rows[first]}); "
                     "each row must be one respondent", row=spreadsheet_row(pos), column=id,
                     value=_py(ids.iat[pos]))
    problems.total += max(0, int(dup.sum()) - 20)
    return ids.to_numpy()


def _warn_codes(missing, codes, counts, columns):
    total = sum(counts.values())
    if not total:
        return
    if isinstance(missing, dict):
        code_text = ""
        shown = ", ".join(f"{c!r} {m} ({', '.join(map(repr, codes[c]))})"
                          for c, m in counts.items() if m)
    else:
        code_text = f" ({', '.join(map(repr, codes[columns[0]]))})"
        shown = ", ".join(f"{c!r} {m}" for c, m in counts.items() if m)
    warnings.warn(
        f"{total} answer{'s' if total != 1 else ''} coded as missing{code_text} set to NaN: "
        f"{shown}.",
        UserWarning,
        stacklevel=3,
    )


def from_wide(df, *, touchpoints, rating=None, score_scale, rating_scale=None, id=None,
              missing=(), recommend=None, recommend_scale="nps11", keep=(), ordered=False,
              rating_map=None, recommend_map=None):
    """Melt a wide survey table (one row per respondent) into tidy journey data.

    Each respondent becomes one journey; each touchpoint column becomes one
    moment, numbered in the order given by `touchpoints`.  Survey items (seat
    comfort, staff, food) have no journey order, so by default the journeys
    are marked ``ordered=False`` and the metrics that depend on order
    (``first``, ``last``, ``peak_end``, ``trend``) are NaN; pass
    ``ordered=True`` when the columns are the moments of the journey in the
    order the customer met them.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per respondent, one column per touchpoint score.  Never modified.
    touchpoints : list of str or dict
        The touchpoint columns; ``step`` is the position (1, 2, ...).  A dict
        ``{column: name}`` also renames them (the ``touchpoint`` value);
        otherwise the column name is the touchpoint.
    rating : str, optional
        Column with the rating of the journey as a whole.  Without it (a file
        with a recommend answer and no overall rating) `recommend` is the
        outcome and ``rating`` is NaN.
    score_scale : str or dict
        Scale of the touchpoint scores (see :data:`journeylib.scales.SCALES`),
        or a dict ``{column: scale}`` when they differ.
    rating_scale : str
        Scale of `rating` (needed with it): a scale name, or the name of a
        column of `df` holding each respondent's own rating scale (when the
        scale changed during the survey, say).  A known scale name is taken as
        the scale even if `df` has a column of that name.  With a column, each
        rating is checked on its own row's scale, and a missing or unknown
        scale name is an error naming the row.
    id : str, optional
        Column identifying the respondent (becomes ``journey_id``); by default
        the respondent's position, 1, 2, ...
    missing : scalar, sequence or dict, optional
        Codes meaning "not answered" (``0`` for "not rated", or ``99``).  A
        scalar or a list applies to the **touchpoint columns only**, never to
        `rating` or `recommend`, where 0 may be a real answer ("0 =
        dissatisfied", "0 = would not recommend").  A dict gives the codes per
        column (``{"wifi": 0, "overall": [0, 99]}``) and applies to the columns
        it names only (the rating and recommend columns too, when named).  The
        codes become NaN; one ``UserWarning`` counts them per column.
    recommend : str, optional
        Column with the likelihood-to-recommend answer, on `recommend_scale`
        (``"nps11"`` by default; ``"binary"`` for yes/no as in Skytrax reviews).
    keep : sequence of str, optional
        Further respondent-level columns to carry onto every row (channel,
        segment, date...).
    ordered : bool, default False
        True when the touchpoint columns, in the order listed, are the order
        in which the customer met them; written to the journey-level
        ``ordered`` column.
    rating_map, recommend_map : dict, optional
        Answer texts to numbers, for outcome columns written as words:
        ``{"satisfied": 1, "neutral or dissatisfied": 0}`` (case and spaces
        ignored).  Every answer must be in the map (a value that is not is an
        error naming its row and value); empty cells and missing tokens stay
        missing.  For a column with value labels (an SPSS file read by
        :func:`journeylib.read_table`) the map may name the labels.  Without a
        map, a column on the ``binary`` scale reads yes/no, ja/nee and
        true/false (any case) as 1/0.

    Returns
    -------
    pandas.DataFrame
        Validated tidy data, respondent by respondent and step by step, with
        the journey-level column ``ordered``.  A touchpoint a respondent did
        not rate stays as a row with a NaN score; a respondent without a
        journey rating is kept with a NaN rating (metrics leave such journeys
        out of rating comparisons), so nothing is dropped.

    Raises
    ------
    ValueError
        When a named column is absent (the message suggests the closest one,
        or the column whose question text was named), for an unknown scale
        name, without `rating` and `recommend`, or for a malformed map.
    JourneyDataError
        When answers are not numbers (text such as ``zes``, a spreadsheet
        error such as ``#N/A``, or True/False on a scale that is not
        ``binary``, each with its own message), not in their label map, or off
        their scale, when an id is missing or repeated, or when the table has
        two columns with a name it uses (spaces ignored).  Rows are the file's
        own when `df` comes from :func:`journeylib.read_table` (rows above
        the header and dropped rows counted), else as a spreadsheet shows the
        table; columns are its own names.  Text in
        :data:`journeylib.schema.NA_TOKENS` (``n/a``, ``NA``...) is a missing
        answer, as everywhere.

    Examples
    --------
    >>> import pandas as pd
    >>> survey = pd.DataFrame({"resp": ["a", "b"], "web": [5, 0], "phone": [2, 4],
    ...                        "overall": [6, 9]})
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     tidy = from_wide(survey, touchpoints=["web", "phone"], rating="overall",
    ...                      score_scale="likert5", rating_scale="stars10", id="resp", missing=0)
    >>> print(caught[0].message)
    1 answer coded as missing (0) set to NaN: 'web' 1.
    >>> tidy[["journey_id", "step", "touchpoint", "score", "rating", "ordered"]]
      journey_id  step touchpoint  score  rating  ordered
    0          a     1        web    5.0     6.0    False
    1          a     2      phone    2.0     6.0    False
    2          b     1        web    NaN     9.0    False
    3          b     2      phone    4.0     9.0    False

    An outcome written in words, and a recommend flag without an overall rating:

    >>> airline = pd.DataFrame({"seat": [4, 2], "food": [5, 1],
    ...                         "satisfaction": ["satisfied", "neutral or dissatisfied"]})
    >>> from_wide(airline, touchpoints=["seat", "food"], rating="satisfaction",
    ...           rating_scale="binary", score_scale="likert5",
    ...           rating_map={"satisfied": 1, "neutral or dissatisfied": 0})["rating"].tolist()
    [1.0, 1.0, 0.0, 0.0]
    >>> reviews = pd.DataFrame({"seat": [4, 2], "staff": [5, 1], "recommended": ["yes", "no"]})
    >>> out = from_wide(reviews, touchpoints=["seat", "staff"], score_scale="likert5",
    ...                 recommend="recommended", recommend_scale="binary")
    >>> out["recommend"].tolist(), out["rating"].isna().all()
    ([1.0, 1.0, 0.0, 0.0], np.True_)
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"from_wide needs a pandas DataFrame, not {type(df).__name__}.")
    columns, names = _columns(touchpoints)
    _outcome_options(rating, rating_scale, recommend, recommend_scale, ordered)
    keep = [keep] if isinstance(keep, str) else list(keep)
    _need_columns(df, columns, "touchpoints")
    for column, argument in ((rating, "rating"), (id, "id"), (recommend, "recommend")):
        if column is not None:
            _need_columns(df, [column], argument)
    reserved = {"journey_id", "step", "touchpoint", "score", "score_scale", "rating",
                "rating_scale", "recommend", "recommend_scale", "ordered"}
    clash = [c for c in keep if c in reserved]
    if clash:
        raise ValueError(f"`keep` cannot carry {clash!r}: these names belong to the tidy contract.")
    _need_columns(df, keep, "keep")
    _check_names(df, [*columns, *keep, *(c for c in (rating, id, recommend) if c is not None),
                      *([rating_scale] if isinstance(rating_scale, str)
                        and rating_scale in df.columns else [])])
    maps = {rating: check_map(rating_map, "rating_map") if rating is not None else None,
            recommend: check_map(recommend_map, "recommend_map") if recommend is not None else None}
    if rating is None and rating_map is not None:
        raise ValueError("`rating_map` is given but `rating` is not: name the rating column.")
    if recommend is None and recommend_map is not None:
        raise ValueError("`recommend_map` is given but `recommend` is not: name its column.")

    if isinstance(score_scale, dict):
        _need_columns(pd.DataFrame(columns=columns), list(score_scale), "score_scale")
        absent = [c for c in columns if c not in score_scale]
        if absent:
            raise ValueError(f"`score_scale` gives no scale for {absent!r}.")
        scales = [get_scale(score_scale[c]).name for c in columns]
    else:
        scales = [get_scale(score_scale).name] * len(columns)
    if recommend is not None:
        recommend_scale = get_scale(recommend_scale).name
    if rating is None:
        rating_scale = get_scale(rating_scale or recommend_scale).name
    per_respondent = (rating is not None and isinstance(rating_scale, str)
                      and rating_scale not in SCALES and rating_scale in df.columns)
    if per_respondent:
        rating_scale_column = rating_scale
        if rating_scale_column in columns or rating_scale_column == rating:
            raise ValueError(f"`rating_scale` names the answer column {rating_scale_column!r}; "
                             "it must hold scale names.")
    else:
        rating_scale = get_scale(rating_scale).name

    n, k = len(df), len(columns)
    outcomes = [c for c in (rating, recommend) if c is not None]
    answer_columns = list(dict.fromkeys([*columns, *outcomes]))
    codes = _missing_codes(missing, columns, answer_columns)
    rows = file_rows(df)
    labels = df.attrs.get(VALUE_LABELS, {})
    problems = _Problems()
    if per_respondent:  # one scale per respondent: names checked (categorical) row by row
        rating_scales = _scale_column(df, rating_scale_column, problems)
    binary = {c: s == "binary" for c, s in zip(columns, scales, strict=True)}
    if rating is not None:
        binary[rating] = ((rating_scales.astype(object) == "binary").to_numpy(dtype=bool)
                          if per_respondent else rating_scale == "binary")
    if recommend is not None:
        binary[recommend] = recommend_scale == "binary"

    # answers through the label maps or cells.parse_numbers; missing codes counted per column
    counts, parsed, raws = {}, {}, {}
    for column in answer_columns:
        col = df[column]
        these = codes.get(column, [])
        coded = col.isin(these).to_numpy() if these else np.zeros(n, dtype=bool)
        counts[column] = int(coded.sum())
        argument = "rating_map" if column == rating else "recommend_map"
        parsed[column], unknown = _read_column(
            col, coded, mapping=maps.get(column), argument=argument,
            value_labels=labels.get(column), binary=binary[column])
        raws[column] = col.to_numpy()
        if unknown is not None:
            problems.add_rows(unknown, column, raws[column],
                              unknown_message(argument, maps[column]))

    journey_ids = _respondent_ids(df, id, problems, rows)
    values = {}
    for column, scale in zip(columns, scales, strict=True):
        values[column] = _check_answers(parsed[column], raws[column], scale, column, problems)
    if per_respondent:
        values[rating] = _check_answers(parsed[rating], raws[rating], None, rating, problems,
                                        binary=binary[rating])
        _check_on_scale(values[rating], rating_scales, rating, rating_scale_column, problems,
                        raw=raws[rating])
    elif rating is not None:
        values[rating] = _check_answers(parsed[rating], raws[rating], rating_scale, rating,
                                        problems)
    if recommend is not None:
        values[recommend] = _check_answers(parsed[recommend], raws[recommend], recommend_scale,
                                           recommend, problems)
    if problems.total:
        raise JourneyDataError(renumber(problems.items, rows), total=problems.total)
    _warn_codes(missing, codes, counts, columns)

    block = np.column_stack([values[c] for c in columns]) if n else np.empty((0, k))
    scale_codes, scale_names = pd.factorize(np.asarray(scales, dtype=object))
    out = {
        "journey_id": np.repeat(journey_ids, k),
        "step": np.tile(np.arange(1, k + 1, dtype="int64"), n),
        "touchpoint": _tiled_text(names, n),
        "score": block.reshape(-1),
        "score_scale": pd.Categorical.from_codes(np.tile(scale_codes, n), scale_names),
        "rating": np.repeat(values[rating], k) if rating is not None else np.full(n * k, np.nan),
        "rating_scale": (
            pd.Categorical.from_codes(np.repeat(rating_scales.cat.codes.to_numpy(), k),
                                      rating_scales.cat.categories)
            if per_respondent
            else pd.Categorical.from_codes(np.zeros(n * k, dtype="int8"), [rating_scale])
        ),
    }
    if recommend is not None:
        out["recommend"] = np.repeat(values[recommend], k)
        out["recommend_scale"] = pd.Categorical.from_codes(np.zeros(n * k, dtype="int8"),
                                                           [recommend_scale])
    out["ordered"] = np.full(n * k, bool(ordered))
    tidy = pd.DataFrame(out)
    rows_k = np.repeat(np.arange(n), k)
    for column in keep:
        tidy[column] = df[column].iloc[rows_k].reset_index(drop=True)
    return validate(tidy)
