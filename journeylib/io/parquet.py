"""Parquet files through pyarrow."""

from __future__ import annotations

import pandas as pd

PARQUET_SUFFIXES = (".parquet", ".pq")


def _read_parquet(path):
    return pd.read_parquet(path)
