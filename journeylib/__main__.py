"""Command line: ``python -m journeylib <command> ...``.

Commands
--------
diary FILE [--csv]
    Print the moments of a smiley diary as a table (or CSV).
report DATA [--format wide ...]
    Run the analysis suite on your own data and write build/report-<name>/.

Exit codes and errors
---------------------
0 done; 1 the input is the problem (data that does not fit the contract, a file
that does not exist, is a folder, cannot be read or is not the format its name
says); 2 a bad option or usage; 3 the report's analysis stopped with an error
(the page shows the failing cell); 130 interrupted.
A mistake of the user gets a short message on stderr, never a Python traceback.
Anything else is a fault of journeylib: one line on stderr names a log file in
the system's temporary folder (``$TMPDIR``, e.g.
``/tmp/journeylib-error-20260101-120000-<random>.log``) that holds the full
traceback, to attach to a bug report. :func:`run_command` does this for every
command, and for ``python -m journeylib.report``.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import os
import sys
import tempfile
import time
import traceback
import zipfile

__all__ = ["main", "run_command", "user_error_code", "seconds", "COMMANDS", "EPILOG"]

# command -> (module, help); each module has ``add_arguments(parser)`` and ``run(args) -> int``.
COMMANDS = {
    "diary": ("journeylib.diary", "print the moments of a smiley diary"),
    "report": ("journeylib.owndata", "run the analysis suite on your own data"),
}

# Exceptions that mean "this file cannot be read as what its name says", raised by the libraries the
# readers use (named, so that checking them imports none of these libraries).
_UNREADABLE = {
    "pandas.errors.ParserError", "pandas.errors.EmptyDataError", "pyarrow.lib.ArrowException",
    "openpyxl.utils.exceptions.InvalidFileException", "xlrd.biffh.XLRDError",
}
EPILOG = ("Exit codes: 0 done, 1 bad input (data or file), 2 bad option, 3 the analysis stopped with an "
          "error (the report page shows where). An internal error prints one "
          "line naming a log file with the traceback, in the temporary folder ($TMPDIR, else /tmp).")
_MAX_LINES = 40
_MAX_LINE = 300


def user_error_code(exc):
    """Exit code for an exception that is the user's input, not journeylib's fault; else None.

    1 for bad data (:class:`~journeylib.JourneyDataError`), a path that cannot
    be read (any ``OSError``: missing, a folder, no permission) and a file that
    is not what its name says (undecodable text, a broken zip, the parsers'
    own errors); None for anything else, an internal error.

    Examples
    --------
    >>> user_error_code(FileNotFoundError("no such file: x.csv")), user_error_code(KeyError("k"))
    (1, None)
    """
    from .schema import JourneyDataError

    if isinstance(exc, (JourneyDataError, OSError, UnicodeError, zipfile.BadZipFile, csv.Error)):
        return 1
    names = {f"{cls.__module__}.{cls.__qualname__}" for cls in type(exc).__mro__}
    return 1 if names & _UNREADABLE else None


def seconds(text):
    """argparse type of ``--timeout``: a whole number of seconds, at least 1.

    Examples
    --------
    >>> seconds("30")
    30
    """
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of seconds, at least 1, not {text!r}")
    return value


def _short(text):
    """At most _MAX_LINES lines of at most _MAX_LINE characters, without terminal control characters
    (a value from a binary file must not move the cursor or change the terminal's colours)."""
    lines = []
    for line in str(text).splitlines() or [""]:
        line = "".join(c if c.isprintable() or c == "\t" else "\ufffd" for c in line)
        lines.append(line if len(line) <= _MAX_LINE else line[:_MAX_LINE - 1] + "…")
    if len(lines) > _MAX_LINES:
        lines = lines[:_MAX_LINES - 1] + [f"... ({len(lines) - _MAX_LINES + 1} more lines)"]
    return "\n".join(lines)


def _message(exc, source=None):
    """What a user needs to read about an exception :func:`user_error_code` knows, or a ValueError
    met while reading `source`."""
    from .schema import JourneyDataError

    message = str(exc).strip() or type(exc).__name__
    if isinstance(exc, JourneyDataError):
        return message
    if isinstance(exc, OSError):
        named = exc.filename is not None and str(exc.filename) in message
        return message if named or exc.filename is None else f"{exc.filename}: {message}"
    if type(exc) is ValueError:  # journeylib's own words about the file
        return message if source is None or str(source) in message else f"{source}: {message}"
    return f"cannot read {source or 'the input'} ({type(exc).__name__}): {message}"


def _write_log(prog, argv, exc):
    """The full traceback in a new file in the temporary folder; its path."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", prefix=f"journeylib-error-{stamp}-",
                                     suffix=".log", delete=False) as log:
        from . import __version__

        log.write(f"{prog} {' '.join(map(str, argv))}\njourneylib {__version__}, Python {sys.version}\n\n")
        log.write("".join(traceback.format_exception(exc)))
    return log.name


def run_command(run, args, *, prog, argv=()):
    """``run(args)``, with a user's mistake as a short message and an internal error logged.

    Parameters
    ----------
    run : callable
        A command's ``run(args) -> int``.
    args : argparse.Namespace
    prog : str
        Names the command in messages, e.g. ``"journeylib report"``.
    argv : sequence of str
        Written to the log file with the traceback.

    Returns
    -------
    int
        What `run` returned; else 1 for an exception :func:`user_error_code`
        knows (its message on stderr), 130 on Ctrl-C, and 1 for any other
        exception, with one line on stderr naming the log file that holds the
        traceback.

    Examples
    --------
    >>> import argparse, contextlib, io
    >>> def run(args):
    ...     raise FileNotFoundError(f"No such file: {args.data!r}.")
    >>> err = io.StringIO()
    >>> with contextlib.redirect_stderr(err):
    ...     code = run_command(run, argparse.Namespace(data="x.csv"), prog="journeylib report")
    >>> code, err.getvalue()
    (1, "journeylib report: No such file: 'x.csv'.\\n")
    """
    try:
        return run(args)
    except SystemExit as exc:  # argparse after its usage message (2), or --help (0)
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        print(f"{prog}: {_short(exc.code)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"\n{prog}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `... | head` closed the pipe: nothing left to say to anyone
        try:  # and no second error when Python flushes stdout at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return 1
    except Exception as exc:  # noqa: BLE001 - the point: no traceback on the terminal
        code = user_error_code(exc)
        if code is not None:
            print(f"{prog}: {_short(_message(exc))}", file=sys.stderr)
            return code
        try:
            where = _write_log(prog, argv, exc)
        except OSError as log_error:  # no temporary folder: the traceback is all there is
            traceback.print_exception(exc)
            print(f"{prog}: internal error, and no log file could be written ({log_error})",
                  file=sys.stderr)
            return 1
        first = _short(str(exc).strip().splitlines()[0] if str(exc).strip() else "")[:120]
        print(f"{prog}: internal error ({type(exc).__name__}{': ' + first if first else ''}); "
              f"the full traceback is in {where}", file=sys.stderr)
        return 1


def _main(argv):
    parser = argparse.ArgumentParser(prog="python -m journeylib", description=__doc__.splitlines()[0],
                                     epilog=EPILOG)
    sub = parser.add_subparsers(dest="command", required=True)
    # Import only the module of the command asked for, so one command's dependencies
    # (or a broken import) never stop another; all of them for --help.
    chosen = [argv[0]] if argv and argv[0] in COMMANDS else list(COMMANDS)
    for name, (module, help_) in COMMANDS.items():
        p = sub.add_parser(name, help=help_)
        p.set_defaults(_module=module)
        if name in chosen:
            importlib.import_module(module).add_arguments(p)
    args = parser.parse_args(argv)  # a bad option: argparse's usage message and exit code 2
    return importlib.import_module(args._module).run(args)


def main(argv=None) -> int:
    """``python -m journeylib <command> ...``; returns the exit code (see the module's docstring)."""
    argv = sys.argv[1:] if argv is None else [str(a) for a in argv]
    prog = f"journeylib {argv[0]}" if argv and argv[0] in COMMANDS else "journeylib"
    return run_command(_main, argv, prog=prog, argv=["python -m journeylib", *argv])


if __name__ == "__main__":
    sys.exit(main())
