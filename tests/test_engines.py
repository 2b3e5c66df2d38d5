"""journeylib.engines: the SQL journey summary on DuckDB and Spark equals the pandas reference."""

from __future__ import annotations

import shutil
import warnings

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import journeylib as jl
from journeylib import engines
from journeylib.metrics import ALL_METRICS, journey_summary
from journeylib.schema import JourneyDataError

N_ROWS = 200_000
SCALE_RANGES = {"smiley5": (-2, 2, True), "likert5": (1, 5, True), "ces2010": (1, 5, True),
                "percent": (0, 100, False), "nps11": (0, 10, True)}


def make_rows(n_rows, seed=0):
    """Tidy rows with the traps: missing scores, mixed and reversed scales, ties, null channels."""
    rng = np.random.default_rng(seed)
    n_j = n_rows // 7
    sizes = rng.integers(1, 13, n_j)  # single-moment journeys included
    n = int(sizes.sum())
    starts = np.repeat(np.cumsum(sizes) - sizes, sizes)
    jid = np.repeat(rng.permutation(np.arange(10, 10 + 3 * n_j, 3)), sizes)  # ids not in file order
    step = np.arange(n) - starts + 1
    step = step * rng.integers(1, 3, n_j).repeat(sizes)  # gaps between steps in some journeys
    names = list(SCALE_RANGES)
    scale = np.array(names)[rng.integers(0, len(names), n_j)].repeat(sizes)
    lo = np.array([SCALE_RANGES[s][0] for s in names])[pd.Categorical(scale, names).codes]
    hi = np.array([SCALE_RANGES[s][1] for s in names])[pd.Categorical(scale, names).codes]
    score = np.where(scale == "percent", np.round(rng.uniform(lo, hi), 1), rng.integers(lo, hi + 1))
    score = score.astype(float)
    score[rng.random(n) < 0.05] = np.nan
    all_missing = np.repeat(rng.random(n_j) < 0.01, sizes)
    score[all_missing] = np.nan
    channel = np.array(["web", "mail", "phone", "chat"], dtype=object)[rng.integers(0, 4, n)]
    channel[rng.random(n) < 0.03] = None
    t0 = np.repeat(rng.integers(1_700_000_000, 1_730_000_000, n_j), sizes)
    return pd.DataFrame({
        "journey_id": jid.astype(np.int64),
        "step": step.astype(np.int64),
        "touchpoint": np.array(list("ABCDEFG"))[rng.integers(0, 7, n)],
        "channel": channel,
        "actor": np.array(["shop", "carrier", "bank"])[rng.integers(0, 3, n)],
        "timestamp": pd.to_datetime((t0 + step * rng.integers(1, 5000, n)) * 1_000_000, unit="us"),
        "score": score,
        "score_scale": scale,
        "rating": rng.integers(1, 11, n_j).repeat(sizes).astype(float),
        "rating_scale": "stars10",
        "recommend": rng.integers(0, 11, n_j).repeat(sizes).astype(float),
    })


@pytest.fixture(scope="module")
def parquet_dir(tmp_path_factory):
    """N_ROWS generated rows in two Parquet files (the order of rows shuffled)."""
    df = make_rows(N_ROWS).sample(frac=1.0, random_state=1)
    d = tmp_path_factory.mktemp("events")
    half = len(df) // 2
    pq.write_table(pa.Table.from_pandas(df.iloc[:half], preserve_index=False), d / "part-0.parquet")
    pq.write_table(pa.Table.from_pandas(df.iloc[half:], preserve_index=False), d / "part-1.parquet")
    return d


@pytest.fixture(scope="module")
def reference(parquet_dir):
    """The pandas path on the same rows."""
    return journey_summary(pd.read_parquet(parquet_dir))


def assert_same(got, ref):
    """Same columns, journeys and order; every value within 1e-9 (NaN where NaN)."""
    assert list(got.columns) == list(ref.columns)
    assert len(got) == len(ref)
    np.testing.assert_array_equal(got["journey_id"].to_numpy(), ref["journey_id"].to_numpy())
    for col in ref.columns[1:]:
        a, b = got[col], ref[col]
        if col == "recommend_scale":  # categorical on both paths; categories as the data had them
            assert a.astype(str).tolist() == b.astype(str).tolist()
            continue
        assert a.dtype == b.dtype, col
        if col == "duration":
            a, b = a.dt.total_seconds(), b.dt.total_seconds()
        a = a.to_numpy(dtype="float64", na_value=np.nan)
        b = b.to_numpy(dtype="float64", na_value=np.nan)
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-9, equal_nan=True, err_msg=col)


def test_generated_data_has_the_traps(reference):
    assert len(reference) > 25_000
    assert (reference["n_missing"] == reference["n_touchpoints"]).any()  # all scores missing
    assert reference["mean"].isna().any() and (reference["n_touchpoints"] == 1).any()
    assert ((reference["max"] == -reference["min"]) & (reference["max"] > 0)).sum() > 100  # peak ties


def test_metric_definitions_cover_the_pandas_metrics():
    assert list(engines.METRIC_SQL) == list(ALL_METRICS)


def test_duckdb_equals_pandas_on_parquet_glob(parquet_dir, reference):
    got = engines.summarize(str(parquet_dir / "*.parquet"))
    assert_same(got, reference)


def test_duckdb_subset_and_folder_and_out(parquet_dir, reference, tmp_path):
    wanted = ["gap_peak_end", "n_channels", "peak", "median"]
    got = engines.summarize(parquet_dir, metrics=wanted, memory_limit="500MB", threads=1)
    assert_same(got, reference[["journey_id", *wanted]])
    path = engines.summarize(parquet_dir, metrics=wanted, out=tmp_path / "summary.parquet")
    assert_same(pd.read_parquet(path), reference[["journey_id", *wanted]])


def test_duckdb_parts_of_whole_journeys(parquet_dir, reference, tmp_path):
    # five parts (ranges of journey ids, split once) give the one-query answer, in memory and to a file
    got = engines.summarize(parquet_dir, batch_rows=N_ROWS // 5 + 1)
    assert_same(got, reference)
    path = engines.summarize(parquet_dir, batch_rows=N_ROWS // 5 + 1, out=tmp_path / "s.parquet")
    assert_same(pd.read_parquet(path), reference)


def test_duckdb_on_pandas_frame_with_string_ids(tmp_path):
    df = make_rows(3000, seed=5)
    df["journey_id"] = "j" + df["journey_id"].astype(str)
    got = engines.summarize(df)
    ref = journey_summary(df)
    assert got["journey_id"].tolist() == ref["journey_id"].tolist()
    assert_same(got.drop(columns="journey_id").assign(journey_id=0),
                ref.drop(columns="journey_id").assign(journey_id=0))
    # several parts by hash of the id (through a Parquet file of the frame), sorted afterwards
    passes = engines.summarize(df, batch_rows=1000)
    assert passes["journey_id"].tolist() == ref["journey_id"].tolist()
    assert_same(passes.drop(columns="journey_id").assign(journey_id=0),
                ref.drop(columns="journey_id").assign(journey_id=0))
    path = engines.summarize(df, batch_rows=1000, out=tmp_path / "s.parquet")
    assert pd.read_parquet(path)["journey_id"].tolist() == ref["journey_id"].tolist()


def test_hand_worked_journey():
    # smiley5 2, -2 (same size: the later one is the peak), then a missing score; likert5 rating 2
    df = pd.DataFrame({"journey_id": [7, 7, 7, 7], "step": [1, 2, 3, 5],
                       "touchpoint": ["web", "mail", "web", "web"], "channel": ["a", "b", "b", "a"],
                       "score": [2, -2, 0, np.nan], "score_scale": "smiley5",
                       "rating": 2, "rating_scale": "likert5"})
    row = engines.summarize(df).iloc[0]
    assert row["peak"] == -1.0 and row["last"] == 0.0 and row["peak_end"] == -0.5
    assert row["n_touchpoints"] == 4 and row["n_missing"] == 1 and row["n_repeats"] == 2
    assert row["channel_switches"] == 2 and row["n_channels"] == 2
    assert row["rating"] == -0.5 and row["gap"] == -0.5 and row["gap_peak_end"] == 0.0
    assert row["trend"] == pytest.approx(np.polyfit([1, 2, 3], [1, -1, 0], 1)[0])
    assert row["volatility"] == pytest.approx(np.std([1, -1, 0], ddof=1))


# --- bad input --------------------------------------------------------------------------------------

def test_parquet_missing_column_names_file_and_column(tmp_path):
    df = make_rows(100).drop(columns="rating_scale")
    path = tmp_path / "no_scale.parquet"
    df.to_parquet(path)
    with pytest.raises(JourneyDataError, match=r"rating_scale") as info:
        engines.summarize(path)
    assert str(path) in str(info.value)


def test_glob_matching_nothing(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"matches no files"):
        engines.summarize(str(tmp_path / "nothing-*.parquet"))
    with pytest.raises(FileNotFoundError, match=r"contains no \.parquet files"):
        engines.summarize(tmp_path)


def test_unknown_engine_lists_supported():
    with pytest.raises(ValueError, match=r"'duckdb', 'spark'.*'polars' was passed"):
        engines.summarize(make_rows(50), engine="polars")


def test_unknown_metric_and_missing_column():
    with pytest.raises(ValueError, match=r"'avg' was passed"):
        engines.summarize(make_rows(50), metrics=["avg"])
    with pytest.raises(ValueError, match=r"'channel'"):
        engines.summarize(make_rows(50).drop(columns="channel"), metrics=["channel_switches"])


@pytest.mark.parametrize("change, pattern", [
    ({"score_scale": "likert9"}, r"journey \d+, step \d+, column 'score_scale': value 'likert9': "
                                 r"unknown scale \(did you mean 'likert7'\?\)"),
    ({"score": 9.0, "score_scale": "smiley5"},
     r"journey \d+, step \d+, column 'score': value 9.0: not a valid answer on scale 'smiley5'"),
])
def test_bad_values_are_named(change, pattern):
    df = make_rows(50)
    df.loc[3, list(change)] = list(change.values())
    with pytest.raises(JourneyDataError, match=pattern) as info:
        engines.summarize(df)
    assert info.value.problems[0]["journey"] == df.loc[3, "journey_id"]
    assert info.value.problems[0]["step"] == df.loc[3, "step"]


def test_rating_differing_within_journey():
    df = make_rows(200)
    first = df["journey_id"].iloc[0]
    df.loc[df.index[(df["journey_id"] == first).to_numpy()][-1], "rating"] = 1.0 + df["rating"].iloc[0] % 9
    if (df["journey_id"] == first).sum() < 2:
        pytest.fail("generator gave a one-moment first journey; pick another seed")
    with pytest.raises(JourneyDataError, match=rf"rating differs between rows of journey {first}"):
        engines.summarize(df)


# --- Spark ------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def spark():
    if shutil.which("java") is None:
        pytest.skip("Spark local mode needs Java (java not found on PATH)")
    pyspark_sql = pytest.importorskip("pyspark.sql", reason="pyspark is not installed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # pyspark: "does not yet fully support pandas 3"
        session = (pyspark_sql.SparkSession.builder.master("local[2]").appName("journeylib-tests")
                   .config("spark.sql.shuffle.partitions", "2")
                   .config("spark.ui.enabled", "false")
                   .config("spark.ui.showConsoleProgress", "false")
                   .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.mark.spark
def test_spark_equals_pandas(spark, parquet_dir, reference):
    sdf = spark.read.parquet(str(parquet_dir))
    got = engines.summarize(sdf)
    assert_same(got, reference)


@pytest.mark.spark
def test_spark_bad_rating_and_path(spark, tmp_path):
    df = make_rows(40)
    df.loc[df.index[-1], "rating"] = 1.0 + df["rating"].iloc[-1] % 9
    path = tmp_path / "bad.parquet"
    df.to_parquet(path)
    with pytest.raises(JourneyDataError, match=r"rating differs between rows of journey"):
        engines.summarize(path, engine="spark", metrics=["mean"])


def bad_rows():
    """One good journey and one defect per other journey; step, score and timestamp as text."""
    rows = []
    for j in range(1, 13):
        for k in (1, 2):
            rows.append({"journey_id": float(j), "step": str(k), "touchpoint": "web", "channel": None,
                         "score": str(k + 2), "score_scale": "likert5", "rating": 3.0,
                         "rating_scale": "likert5", "timestamp": f"2026-03-0{k} 10:00"})
    df = pd.DataFrame(rows)
    at = {j: int(np.flatnonzero(df["journey_id"] == j)[1]) for j in range(1, 13)}  # 2nd row
    df.loc[at[2], "step"] = "1"                      # duplicate step
    df.loc[at[3], "step"] = "-1"                     # negative step
    df.loc[at[4], "step"] = "2.5"                    # fractional step
    df.loc[at[5], "step"] = "stap 2"                 # text step
    df.loc[at[6], "score"] = "zes"                   # not a number
    df.loc[at[7], "score"] = "#N/A"                  # spreadsheet error
    df.loc[at[8], "score"] = "9"                     # off its scale
    df.loc[at[9], "rating"] = np.nan                 # rating missing on one row
    df.loc[at[10], "rating_scale"] = "ces2010"       # same valence (0), another scale
    df.loc[at[11], "timestamp"] = "not a date"
    df.loc[at[12], "journey_id"] = np.nan            # missing journey id
    expected = {("step", 2), ("step", 3), ("step", 4), ("step", 5), ("score", 6), ("score", 7),
                ("score", 8), ("rating", 9), ("rating_scale", 10), ("timestamp", 11),
                ("journey_id", None)}
    return df, expected


def test_duckdb_names_every_defect_in_one_file(tmp_path):
    df, expected = bad_rows()
    path = tmp_path / "bad.parquet"
    df.to_parquet(path)
    with pytest.raises(JourneyDataError) as info:
        engines.summarize(path)
    assert {(p["column"], p["journey"]) for p in info.value.problems} == expected
    assert {p["file"] for p in info.value.problems} == {str(path)}
    assert info.value.total == len(expected)


@pytest.mark.spark
def test_spark_names_every_defect_as_duckdb_does(spark, tmp_path):
    df, expected = bad_rows()
    path = tmp_path / "bad.parquet"
    df.to_parquet(path)
    with pytest.raises(JourneyDataError) as info:
        engines.summarize(path, engine="spark")
    with pytest.raises(JourneyDataError) as duck:
        engines.summarize(path)
    assert {(p["column"], p["journey"]) for p in info.value.problems} == expected
    assert {p["file"] for p in info.value.problems} == {str(path)}
    assert [p["message"] for p in info.value.problems] == [p["message"] for p in duck.value.problems]
    # a Spark DataFrame: the same problems, no file to name
    with pytest.raises(JourneyDataError) as frame:
        engines.summarize(spark.read.parquet(str(path)))
    assert {(p["column"], p["journey"]) for p in frame.value.problems} == expected


@pytest.mark.spark
def test_spark_equals_pandas_on_zoned_times_huge_steps_text_ids(spark, tmp_path):
    df = make_rows(3000, seed=7)
    df["journey_id"] = "j" + df["journey_id"].astype(str)
    df["step"] = df["step"] + 1_700_000_000  # epoch seconds as steps
    df["timestamp"] = df["timestamp"].dt.tz_localize("UTC").dt.tz_convert("Europe/Amsterdam")
    df["score_scale"] = np.where(df["score_scale"] == "likert5", "ces2010", df["score_scale"])
    df.to_parquet(tmp_path / "tricky.parquet")
    got = engines.summarize(str(tmp_path / "tricky.parquet"), engine="spark")
    ref = journey_summary(df)
    assert got["journey_id"].tolist() == ref["journey_id"].tolist()
    assert_same(got.assign(journey_id=0), ref.assign(journey_id=0))


def test_journey_summary_dispatches_parquet_paths(tmp_path):
    """jl.journey_summary on a Parquet path gives the pandas answer (one entry point)."""
    import journeylib as jl

    data = jl.simulate_journeys(300, seed=4)
    path = tmp_path / "events.parquet"
    data.to_parquet(path)
    got = jl.journey_summary(str(path), metrics=["mean", "peak_end", "n_repeats", "gap"])
    want = jl.journey_summary(data, metrics=["mean", "peak_end", "n_repeats", "gap"])
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True),
                                  check_dtype=False, atol=1e-9, rtol=0)


# --- the one-pass forms (journeylib.engines.fast) against pandas --------------------------------------

def _journeys(rng, n_j, scales, *, max_len=9, gaps=False):
    """Journeys of 1..max_len moments, each on one of `scales`, with missing scores and ties."""
    rows = []
    for j in range(n_j):
        scale = scales[j % len(scales)]
        lo, hi, whole = SCALE_RANGES.get(scale, (1, 10, False) if scale == "grade10" else (0, 1, True))
        n = int(rng.integers(1, max_len + 1))
        steps = np.cumsum(rng.integers(1, 4 if gaps else 2, n))
        for s in steps:
            x = rng.integers(lo, hi + 1) if whole else np.round(rng.uniform(lo, hi), 2)
            rows.append({"journey_id": j, "step": int(s), "touchpoint": "abcdefg"[rng.integers(0, 7)],
                         "channel": [None, "web", "mail", "phone"][rng.integers(0, 4)],
                         "score": np.nan if rng.random() < 0.15 else float(x), "score_scale": scale,
                         "rating": 3.0, "rating_scale": "likert5"})
    return pd.DataFrame(rows)


SCALE_RANGES.update({"binary": (0, 1, True), "stars10": (1, 10, True), "likert7": (1, 7, True)})


@pytest.mark.parametrize("scales", [["likert5"], ["nps11"], ["smiley5", "ces2010"], ["binary"],
                                    ["stars10", "likert7", "likert5"], ["percent"], ["grade10"],
                                    ["likert5", "percent"]])
def test_median_from_level_counts_equals_pandas(scales):
    # integer scales: level counts; continuous ones: the exact median of their rows; both in a file
    df = _journeys(np.random.default_rng(len(scales)), 400, scales)
    want = journey_summary(df, metrics=["median", "n_missing"])
    assert_same(engines.summarize(df, metrics=["median", "n_missing"]), want)
    assert want["median"].isna().any()  # a journey without a score


def test_median_of_a_journey_on_two_scales_is_computed_again_exactly(tmp_path):
    # level counts need one scale per journey: a mixed journey goes to the exact query
    df = _journeys(np.random.default_rng(3), 300, ["likert5"])
    df["score_scale"] = np.where(np.arange(len(df)) % 3 == 0, "nps11", "likert5")
    df.loc[df["score_scale"] == "nps11", "score"] = 7.0
    want = journey_summary(df, metrics=["median", "trend"])
    assert_same(engines.summarize(df, metrics=["median", "trend"]), want)
    assert_same(engines.summarize(df, metrics=["median", "trend"], batch_rows=200), want)
    path = engines.summarize(df, metrics=["median", "trend"], out=tmp_path / "s.parquet")
    assert_same(pd.read_parquet(path), want)


def test_median_ties_and_even_counts():
    # medians that differ from the mean and from the midpoint of min and max: ties, an even count
    # whose middle pair differs, a missing score
    scores = {1: [1, 2, 2, 5], 2: [1, 1, 4, 5, 5], 3: [2, np.nan, 5, 5], 4: [1, 2, 4, 5, 5, 5]}
    df = pd.DataFrame([{"journey_id": j, "step": i + 1, "touchpoint": "t", "score": x,
                        "score_scale": "likert5", "rating": 3.0, "rating_scale": "likert5"}
                       for j, xs in scores.items() for i, x in enumerate(xs)])
    want = [(np.nanmedian(xs) - 3) / 2 for xs in scores.values()]  # likert5: 1..5 -> -1..+1
    assert want == [-0.5, 0.5, 1.0, 0.75]
    for kwargs in ({}, {"batch_rows": 8}):
        assert engines.summarize(df, metrics=["median"], **kwargs)["median"].tolist() == want


@pytest.mark.parametrize("offset, spacing", [(0, 1), (1, 3), (1_000_000, 1), (1_700_000_000, 60),
                                             (2**20 - 3, 1)])
def test_trend_from_integer_sums_equals_pandas(offset, spacing):
    # small steps: exact sums; large or close-together steps: the exact query
    df = _journeys(np.random.default_rng(offset % 97), 300, ["likert5", "percent"], gaps=True)
    df["step"] = offset + df["step"] * spacing
    assert_same(engines.summarize(df, metrics=["trend"]), journey_summary(df, metrics=["trend"]))


@pytest.mark.parametrize("gaps, max_len", [(False, 9), (True, 9), (True, 40), (False, 70)])
def test_channel_switches_from_step_bitmasks_equal_pandas(gaps, max_len):
    # gaps between steps, missing channels, journeys spanning more than 62 steps (exact query)
    df = _journeys(np.random.default_rng(max_len), 300, ["likert5"], max_len=max_len, gaps=gaps)
    df["step"] += 61  # bit positions wrap around the 64-bit word
    metrics = ["channel_switches", "n_channels", "n_repeats"]
    assert_same(engines.summarize(df, metrics=metrics), journey_summary(df, metrics=metrics))


def test_many_channels_and_touchpoints_and_typed_columns_take_the_exact_forms():
    df = _journeys(np.random.default_rng(8), 300, ["likert5"], max_len=12)
    rng = np.random.default_rng(9)
    metrics = ["channel_switches", "n_channels", "n_repeats", "n_actors"]
    many = df.assign(channel=[f"c{i}" for i in rng.integers(0, 20, len(df))],   # > 16 channels
                     touchpoint=[f"t{i}" for i in rng.integers(0, 90, len(df))],  # > 64 values
                     actor=rng.integers(0, 3, len(df)))                          # not text
    assert_same(engines.summarize(many, metrics=metrics), journey_summary(many, metrics=metrics))


def test_the_benchmark_layout_needs_no_second_query():
    # one scale per journey, steps 1..n, few channels: no journey is computed twice
    import duckdb

    from journeylib.engines import checks, fast
    from journeylib.engines.sql import _DUCKDB_SHIMS, summary_sql

    df = make_rows(20_000, seed=11)
    df = df[df["score_scale"] != "percent"].assign(channel=lambda d: d["channel"].fillna("web"))
    df["step"] = df.groupby("journey_id").cumcount() + 1
    con = duckdb.connect()
    for macro in _DUCKDB_SHIMS:
        con.execute(macro)
    con.register("t", df)
    rel = con.sql("SELECT * FROM t LIMIT 0")
    kinds = checks.duckdb_kinds(rel.columns, rel.types)
    plan = fast.plan_from(kinds, con.execute(fast.distinct_sql("t", kinds)).fetchall()[0])
    assert plan.levels == 11 and set(plan.codes) == {"touchpoint", "channel", "actor"}  # nps11
    flags = con.sql(summary_sql("t", kinds, plan=plan)).df()
    assert not flags[fast.REDO].any() and not flags[checks.UNSURE].any()
    assert_same(engines.summarize(df), journey_summary(df))


# --- ordered, recommend_scale -------------------------------------------------------------------------

def _unordered_rows():
    df = make_rows(4000, seed=12)
    ids = df["journey_id"].unique()
    return df.assign(ordered=df["journey_id"].isin(ids[::3]).map({True: False, False: True}))


def test_unordered_journeys_get_no_order_dependent_metrics(tmp_path):
    df = _unordered_rows()
    want = journey_summary(df)
    assert list(want.columns)[-1] == "ordered" and not want["ordered"].all()
    assert want.loc[~want["ordered"], "last"].isna().all()
    assert_same(engines.summarize(df), want)
    # a tie between +1 and -1 on an unordered journey: no peak, as pandas
    tie = pd.DataFrame({"journey_id": [1, 1, 2, 2], "step": [1, 2, 1, 2], "touchpoint": "t",
                        "score": [2.0, -2.0, 2.0, -2.0], "score_scale": "smiley5", "rating": 3.0,
                        "rating_scale": "likert5", "ordered": ["no", "no", None, "yes"]})
    got = engines.summarize(tie, metrics=["peak", "last"])
    assert_same(got, journey_summary(tie, metrics=["peak", "last"]))
    assert np.isnan(got["peak"].iloc[0]) and got["peak"].iloc[1] == -1.0
    tie.to_parquet(tmp_path / "tie.parquet")
    assert_same(engines.summarize(tmp_path / "tie.parquet", metrics=["peak"]),
                journey_summary(tie, metrics=["peak"]))


@pytest.mark.parametrize("values, pattern", [
    ([True, False, True, True], r"ordered differs between rows of journey 1"),
    (["yes", "maybe", "no", "no"], r"ordered must be True or False"),
])
def test_ordered_must_be_one_flag_per_journey(values, pattern):
    from tests.test_contract_paths import base

    df = base().assign(ordered=pd.Series(values, dtype=object))
    for run in (engines.summarize, jl.validate):
        with pytest.raises(JourneyDataError, match=pattern):
            run(df)


def test_recommend_scale_follows_recommend():
    df = make_rows(300).assign(recommend_scale="nps11")
    df.loc[df["journey_id"] == df["journey_id"].iloc[0], ["recommend", "recommend_scale"]] = [4.0, "likert5"]
    want = journey_summary(df, metrics=["mean", "recommend"])
    assert list(want.columns) == ["journey_id", "mean", "recommend", "recommend_scale"]
    got = engines.summarize(df, metrics=["mean", "recommend"])
    assert_same(got, want)
    assert got["recommend_scale"].tolist().count("likert5") == 1


def test_float_ids_and_mixed_zones_get_the_pandas_message():
    from journeylib.schema import MESSAGES
    from tests.test_contract_paths import base, text

    bad_id = base().assign(journey_id=[1.5, 1.5, 2.0, 2.0])
    zones = text("timestamp", ["2026-01-01 10:00+01:00", "2026-01-01 12:00", None, None])
    for df, key in ((bad_id, "journey_id_float"), (zones, "ts_mixed")):
        for run in (engines.summarize, jl.validate):
            with pytest.raises(JourneyDataError) as info:
                run(df)
            assert info.value.problems[0]["message"] == MESSAGES[key]


@pytest.mark.spark
def test_spark_blanks_unordered_journeys_and_carries_recommend_scale(spark, tmp_path):
    df = _unordered_rows().assign(recommend_scale="nps11")
    df.to_parquet(tmp_path / "unordered.parquet")
    got = engines.summarize(spark.read.parquet(str(tmp_path / "unordered.parquet")))
    assert_same(got, journey_summary(df))
