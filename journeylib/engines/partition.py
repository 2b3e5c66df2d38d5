"""Rows split once into parts of whole journeys, so that each part is summarised in memory.

DuckDB spills a hash aggregate to disk, but a journey summary has some sixty
aggregates per journey: rows in event order (journeys interleaved by time)
give the aggregate little to combine before it spills, and it writes tens of
gigabytes at 100M rows.  Passes over ranges of journey ids each read all the
files again, so their cost grows with the square of the data.  Instead the
rows are read once (:mod:`pyarrow.dataset`, only the columns the summary
reads) and written to one uncompressed Arrow file per part, each holding
whole journeys: ranges of journey ids between quantiles of a sample for
numeric ids (the parts come out in id order), a hash for other ids.  Each
part is then memory-mapped and summarised on its own: one read and one write
of the rows more, whatever the size.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

__all__ = ["split"]

_SAMPLE = 1_000_000  # journey ids kept for the quantiles that cut the parts
_BATCH = 1 << 20  # rows read at a time


def _columns(names) -> list[str]:
    from ..schema import OPTIONAL, REQUIRED

    used = set(REQUIRED) | (set(OPTIONAL) - {"face", "text", "stop", "note"})
    return [c for c in names if c in used]


def _numeric(typ) -> bool:
    import pyarrow as pa

    return pa.types.is_integer(typ) or pa.types.is_floating(typ)


def _batches(files, columns):
    """The rows of `files`, a file and a batch at a time (no read-ahead beyond one batch)."""
    import pyarrow.parquet as pq

    for f in files:
        yield from pq.ParquetFile(f).iter_batches(batch_size=_BATCH, columns=columns, use_threads=True)


def _bounds(files, n_rows: int, n_parts: int):
    """Journey ids cutting the data into `n_parts` parts of about equal rows.

    From every ``k``-th id of every file (about a million in all), so that
    ids in file order (journey order) are sampled over their whole range.
    """
    k = max(1, n_rows // _SAMPLE)
    sample = []
    for batch in _batches(files, ["journey_id"]):
        sample.append(batch.column(0).drop_null().to_numpy()[::k].copy())
    values = np.concatenate(sample)
    if values.dtype.kind == "f":
        values = values[np.isfinite(values)]
    if not len(values):
        return values[:0]
    qs = np.quantile(values, np.arange(1, n_parts) / n_parts, method="inverted_cdf")
    return np.unique(qs)


def _part_of(ids, bounds, n_parts, numeric):
    """Part number of each id: its range, or a hash of its text."""
    if numeric:
        arr = ids.to_numpy(zero_copy_only=False)
        return np.minimum(np.searchsorted(bounds, arr, side="left"), len(bounds))
    import pandas as pd

    text = np.asarray(ids.cast("string").to_pandas(), dtype=object)
    return (pd.util.hash_array(text) % np.uint64(n_parts)).astype(np.int64)


def split(files, n_rows: int, n_parts: int, folder: str):
    """Write the rows of the Parquet `files` as `n_parts` Arrow files of whole journeys.

    Returns
    -------
    (list of str, bool)
        The part files, and whether they are in journey-id order (numeric
        ids: part i holds smaller ids than part i + 1).
    """
    import pyarrow as pa
    import pyarrow.dataset as ds

    schema = ds.dataset(files[0], format="parquet").schema
    columns = _columns(schema.names)
    schema = pa.schema([schema.field(c) for c in columns])
    numeric = _numeric(schema.field("journey_id").type)
    bounds = _bounds(files, n_rows, n_parts) if numeric else None
    n = len(bounds) + 1 if numeric else n_parts
    paths = [os.path.join(folder, f"part-{i:04d}.arrow") for i in range(n)]
    writers = [None] * n
    locks = [threading.Lock() for _ in range(n)]
    pool = pa.default_memory_pool()
    # LZ4 frames: a third of the bytes to write, decompressed at several GB/s when read
    options = pa.ipc.IpcWriteOptions(compression="lz4")

    def scatter(batch):
        """Write the rows of `batch` to their parts (numpy and Arrow release the GIL)."""
        # part numbers as small integers: numpy's stable sort on them is a radix sort
        part = _part_of(batch.column("journey_id"), bounds, n, numeric).astype(
            np.uint8 if n <= 256 else np.int64)
        order = np.argsort(part, kind="stable")
        edges = np.searchsorted(part[order], np.arange(n + 1))
        rows = batch.take(pa.array(order))
        for i in range(n):
            if edges[i + 1] > edges[i]:
                with locks[i]:
                    if writers[i] is None:  # the stream format lets dictionaries change per batch
                        writers[i] = pa.ipc.new_stream(paths[i], schema, options=options)
                    writers[i].write_batch(rows.slice(edges[i], edges[i + 1] - edges[i]))

    try:
        with ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1))) as ex:
            pending = []
            for batch in _batches(files, columns):
                if batch.schema != schema:  # files may differ in integer width or dictionaries
                    batch = batch.cast(schema)
                pending.append(ex.submit(scatter, batch))
                if len(pending) > 2:  # at most three batches in memory
                    pending.pop(0).result()
                    pool.release_unused()  # the allocator keeps freed batches otherwise
            for f in pending:
                f.result()
    finally:
        for w in writers:
            if w is not None:
                w.close()
    return [p for p, w in zip(paths, writers, strict=True) if w is not None], numeric


def read(path):
    """A part written by :func:`split`, memory-mapped (the rows stay in the page cache)."""
    import pyarrow as pa

    return pa.ipc.open_stream(pa.memory_map(path)).read_all()
