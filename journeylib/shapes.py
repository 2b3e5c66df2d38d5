"""The shape of the emotion curve: :func:`curve_shapes` and :func:`shape_test`.

Two journeys with the same average can feel very different: one steady, one
that ends in a drop, one that dips and recovers.  :func:`curve_shapes` gives
every ordered journey a few interpretable shape features, clusters them
(k-means on standardised features, k chosen by the silhouette) and names each
cluster from its centre; :func:`shape_test` asks whether shape predicts the
journey rating beyond the mean, out of sample.

Positions are rescaled to 0 (first scored moment) .. 1 (last), so journeys of
different lengths share one time axis.  Moments without a score are skipped;
journeys with fewer than ``min_moments`` scored moments have no shape and are
left out with a warning, as are unordered journeys (``ordered`` False).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ._stats_common import _boot_index, _check_confidence
from .paths import _sequences

__all__ = ["curve_shapes", "shape_test", "name_shape", "adjusted_rand", "SHAPE_FEATURES"]

_SEARCH_MAX = 20_000  # journeys k-means runs on while k is chosen
#: The shape features of :func:`curve_shapes`, in column order.
SHAPE_FEATURES: tuple[str, ...] = ("level", "slope", "trough_pos", "trough_depth", "recovery",
                                   "end_minus_peak", "volatility")


# --- features -------------------------------------------------------------------------------------

def _scored(data, what, min_moments):
    """Ordered journeys reduced to their scored moments, short ones left out with a warning."""
    seq = _sequences(data, what)
    n_all = seq.n_journeys
    seq = seq.subset(~np.isnan(seq.v))
    enough = seq.counts >= min_moments
    n_short = int((~enough).sum()) + (n_all - seq.n_journeys)
    if n_short:
        warnings.warn(f"{n_short} of {n_all} journeys left out of {what}: fewer than "
                      f"{min_moments} scored moments, too few for a shape.", UserWarning,
                      stacklevel=3)
        seq = seq.subset(np.repeat(enough, seq.counts))
    if seq.n_journeys == 0:
        raise ValueError(f"{what} needs journeys with at least {min_moments} scored moments, "
                         "and the data has none.")
    return seq


def _features(seq):
    """The shape features per journey (a dict of arrays), from scored moments in order."""
    v, n = seq.v, seq.counts.astype("float64")
    t = seq.pos / np.repeat(n - 1, seq.counts)  # 0 .. 1 within each journey
    level = seq.per_journey(v) / n
    dev = v - np.repeat(level, seq.counts)
    tc = t - 0.5  # evenly spaced positions 0..1 have mean 0.5
    slope = seq.per_journey(tc * dev) / seq.per_journey(tc * tc)
    low = seq.per_journey(v, np.minimum)
    high = seq.per_journey(v, np.maximum)
    last = v[seq.last]
    at_low = v == np.repeat(low, seq.counts)
    trough_pos = seq.per_journey(np.where(at_low, t, 0.0)) / seq.per_journey(at_low.astype(float))
    return {
        "level": level,
        "slope": slope,
        "trough_pos": trough_pos,
        "trough_depth": level - low,
        "recovery": last - low,
        "end_minus_peak": last - high,
        "volatility": np.sqrt(seq.per_journey(dev * dev) / (n - 1)),
    }


def name_shape(features):
    """A name for a shape, from its features (a cluster centre or one journey).

    The rules, on valence (-1..+1), first match wins:

    - ``"late drop"``: the end lies 0.5 or more below the peak and the
      trough sits in the last third (position >= 0.65);
    - a dip, a trough 0.3 or more below the level followed by a recovery of
      0.4 or more, named by where it lies: ``"early dip"`` (position < 0.2),
      ``"V recovery"`` (0.2 .. 0.65) or ``"late dip"`` (later; recovered to
      within 0.5 of the peak, or it would be a late drop);
    - ``"rising"`` / ``"falling"``: slope of +0.5 / -0.5 or more over the journey;
    - ``"steady high"`` / ``"steady low"`` / ``"steady"``: volatility below
      0.35, by level (>= 0.25, <= -0.25, between);
    - otherwise ``"up and down"``.

    Parameters
    ----------
    features : mapping or pandas.DataFrame
        The :data:`SHAPE_FEATURES` as keys (scalars) or columns.

    Returns
    -------
    str or numpy.ndarray of str
        One name, or one per row of a DataFrame.

    Examples
    --------
    >>> name_shape({"level": 0.3, "slope": -0.8, "trough_pos": 1.0, "trough_depth": 0.9,
    ...             "recovery": 0.0, "end_minus_peak": -1.2, "volatility": 0.5})
    'late drop'
    """
    if isinstance(features, pd.DataFrame):
        f = {c: features[c].to_numpy(dtype="float64") for c in SHAPE_FEATURES}
    else:
        f = {c: np.atleast_1d(np.asarray(features[c], dtype="float64")) for c in SHAPE_FEATURES}
    late = (f["end_minus_peak"] <= -0.5) & (f["trough_pos"] >= 0.65)
    dip = (f["trough_depth"] >= 0.3) & (f["recovery"] >= 0.4)
    steady = f["volatility"] < 0.35
    names = np.select(
        [late, dip & (f["trough_pos"] < 0.2), dip & (f["trough_pos"] < 0.65), dip,
         f["slope"] >= 0.5, f["slope"] <= -0.5,
         steady & (f["level"] >= 0.25), steady & (f["level"] <= -0.25), steady],
        ["late drop", "early dip", "V recovery", "late dip", "rising", "falling", "steady high",
         "steady low", "steady"], default="up and down")
    names = names.astype(object)
    return names if isinstance(features, pd.DataFrame) else str(names[0])


def _unique_names(names, level):
    """Cluster names made unique: a repeated name gets "(higher)", "(lower)" or a number by level."""
    names = list(names)
    out = list(names)
    for name in set(names):
        idx = [i for i, n in enumerate(names) if n == name]
        if len(idx) < 2:
            continue
        idx.sort(key=lambda i: -level[i])
        tags = ["higher", "lower"] if len(idx) == 2 else [str(j + 1) for j in range(len(idx))]
        for i, tag in zip(idx, tags, strict=True):
            out[i] = f"{name} ({tag})"
    return out


# --- clustering -----------------------------------------------------------------------------------

def _lloyd(z, k, rng, max_iter=100):
    """One k-means run: k-means++ starts (Arthur and Vassilvitskii 2007), then Lloyd's iterations
    until no label changes.  Returns (labels, within-cluster sum of squares)."""
    n, p = z.shape
    centres = np.empty((k, p))
    centres[0] = z[rng.integers(n)]
    d2 = ((z - centres[0]) ** 2).sum(axis=1)
    for j in range(1, k):
        total = d2.sum()
        centres[j] = z[rng.choice(n, p=d2 / total) if total > 0 else rng.integers(n)]
        d2 = np.minimum(d2, ((z - centres[j]) ** 2).sum(axis=1))
    zz = (z * z).sum(axis=1)
    labels = np.full(n, -1)
    for _ in range(max_iter):
        # the cross term by einsum, not BLAS: tall, thin products are slow through BLAS threads
        dist = zz[:, None] - 2.0 * np.einsum("ij,kj->ik", z, centres) \
            + (centres * centres).sum(axis=1)[None, :]
        new = dist.argmin(axis=1)
        if (new == labels).all():
            break
        labels = new
        cnt = np.bincount(labels, minlength=k)
        for j in range(p):
            centres[:, j] = np.where(cnt > 0, np.bincount(labels, z[:, j], k) / np.maximum(cnt, 1),
                                     centres[:, j])
        if (cnt == 0).any():  # an empty cluster restarts at the point farthest from its centre
            far = dist[np.arange(n), labels].argmax()
            centres[np.flatnonzero(cnt == 0)[0]] = z[far]
    inertia = float(((z - centres[labels]) ** 2).sum())
    return labels, inertia


def _kmeans(z, k, rng, n_init):
    """Best of `n_init` k-means runs (lowest within-cluster sum of squares); clusters by size."""
    best = None
    for _ in range(n_init):
        labels, inertia = _lloyd(z, k, rng)
        counts = np.bincount(labels, minlength=k)
        score = (int((counts == 0).sum()), inertia)
        if best is None or score < best[0]:
            best = (score, labels, counts)
    _, labels, counts = best
    first = np.full(k, len(labels))
    np.minimum.at(first, labels, np.arange(len(labels)))
    order = np.lexsort((first, -counts))  # by size, ties by first journey
    relabel = np.empty(k, dtype=np.int64)
    relabel[order] = np.arange(k)
    return relabel[labels]


def _distances(z):
    """All pairwise Euclidean distances between the rows of `z`."""
    sq = (z * z).sum(axis=1)
    return np.sqrt(np.maximum(sq[:, None] + sq[None, :] - 2.0 * z @ z.T, 0.0))


def _silhouette(d, labels, k):
    """Mean silhouette width (Rousseeuw 1987) of a clustering, from the pairwise distances `d`."""
    onehot = (labels[:, None] == np.arange(k)[None, :]).astype("float64")
    sums = d @ onehot
    cnt = onehot.sum(axis=0)
    rows = np.arange(len(labels))
    own = cnt[labels]
    with np.errstate(invalid="ignore", divide="ignore"):
        a = sums[rows, labels] / (own - 1)
        other = sums / cnt
    other[rows, labels] = np.inf
    other[:, cnt == 0] = np.inf
    b = other.min(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = (b - a) / np.maximum(a, b)
    s = np.where((own > 1) & np.isfinite(s), s, 0.0)
    return float(s.mean())


def curve_shapes(data, *, k=None, k_max=6, cluster=True, min_moments=3, n_init=10,
                 silhouette_sample=2000, seed=None):
    """Each ordered journey's curve shape: interpretable features, a cluster and its name.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy journey data (validated; never modified).
    k : int, optional
        Number of clusters; by default the k in 2..`k_max` with the largest
        mean silhouette width.
    k_max : int
        Largest k tried when `k` is not given.
    cluster : bool
        False: no clustering; each journey is named from its own features
        (for a handful of journeys, such as the seed stories).
    min_moments : int
        Journeys with fewer scored moments are left out (with a warning).
    n_init : int
        k-means restarts (k-means++ starts); the one with the smallest
        within-cluster sum of squares is kept.
    silhouette_sample : int
        The silhouette uses all pairwise distances; above this many journeys
        it is computed on a random sample of this size.  (Above 20,000
        journeys, k is also chosen on a random 20,000; the chosen k is then
        fitted on all of them.)
    seed : int or numpy.random.Generator, optional

    Returns
    -------
    pandas.DataFrame
        One row per journey, in journey order: ``journey_id``, ``shape`` (the
        cluster's name), ``cluster`` (0 = largest; -1 without clustering),
        ``n_moments`` (scored), the :data:`SHAPE_FEATURES`, and ``rating``
        (valence).  The features, on valence and positions 0..1:

        - ``level``: mean valence; ``slope``: least-squares change from the
          first to the last moment;
        - ``trough_pos``: where the lowest moment lies (the mean position of
          tied lows); ``trough_depth``: level minus the lowest valence;
        - ``recovery``: last moment minus the lowest (0 when the journey
          ends at its low); ``end_minus_peak``: last minus the highest
          (0 when it ends at its high);
        - ``volatility``: standard deviation of the valences (ddof=1), as in
          :func:`journeylib.journey_summary`.

        ``attrs``: ``k``, ``silhouette`` (k -> mean silhouette width) and
        ``centres`` (shape -> feature -> centre value, on valence).

    Notes
    -----
    k-means runs on the features standardised to mean 0 and standard
    deviation 1 (k-means++ starts, Lloyd's iterations to convergence, the
    best of `n_init` runs); names come from the centres in the
    original units through :func:`name_shape`, made unique with "(higher)"
    and "(lower)" by level when two clusters get the same name.

    Examples
    --------
    >>> import journeylib as jl
    >>> sim = jl.simulate_journeys(600, length=8, moment_noise=0.1,
    ...                            shapes={"late drop": 0.3}, seed=1)
    >>> shapes = curve_shapes(sim, seed=1)
    >>> sorted(shapes["shape"].unique())
    ['late drop', 'steady']
    >>> float(adjusted_rand(shapes["shape"], sim.groupby("journey_id")["shape"].first())) > 0.9
    True
    """
    if k is not None and (not isinstance(k, (int, np.integer)) or k < 1):
        raise ValueError(f"The value for `k` must be a whole number of at least 1, but {k!r} was "
                         "passed.")
    if int(min_moments) < 2:
        raise ValueError(f"The value for `min_moments` must be at least 2, but {min_moments!r} "
                         "was passed.")
    seq = _scored(data, "curve_shapes", int(min_moments))
    feats = _features(seq)
    out = pd.DataFrame({"journey_id": seq.ids})
    x = np.column_stack([feats[c] for c in SHAPE_FEATURES])
    n = len(x)
    attrs = {"k": None, "silhouette": {}, "centres": {}}
    if not cluster:
        shape = name_shape(pd.DataFrame(feats))
        labels = np.full(n, -1)
    else:
        if n < 3 or (k is not None and k >= n):
            raise ValueError(f"Clustering {n} journeys into {k or 'k'} shapes is not possible; "
                             "pass cluster=False to name each journey's own shape.")
        rng = np.random.default_rng(seed)
        sd = x.std(axis=0)
        z = (x - x.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
        if k is None:
            ks = range(2, max(2, min(int(k_max), n - 1)) + 1)
            # k is chosen on at most _SEARCH_MAX journeys, the silhouette read on fewer still
            search = np.sort(rng.choice(n, _SEARCH_MAX, replace=False)) if n > _SEARCH_MAX \
                else np.arange(n)
            m = len(search)
            sample = rng.choice(m, silhouette_sample, replace=False) if m > silhouette_sample \
                else np.arange(m)
            fits = {kk: _kmeans(z[search], kk, rng, n_init) for kk in ks}
            dist = _distances(z[search][sample])
            sil = {kk: _silhouette(dist, fits[kk][sample], kk) for kk in ks}
            k = max(sil, key=lambda kk: (sil[kk], -kk))
            labels = fits[k] if m == n else _kmeans(z, k, rng, n_init)
            attrs["silhouette"] = sil
        else:
            labels = _kmeans(z, int(k), rng, n_init) if k > 1 else np.zeros(n, dtype=np.int64)
        k = int(k)
        cnt = np.bincount(labels, minlength=k)
        centres = np.stack([np.bincount(labels, x[:, j], k) for j in range(x.shape[1])], axis=1)
        centres = centres / np.maximum(cnt, 1)[:, None]
        raw = name_shape(pd.DataFrame(centres, columns=list(SHAPE_FEATURES)))
        names = np.asarray(_unique_names(raw, centres[:, 0]), dtype=object)
        shape = names[labels]
        attrs["k"] = k
        attrs["centres"] = {str(names[i]): {c: float(centres[i, j])
                                            for j, c in enumerate(SHAPE_FEATURES)}
                            for i in range(k) if cnt[i]}
    out["shape"] = pd.Series(shape, dtype=object)
    out["cluster"] = labels.astype(np.int64)
    out["n_moments"] = seq.counts
    for c in SHAPE_FEATURES:
        out[c] = feats[c]
    out["rating"] = seq.rating
    out.attrs = attrs
    return out


def adjusted_rand(labels_a, labels_b):
    """Adjusted Rand index of two partitions (Hubert and Arabie 1985): 1 identical, ~0 chance.

    Parameters
    ----------
    labels_a, labels_b : array-like
        Two labelings of the same items (any hashable labels, same length).

    Returns
    -------
    float

    Examples
    --------
    >>> adjusted_rand([0, 0, 1, 1], ["b", "b", "a", "a"])
    1.0
    >>> round(adjusted_rand([0, 0, 1, 1, 2, 2], [0, 0, 1, 2, 2, 2]), 3)
    0.444
    """
    a = pd.factorize(np.asarray(labels_a), use_na_sentinel=False)[0]
    b = pd.factorize(np.asarray(labels_b), use_na_sentinel=False)[0]
    if len(a) != len(b):
        raise ValueError(f"The two labelings must have the same length, not {len(a)} and {len(b)}.")
    nb = b.max() + 1 if len(b) else 0
    table = np.bincount(a * nb + b, minlength=(a.max() + 1) * nb if len(a) else 0)

    def pairs(x):
        x = np.asarray(x, dtype="float64")
        return float((x * (x - 1) / 2).sum())

    index = pairs(table)
    rows = pairs(table.reshape(-1, nb).sum(axis=1)) if len(a) else 0.0
    cols = pairs(table.reshape(-1, nb).sum(axis=0)) if len(a) else 0.0
    total = pairs([len(a)])
    expected = rows * cols / total if total else 0.0
    top = (rows + cols) / 2
    if top == expected:
        return 1.0
    return float((index - expected) / (top - expected))


# --- does shape predict the rating? ---------------------------------------------------------------

def _cv_errors(x, y, fold_sets, cv):
    """Squared out-of-fold errors of a least-squares fit, averaged over the fold assignments."""
    a = np.column_stack([np.ones(len(y)), x])
    xtx_all, xty_all = a.T @ a, a.T @ y
    err = np.zeros(len(y))
    for folds in fold_sets:
        pred = np.empty(len(y))
        for f in range(cv):
            m = folds == f
            am = a[m]
            coef = np.linalg.pinv(xtx_all - am.T @ am, hermitian=True) @ (xty_all - am.T @ y[m])
            pred[m] = am @ coef
        err += (y - pred) ** 2
    return err / len(fold_sets)


def shape_test(data, *, k=None, cv=5, repeats=10, n_boot=2000, confidence=0.95, min_moments=3,
               seed=None):
    """Does the shape of the curve predict the journey rating beyond the mean?

    Two nested linear models per question, compared out of sample: the
    rating from the journey's mean valence alone, and from the mean plus the
    shape.  The shape enters either as the six shape features of
    :func:`curve_shapes` (``shape="features"``) or as the journey's shape
    cluster (``shape="clusters"``, one indicator per cluster).

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy journey data (validated; never modified).  Journeys without a
        rating are left out with a warning.
    k : int, optional
        Clusters for the cluster model (default: chosen by silhouette).
    cv : int
        Folds of the cross-validation.
    repeats : int
        Random fold assignments; each journey's squared error is averaged
        over them.
    n_boot : int
        Bootstrap resamples of journeys for the interval of the gain.
    confidence : float
    min_moments : int
        As in :func:`curve_shapes`.
    seed : int, optional
        Drives the clustering, the folds and the bootstrap.

    Returns
    -------
    pandas.DataFrame
        Two rows (``shape`` = ``"features"``, ``"clusters"``): ``predictors``,
        ``n``, ``k``, ``r2_mean`` (cross-validated R2 of the mean alone),
        ``r2_shape`` (of the mean plus shape), ``gain`` (their difference)
        and its percentile-bootstrap interval ``ci_low``, ``ci_high``, then
        ``cv`` and ``repeats``.

    Notes
    -----
    The gain is ``(SSE_mean - SSE_shape) / SST`` on out-of-fold errors.  Its
    interval resamples journeys with their out-of-fold errors (the models
    are not refitted per resample), so it reflects the sampling of the
    journeys the models are judged on.  The clusters are found without
    looking at the rating, so they leak nothing from the held-out folds.

    Examples
    --------
    >>> import journeylib as jl
    >>> sim = jl.simulate_journeys(800, rule="last", length=8, moment_noise=0.1,
    ...                            shapes={"late drop": 0.3}, rating_scale="valence", seed=2)
    >>> res = shape_test(sim, n_boot=300, seed=0)
    >>> res[["shape", "n", "k"]]
          shape    n  k
    0  features  800  2
    1  clusters  800  2
    >>> bool(res.loc[0, "ci_low"] > 0)  # the rating follows the last moment: shape adds to the mean
    True
    """
    lo_q, hi_q = _check_confidence(confidence)
    if int(cv) < 2:
        raise ValueError(f"The value for `cv` must be at least 2, but {cv!r} was passed.")
    rng = np.random.default_rng(seed)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        shapes = curve_shapes(data, k=k, min_moments=min_moments, seed=rng)
    for w in caught:  # re-issued under this function's name
        warnings.warn(str(w.message).replace("curve_shapes", "shape_test"), w.category,
                      stacklevel=2)
    ok = shapes["rating"].notna().to_numpy()
    if not ok.all():
        warnings.warn(f"{int((~ok).sum())} of {len(ok)} journeys dropped from shape_test: rating "
                      "missing.", UserWarning, stacklevel=2)
        shapes = shapes[ok]
    n = len(shapes)
    if n < 2 * cv:
        raise ValueError(f"shape_test needs at least {2 * cv} rated journeys with a shape for "
                         f"{cv}-fold cross-validation, but has {n}.")
    y = shapes["rating"].to_numpy(dtype="float64")
    level = shapes[["level"]].to_numpy()
    others = [c for c in SHAPE_FEATURES if c != "level"]
    k_found = int(shapes.attrs["k"])
    dummies = (shapes["cluster"].to_numpy()[:, None] == np.arange(1, k_found)[None, :]).astype(float)
    designs = {"features": (np.column_stack([level, shapes[others].to_numpy()]),
                            "mean + " + ", ".join(others)),
               "clusters": (np.column_stack([level, dummies]), f"mean + {k_found} clusters")}
    fold_sets = [rng.permutation(np.arange(n) % cv) for _ in range(int(repeats))]
    base = _cv_errors(level, y, fold_sets, cv)
    sst = float(((y - y.mean()) ** 2).sum())
    rows = []
    for name, (x, predictors) in designs.items():
        err = _cv_errors(x, y, fold_sets, cv)
        d = base - err
        boots = []
        if n_boot > 0:
            for idx in _boot_index(rng, n, n_boot):
                yb = y[idx]
                tot = ((yb - yb.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)
                with np.errstate(invalid="ignore", divide="ignore"):
                    boots.append(d[idx].sum(axis=1) / tot)
            boots = np.concatenate(boots)
            boots = boots[np.isfinite(boots)]
        lo, hi = np.percentile(boots, [lo_q, hi_q]) if len(boots) else (np.nan, np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            r2_mean, r2_shape = 1 - base.sum() / sst, 1 - err.sum() / sst
        rows.append({"shape": name, "predictors": predictors, "n": n, "k": k_found,
                     "r2_mean": float(r2_mean), "r2_shape": float(r2_shape),
                     "gain": float(r2_shape - r2_mean), "ci_low": float(lo),
                     "ci_high": float(hi), "cv": int(cv), "repeats": int(repeats)})
    return pd.DataFrame(rows)


def _curves(data, shapes, grid):
    """Each journey of `shapes` as its valence at `grid` positions (0..1), linearly interpolated.

    Returns the (journeys x grid) matrix, in the row order of `shapes`.
    """
    min_moments = int(shapes["n_moments"].min()) if len(shapes) else 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the same journeys as `shapes` left out
        seq = _scored(data, "shape_plot", max(min_moments, 2))
    where = pd.Index(seq.ids).get_indexer(shapes["journey_id"].to_numpy())
    if (where < 0).any():
        raise ValueError("`shapes` names journeys that are not in the data (or have fewer scored "
                         "moments there): pass the curve_shapes result of this same data.")
    grid = np.asarray(grid, dtype="float64")
    span = (seq.counts[where] - 1)[:, None]
    at = grid[None, :] * span
    lo = np.floor(at).astype(np.int64)
    lo = np.minimum(lo, span - 1)
    frac = at - lo
    base = seq.starts[where][:, None]
    return seq.v[base + lo] * (1 - frac) + seq.v[base + lo + 1] * frac
