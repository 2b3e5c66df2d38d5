"""The five seed stories as tidy journey data (shipped inside the package)."""

from __future__ import annotations

from importlib import resources

import pandas as pd

from ..schema import validate

__all__ = ["load_seed_cases"]


def load_seed_cases():
    """The five seed stories of the project, one journey each, as tidy data.

    Each row is a touchpoint or contact the story describes, in story order,
    with the channel, the organisation (``actor``), a smiley5 score derived
    from the text and a ``note`` saying why.  ``rating`` is the journey
    rating on smiley5 where the story states or clearly implies one;
    ``recommend`` (binary) only where the story says it.  Scores that a story
    mentions without any feeling are missing on purpose.  See data/README.md
    for every judgement.

    Returns
    -------
    pandas.DataFrame
        Validated tidy data (see :mod:`journeylib.schema`) with the extra
        columns ``seed`` (the source file in ../shared/seeds) and ``note``.

    Examples
    --------
    >>> cases = load_seed_cases()
    >>> cases.groupby("journey_id", sort=False).size().to_dict()
    {'paypal-claim': 11, 'parcel-diary': 10, 'tablet-order': 6, 'bike-order': 8, 'laptop-refund': 8}
    """
    path = resources.files("journeylib").joinpath("data", "seed_cases.csv")
    with resources.as_file(path) as p:
        raw = pd.read_csv(p, dtype={"seed": str, "journey_id": str})
    return validate(raw, source="seed_cases.csv")
