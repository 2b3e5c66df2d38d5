"""Skytrax user reviews (airlinequality.com, scraped 2015): download, verify, tidy.

The review files are public but not ours to redistribute, so they are fetched
the way scikit-learn's ``fetch_*`` functions fetch theirs: downloaded once from
their public URL, checked against a pinned sha256 with :mod:`pooch`, and kept in
a cache folder.  Tests and offline runs point the downloader at a local mirror
instead of the network (``JOURNEYLIB_DATA_MIRROR``).

Each review becomes one journey: its sub-ratings (seat comfort, cabin staff,
queuing, ...) are the touchpoints, ``overall_rating`` the journey rating and
``recommended`` the yes/no recommendation.  See :func:`fetch_skytrax` for what
the loader changes and data/README.md for the datasheet.
"""

from __future__ import annotations

import logging
import os
import shutil
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["fetch_skytrax", "get_data_home", "SKYTRAX_FILES", "MIRROR_ENV", "HOME_ENV"]

#: Environment variable naming a local folder laid out as the shared data mirror
#: (``<mirror>/skytrax/quankiquanki/seat.csv`` ...), used instead of the network.
MIRROR_ENV = "JOURNEYLIB_DATA_MIRROR"
#: Environment variable overriding the cache folder (default ``~/journeylib_data``).
HOME_ENV = "JOURNEYLIB_DATA_HOME"

#: Dates the site used when it had none (the Unix epoch): treated as unknown dates.
PLACEHOLDER_DATES = ("1970-01-01", "1900-01-01")


@dataclass(frozen=True)
class _Remote:
    path: str  # relative to the mirror / cache root
    url: str
    sha256: str
    name_column: str  # the organisation reviewed -> ``actor``
    cabin_column: str | None
    # overall_rating moved from 1-5 to 1-10.  Before ``likert5_before`` a value <= 5 is on the
    # 1-5 scale; from ``stars10_from`` on every value is on the 1-10 scale; in between (the
    # changeover, when both forms were in use) a value <= 5 cannot be decided and is dropped.
    # None, None: the file uses 1-10 throughout.
    likert5_before: str | None
    stars10_from: str | None
    # ``recommended`` was not recorded before this date (it reads 0 there): missing.
    recommend_from: str | None


_QK = "https://raw.githubusercontent.com/quankiquanki/skytrax-reviews-dataset/master/data/"
_AL = "https://raw.githubusercontent.com/ashaloganova/Skytrax/main/"

#: The four review files: where they live, their sha256 and the dates of their traps.
SKYTRAX_FILES: dict[str, _Remote] = {
    "airline": _Remote(
        "skytrax/ashaloganova/airline.csv", _AL + "airline.csv",
        "57e7b3ed140071ca1134131af60fb7e39a7c59107721d643b9ca6ce7fa592895",
        "airline_name", "cabin_flown", "2009-05-01", "2010-01-01", "2009-05-01",
    ),
    "airport": _Remote(
        "skytrax/ashaloganova/airport.csv", _AL + "airport.csv",
        "85590af7bf5d9290dc3847230411aed5e5d834a2caf8ba07d50337c08c36dcbe",
        "airport_name", None, "2011-10-01", "2013-01-01", "2011-10-01",
    ),
    "seat": _Remote(
        "skytrax/quankiquanki/seat.csv", _QK + "seat.csv",
        "7e4945b62b5c7b650b1aad77fb87a2dc0583c5e478ffcbf09e668d5a19eac65b",
        "airline_name", "cabin_flown", None, None, None,
    ),
    "lounge": _Remote(
        "skytrax/quankiquanki/lounge.csv", _QK + "lounge.csv",
        "e3bd9daf05c89cbbad833b26c2380a80db7d7a2433897dc38049505515d62b00",
        "airline_name", "lounge_type", "2015-06-01", None, "2011-11-01",
    ),
}


def get_data_home(data_home=None) -> Path:
    """The folder where fetched datasets are cached, created if needed.

    `data_home` when given, else ``$JOURNEYLIB_DATA_HOME``, else
    ``~/journeylib_data`` (the scikit-learn convention).

    Examples
    --------
    >>> import tempfile
    >>> home = get_data_home(tempfile.mkdtemp())
    >>> home.is_dir()
    True
    """
    home = data_home or os.environ.get(HOME_ENV) or Path.home() / "journeylib_data"
    home = Path(home).expanduser()
    home.mkdir(parents=True, exist_ok=True)
    return home


def _http_download(url, output_file, pooch_obj):
    """Plain HTTP download (pooch's own); the one place that touches the network."""
    import pooch

    return pooch.HTTPDownloader(progressbar=False)(url, output_file, pooch_obj)


def _mirror_copy(source: Path):
    """A pooch downloader that copies `source` from the local mirror instead of downloading."""

    def copy(url, output_file, pooch_obj):
        shutil.copyfile(source, output_file)

    return copy


@contextmanager
def _quiet_pooch():
    import pooch

    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield pooch
    finally:
        logger.setLevel(level)


def _fetch_file(kind: str, data_home=None) -> Path:
    """Verified local path of one review file: cached, else copied from the mirror or downloaded."""
    remote = SKYTRAX_FILES[kind]
    target = get_data_home(data_home) / remote.path
    mirror = os.environ.get(MIRROR_ENV)
    if mirror:
        source = Path(mirror).expanduser() / remote.path
        if not source.is_file() and not target.is_file():
            raise FileNotFoundError(
                f"{MIRROR_ENV}={mirror} is set, but the mirror has no {remote.path} "
                f"(expected {source}). Lay the mirror out as <mirror>/{remote.path}, or unset "
                f"{MIRROR_ENV} to download from {remote.url}."
            )
        downloader, origin = _mirror_copy(source), str(source)
    else:
        downloader, origin = _http_download, remote.url
    with _quiet_pooch() as pooch:
        try:
            path = pooch.retrieve(
                remote.url, known_hash=f"sha256:{remote.sha256}", fname=target.name,
                path=target.parent, downloader=downloader, progressbar=False,
            )
        except ValueError as err:
            if "hash" not in str(err).lower():
                raise
            raise ValueError(
                f"Checksum mismatch for Skytrax {kind!r} file {origin}: its sha256 is not the pinned "
                f"{remote.sha256}. The file was refused and nothing was cached. Restore the "
                f"original file (public copy: {remote.url})."
            ) from None
        except OSError as err:  # requests' errors are OSErrors too
            raise ConnectionError(
                f"Could not download the Skytrax {kind!r} file from {remote.url} ({err}). "
                f"Offline? Set {MIRROR_ENV} to a local folder laid out as <mirror>/{remote.path}, "
                f"or put the file into the cache at {target}."
            ) from None
    return Path(path)


def _decide_rating_scale(values, dates, remote):
    """Per row: 'likert5', 'stars10' or None (cannot be decided), from the date and the value."""
    n = len(values)
    scale = np.full(n, None, dtype=object)
    known = ~np.isnan(values)
    if remote.likert5_before is None and remote.stars10_from is None:
        scale[known] = "stars10"
        return scale
    high = known & (values > 5)
    scale[high] = "stars10"
    dated = dates.notna().to_numpy()
    low = known & ~high & dated
    before = low & (dates < pd.Timestamp(remote.likert5_before)).to_numpy()
    scale[before] = "likert5"
    if remote.stars10_from is not None:
        after = low & (dates >= pd.Timestamp(remote.stars10_from)).to_numpy()
        scale[after] = "stars10"
    return scale


def _warn(message):
    warnings.warn(message, UserWarning, stacklevel=4)


def _tidy(raw: pd.DataFrame, kind: str, *, text: bool, min_touchpoints: int) -> pd.DataFrame:
    from ..io import from_wide

    remote = SKYTRAX_FILES[kind]
    sub = [c for c in raw.columns if c.endswith("_rating") and c != "overall_rating"]
    touchpoints = [c.removesuffix("_rating") for c in sub]
    scores = raw[sub].to_numpy(dtype="float64", na_value=np.nan)

    # 0 means "not rated"
    zeros = scores == 0
    if zeros.any():
        _warn(f"Skytrax {kind}: {int(zeros.sum())} sub-ratings of 0 (= not rated) in "
              f"{int(zeros.any(axis=1).sum())} reviews became missing.")
    scores[zeros] = np.nan

    keep = np.ones(len(raw), dtype=bool)
    reasons = []
    off = ~np.isnan(scores) & ((scores < 1) | (scores > 5) | (np.round(scores) != scores))
    bad = off.any(axis=1)
    if bad.any():
        rows = ", ".join(str(int(p) + 2) for p in np.flatnonzero(bad)[:5])
        reasons.append(f"{int(bad.sum())} with sub-ratings off the 1-5 scale (file rows {rows})")
        keep &= ~bad

    dates = pd.to_datetime(raw["date"], errors="coerce")
    placeholder = dates.isin(pd.to_datetime(list(PLACEHOLDER_DATES)))
    decide_dates = dates.mask(placeholder)
    overall = raw["overall_rating"].to_numpy(dtype="float64", na_value=np.nan)
    rating_scale = _decide_rating_scale(overall, decide_dates, remote)
    no_rating = np.isnan(overall) & keep
    if no_rating.any():
        reasons.append(f"{int(no_rating.sum())} without an overall rating")
    undecided = ~np.isnan(overall) & (rating_scale == None) & keep  # noqa: E711
    if undecided.any():
        reasons.append(
            f"{int(undecided.sum())} whose overall rating of 5 or less cannot be placed on the "
            f"1-5 or the 1-10 scale (changeover {remote.likert5_before} to "
            f"{remote.stars10_from or 'the end of the file'}, or no date)"
        )
    keep &= ~np.isnan(overall) & ~undecided
    few = keep & ((~np.isnan(scores)).sum(axis=1) < min_touchpoints)
    if few.any():
        reasons.append(f"{int(few.sum())} with fewer than {min_touchpoints} rated sub-ratings")
        keep &= ~few
    if reasons:
        _warn(f"Skytrax {kind}: dropped {int((~keep).sum())} of {len(raw)} reviews: "
              + "; ".join(reasons) + ".")

    recommend = raw["recommended"].to_numpy(dtype="float64", na_value=np.nan)
    if remote.recommend_from is not None:
        unrecorded = (decide_dates.isna() | (decide_dates < pd.Timestamp(remote.recommend_from))).to_numpy()
        recommend[unrecorded] = np.nan

    wide = pd.DataFrame(scores, columns=touchpoints)
    wide.insert(0, "journey_id", np.arange(1, len(raw) + 1, dtype="int64"))
    wide["rating"] = overall
    # each review's own scale; both categories always, so every kind has the same dtype
    wide["rating_scale"] = pd.Categorical(rating_scale, categories=["likert5", "stars10"])
    wide["recommend"] = recommend
    wide["actor"] = raw[remote.name_column]
    wide["timestamp"] = dates
    extra = ["actor", "timestamp"]
    if "type_traveller" in raw.columns:
        wide["traveller_type"] = raw["type_traveller"]
        extra.append("traveller_type")
    if remote.cabin_column is not None:
        wide["cabin"] = raw[remote.cabin_column]
        extra.append("cabin")
    if text:
        wide["title"] = raw["title"]
        wide["text"] = raw["content"]
        extra += ["title", "text"]
    wide = wide.loc[keep].reset_index(drop=True)
    return from_wide(
        wide, touchpoints=touchpoints, rating="rating", score_scale="likert5",
        rating_scale="rating_scale", id="journey_id", recommend="recommend",
        recommend_scale="binary", keep=tuple(extra),
        ordered=False,  # aspects of a review (seat, staff, food...), not moments in journey order
    )


def fetch_skytrax(kind="airline", *, data_home=None, text=False, min_touchpoints=2, raw=False):
    """Skytrax user reviews as tidy journey data (downloaded once, checksummed, cached).

    Four files of reviews scraped from airlinequality.com in 2015: ``airline``
    (a 2,244-review sample), ``airport`` (1,001), ``seat`` (1,258) and ``lounge``
    (2,264).  Each review is one journey; its sub-ratings (1-5) are the
    touchpoints, ``overall_rating`` the journey rating, ``recommended`` the
    recommendation.

    The file comes from, in this order: the cache (``data_home``), the local
    mirror named by ``$JOURNEYLIB_DATA_MIRROR`` (a folder laid out as
    ``<mirror>/skytrax/quankiquanki/seat.csv`` ...), the public URL.  Whatever
    the origin, its sha256 must equal the pinned one, else nothing is cached and
    an error is raised.

    What the loader changes (each step warns with its count):

    - a sub-rating of 0 means "not rated": it becomes missing;
    - ``overall_rating`` moved from a 1-5 to a 1-10 scale; ``rating_scale`` is
      decided per review: a value above 5 is on 1-10; a value of 5 or less is on
      1-5 before the changeover, on 1-10 after it, and *dropped* during it
      (airline May to December 2009, airport October 2011 to December 2012,
      lounge from June 2015; seat reviews use 1-10 throughout);
    - reviews with no overall rating, a sub-rating off the 1-5 scale (one airport
      review has 10 and 50), or fewer than `min_touchpoints` rated sub-ratings
      are dropped;
    - ``recommend`` (0/1, scale ``binary``) is missing before the site recorded
      it (airline before May 2009, airport before October 2011, lounge before
      November 2011), where the file holds 0;
    - the sub-ratings are aspects of the trip, not moments in the order met:
      ``ordered`` is False, so ``first``, ``last``, ``peak_end`` and ``trend``
      are undefined (NaN) and left out of rule comparisons.

    Kept as they are, for :func:`journeylib.quality.check_consistency` to
    report: duplicate reviews (seat), placeholder dates (1970-01-01, seat), and
    the lounge overall before 2015, which the site derived from the sub-ratings.

    Parameters
    ----------
    kind : {"airline", "airport", "seat", "lounge"}
    data_home : str or path-like, optional
        Cache folder; default ``$JOURNEYLIB_DATA_HOME`` or ``~/journeylib_data``.
    text : bool, default False
        Add the review's ``title`` and ``text`` (its body) to every row.
    min_touchpoints : int, default 2
        Drop reviews with fewer rated sub-ratings (a single sub-rating is not a
        journey to compare with its overall).
    raw : bool, default False
        Return the verified file as read by :func:`pandas.read_csv`, unchanged.

    Returns
    -------
    pandas.DataFrame
        Validated tidy data: ``journey_id`` (the review's position in the file,
        1 = first review), ``step``, ``touchpoint`` (the sub-rating's name without
        ``_rating``), ``score`` (likert5), ``rating`` with a per-row
        ``rating_scale`` (likert5 or stars10), ``recommend`` (binary), ``actor``
        (airline or airport name), ``timestamp`` (review date), ``traveller_type``
        (airline, seat, lounge), ``cabin`` (cabin flown; the lounge type for
        lounges).

    Raises
    ------
    ConnectionError
        Offline and no mirror: names the URL and ``JOURNEYLIB_DATA_MIRROR``.
    ValueError
        Checksum mismatch (a corrupted or changed file), or an unknown `kind`.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     seat = fetch_skytrax("seat")  # doctest: +SKIP
    >>> seat.groupby("journey_id").ngroups  # doctest: +SKIP
    1257
    >>> fetch_skytrax("flights")
    Traceback (most recent call last):
    ...
    ValueError: The value for `kind` must be one of ('airline', 'airport', 'seat', 'lounge'), but 'flights' was passed.
    """
    if kind not in SKYTRAX_FILES:
        raise ValueError(
            f"The value for `kind` must be one of {tuple(SKYTRAX_FILES)}, but {kind!r} was passed."
        )
    if int(min_touchpoints) < 1:
        raise ValueError(f"`min_touchpoints` must be at least 1, but {min_touchpoints!r} was passed.")
    path = _fetch_file(kind, data_home)
    frame = pd.read_csv(path)
    if raw:
        return frame
    return _tidy(frame, kind, text=text, min_touchpoints=int(min_touchpoints))
