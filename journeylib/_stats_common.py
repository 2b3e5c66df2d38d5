"""Private helpers shared by the statistics modules (:mod:`journeylib.stats`,
:mod:`journeylib.drivers`, :mod:`journeylib.netpromoter`): input checks, journey
dropping incomplete journeys with a warning, bootstrap indices.
"""

from __future__ import annotations

import warnings

import numpy as np

__all__: list[str] = []

_CHUNK = 4_000_000  # bootstrap matrices are built in pieces of about this many numbers


def _column(s, name, what):
    if name not in s.columns:
        raise ValueError(f"The {what} {name!r} is not available; the journey summary has "
                         f"{', '.join(map(str, s.columns))}.")
    return s[name].to_numpy(dtype="float64", na_value=np.nan)


def _drop_missing(arrays, names, *, minimum, what):
    ok = np.logical_and.reduce([~np.isnan(a) for a in arrays])
    n_drop = int((~ok).sum())
    if n_drop:
        warnings.warn(f"{n_drop} of {len(ok)} journeys dropped from {what}: {' or '.join(names)} "
                      "missing.", UserWarning, stacklevel=3)
    n = int(ok.sum())
    if n < minimum:
        raise ValueError(f"{what} needs at least {minimum} journeys with {' and '.join(names)}, "
                         f"but only {n} have them.")
    return [a[ok] for a in arrays], ok


def _boot_index(rng, n, n_boot, width=1):
    """Yield bootstrap index matrices (chunk x n) adding up to n_boot rows."""
    per = max(1, _CHUNK // max(n * width, 1))
    done = 0
    while done < n_boot:
        b = min(per, n_boot - done)
        yield rng.integers(0, n, size=(b, n))
        done += b


def _check_confidence(confidence):
    if not 0 < confidence < 1:
        raise ValueError(f"The value for `confidence` must lie between 0 and 1, but {confidence!r} "
                         "was passed.")
    return (1 - confidence) / 2 * 100, (1 + confidence) / 2 * 100

