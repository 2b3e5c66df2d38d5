"""Bring your own data: ``python -m journeylib report DATA ...`` (and ``make report DATA=...``).

The command reads and validates the file first; a file that cannot be read or
does not fit the tidy contract stops there, with the list of problems, exit
code 1, and no notebook is run; an option that is wrong, or that the file does
not match (a column ``--touchpoints`` names that the file lacks), gives exit
code 2; an analysis that stops with an error gives exit code 3 and a page that
shows the failing cell and nothing computed after it.  No user mistake shows a traceback; an internal error prints one line
naming the log file that holds it (see :mod:`journeylib.__main__`).  Values
from the file reach the report's Markdown only through
:func:`journeylib.report.escape_markdown`.  A file that fits is analysed by
executing ``notebooks/07-your-data.ipynb`` with the options as its parameters
(by papermill, through :func:`journeylib.report.build_report`); the result is
``build/report-<name>/index.html`` with the figures beside it: a page for a
reader of results, opening with the headline (:mod:`journeylib.headlines`),
code hidden unless ``--with-code``.

:func:`load_data` is what both the command and the notebook use to read data.
"""

from __future__ import annotations

import argparse
import os
import re
import stat
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from .io import read_table
from .io.options import cli_type as _cli
from .io.options import parse_map as _mapping
from .io.options import parse_missing as _codes
from .io.options import parse_names as _names
from .io.options import parse_rows as _rows
from .io.options import row_number as _row_number
from .io.options import scale_definition
from .io.options import scale_type as _scale_arg
from .scales import from_valence
from .schema import JourneyDataError

__all__ = ["add_arguments", "run", "main", "load_data", "is_survey_style",
           "key_driver_table", "example_survey", "NOTEBOOK", "FORMATS", "ANALYSIS_FAILED"]

#: The notebook the command executes.
NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "07-your-data.ipynb"
FORMATS = ("tidy", "wide")
#: Exit code of ``python -m journeylib report`` when the data was read but the analysis failed.
ANALYSIS_FAILED = 3
_SEED_CASES = "seed_cases"


# --- reading -------------------------------------------------------------------------------------

def load_data(data, *, format="tidy", touchpoints=None, rating=None, score_scale=None,
              rating_scale=None, missing=None, recommend=None, recommend_scale="nps11", id=None,
              ordered=False, rating_map=None, recommend_map=None, header=None, skiprows=None,
              sheet=None, scales=None):
    """Read own data as validated tidy journey data.

    Parameters
    ----------
    data : str or path-like
        A file (CSV, Excel, SPSS ``.sav``, Parquet; survey tools' exports are
        recognised, see :func:`journeylib.read_table`), or ``"seed_cases"`` for
        :func:`journeylib.load_seed_cases`.
    format : {"tidy", "wide"}
        ``tidy``: one row per touchpoint moment (:func:`journeylib.read_journeys`).
        ``wide``: one row per respondent, one column per touchpoint
        (:func:`journeylib.from_wide`); then `touchpoints` and `score_scale`
        are required, and `rating` with `rating_scale`, or `recommend`, or both.
    touchpoints : list of str or "a,b,c"
        Wide only: the touchpoint columns.
    rating, score_scale, rating_scale, id, recommend, recommend_scale, ordered
        Wide only: passed to :func:`journeylib.from_wide`.  Without `rating`
        the recommend answer is the outcome (``rating`` is NaN).
    missing : scalar, list, dict, "0,99" or "overall=0,wifi=99"
        Wide only: codes meaning "not answered".  A scalar or a list applies to
        the touchpoint columns only; per column (a dict, or ``column=code``
        pairs) it applies to the columns named, the rating included only when
        named.
    rating_map, recommend_map : dict or "satisfied=1,neutral or dissatisfied=0"
        Wide only: answer texts to numbers (see :func:`journeylib.from_wide`).
    header, skiprows, sheet
        Where the table is (see :func:`journeylib.read_table`; `header` and
        `skiprows` 0-based as there).
    scales : list of str, optional
        Scales to define first, as ``"NAME=LOW:HIGH[:decimal][:reversed]"``
        (see :func:`scale_definition`).

    Raises
    ------
    JourneyDataError
        When the data does not fit the contract; the message names the file and lists the problems.
    ValueError
        For a bad option (unknown format, a wide option missing, a column not in the file).
    FileNotFoundError

    Examples
    --------
    >>> load_data("seed_cases")["journey_id"].nunique()
    5
    """
    for definition in scales or ():
        scale_definition(definition)
    _check_options(data, format, touchpoints, rating, score_scale, rating_scale,
                   recommend=recommend)
    return _shape(_read(data, format, header=header, skiprows=skiprows, sheet=sheet), data,
                  format=format, touchpoints=touchpoints, rating=rating, score_scale=score_scale,
                  rating_scale=rating_scale, missing=missing, recommend=recommend,
                  recommend_scale=recommend_scale, id=id, ordered=ordered, rating_map=rating_map,
                  recommend_map=recommend_map)


def _check_options(data, format, touchpoints, rating, score_scale, rating_scale, recommend=...):
    """The options alone, before the file is opened: ValueError for a bad one.

    Without `rating` an outcome is still needed: `recommend` (checked here when
    passed, else by :func:`_shape`).
    """
    if format not in FORMATS:
        raise ValueError(f"The value for `format` must be one of {FORMATS}, but {format!r} was passed.")
    if format == "wide" and str(data) != _SEED_CASES:
        need = {"touchpoints": _names(touchpoints), "rating": rating, "score_scale": score_scale,
                "rating_scale": rating_scale}
        if not rating:  # the recommend answer may be the outcome
            need = {"touchpoints": need["touchpoints"], "score_scale": score_scale}
        absent = [k for k, v in need.items() if not v]
        if absent:
            flags = ", ".join(f"--{k.replace('_', '-')}" for k in absent)
            raise ValueError(f"Wide data needs {', '.join(absent)} ({flags} on the command line).")
        if not rating and recommend is not ... and not recommend:
            raise ValueError(_NO_OUTCOME)


_NO_OUTCOME = ("Wide data needs an outcome: rating and rating_scale (--rating, --rating-scale on "
               "the command line), or recommend (--recommend) when the file has no overall rating.")


def _read(data, format, *, header=None, skiprows=None, sheet=None):
    """The file: validated tidy data, or the raw table of a wide file (errors are the file's)."""
    if str(data) == _SEED_CASES:
        from .datasets import load_seed_cases

        return load_seed_cases()
    where = {"header": header, "skiprows": _rows(skiprows), "sheet": sheet}
    if format == "tidy":
        from .io import read_journeys

        return read_journeys(data, **where)
    return read_table(data, **where)


def _shape(table, data, *, format, touchpoints, rating, score_scale, rating_scale, missing, recommend,
           recommend_scale, id, ordered=False, rating_map=None, recommend_map=None, header=None,
           skiprows=None, sheet=None, scales=None):
    """Wide: the table through from_wide (a ValueError here is an option the file does not match).

    `header`, `skiprows`, `sheet` and `scales` were used when reading; they are accepted here so
    that the options of :func:`_options` can be passed as they are.
    """
    if format != "wide" or str(data) == _SEED_CASES:
        return table
    from .io import from_wide

    if not rating and not recommend:
        raise ValueError(f"{data}: {_NO_OUTCOME}")
    try:
        return from_wide(table, touchpoints=_names(touchpoints), rating=rating or None,
                         score_scale=score_scale, rating_scale=rating_scale, id=id,
                         missing=_codes(missing), recommend=recommend,
                         recommend_scale=recommend_scale, ordered=bool(ordered),
                         rating_map=_mapping(rating_map, "rating-map"),
                         recommend_map=_mapping(recommend_map, "recommend-map"))
    except JourneyDataError as err:
        raise JourneyDataError(err.problems, source=data, total=err.total) from None
    except ValueError as err:
        raise ValueError(f"{data}: {err}") from None


def _coverage(data):
    """Share of journeys in which each touchpoint has a score."""
    n = data["journey_id"].nunique()
    scored = data[data["score"].notna()]
    return scored.groupby("touchpoint", observed=True)["journey_id"].nunique() / n


def is_survey_style(data, *, min_share=0.8):
    """True when journeys rate the same touchpoints, as in a survey, so key drivers make sense.

    Needs at least 10 journeys, no touchpoint met twice within a journey, and
    at least 2 touchpoints scored in at least `min_share` of the journeys (the
    others are left out of the key drivers, see :func:`key_driver_table`); any
    number of them (above 12, :func:`journeylib.key_drivers` uses Johnson's
    relative weights). :func:`journeylib.headlines.drivers_skipped_reason` says
    why, when not.

    Examples
    --------
    >>> is_survey_style(load_data("seed_cases"))
    False
    """
    from .headlines import drivers_skipped_reason

    return drivers_skipped_reason(data, min_share=min_share) is None


def key_driver_table(data, *, min_share=0.8, n_boot=1000, seed=None, outcome="rating"):
    """:func:`journeylib.key_drivers` on the touchpoints most journeys scored, with notes in words.

    Touchpoints scored in fewer than `min_share` of the journeys (a phone call
    only some customers made) are left out, so that journeys missing them are
    not all dropped; journeys still missing a score are dropped by
    ``key_drivers``, whose warning becomes a note.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy journey data, survey-style (see :func:`is_survey_style`).
    min_share : float
        Keep touchpoints scored in at least this share of the journeys (0..1).
    n_boot : int
        Bootstrap resamples for the intervals, passed to :func:`journeylib.key_drivers`.
    seed : int or numpy.random.Generator, optional
        For the bootstrap.

    Returns
    -------
    drivers : pandas.DataFrame
        As :func:`journeylib.key_drivers`: one row per kept touchpoint.
    notes : list of str
        What was left out and why.

    Examples
    --------
    >>> from journeylib import from_wide
    >>> wide = from_wide(example_survey(60, seed=1), id="respondent", rating="overall",
    ...                  touchpoints=["find", "order", "confirmation", "tracking", "phone", "delivery"],
    ...                  score_scale="likert5", rating_scale="stars10", missing=[0])
    >>> drivers, notes = key_driver_table(wide, n_boot=50, seed=1)
    >>> "phone" in set(drivers["touchpoint"]), notes[0].startswith("Left out")
    (False, True)
    """
    from .drivers import key_drivers

    coverage = _coverage(data)
    keep = coverage.index[coverage >= min_share]
    left_out = [f"{t} ({share:.0%})" for t, share in coverage.items() if share < min_share]
    notes = [f"Left out as scored in fewer than {min_share:.0%} of the journeys: {', '.join(left_out)}."] \
        if left_out else []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        drivers = key_drivers(data[data["touchpoint"].isin(keep)], n_boot=n_boot, seed=seed,
                              outcome=outcome)
    notes += [str(w.message) for w in caught]
    return drivers, notes


def example_survey(n=240, *, seed=7):
    """A made-up wide survey export, the default data of notebooks/07-your-data.ipynb.

    One row per respondent: ``respondent``, six touchpoint columns on
    ``likert5`` (0 = "did not use / no answer"), ``overall`` on ``stars10`` and
    ``recommend`` on ``nps11``.  The overall rating is generated from the
    peak-end of the touchpoints, lowered when the respondent had to call
    (``phone`` answered), plus noise; nothing here is real.

    Examples
    --------
    >>> s = example_survey(20, seed=1)
    >>> list(s.columns)[:3], len(s)
    (['respondent', 'find', 'order'], 20)
    """
    rng = np.random.default_rng(seed)
    cols = ["find", "order", "confirmation", "tracking", "phone", "delivery"]
    quality = rng.normal(0.3, 0.35, size=(n, 1))
    v = np.clip(quality + rng.normal(0, 0.45, size=(n, len(cols))), -1, 1)
    used_phone = rng.random(n) < 0.35
    v[~used_phone, 4] = np.nan
    skip_tracking = rng.random(n) < 0.1
    v[skip_tracking, 3] = np.nan
    last = v[:, -1]
    absmax = np.nanmax(np.abs(v), axis=1)
    # On a tie between +x and -x this peak takes the positive one, where
    # journey_summary takes the later moment; kept so the shipped CSV stays the same
    # (ties need a score clipped to +1 and another to -1 in one row).
    peak = np.where(np.nanmax(v, axis=1) >= absmax, absmax, -absmax)
    overall_v = np.clip((peak + last) / 2 - 0.25 * used_phone + rng.normal(0, 0.15, n), -1, 1)
    scores = np.round(from_valence(v, "likert5"))
    table = pd.DataFrame(np.where(np.isnan(scores), 0, scores).astype("int64"), columns=cols)
    table.insert(0, "respondent", [f"R{i + 1:04d}" for i in range(n)])
    table["overall"] = np.round(from_valence(overall_v, "stars10")).astype("int64")
    rec = np.round(from_valence(overall_v, "nps11") + rng.normal(0, 1.0, n))
    table["recommend"] = np.clip(rec, 0, 10).astype("int64")
    return table


# --- the command ---------------------------------------------------------------------------------

def add_arguments(parser):
    """Options of ``python -m journeylib report``."""
    from .__main__ import EPILOG, seconds

    parser.epilog = EPILOG
    parser.add_argument("data", help="the data file (CSV with , or ;, Excel, SPSS .sav, Parquet; "
                                     "Qualtrics, SurveyMonkey, Google Forms, Typeform and LimeSurvey "
                                     "exports are recognised), or seed_cases")
    parser.add_argument("--format", choices=FORMATS, default="tidy",
                        help="tidy: one row per touchpoint moment (default); wide: one row per respondent")
    parser.add_argument("--touchpoints", help="wide: touchpoint columns, comma-separated")
    parser.add_argument("--ordered", action="store_true", default=None,
                        help="wide: the touchpoint columns are in journey order (default: survey "
                             "items without order; first, last, peak-end and trend are then undefined)")
    parser.add_argument("--rating", help="wide: the column with the overall rating of the journey "
                                         "(optional with --recommend)")
    parser.add_argument("--score-scale", help="wide: scale of the touchpoint scores, e.g. likert5")
    parser.add_argument("--rating-scale", help="wide: scale of the overall rating, e.g. stars10, binary")
    parser.add_argument("--rating-map", type=_cli(_mapping, "rating-map"),
                        help='wide: answer texts of --rating as numbers, e.g. '
                             '"satisfied=1,neutral or dissatisfied=0" (yes/no need none on binary)')
    parser.add_argument("--missing", type=_cli(_codes),
                        help="wide: codes meaning 'not answered' in the touchpoints, e.g. 0,99; per "
                             "column, rating included only when named: overall=0,wifi=99")
    parser.add_argument("--recommend", help="wide: column with the recommend answer")
    parser.add_argument("--recommend-scale", help="wide: scale of --recommend (default nps11; "
                                                  "binary for yes/no)")
    parser.add_argument("--recommend-map", type=_cli(_mapping, "recommend-map"),
                        help='wide: answer texts of --recommend as numbers, e.g. "yes=1,no=0"')
    parser.add_argument("--id", help="wide: column identifying the respondent")
    parser.add_argument("--header", type=_row_number,
                        help="the row holding the column names, as a spreadsheet numbers it "
                             "(row 3 under a title and a blank row)")
    parser.add_argument("--skiprows", type=_cli(_rows),
                        help="rows to leave out, as a spreadsheet numbers them: 2,3 or 2-3")
    parser.add_argument("--sheet", help="Excel: the sheet's name (default: the first sheet)")
    parser.add_argument("--scale", action="append", type=_scale_arg, metavar="NAME=LOW:HIGH[:decimal]",
                        help="define a scale, e.g. grade10x=1:10:decimal (:reversed when high is "
                             "bad); may be repeated. Built in: likert5, likert7, stars10, nps11, "
                             "binary, percent, grade10 (1-10 with decimals), ces2010, smiley5")
    parser.add_argument("--name", help="report name (default: the file name without extension)")
    parser.add_argument("--out", default="build", help="folder for report-<name>/ (default build)")
    parser.add_argument("--timeout", type=seconds, default=300,
                        help="seconds allowed per notebook cell (default 300)")
    parser.add_argument("--with-code", action="store_true",
                        help="keep the code cells on the report page (default: results and text only)")
    return parser


def _report_name(args):
    name = args.name or Path(args.data).stem
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "data"
    return name


_WIDE_ONLY = ("touchpoints", "rating", "score_scale", "rating_scale", "missing", "recommend",
              "recommend_scale", "id", "ordered", "rating_map", "recommend_map")


def _options(args):
    """The options of the command as :func:`load_data` takes them (rows 0-based).

    The first nine always; the others only when given, so that the report
    notebook receives what the user said and keeps its defaults otherwise.
    """
    options = {"format": args.format, "touchpoints": _names(args.touchpoints), "rating": args.rating,
               "score_scale": args.score_scale, "rating_scale": args.rating_scale,
               "missing": _codes(args.missing), "recommend": args.recommend,
               "recommend_scale": args.recommend_scale or "nps11", "id": args.id}
    header = getattr(args, "header", None)
    given = {"ordered": getattr(args, "ordered", None),
             "rating_map": _mapping(getattr(args, "rating_map", None), "rating-map"),
             "recommend_map": _mapping(getattr(args, "recommend_map", None), "recommend-map"),
             "header": None if header is None else header - 1,
             "skiprows": _rows(getattr(args, "skiprows", None)),
             "sheet": getattr(args, "sheet", None), "scales": getattr(args, "scale", None)}
    options.update({k: v for k, v in given.items() if v is not None})
    if args.format == "wide":  # said always, so that the notebook reads the file as the command did
        options["ordered"] = bool(getattr(args, "ordered", False))
    return options


def _say(message):
    from .__main__ import _short

    print(_short(message), file=sys.stderr)


def _special_file(path):
    """True for a path that exists but is neither a regular file nor a folder (FIFO, socket, device)."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False  # missing, a loop, a name the system refuses: the reader says what is wrong
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def run(args) -> int:
    """Validate the data, then execute the report notebook on it; return the exit code.

    0: report written; 1: the file cannot be read or does not fit (problems
    printed to stderr, no notebook run); 2: a bad option (one the file does
    not match included, such as a column `--touchpoints` names that the file
    lacks); 3 (:data:`ANALYSIS_FAILED`): the data was read but the analysis
    stopped with an error, and the report page shows the failing cell and no
    result after it. ``python -m journeylib`` runs this through
    :func:`journeylib.__main__.run_command`: any other exception is an internal
    error, logged.
    """
    from .__main__ import _message, _short, _write_log, user_error_code
    from .report import build_report

    prog = "journeylib report"
    options = _options(args)
    # absolute, as the notebook runs in its own folder; not resolve(): a symlink loop is the reader's to report
    data = args.data if str(args.data) == _SEED_CASES else os.path.abspath(args.data)
    given = [f"--{k.replace('_', '-')}" for k in _WIDE_ONLY if getattr(args, k) not in (None, "")]
    try:
        if args.format == "tidy" and given:
            raise ValueError(f"{', '.join(given)}: only with --format wide (one row per respondent); "
                             "tidy data names its columns journey_id, step, touchpoint, score, ...")
        _check_options(data, **{k: options[k] for k in
                                ("format", "touchpoints", "rating", "score_scale", "rating_scale")})
    except ValueError as err:
        _say(f"{prog}: {err}")
        return 2
    if _special_file(data):  # reading a named pipe would wait for a writer for ever
        _say(f"{prog}: {args.data} is not a regular file (a pipe, socket or device); no report was made.")
        return 1
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            table = _read(data, args.format, **{k: options[k] for k in ("header", "skiprows", "sheet")
                                                if k in options})
        except JourneyDataError as err:
            _say(f"{prog}: {args.data} cannot be used as journey data; no report was made.\n{err}")
            return 1
        except Exception as err:  # noqa: BLE001 - whatever the reader met, the file is named
            if isinstance(err, ValueError) or user_error_code(err) is not None:
                _say(f"{prog}: {_message(err, args.data)}")
                return 1
            # A foreign exception from a reader: most likely a file that is not what its name says
            # (a zip named .xlsx), possibly a bug in the reader; the traceback goes to a log file.
            log = _write_log(prog, ["python -m journeylib report", args.data], err)
            what = _short(f"{args.data} ({type(err).__name__}: {(str(err).strip().splitlines() or [''])[0]}")
            print(f"{prog}: cannot read {what[:200]}); if it is a valid CSV, Excel or Parquet file, "
                  f"this is a bug in journeylib: the traceback is in {log}", file=sys.stderr)
            return 1
        try:
            tidy = _shape(table, data, **options)
        except JourneyDataError as err:
            _say(f"{prog}: {args.data} cannot be used as journey data; no report was made.\n{err}")
            return 1
        except ValueError as err:  # an option the file does not match, e.g. a column it lacks
            _say(f"{prog}: {err}")
            return 2
    for w in caught:
        _say(f"note: {w.message}")
    # the outcome: the journey rating, or the recommend answer of a file that has no rating
    outcome = "rating" if tidy["rating"].notna().any() or "recommend" not in tidy.columns \
        else "recommend"
    usable = tidy.loc[tidy["score"].notna() & tidy[outcome].notna(), "journey_id"].nunique()
    if usable < 2:
        what = "a rating" if outcome == "rating" else "a recommend answer"
        _say(f"{prog}: {args.data} has {usable} journey{'s' if usable != 1 else ''} with {what} and a "
             "scored touchpoint; the analysis compares journeys and needs at least 2. No report was made.")
        return 1
    name = _report_name(args)
    out_dir = Path(args.out) / f"report-{name}"
    print(_short(f"{args.data}: {tidy['journey_id'].nunique()} journeys, {len(tidy)} moments; "
                 f"writing {out_dir}/"), flush=True)
    parameters = {"DATA": data, "FORMAT": args.format, "NAME": name,
                  **{k.upper(): v for k, v in options.items() if k != "format"}}
    start = time.time()
    _clear_previous(out_dir)
    result = build_report([NOTEBOOK], out_dir, figures_dir=out_dir / "figures", parameters=parameters,
                          title=f"journeylib report: {Path(args.data).name}", timeout=args.timeout,
                          with_code=bool(getattr(args, "with_code", False)), quiet=True)
    row = result.iloc[0]
    if row["status"] != "ok":
        _say(f"{prog}: the analysis stopped: {row['error']}\nThe page shows the failing cell and "
             f"nothing after it: {Path(row['html']).resolve()}")
        return ANALYSIS_FAILED
    print(f"Report: {result.attrs['index'].resolve()} ({time.time() - start:.0f} s)")
    return 0


def _clear_previous(out_dir):
    """Remove what an earlier report of the same name left (pages, executed notebook, figures), so
    that nothing in the folder comes from other data when this run fails."""
    import shutil

    if not out_dir.is_dir():
        return
    for sub in ("figures", "notebooks", "thumbs"):
        shutil.rmtree(out_dir / sub, ignore_errors=True)
    for page in out_dir.glob("*.html"):
        page.unlink(missing_ok=True)


def main(argv=None) -> int:
    """``python -m journeylib.owndata DATA ...``, the same as ``python -m journeylib report DATA ...``."""
    from .__main__ import run_command

    argv = sys.argv[1:] if argv is None else [str(a) for a in argv]
    parser = argparse.ArgumentParser(prog="python -m journeylib report", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run_command(lambda a: run(parser.parse_args(a)), argv, prog="journeylib report",
                       argv=["python -m journeylib.owndata", *argv])


if __name__ == "__main__":
    sys.exit(main())
