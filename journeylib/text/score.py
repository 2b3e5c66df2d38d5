"""Valence of free text: :func:`text_sentiment` and the three classes of :func:`text_class`.

The Dutch scorer, in brief (the datasheet in data/README.md has the details):

1. Faces and emoticons are taken out of the text and scored through
   :data:`journeylib.scales.FACES` (smiley5 / 2, so a face is -1..+1).
2. The rest is cut into words and boundaries (``. ! ? ;`` end a sentence,
   ``, : ( )`` end the reach of a negation or an intensifier).
3. Each word, or phrase of the service vocabulary, gets a polarity: the
   service vocabulary first, then the Pattern adjective lexicon, then the
   same two for inflected forms (``snelle`` -> ``snel``, ``trager`` ->
   ``traag``, ``supervriendelijk`` -> ``vriendelijk`` intensified).
4. A negator up to three words before (``niet``, ``geen``, ``nooit``,
   ``niemand``, ``niets``, ``zonder``...), or up to three words after a verb
   (``werkte niet``), turns the polarity into its negated value: the
   vocabulary's own, else ``-NEGATION * polarity`` for lexicon words.
   Intensifiers right before a word (``heel``, ``erg``, ``zeer``, ``echt``...)
   multiply it, downtoners (``beetje``, ``redelijk``) shrink it; an
   intensifier between the negator and the word softens the negation
   ("niet erg behulpzaam" is milder than "niet behulpzaam").
5. Contrast: every word after ``maar`` or ``echter`` weighs ``CONTRAST``
   times as much as the words before it (a ``maar`` right after a verb, as in
   "maar een deel", means "only" and is no contrast).  When nothing judges
   after it up to the end of its sentence, the turn itself counts: the
   opposite of what came before it in the sentence (or of the previous
   sentence, when ``Maar`` opens one).  Words in a ``hoewel`` / ``ondanks``
   clause weigh half.
6. The valence of the words is the weighted mean of their polarities; with
   faces it is the mean of that and the faces' valence.  A text without any
   judging word or face is 0 (neutral); an empty text is NaN.

English text goes to VADER (its compound score, -1..+1) with journeylib's
English service vocabulary added to its lexicon, after the faces are taken
out and scored the same way; the same turn applies after the last "but" of
a sentence when nothing judges after it.
"""

from __future__ import annotations

import functools
import re

import numpy as np
import pandas as pd

from ..scales import FACES, _lookup_face
from .lexicon import dutch_lexicon, vader, vocabulary_entries

__all__ = ["text_sentiment", "text_class", "LANGUAGES", "BANDS", "CLASSES"]

#: Languages :func:`text_sentiment` knows.
LANGUAGES = ("nl", "en")
#: The three classes of :func:`text_class`, in order.
CLASSES = ("negative", "neutral", "positive")
#: Half-width of the neutral band per language: |valence| <= band is neutral.  Tuned on the
#: "tune" half of data/text_eval.csv only (see journeylib.text.evaluate.tune_band).
BANDS = {"nl": 0.1, "en": 0.0}

# --- the Dutch scorer's settings ---------------------------------------------------------------
NEGATION = 0.6  # a negated lexicon word: -NEGATION * polarity ("niet goed" -0.36, "niet slecht" +0.42)
CONTRAST = 2.0  # weight of what follows "maar" / "echter"
CONCESSION = 0.5  # weight of a "hoewel" / "ondanks" clause
SOFTENED = 0.6  # "niet erg X": the negated value times this
WINDOW = 3  # words a negator reaches

NEGATORS = frozenset({"niet", "geen", "nooit", "niemand", "niets", "niks", "nergens", "noch",
                      "zonder", "geeneen"})
CONTRASTS = frozenset({"maar", "echter"})
CONCESSIVES = frozenset({"hoewel", "ondanks", "weliswaar", "alhoewel"})
#: Words that only modify the next judging word, never judge themselves (the lexicon's
#: "erg" = awful or "zeer" = sore would mislead), with their multiplier.
MODIFIERS = {"heel": 1.5, "erg": 1.5, "zeer": 1.5, "echt": 1.3, "totaal": 1.5, "helemaal": 1.4,
             "volledig": 1.3, "hartstikke": 1.6, "uiterst": 1.6, "extreem": 1.7, "ontzettend": 1.7,
             "vrij": 0.8, "nogal": 1.2, "beetje": 0.6, "enigszins": 0.6, "tamelijk": 0.8,
             "iets": 0.7, "wat": 1.0, "zo": 1.2, "best": 0.9}
#: Words that judge on their own ("super!") but modify a judging word right after them.
SOMETIMES_MODIFIERS = {"super": 1.7, "enorm": 1.6, "vreselijk": 1.6, "verschrikkelijk": 1.6,
                       "bijzonder": 1.4, "redelijk": 0.7, "behoorlijk": 1.3, "absoluut": 1.5}
#: Words that keep "best" and "wat" from judging: they are never scored themselves.
_NEVER_SCORED = frozenset(MODIFIERS) | NEGATORS | CONTRASTS | CONCESSIVES
PREFIXES = {"super": 1.7, "hyper": 1.5, "mega": 1.6, "ultra": 1.6, "over": 1.2}

_TOKEN = re.compile(r"([^\W\d_]+(?:['\u2019-][^\W\d_]+)*)|([.!?;]+)|([,:()\"\u2013\u2014/]+)")
_VOWELS = set("aeiouy")
_BUT = re.compile(r"\bbut\b", re.IGNORECASE)
_SENTENCES = re.compile(r"(?<=[.!?])\s+")
_MODIFIER_CHARS = re.compile("[\U0001f3fb-\U0001f3ff\ufe0f]")
_EMOJI_FACES = sorted((f for f in FACES if not f.isascii()), key=len, reverse=True)
_ASCII_FACES = sorted((f for f in FACES if f.isascii()), key=len, reverse=True)
_FACE_RE = re.compile(
    "|".join(re.escape(f) for f in _EMOJI_FACES)
    + "|(?:(?<=\\s)|^)(?:" + "|".join(re.escape(f) for f in _ASCII_FACES) + ")(?=[\\s.,!?]|$)"
)


# --- faces -------------------------------------------------------------------------------------


def _split_faces(text: str):
    """(text without faces, list of face valences) for one text."""
    plain = _MODIFIER_CHARS.sub("", text)
    found = [m.group(0) for m in _FACE_RE.finditer(plain)]
    if not found:
        return plain, []
    return _FACE_RE.sub(" ", plain), [_lookup_face(f) / 2.0 for f in found]


# --- Dutch -------------------------------------------------------------------------------------


def _stems(word: str):
    """Base forms an inflected Dutch adjective may come from (snelle -> snel, grote -> groot)."""
    for suffix in ("e", "er", "ere", "ste"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            yield from _base_forms(word[: -len(suffix)])


def _base_forms(b: str):
    yield b
    if len(b) > 2 and b[-1] == b[-2] and b[-1] not in _VOWELS:  # snell -> snel
        yield b[:-1]
    for a, c in (("v", "f"), ("z", "s")):  # lieve -> lief, boze -> boos
        if b.endswith(a):
            b2 = b[:-1] + c
            yield b2
            yield from _long_vowel(b2)
    yield from _long_vowel(b)


def _long_vowel(b: str):
    # trag -> traag, grot -> groot: a single vowel before the last consonant was long
    if len(b) > 2 and b[-1] not in _VOWELS and b[-2] in "aeou" and b[-3] not in _VOWELS:
        yield b[:-1] + b[-2] + b[-1]


@functools.lru_cache(maxsize=65536)
def _lookup_word(word: str, vocabulary: bool = True):
    """(polarity, negated or None, kind, multiplier) of a Dutch word, or None when it does not judge."""
    words = vocabulary_entries()[0] if vocabulary else {}
    lex = dutch_lexicon()
    for form in (word, *_stems(word)):
        if form in words:
            pol, neg, kind = words[form]
            return pol, neg, kind, 1.0
        if form in lex:
            return lex[form], None, "adjective", 1.0
    for prefix, mult in PREFIXES.items():  # supervriendelijk, megasnel
        rest = word[len(prefix):]
        if word.startswith(prefix) and len(rest) > 3:
            found = _lookup_word(rest, vocabulary)
            if found is not None:
                return found[0], found[1], found[2], found[3] * mult
    if len(word) > 10:  # compounds ending in a known adjective: gebruiksvriendelijk
        for k in range(3, len(word) - 6):
            tail = word[k:]
            if tail in lex or tail in words:
                return _lookup_word(tail, vocabulary)
    return None


def _tokens(text: str):
    """Lower-cased tokens; '.' for a sentence end and ',' for a scope break."""
    out = []
    for word, end, _brk in _TOKEN.findall(text.lower().replace("\u2019", "'")):
        out.append(word if word else ("." if end else ","))
    return out


def _dutch_words(text: str, vocabulary: bool = True):
    """(weighted mean polarity, number of judging words) of Dutch text without faces."""
    toks = _tokens(text)
    phrases = vocabulary_entries()[1] if vocabulary else {}
    longest = max((len(p) for p in phrases), default=1)
    # pass 1: one unit per word or phrase
    units = []  # [token, entry or None]
    i = 0
    while i < len(toks):
        for n in range(min(longest, len(toks) - i), 1, -1):
            key = tuple(toks[i:i + n])
            if key in phrases:
                pol, neg, kind = phrases[key]
                units.append((" ".join(key), (pol, neg, kind, 1.0)))
                i += n
                break
        else:
            t = toks[i]
            entry = None if t in _NEVER_SCORED or t in ".," else _lookup_word(t, vocabulary)
            units.append((t, entry))
            i += 1
    # a sometimes-modifier followed by a judging word modifies it
    for k, (t, _) in enumerate(units[:-1]):
        following = units[k + 1][1]
        if t in SOMETIMES_MODIFIERS and following is not None and following[0] != 0.0:
            units[k] = (t, None)
    # pass 2: negation, intensity, contrast weights
    values, weights = [], []
    sentence, previous = 0, 0  # where the current and the previous sentence start in `values`
    pending = None  # a contrast word in this sentence: (what it turns against, len(values) then)
    contrast_w = 1.0
    concession = False
    for k, (t, entry) in enumerate(units + [(".", None)]):  # a sentence end closes the text
        if t in CONTRASTS and _is_contrast(units, k):
            # it turns against what came before it in its sentence, or against the previous
            # sentence when it opens one ("... Maar ...")
            opens = k == 0 or units[k - 1][0] == "."
            start = previous if opens else sentence
            pending = (start, len(values))
            contrast_w *= CONTRAST
            concession = False
            continue
        if t in CONCESSIVES:
            concession = True
            continue
        if t == ".":
            if pending is not None and len(values) == pending[1] > pending[0]:
                # "Op tijd geleverd, maar de doos lag over het hek": nothing judges after the
                # contrast word, which still says the rest goes against what came before it
                w = np.asarray(weights[pending[0]:pending[1]])
                values.append(-float(np.dot(w, values[pending[0]:pending[1]]) / w.sum()))
                weights.append(CONTRAST * float(w.sum()))
            pending = None
            previous, sentence = sentence, len(values)
        if t in ".,":
            concession = False
            continue
        if entry is None:
            continue
        value = _value(units, k, entry)
        if value == 0.0:
            continue
        values.append(value)
        weights.append(contrast_w * (CONCESSION if concession else 1.0))
    if not values:
        return 0.0, 0
    mean = float(np.dot(weights, values) / np.sum(weights))
    return float(np.clip(mean, -1.0, 1.0)), len(values)


def _is_contrast(units, k):
    """Whether 'maar' at `k` is the contrast word, not 'only' ('maar een deel', 'maar liefst').

    The contrast follows a boundary (start, comma, full stop) or a judging word
    ("vriendelijk maar traag").
    """
    if units[k][0] != "maar":
        return True
    if k == 0 or units[k - 1][0] in ".,":
        return True
    prev = units[k - 1][1]
    return prev is not None and prev[0] != 0.0


def _value(units, k, entry):
    """Polarity of the judging unit at `k` after negation and intensifiers."""
    pol, neg, kind, mult = entry
    mult_before, negated, softened = 1.0, False, False
    j = k - 1
    while j >= 0 and k - j <= WINDOW and units[j][0] not in ".,":  # look back
        word = units[j][0]
        if word in NEGATORS:
            negated = True
            softened = mult_before > 1.0
            mult_before = 1.0
            # an intensifier before the negator strengthens it: "totaal niet serieus"
            if j >= 1 and units[j - 1][0] in MODIFIERS:
                mult_before = max(1.0, MODIFIERS[units[j - 1][0]])
            break
        if word in MODIFIERS or word in SOMETIMES_MODIFIERS:
            mult_before *= MODIFIERS.get(word, SOMETIMES_MODIFIERS.get(word, 1.0))
        elif units[j][1] is not None and units[j][1][0] != 0.0:
            break  # another judging word: the negation belongs to it
        j -= 1
    if not negated and kind == "verb":  # "de link werkte niet", "begreep mijn vraag niet"
        for j in range(k + 1, min(len(units), k + 1 + WINDOW)):
            if units[j][0] in ".," or (units[j][1] is not None and units[j][1][0] != 0.0):
                break
            if units[j][0] in NEGATORS:
                negated = True
                break
    if negated:
        value = neg if neg is not None else -NEGATION * pol
        value *= SOFTENED if softened else mult_before
    else:
        value = pol * mult_before
    return value * mult


def _score_nl(text: str, vocabulary: bool = True) -> float:
    plain, faces = _split_faces(text)
    words, n = _dutch_words(plain, vocabulary)
    return _combine(words, n > 0, faces)


def _score_en(text: str, vocabulary: bool = True) -> float:
    plain, faces = _split_faces(text)
    analyser = vader(vocabulary)
    compound = float(analyser.polarity_scores(plain)["compound"]) if plain.strip() else 0.0
    if compound != 0.0 and _BUT.search(plain):
        compound = _implied_turn(plain, compound, analyser)
    return _combine(compound, compound != 0.0, faces)


def _implied_turn(plain, compound, analyser):
    """The Dutch contrast rule for English: nothing judges after the last "but" of its sentence."""
    def score(t):
        return float(analyser.polarity_scores(t)["compound"]) if t.strip() else 0.0

    sentences = _SENTENCES.split(plain.strip())
    i = max(k for k, sent in enumerate(sentences) if _BUT.search(sent))
    last = list(_BUT.finditer(sentences[i]))[-1]
    head, tail = sentences[i][:last.start()], sentences[i][last.end():]
    used = {i}
    if not head.strip() and i > 0:  # "... But ..." turns against the previous sentence
        head = sentences[i - 1]
        used.add(i - 1)
    before, after = score(head), score(tail)
    if after != 0.0 or before == 0.0:
        return compound
    turn = -before / (1.0 + CONTRAST)
    rest = score(" ".join(s for k, s in enumerate(sentences) if k not in used))
    return turn if rest == 0.0 else (turn + rest) / 2.0


def _combine(words: float, judged: bool, faces) -> float:
    """Words and faces count as two equal voices; either alone speaks for the text."""
    if faces:
        face = float(np.mean(faces))
        return (words + face) / 2.0 if judged else face
    return words if judged else 0.0


_SCORERS = {"nl": _score_nl, "en": _score_en}


# --- public ------------------------------------------------------------------------------------


def _check_lang(lang):
    if lang not in LANGUAGES:
        raise ValueError(
            f"The value for `lang` must be one of {LANGUAGES!r}, but {lang!r} was passed.")
    return lang


def _as_text(values) -> pd.Series:
    """Texts as an object Series; missing, non-text and blank entries become None."""
    s = values if isinstance(values, pd.Series) else pd.Series(
        np.asarray(values, dtype=object).ravel())
    s = s.astype(object)
    ok = s.map(lambda t: isinstance(t, str) and bool(t.strip()))
    return s.where(ok.astype(bool), None)


def text_sentiment(texts, *, lang="nl", vocabulary=True):
    """Valence (-1..+1) of free text, offline: Dutch by lexicon and rules, English by VADER.

    Parameters
    ----------
    texts : str or array-like of str
        One text or many (a list, array or Series).  Missing values (None,
        NaN) and blank strings give NaN.
    lang : {"nl", "en"} or array-like
        Language of the texts, or one code per text.
    vocabulary : bool, default True
        Use journeylib's service vocabulary (:func:`journeylib.text.service_vocabulary`)
        on top of the general lexicons.  False scores with the Pattern
        lexicon (Dutch, with the same rules) and VADER as shipped (English):
        the reference the evaluation compares against.

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        A float for one text; a Series (same index, name ``text_valence``)
        for a Series; else an array.  0 means no judging word and no face
        was found; NaN means no text.

    Raises
    ------
    ImportError
        When the ``text`` extra (``textblob-nl`` for Dutch, ``vaderSentiment``
        for English) is not installed.
    ValueError
        For an unknown language.

    Notes
    -----
    Nothing is downloaded: the Dutch adjective lexicon (Pattern, as shipped
    by ``textblob-nl``), journeylib's service vocabulary and VADER's lexicon
    are read from installed files, once per process.  Each distinct text is
    scored once.  Faces and emoticons in the text (🙂, ``:-(``) count
    through :data:`journeylib.scales.FACES`.  How well it works, on texts
    written for the purpose: :func:`journeylib.text_evaluation`.

    Examples
    --------
    >>> import journeylib as jl
    >>> round(jl.text_sentiment("Snel geleverd en heel vriendelijk."), 2)
    0.48
    >>> round(jl.text_sentiment("Vriendelijk, maar ik ben niet teruggebeld."), 2)
    -0.3
    >>> jl.text_sentiment(["Geen enkel probleem.", "", None]).round(2).tolist()
    [0.4, nan, nan]
    >>> round(jl.text_sentiment("The refund was quick, thanks!", lang="en"), 2)
    0.7
    >>> float(jl.text_sentiment("Pakket ontvangen 🙂"))
    0.3
    """
    scalar = isinstance(texts, str) or texts is None or (np.ndim(texts) == 0
                                                          and not isinstance(texts, pd.Series))
    series = _as_text([texts] if scalar else texts)
    n = len(series)
    if isinstance(lang, str) or lang is None:
        langs = np.full(n, _check_lang(lang), dtype=object)
    else:
        langs = np.asarray(lang, dtype=object).ravel()
        if len(langs) != n:
            raise ValueError(f"`lang` has {len(langs)} entries for {n} texts; pass one code, or "
                             "one per text.")
        for code in pd.unique(langs):
            _check_lang(code)
    out = np.full(n, np.nan)
    have = series.notna().to_numpy()
    if have.any():
        frame = pd.DataFrame({"text": series.to_numpy()[have], "lang": langs[have]})
        codes, uniques = pd.factorize(pd.MultiIndex.from_frame(frame))
        scores = np.array([_SCORERS[lg](t, bool(vocabulary)) for t, lg in uniques],
                          dtype="float64")
        out[have] = scores[codes]
    if scalar:
        return float(out[0])
    if isinstance(texts, pd.Series):
        return pd.Series(out, index=texts.index, name="text_valence")
    return out


def text_class(values, *, lang="nl", band=None):
    """Three classes of valence: negative, neutral (within the band), positive.

    Parameters
    ----------
    values : float or array-like
        Valences (-1..+1), e.g. from :func:`text_sentiment`.  NaN stays missing.
    lang : {"nl", "en"} or array-like
        Picks the default band (:data:`BANDS`, tuned per language on the
        tune half of the evaluation set); one code, or one per value.
    band : float, optional
        Half-width of the neutral band for all values; ``|valence| <= band``
        is neutral.  ``band=0`` gives the plain sign.

    Returns
    -------
    str or pandas.Categorical
        Ordered categories ``negative < neutral < positive``.

    Examples
    --------
    >>> import journeylib as jl
    >>> list(jl.text_class([-0.5, 0.08, 0.3, float("nan")], lang="nl"))
    ['negative', 'neutral', 'positive', nan]
    >>> jl.text_class(0.05, band=0)
    'positive'
    >>> list(jl.text_class([0.08, 0.08], lang=["nl", "en"]))
    ['neutral', 'positive']
    """
    scalar = np.ndim(values) == 0
    v = np.atleast_1d(np.asarray(values, dtype="float64"))
    if band is not None:
        width = float(band)
        if not width >= 0:
            raise ValueError(f"`band` must be a number >= 0, but {band!r} was passed.")
    elif isinstance(lang, str) or lang is None:
        width = BANDS[_check_lang(lang)]
    else:
        codes = np.asarray(lang, dtype=object).ravel()
        if len(codes) != len(v):
            raise ValueError(f"`lang` has {len(codes)} entries for {len(v)} values; pass one "
                             "code, or one per value.")
        width = np.array([BANDS[_check_lang(c)] for c in codes], dtype="float64") if len(
            codes) else np.zeros(0)
    code = np.where(v < -width, 0, np.where(v > width, 2, 1))
    code = np.where(np.isnan(v), -1, code)
    cat = pd.Categorical.from_codes(code, categories=list(CLASSES), ordered=True)
    return (None if code[0] < 0 else CLASSES[code[0]]) if scalar else cat
