"""The problems, once the summary query stopped: listed in SQL, worded in Python.

:func:`detail_sql` runs only after the summary's contract check stopped the
query (:data:`.checks.SENTINEL`).  It reads the rows through the same stages
(:func:`.checks.stages` with ``rows=True``: a problem code per cell) and returns
at most 20 problems and the total, each naming file, journey, step, column and
value.  :func:`to_error` words them with :data:`journeylib.schema.MESSAGES`, as
:func:`journeylib.validate` does.
"""

from __future__ import annotations

import difflib

from ..scales import SCALES
from ..schema import MAX_PROBLEMS, MESSAGES, JourneyDataError
from .checks import NUMBERS, SCALE_OF, _differs, checked, journey_level, stages

__all__ = ["detail_sql", "to_error"]


def _problem_columns(kinds: dict) -> list[str]:
    """Checked columns whose cells can be wrong given their kind (a TIMESTAMP column cannot)."""
    return [c for c in checked(kinds) if not (c == "timestamp" and kinds[c] in ("ts", "tstz"))]


def detail_sql(table: str, kinds: dict, *, file_column=None, ts_mode=None,
               limit: int = MAX_PROBLEMS) -> str:
    """The problems of `table`: the first `limit`, each with the total, for :func:`to_error`.

    One row per bad cell (an unknown scale name once, an off-scale rating once
    per journey, as :func:`journeylib.validate` lists them), per duplicated
    (journey_id, step), and per row whose journey-level value differs from the
    journey's first step.  Columns: ``ord, col, kind, value, info, info2,
    file, journey, step, total``.  Run only after the summary stopped.
    """
    cols = _problem_columns(kinds)
    order = {c: 10 * i for i, c in enumerate(checked(kinds))}
    jtxt = "coalesce(CAST(journey_id AS STRING), CAST(r_journey_id AS STRING))"
    null = "CAST(NULL AS STRING)"
    parts = []
    for c in cols:
        info = f"CAST({SCALE_OF[c]} AS STRING)" if c in NUMBERS else null
        if c in SCALE_OF.values():
            grp = f"CASE WHEN p_{c} = 'unknown_scale' THEN {c} END"
        elif c in ("rating", "recommend"):  # one problem per journey, as validate checks its first row
            grp = f"CASE WHEN p_{c} = 'off_scale' THEN concat({jtxt}, '|', CAST(r_{c} AS STRING)) END"
        else:
            grp = null
        parts.append(f"SELECT {order[c]} AS ord, '{c}' AS col, p_{c} AS kind, "
                     f"CAST(r_{c} AS STRING) AS value, {info} AS info, {null} AS info2, {grp} AS grp, "
                     f"jl_file, {jtxt} AS journey, CAST(r_step AS STRING) AS step "
                     f"FROM jl_src WHERE p_{c} IS NOT NULL")
    rowp = "\n  UNION ALL ".join(parts)
    levels = journey_level(kinds)
    keep = "ord, col, kind, value, info, info2, jl_file, journey, step"
    pieces = [
        f"SELECT {keep}, CAST(1 AS BIGINT) AS weight FROM jl_rowp WHERE grp IS NULL",
        f"SELECT {keep}, weight FROM (SELECT *, row_number() OVER (PARTITION BY ord, grp ORDER BY "
        f"jl_file, journey, step) AS rn, CASE WHEN kind = 'unknown_scale' THEN count(*) OVER "
        f"(PARTITION BY ord, grp) ELSE 1 END AS weight "
        f"FROM jl_rowp WHERE grp IS NOT NULL) AS g WHERE rn = 1",
        "SELECT 15 AS ord, 'step' AS col, 'duplicate' AS kind, CAST(ds AS STRING) AS value, "
        "CAST(count(*) AS STRING) AS info, max(jl_file) AS info2, min(jl_file) AS jl_file, "
        "CAST(dj AS STRING) AS journey, CAST(ds AS STRING) AS step, count(*) - 1 AS weight "
        "FROM (SELECT journey_id AS dj, step AS ds, jl_file FROM jl_src "
        "WHERE journey_id IS NOT NULL AND step IS NOT NULL) AS d GROUP BY dj, ds HAVING count(*) > 1",
    ]
    ctes = [f"jl_rowp AS ({rowp})"]
    if levels:
        having = " OR ".join(f"({_differs(f'min({c})', f'max({c})', f'count({c})', 'count(*)')})"
                             for c in levels)
        firsts = ", ".join(
            f"first_value({c}) OVER w AS jl_f_{c}, first_value(CAST(r_{c} AS STRING)) OVER w AS jl_fr_{c}"
            for c in levels)
        ctes.append(f"jl_flag AS (SELECT journey_id AS fj FROM jl_src WHERE journey_id IS NOT NULL "
                    f"GROUP BY journey_id HAVING {having})")
        ctes.append(f"jl_first AS (SELECT jl_src.*, {firsts} FROM jl_src "
                    f"WHERE journey_id IN (SELECT fj FROM jl_flag) "
                    f"WINDOW w AS (PARTITION BY journey_id ORDER BY step, jl_file))")
        for i, c in enumerate(levels):
            raw = f"CAST(r_{c} AS STRING)" if c in kinds else f"'{c}'"
            pieces.append(
                f"SELECT {100 + i} AS ord, '{c}' AS col, 'differs' AS kind, {raw} AS value, "
                f"jl_fr_{c} AS info, {null} AS info2, jl_file, CAST(journey_id AS STRING) AS journey, "
                f"CAST(r_step AS STRING) AS step, CAST(1 AS BIGINT) AS weight "
                f"FROM jl_first WHERE {c} IS DISTINCT FROM jl_f_{c}")
    ctes.append("jl_all AS (" + "\n  UNION ALL ".join(pieces) + ")")
    return (
        f"WITH {stages(table, kinds, file_column=file_column, ts_mode=ts_mode, rows=True)},\n"
        + ",\n".join(ctes) + "\n"
        f"SELECT ord, col, kind, value, info, info2, jl_file, journey, step, "
        f"sum(weight) OVER () AS total FROM jl_all\n"
        f"ORDER BY ord, jl_file NULLS FIRST, TRY_CAST(journey AS DOUBLE) NULLS LAST, journey, "
        f"TRY_CAST(step AS DOUBLE) NULLS LAST, step LIMIT {int(limit)}"
    )


def _typed(text, kind):
    """A value as text from the engine back to the Python value the user wrote."""
    if text is None:
        return None
    try:
        if kind == "int":
            return int(text)
        if kind in ("float", "decimal"):
            x = float(text)
            return int(x) if kind == "decimal" and x.is_integer() else x
    except ValueError:
        return text
    if kind == "bool":
        return text.lower() == "true"
    return text


def _id(text, kind):
    """A journey id or step as text back to a number where the column holds numbers."""
    if text is None or kind not in ("int", "float", "decimal", "any"):
        return text
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def _file(name):
    if name is None or not str(name).startswith("file:"):
        return name
    from urllib.parse import unquote, urlparse

    return unquote(urlparse(str(name)).path)


def _message(kind, col, value, info, info2, journey, step, scale_column):
    from ..checks import off_scale_message

    if kind in ("not_number", "error_value", "bool"):
        return MESSAGES[kind].format(column=col, value=value)
    if kind == "off_scale":
        return off_scale_message(info, scale_column)
    if kind == "unknown_scale":
        close = difflib.get_close_matches(str(value), list(SCALES), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"{MESSAGES['unknown_scale']}{hint}; known scales: {', '.join(SCALES)}"
    if kind == "duplicate":
        files = f", also in file {_file(info2)!r}" if info2 is not None else ""
        return (f"duplicate step {step} in journey {journey!r} ({info} rows{files}); "
                f"{MESSAGES['duplicate']}")
    if kind == "differs":
        head = "<missing>" if info is None else info
        return MESSAGES["differs"].format(column=col, journey=repr(journey)).replace(
            "; a journey", f" (first row of the journey has {head!r}); a journey")
    if kind == "not_date":
        return (f"{MESSAGES['not_date']} (the SQL engines read ISO 8601 text such as "
                f"'2026-04-03 14:30' or '2026-04-03T14:30+02:00')")
    return MESSAGES[kind]


def to_error(rows, kinds: dict, source=None) -> JourneyDataError:
    """The :class:`~journeylib.JourneyDataError` for the rows of :func:`detail_sql`."""
    problems, total = [], 0
    for _, col, kind, value, info, info2, file, journey, step, n in rows:
        total = int(n)
        jkind, skind = kinds.get("journey_id", "any"), kinds.get("step", "any")
        j = None if kind == "journey_id_missing" else _id(journey, jkind)
        s = _id(step, skind)
        if kind == "differs":
            v = _typed(value, kinds.get(col))
            info = _typed(info, kinds.get(col))
        elif kind == "duplicate":
            v = _id(value, skind)
            info2 = info2 if info2 != file else None
        else:
            v = _typed(value, kinds[col])
        problem = {"file": _file(file), "journey": j, "step": s, "column": col,
                   "message": _message(kind, col, v, info, info2, j, s, SCALE_OF.get(col))}
        if kind != "journey_id_missing":
            problem["value"] = v
        problems.append(problem)
    if not problems:  # the summary stopped but no problem came back: never pass in silence
        problems = [{"message": "the engine stopped on a contract check but listed no problem"}]
        total = 1
    return JourneyDataError(problems, source=source, total=total)
