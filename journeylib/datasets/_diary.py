"""The project's own example smiley diary, clean and with seed 001's broken encoding."""

from __future__ import annotations

from importlib import resources

from ..diary import read_diary

__all__ = ["load_example_diary"]

_FILES = {False: "example_diary.txt", True: "example_diary_broken.txt"}


def load_example_diary(broken=False):
    """The example smiley diary: a washing machine repaired under warranty.

    A Dutch diary written for journeylib (not taken from anywhere): 8 stops,
    an extra moment in stop 5 (the agent who called back), an overall
    rating ``Oordeel: 🙂``, an intro and a conclusion.  With ``broken=True``
    the same text as stored with seed 001's damage (UTF-8 read through a Thai
    Windows code page, undefined bytes dropped), repaired on reading.  See the
    "Example smiley diary" section of data/README.md.

    Parameters
    ----------
    broken : bool, default False
        Read the broken copy; the result equals the clean one except that
        ``repaired`` is True.

    Returns
    -------
    pandas.DataFrame
        As :func:`journeylib.read_diary`, with ``journey_id``
        ``"washing-machine"``; ``attrs["source"]`` is the file name.

    Examples
    --------
    >>> diary = load_example_diary(broken=True)
    >>> diary[["stop", "face", "score"]].head(3).values.tolist()
    [[1, '🙂', 1.0], [2, '😕', -1.0], [3, '😃', 2.0]]
    >>> bool(diary["repaired"].all()), float(diary["rating"].iloc[0])
    (True, 1.0)
    """
    name = _FILES[bool(broken)]
    text = resources.files("journeylib").joinpath("data", name).read_text(encoding="utf-8")
    data = read_diary(text, journey_id="washing-machine")
    data.attrs["source"] = name
    return data
