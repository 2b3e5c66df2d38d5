"""The DuckDB runner: Parquet files or a pandas frame, within a memory limit, in journey-range passes."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from ..schema import REQUIRED, JourneyDataError
from .sources import _check_files, _finish, _parquet_files, _rethrow
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
    import pyarrow as pa
    import pyarrow.parquet as pq

    spill = tempfile.mkdtemp(prefix="journeylib-duckdb-")  # beyond memory_limit DuckDB spills here
    con = duckdb.connect(config={"memory_limit": memory_limit, "preserve_insertion_order": False,
                                 "temp_directory": spill,
                                 **({"threads": threads} if threads else {})})
    try:
        for shim in _DUCKDB_SHIMS:
            con.execute(shim)
        if isinstance(source, pd.DataFrame):
            missing = [c for c in REQUIRED if c not in source.columns]
            if missing:
                raise JourneyDataError([{"column": c, "message": "required column is missing"}
                                        for c in missing])
            con.register("journeylib_source", source)
            table, columns, where, n_rows = "journeylib_source", list(source.columns), None, len(source)
        else:
            files = _parquet_files(source)
            columns, n_rows = _check_files(files)
            table = "read_parquet([" + ", ".join("'" + f.replace("'", "''") + "'" for f in files) + "])"
            where = files[0] if len(files) == 1 else f"{len(files)} Parquet files"
        if batch_rows is None:
            batch_rows = max(1_000_000, int(ROWS_PER_GB * _memory_bytes(memory_limit) / 1024**3))
        n_pass = -(-n_rows // batch_rows)
        try:
            if n_pass <= 1:
                parts, resort = [summary_sql(table, columns, metrics=metrics)], False
            else:
                parts, resort = _journey_passes(con, table, columns, metrics, n_pass)
            if out is None:
                tables = [con.sql(sql).to_arrow_table() for sql in parts]
                result = pa.concat_tables(tables) if len(tables) > 1 else tables[0]
                del tables
                # free Arrow buffers column by column while pandas takes them over
                df = result.to_pandas(split_blocks=True, self_destruct=True)
                if resort:
                    df = df.sort_values("journey_id", ignore_index=True)
                return _finish(df)
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
                            batch = batch.set_column(i, "duration",
                                                     batch.column(i).cast(pa.duration("us")))
                        if writer is None:
                            writer = pq.ParquetWriter(os.fspath(out), batch.schema)
                        writer.write_batch(batch)
            finally:
                if writer is not None:
                    writer.close()
            return Path(out)
        except duckdb.Error as exc:
            _rethrow(exc, where)
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


def _journey_passes(con, table, columns, metrics, n_pass):
    """One summary query per part of the journeys, and whether the parts need a final sort.

    Numeric ids: ranges between approximate quantiles, in increasing order (files
    in journey order let DuckDB skip the row groups outside each range).  Other
    ids: parts by hash, sorted afterwards.
    """
    numeric = con.sql(f"SELECT journey_id FROM {table} LIMIT 0").types[0] in (
        "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "UBIGINT", "UINTEGER", "USMALLINT", "UTINYINT",
        "HUGEINT", "DOUBLE", "FLOAT")
    if not numeric:
        return [summary_sql(f"(SELECT * FROM {table} WHERE hash(journey_id) % {n_pass} = {i})",
                            columns, metrics=metrics, order=False) for i in range(n_pass)], True
    qs = ", ".join(repr(i / n_pass) for i in range(1, n_pass))
    bounds = con.execute(f"SELECT approx_quantile(journey_id, [{qs}]) FROM {table}").fetchall()[0][0]
    bounds = sorted(set(bounds))
    lows = [None, *bounds]
    highs = [*bounds, None]
    out = []
    for lo, hi in zip(lows, highs, strict=True):
        cond = " AND ".join(c for c in (f"journey_id > {lo!r}" if lo is not None else "",
                                        f"journey_id <= {hi!r}" if hi is not None else "") if c)
        out.append(summary_sql(f"(SELECT * FROM {table} WHERE {cond})", columns, metrics=metrics))
    return out, False
