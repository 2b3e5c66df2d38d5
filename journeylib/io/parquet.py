"""Parquet files through pyarrow: flat columns only, and a clear word when it is not Parquet."""

from __future__ import annotations

import pandas as pd

from ..schema import JourneyDataError, _short
from ._common import file_error, first_bytes, not_a
from .columns import check_header
from .sniff import describe

__all__ = ["PARQUET_SUFFIXES", "read_parquet"]

PARQUET_SUFFIXES = (".parquet", ".pq")
_MAGIC = b"PAR1"


def _check_bytes(path) -> None:
    head = first_bytes(path, "a Parquet file")
    with open(path, "rb") as fh:
        size = fh.seek(0, 2)
        fh.seek(max(size - 4, 0))
        tail = fh.read(4)
    if head.startswith(_MAGIC) and tail == _MAGIC and size >= 12:
        return
    if head.startswith(_MAGIC):
        raise file_error(path, "the Parquet file is cut off (its footer is missing); copy or "
                               "download it again")
    raise not_a(path, describe(path, head), "a Parquet file")


def read_parquet(path) -> pd.DataFrame:
    """The Parquet file as a DataFrame; nested columns and damaged files are refused by name.

    A saved pandas index with a name (``df.set_index("journey_id").to_parquet(...)``)
    comes back as a column, so that ``journey_id`` is not hidden in the index.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    _check_bytes(path)
    try:
        schema = pq.read_schema(path)
    except (pa.ArrowException, OSError) as err:
        raise file_error(path, f"the Parquet file is damaged: {_short(str(err), 120)}") from None
    check_header(list(schema.names), path)
    nested = [f for f in schema if pa.types.is_nested(f.type)]
    if nested:
        raise JourneyDataError(
            [{"column": f.name, "value": str(f.type),
              "message": "the column holds nested values (lists or records in a cell); "
                         "journeylib reads flat columns: flatten it first (e.g. "
                         "pandas.json_normalize, or DuckDB's unnest) or drop it"}
             for f in nested[:20]], source=path, total=len(nested))
    try:
        df = pd.read_parquet(path)
    except (pa.ArrowException, OSError, ValueError, TypeError) as err:
        raise file_error(path, "the Parquet file cannot be read: "
                               f"{type(err).__name__}: {_short(str(err), 120)}") from None
    if not isinstance(df.index, pd.RangeIndex) and any(n is not None for n in df.index.names):
        df = df.reset_index()
    return df
