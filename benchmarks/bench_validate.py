"""Time and peak memory of the foundation on a large synthetic table: validate, from_wide, read_journeys.

Usage: ``python benchmarks/bench_validate.py --rows 10000000`` (``--csv`` also times
``read_journeys`` on a semicolon/decimal-comma file written to a temporary folder).
Prints one line per stage.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd


def make(rows: int, steps: int = 8, seed: int = 0) -> pd.DataFrame:
    """A tidy table: ``rows // steps`` journeys of `steps` moments, likert5 scores, stars10 ratings."""
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


def peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6  # kB -> GB (Linux)


def timed(label, func, *args, **kwargs):
    t = time.perf_counter()
    out = func(*args, **kwargs)
    print(f"{label}: {time.perf_counter() - t:.2f} s (peak RSS so far {peak_gb():.2f} GB)", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--csv", action="store_true", help="also write and read a Dutch CSV")
    args = parser.parse_args()
    from journeylib.io import from_wide, read_journeys
    from journeylib.schema import validate

    df = make(args.rows)
    print(f"rows: {len(df):,}; table built, peak RSS {peak_gb():.2f} GB")
    timed("validate (tidy, sorted ids)", validate, df)
    timed("validate (rows shuffled)", validate,
          df.sample(frac=1.0, random_state=0).reset_index(drop=True))

    steps = 10
    n = args.rows // steps
    rng = np.random.default_rng(1)
    wide = pd.DataFrame({f"tp{i}": rng.integers(0, 6, n) for i in range(steps)})
    wide["overall"] = rng.integers(1, 11, n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the count of 0 = not rated
        timed(f"from_wide ({n:,} respondents x {steps})", from_wide, wide,
              touchpoints=[f"tp{i}" for i in range(steps)], rating="overall",
              score_scale="likert5", rating_scale="stars10", missing=0)

    if args.csv:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "dutch.csv"
            timed("write ;-separated CSV with decimal commas",
                  df.assign(score=df["score"] - 0.5, score_scale="percent").to_csv,
                  path, sep=";", decimal=",", index=False)
            timed("read_journeys (that CSV)", read_journeys, path)


if __name__ == "__main__":
    main()
