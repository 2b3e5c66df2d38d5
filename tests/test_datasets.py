"""load_seed_cases: the five stories as tidy data, and the project's own-words rule."""

from __future__ import annotations

import subprocess

import numpy as np
import pandas as pd

import journeylib as jl
from journeylib.schema import REQUIRED


def test_five_journeys_in_story_order():
    cases = jl.load_seed_cases()
    assert list(cases["journey_id"].unique()) == [
        "paypal-claim", "parcel-diary", "tablet-order", "bike-order", "laptop-refund"
    ]
    for col in REQUIRED + ("channel", "actor", "note", "seed"):
        assert col in cases.columns
    # steps run 1..n within each journey, in file order
    steps = cases.groupby("journey_id", sort=False)["step"].apply(list)
    for jid, s in steps.items():
        assert s == list(range(1, len(s) + 1)), jid
    assert set(cases["score_scale"].astype(str)) == {"smiley5"}


def test_seed_file_names_exist(seeds_dir):
    cases = jl.load_seed_cases()
    names = set(cases["seed"])
    assert len(names) == 5
    for name in names:
        assert (seeds_dir / name).is_file(), name


def test_paypal_touchpoints_positive_but_journey_negative():
    cases = jl.add_valence(jl.load_seed_cases())
    paypal = cases[cases["journey_id"] == "paypal-claim"]
    rated = paypal["valence"].dropna()
    assert rated.mean() > 0  # the contacts were fine on average
    assert paypal["rating_valence"].iloc[0] < 0  # the journey was not
    assert paypal["valence"].isna().sum() == 2  # police and bank: mentioned, not rated
    assert set(paypal["actor"]) == {"PayPal", "Transavia", "police", "bank"}


def test_parcel_diary_matches_seed_faces():
    cases = jl.load_seed_cases()
    parcel = cases[cases["journey_id"] == "parcel-diary"]
    faces = ["😃", "🙂", "🙁", "😐", "🙂", "😐", "🙂", "😕", "😖", "😃"]
    assert parcel["score"].tolist() == [jl.face_score(f) for f in faces]


def test_recommend_only_where_stated():
    cases = jl.load_seed_cases()
    rec = cases.groupby("journey_id", sort=False)["recommend"].first()
    assert rec["bike-order"] == 0
    assert rec.drop("bike-order").isna().all()


def test_notes_are_our_own_words(seeds_dir, repo_root):
    """No 60-character passage of a seed appears in any tracked file."""
    chunks = set()
    for seed in seeds_dir.glob("*.txt"):
        for line in seed.read_text(encoding="utf-8", errors="replace").splitlines():
            line = " ".join(line.split())
            for i in range(0, max(0, len(line) - 60), 40):
                chunks.add(line[i:i + 60])
    files = subprocess.run(["git", "ls-files"], cwd=repo_root, capture_output=True, text=True).stdout
    offenders = []
    for name in files.split():
        path = repo_root / name
        if not path.is_file() or path.stat().st_size > 5_000_000:
            continue
        text = " ".join(path.read_bytes().decode("utf-8", errors="ignore").split())
        if any(c in text for c in chunks):
            offenders.append(name)
    assert offenders == []


def test_loader_returns_new_frame_each_call():
    a = jl.load_seed_cases()
    a.loc[0, "score"] = np.nan
    b = jl.load_seed_cases()
    assert not pd.isna(b.loc[0, "score"])
