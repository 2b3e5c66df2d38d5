"""The journey-map drawing behind :func:`journeylib.emotion_curve`, on plain arrays.

:func:`draw_journey_map` lays out the faces, the mean line, the rating column
with its gap arrow, swimlane ribbons and the y-tick faces, and fits the moment
labels to the room each moment gets (wrapping, shrinking, staggering).
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from ._common import _fmt
from .faces import FACE_GID, draw_face
from .theme import GREY, INK

__all__ = ["draw_journey_map"]

_LEVELS = (-1.0, -0.5, 0.0, 0.5, 1.0)
TEXT_COLOR = "#7b3294"  # the words' line: apart from the faces' red-to-blue


def _text_handle():
    return Line2D([], [], color=TEXT_COLOR, linewidth=1.4, marker="D", markersize=4.5)


def draw_journey_map(ax, v, names, *, mean, rating, extra, lanes, wrap, face_size, annotate,
                     band=None, rating_ci=None, n_journeys=None, connect=True, text_line=None,
                     **kwargs):
    """Draw a journey map on `ax`: faces at valences `v` over the moments `names`.

    The engine behind :func:`journeylib.emotion_curve`, which documents the
    picture; this function takes plain arrays.  `extra` marks moments drawn
    smaller, `lanes` is a list of (name, values) ribbons, `band` an optional
    (low, high) pair around the curve and `rating_ci` an interval for the
    rating.  ``connect=False`` (moments without an order, such as survey
    items) draws the faces without the line between them, and the band as
    error bars.  `text_line` (one valence per moment, NaN allowed) adds the
    words' valence as a second line (gid ``journeylib-text``).
    """
    n = len(v)
    x = np.arange(n, dtype="float64")
    x_sep = n - 1 + 0.7
    x_r = n - 1 + 1.4
    x_right = x_r + 0.75
    width_in, height_in = _axes_inches(ax)
    slot_in = width_in / (x_right + 0.5)
    radius = face_size if face_size is not None else float(np.clip(0.3 * slot_in, 0.05, 0.16))
    radius = min(radius, 0.09 * height_in)
    # y limits leave room (in inches) for the faces at +-1 and the lane ribbons
    lane_in = 0.26
    room_in = 2.6 * radius + 0.1 + lane_in * len(lanes)
    span = 2.0 / max(1.0 - room_in / height_in, 0.3)
    per_in = span / height_in
    top = 1.0 + (1.3 * radius + 0.05) * per_in
    bottom = top - span

    line_kw = {"color": "#5a5a5a", "linewidth": 1.6, "zorder": 2} | kwargs
    if not connect:  # no order among the moments: a line between them would invent one
        line_kw["linestyle"] = "none"
    ax.plot(x, v, gid="journeylib-curve", **line_kw)
    if text_line is not None:  # the words, as a second line under the faces
        ax.plot(x, np.asarray(text_line, dtype="float64"), color=TEXT_COLOR, linewidth=1.4,
                linestyle="-" if connect else "none", marker="D", markersize=4.5, zorder=2.4,
                gid="journeylib-text")
    if band is not None and not connect:
        lo, hi = np.asarray(band[0], dtype=float), np.asarray(band[1], dtype=float)
        ax.vlines(x, lo, hi, color="#9e9e9e", linewidth=2.5, zorder=1, gid="journeylib-band")
    elif band is not None:
        ax.fill_between(x, np.asarray(band[0], dtype=float), np.asarray(band[1], dtype=float),
                        color="#bdbdbd", alpha=0.45, linewidth=0, zorder=1,
                        gid="journeylib-band")
    for xi, vi, small in zip(x, v, extra, strict=True):
        rated = np.isfinite(vi)
        draw_face(ax, xi, vi if rated else 0.0, v=vi, radius=radius * (0.62 if small else 1.0))
        if not rated:  # unrated moments sit on the neutral line, marked as such
            ax.annotate("no\nscore", xy=(xi, 0.0), xytext=(0, -radius * 72 - 2),
                        textcoords="offset points", ha="center", va="top", fontsize="x-small",
                        color=GREY, gid="journeylib-unrated")

    # touchpoint mean
    ax.plot([-0.5, x_r + 0.45], [mean, mean], linestyle=(0, (5, 3)), color=INK, linewidth=1.2,
            zorder=1.5, gid="journeylib-mean")
    # the journey rating in its own column at the right edge
    ax.axvline(x_sep, color="#bfbfbf", linewidth=0.8, zorder=0.5)
    ax.add_patch(Rectangle((x_sep, bottom), x_right - x_sep, top - bottom, facecolor="#f4f4f4",
                           edgecolor="none", zorder=0.2))
    if rating_ci is not None and np.isfinite(rating_ci[0]):
        ax.plot([x_r, x_r], rating_ci, color=INK, linewidth=1.4, zorder=2.5,
                solid_capstyle="butt", gid="journeylib-rating-ci")
    if np.isfinite(rating):
        rr = radius * 1.3
        draw_face(ax, x_r, rating, v=rating, radius=rr, linewidth=max(1.2, 9 * rr), zorder=4,
                  gid=FACE_GID + "-rating")
        ax.plot([x_r], [rating], linestyle="none", gid="journeylib-rating")
    tick_pad = plt.rcParams["xtick.major.pad"] + plt.rcParams["xtick.major.size"]
    ax.annotate("journey\nrating" if n_journeys is None else "mean journey\nrating",
                xy=(x_r, 0), xycoords=ax.get_xaxis_transform(), xytext=(0, -tick_pad),
                textcoords="offset points", ha="center", va="top", fontweight="bold",
                fontsize=plt.rcParams["xtick.labelsize"], annotation_clip=False)
    if annotate and np.isfinite(rating) and np.isfinite(mean):
        gap = rating - mean
        xa = x_r + 0.42
        if abs(gap) > 0.04:
            ax.annotate("", xy=(xa, rating), xytext=(xa, mean),
                        arrowprops={"arrowstyle": "<|-|>", "color": INK, "linewidth": 1.0,
                                    "shrinkA": 0, "shrinkB": 0, "mutation_scale": 8})
        ax.annotate(f"gap\n{_fmt(gap)}", xy=(xa, (rating + mean) / 2), xytext=(4, 0),
                    textcoords="offset points", ha="left", va="center", fontsize="small",
                    gid="journeylib-gap", annotation_clip=False)
        handles = [Line2D([], [], linestyle=(0, (5, 3)), color=INK, linewidth=1.2)]
        labels = [f"touchpoint mean {_fmt(mean)}"]
        if text_line is not None:
            handles.append(_text_handle())
            labels.append("words (text valence)")
        ax.legend(handles=handles, labels=labels, loc="lower left", ncols=len(handles),
                  bbox_to_anchor=(0.0, 1.0), frameon=False, fontsize="small",
                  borderaxespad=0.1, handlelength=2.4)
        if n_journeys is not None:
            ax.text(1.0, 1.0, f"{n_journeys:,} journeys", transform=ax.transAxes,
                    ha="right", va="bottom", fontsize="small", color=INK)

    elif text_line is not None:
        ax.legend(handles=[_text_handle()], labels=["words (text valence)"], loc="lower left",
                  bbox_to_anchor=(0.0, 1.0), frameon=False, fontsize="small",
                  borderaxespad=0.1, handlelength=2.4)

    # lanes (swimlane ribbons) under the curve
    lane_h = lane_in * per_in
    palette = ["#d9e4f0", "#f3dfc7", "#dcebd5", "#eadcef", "#f1eccd", "#e1e1e1"]
    for i, (name, values) in enumerate(lanes):
        yc = bottom + (len(lanes) - i - 0.5) * lane_h
        cats = list(dict.fromkeys(pd.Series(values).dropna().astype(str)))
        for s, e, val in _runs(values):
            if val == "":
                continue
            col = palette[cats.index(str(val)) % len(palette)]
            ax.add_patch(Rectangle((s - 0.46, yc - 0.4 * lane_h), e - s + 0.92, 0.8 * lane_h,
                                   facecolor=col, edgecolor="none", zorder=0.6,
                                   gid=f"journeylib-lane-{name}"))
            room = (e - s + 0.92) * slot_in * 72
            size = plt.rcParams["font.size"] * 0.75
            width = _text_width(ax.figure.canvas.get_renderer(), str(val), size, ax.figure.dpi)
            size = max(6.5, size * min(1.0, 0.95 * room / max(width, 1e-9)))
            ax.text((s + e) / 2, yc, str(val), ha="center", va="center", fontsize=size,
                    color=INK, zorder=0.7, clip_on=True)
        ax.text(0, yc, f"{name} ", transform=ax.get_yaxis_transform(), ha="right",
                va="center", fontsize="x-small", color=INK, style="italic")

    # axes: moments on x, five faces as y ticks
    labels, stagger, size = _fit_labels(ax, names, slot_in, wrap)
    ax.set_xticks(x, labels)
    ax.tick_params(axis="x", length=0)
    if stagger:
        _stagger(ax, labels, size)
    ax.set_xlim(-0.5, x_right)
    ax.set_ylim(bottom, top)
    ax.set_yticks(_LEVELS, [""] * len(_LEVELS))
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", visible=False)
    ax.grid(axis="y", visible=True, color="#ececec", linewidth=0.8, zorder=0)
    tick_r = min(0.085, 0.6 * radius + 0.02)
    for level in _LEVELS:
        draw_face(ax, 0.0, level, v=level, radius=tick_r, base=ax.get_yaxis_transform(),
                  dx=-(tick_r + 0.05), clip_on=False, gid=FACE_GID + "-tick",
                  linewidth=max(0.5, 5 * tick_r))
    ax.set_ylabel("feeling (valence)", labelpad=(2 * tick_r + 0.08) * 72)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.spines["left"].set_visible(False)
    return ax


def _axes_inches(ax):
    # from the display box, so axes in a SubFigure (which has no size of its own) work too
    return ax.bbox.width / ax.figure.dpi, ax.bbox.height / ax.figure.dpi


def _wrap(names, width):
    return [
        "\n".join(textwrap.wrap(str(s), width=width, break_long_words=False)) or str(s)
        for s in names
    ]


def _text_width(renderer, text, size, dpi):
    """Width in points of `text` at font `size`, measured by the renderer."""
    from matplotlib.font_manager import FontProperties

    w, _, _ = renderer.get_text_width_height_descent(text, FontProperties(size=size), ismath=False)
    return w * 72.0 / dpi


def _measured_wrap(renderer, text, size, room, dpi):
    lines, line = [], ""
    for word in str(text).split():
        trial = f"{line} {word}" if line else word
        if line and _text_width(renderer, trial, size, dpi) > room:
            lines.append(line)
            line = word
        else:
            line = trial
    lines.append(line)
    return "\n".join(lines)


def _fit_labels(ax, names, slot_in, wrap):
    """Wrap tick labels to the space per moment, shrinking the font (down to 7 pt) for long words.

    When the longest word would need less than 8 pt, every other label moves down below
    its neighbours (see :func:`_stagger`), so each label gets two slots of width.
    Returns the labels, whether to stagger, and the font size.
    """
    fontsize = plt.rcParams["xtick.labelsize"]
    base = fontsize if isinstance(fontsize, (int, float)) else plt.rcParams["font.size"] * {
        "xx-small": 0.579, "x-small": 0.694, "small": 0.833, "medium": 1.0, "large": 1.2,
    }.get(fontsize, 1.0)
    renderer = ax.figure.canvas.get_renderer()
    dpi = ax.figure.dpi
    slot_pt = 0.92 * slot_in * 72
    words = [w for s in names for w in str(s).split()] or [""]
    longest = max(_text_width(renderer, w, base, dpi) for w in words) or 1.0
    stagger = len(names) > 1 and base * slot_pt / longest < 8.0
    room = slot_pt * (1.92 if stagger else 1.0)
    size = float(np.clip(base * room / longest, 7.0, base))
    if wrap is None:
        labels = [_measured_wrap(renderer, s, size, room, dpi) for s in names]
    else:
        labels = _wrap(names, wrap)
    ax.tick_params(axis="x", labelsize=size)
    return labels, stagger, size


def _stagger(ax, labels, size):
    """Move every other x tick label down below the first row of labels."""
    lines = max(t.count("\n") + 1 for t in labels[::2])
    pad = plt.rcParams["xtick.major.pad"]
    for i, tick in enumerate(ax.xaxis.get_major_ticks()):
        tick.set_pad(pad + (lines * 1.2 * size + 0.5 * size if i % 2 else 0.0))


def _runs(values):
    """(start, end, value) of runs of equal consecutive values."""
    vals = pd.Series(values).astype(object).where(pd.Series(values).notna(), "")
    arr = vals.to_numpy()
    starts = np.flatnonzero(np.r_[True, arr[1:] != arr[:-1]])
    ends = np.r_[starts[1:] - 1, len(arr) - 1]
    return [(int(s), int(e), arr[s]) for s, e in zip(starts, ends, strict=True)]
