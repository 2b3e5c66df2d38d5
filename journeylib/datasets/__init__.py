"""Datasets: ``load_*`` ship inside the package (never the network); ``fetch_*`` download once
with a pinned checksum into a cache, or read a local mirror (``JOURNEYLIB_DATA_MIRROR``)."""

from ._diary import load_example_diary
from ._seed import load_seed_cases
from .skytrax import fetch_skytrax

__all__ = ["fetch_skytrax", "load_example_diary", "load_seed_cases"]
