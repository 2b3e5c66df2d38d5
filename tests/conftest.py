"""Shared fixtures: figures closed after each test, paths to ../shared (the offline mirror)."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # unit tests draw off screen; notebooks keep their inline backend

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(autouse=True)
def _close_figures():
    """Close figures and restore rcParams (set_theme changes them) after every test."""
    with matplotlib.rc_context():
        yield
    plt.close("all")


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """../shared/seeds: present in CI; tests that need it skip with a reason elsewhere."""
    path = SHARED / "seeds"
    if not path.is_dir():
        pytest.skip(f"the seed documents are not at {path}")
    return path


@pytest.fixture(scope="session")
def data_mirror() -> Path:
    """The offline dataset mirror: $JOURNEYLIB_DATA_MIRROR, else ../shared/data."""
    path = Path(os.environ.get("JOURNEYLIB_DATA_MIRROR") or SHARED / "data")
    if not path.is_dir():
        pytest.skip(f"no dataset mirror at {path}")
    return path
