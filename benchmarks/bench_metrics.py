"""Benchmark: journey_summary versus polars, DuckDB, pandas groupby().apply and a numpy floor.

Usage::

    .venv/bin/python benchmarks/bench_metrics.py [--rows 10000000] [--repeat 5]

Generates N seeded touchpoint rows (4-12 per journey, int journey ids,
categorical touchpoint and channel, smiley5 scores with 1% missing, a stars10
journey rating), in journey order as files usually are, and prints the median
wall time of each contender, the peak memory, and one ``RESULT`` line.  polars
and DuckDB compute the same core set (mean, min, max, last, peak_end,
n_touchpoints, n_channels, rating, gap on valence); they are benchmark-only
extras, not runtime dependencies.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from journeylib.checks import journey_layout, verify  # noqa: E402
from journeylib.metrics import CORE_METRICS, journey_summary  # noqa: E402
from journeylib.schema import _Problems  # noqa: E402

TOUCHPOINTS = ["website", "app", "email", "phone", "chatbot", "store", "delivery", "invoice"]
BEGINNER_ROWS = 20_000
CHANNELS = ["web", "app", "email", "phone", "store"]


def make_data(n_rows, seed=2024):
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
    df = pd.DataFrame({
        "journey_id": jid,
        "step": step,
        "touchpoint": pd.Categorical.from_codes(tp, TOUCHPOINTS),
        "channel": pd.Categorical.from_codes(ch, CHANNELS),
        "score": score,
        "score_scale": pd.Categorical.from_codes(np.zeros(n_rows, np.int8), ["smiley5"]),
        "rating": rating,
        "rating_scale": pd.Categorical.from_codes(np.zeros(n_rows, np.int8), ["stars10"]),
    })
    return df


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
    # the most extreme moment, the later one on a tie: max_by over |v| with step as tie-breaker
    key = v.abs().fill_null(-1.0) * 1_000_000 + pl.col("step")
    peak = v.max_by(key)
    last = v.drop_nulls().last()
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


# count(DISTINCT channel) doubles DuckDB's time here; list_distinct is the faster spelling
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


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--seed", type=int, default=2024)
    args = ap.parse_args(argv)
    n, rep = args.rows, args.repeat

    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          "(other work on the machine slows every contender)")
    t0 = time.perf_counter()
    df = make_data(n, args.seed)
    print(f"data: {n:,} rows, {df['journey_id'].iat[-1]:,} journeys, "
          f"{df.memory_usage(deep=True).sum() / 1e6:.0f} MB, made in {time.perf_counter() - t0:.1f} s; "
          f"peak RSS so far {peak_mb():.0f} MB")

    peak_data = peak_mb()
    floor, _ = timed(lambda: df["score"].to_numpy().sum(), rep)
    def check():  # what journey_summary spends on the contract (typed input is never trusted)
        problems = _Problems()
        verify(df, problems, layout=journey_layout(df["journey_id"], df["step"].to_numpy()))
        assert problems.total == 0
    check_t, _ = timed(check, rep)
    core, ours = timed(lambda: journey_summary(df, metrics=list(CORE_METRICS)), rep)
    allm, _ = timed(lambda: journey_summary(df), rep)
    peak = peak_mb()
    tracemalloc.start()
    journey_summary(df)
    own = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    print(f"numpy floor (one pass over score)      {floor:8.3f} s")
    print(f"journey_summary core ({len(CORE_METRICS)} metrics)      {core:8.3f} s   (contract check "
          f"included: {check_t:.3f} s of it)")
    print(f"journey_summary all metrics            {allm:8.3f} s   ({allm / core:.2f}x core)")
    print(f"peak RSS after journeylib runs         {peak:8.0f} MB   (of which the data and its "
          f"generation {peak_data:.0f} MB; journey_summary itself allocates at most {own:.0f} MB)")

    peers = {}
    try:
        import polars as pl

        lf = pl.from_pandas(df).lazy()
        t, res = timed(lambda: polars_core(pl, lf), max(3, rep // 2 + 1))
        peers["polars"] = t
        got = res.to_pandas()
        for c in ("mean", "min", "max", "last", "peak_end", "rating", "gap"):
            np.testing.assert_allclose(got[c].to_numpy(dtype=float), ours[c].to_numpy(), equal_nan=True, atol=1e-12)
        np.testing.assert_array_equal(got["n_channels"].to_numpy(), ours["n_channels"].to_numpy())
        print(f"polars {pl.__version__:<8} core set (same results)  {t:8.3f} s")
    except ImportError:
        print("polars not installed: skipped")
    try:
        import duckdb

        con = duckdb.connect()
        con.register("df", df)
        t, res = timed(lambda: con.execute(DUCK_SQL).df(), max(3, rep // 2 + 1))
        peers["duckdb"] = t
        for c in ("mean", "min", "max", "last", "peak_end", "rating", "gap"):
            np.testing.assert_allclose(res[c].to_numpy(dtype=float), ours[c].to_numpy(), equal_nan=True, atol=1e-12)
        np.testing.assert_array_equal(res["n_channels"].to_numpy(), ours["n_channels"].to_numpy())
        print(f"duckdb {duckdb.__version__:<8} core set (same results)  {t:8.3f} s")
        con.close()
    except ImportError:
        print("duckdb not installed: skipped")

    if n <= 1_000_000:
        # groupby().apply costs about 2-3 ms per journey: timed on the first
        # BEGINNER_ROWS rows (whole journeys) and scaled linearly to N.
        m = min(n, BEGINNER_ROWS)
        part = df.iloc[:m]
        part = part[part["journey_id"] < part["journey_id"].iat[-1]] if m < n else part

        def beginner():
            def per_journey(g):
                v = g["score"] * 0.5
                ok = v.dropna()
                a = ok.abs()
                peak = ok[a == a.max()].iloc[-1] if len(ok) else np.nan
                last = ok.iloc[-1] if len(ok) else np.nan
                r = (g["rating"].iloc[0] - 1) * 2 / 9 - 1
                return pd.Series({"n_touchpoints": len(g), "mean": ok.mean(), "min": ok.min(),
                                  "max": ok.max(), "last": last, "peak_end": (peak + last) / 2,
                                  "n_channels": g["channel"].nunique(), "rating": r,
                                  "gap": r - ok.mean()})
            return part.groupby("journey_id", observed=True)[list(part.columns)].apply(per_journey)
        t, res = timed(beginner, 1)
        np.testing.assert_allclose(res["peak_end"].to_numpy(dtype=float),
                                   ours["peak_end"].to_numpy()[: len(res)], equal_nan=True, atol=1e-12)
        scaled = t * n / len(part)
        print(f"pandas groupby().apply core set        {scaled:8.3f} s   ({scaled / core:.0f}x journeylib;"
              f" {t:.2f} s on the first {len(part):,} rows, scaled to N)")

    # unsorted input: the cost of the one lexsort
    shuffled = df.sample(frac=1.0, random_state=1)
    t_unsorted, res = timed(lambda: journey_summary(shuffled, metrics=list(CORE_METRICS)), 1)
    pd.testing.assert_frame_equal(res, ours)
    print(f"journey_summary core, shuffled rows    {t_unsorted:8.3f} s   (same result; sorting costs "
          f"{t_unsorted - core:.2f} s)")

    print(f"load average after: {os.getloadavg()[0]:.1f}")
    fastest = min(peers.values()) if peers else float("nan")
    print(f"RESULT rows={n} seconds={core:.4f} all_seconds={allm:.4f} floor_seconds={floor:.4f} "
          f"ratio={core / floor:.1f} vs_fastest_peer={core / fastest:.3f} peak_mb={peak:.0f} "
          f"check_seconds={check_t:.4f}")


if __name__ == "__main__":
    main()
