"""Figures: the emotion curve with drawn faces, the gap charts, rule comparison, drivers, NPS.

Every function has seaborn's shape: data first, options keyword-only,
``ax=None`` (the current Axes is used then) and the Axes returned, except
:func:`journey_card`, which makes and returns a whole Figure for a slide.
Nothing here calls ``plt.show()`` or saves a file.

Everything is drawn on valence (-1 = worst, +1 = best; see
:func:`journeylib.valence`), with the colour-blind-safe diverging palette of
:func:`journeylib.plots.theme.valence_color` (red = unhappy, blue = happy).

Where each piece lives:

- ``theme.py``: :func:`set_theme`, the valence palette (``valence_color``) and
  the shared colours ``INK``, ``GREY``, ``NEG``, ``POS``.
- ``faces.py``: drawing one smiley (``draw_face``, ``face_transform``) and
  finding the drawn faces again (``find_faces``, used by the tests).
- ``journey.py``: :func:`emotion_curve` and :func:`journey_card` (choosing the
  journey, the mean curve over many journeys, the slide).
- ``journey_map.py``: ``draw_journey_map``, the drawing engine behind the
  emotion curve (faces, rating column, gap arrow, swimlanes, label fitting).
- ``gaps.py``: :func:`gap_scatter` (with density bins for many journeys) and
  :func:`gap_hist`.
- ``evidence.py``: :func:`rule_plot`, :func:`driver_plot` and :func:`nps_plot`,
  the figures of rule comparison, key drivers and NPS results.
- ``_common.py``: private helpers several of these share (input checks, the
  journey summary, t intervals, signed-number labels).
"""

from __future__ import annotations

from .evidence import driver_plot, nps_plot, rule_plot
from .flow import flow_plot
from .gaps import gap_hist, gap_scatter
from .journey import emotion_curve, journey_card
from .shapes import shape_plot
from .theme import set_theme

__all__ = [
    "set_theme",
    "emotion_curve",
    "gap_scatter",
    "gap_hist",
    "rule_plot",
    "driver_plot",
    "nps_plot",
    "journey_card",
    "flow_plot",
    "shape_plot",
]
