"""The Spark runner: Spark SQL on the session a DataFrame belongs to (or the active one for paths)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from ..schema import REQUIRED, JourneyDataError
from .sources import _check_files, _finish, _parquet_files, _rethrow
from .sql import _spark_dialect, summary_sql


def _run_spark(source, metrics, out):
    from pyspark.sql import DataFrame, SparkSession

    where = None
    if not isinstance(source, DataFrame):
        spark = SparkSession.getActiveSession() or SparkSession.builder.getOrCreate()
        files = _parquet_files(source)
        _check_files(files)
        where = files[0] if len(files) == 1 else f"{len(files)} Parquet files"
        source = spark.read.parquet(*files)
    spark = source.sparkSession
    missing = [c for c in REQUIRED if c not in source.columns]
    if missing:
        raise JourneyDataError([{"column": c, "message": "required column is missing in the Spark DataFrame"
                                 f" (columns present: {', '.join(source.columns)})"} for c in missing])
    columns = list(source.columns)
    view = f"journeylib_{uuid.uuid4().hex}"
    source.createOrReplaceTempView(view)
    try:
        # a global ORDER BY costs Spark a second pass (sampling for range partitions):
        # sort on the driver when the summary comes back anyway
        sql = summary_sql(view, columns, metrics=metrics, order=out is not None)
        result = spark.sql(_spark_dialect(sql))
        try:
            if out is not None:
                result.write.mode("overwrite").parquet(os.fspath(out))
                return Path(out)
            df = result.toArrow().to_pandas()
            return _finish(df.sort_values("journey_id", ignore_index=True))
        except Exception as exc:
            _rethrow(exc, where)
    finally:
        spark.catalog.dropTempView(view)
