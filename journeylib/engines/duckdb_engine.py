"""The DuckDB runner: Parquet files or a pandas frame, within a memory limit, in journey-range passes.

The summary query checks the contract as it goes (:mod:`.checks`); when it
stops on a bad journey, a second query lists the problems, naming each row's
file (``read_parquet(..., filename=...)``), journey, step, column and value.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from ..schema import MESSAGES, JourneyDataError
from . import checks, problems
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


#: Rows per DuckDB pass for each GB of memory_limit: median, distinct counts and max_by keep
#: per-journey state that DuckDB cannot spill, so large inputs run in journey-range passes.
ROWS_PER_GB = 4_000_000


def _run_duckdb(source, metrics, memory_limit, threads, out, batch_rows=None):
    import duckdb

    spill = tempfile.mkdtemp(prefix="journeylib-duckdb-")  # beyond memory_limit DuckDB spills here
    con = duckdb.connect(config={"memory_limit": memory_limit, "preserve_insertion_order": False,
                                 "temp_directory": spill,
                                 **({"threads": threads} if threads else {})})
    try:
        for shim in _DUCKDB_SHIMS:
            con.execute(shim)
        if isinstance(source, pd.DataFrame):
            _frame_columns(source)
            con.register("journeylib_source", _frame_for_engine(source))
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
            n_pass = -(-n_rows // batch_rows)
            if n_pass <= 1:
                parts = [summary_sql(table, kinds, metrics=metrics, duplicates="flag")]
                resort = False
            else:
                parts, resort = _journey_passes(con, table, kinds, metrics, n_pass)
            unsure = []
            if out is None:
                result = _to_pandas(con, parts, resort, unsure)
            else:
                result = _to_parquet(con, parts, resort, out, spill, unsure)
            if unsure and _repeats(con, table, kinds, unsure):
                if out is not None:
                    Path(out).unlink(missing_ok=True)
                raise duckdb.InvalidInputException(checks.SENTINEL)
            return result
        except duckdb.Error as exc:
            if not checks.check_failed(exc):
                _engine_error(exc, where)
            sql = problems.detail_sql(detail_table, kinds, file_column=file_column, ts_mode=ts_mode)
            raise problems.to_error(con.execute(sql).fetchall(), kinds, where) from None
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


def _repeats(con, table, kinds, unsure) -> bool:
    """Whether a step repeats in the journeys the summary could not clear (``checks.UNSURE``)."""
    import pyarrow as pa

    con.register("jl_unsure_ids", pa.concat_tables(unsure))
    try:
        return con.execute(checks.duplicates_sql(table, kinds, "jl_unsure_ids")).fetchall()[0][0] > 0
    finally:
        con.unregister("jl_unsure_ids")


def _split_unsure(part, unsure):
    """`part` (an Arrow table or batch) without the ``checks.UNSURE`` column; its flagged ids
    are appended to `unsure` (the journeys whose steps are checked exactly afterwards)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    names = part.schema.names
    if checks.UNSURE not in names:
        return part
    flagged = part.filter(pc.fill_null(part.column(checks.UNSURE), False)).select(["journey_id"])
    if flagged.num_rows:
        unsure.append(flagged if isinstance(flagged, pa.Table) else pa.Table.from_batches([flagged]))
    return part.select([n for n in names if n != checks.UNSURE])


def _to_pandas(con, parts, resort, unsure):
    import pyarrow as pa

    tables = [_split_unsure(con.sql(sql).to_arrow_table(), unsure) for sql in parts]
    result = pa.concat_tables(tables) if len(tables) > 1 else tables[0]
    del tables
    # free Arrow buffers column by column while pandas takes them over
    df = result.to_pandas(split_blocks=True, self_destruct=True)
    if resort:
        df = df.sort_values("journey_id", ignore_index=True)
    return _finish(df)


def _to_parquet(con, parts, resort, out, spill, unsure):
    """Stream the passes into one Parquet file; no partial file is left when a check stops them."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if resort:
        names = []
        for i, sql in enumerate(parts):
            names.append(os.path.join(spill, f"part-{i}.parquet"))
            con.execute(f"COPY ({sql}) TO '{names[-1]}' (FORMAT parquet)")
        merged = "read_parquet([" + ", ".join(f"'{n}'" for n in names) + "])"
        parts = [f"SELECT * FROM {merged} ORDER BY journey_id"]
    writer = None
    try:  # passes cover increasing journey ranges: appending keeps the file sorted
        for sql in parts:
            for batch in con.sql(sql).to_arrow_reader():
                batch = _split_unsure(batch, unsure)
                if "duration" in batch.schema.names:  # microseconds -> Arrow duration
                    i = batch.schema.get_field_index("duration")
                    batch = batch.set_column(i, "duration", batch.column(i).cast(pa.duration("us")))
                if writer is None:
                    writer = pq.ParquetWriter(os.fspath(out), batch.schema)
                writer.write_batch(batch)
    except BaseException:
        if writer is not None:
            writer.close()
            writer = None
            Path(out).unlink(missing_ok=True)
        raise
    finally:
        if writer is not None:
            writer.close()
    return Path(out)


def _journey_passes(con, table, kinds, metrics, n_pass):
    """One summary query per part of the journeys, and whether the parts need a final sort.

    Numeric ids: ranges between approximate quantiles, in increasing order (files
    in journey order let DuckDB skip the row groups outside each range); rows
    without an id go with the first part, where the check finds them.  Other
    ids: parts by hash, sorted afterwards.
    """
    if kinds["journey_id"] not in ("int", "float"):
        return [summary_sql(f"(SELECT * FROM {table} WHERE hash(journey_id) % {n_pass} = {i})",
                            kinds, metrics=metrics, order=False, duplicates="flag")
                for i in range(n_pass)], True
    qs = ", ".join(repr(i / n_pass) for i in range(1, n_pass))
    bounds = con.execute(f"SELECT approx_quantile(journey_id, [{qs}]) FROM {table} "
                         f"WHERE journey_id IS NOT NULL").fetchall()[0][0] or []
    bounds = sorted({b for b in bounds if b is not None and math.isfinite(b)})
    lows = [None, *bounds]
    highs = [*bounds, None]
    out = []
    for lo, hi in zip(lows, highs, strict=True):
        cond = " AND ".join(c for c in (f"journey_id > {lo!r}" if lo is not None else "",
                                        f"journey_id <= {hi!r}" if hi is not None else "") if c)
        if lo is None:
            cond = f"({cond or 'TRUE'}) OR journey_id IS NULL"
        out.append(summary_sql(f"(SELECT * FROM {table} WHERE {cond})", kinds, metrics=metrics,
                               duplicates="flag"))
    return out, False
