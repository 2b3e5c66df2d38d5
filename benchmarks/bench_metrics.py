"""Benchmark: journey_summary versus polars and DuckDB on three row layouts, with a numpy floor.

Usage::

    .venv/bin/python benchmarks/bench_metrics.py [--rows 10000000] [--repeat 5]

Generates N seeded touchpoint rows (4-12 per journey, int journey ids,
categorical touchpoint and channel, smiley5 scores with 1% missing, a stars10
journey rating) and times every contender on three layouts of the same rows:

``journey``
    sorted by journey and step, as files written journey by journey are;
``event``
    interleaved by time, as exports of contact events come: every journey's
    moments are spread over the file between other journeys' moments, in step
    order within each journey;
``shuffled``
    in random order.

Each contender computes the same core set (n_touchpoints, mean, min, max,
last, peak_end, n_channels, rating, gap on valence) with the same definitions
(``last`` is the scored moment with the highest step, whatever the row order;
the peak is the most extreme moment, the later one on a tie) and its result is
checked against journeylib's.  journeylib's time includes its contract check
(typed input is never trusted).  polars and DuckDB are benchmark-only extras,
not runtime dependencies.

The ``RESULT`` line keeps the keys of earlier versions (``seconds`` and
``vs_fastest_peer`` are the journey layout) and adds, per layout,
``seconds_<layout>``, ``all_seconds_<layout>``, ``vs_fastest_peer_<layout>``
and ``all_vs_core_<layout>``; ``peak_mb`` is the largest peak memory of a fresh
process that holds the data of one layout and runs journeylib on it (resident
data plus journeylib's largest allocation on top, from tracemalloc).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from journeylib.checks import journey_layout, verify  # noqa: E402
from journeylib.metrics import CORE_METRICS, journey_summary  # noqa: E402
from journeylib.schema import _Problems  # noqa: E402

TOUCHPOINTS = ["website", "app", "email", "phone", "chatbot", "store", "delivery", "invoice"]
CHANNELS = ["web", "app", "email", "phone", "store"]
LAYOUTS = ("journey", "event", "shuffled")


def make_data(n_rows, seed=2024):
    """Rows in journey order: (journey_id, step) sorted."""
    rng = np.random.default_rng(seed)
    counts = rng.integers(4, 13, size=n_rows // 4 + 1)
    cum = np.cumsum(counts)
    n_j = int(np.searchsorted(cum, n_rows)) + 1
    counts = counts[:n_j].copy()
    counts[-1] -= cum[n_j - 1] - n_rows
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    jid = np.repeat(np.arange(1, n_j + 1, dtype=np.int64), counts)
    step = np.arange(n_rows, dtype=np.int64)
    step -= np.repeat(starts, counts)
    step += 1
    tp = rng.integers(0, len(TOUCHPOINTS), n_rows, dtype=np.int8)
    ch = np.minimum(tp, len(CHANNELS) - 1)
    score = rng.integers(-2, 3, n_rows, dtype=np.int8).astype(np.float64)
    score[rng.random(n_rows, dtype=np.float32) < 0.01] = np.nan
    rating = np.repeat(rng.integers(1, 11, n_j).astype(np.float64), counts)
    return pd.DataFrame({
        "journey_id": jid,
        "step": step,
        "touchpoint": pd.Categorical.from_codes(tp, TOUCHPOINTS),
        "channel": pd.Categorical.from_codes(ch, CHANNELS),
        "score": score,
        "score_scale": pd.Categorical.from_codes(np.zeros(n_rows, np.int8), ["smiley5"]),
        "rating": rating,
        "rating_scale": pd.Categorical.from_codes(np.zeros(n_rows, np.int8), ["stars10"]),
    })


def layout(df, name, seed=7):
    """The same rows in another layout (a new frame with a fresh RangeIndex)."""
    if name == "journey":
        return df
    rng = np.random.default_rng(seed)
    n = len(df)
    if name == "event":
        # journeys start at random times over a year; each moment follows the previous one by
        # an exponential wait (hours), so sorting all rows by time interleaves the journeys
        # while keeping each journey's moments in step order
        jid = df["journey_id"].to_numpy()
        start = rng.random(int(jid.max()) + 1) * 365 * 24.0
        wait = rng.exponential(6.0, n) + 1e-6
        total = np.cumsum(wait)
        first = np.flatnonzero(np.r_[True, jid[1:] != jid[:-1]])
        counts = np.diff(np.r_[first, n])
        t = start[jid] + total - np.repeat(total[first] - wait[first], counts)
        order = np.argsort(t, kind="stable")
    else:
        order = rng.permutation(n)
    return df.iloc[order].reset_index(drop=True)


def timed(fn, repeat):
    times = []
    out = None
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def polars_core(pl, lf):
    v = pl.col("score") * 0.5
    r = (pl.col("rating") - 1.0) * (2.0 / 9.0) - 1.0
    scored = v.is_not_null()
    # last: the scored moment with the highest step; peak: largest |v|, the later step on a tie
    last = v.filter(scored).sort_by(pl.col("step").filter(scored)).last()
    key = v.abs().fill_null(-1.0) * 1_000_000 + pl.col("step")
    peak = v.max_by(key)
    return (
        lf.group_by("journey_id")
        .agg(
            n_touchpoints=pl.len(),
            mean=v.mean(),
            min=v.min(),
            max=v.max(),
            last=last,
            peak_end=(peak + last) / 2.0,
            n_channels=pl.col("channel").drop_nulls().n_unique(),
            rating=r.first(),
        )
        .with_columns(gap=pl.col("rating") - pl.col("mean"))
        .sort("journey_id")
        .collect()
    )


DUCK_SQL = """
WITH t AS (SELECT journey_id, step, channel, score * 0.5 AS v,
                  (rating - 1.0) * (2.0 / 9.0) - 1.0 AS r FROM df),
a AS (
  SELECT journey_id, count(*) AS n_touchpoints, avg(v) AS mean, min(v) AS min, max(v) AS max,
         arg_max(v, step) FILTER (WHERE v IS NOT NULL) AS last,
         arg_max(v, abs(v) * 1000000 + step) AS peak,
         len(list_distinct(list(channel))) AS n_channels, first(r) AS rating
  FROM t GROUP BY journey_id)
SELECT journey_id, n_touchpoints, mean, min, max, last, (peak + last) / 2 AS peak_end,
       n_channels, rating, rating - mean AS gap
FROM a ORDER BY journey_id
"""
CHECKED = ("mean", "min", "max", "last", "peak_end", "rating", "gap")


def _same(got, ours, name):
    for c in CHECKED:
        np.testing.assert_allclose(got[c].to_numpy(dtype=float), ours[c].to_numpy(), equal_nan=True,
                                   atol=1e-12, err_msg=f"{name}: {c}")
    np.testing.assert_array_equal(got["n_channels"].to_numpy(), ours["n_channels"].to_numpy())


def _memory_child(n, seed, name):
    """Memory (MB) of journeylib on this layout, in a fresh process.

    Returns the resident size once the data is built (generation temporaries
    freed) and that plus the most journey_summary (all metrics) allocates on
    top of it at any moment (tracemalloc sees NumPy's and pandas' buffers): the
    peak RSS of a process that holds the data and runs journeylib on it.
    """
    code = (f"import sys; sys.path.insert(0, {str(Path(__file__).resolve().parent)!r}); "
            "import bench_metrics as b, gc, psutil, tracemalloc; "
            f"df = b.layout(b.make_data({n}, {seed}), {name!r}); gc.collect(); "
            "rss = psutil.Process().memory_info().rss / 2**20; "
            "tracemalloc.start(); b.journey_summary(df); "
            "extra = tracemalloc.get_traced_memory()[1] / 2**20; "
            "print(rss, rss + extra)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    data, peak = map(float, out.stdout.split())
    return data, peak


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--layouts", default=",".join(LAYOUTS), help="comma-separated subset")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args(argv)
    n, rep = args.rows, args.repeat
    layouts = [x for x in args.layouts.split(",") if x]

    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          "(other work on the machine slows every contender)")
    t0 = time.perf_counter()
    base = make_data(n, args.seed)
    print(f"data: {n:,} rows, {base['journey_id'].iat[-1]:,} journeys, "
          f"{base.memory_usage(deep=True).sum() / 1e6:.0f} MB, made in {time.perf_counter() - t0:.1f} s")
    floor, _ = timed(lambda: base["score"].to_numpy().sum(), rep)
    print(f"numpy floor (one pass over score)        {floor:8.3f} s")

    try:
        import polars as pl
    except ImportError:
        pl = None
    try:
        import duckdb
    except ImportError:
        duckdb = None
    figures = {"rows": n, "floor_seconds": floor}
    reference = None
    for name in layouts:
        df = layout(base, name)
        print(f"\n-- {name} layout --")

        sort_t, lay = timed(lambda df=df: journey_layout(df["journey_id"], df["step"].to_numpy()),
                            max(1, rep // 2))

        def check(df=df, lay=lay):
            problems = _Problems()
            verify(df, problems, layout=lay)
            assert problems.total == 0
        check_t, _ = timed(check, max(1, rep // 2))
        core, ours = timed(lambda df=df: journey_summary(df, metrics=list(CORE_METRICS)), rep)
        allm, _ = timed(lambda df=df: journey_summary(df), max(1, rep // 2))
        if reference is None:
            reference = ours
        pd.testing.assert_frame_equal(ours, reference)  # the layout changes nothing
        print(f"journeylib core ({len(CORE_METRICS)} metrics)            {core:8.3f} s   (of which "
              f"journey order {sort_t:.3f} s, the contract check {check_t:.3f} s)")
        print(f"journeylib all metrics                   {allm:8.3f} s   ({allm / core:.2f}x core)")
        peers = {}
        if pl is not None:
            lf = pl.from_pandas(df).lazy()
            t, res = timed(lambda lf=lf: polars_core(pl, lf), max(3, rep // 2 + 1))
            _same(res.to_pandas(), ours, "polars")
            peers["polars"] = t
            print(f"polars {pl.__version__:<8} core (same results)      {t:8.3f} s")
            del lf, res
        if duckdb is not None:
            con = duckdb.connect()
            con.register("df", df)
            t, res = timed(lambda con=con: con.execute(DUCK_SQL).df(), max(3, rep // 2 + 1))
            _same(res, ours, "duckdb")
            peers["duckdb"] = t
            print(f"duckdb {duckdb.__version__:<8} core (same results)      {t:8.3f} s")
            con.close()
        fastest = min(peers.values()) if peers else float("nan")
        data_mb, peak = _memory_child(n, args.seed, name)
        print(f"fastest peer {fastest:.3f} s: journeylib core at {core / fastest:.2f}x; "
              f"peak memory {peak:.0f} MB: the data {data_mb:.0f} MB resident, journey_summary "
              f"(all metrics) {peak - data_mb:.0f} MB on top")
        figures.update({f"seconds_{name}": core, f"all_seconds_{name}": allm,
                        f"check_seconds_{name}": check_t, f"order_seconds_{name}": sort_t,
                        f"vs_fastest_peer_{name}": core / fastest,
                        f"all_vs_core_{name}": allm / core, f"peak_mb_{name}": peak,
                        **{f"{p}_seconds_{name}": t for p, t in peers.items()}})
        del df
        gc.collect()

    print(f"\nload average after: {os.getloadavg()[0]:.1f}")
    peak = max(v for k, v in figures.items() if k.startswith("peak_mb_"))
    keys = {"rows": n, "seconds": figures.get("seconds_journey", float("nan")),
            "all_seconds": figures.get("all_seconds_journey", float("nan")),
            "floor_seconds": floor,
            "ratio": figures.get("seconds_journey", float("nan")) / floor,
            "vs_fastest_peer": figures.get("vs_fastest_peer_journey", float("nan")),
            "peak_mb": peak, "check_seconds": figures.get("check_seconds_journey", float("nan"))}
    for name in layouts:
        for k in ("seconds", "all_seconds", "vs_fastest_peer", "all_vs_core"):
            keys[f"{k}_{name}"] = figures[f"{k}_{name}"]
    print("RESULT " + " ".join(f"{k}={v:.4f}" if isinstance(v, float) else f"{k}={v}"
                               for k, v in keys.items()))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
