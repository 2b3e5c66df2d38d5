"""The tidy contract in SQL: cells read as :mod:`journeylib.cells` reads them, and checked.

The summary query (:func:`journeylib.engines.summary_sql`) starts from three
stages generated here, so the engines read every cell the way the pandas path
does and check it in the same pass as the summary:

``jl_in``
    the source columns, renamed ``r_<column>``, plus ``t_<column>``: text cells
    stripped of white space (Python's ``str.strip``) and lower-cased where a
    token is looked up;
``jl_clean``
    the cells read: numbers as DOUBLE (text in :data:`journeylib.schema.NA_TOKENS`
    and float NaN missing, ``inf`` kept so that it is off every scale, yes/no
    words on the binary scale as 1/0), steps and
    journey ids in their contract type, scale names stripped, timestamps as
    microseconds since 1970 (``ts_us``, time zones respected);
``jl_src``
    the score's scale row joined and its valence ``v``; for the summary,
    ``jl_row_bad``: whether a cell of the row is bad (not a number, a
    spreadsheet error, True/False off the binary scale, off its scale, an
    unknown or missing scale name, a missing journey id, a bad step, a
    timestamp that is not one).

The summary then aggregates per journey (:func:`check_aggs`: bad cells and
duplicate steps, as ``count(step) - n_distinct(step)`` or, where the query has
a window in step order anyway, as a step equal to the one before;
:func:`journey_aggs`: min, max and count of each journey-level column) and
:func:`journey_stage` checks each journey once: its journey-level columns
agree on every row (missing on some rows counts), their scales are known and
the rating and recommend lie on them.  The query stops with ``raise_error``
holding :data:`SENTINEL` on the first bad journey.  Only then does the runner
ask :func:`.problems.detail_sql` for the problems to show (up to 20, and the
total), naming file, journey, step, column and value.  No row comes into
Python on the way.

Types decide the SQL: a DOUBLE score needs no text parsing, a VARCHAR one does.
:func:`duckdb_kinds` and :func:`spark_kinds` map each engine's types to the
few kinds used here.
"""

from __future__ import annotations

from ..scales import SCALES
from ..schema import ERROR_TOKENS, FALSE_TOKENS, NA_TOKENS, TIME_ZONE_PATTERN, TRUE_TOKENS

__all__ = ["SENTINEL", "UNSURE", "check_aggs", "check_failed", "duckdb_kinds", "duplicates_sql",
           "journey_aggs", "journey_stage", "spark_kinds", "stages", "timestamp_mode_sql"]

#: Text of the error the summary query raises when a journey breaks the contract.
SENTINEL = "journeylib-check: the data breaks the journey contract"

#: Columns whose cells are read and checked (journey-level ones also agree within a journey).
NUMBERS = ("score", "rating", "recommend")
SCALE_OF = {"score": "score_scale", "rating": "rating_scale", "recommend": "recommend_scale"}
JOURNEY_LEVEL = ("rating", "rating_scale", "recommend", "recommend_scale", "ordered")
_ALIAS = {"score": "ss", "rating": "rs", "recommend": "ns"}

_INT64_MAX = 2**63 - 1
_EXACT = "9007199254740992.0E0"  # 2**53: beyond it a double is not an exact whole number

# Python's str.strip() removes the characters for which str.isspace() is true (all below U+3001)
_WS_CHARS = [c for c in map(chr, range(0x3001)) if c.isspace()]
_WS = "".join(f"\\x{{{ord(c):x}}}" for c in _WS_CHARS)
_STRIP = f"(?s)^[{_WS}]*(.*?)[{_WS}]*$"
# what pandas.to_numeric reads from stripped, lower-cased text (DuckDB alone also takes "1_000",
# Spark "1d" and "1f"): digits with an optional point and exponent, or inf/infinity
_NUMBER = "^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)(e[+-]?[0-9]+)?|inf|infinity)$"


# a time with an offset: (date and hh:mm)(:ss.ffffff or nothing) spaces (zone)
_ZONED = (f"^(.*[ T][0-9]{{1,2}}:[0-9]{{2}})((?::[0-9]{{2}}(?:[.][0-9]+)?)?)[{_WS}]*"
          f"([zZ]|[+-][0-9]{{2}}(?::?[0-9]{{2}})?)$")


def _lit(value) -> str:
    """A SQL string literal of `value`."""
    return "'" + str(value).replace("'", "''") + "'"


def _in(tokens) -> str:
    return "(" + ", ".join(_lit(t) for t in tokens) + ")"


_NA = _in(NA_TOKENS)
_ERR = _in(ERROR_TOKENS)

# --- engine types -> kinds ------------------------------------------------------------------------

_INTS = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
         "UBIGINT", "UHUGEINT"}


def duckdb_kinds(columns, types) -> dict:
    """Kind of each column from DuckDB type names: int, decimal, float, bool, text, ts, tstz, other."""
    kinds = {}
    for name, typ in zip(columns, types, strict=True):
        t = str(typ).upper()
        if t in _INTS:
            kinds[name] = "int"
        elif t.startswith("DECIMAL"):
            kinds[name] = "decimal"
        elif t in ("FLOAT", "DOUBLE"):
            kinds[name] = "float"
        elif t == "BOOLEAN":
            kinds[name] = "bool"
        elif t == "VARCHAR":
            kinds[name] = "text"
        elif t in ("TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ"):
            kinds[name] = "tstz"
        elif t.startswith("TIMESTAMP") or t == "DATE":
            kinds[name] = "ts"
        else:
            kinds[name] = "other"
    return kinds


def spark_kinds(schema) -> dict:
    """Kind of each column of a Spark schema (a ``StructType``), as :func:`duckdb_kinds`."""
    names = {"byte": "int", "short": "int", "integer": "int", "long": "int", "decimal": "decimal",
             "float": "float", "double": "float", "boolean": "bool", "string": "text",
             "timestamp": "tstz", "timestamp_ntz": "ts", "date": "ts"}
    return {f.name: names.get(f.dataType.typeName(), "other") for f in schema.fields}


# --- reading cells --------------------------------------------------------------------------------

def _prep(col: str, kind: str) -> list[str]:
    """jl_in columns for `col`: the raw cell and, for text, the stripped text."""
    out = [f"r.{col} AS r_{col}"]
    strip = f"regexp_extract(CAST(r.{col} AS STRING), '{_STRIP}', 1)"
    if col.endswith("_scale") and kind == "text":  # a known name needs no regular expression
        out.append(f"CASE WHEN r.{col} IN {_in(SCALES)} THEN r.{col} ELSE {strip} END AS t_{col}")
    elif col == "journey_id":
        pass  # only "blank or not" matters: _blank
    elif kind in ("text", "other", "bool") and col in ("score_scale", "rating_scale",
                                                       "recommend_scale", "timestamp"):
        out.append(f"{strip} AS t_{col}")
    elif kind in ("text", "other"):
        out.append(f"lower(regexp_extract(CAST(r.{col} AS STRING), '{_STRIP}', 1)) AS t_{col}")
    return out


def _number(col: str, kind: str, scale: str | None = None) -> str:
    """The cell as a DOUBLE (NULL when missing or not a number).

    With `scale` (an expression giving the row's scale name), text in
    :data:`journeylib.schema.TRUE_TOKENS` / ``FALSE_TOKENS`` reads as 1 / 0
    on the ``binary`` scale (yes/no, ja/nee), as :func:`journeylib.validate`.
    """
    r = f"r_{col}"
    if kind in ("int", "decimal"):
        return f"CAST({r} AS DOUBLE)"
    if kind == "float":
        return f"CASE WHEN isnan({r}) THEN NULL ELSE CAST({r} AS DOUBLE) END"
    if kind == "bool":
        return f"CASE WHEN {r} THEN 1.0E0 WHEN NOT {r} THEN 0.0E0 END"
    t = f"t_{col}"
    words = "" if scale is None else (
        f"WHEN {scale} = 'binary' AND {t} IN {_in(TRUE_TOKENS)} THEN 1.0E0 "
        f"WHEN {scale} = 'binary' AND {t} IN {_in(FALSE_TOKENS)} THEN 0.0E0 ")
    return f"CASE WHEN rlike({t}, '{_NUMBER}') THEN TRY_CAST({t} AS DOUBLE) {words}END"


def _parse_problem(col: str, kind: str, scale: str):
    """(flag, code) of a cell that is not a number; None when the kind cannot hold one."""
    r = f"r_{col}"
    if kind == "bool":
        flag = f"{r} IS NOT NULL AND coalesce({scale}, '') <> 'binary'"
        return flag, f"CASE WHEN {flag} THEN 'bool' END"
    if kind in ("text", "other"):
        t = f"t_{col}"
        flag = f"{r} IS NOT NULL AND {col} IS NULL AND {t} NOT IN {_NA}"
        return flag, (f"CASE WHEN {flag} THEN CASE WHEN {t} IN {_ERR} THEN 'error_value' "
                      f"ELSE 'not_number' END END")
    return None


def _whole(x: str, low: str, high: str) -> str:
    """`x` when it is a whole number from `low` to `high` (a BIGINT), else NULL."""
    return (f"CASE WHEN isnan({x}) OR {x} < {low} OR {x} >= {high} THEN NULL "
            f"WHEN {x} <> floor({x}) THEN NULL ELSE CAST({x} AS BIGINT) END")


def _step(kind: str) -> tuple[str, str]:
    """(clean step, flag of a bad one): a whole number >= 0 that fits a signed 64-bit integer."""
    r = "r_step"
    if kind == "int":
        return r, f"{r} IS NULL OR {r} < 0 OR {r} > {_INT64_MAX}"
    if kind == "bool":
        return "CAST(NULL AS BIGINT)", "TRUE"
    x = {"decimal": f"CAST({r} AS DOUBLE)", "float": r}.get(kind, _number("step", kind))
    return _whole(x, "0", _EXACT), "step IS NULL"


def _blank(x: str) -> str:
    """`x` (text) is empty once stripped; a first character that is not white space says no
    without a regular expression."""
    ws = ", ".join(f"chr({ord(c)})" for c in _WS_CHARS)
    return f"(substr({x}, 1, 1) IN ('', {ws}) AND rlike({x}, '^[{_WS}]*$'))"


def _journey(kind: str) -> tuple[str, str, str]:
    """(clean journey_id, flag, code) as :func:`journeylib.validate` reads ids."""
    r = "r_journey_id"
    missing = "'journey_id_missing'"
    if kind == "float":
        return (_whole(r, f"-{_EXACT}", _EXACT), f"{r} IS NULL OR journey_id IS NULL",
                f"CASE WHEN {r} IS NULL OR isnan({r}) THEN {missing} "
                f"WHEN journey_id IS NULL THEN 'journey_id_float' END")
    if kind == "bool":
        clean = f"CASE WHEN {r} THEN 'True' WHEN NOT {r} THEN 'False' END"
        flag = f"{r} IS NULL"
    elif kind in ("text", "other"):
        clean = r if kind == "text" else f"CAST({r} AS STRING)"
        flag = f"{r} IS NULL OR {_blank(f'CAST({r} AS STRING)')}"
    else:
        clean, flag = r, f"{r} IS NULL"
    return clean, flag, f"CASE WHEN {flag} THEN {missing} END"


def _timestamp(kind: str, mode):
    """(microseconds since 1970, flag, code) for the timestamp column; no flag when typed.

    Text is read when it is ISO 8601 (``2026-04-03 14:30``, with a ``T``, with
    an offset such as ``+02:00`` or ``Z``); `mode` "mixed" reports times
    without a zone among times with one, as :func:`journeylib.cells.parse_timestamps`.
    """
    r = "r_timestamp"
    if kind == "tstz":
        return f"unix_micros({r})", None, None
    if kind == "ts":
        return f"unix_micros(CAST({r} AS TIMESTAMP))", None, None
    if kind in ("int", "decimal", "float", "bool"):
        flag = f"{r} IS NOT NULL" + (f" AND NOT isnan({r})" if kind == "float" else "")
        return "CAST(NULL AS BIGINT)", flag, f"CASE WHEN {flag} THEN 'ts_number' END"
    t = "t_timestamp"
    aware = f"rlike(CAST({r} AS STRING), '{TIME_ZONE_PATTERN}')"
    # one spelling both engines read: seconds present, no space before the offset
    part = [f"regexp_extract({t}, '{_ZONED}', {i})" for i in (1, 2, 3)]
    zoned = f"concat({part[0]}, CASE WHEN {part[1]} = '' THEN ':00' ELSE {part[1]} END, {part[2]})"
    clean = (f"CASE WHEN lower({t}) IN {_NA} THEN NULL "
             f"WHEN {aware} THEN unix_micros(TRY_CAST({zoned} AS TIMESTAMPTZ)) "
             f"ELSE unix_micros(TRY_CAST({t} AS TIMESTAMP)) END")
    present = f"{r} IS NOT NULL AND lower({t}) NOT IN {_NA}"
    if mode == "mixed":
        return (clean, f"{present} AND (ts_us IS NULL OR NOT {aware})",
                f"CASE WHEN {present} THEN CASE WHEN NOT {aware} THEN 'ts_mixed' "
                f"WHEN ts_us IS NULL THEN 'not_date' END END")
    flag = f"{present} AND ts_us IS NULL"
    return clean, flag, f"CASE WHEN {flag} THEN 'not_date' END"


def _ordered(kind: str) -> tuple[str, str]:
    """(clean ``ordered``, flag of a bad cell): True/False, yes/no, 1/0; missing means ordered."""
    r = "r_ordered"
    if kind == "bool":
        return f"coalesce({r}, TRUE)", "FALSE"
    t = "t_ordered" if kind in ("text", "other") else f"lower(CAST({r} AS STRING))"
    clean = (f"CASE WHEN {r} IS NULL OR {t} IN {_NA} THEN TRUE WHEN {t} IN {_in(FALSE_TOKENS)} "
             f"THEN FALSE WHEN {t} IN {_in(TRUE_TOKENS)} THEN TRUE END")
    return clean, "ordered IS NULL"


def _scale(col: str, kinds: dict) -> str:
    if col not in kinds:
        return "'nps11'"  # the recommend question's default scale
    return f"CASE WHEN r_{col} IS NULL THEN NULL ELSE t_{col} END" if kinds[col] in (
        "text", "other", "bool") else f"CAST(r_{col} AS STRING)"


def _scales_sql() -> str:
    """The scale table as an inline VALUES table, generated from :data:`journeylib.scales.SCALES`."""
    rows = ", ".join(
        f"('{sc.name}', {float(sc.low)!r}E0, {float(sc.high)!r}E0, {float(sc.high - sc.low)!r}E0, "
        f"{str(sc.reversed).upper()}, {str(sc.integer).upper()}, {i})"
        for i, sc in enumerate(SCALES.values())
    )
    return f"(VALUES {rows}) AS jl_scales(name, lo, hi, span, rev, whole, idx)"


def _valence(x: str, t: str) -> str:
    """Valence of `x` on the scale row `t` (:func:`journeylib.scales.valence`), NULL off the table."""
    v = f"2.0E0 * ({x} - {t}.lo) / {t}.span - 1.0E0"
    return f"CASE WHEN {t}.name IS NULL OR {x} IS NULL THEN NULL WHEN {t}.rev THEN -({v}) ELSE {v} END"


def _off_scale(x: str, t: str) -> str:
    """Flag of a value that is not a valid answer on the scale row `t` (``inf`` never is)."""
    return f"({x} < {t}.lo OR {x} > {t}.hi OR ({t}.whole AND {x} <> floor({x})))"


def _scale_problem(scale: str, t: str) -> tuple[str, str]:
    flag = f"{scale} IS NULL OR {t}.name IS NULL"
    return flag, (f"CASE WHEN {scale} IS NULL THEN 'scale_missing' "
                  f"WHEN {t}.name IS NULL THEN 'unknown_scale' END")


def checked(kinds: dict) -> list[str]:
    """The checked columns present, in the order problems are listed."""
    order = ("journey_id", "step", "score_scale", "rating_scale", "recommend_scale", "score",
             "rating", "recommend", "timestamp", "ordered")
    return [c for c in order if c in kinds and (c != "recommend_scale" or "recommend" in kinds)]


def stages(table: str, kinds: dict, *, file_column=None, ts_mode=None, rows=False,
           extra: str | None = None) -> str:
    """CTE text ``jl_scales, jl_in, jl_clean, jl_src`` over `table` (no WITH, no final comma).

    Parameters
    ----------
    table : str
        Table expression.
    kinds : dict
        Column name -> kind (:func:`duckdb_kinds`); the columns the table has.
    file_column : str, optional
        A column of `table` naming each row's file (kept as ``jl_file``).
    ts_mode : {None, "mixed"}
        "mixed": text timestamps mix times with and without a time zone.
    rows : bool, default False
        False (the summary): ``jl_src`` has the score's valence ``v`` and
        ``jl_row_bad``, whether a cell of the row is bad; the journey-level
        columns' scales are checked once per journey (:func:`journey_stage`).
        True (the problem list): ``jl_src`` has a problem code ``p_<column>``
        for every checked cell, journey-level columns included.
    extra : str, optional
        More ``jl_src`` columns, over ``c`` (the cells read) and ``ss`` (the
        score's scale row), such as :func:`.fast.level_columns`.
    """
    cols = checked(kinds)
    passthrough = [c for c in ("touchpoint", "channel", "actor") if c in kinds]
    prep = [p for c in cols for p in _prep(c, kinds[c])]
    prep += [f"r.{c}" for c in passthrough]
    prep.append(f"r.{file_column} AS jl_file" if file_column else "CAST(NULL AS STRING) AS jl_file")
    jid, f_jid, p_jid = _journey(kinds["journey_id"])
    step, f_step = _step(kinds["step"])
    clean = ["jl_in.*", f"{jid} AS journey_id", f"{step} AS step"]
    flags = {"journey_id": f_jid, "step": f_step}
    codes = {"journey_id": p_jid, "step": f"CASE WHEN {f_step} THEN 'step' END"}
    joined = [c for c in NUMBERS if c in kinds and (rows or c == "score")]
    for col in NUMBERS:
        if col not in kinds:
            continue
        scale, t = SCALE_OF[col], _ALIAS[col]
        clean.append(f"{_scale(scale, kinds)} AS {scale}")
        clean.append(f"{_number(col, kinds[col], _scale(scale, kinds))} AS {col}")
        parse = _parse_problem(col, kinds[col], scale)
        if col in joined:
            off = _off_scale(col, t)
            flags[col] = off if parse is None else f"({parse[0]}) OR {off}"
            codes[col] = (f"CASE WHEN {off} THEN 'off_scale' END" if parse is None
                          else f"coalesce({parse[1]}, CASE WHEN {off} THEN 'off_scale' END)")
            if scale in kinds:
                flags[scale], codes[scale] = _scale_problem(scale, t)
        elif parse is not None:
            flags[col], codes[col] = parse
    if "ordered" in kinds:
        clean.append(f"{_ordered(kinds['ordered'])[0]} AS ordered")
        flags["ordered"] = _ordered(kinds["ordered"])[1]
        codes["ordered"] = f"CASE WHEN {flags['ordered']} THEN 'ordered' END"
    if "timestamp" in kinds:
        ts, flag, code = _timestamp(kinds["timestamp"], ts_mode)
        clean.append(f"{ts} AS ts_us")
        if flag is not None:
            flags["timestamp"], codes["timestamp"] = flag, code
    joins = "".join(f"\n  LEFT JOIN jl_scales AS {_ALIAS[c]} ON c.{SCALE_OF[c]} = {_ALIAS[c]}.name"
                    for c in joined)
    if rows:
        extra = [f"{codes[c]} AS p_{c}" for c in cols if c in codes]
    else:
        extra = [f"({' OR '.join(f'({f})' for f in flags.values())}) AS jl_row_bad"] + (
            [extra] if extra else [])
    return (
        f"jl_scales AS (SELECT * FROM {_scales_sql()}),\n"
        f"jl_in AS (SELECT {', '.join(prep)} FROM {table} AS r),\n"
        f"jl_clean AS (SELECT {', '.join(clean)} FROM jl_in),\n"
        f"jl_src AS (SELECT c.*, {_valence('c.score', 'ss')} AS v, {', '.join(extra)}\n"
        f"  FROM jl_clean AS c{joins})"
    )


def scale_code(col: str) -> str:
    """A scale name as its index in the scale table (-1 when unknown): journeys compare and join
    numbers, not text; an unknown name stops the query whatever its code."""
    whens = " ".join(f"WHEN {col} = {_lit(name)} THEN {i}" for i, name in enumerate(SCALES))
    return f"CASE WHEN {col} IS NULL THEN NULL {whens} ELSE -1 END"


def journey_level(kinds: dict) -> list[str]:
    """The journey-level columns present (``recommend_scale`` only with ``recommend``)."""
    return [c for c in JOURNEY_LEVEL if c in kinds and (c != "recommend_scale" or "recommend" in kinds)]


def _differs(lo: str, hi: str, n: str, rows: str) -> str:
    return f"{lo} <> {hi} OR ({n} > 0 AND {n} < {rows})"


def journey_aggs(kinds: dict) -> dict:
    """Per-journey aggregates of the journey-level columns: min, max and count of each.

    The summary needs them anyway (the rating's valence is taken once per
    journey, from ``jl_hi_rating`` on the scale ``jl_hi_rating_scale``).
    """
    aggs = {}
    for c in journey_level(kinds):
        aggs[f"jl_lo_{c}"] = f"min({c})"
        aggs[f"jl_hi_{c}"] = f"max({c})"
        aggs[f"jl_n_{c}"] = f"count({c})"
    aggs["jl_rows"] = "count(*)"
    return aggs


#: Name of the summary's extra column in ``duplicates="flag"`` mode (see :func:`check_aggs`).
UNSURE = "jl_unsure"


def check_aggs(window: bool, duplicates: str = "exact") -> dict:
    """Per-journey aggregates of the row checks: bad cells, and duplicate steps.

    Duplicate steps: with a window over the journey's rows in step order
    already in the query, a step equal to the one before (``jl_prev_step``).
    Without one, `duplicates` "exact" counts ``count(step) - n_distinct(step)``,
    which costs a hash table of every (journey, step) pair; "flag" sets each
    step's bit ``step % 64`` in a 64-bit word instead (one cheap aggregate):
    as many bits as steps proves the steps distinct, since equal steps share a
    bit.  Journeys it cannot clear (steps 64 apart, more than 64 steps, or a
    real duplicate) come out flagged in :data:`UNSURE`, and the runner checks
    only those exactly (:func:`duplicates_sql`).
    """
    aggs = {"jl_bad": "count(*) FILTER (WHERE jl_row_bad)"}
    if window:
        aggs["jl_dup"] = "count(*) FILTER (WHERE step = jl_prev_step)"
    elif duplicates == "flag":
        aggs["jl_dup"] = "0"
        aggs[UNSURE] = "bit_count(bit_or(jl_bit(CAST((step % 64 + 64) % 64 AS INT)))) < count(step)"
    else:
        aggs["jl_dup"] = "count(step) - n_distinct(step)"
    return aggs


def duplicates_sql(table: str, kinds: dict, ids: str) -> str:
    """Whether a (journey_id, step) repeats among the journeys listed in the table `ids`."""
    return (f"WITH {stages(table, kinds)}\n"
            f"SELECT count(*) FROM (SELECT journey_id FROM jl_src WHERE step IS NOT NULL "
            f"AND journey_id IN (SELECT journey_id FROM {ids}) "
            f"GROUP BY journey_id, step HAVING count(*) > 1 LIMIT 1) AS d")


def journey_stage(kinds: dict, source: str = "agg") -> tuple[str, str]:
    """(CTE body over the per-journey aggregates, condition of a bad journey).

    Adds ``j_rv``, the rating's valence; a journey is bad when a cell is bad,
    a step repeats, a journey-level column differs between rows (or is missing
    on some), a scale of a journey-level column is missing or unknown, or the
    rating or recommend is off its scale.
    """
    joins = [f"LEFT JOIN jl_scales AS rs ON {source}.jl_hi_rating_scale = rs.idx"]
    cond = ["jl_bad > 0", "jl_dup > 0"]
    cond += [_differs(f"jl_lo_{c}", f"jl_hi_{c}", f"jl_n_{c}", "jl_rows") for c in journey_level(kinds)]
    cond += ["jl_n_rating_scale = 0 OR rs.name IS NULL",
             f"jl_hi_rating IS NOT NULL AND {_off_scale('jl_hi_rating', 'rs')}"]
    if "recommend" in kinds:
        if "recommend_scale" in kinds:
            joins.append(f"LEFT JOIN jl_scales AS ns ON {source}.jl_hi_recommend_scale = ns.idx")
            cond.append("jl_n_recommend_scale = 0 OR ns.name IS NULL")
        else:
            joins.append("LEFT JOIN jl_scales AS ns ON ns.name = 'nps11'")
        cond.append(f"jl_hi_recommend IS NOT NULL AND {_off_scale('jl_hi_recommend', 'ns')}")
    names = ", ns.name AS jl_recommend_scale_name" if "recommend" in kinds else ""
    body = (f"SELECT {source}.*, {_valence('jl_hi_rating', 'rs')} AS j_rv{names}, "
            f"({' OR '.join(f'({c})' for c in cond)}) AS jl_bad_journey "
            f"FROM {source} " + " ".join(joins))
    return body, "jl_bad_journey"


def timestamp_mode_sql(table: str, kinds: dict) -> str | None:
    """A one-column pre-pass for text timestamps: how many have a time zone and how many not."""
    if kinds.get("timestamp") not in ("text", "other"):
        return None
    t = f"regexp_extract(CAST(timestamp AS STRING), '{_STRIP}', 1)"
    aware = f"rlike(CAST(timestamp AS STRING), '{TIME_ZONE_PATTERN}')"
    present = f"timestamp IS NOT NULL AND lower({t}) NOT IN {_NA}"
    return (f"SELECT count(*) FILTER (WHERE {present} AND {aware}), "
            f"count(*) FILTER (WHERE {present} AND NOT {aware}) FROM {table}")


def check_failed(exc) -> bool:
    """Whether an engine error is the summary's contract check stopping the query."""
    return SENTINEL in str(exc)
