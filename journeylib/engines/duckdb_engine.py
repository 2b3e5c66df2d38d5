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
                parts, resort = [summary_sql(table, kinds, metrics=metrics)], False
            else:
                parts, resort = _journey_passes(con, table, kinds, metrics, n_pass)
            if out is None:
                return _to_pandas(con, parts, resort)
            return _to_parquet(con, parts, resort, out, spill)
        except duckdb.Error as exc:
            if not checks.check_failed(exc):
                _engine_error(exc, where)
            sql = problems.detail_sql(detail_table, kinds, file_column=file_column, ts_mode=ts_mode)
            raise problems.to_error(con.execute(sql).fetchall(), kinds, where) from None
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


def _to_pandas(con, parts, resort):
    import pyarrow as pa

    tables = [con.sql(sql).to_arrow_table() for sql in parts]
    result = pa.concat_tables(tables) if len(tables) > 1 else tables[0]
    del tables
    # free Arrow buffers column by column while pandas takes them over
    df = result.to_pandas(split_blocks=True, self_destruct=True)
    if resort:
        df = df.sort_values("journey_id", ignore_index=True)
    return _finish(df)


def _to_parquet(con, parts, resort, out, spill):
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
                            kinds, metrics=metrics, order=False) for i in range(n_pass)], True
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
        out.append(summary_sql(f"(SELECT * FROM {table} WHERE {cond})", kinds, metrics=metrics))
    return out, False
