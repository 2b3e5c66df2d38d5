"""The DuckDB runner: Parquet files or a pandas frame, within a memory limit, in linear time.

The summary is one query of fixed-size aggregates (:func:`.sql.summary_sql`
with a :class:`.fast.Plan`); the few journeys it flags are computed again by
the exact query.  Inputs larger than `batch_rows` are split once into parts of
whole journeys (:mod:`.partition`), each summarised in memory.  The query
checks the contract as it goes (:mod:`.checks`); when it stops on a bad
journey, a second query over the input lists the problems, naming each row's
file (``read_parquet(..., filename=...)``), journey, step, column and value.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from ..schema import MESSAGES, JourneyDataError
from . import checks, fast, partition, problems
from .sources import (
    _check_files,
    _engine_error,
    _finish,
    _frame_columns,
    _frame_for_engine,
    _parquet_files,
    _where,
)
from .sql import _DUCKDB_SHIMS, summary_sql


def _memory_bytes(limit: str) -> float:
    m = re.fullmatch(r"\s*([\d.]+)\s*([KMGT]?)i?B?\s*", str(limit), flags=re.I)
    if m is None:
        raise ValueError(f"The value for `memory_limit` must look like '2GB', but {limit!r} was passed.")
    return float(m.group(1)) * 1024 ** "BKMGT".index((m.group(2) or "B").upper())


#: Rows summarised at once for each GB of memory_limit: a journey summary keeps some sixty
#: aggregates per journey, so larger inputs are split once into parts of whole journeys
#: (:mod:`.partition`), each summarised in memory.
ROWS_PER_GB = 2_000_000


def _run_duckdb(source, metrics, memory_limit, threads, out, batch_rows=None):
    import duckdb

    spill = tempfile.mkdtemp(prefix="journeylib-duckdb-")  # beyond memory_limit DuckDB spills here
    con = duckdb.connect(config={"memory_limit": memory_limit, "preserve_insertion_order": False,
                                 "temp_directory": spill,
                                 **({"threads": threads} if threads else {})})
    try:
        for shim in _DUCKDB_SHIMS:
            con.execute(shim)
        files = None
        if isinstance(source, pd.DataFrame):
            _frame_columns(source)
            frame = _frame_for_engine(source)
            con.register("journeylib_source", frame)
            table = detail_table = "journeylib_source"
            where, file_column, n_rows = None, None, len(source)
        else:
            files = _parquet_files(source)
            _, n_rows = _check_files(files)
            listed = "[" + ", ".join("'" + f.replace("'", "''") + "'" for f in files) + "]"
            table = f"read_parquet({listed})"
            detail_table = f"read_parquet({listed}, filename='jl_file')"
            where, file_column = _where(files), "jl_file"
        if n_rows == 0:
            raise JourneyDataError([{"message": MESSAGES["empty"]}], source=where)
        rel = con.sql(f"SELECT * FROM {table} LIMIT 0")
        kinds = checks.duckdb_kinds(rel.columns, rel.types)
        try:
            ts_mode = None
            pre = checks.timestamp_mode_sql(table, kinds)
            if pre is not None and min(con.execute(pre).fetchall()[0]) > 0:
                ts_mode = "mixed"
                raise duckdb.InvalidInputException(checks.SENTINEL)
            if batch_rows is None:
                batch_rows = max(1_000_000, int(ROWS_PER_GB * _memory_bytes(memory_limit) / 1024**3))
            if n_rows <= batch_rows:
                return _deliver(con, [lambda: _summary(con, table, kinds, metrics)], True, out, spill)
            if files is None:  # a large frame: through a file, to be split like any other
                import pyarrow as pa
                import pyarrow.parquet as pq

                files = [os.path.join(spill, "frame.parquet")]
                pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), files[0])
            paths, ordered = partition.split(files, n_rows, -(-n_rows // batch_rows), spill)
            return _deliver(con, [functools.partial(_summary_of_part, con, p, metrics) for p in paths],
                            ordered, out, spill)
        except duckdb.Error as exc:
            if not checks.check_failed(exc):
                _engine_error(exc, where)
            if out is not None:
                Path(out).unlink(missing_ok=True)
            sql = problems.detail_sql(detail_table, kinds, file_column=file_column, ts_mode=ts_mode)
            raise problems.to_error(con.execute(sql).fetchall(), kinds, where) from None
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


def _summary_of_part(con, path, metrics):
    """The summary of one part written by :func:`.partition.split` (deleted afterwards)."""
    rows = partition.read(path)
    con.register("jl_part", rows)
    try:
        rel = con.sql("SELECT * FROM jl_part LIMIT 0")
        return _summary(con, "jl_part", checks.duckdb_kinds(rel.columns, rel.types), metrics)
    finally:
        con.unregister("jl_part")
        del rows
        os.unlink(path)


def _summary(con, table, kinds, metrics):
    """The summary of `table` as an Arrow table: one spillable pass, then the exact query for
    the journeys it flagged (:data:`.fast.REDO`), put in their place.

    Raises the engine's error holding ``checks.SENTINEL`` when a journey breaks the contract,
    a repeated step among the journeys the quick duplicate check could not clear included.
    """
    import duckdb
    import pyarrow as pa
    import pyarrow.compute as pc

    pre = fast.distinct_sql(table, kinds)
    plan = fast.plan_from(kinds, con.execute(pre).fetchall()[0] if pre else None)
    unsure, redo = [], []
    result = _split_flags(con.sql(summary_sql(table, kinds, metrics=metrics, plan=plan))
                          .to_arrow_table(), unsure, redo)
    if redo:
        ids = pa.concat_tables(redo)
        con.register("jl_redo_ids", ids)
        try:
            sql = summary_sql(table, kinds, metrics=metrics, duplicates="flag", only="jl_redo_ids")
            fix = _split_flags(con.sql(sql).to_arrow_table(), unsure, [])
        finally:
            con.unregister("jl_redo_ids")
        keep = pc.invert(pc.is_in(result.column("journey_id"), value_set=ids.column("journey_id")))
        result = pa.concat_tables([result.filter(keep), fix.cast(result.schema)]).sort_by("journey_id")
    if unsure and _repeats(con, table, kinds, unsure):
        raise duckdb.InvalidInputException(checks.SENTINEL)
    return result


def _deliver(con, parts, ordered, out, spill):
    """Run the parts' summaries in turn: a pandas DataFrame, or the Parquet file `out`.

    Parts in journey-id order are appended as they come; others are sorted at the end.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    if out is None:
        tables = [part() for part in parts]
        result = pa.concat_tables(tables) if len(tables) > 1 else tables[0]
        del tables
        if not ordered:
            result = result.sort_by("journey_id")
        # free Arrow buffers column by column while pandas takes them over
        return _finish(result.to_pandas(split_blocks=True, self_destruct=True))
    path = os.fspath(out) if ordered else os.path.join(spill, "unsorted.parquet")
    writer = None
    try:
        for part in parts:
            table = part()
            if "duration" in table.schema.names:  # microseconds -> Arrow duration
                i = table.schema.get_field_index("duration")
                table = table.set_column(i, "duration", table.column(i).cast(pa.duration("us")))
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()
    if not ordered:
        con.execute(f"COPY (SELECT * FROM read_parquet('{_quote(path)}') ORDER BY journey_id) "
                    f"TO '{_quote(out)}' (FORMAT parquet)")
    return Path(out)


def _quote(path) -> str:
    return os.fspath(path).replace("'", "''")


def _repeats(con, table, kinds, unsure) -> bool:
    """Whether a step repeats in the journeys the summary could not clear (``checks.UNSURE``)."""
    import pyarrow as pa

    con.register("jl_unsure_ids", pa.concat_tables(unsure))
    try:
        return con.execute(checks.duplicates_sql(table, kinds, "jl_unsure_ids")).fetchall()[0][0] > 0
    finally:
        con.unregister("jl_unsure_ids")


def _split_flags(part, unsure, redo):
    """`part` (an Arrow table) without its flag columns; the ids each flags are appended to
    `unsure` (steps checked exactly afterwards) and `redo` (computed again exactly)."""
    import pyarrow.compute as pc

    names = part.schema.names
    for flag, ids in ((checks.UNSURE, unsure), (fast.REDO, redo)):
        if flag in names:
            flagged = part.filter(pc.fill_null(part.column(flag), False)).select(["journey_id"])
            if flagged.num_rows:
                ids.append(flagged)
    return part.select([n for n in names if n not in (checks.UNSURE, fast.REDO)])
