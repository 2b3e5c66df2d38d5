"""Time and peak memory of ``journeylib.validate`` on a large synthetic tidy table.

Usage: ``python benchmarks/bench_validate.py --rows 10000000``.  Prints one line per stage.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd


def make(rows: int, steps: int = 8, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = rows // steps
    rating = rng.integers(1, 11, n).astype("float64")
    return pd.DataFrame({
        "journey_id": np.repeat(np.arange(1, n + 1), steps),
        "step": np.tile(np.arange(1, steps + 1), n),
        "touchpoint": pd.array(np.tile(np.array([f"tp{i}" for i in range(steps)], dtype=object), n),
                               dtype="str"),
        "score": rng.integers(1, 6, n * steps).astype("float64"),
        "score_scale": "likert5",
        "rating": np.repeat(rating, steps),
        "rating_scale": "stars10",
    })


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    from journeylib.schema import validate

    df = make(args.rows)
    print(f"rows: {len(df):,}")
    if args.profile:
        import cProfile
        import pstats
        cProfile.runctx("validate(df)", globals(), locals(), "/tmp/validate.prof")
        pstats.Stats("/tmp/validate.prof").sort_stats("cumulative").print_stats(25)
        return
    for _ in range(args.repeat):
        t = time.perf_counter()
        validate(df)
        print(f"validate: {time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    main()
