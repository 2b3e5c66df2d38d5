"""The command line as a hostile user meets it: no traceback for a mistake, exit 1 (input) or 2 (option).

Every case runs in this process through the entry points' ``main`` (what ``python -m ...`` calls),
with stderr captured; a few run as real subprocesses. None of them executes a notebook: each stops
before the report is built (or the build is replaced by a stub).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest

import journeylib
from journeylib import __main__ as cli
from journeylib import diary, owndata, report

SEED = Path(journeylib.__file__).parent / "data" / "seed_cases.csv"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"


def _junk(n=600, seed=3):
    import numpy as np

    return np.random.default_rng(seed).integers(0, 256, size=n, dtype=np.uint8).tobytes()


@pytest.fixture
def files(tmp_path):
    """Hostile inputs, one file (or folder) each."""
    made = {}
    made["missing"] = tmp_path / "not-there.csv"
    made["folder"] = tmp_path / "folder.csv"
    made["folder"].mkdir()
    made["empty"] = tmp_path / "empty.csv"
    made["empty"].write_bytes(b"")
    made["junk"] = tmp_path / "junk.csv"
    made["junk"].write_bytes(_junk() + b"\x1b[31m\x1b]0;owned\x07\n" + _junk(seed=4))
    made["png_csv"] = tmp_path / "picture.csv"
    made["png_csv"].write_bytes(PNG)
    made["png_xlsx"] = tmp_path / "picture.xlsx"
    made["png_xlsx"].write_bytes(PNG)
    made["zip_xlsx"] = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(made["zip_xlsx"], "w") as z:
        z.writestr("notes.txt", "not a workbook")
    made["png_parquet"] = tmp_path / "picture.parquet"
    made["png_parquet"].write_bytes(PNG)
    made["unterminated"] = tmp_path / "quote.csv"
    made["unterminated"].write_text('journey_id,step,touchpoint\n1,1,"web\n2,1,app\n')
    made["html_name"] = tmp_path / "<img src=x onerror=alert(1)>.csv"
    made["html_name"].write_text("a,b\n1,2\n")
    made["fifo"] = tmp_path / "pipe.csv"
    os.mkfifo(made["fifo"])  # reading it would wait for a writer for ever
    made["loop"] = tmp_path / "loop.csv"
    made["loop"].symlink_to(made["loop"])
    made["wide"] = tmp_path / "survey.csv"
    owndata.example_survey(30, seed=2).to_csv(made["wide"], index=False)
    return made


def _check_message(captured, code, expected_code, *, max_lines=40):
    """The promise: the exit code, something said on stderr, no traceback, no terminal control codes."""
    err = captured.err
    assert code == expected_code, err
    assert err.strip(), "a failure must say why"
    assert "Traceback" not in err and "File \"" not in err
    assert len(err.splitlines()) <= max_lines + 1
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", err), "control characters reached the terminal"
    return err


# --- report: bad paths and unreadable files -> exit 1 ------------------------------------------------

@pytest.mark.parametrize(("name", "says"), [
    ("missing", "not-there.csv"),
    ("folder", "folder.csv"),
    ("empty", "empty.csv"),
    ("junk", "junk.csv"),
    ("png_csv", "picture.csv"),
    ("png_xlsx", "picture.xlsx"),
    ("zip_xlsx", "archive.xlsx"),
    ("png_parquet", "picture.parquet"),
    ("unterminated", "quote.csv"),
    ("html_name", "<img src=x onerror=alert(1)>.csv"),
    ("fifo", "pipe.csv"),
    ("loop", "loop.csv"),
])
def test_report_bad_file_is_a_short_message(files, tmp_path, capsys, name, says):
    code = cli.main(["report", str(files[name]), "--out", str(tmp_path / "build")])
    err = _check_message(capsys.readouterr(), code, 1)
    assert says in err  # the message names the file
    assert "internal error" not in err
    assert not (tmp_path / "build").exists()  # stopped before any report was written


def test_report_no_permission(tmp_path, capsys, monkeypatch):
    path = tmp_path / "locked.csv"
    path.write_text(SEED.read_text("utf-8"))
    if os.geteuid() == 0:  # root reads a mode-000 file: make the reader meet what a user would
        def denied(data, format):
            raise PermissionError(13, "Permission denied", str(data))

        monkeypatch.setattr(owndata, "_read", denied)
    else:
        path.chmod(0)
    try:
        code = cli.main(["report", str(path), "--out", str(tmp_path / "build")])
    finally:
        path.chmod(0o644)
    err = _check_message(capsys.readouterr(), code, 1)
    assert "Permission denied" in err and "locked.csv" in err and len(err.splitlines()) == 1


def test_report_out_folder_is_a_file(tmp_path, capsys):
    blocker = tmp_path / "build"
    blocker.write_text("a file where the report folder should go")
    code = cli.main(["report", "seed_cases", "--out", str(blocker)])
    err = _check_message(capsys.readouterr(), code, 1)
    assert "Not a directory" in err and str(blocker) in err


def test_junk_file_message_is_cut_and_clean(files, tmp_path, capsys):
    cli.main(["report", str(files["junk"]), "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err  # an escape sequence in the file moves no cursor
    assert max(len(line) for line in err.splitlines()) <= cli._MAX_LINE


# --- report: bad options -> exit 2 ---------------------------------------------------------------------

@pytest.mark.parametrize(("argv", "says"), [
    (["--format", "long"], "invalid choice: 'long'"),
    (["--timeout", "0"], "at least 1"),
    (["--timeout", "soon"], "at least 1, not 'soon'"),
    (["--touchpoints", "web,app"], "--touchpoints: only with --format wide"),
    (["--missing", "0", "--id", "r"], "--missing, --id: only with --format wide"),
    (["--format", "wide", "--rating", "overall"], "Wide data needs touchpoints, score_scale, rating_scale"),
    (["--bogus"], "unrecognized arguments: --bogus"),
])
def test_report_bad_option(argv, says, tmp_path, capsys):
    code = cli.main(["report", str(SEED), *argv, "--out", str(tmp_path / "build")])
    err = _check_message(capsys.readouterr(), code, 2)
    assert says in err
    assert not (tmp_path / "build").exists()


WIDE = ["--format", "wide", "--rating", "overall", "--score-scale", "likert5", "--rating-scale", "stars10"]


@pytest.mark.parametrize(("argv", "says"), [
    (["--touchpoints", "find,oder,delivery"], "'oder' (did you mean 'order'?)"),
    (["--touchpoints", "Find,order"], "'Find'"),
    (["--touchpoints", "find,order", "--id", "respondant"], "'respondant'"),
    (["--touchpoints", "find,order", "--score-scale", "likert55"], "Unknown scale 'likert55'"),
    (["--touchpoints", "find,order", "--recommend", "recommend", "--recommend-scale", "nps"],
     "Unknown scale 'nps'"),
])
def test_wide_options_the_file_does_not_match(files, argv, says, tmp_path, capsys):
    code = cli.main(["report", str(files["wide"]), *WIDE, *argv, "--out", str(tmp_path / "build")])
    err = _check_message(capsys.readouterr(), code, 2)
    assert says in err and "survey.csv" in err


def test_bad_data_is_exit_1_with_the_problem_list(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    text = SEED.read_text("utf-8").splitlines()
    header = text[0].split(",")
    row = text[1].split(",")
    row[header.index("score")] = "zes"
    path.write_text("\n".join([text[0], ",".join(row), *text[2:]]) + "\n")
    code = cli.main(["report", str(path), "--out", str(tmp_path / "build")])
    err = _check_message(capsys.readouterr(), code, 1)
    assert "bad.csv cannot be used as journey data" in err
    assert "row 2" in err and "'zes'" in err


def test_one_journey_stops_before_the_notebook(tmp_path, capsys):
    import pandas as pd

    path = tmp_path / "one.csv"
    seed = pd.read_csv(SEED)
    seed[seed["journey_id"] == "bike-order"].to_csv(path, index=False)
    code = cli.main(["report", str(path), "--out", str(tmp_path / "build")])
    err = _check_message(capsys.readouterr(), code, 1)
    assert "one.csv has 1 journey with a rating and a scored touchpoint" in err and "at least 2" in err
    assert not (tmp_path / "build").exists()


# --- the command itself ------------------------------------------------------------------------------

@pytest.mark.parametrize(("argv", "code"), [([], 2), (["bogus"], 2), (["report"], 2), (["diary"], 2),
                                            (["--help"], 0), (["report", "--help"], 0)])
def test_usage(argv, code, capsys):
    assert cli.main(argv) == code
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert "usage:" in (captured.out if code == 0 else captured.err)


# --- diary: the same handler covers it ---------------------------------------------------------------

@pytest.mark.parametrize("name", ["missing", "folder", "empty", "junk", "png_csv", "zip_xlsx", "fifo", "loop"])
def test_diary_bad_file(files, capsys, name):
    code = cli.main(["diary", str(files[name])])
    err = _check_message(capsys.readouterr(), code, 1)
    assert files[name].name in err


# --- internal errors: one line, the traceback in a log file ------------------------------------------

@pytest.fixture
def logs(tmp_path, monkeypatch):
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _one_line_and_log(err, logs, exception_line):
    lines = err.splitlines()
    assert len(lines) == 1, err
    match = re.search(r"the full traceback is in (\S+\.log)$", lines[0])
    assert match and "internal error" in lines[0]
    log = Path(match.group(1))
    assert log.parent == logs and log.name.startswith("journeylib-error-")
    text = log.read_text("utf-8")
    assert "Traceback (most recent call last):" in text and exception_line in text
    return text


def test_internal_error_in_report_is_logged(logs, tmp_path, monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise RuntimeError("boom in the report builder")

    monkeypatch.setattr(report, "build_report", broken)
    code = cli.main(["report", "seed_cases", "--out", str(tmp_path / "build")])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert "RuntimeError: boom in the report builder" in err
    text = _one_line_and_log(err, logs, "RuntimeError: boom in the report builder")
    assert "in broken" in text and "python -m journeylib report seed_cases" in text


def test_internal_error_in_diary_is_logged(logs, monkeypatch, capsys):
    def broken(source, **kwargs):
        raise TypeError("unexpected thing in read_diary")

    monkeypatch.setattr(diary, "read_diary", broken)
    example = Path(journeylib.__file__).parent / "data" / "example_diary.txt"
    code = cli.main(["diary", str(example)])
    err = capsys.readouterr().err
    assert code == 1
    _one_line_and_log(err, logs, "TypeError: unexpected thing in read_diary")


def test_broken_import_of_a_command_is_logged(logs, monkeypatch, capsys):
    monkeypatch.setitem(cli.COMMANDS, "report", ("journeylib.no_such_module", "broken"))
    assert cli.main(["report", "x.csv"]) == 1
    _one_line_and_log(capsys.readouterr().err, logs, "ModuleNotFoundError")


def test_foreign_reader_exception_names_the_file_and_logs(files, logs, tmp_path, monkeypatch, capsys):
    def odd(data, format):
        raise KeyError("There is no item named '[Content_Types].xml' in the archive")

    monkeypatch.setattr(owndata, "_read", odd)
    code = cli.main(["report", str(files["zip_xlsx"]), "--out", str(tmp_path / "build")])
    err = _check_message(capsys.readouterr(), code, 1)
    assert len(err.splitlines()) == 1 and "cannot read" in err and "archive.xlsx (KeyError" in err
    log = Path(re.search(r"the traceback is in (\S+\.log)$", err.strip()).group(1))
    assert "KeyError" in log.read_text("utf-8") and log.parent == logs


def test_interrupt_is_exit_130(monkeypatch, capsys):
    def interrupted(data, format):
        raise KeyboardInterrupt

    monkeypatch.setattr(owndata, "_read", interrupted)
    assert cli.main(["report", str(SEED)]) == 130
    assert capsys.readouterr().err.strip() == "journeylib report: interrupted"


# --- the other entry points ----------------------------------------------------------------------------

def test_report_module_main(tmp_path, logs, monkeypatch, capsys):
    assert report.main(["--notebooks", str(tmp_path / "nowhere"), "--out", str(tmp_path / "b")]) == 2
    err = _check_message(capsys.readouterr(), 2, 2)
    assert "nowhere" in err
    assert report.main(["--timeout", "-5"]) == 2
    _check_message(capsys.readouterr(), 2, 2)

    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(report, "build_report", broken)
    assert report.main(["--out", str(tmp_path / "b")]) == 1
    _one_line_and_log(capsys.readouterr().err, logs, "ZeroDivisionError: division by zero")


def test_owndata_module_main(files, tmp_path, capsys):
    assert owndata.main([str(files["folder"]), "--out", str(tmp_path / "b")]) == 1
    _check_message(capsys.readouterr(), 1, 1)
    assert owndata.main([str(SEED), "--format", "long"]) == 2
    _check_message(capsys.readouterr(), 2, 2)


@pytest.mark.parametrize(("argv", "code"), [
    (["-m", "journeylib", "report", "{missing}"], 1),
    (["-m", "journeylib", "report", "{junk}", "--format", "wide", "--touchpoints", "a"], 2),
    (["-m", "journeylib", "diary", "{folder}"], 1),
    (["-m", "journeylib.report", "--notebooks", "{missing}"], 2),
    (["-m", "journeylib.owndata", "{zip_xlsx}", "--out", "{out}"], 1),
])
def test_real_processes(files, tmp_path, argv, code):
    paths = {k: str(v) for k, v in files.items()} | {"out": str(tmp_path / "build")}
    env = {**os.environ, "TMPDIR": str(tmp_path)}  # a log file, if any, lands here
    done = subprocess.run([sys.executable, *[a.format(**paths) for a in argv]], capture_output=True,
                          text=True, timeout=120, cwd=tmp_path, env=env)
    assert done.returncode == code, done.stderr
    assert done.stderr.strip() and "Traceback" not in done.stderr


# --- the pieces -----------------------------------------------------------------------------------------

def test_user_error_code():
    from pandas.errors import EmptyDataError, ParserError

    from journeylib import JourneyDataError

    assert cli.user_error_code(JourneyDataError([{"message": "x"}])) == 1
    for exc in (FileNotFoundError("x"), IsADirectoryError("x"), PermissionError("x"),
                UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"), zipfile.BadZipFile("x"),
                ParserError("x"), EmptyDataError("x")):
        assert cli.user_error_code(exc) == 1, exc
    for exc in (KeyError("k"), TypeError("t"), RuntimeError("r"), ValueError("v"), ImportError("i")):
        assert cli.user_error_code(exc) is None, exc


def test_short_message():
    assert cli._short("a\x1b[31mb\tc\x07") == "a\ufffd[31mb\tc\ufffd"
    long = "x" * 1000
    assert cli._short(long) == "x" * (cli._MAX_LINE - 1) + "…"
    many = "\n".join(str(i) for i in range(100))
    out = cli._short(many).splitlines()
    assert len(out) == cli._MAX_LINES and out[0] == "0" and out[-1] == f"... ({100 - cli._MAX_LINES + 1} more lines)"


def test_closed_pipe_is_quiet(capsys, monkeypatch):
    import io

    def writes_to_a_closed_pipe(args):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", io.StringIO())  # no file descriptor: this process's stays as it is
    assert cli.run_command(writes_to_a_closed_pipe, None, prog="journeylib diary") == 1
    assert capsys.readouterr().err == ""  # `... | head` closed it: nothing to report


# --- the report's own outcomes (build_report replaced by a stub: no notebook runs) ----------------------

def _stub_build(calls, status="ok", error=""):
    import pandas as pd

    def build(notebooks, out_dir, **kwargs):
        calls.append(kwargs)
        result = pd.DataFrame([{"notebook": "07-your-data.ipynb", "status": status, "seconds": 1.0,
                                "title": "t", "question": "q", "figure": None,
                                "html": Path(out_dir) / "07-your-data.html", "error": error}])
        result.attrs["index"] = Path(out_dir) / "index.html"
        return result

    return build


def test_report_hides_code_unless_asked(tmp_path, monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(report, "build_report", _stub_build(calls))
    assert cli.main(["report", str(SEED), "--out", str(tmp_path)]) == 0
    assert cli.main(["report", str(SEED), "--out", str(tmp_path), "--with-code"]) == 0
    assert [c["with_code"] for c in calls] == [False, True]
    assert "--with-code" in owndata.add_arguments(__import__("argparse").ArgumentParser()).format_help()


def test_failed_analysis_is_exit_3_naming_the_cell_and_the_page(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(report, "build_report", _stub_build([], "failed", "cell 13: ValueError: no variance"))
    assert cli.main(["report", str(SEED), "--out", str(tmp_path)]) == 3 == owndata.ANALYSIS_FAILED
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.startswith("journeylib report: the analysis stopped: cell 13: ValueError: no variance\n")
    assert "shows the failing cell" in err and str((tmp_path / "report-seed_cases" / "07-your-data.html").resolve()) in err
    assert "3 the analysis stopped" in cli.EPILOG
