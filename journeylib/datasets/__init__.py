"""Datasets: ``load_*`` ship inside the package (never the network); ``fetch_*`` download once
with a pinned checksum into a cache, or read a local mirror (``JOURNEYLIB_DATA_MIRROR``)."""

from ._seed import load_seed_cases

__all__ = ["load_seed_cases"]
