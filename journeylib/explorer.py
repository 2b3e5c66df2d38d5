"""The journey explorer for researchers: pick a journey or a segment, a rule and a gap filter.

:class:`JourneyExplorer` holds the choice (a segment by any categorical column,
a rule, a gap filter, one journey or none) as plain Python; its numbers
(:meth:`~JourneyExplorer.counts`, :meth:`~JourneyExplorer.summary_row`) and its
figure (:meth:`~JourneyExplorer.plot`: the emotion curve beside the gap
histogram of the selection) are functions of that state, so tests and static
pages use them without a browser.  :meth:`~JourneyExplorer.widget` wraps them in
ipywidgets controls; :func:`explore` makes one from tidy data or a file.
"""

from __future__ import annotations

import html
import io
import os

import numpy as np
import pandas as pd

from .checks import ensure_valid
from .metrics import VALENCE_RULES, journey_summary
from .plots._common import _fmt
from .plots.gaps import GAP_RANGE
from .scales import add_valence

__all__ = ["JourneyExplorer", "explore", "EXPLORER_RULES", "GAP_FILTERS"]

#: Rules the explorer offers (those the data define), with a line for people.
EXPLORER_RULES: dict[str, str] = {
    "mean": "mean of the moments",
    "peak_end": "peak-end: most intense and last moment",
    "min": "worst moment",
    "last": "last moment",
    "first": "first moment",
    "median": "median moment",
    "max": "best moment",
}
#: Gap filters: which journeys of the segment to keep (the rule gives "touchpoints").
GAP_FILTERS: dict[str, str] = {
    "all": "any gap",
    "paypal": "PayPal pattern: touchpoints positive, journey negative",
    "recovered": "touchpoints negative, journey positive",
    "below": "journey rated below its touchpoints (gap < 0)",
    "above": "journey rated above its touchpoints (gap > 0)",
}
# columns that are no segments: the contract's numbers and scales, ids, free text
_NOT_SEGMENTS = {"journey_id", "step", "touchpoint", "score", "score_scale", "rating", "rating_scale",
                 "recommend", "recommend_scale", "timestamp", "text", "note", "stop", "face", "ordered",
                 "seed", "text_valence", "valence", "rating_valence"}
MAX_LEVELS = 300  # a column with more distinct values is an id or free text, not a segment
GAP_LIMIT = GAP_RANGE  # a gap on valence lies within -2..+2


def _choice(name, value, allowed):
    if value not in allowed:
        raise ValueError(f"The value for `{name}` must be one of {tuple(allowed)}, but {value!r} was passed.")


class JourneyExplorer:
    """A researcher's view of many journeys: a segment, a rule, a gap filter, one journey.

    Parameters
    ----------
    data : pandas.DataFrame or path
        Tidy journey data (validated here) or a file for :func:`journeylib.read_journeys`.
    segment : str or (str, value), optional
        A categorical column (its first value) or a column and one of its values: the journeys with at least
        one moment where the column has that value (``("channel", "phone")``:
        journeys with a phone contact; ``("cabin", "Business")`` for a
        journey-level column).  None: every journey.
    rule : str
        The touchpoint rule the rating is compared with (:data:`EXPLORER_RULES`
        that the data define); the gap is ``rating - rule``, on valence.
    gap_filter : str
        One of :data:`GAP_FILTERS`.  "Touchpoints positive" means the rule's
        value is above 0, "journey negative" a rating below 0.
    gap_range : (float, float)
        Keep journeys whose gap lies in this closed interval (valence).
    journey : scalar, optional
        The journey to show; None shows the mean curve of the selection.
    segments : list of str, optional
        Columns offered as segments; by default every categorical column with
        2 to :data:`MAX_LEVELS` values, apart from the contract's own.
    lanes : str or list of str, optional
        Swimlanes under a single journey's curve (``"channel"``, ``"actor"``).
    max_options : int
        Journeys listed in the widget's dropdown, largest gaps first.

    Examples
    --------
    >>> import journeylib as jl
    >>> ex = JourneyExplorer(jl.load_seed_cases())
    >>> ex.counts()["selected"], ex.segments
    (5, ['channel', 'actor'])
    >>> ex.set_filter("paypal").selected_ids()
    ['laptop-refund', 'paypal-claim']
    >>> ex.set_segment("actor", "PayPal").selected_ids()
    ['paypal-claim']
    >>> row = ex.set_journey("paypal-claim").summary_row()
    >>> row[["journey", "mean", "rating", "gap"]].round(3).values.tolist()
    [['paypal-claim', 0.111, -0.5, -0.611]]
    """

    def __init__(self, data, *, segment=None, rule="mean", gap_filter="all", gap_range=(-GAP_LIMIT, GAP_LIMIT),
                 journey=None, segments=None, lanes=None, max_options=200):
        if isinstance(data, (str, os.PathLike)):
            from .io import read_journeys

            data = read_journeys(data)
        self.data = ensure_valid(data)
        self.summary = journey_summary(self.data)
        self.rules = [r for r in EXPLORER_RULES if r in VALENCE_RULES and r in self.summary.columns
                      and self.summary[r].notna().any()]
        self.segments = list(segments) if segments is not None else self._find_segments()
        for col in self.segments:
            if col not in self.data.columns:
                raise ValueError(f"`segments` names {col!r}, which is not a column of the data "
                                 f"({', '.join(map(str, self.data.columns))}).")
        self.lanes = lanes
        self.max_options = int(max_options)
        self.segment, self.rule, self.gap_filter = None, "mean", "all"
        self.gap_range = (-GAP_LIMIT, GAP_LIMIT)
        self.journey = None
        self._fig = None
        self._box = None
        self._controls = None
        self._syncing = False
        if isinstance(segment, str):
            segment = (segment,)  # a column: its first value
        if segment is not None and (not isinstance(segment, (tuple, list)) or not 1 <= len(segment) <= 2):
            raise ValueError("`segment` must be a column name or a (column, value) pair such as "
                             f"('channel', 'phone'), but {segment!r} was passed.")
        if not isinstance(gap_range, (tuple, list)) or len(gap_range) != 2:
            raise ValueError(f"`gap_range` must be a (low, high) pair such as (-2, 0), but {gap_range!r} "
                             "was passed.")
        self.set_segment(*(segment or (None,)), refresh=False)
        self.set_rule(rule, refresh=False)
        self.set_filter(gap_filter, refresh=False)
        self.set_gap_range(*gap_range, refresh=False)
        self.set_journey(journey, refresh=False)

    def _find_segments(self):
        cols = []
        for col in self.data.columns:
            if col in _NOT_SEGMENTS:
                continue
            s = self.data[col]
            if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
                continue
            if 2 <= s.nunique(dropna=True) <= MAX_LEVELS:
                cols.append(col)
        return cols

    # --- state ---------------------------------------------------------------------------------
    def segment_values(self, column):
        """The values of `column` with their number of journeys, most journeys first (a Series)."""
        _choice("segment column", column, self.segments)
        per = self.data[["journey_id", column]].dropna().drop_duplicates()
        counts = per[column].astype(str).value_counts(sort=False)
        return counts.sort_index(kind="stable").sort_values(ascending=False, kind="stable")

    def set_segment(self, column=None, value=None, *, refresh=True):
        """Restrict to journeys with a moment where `column` equals `value` (None: all); return self."""
        if column is None:
            self.segment = None
        else:
            values = self.segment_values(column)
            if value is None:
                value = values.index[0]
            _choice(f"segment value of {column!r}", str(value), list(values.index))
            self.segment = (column, str(value))
        return self._changed(refresh)

    def set_rule(self, rule, *, refresh=True):
        """Compare the rating with `rule`; return self."""
        _choice("rule", rule, self.rules)
        self.rule = rule
        return self._changed(refresh)

    def set_filter(self, gap_filter, *, refresh=True):
        """Keep the journeys of one gap pattern (:data:`GAP_FILTERS`); return self."""
        _choice("gap_filter", gap_filter, tuple(GAP_FILTERS))
        self.gap_filter = gap_filter
        return self._changed(refresh)

    def set_gap_range(self, low=-GAP_LIMIT, high=GAP_LIMIT, *, refresh=True):
        """Keep journeys whose gap lies within [low, high] (valence); return self."""
        low, high = float(low), float(high)
        if not -GAP_LIMIT <= low <= high <= GAP_LIMIT:
            raise ValueError(f"`gap_range` must satisfy -2 <= low <= high <= 2, but ({low}, {high}) was passed.")
        self.gap_range = (low, high)
        return self._changed(refresh)

    def set_journey(self, journey=None, *, refresh=True):
        """Show one journey of the selection (None: the mean curve of the selection); return self."""
        if journey is not None:
            ids = self.summary["journey_id"]
            match = ids[ids.astype(str) == str(journey)]
            if match.empty:
                raise ValueError(f"There is no journey {journey!r} in the data.")
            journey = match.iloc[0]
            if journey not in set(self.selected_ids()):
                raise ValueError(f"Journey {journey!r} is not in the selection ({self._what()}).")
        self.journey = journey
        return self._changed(refresh)

    def _changed(self, refresh):
        if self.journey is not None and self.journey not in set(self.selected_ids()):
            self.journey = None  # the filter dropped it: back to the selection's mean
        if refresh:
            self.refresh()
        return self

    # --- numbers -------------------------------------------------------------------------------
    def gaps(self):
        """Per journey: the rule's value, the rating and the gap (all journeys, a DataFrame)."""
        s = self.summary
        return pd.DataFrame({"journey_id": s["journey_id"], "touchpoints": s[self.rule],
                             "rating": s["rating"], "gap": s["rating"] - s[self.rule]})

    def _masks(self):
        g = self.gaps()
        seg = np.ones(len(g), dtype=bool)
        if self.segment is not None:
            col, value = self.segment
            rows = self.data[col].astype(str) == value
            seg = g["journey_id"].isin(self.data.loc[rows.to_numpy(), "journey_id"]).to_numpy()
        tp, rating, gap = (g[c].to_numpy(dtype="float64", na_value=np.nan) for c in ("touchpoints", "rating", "gap"))
        keep = {"all": np.ones(len(g), dtype=bool), "paypal": (tp > 0) & (rating < 0),
                "recovered": (tp < 0) & (rating > 0), "below": gap < 0, "above": gap > 0}[self.gap_filter]
        if self.gap_range != (-GAP_LIMIT, GAP_LIMIT):
            keep = keep & (gap >= self.gap_range[0]) & (gap <= self.gap_range[1])
        return g, seg, seg & keep

    def selection(self):
        """The journey summary of the selected journeys (segment and gap filter), plus ``gap_rule``."""
        g, _, sel = self._masks()
        return self.summary[sel].assign(gap_rule=g.loc[sel, "gap"].to_numpy()).reset_index(drop=True)

    def selected_ids(self):
        """Ids of the selected journeys, in the summary's order."""
        g, _, sel = self._masks()
        return g.loc[sel, "journey_id"].tolist()

    def counts(self):
        """Journeys in the data, in the segment, selected, and selected with the PayPal pattern (dict)."""
        g, seg, sel = self._masks()
        tp, rating = g["touchpoints"].to_numpy(dtype="float64"), g["rating"].to_numpy(dtype="float64")
        paypal = sel & (tp > 0) & (rating < 0)
        moments = self.data["journey_id"].isin(g.loc[sel, "journey_id"])
        return {"journeys": len(g), "in_segment": int(seg.sum()), "selected": int(sel.sum()),
                "paypal": int(paypal.sum()), "moments": int(moments.sum())}

    def summary_row(self):
        """One row: the chosen journey's summary, or the mean over the selection (``n_journeys``)."""
        sel = self.selection()
        cols = ["n_touchpoints", "n_missing", "mean", "peak_end", "min", "last", "rating"]
        cols = [c for c in cols if c in sel.columns]
        if self.journey is not None:
            row = sel[sel["journey_id"] == self.journey]
            label, n = self.journey, 1
            out = row[cols].reset_index(drop=True)  # the journey's own values: counts stay whole
        else:
            row, n = sel, len(sel)
            label = f"mean of {n:,} journeys"
            out = pd.DataFrame([row[cols].mean() if n else pd.Series(np.nan, index=cols)])
        out.insert(0, "journey", label)
        out.insert(1, "n_journeys", n)
        out["rule"] = self.rule
        out["gap"] = row["gap_rule"].mean() if n else np.nan
        return out

    def curve_values(self):
        """The valences the emotion curve shows: the journey's moments, or the selection's mean curve."""
        ids = [self.journey] if self.journey is not None else self.selected_ids()
        d = add_valence(self.data[self.data["journey_id"].isin(ids)])
        if self.journey is not None or len(ids) == 1:
            return d.sort_values("step", kind="stable")["valence"].to_numpy(dtype="float64")
        by = self._by(d)
        g = d.groupby(by, sort=True, observed=True)
        means = g["valence"].mean()
        if by == "touchpoint":
            means = means.loc[g["step"].mean().sort_values(kind="stable").index]
        return means.to_numpy(dtype="float64")

    @staticmethod
    def _by(d):
        """Average per touchpoint for a fixed set of items (survey: each item at one step), else per step."""
        per_tp = d.groupby("touchpoint", observed=True)["step"].nunique()
        items = per_tp.max() == 1 and len(per_tp) <= d["step"].max()
        return "touchpoint" if items else "step"

    def _what(self):
        parts = [f"{self.segment[0]} = {self.segment[1]}" if self.segment else "all journeys",
                 GAP_FILTERS[self.gap_filter]]
        if self.gap_range != (-GAP_LIMIT, GAP_LIMIT):
            parts.append(f"gap {self.gap_range[0]:+.2f} to {self.gap_range[1]:+.2f}")
        return "; ".join(parts)

    def describe(self):
        """The state and the figure in words (folded under the widget's figure).

        Examples
        --------
        >>> import journeylib as jl
        >>> print(JourneyExplorer(jl.load_seed_cases(), journey="tablet-order").describe())
        journey tablet-order of 5 selected (all journeys; any gap), rule mean; curve +0.00 +0.50 -0.50 +0.50 +1.00 +0.50; mean +0.33, rating +0.50, gap +0.17
        """
        c = self.counts()
        row = self.summary_row().iloc[0]
        who = f"journey {self.journey}" if self.journey is not None else "mean curve"
        curve = " ".join(map(_signed, self.curve_values()))
        return (f"{who} of {c['selected']} selected ({self._what()}), rule {self.rule}; curve {curve}; "
                f"mean {_signed(row['mean'])}, rating {_signed(row['rating'])}, gap {_signed(row['gap'])}")

    # --- figure --------------------------------------------------------------------------------
    def plot_curve(self, ax=None):
        """The emotion curve of the chosen journey, or the mean curve of the selection; the Axes."""
        from .plots.journey import emotion_curve

        ax = _gca(ax)
        ids = [self.journey] if self.journey is not None else self.selected_ids()
        if not ids:
            return _empty(ax, "no journey in this selection")
        d = self.data[self.data["journey_id"].isin(ids)]
        if len(ids) == 1:
            emotion_curve(d, journey=ids[0], lanes=self.lanes, ax=ax)
            ax.set_title(f"journey {ids[0]}", loc="right", fontsize="small")
        else:
            emotion_curve(d, by=self._by(d), ax=ax)
        return ax

    def plot_gaps(self, ax=None):
        """The gap histogram of the selection (:func:`journeylib.gap_hist`), the chosen journey marked."""
        from .plots.gaps import gap_hist
        from .plots.theme import NEG

        ax = _gca(ax)
        sel = self.selection()
        sel = sel[np.isfinite(sel["gap_rule"].to_numpy(dtype="float64", na_value=np.nan))]
        if sel.empty:
            return _empty(ax, f"no journey with a rating and a {self.rule}")
        gap_hist(sel, rule=self.rule, ax=ax)
        if self.journey is not None:
            gap = float(sel.loc[sel["journey_id"] == self.journey, "gap_rule"].iloc[0])
            ax.axvline(gap, color=NEG, linewidth=2.2, zorder=4, gid="journeylib-explorer-journey")
            ax.annotate(f"{self.journey}\n{_fmt(gap)}", xy=(gap, 0.5), xycoords=ax.get_xaxis_transform(),
                        xytext=(4, 0), textcoords="offset points", fontsize="x-small", color=NEG,
                        ha="left", va="center")
        return ax

    def plot(self, fig=None, *, figsize=(12, 4.4)):
        """The curve (left) beside the gap histogram (right); returns the Figure (like journey_card).

        Examples
        --------
        >>> import journeylib as jl
        >>> fig = JourneyExplorer(jl.load_seed_cases(), journey="paypal-claim").plot()
        >>> [a.get_gid() for a in fig.axes[1].lines if a.get_gid() == "journeylib-explorer-journey"]
        ['journeylib-explorer-journey']
        """
        if fig is None:
            import matplotlib.pyplot as plt

            fig = plt.figure(figsize=figsize, layout="constrained")
        left, right = fig.subplots(1, 2, width_ratios=[2.3, 1])
        self.plot_curve(left)
        self.plot_gaps(right)
        return fig

    # --- widget --------------------------------------------------------------------------------
    def _journey_options(self):
        sel = self.selection()
        order = sel.assign(_abs=sel["gap_rule"].abs()).sort_values("_abs", ascending=False,
                                                                   na_position="last", kind="stable")
        top = order.head(self.max_options)
        opts = [(f"mean of the {len(sel):,} selected journeys", None)]
        opts += [(f"{j}  (gap {g:+.2f})" if np.isfinite(g) else f"{j}  (no gap)", j)
                 for j, g in zip(top["journey_id"], top["gap_rule"].astype("float64"), strict=True)]
        if self.journey is not None and self.journey not in set(top["journey_id"]):
            opts.append((str(self.journey), self.journey))
        return opts

    def counts_html(self):
        """The counts and the summary row as HTML (what the widget shows under the controls)."""
        c = self.counts()
        head = (f"<b>{c['selected']:,}</b> of {c['journeys']:,} journeys selected "
                f"({c['in_segment']:,} in the segment; {c['paypal']:,} with the PayPal pattern; "
                f"{c['moments']:,} moments)")
        row = self.summary_row().iloc[0]
        cells = "".join(f"<th>{html.escape(str(k))}</th>" for k in row.index)
        vals = "".join(f"<td>{_cell(k, v)}</td>" for k, v in row.items())
        return (f"<div class='journeylib-explorer-counts'>{head}</div><table class='journeylib-explorer-summary'>"
                f"<tr>{cells}</tr><tr>{vals}</tr></table><small>valence, -1..+1; gap = rating - {html.escape(self.rule)}"
                "</small>")

    def refresh(self):
        """Redraw the widget's figure and update its numbers and options (no-op before :meth:`widget`)."""
        if self._controls is None:
            return
        from .widgets import figure_caption

        c = self._controls
        self._syncing = True
        try:
            # None (the mean; all journeys) is the first option: set by index, as a Dropdown
            # whose value is set to None shows no selection at all
            c["journey"].options = self._journey_options()
            if self.journey is None:
                c["journey"].index = 0
            else:
                c["journey"].value = self.journey
            c["rule"].value = self.rule
            c["filter"].value = self.gap_filter
            if self.segment is None:
                c["segment"].index = 0
            else:
                c["segment"].value = self.segment[0]
            if self.segment:
                c["value"].options = [(f"{v} ({n:,})", v) for v, n in self.segment_values(self.segment[0]).items()]
                c["value"].value = self.segment[1]
            else:
                c["value"].options = []
            c["value"].disabled = self.segment is None
        finally:
            self._syncing = False
        c["numbers"].value = self.counts_html()
        self._fig.clear()
        self.plot(self._fig)
        buf = io.BytesIO()
        self._fig.savefig(buf, format="png", dpi=80)
        c["image"].value = buf.getvalue()
        c["caption"].value = figure_caption(self.describe())

    def _on(self, what):
        def handler(change):
            if self._syncing:
                return
            new = change["new"]
            if what == "segment":
                self.set_segment(new)
            elif what == "value":
                self.set_segment(self.segment[0], new)
            elif what == "range":
                self.set_gap_range(*new)
            else:
                {"rule": self.set_rule, "filter": self.set_filter, "journey": self.set_journey}[what](new)
        return handler

    def widget(self):
        """ipywidgets controls: segment, rule, gap filter, gap range and journey; figure and numbers."""
        if self._box is not None:
            return self._box
        import ipywidgets as w

        from .widgets import _agg_figure, _LabBox

        style, wide, wider = {"description_width": "7em"}, w.Layout(width="28em"), w.Layout(width="36em")
        c = {
            "segment": w.Dropdown(options=[("all journeys", None)] + [(s, s) for s in self.segments],
                                  description="segment by", style=style, layout=wide),
            "value": w.Dropdown(options=[], description="value", style=style, layout=wide),
            "rule": w.Dropdown(options=[(f"{r}: {EXPLORER_RULES[r]}", r) for r in self.rules],
                               description="rule", style=style, layout=wider),
            "filter": w.Dropdown(options=[(v, k) for k, v in GAP_FILTERS.items()], description="gap filter",
                                 style=style, layout=wider),
            "range": w.FloatRangeSlider(value=self.gap_range, min=-GAP_LIMIT, max=GAP_LIMIT, step=0.05,
                                        description="gap within", style=style, layout=wider,
                                        readout_format="+.2f", continuous_update=False),
            "journey": w.Dropdown(options=[], description="journey", style=style, layout=wide),
            "numbers": w.HTML(),
            "image": w.Image(format="png"),
            "caption": w.HTML(),
        }
        self._controls = c
        self._fig = _agg_figure((12, 4.4))
        self.refresh()
        for name in ("segment", "value", "rule", "filter", "range", "journey"):
            c[name].observe(self._on(name), names="value")
        self._box = _LabBox([w.HBox([w.VBox([c["segment"], c["value"], c["journey"]]),
                                     w.VBox([c["rule"], c["filter"], c["range"]])]),
                             c["numbers"], c["image"], c["caption"]], what="JourneyExplorer")
        return self._box

    @property
    def controls(self):
        """The widget's controls (dict); None before :meth:`widget`."""
        return self._controls

    def _repr_mimebundle_(self, include=None, exclude=None):
        """In Jupyter an explorer shows as its widget."""
        return self.widget()._repr_mimebundle_(include=include, exclude=exclude)

    def __repr__(self):
        seg = f"{self.segment[0]}={self.segment[1]!r}" if self.segment else None
        return (f"JourneyExplorer({self.counts()['selected']} of {len(self.summary)} journeys, segment={seg}, "
                f"rule={self.rule!r}, gap_filter={self.gap_filter!r}, journey={self.journey!r})")


def _cell(name, v):
    """A summary value for the HTML table: counts as counts, valences signed with 2 decimals."""
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
        if np.isnan(v):
            return ""
        if str(name).startswith("n_"):
            return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"
        return f"{v:+.2f}"
    return html.escape(str(v))


def _signed(v):
    return "none" if np.isnan(v) else f"{v:+.2f}"


def _gca(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.gca()
    return ax


def _empty(ax, message):
    ax.text(0.5, 0.5, message, transform=ax.transAxes, ha="center", va="center", color="0.4",
            gid="journeylib-explorer-empty")
    ax.set_axis_off()
    return ax


def explore(data, **kwargs):
    """Explore journeys: a segment, a rule and a gap filter; one journey's curve or the segment's.

    Parameters
    ----------
    data : pandas.DataFrame or path
        Tidy journey data, or a file read with :func:`journeylib.read_journeys`.
    **kwargs
        The :class:`JourneyExplorer` options: ``segment=("channel", "phone")``,
        ``rule="peak_end"``, ``gap_filter="paypal"``, ``gap_range=(-2, -0.5)``,
        ``journey=...``, ``segments=[...]``, ``lanes="actor"``, ``max_options``.

    Returns
    -------
    JourneyExplorer
        In Jupyter it shows as its controls (:meth:`JourneyExplorer.widget`);
        ``.plot()`` draws the same figure for a static page, ``.summary_row()``
        and ``.counts()`` give its numbers.

    Examples
    --------
    >>> import journeylib as jl
    >>> ex = explore(jl.load_seed_cases(), gap_filter="paypal", rule="mean")
    >>> ex.counts()
    {'journeys': 5, 'in_segment': 5, 'selected': 2, 'paypal': 2, 'moments': 19}
    >>> ex.set_journey("paypal-claim").curve_values().tolist()[:3]
    [-0.5, 1.0, 0.0]
    """
    return JourneyExplorer(data, **kwargs)
