"""The Spark runner: Spark SQL on the session a DataFrame belongs to (or the active one for paths).

The same SQL text as DuckDB runs (:func:`.sql.summary_sql` through
:func:`.sql._spark_dialect`), so the contract is checked in the same pass; when
the query stops on a bad journey, a second query lists the problems, naming
each row's file (``input_file_name()``) when Spark read the files itself.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

from ..schema import MESSAGES, REQUIRED, JourneyDataError
from . import checks, problems
from .sources import _check_files, _engine_error, _finish, _parquet_files, _where
from .sql import _spark_dialect, summary_sql


def _run_spark(source, metrics, out):
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql import functions as F

    where = None
    with_files = None
    if not isinstance(source, DataFrame):
        spark = SparkSession.getActiveSession() or SparkSession.builder.getOrCreate()
        files = _parquet_files(source)
        _check_files(files)
        where = _where(files)
        source = spark.read.parquet(*files)
        with_files = source.withColumn("jl_file", F.input_file_name())
    spark = source.sparkSession
    missing = [c for c in REQUIRED if c not in source.columns]
    if missing:
        raise JourneyDataError([{"column": c, "message": "required column is missing in the Spark DataFrame"
                                 f" (columns present: {', '.join(source.columns)})"} for c in missing])
    kinds = checks.spark_kinds(source.schema)
    view = f"journeylib_{uuid.uuid4().hex}"
    source.createOrReplaceTempView(view)
    existed = out is not None and os.path.exists(out)
    try:
        ts_mode = None
        try:
            pre = checks.timestamp_mode_sql(view, kinds)
            if pre is not None and min(spark.sql(_spark_dialect(pre)).collect()[0]) > 0:
                ts_mode = "mixed"
                raise RuntimeError(checks.SENTINEL)
            # a global ORDER BY costs Spark a second pass (sampling for range partitions):
            # sort on the driver when the summary comes back anyway
            sql = summary_sql(view, kinds, metrics=metrics, order=out is not None)
            result = spark.sql(_spark_dialect(sql))
            if out is not None:
                result.write.mode("overwrite").parquet(os.fspath(out))
                return Path(out)
            table = _ids_as_integers(result.toArrow())
            if table.num_rows == 0:  # rows without a journey stop the query: none at all is empty
                raise JourneyDataError([{"message": MESSAGES["empty"]}], source=where)
            return _finish(table.to_pandas().sort_values("journey_id", ignore_index=True))
        except Exception as exc:
            if not checks.check_failed(exc):
                _engine_error(exc, where)
            if out is not None and not existed:
                shutil.rmtree(out, ignore_errors=True)
            raise _problems(spark, with_files if with_files is not None else source, kinds,
                            with_files is not None, ts_mode, where) from None
    finally:
        spark.catalog.dropTempView(view)


def _problems(spark, frame, kinds, with_files, ts_mode, where):
    """The JourneyDataError listing the problems (a second, small query)."""
    view = f"journeylib_{uuid.uuid4().hex}"
    frame.createOrReplaceTempView(view)
    try:
        sql = problems.detail_sql(view, kinds, file_column="jl_file" if with_files else None,
                                ts_mode=ts_mode)
        rows = [tuple(r) for r in spark.sql(_spark_dialect(sql)).collect()]
    finally:
        spark.catalog.dropTempView(view)
    return problems.to_error(rows, kinds, where)


def _ids_as_integers(table):
    """Spark reads unsigned 64-bit ids as decimal(20, 0): give them back as integers."""
    import pyarrow as pa

    i = table.schema.get_field_index("journey_id")
    typ = table.schema.field(i).type
    if not (pa.types.is_decimal(typ) and typ.scale == 0):
        return table
    for target in (pa.int64(), pa.uint64()):
        try:
            return table.set_column(i, "journey_id", table.column(i).cast(target))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
    return table
