"""Placing a text box or a legend where it covers no data: the first free spot among candidates.

Positions are in axes fractions (0..1 inside the axes). The data are given as
obstacles in the same coordinates: centres with half-widths, so a bubble, a
density cell and a label all count by their extent. An artist is measured with
the figure's renderer at its current size and grown by a safety factor before
it is tested, because a layout engine may still shrink the axes when the
figure is drawn; where no candidate is free, the caller puts it outside the
axes.
"""

from __future__ import annotations

import numpy as np

GROW = 1.1  # room for a layout engine that shrinks the axes a little when the figure is drawn
MARGIN_PX = 4.0


def renderer_of(ax):
    """The renderer of the axes' figure; for a canvas without one (a bare ``Figure()``, the pdf
    or svg backends, a widget's canvas) the one matplotlib makes to measure text."""
    fig = ax.figure.figure  # the root figure, also for an Axes in a subfigure
    if hasattr(fig.canvas, "get_renderer"):
        return fig.canvas.get_renderer()
    return fig._get_renderer()  # noqa: SLF001 - matplotlib's own way to measure without a canvas renderer


def axes_box(ax):
    """The axes' extent in pixels after its aspect is applied."""
    ax.apply_aspect()
    return ax.get_window_extent(renderer_of(ax))


def to_fraction(ax, x, y):
    """Data coordinates to axes fractions (linear axes)."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    return (np.asarray(x, float) - x0) / (x1 - x0), (np.asarray(y, float) - y0) / (y1 - y0)


def fraction_box(ax, artist, *, grow=GROW, margin_px=MARGIN_PX):
    """(x0, y0, x1, y1) of `artist` in axes fractions, grown around its anchor-independent centre."""
    renderer = renderer_of(ax)
    box = axes_box(ax)
    bb = artist.get_window_extent(renderer)
    patch = getattr(artist, "get_bbox_patch", lambda: None)()
    if patch is not None:  # a text's box reaches beyond its glyphs by the pad
        artist.update_bbox_position_size(renderer)
        bb = patch.get_window_extent(renderer)
    w, h = bb.width * grow + 2 * margin_px, bb.height * grow + 2 * margin_px
    # grow away from the anchor corner: the side the artist sits on stays where it is
    cx0 = bb.x0 - margin_px if _anchor(artist)[0] != "right" else bb.x1 + margin_px - w
    cy0 = bb.y0 - margin_px if _anchor(artist)[1] != "top" else bb.y1 + margin_px - h
    if _anchor(artist)[0] == "center":
        cx0 = (bb.x0 + bb.x1 - w) / 2
    if _anchor(artist)[1] == "center":
        cy0 = (bb.y0 + bb.y1 - h) / 2
    return ((cx0 - box.x0) / box.width, (cy0 - box.y0) / box.height,
            (cx0 + w - box.x0) / box.width, (cy0 + h - box.y0) / box.height)


def _anchor(artist):
    if hasattr(artist, "get_horizontalalignment"):
        return artist.get_horizontalalignment(), artist.get_verticalalignment()
    return getattr(artist, "_journeylib_anchor", ("left", "bottom"))


def hits(frac, obstacles):
    """Whether the box `frac` overlaps any obstacle (cx, cy, rx, ry arrays, axes fractions)."""
    x0, y0, x1, y1 = frac
    if obstacles is None or len(obstacles[0]) == 0:
        return False
    cx, cy, rx, ry = obstacles
    return bool(np.any((cx + rx > x0) & (cx - rx < x1) & (cy + ry > y0) & (cy - ry < y1)))


def inside(frac, tolerance=0.02):
    """Whether the box lies within the axes (its safety margin may reach a little beyond)."""
    return frac[0] >= -tolerance and frac[1] >= -tolerance and frac[2] <= 1 + tolerance \
        and frac[3] <= 1 + tolerance


def overlaps(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_text(ax, text, candidates, obstacles, taken):
    """Move `text` (placed in axes fractions) to the first candidate ``(x, y, ha, va)`` where it
    covers no obstacle and no box in `taken`; True and its box appended to `taken`, else False
    (the text is left at the last candidate)."""
    for x, y, ha, va in candidates:
        text.set_position((x, y))
        text.set_horizontalalignment(ha)
        text.set_verticalalignment(va)
        frac = fraction_box(ax, text)
        if inside(frac) and not hits(frac, obstacles) and not any(overlaps(frac, t) for t in taken):
            taken.append(frac)
            return True
    return False


_LOC = {("left", "top"): "upper left", ("right", "top"): "upper right", ("left", "bottom"): "lower left",
        ("right", "bottom"): "lower right"}


def place_legend(ax, legend, candidates, obstacles, taken):
    """As :func:`place_text` for a legend anchored in axes fractions."""
    for x, y, ha, va in candidates:
        legend.set_bbox_to_anchor((x, y), transform=ax.transAxes)
        legend._loc = legend.codes[_LOC[(ha, va)]]  # noqa: SLF001 - the public setter is the constructor
        legend._journeylib_anchor = (ha, va)
        frac = fraction_box(ax, legend)
        if inside(frac) and not hits(frac, obstacles) and not any(overlaps(frac, t) for t in taken):
            taken.append(frac)
            return True
    return False
