"""The student lab: an interactive journey builder and the checks of its five exercises.

:class:`JourneyBuilder` holds one journey of six to eight touchpoints, each with a
smiley (-2..+2), and the rule the "customer" uses to turn the moments into one
journey rating.  Its numbers and its figure are plain functions of that state,
so they work without a browser (tests, static HTML); :meth:`JourneyBuilder.widget`
wraps them in ipywidgets controls whose callbacks redraw the same figure.

:func:`check_answer` compares a student's prediction with a value computed from
journeylib (never a typed-in number) and says whether it is right.

:func:`explore` (from :mod:`journeylib.explorer`) is the researchers' counterpart:
a journey or a segment, a rule and a gap filter, drawn the same way.
"""

from __future__ import annotations

import functools
import html
import io

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from .exercises import EXERCISES, Check, check_answer, exercise_truth, o_ring  # noqa: F401 (re-exported)
from .explorer import JourneyExplorer, explore
from .plots._common import _fmt as _signed
from .scales import from_valence, get_scale, valence

__all__ = [
    "BUILDER_RULES",
    "DEFAULT_TOUCHPOINTS",
    "DEFAULT_SCORES",
    "FACE_OPTIONS",
    "rule_value",
    "JourneyBuilder",
    "journey_builder",
    "o_ring",
    "EXERCISES",
    "exercise_truth",
    "check_answer",
    "Check",
    "JourneyExplorer",
    "explore",
    "figure_caption",
]

#: Rules a customer may use to sum up a journey, with a line for people.
BUILDER_RULES: dict[str, str] = {
    "mean": "the average of all moments",
    "peak_end": "the average of the most intense moment and the last one",
    "min": "the worst moment (weakest link)",
    "last": "only the last moment (recency)",
    "first": "only the first moment (first impression)",
}

#: A made-up seven-step order journey for the builder's default state.
DEFAULT_TOUCHPOINTS: tuple[str, ...] = (
    "search",
    "web shop",
    "order email",
    "tracking page",
    "phone: where is it?",
    "delivery",
    "follow-up email",
)
DEFAULT_SCORES: tuple[int, ...] = (1, 2, 1, -1, -2, 1, 0)

#: Dropdown options: label shown to the student, smiley5 score stored.
FACE_OPTIONS: tuple[tuple[str, int], ...] = (
    ("\U0001f616 -2 very unhappy", -2),
    ("\U0001f641 -1 unhappy", -1),
    ("\U0001f610  0 neutral", 0),
    ("\U0001f642 +1 happy", 1),
    ("\U0001f603 +2 very happy", 2),
)
_WIDGET_FIGSIZE = (9, 4)
#: Colour of the builder's dotted peak-end line.
PEAK_END_COLOR = "#1b9e77"
_ARTIST_GIDS = {"curve": "journeylib-curve", "mean": "journeylib-mean",
                "peak_end": "journeylib-peak-end", "rating": "journeylib-rating"}
_WORDS = {-2: "very unhappy", -1: "unhappy", 0: "neutral", 1: "happy", 2: "very happy"}


def _check_rule(rule):
    if rule not in BUILDER_RULES:
        raise ValueError(
            f"The value for `rule` must be one of {tuple(BUILDER_RULES)}, but {rule!r} was passed."
        )


def rule_value(values, rule="mean"):
    """Sum up one journey's moments (valence, -1..+1) with a rule.

    Parameters
    ----------
    values : array-like of float
        The moments in journey order; NaN (not rated) is skipped.
    rule : {"mean", "peak_end", "min", "last", "first"}
        ``peak_end`` averages the most intense moment (largest distance from
        neutral; the latest one on a tie) and the last rated moment.

    Returns
    -------
    float
        NaN when no moment is rated.

    Examples
    --------
    >>> rule_value([0.5, -1.0, 0.5], "mean")
    0.0
    >>> rule_value([0.5, -1.0, 0.5], "peak_end")
    -0.25
    >>> rule_value([0.5, float("nan")], "last")
    0.5
    """
    _check_rule(rule)
    v = np.asarray(values, dtype="float64")
    v = v[~np.isnan(v)]
    if v.size == 0:
        return float("nan")
    if rule == "mean":
        return float(v.mean())
    if rule == "min":
        return float(v.min())
    if rule == "last":
        return float(v[-1])
    if rule == "first":
        return float(v[0])
    peak = v[v.size - 1 - np.argmax(np.abs(v)[::-1])]
    return float((peak + v[-1]) / 2.0)


class JourneyBuilder:
    """One journey of smileys and the rule that turns it into a journey rating.

    Parameters
    ----------
    scores : sequence of int, optional
        smiley5 score (-2..+2) per touchpoint; :data:`DEFAULT_SCORES` when omitted.
    touchpoints : sequence of str, optional
        Names, one per score; :data:`DEFAULT_TOUCHPOINTS` (or "step 1", ...) when omitted.
    rule : str
        The rule the customer uses, one of :data:`BUILDER_RULES`.

    Examples
    --------
    >>> b = JourneyBuilder([2, 1, -2, 1, 1, 0])
    >>> b.numbers()[["mean", "peak_end", "predicted"]].round(3).values.tolist()
    [[0.25, -0.5, -0.5]]
    >>> b.set_score(5, 2).numbers()["predicted_face"].item()
    '+2 very happy'
    """

    scale = "smiley5"

    def __init__(self, scores=None, *, touchpoints=None, rule="peak_end"):
        scores = DEFAULT_SCORES if scores is None else scores
        self.scores = np.array([self._check_score(s, i) for i, s in enumerate(scores)], dtype="int64")
        if touchpoints is None:
            default = len(self.scores) == len(DEFAULT_TOUCHPOINTS)
            touchpoints = DEFAULT_TOUCHPOINTS if default else [f"step {i + 1}" for i in range(len(self.scores))]
        self.touchpoints = [str(t) for t in touchpoints]
        if len(self.touchpoints) != len(self.scores):
            raise ValueError(
                f"{len(self.scores)} scores but {len(self.touchpoints)} touchpoints were passed; "
                "give one name per score."
            )
        _check_rule(rule)
        self.rule = rule
        self.ax = None  # the Axes drawn last
        self._views = []  # every Axes drawn on; each redraws when the state changes
        self._widget_ax = None
        self._controls = None

    @staticmethod
    def _check_score(value, i=None):
        s = get_scale("smiley5")
        if not s.contains([value])[0] or np.isnan(float(value)):
            where = "" if i is None else f" at position {i}"
            raise ValueError(f"A smiley score must be a whole number from -2 to 2, but {value!r} was passed{where}.")
        return int(value)

    # --- state -> numbers --------------------------------------------------------------------
    @property
    def valence(self):
        """The moments on valence (-1..+1), as a float array."""
        return valence(self.scores, self.scale)

    def frame(self):
        """The journey as tidy data (one row per touchpoint), rated by the current rule.

        The rating is the predicted rating rounded to the nearest smiley.
        """
        n = len(self.scores)
        return pd.DataFrame({
            "journey_id": np.ones(n, dtype="int64"),
            "step": np.arange(1, n + 1, dtype="int64"),
            "touchpoint": pd.array(self.touchpoints, dtype="str"),
            "score": self.scores.astype("float64"),
            "score_scale": self.scale,
            "rating": float(self._rounded(self.predicted())),
            "rating_scale": self.scale,
        })

    def predicted(self):
        """The journey rating (valence) the current rule predicts."""
        return rule_value(self.valence, self.rule)

    def _rounded(self, v):
        return int(np.clip(np.round(from_valence(v, self.scale)), -2, 2))

    def numbers(self):
        """One-row DataFrame: rule, mean, peak_end, min, last, predicted, predicted_score, predicted_face.

        All but the last two are on valence (-1..+1); ``predicted_score`` is on
        the smiley scale (-2..+2, not rounded), ``predicted_face`` the nearest
        smiley in words.
        """
        v = self.valence
        pred = rule_value(v, self.rule)
        face = self._rounded(pred)
        return pd.DataFrame({
            "rule": [self.rule],
            "mean": [rule_value(v, "mean")],
            "peak_end": [rule_value(v, "peak_end")],
            "min": [rule_value(v, "min")],
            "last": [rule_value(v, "last")],
            "predicted": [pred],
            "predicted_score": [float(from_valence(pred, self.scale))],
            "predicted_face": [f"{face:+d} {_WORDS[face]}" if face else f"0 {_WORDS[0]}"],
        })

    def set_score(self, position, value):
        """Set the smiley of the touchpoint at 0-based `position`; redraw; return self."""
        if not 0 <= position < len(self.scores):
            raise ValueError(f"`position` must be from 0 to {len(self.scores) - 1}, but {position!r} was passed.")
        self.scores = self.scores.copy()
        self.scores[position] = self._check_score(value, position)
        self.refresh()
        return self

    def set_rule(self, rule):
        """Change the customer's rule; redraw; return self."""
        _check_rule(rule)
        self.rule = rule
        self.refresh()
        return self

    # --- figure ------------------------------------------------------------------------------
    def plot(self, ax=None):
        """Draw the current state as an emotion curve: faces, the mean and peak-end lines, the rating.

        The picture is :func:`journeylib.emotion_curve`'s (the one every notebook
        shows) of :meth:`frame`, with the predicted rating (not rounded) as the
        journey rating on the right, plus a dotted peak-end line.  Returns the
        Axes; later changes (:meth:`set_score`, the widget) redraw it in place.

        Examples
        --------
        >>> import matplotlib.pyplot as plt
        >>> b = JourneyBuilder([2, 1, -2, 1, 1, 0], rule="mean")
        >>> ax = b.plot(ax=plt.figure().gca())
        >>> b.artists["curve"].get_gid(), b.artists["curve"].get_ydata().tolist()
        ('journeylib-curve', [1.0, 0.5, -1.0, 0.5, 0.5, 0.0])
        >>> round(float(b.set_score(2, 0).artists["rating"].get_ydata()[0]), 4)  # redrawn: the new mean
        0.4167
        """
        if ax is None:
            import matplotlib.pyplot as plt

            ax = plt.gca()
        self._draw(ax)
        self.ax = ax
        self._views.append(ax)
        return ax

    def _plot_frame(self):
        """:meth:`frame` with the predicted rating itself (valence, not rounded) as the rating."""
        return self.frame().assign(rating=self.predicted(), rating_scale="valence")

    def _draw(self, ax):
        from .plots.journey import emotion_curve

        nums = self.numbers().iloc[0]
        _measurable(ax.figure)
        emotion_curve(self._plot_frame(), ax=ax)
        n = len(self.scores)
        (pe,) = ax.plot([-0.5, n - 0.5], [nums["peak_end"]] * 2, linestyle=":", color=PEAK_END_COLOR,
                        linewidth=2, zorder=1.6, gid="journeylib-peak-end")
        legend = ax.get_legend()
        handles = list(legend.legend_handles[:1]) if legend is not None else []
        handles.append(Line2D([], [], linestyle=":", color=PEAK_END_COLOR, linewidth=2))
        # the numbers in the figure are on the builder's scale, as in its table and title
        mean, peak_end = from_valence(np.array([nums["mean"], nums["peak_end"]]), self.scale)
        labels = [f"touchpoint mean {_signed(mean)}", f"peak-end {_signed(peak_end)}"][-len(handles):]
        for text in ax.texts:
            if text.get_gid() == "journeylib-gap":
                text.set_text(f"gap\n{_signed(nums['predicted_score'] - mean)}")
        ax.legend(handles=handles, labels=labels, loc="lower left", ncols=len(handles),
                  bbox_to_anchor=(0.0, 1.0), frameon=False, fontsize="small", borderaxespad=0.1,
                  handlelength=2.4)
        self._set_title(ax)
        return ax

    def _set_title(self, ax):
        nums = self.numbers().iloc[0]
        ax.set_title(f"rule: {self.rule} \N{RIGHTWARDS ARROW} predicted journey rating "
                     f"{nums['predicted_score']:+.2f} ({nums['predicted_face']})", pad=22)

    def refresh(self):
        """Redraw every figure of this builder and update the widget's numbers from the state.

        Axes passed to :meth:`plot` are cleared and drawn again; the widget's
        own figure is made anew, so its picture of a state never depends on
        the states before it (a redrawn axes keeps the layout of its last draw).
        """
        for i, ax in enumerate(self._views):
            if ax is self._widget_ax:
                new = self._draw(_agg_figure(_WIDGET_FIGSIZE).add_subplot())
                self._views[i] = self._widget_ax = new
                self.ax = new if self.ax is ax else self.ax
            else:
                ax.cla()
                self._draw(ax)
        if self._controls is not None:
            self._controls["numbers"].value = self.numbers_html()
            self._controls["image"].value = self._png()
            self._controls["caption"].value = figure_caption(self.describe())

    def describe(self):
        """The figure in words: each moment's smiley, the mean, peak-end and the predicted rating.

        The widget shows it under the figure, folded (:func:`figure_caption`):
        for screen readers, and for tests that check the figure in a browser.

        Examples
        --------
        >>> print(JourneyBuilder([2, 1, -2, 1, 1, 0], touchpoints=list("abcdef")).describe())
        moments: a +2, b +1, c -2, d +1, e +1, f 0; mean +0.50, peak-end -1.00; rule peak_end, predicted journey rating -1.00
        """
        nums = self.numbers().iloc[0]
        moments = ", ".join(f"{t} {int(s):+d}" if s else f"{t} 0"
                            for t, s in zip(self.touchpoints, self.scores, strict=True))
        mean, pe = from_valence(np.array([nums["mean"], nums["peak_end"]]), self.scale)
        return (f"moments: {moments}; mean {mean:+.2f}, peak-end {pe:+.2f}; rule {self.rule}, "
                f"predicted journey rating {nums['predicted_score']:+.2f}")

    def numbers_html(self):
        """The numbers as a small HTML table (what the widget shows)."""
        nums = self.numbers().iloc[0]
        rows = [("mean", nums["mean"]), ("peak-end", nums["peak_end"]), ("worst (min)", nums["min"]),
                ("last", nums["last"])]
        cells = "".join(f"<tr><td>{name}</td><td>{float(from_valence(v, self.scale)):+.2f}</td></tr>"
                        for name, v in rows)
        head = (f"<b>predicted journey rating ({html.escape(self.rule)}): "
                f"{nums['predicted_score']:+.2f} = {html.escape(nums['predicted_face'])}</b>")
        return f"{head}<table>{cells}</table><small>smiley scale, -2..+2</small>"

    def _png(self):
        buf = io.BytesIO()
        self._widget_ax.figure.savefig(buf, format="png", dpi=80, bbox_inches="tight")
        return buf.getvalue()

    # --- widget ------------------------------------------------------------------------------
    def widget(self):
        """ipywidgets controls: a dropdown per touchpoint, the rule, the figure and the numbers.

        Changing a control calls :meth:`set_score` / :meth:`set_rule`, which redraw.
        The figure is a matplotlib Figure outside pyplot, shown as a PNG image.
        """
        import ipywidgets as w

        self._widget_ax = self.plot(_agg_figure(_WIDGET_FIGSIZE).add_subplot())
        faces = []
        for i, (name, score) in enumerate(zip(self.touchpoints, self.scores, strict=True)):
            dd = w.Dropdown(options=FACE_OPTIONS, value=int(score), description=name,
                            style={"description_width": "9em"}, layout=w.Layout(width="22em"))
            dd.observe(lambda change, i=i: self.set_score(i, change["new"]), names="value")
            faces.append(dd)
        rule = w.Dropdown(options=[(f"{k}: {v}", k) for k, v in BUILDER_RULES.items()], value=self.rule,
                          description="customer's rule", style={"description_width": "9em"},
                          layout=w.Layout(width="36em"))
        rule.observe(lambda change: self.set_rule(change["new"]), names="value")
        self._controls = {"faces": faces, "rule": rule, "numbers": w.HTML(), "image": w.Image(format="png"),
                          "caption": w.HTML()}
        self.refresh()
        return _LabBox([rule, w.HBox([w.VBox(faces), self._controls["numbers"]]), self._controls["image"],
                        self._controls["caption"]])

    @property
    def artists(self):
        """Artists of the last drawing, found by gid: curve, mean, peak_end, rating; empty before :meth:`plot`.

        Every change redraws, so ask again after one (the old artists are gone).
        """
        if not self._views:
            return {}
        lines = {line.get_gid(): line for line in self._views[-1].lines}
        return {name: lines.get(gid) for name, gid in _ARTIST_GIDS.items()}

    @property
    def controls(self):
        """The widget's controls (dict: faces, rule, numbers, image, caption); None before :meth:`widget`."""
        return self._controls

    def __repr__(self):
        return f"JourneyBuilder(scores={self.scores.tolist()}, rule={self.rule!r})"


def _measurable(fig):
    """Give `fig` an Agg canvas when it has none that measures text.

    emotion_curve fits its labels with the canvas's renderer; a figure that
    pyplot has closed (the inline backend closes each one it shows) keeps a
    bare canvas, yet the builder redraws it when the state changes.
    """
    root = fig.figure if hasattr(fig, "figure") and fig.figure is not None else fig
    if not hasattr(root.canvas, "get_renderer"):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(root)


def figure_caption(text):
    """HTML for a figure in words, folded under a widget's figure.

    ipywidgets 8 cannot give an Image widget a tooltip (its view reads a
    ``description`` that Image lacks and fails to render), so the words go in
    a ``<details>`` element of their own, class ``journeylib-figure-text``.

    Examples
    --------
    >>> figure_caption("moments: a +1 & b -1")
    '<details class="journeylib-figure-text"><summary>the figure in words</summary><p>moments: a +1 &amp; b -1</p></details>'
    """
    return (f'<details class="journeylib-figure-text"><summary>the figure in words</summary>'
            f"<p>{html.escape(text)}</p></details>")


def _agg_figure(figsize):
    """A Figure outside pyplot (no window, never shown twice) that can measure text and save a PNG."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


@functools.cache
def _lab_box_class():
    """ipywidgets loads only when a widget is made."""
    import ipywidgets as w

    class LabBox(w.VBox):
        """A lab's box; a short text where widgets do not run (static HTML, plain consoles)."""

        _what = "JourneyBuilder"

        def __repr__(self):
            return f"{self._what} controls (interactive in Jupyter; the figure above shows the start)"

    return LabBox


def _LabBox(children, what="JourneyBuilder"):
    box = _lab_box_class()(children)
    box._what = what
    return box


def journey_builder(scores=None, *, touchpoints=None, rule="peak_end"):
    """Make a journey builder: smileys per touchpoint and the customer's rule, with a widget.

    Parameters
    ----------
    scores : sequence of int, optional
        smiley5 score (-2..+2) per touchpoint, in journey order; :data:`DEFAULT_SCORES` when omitted.
    touchpoints : sequence of str, optional
        One name per score; :data:`DEFAULT_TOUCHPOINTS` (or "step 1", ...) when omitted.
    rule : {"mean", "peak_end", "min", "last", "first"}
        The rule the customer uses to sum up the journey (:data:`BUILDER_RULES`).

    Returns
    -------
    JourneyBuilder
        Draw it with ``builder.plot(ax=ax)``; in a notebook show ``builder.widget()``.

    See Also
    --------
    JourneyBuilder : the methods (numbers, set_score, set_rule, plot, widget).

    Examples
    --------
    >>> b = journey_builder([1, 2, -2, 0], rule="peak_end")
    >>> b.numbers()[["rule", "mean", "peak_end", "predicted_face"]].values.tolist()
    [['peak_end', 0.125, -0.5, '-1 unhappy']]
    >>> b.set_rule("mean").predicted()
    0.125
    """
    return JourneyBuilder(scores, touchpoints=touchpoints, rule=rule)
