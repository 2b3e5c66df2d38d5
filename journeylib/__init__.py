"""journeylib: touchpoint scores versus the journey as a whole.

Everything public is available as ``journeylib.<name>``; submodules are
imported on first use (SPEC 1 style lazy loading), so ``import journeylib``
stays fast and the plotting stack loads only when a figure is drawn.

Examples
--------
>>> import journeylib as jl
>>> float(jl.valence(4, "likert5"))
0.5
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# public name -> submodule that defines it
_API: dict[str, str] = {
    # contract and scales
    "SCALES": "scales", "CANONICAL_FACES": "scales", "FACES": "scales", "EMOTICONS": "scales",
    "Scale": "scales", "register_scale": "scales",
    "get_scale": "scales", "valence": "scales", "from_valence": "scales", "add_valence": "scales",
    "nps_category": "scales", "face_score": "scales",
    "JourneyDataError": "schema", "validate": "schema", "REQUIRED": "schema", "OPTIONAL": "schema",
    "NA_TOKENS": "schema", "ERROR_TOKENS": "schema",
    "parse_numbers": "cells", "parse_timestamps": "cells",
    # reading
    "read_journeys": "io", "read_table": "io", "from_wide": "io", "column_labels": "io",
    "read_diary": "diary", "repair_text": "diary", "to_diary": "diary",
    # datasets
    "load_seed_cases": "datasets", "load_example_diary": "datasets", "fetch_skytrax": "datasets",
    # metrics and statistics
    "journey_summary": "metrics", "summarize": "engines",
    "gap_test": "stats", "compare_rules": "stats", "journey_vs_touchpoint": "stats",
    "paypal_share": "stats", "outcome_type": "stats",
    "key_drivers": "drivers", "nps": "netpromoter", "nps_difference": "netpromoter", "recommend_share": "netpromoter",
    "check_consistency": "quality", "headline": "headlines",
    "simulate_journeys": "simulate",
    # sequences: paths, curve shapes, service recovery
    "transitions": "paths", "path_variants": "paths", "curve_shapes": "shapes", "shape_test": "shapes",
    "adjusted_rand": "shapes", "recovery_groups": "recovery", "recovery_test": "recovery",
    # figures and report
    "set_theme": "plots", "emotion_curve": "plots", "gap_scatter": "plots", "gap_hist": "plots",
    "rule_plot": "plots", "driver_plot": "plots", "nps_plot": "plots", "journey_card": "plots",
    "flow_plot": "plots", "shape_plot": "plots",
    "save_figure": "report",
    # words (free text per touchpoint)
    "text_sentiment": "text", "text_class": "text", "add_text_sentiment": "text", "text_journeys": "text",
    "text_vs_score": "text", "text_disagreements": "text", "load_text_eval": "text", "text_evaluation": "text",
}

__all__ = ["__version__", *sorted(_API)]


# submodules reachable as ``jl.<name>`` without an explicit import
_SUBMODULES = ("cells", "checks", "datasets", "diary", "drivers", "engines", "headlines", "io", "metrics",
               "netpromoter", "paths", "plots", "quality", "recovery", "report", "scales", "schema",
               "shapes", "simulate", "stats", "text", "widgets")


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    try:
        module = _API[name]
    except KeyError:
        raise AttributeError(f"module 'journeylib' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return [*__all__, *_SUBMODULES]
