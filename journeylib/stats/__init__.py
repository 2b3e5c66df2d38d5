"""Statistics on journeys: gap tests, rule comparison, journey versus touchpoint.

Tidy DataFrames out (pingouin's shape).  Everything works per journey, on
valence (-1..+1): tidy data is first reduced with
:func:`journeylib.journey_summary`; a frame that already is such a summary (no
``step`` column) is used as it is.  Key drivers are in :mod:`journeylib.drivers`,
the Net Promoter Score in :mod:`journeylib.netpromoter`.

One file per question:

- :mod:`~journeylib.stats.gap`: is the journey rated differently from its touchpoints?
- :mod:`~journeylib.stats.rules`: which rule of the touchpoints predicts the rating?
- :mod:`~journeylib.stats.relation`: journey rating or touchpoints, which goes with the outcome?
"""

from .gap import SCORINGS, gap_test, paypal_share
from .outcome import outcome_type
from .relation import journey_vs_touchpoint
from .rules import DEFAULT_RULES, METHODS, compare_rules

__all__ = ["gap_test", "paypal_share", "compare_rules", "journey_vs_touchpoint", "outcome_type",
           "DEFAULT_RULES", "METHODS", "SCORINGS"]
