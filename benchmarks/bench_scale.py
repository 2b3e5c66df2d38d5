"""Journey metrics out of core: DuckDB over Parquet with a memory limit, versus pandas in memory.

    python benchmarks/bench_scale.py --rows 100000000

    python benchmarks/bench_scale.py --sizes 1000000,10000000,100000000

1. Writes N generated touchpoint rows (seeded; 4-12 moments per journey, int
   journey ids, dictionary-encoded touchpoint/channel/actor, smiley5 and
   likert5 scores with 3% missing, stars10 ratings, 0-10 recommend,
   timestamps rising with the step) to Parquet under benchmarks/_data/
   (git-ignored), about ``--chunk`` rows a file, never more than two chunks in
   memory.  ``--layout event`` (the default) writes them as exports of contact
   events come: in time order, every journey's moments spread between other
   journeys' moments, in step order within the journey, and journey ids
   unrelated to time; ``--layout journey`` one journey after the other.
2. Times ``journeylib.engines.summarize`` over the files through DuckDB with a
   2 GB memory limit, each run in a fresh child process whose peak RSS
   (``ru_maxrss``: Python, DuckDB and its buffers) is reported:
   - every metric, written to a Parquet file (``out=``: out of core both ways);
   - the core metrics, returned as a pandas DataFrame;
   - the contract checks alone (``metrics=[]``: every cell read and checked,
     duplicate steps, journey-level columns, only the journey ids returned);
   - every metric and the core metrics again with the checks left out of the
     query (``summary_sql(check=False)``, for measuring only), so that
     ``check_cost_*`` is what validation adds to each.
3. The in-memory pandas path (``journeylib.journey_summary``, core metrics, on
   the frame read from the same files) when ``--rows`` <= ``--pandas-max-rows``.

Runs the kinds in turn, ``--repeats`` rounds, and prints each kind's median
seconds, its runs and its largest peak RSS, the load average, and a final
``RESULT`` line (``check_cost_*_fastest_pct`` compares fastest runs, steadier
on a busy machine).  ``--kinds`` picks runs (e.g. only the checked ones at
100M rows).  ``--sizes`` times the first of ``--kinds`` (default: every metric
to Parquet) at each size, data written anew for each, and prints a table of
seconds and peak RSS with their ratio to the 10M figure, and a ``RESULT``
line with ``time_ratio_<n>_vs_10000000``.  Deletes the data afterwards unless
``--keep``.  Figures from a busy machine are noisy: compare runs made together.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TOUCHPOINTS = ["web shop", "order mail", "payment", "parcel", "helpdesk", "chatbot", "app", "store"]
CHANNELS = ["web", "email", "phone", "chat", "store"]
ACTORS = ["shop", "carrier", "bank"]
CORE = ["n_touchpoints", "mean", "min", "max", "last", "peak_end", "n_channels", "rating", "gap"]


def generate_chunk(first_id: int, n_rows: int, rng):
    """About `n_rows` tidy rows (whole journeys, in journey order) as a pyarrow Table.

    Journey ids run from `first_id`; each journey starts at a random time over
    a year and its moments follow one another by 1 minute to 1 day, so the
    timestamps rise with the step within a journey.
    """
    import pyarrow as pa

    n_j = max(1, n_rows // 8)
    sizes = rng.integers(4, 13, n_j)
    n = int(sizes.sum())
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    jid = np.repeat(np.arange(first_id, first_id + n_j, dtype=np.int64), sizes)
    step = np.arange(n, dtype=np.int64) - np.repeat(starts, sizes) + 1
    tp = rng.integers(0, len(TOUCHPOINTS), n).astype(np.int32)
    ch = rng.integers(0, len(CHANNELS), n).astype(np.int32)
    act = rng.integers(0, len(ACTORS), n).astype(np.int32)
    likert = rng.random(n_j) < 0.3  # some journeys were asked on a 1-5 scale
    lk = np.repeat(likert, sizes)
    score = np.where(lk, rng.integers(1, 6, n), rng.integers(-2, 3, n)).astype(np.float64)
    score[rng.random(n) < 0.03] = np.nan
    scale_codes = lk.astype(np.int32)
    rating = np.repeat(rng.integers(1, 11, n_j), sizes).astype(np.float64)
    recommend = np.repeat(rng.integers(0, 11, n_j), sizes).astype(np.float64)
    t0 = np.repeat(rng.integers(1_700_000_000, 1_730_000_000, n_j), sizes).astype(np.int64)
    wait = rng.integers(60, 86_400, n)
    wait[starts] = 0
    elapsed = np.cumsum(wait)
    elapsed -= np.repeat(elapsed[starts], sizes)  # seconds since the journey's first moment
    ts = (t0 + elapsed) * 1_000_000

    def dic(codes, names):
        return pa.DictionaryArray.from_arrays(pa.array(codes), pa.array(names))

    return pa.table({
        "journey_id": jid, "step": step,
        "touchpoint": dic(tp, TOUCHPOINTS), "channel": dic(ch, CHANNELS), "actor": dic(act, ACTORS),
        "timestamp": pa.array(ts, pa.timestamp("us")),
        "score": pa.array(score, from_pandas=True),
        "score_scale": dic(scale_codes, ["smiley5", "likert5"]),
        "rating": rating, "rating_scale": dic(np.zeros(n, np.int32), ["stars10"]),
        "recommend": recommend,
    }), first_id + n_j


#: Row layouts of the written files (see :func:`write_data`).
LAYOUTS = ("event", "journey")
_T_LO, _T_HI = 1_700_000_000 * 10**6, 1_731_000_000 * 10**6  # the span of the timestamps (us)


def write_data(directory: Path, rows: int, chunk: int, seed: int, layout: str = "event") -> list[Path]:
    """Write about `rows` generated rows as Parquet files of about `chunk` rows each.

    ``layout="journey"``: one file per generated chunk, journeys one after the
    other, steps in order (as sorted exports come).  ``layout="event"``: the
    same rows in time order, as exports of contact events come: every
    journey's moments spread over the files between other journeys' moments,
    in step order within the journey.  The rows go to time buckets first (one
    small file per chunk and bucket), then each bucket is sorted by time and
    written as one file, so no more than about two chunks are ever in memory.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    n_files = max(1, -(-rows // chunk))
    tmp = directory / "_buckets"
    files, done, next_id, i = [], 0, 1, 0
    while done < rows:
        table, next_id = generate_chunk(next_id, min(chunk, rows - done), rng)
        done += table.num_rows
        if layout == "journey":
            files.append(directory / f"part-{i:04d}.parquet")
            pq.write_table(table, files[-1], row_group_size=1_000_000)
        else:
            us = table.column("timestamp").cast(pa.int64()).to_numpy()
            bucket = np.minimum((us - _T_LO) * n_files // (_T_HI - _T_LO), n_files - 1)
            for b in np.unique(bucket):
                (tmp / f"{b:04d}").mkdir(parents=True, exist_ok=True)
                part = table.filter(pa.array(bucket == b))
                pq.write_table(part, tmp / f"{b:04d}" / f"{i:04d}.parquet")
        i += 1
    if layout == "event":
        for b, folder in enumerate(sorted(tmp.iterdir())):
            table = pq.read_table(folder)
            table = table.take(pc.sort_indices(table, [("timestamp", "ascending")]))
            files.append(directory / f"part-{b:04d}.parquet")
            pq.write_table(table, files[-1], row_group_size=1_000_000)
            del table
            shutil.rmtree(folder)
        shutil.rmtree(tmp)
    return files


def peak_mb() -> float:
    """Peak RSS of this process in MB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


#: The timed runs, in the order they run.
KINDS = ("duckdb_all_to_parquet", "duckdb_all_no_checks", "duckdb_core_to_pandas",
         "duckdb_core_no_checks", "duckdb_checks_only", "pandas_core_in_memory")


def child(args) -> None:
    """One timed run; prints a JSON line with seconds and peak RSS of this process."""
    import functools

    import journeylib.engines as engines

    if args.child.endswith("_no_checks"):  # the same query without the contract checks
        from journeylib.engines import duckdb_engine, sql

        duckdb_engine.summary_sql = functools.partial(sql.summary_sql, check=False)
    glob = str(Path(args.data) / "*.parquet")
    t = time.perf_counter()
    if args.child in ("duckdb_all_to_parquet", "duckdb_all_no_checks"):
        out = Path(args.data).parent / "summary.parquet"
        engines.summarize(glob, memory_limit=args.memory_limit, out=out)
        n = None
        out.unlink()
    elif args.child in ("duckdb_core_to_pandas", "duckdb_core_no_checks"):
        n = len(engines.summarize(glob, metrics=CORE, memory_limit=args.memory_limit))
    elif args.child == "duckdb_checks_only":
        n = len(engines.summarize(glob, metrics=[], memory_limit=args.memory_limit))
    else:  # pandas in memory: read the files, then journey_summary
        import pandas as pd

        from journeylib.metrics import journey_summary

        df = pd.read_parquet(args.data)
        for c in ("touchpoint", "channel", "actor", "score_scale", "rating_scale"):
            df[c] = df[c].astype("category")
        t = time.perf_counter()  # time the summary, not the reading
        n = len(journey_summary(df, metrics=CORE))
    print(json.dumps({"seconds": time.perf_counter() - t, "peak_mb": peak_mb(), "journeys": n}))


def timed(kind, args, data_dir, repeats=None) -> list[dict]:
    runs = []
    for _ in range(args.repeats if repeats is None else repeats):
        cmd = [sys.executable, __file__, "--child", kind, "--data", str(data_dir),
               "--memory-limit", args.memory_limit]
        res = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if res.returncode != 0:
            print(res.stderr[-3000:], file=sys.stderr)
            raise SystemExit(f"{kind} failed")
        runs.append(json.loads(res.stdout.strip().splitlines()[-1]))
    return runs


def measure(args, rows: int, kinds: list) -> dict:
    """Write `rows` rows, time each kind round robin; kind -> (median s, peak MB, fastest s)."""
    data_dir = args.data_dir / f"{rows}"
    if data_dir.exists():
        shutil.rmtree(data_dir)
    t = time.perf_counter()
    files = write_data(data_dir, rows, args.chunk, args.seed, args.layout)
    size = sum(f.stat().st_size for f in files) / 1e9
    print(f"wrote {rows:,} rows in {args.layout} order to {len(files)} Parquet files ({size:.2f} GB) "
          f"in {time.perf_counter() - t:.1f} s; generator peak RSS {peak_mb():.0f} MB")
    print(f"cores: {os.cpu_count()}, load average {os.getloadavg()[0]:.2f} (1 min), DuckDB "
          f"memory_limit={args.memory_limit}, {args.repeats} runs each, each run a fresh process")
    kinds = list(kinds)
    if rows > args.pandas_max_rows and "pandas_core_in_memory" in kinds:
        kinds.remove("pandas_core_in_memory")
        print(f"pandas_core_in_memory    skipped: {rows:,} rows > --pandas-max-rows")
    results = {}
    try:
        # round robin (one run of each kind, then again), so that changes in the machine's load
        # fall on every kind alike
        all_runs = {kind: [] for kind in kinds}
        for _ in range(args.repeats):
            for kind in kinds:
                all_runs[kind] += timed(kind, args, data_dir, repeats=1)
        for kind in kinds:
            runs = all_runs[kind]
            sec = float(np.median([r["seconds"] for r in runs]))
            mb = max(r["peak_mb"] for r in runs)
            results[kind] = (sec, mb, min(r["seconds"] for r in runs))
            print(f"{kind:24s} median {sec:8.2f} s  runs {[round(r['seconds'], 2) for r in runs]}"
                  f"  peak RSS {mb:7.0f} MB  ({rows / sec / 1e6:.1f} M rows/s)")
    finally:
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    print(f"load average after: {os.getloadavg()[0]:.2f} (1 min)")
    return results


def growth(args, sizes, kinds) -> int:
    """``--sizes``: the first kind at each size, and how time and peak RSS grow."""
    kind = kinds[0]
    rows = {}
    for n in sizes:
        print(f"\n-- {n:,} rows --")
        rows[n] = measure(args, n, [kind])[kind]
    ref = 10_000_000 if 10_000_000 in rows else sizes[0]
    print(f"\n{kind}, {args.layout} order, DuckDB memory_limit={args.memory_limit}:\n")
    print(f"| rows | seconds | peak RSS (MB) | time vs {ref:,} rows | peak RSS vs {ref:,} rows |")
    print("|---:|---:|---:|---:|---:|")
    for n, (sec, mb, _) in rows.items():
        print(f"| {n:,} | {sec:.1f} | {mb:,.0f} | {sec / rows[ref][0]:.2f}x | {mb / rows[ref][1]:.2f}x |")
    parts = [f"kind={kind}", f"layout={args.layout}", "sizes=" + ",".join(map(str, sizes))]
    for n, (sec, mb, _) in rows.items():
        parts += [f"seconds_{n}={sec:.2f}", f"peak_mb_{n}={mb:.0f}",
                  f"time_ratio_{n}_vs_{ref}={sec / rows[ref][0]:.2f}"]
    print("RESULT " + " ".join(parts))
    return 0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=10_000_000)
    p.add_argument("--sizes", help="comma-separated row counts, e.g. 1000000,10000000,100000000: "
                                   "time the first of --kinds at each and print how time and "
                                   "peak RSS grow")
    p.add_argument("--layout", choices=LAYOUTS, default="event",
                   help="row order of the files: event (interleaved by time) or journey")
    p.add_argument("--chunk", type=int, default=5_000_000, help="rows generated per Parquet file")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--memory-limit", default="2GB")
    p.add_argument("--pandas-max-rows", type=int, default=30_000_000,
                   help="run the in-memory pandas path only up to this many rows")
    p.add_argument("--data-dir", type=Path, default=ROOT / "benchmarks" / "_data" / "scale")
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--keep", action="store_true", help="keep the generated Parquet files")
    p.add_argument("--kinds", default=None,
                   help=f"comma-separated runs to time, from {', '.join(KINDS)} (default: all; "
                        "with --sizes: duckdb_all_to_parquet)")
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--data", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        child(args)
        return 0
    default = "duckdb_all_to_parquet" if args.sizes else ",".join(KINDS)
    kinds = [k.strip() for k in (args.kinds or default).split(",") if k.strip()]
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        p.error(f"unknown --kinds {unknown}; choose from {', '.join(KINDS)}")
    if args.sizes:
        return growth(args, [int(x) for x in args.sizes.split(",")], kinds)
    results = measure(args, args.rows, kinds)
    nan = (float("nan"),) * 3

    def sec(kind, i=0):
        return results.get(kind, nan)[i]

    def cost(with_checks, without, i=0):
        """Percent the checks add: from medians (i=0) or, steadier on a busy machine, fastest runs."""
        return 100 * (sec(with_checks, i) / sec(without, i) - 1)

    a, c = results.get("duckdb_all_to_parquet", nan), results.get("duckdb_core_to_pandas", nan)
    said = []  # only the pairs that were timed (a nan figure says nothing)
    for name, with_checks, without in (("every metric", "duckdb_all_to_parquet", "duckdb_all_no_checks"),
                                       ("the core metrics", "duckdb_core_to_pandas", "duckdb_core_no_checks")):
        if with_checks in results and without in results:
            said.append(f"the checks add {cost(with_checks, without):+.0f}% to {name} (fastest runs: "
                        f"{cost(with_checks, without, 2):+.0f}%)")
    if "duckdb_checks_only" in results:
        said.append(f"the checks alone take {sec('duckdb_checks_only'):.2f} s")
    if said:
        print("; ".join(said))
    print(f"RESULT rows={args.rows} layout={args.layout} "
          f"duckdb_all_seconds={a[0]:.2f} duckdb_all_peak_mb={a[1]:.0f} "
          f"duckdb_core_seconds={c[0]:.2f} duckdb_core_peak_mb={c[1]:.0f} "
          f"pandas_core_seconds={sec('pandas_core_in_memory'):.2f} "
          f"duckdb_all_nocheck_seconds={sec('duckdb_all_no_checks'):.2f} "
          f"duckdb_core_nocheck_seconds={sec('duckdb_core_no_checks'):.2f} "
          f"duckdb_checks_only_seconds={sec('duckdb_checks_only'):.2f} "
          f"duckdb_checks_only_peak_mb={results.get('duckdb_checks_only', nan)[1]:.0f} "
          f"check_cost_all_pct={cost('duckdb_all_to_parquet', 'duckdb_all_no_checks'):.1f} "
          f"check_cost_core_pct={cost('duckdb_core_to_pandas', 'duckdb_core_no_checks'):.1f} "
          f"check_cost_all_fastest_pct={cost('duckdb_all_to_parquet', 'duckdb_all_no_checks', 2):.1f} "
          f"check_cost_core_fastest_pct={cost('duckdb_core_to_pandas', 'duckdb_core_no_checks', 2):.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
