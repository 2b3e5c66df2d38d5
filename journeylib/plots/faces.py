"""One smiley face drawn with matplotlib patches, and finding the faces on an Axes again.

The faces are plain patches (a circle, two eyes, a Bezier mouth), so a figure
looks the same on every machine: no emoji font is involved.  Each face is drawn
in physical units (inches) around a point given in data coordinates, so it stays
round whatever the aspect ratio of the axes.  The fill colour comes from
:func:`journeylib.plots.theme.valence_color`.
"""

from __future__ import annotations

import numpy as np
from matplotlib import transforms
from matplotlib.patches import Circle, Ellipse, PathPatch
from matplotlib.path import Path

from .theme import GREY, INK, valence_color

__all__ = ["draw_face", "face_transform", "find_faces", "FACE_GID", "MOUTH_GID"]

FACE_GID = "journeylib-face"
MOUTH_GID = "journeylib-mouth"
EYE_GID = "journeylib-eye"


def face_transform(ax, x, y, *, base=None):
    """Transform placing inch coordinates around the point (`x`, `y`) of `base`.

    Shapes drawn with it are measured in inches from that point, so a circle
    stays round and keeps its size whatever the axes' limits or aspect.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes the shapes go on (its figure's dpi converts inches to pixels).
    x, y : float
        The anchor point, in the coordinates of `base`.
    base : matplotlib.transforms.Transform, optional
        Coordinate system of `x` and `y`; ``ax.transData`` by default.

    Returns
    -------
    matplotlib.transforms.Transform
        Maps (0, 0) to the anchor and (1, 0) to one inch to its right, in display pixels.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(dpi=100)
    >>> t = face_transform(ax, 0.5, 0.5, base=ax.transAxes)
    >>> anchor = ax.transAxes.transform((0.5, 0.5))
    >>> (t.transform((1, 0)) - anchor).tolist()  # one inch right = 100 pixels at 100 dpi
    [100.0, 0.0]
    """
    base = ax.transData if base is None else base
    return ax.figure.dpi_scale_trans + transforms.ScaledTranslation(x, y, base)


def draw_face(ax, x, y, v, *, radius=0.14, base=None, dx=0.0, color=None, clip_on=True,
              zorder=3, edgecolor=INK, linewidth=None, gid=FACE_GID):
    """Draw one smiley at (`x`, `y`) on `ax`; the mouth curves with valence `v`.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    x, y : float
        Centre, in the coordinates of `base`.
    v : float
        Valence -1..+1: sets the colour and the mouth (a smile above 0, a frown
        below, a straight line at 0).  NaN (no score) draws a grey circle with a
        dashed outline and no features.
    radius : float
        Radius in inches, independent of the axes' aspect and limits.
    base : matplotlib.transforms.Transform, optional
        Coordinate system of `x` and `y`; ``ax.transData`` by default (use
        ``ax.get_yaxis_transform()`` for faces beside the y axis).
    dx : float
        Extra horizontal shift in inches (negative = left).
    color : color, optional
        Fill; by default :func:`journeylib.plots.theme.valence_color` of `v`.
    clip_on : bool
        Clip the face to the axes (False for faces in the margins).
    zorder : float
        Drawing order of the circle; eyes and mouth go just above it.
    edgecolor : color
        Outline of a rated face (an unrated one is outlined in grey).
    linewidth : float, optional
        Outline width in points; by default grows with `radius`.
    gid : str
        Group id of the circle, which :func:`find_faces` reads to tell moment
        faces (``"journeylib-face"``) from rating and tick faces (that id with
        ``"-rating"`` or ``"-tick"`` appended).

    Returns
    -------
    list of matplotlib.patches.Patch
        The circle (gid ``"journeylib-face"``), two eyes and, when `v` is a
        number, the mouth (gid ``"journeylib-mouth"``), whose middle lies below
        its ends for a smile.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> [p.get_gid() for p in draw_face(ax, 1, 0.5, 1.0)]
    ['journeylib-face', 'journeylib-eye', 'journeylib-eye', 'journeylib-mouth']
    >>> [p.get_gid() for p in draw_face(ax, 2, 0.0, float("nan"))]  # no score: no features
    ['journeylib-face']
    """
    trans = face_transform(ax, x, y, base=base)
    r = float(radius)
    lw = linewidth if linewidth is not None else max(0.5, 5.0 * r)
    fill = valence_color(v) if color is None else color
    kw = dict(transform=trans, clip_on=clip_on)
    rated = not np.isnan(float(v))
    head = Circle((dx, 0.0), r, facecolor=fill, edgecolor=edgecolor if rated else GREY,
                  linewidth=lw, linestyle="-" if rated else (0, (2, 1.5)), zorder=zorder,
                  gid=gid, **kw)
    patches = [head]
    for side in (-1, 1) if rated else ():
        patches.append(Ellipse((dx + side * 0.34 * r, 0.26 * r), 0.17 * r, 0.24 * r,
                               facecolor=INK, edgecolor="none", zorder=zorder + 0.1,
                               gid=EYE_GID, **kw))
    if rated:
        k = 0.42 * r * float(np.clip(v, -1, 1))  # sag of the mouth's middle
        y0 = -0.36 * r + 0.5 * k  # keeps the mouth centred in the lower half
        w = 0.5 * r
        # quadratic Bezier: the curve's middle is at y0 - k, halfway to the control point
        path = Path([(dx - w, y0), (dx, y0 - 2 * k), (dx + w, y0)],
                    [Path.MOVETO, Path.CURVE3, Path.CURVE3])
        patches.append(PathPatch(path, facecolor="none", edgecolor=INK,
                                 linewidth=1.4 * lw, capstyle="round", zorder=zorder + 0.1,
                                 gid=MOUTH_GID, **kw))
    for p in patches:
        ax.add_patch(p)
    return patches


def find_faces(ax, *, kind="moment"):
    """The faces drawn on `ax`, in drawing order, as a list of dicts.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes with faces drawn by :func:`draw_face` (e.g. by
        :func:`journeylib.emotion_curve`).
    kind : {"moment", "rating", "tick", None}
        Which faces: the moments of a curve, the journey-rating face, the y-tick
        faces, or all (None).

    Returns
    -------
    list of dict
        ``x``, ``y`` (the centre in the base coordinates), ``radius`` (inches),
        ``color``, ``kind`` and ``sag``: the mouth's middle minus its ends in
        inches, ``-0.42 * radius * v`` (negative = a smile, positive = a
        frown, 0 = straight, None when there is no mouth, i.e. no score).
        Used by the tests; handy for checking a figure without looking at it.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = draw_face(ax, 1, 0.5, 1.0, radius=0.2)
    >>> _ = draw_face(ax, 2, -0.5, -0.5, radius=0.2)
    >>> _ = draw_face(ax, 3, 0.0, float("nan"))
    >>> [(f["x"], f["y"], None if f["sag"] is None else round(f["sag"], 3))
    ...  for f in find_faces(ax)]
    [(1.0, 0.5, -0.084), (2.0, -0.5, 0.042), (3.0, 0.0, None)]
    """
    kinds = {FACE_GID: "moment", FACE_GID + "-rating": "rating", FACE_GID + "-tick": "tick"}
    out = []
    current = None
    for p in ax.patches:
        gid = p.get_gid()
        if gid in kinds:
            x, y = _translation(p.get_transform())
            current = {"x": x, "y": y, "radius": p.get_radius(), "color": p.get_facecolor(),
                       "kind": kinds[gid], "sag": None}
            out.append(current)
        elif gid == MOUTH_GID and current is not None:
            verts = p.get_path().vertices
            ends = (verts[0, 1] + verts[2, 1]) / 2
            middle = 0.25 * verts[0, 1] + 0.5 * verts[1, 1] + 0.25 * verts[2, 1]
            current["sag"] = float(middle - ends)
    return [f for f in out if kind is None or f["kind"] == kind]


def _translation(trans):
    """(x, y) of the ScaledTranslation inside a face transform, in its base coordinates."""
    for child in _children(trans):
        if isinstance(child, transforms.ScaledTranslation):
            return float(child._t[0]), float(child._t[1])
    return (np.nan, np.nan)


def _children(trans):
    yield trans
    for name in ("_a", "_b"):
        sub = getattr(trans, name, None)
        if sub is not None:
            yield from _children(sub)
