"""Bring your own data: option parsing, loading tidy / Dutch / wide files, the broken file, end to end,
and a report from a file whose names carry markup (issue 12, item 8)."""

from __future__ import annotations

import argparse
import json
import xml.etree.ElementTree as ET

import nbformat
import numpy as np
import pandas as pd
import pytest
from bs4 import BeautifulSoup

import journeylib as jl
from journeylib import owndata

cli = owndata.main  # the same as `python -m journeylib report ...` without the other commands

TOUCHPOINTS = ["find", "order", "confirmation", "tracking", "phone", "delivery"]


def _tidy_frame(n=40, seed=11):
    """Made-up tidy journeys: 4-7 moments on likert5, rating on stars10 from peak-end plus noise."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(4, 8, size=n)
    jid = np.repeat(np.arange(1, n + 1), lengths)
    step = np.concatenate([np.arange(1, k + 1) for k in lengths])
    names = np.array(["web", "email", "phone", "chat", "store", "app", "mail"])
    score = rng.integers(1, 6, size=len(jid))
    tidy = pd.DataFrame({"journey_id": jid, "step": step, "touchpoint": names[step - 1],
                         "score": score, "score_scale": "likert5"})
    last = tidy.groupby("journey_id")["score"].transform("last")
    mean = tidy.groupby("journey_id")["score"].transform("mean")
    tidy["rating"] = np.clip(np.round((last + mean) - 1 + rng.normal(0, 0.5, n)[jid - 1]), 1, 10)
    tidy["rating_scale"] = "stars10"
    return tidy


@pytest.fixture
def tidy_csv(tmp_path):
    path = tmp_path / "tidy journeys.csv"
    _tidy_frame().to_csv(path, index=False)
    return path


@pytest.fixture
def dutch_csv(tmp_path):
    """Semicolon-separated, decimal commas: percent scores such as 62,5 (as Dutch Excel writes)."""
    tidy = _tidy_frame(seed=12)
    tidy["score"] = (tidy["score"] - 1) * 25 - 12.5 * (tidy["step"] % 2 == 0) * (tidy["score"] > 1)
    tidy["score_scale"] = "percent"
    path = tmp_path / "nl-export.csv"
    text = tidy.to_csv(index=False, sep=";", decimal=",")
    path.write_text(text, encoding="utf-8")
    return path, tidy


@pytest.fixture
def wide_csv(tmp_path):
    path = tmp_path / "survey.csv"
    survey = owndata.example_survey(60, seed=3)
    survey.to_csv(path, index=False)
    return path, survey


@pytest.fixture
def broken_csv(tmp_path):
    """A tidy file with three mistakes: a score off its scale, a rating that changes within a
    journey, and an unknown scale name."""
    tidy = _tidy_frame(n=5)
    tidy["score"] = tidy["score"].astype(object)
    tidy.loc[2, "score"] = 9
    tidy.loc[tidy.index[tidy["journey_id"] == 2][1], "rating"] = 1
    tidy["rating_scale"] = tidy["rating_scale"].astype(object)
    tidy.loc[0, "rating_scale"] = "stars_10"
    path = tmp_path / "broken.csv"
    tidy.to_csv(path, index=False)
    return path, tidy


def _args(argv):
    parser = argparse.ArgumentParser()
    owndata.add_arguments(parser)
    return parser.parse_args(argv)


# --- options ----------------------------------------------------------------------------------

def test_arguments_as_the_makefile_passes_them():
    args = _args(["s.csv", "--format", "wide", "--touchpoints", "a, b,c", "--rating", "overall",
                  "--score-scale", "likert5", "--rating-scale", "stars10", "--missing", "0,99,n/a",
                  "--recommend", "rec", "--id", "resp"])
    opts = owndata._options(args)
    assert opts == {"format": "wide", "touchpoints": ["a", "b", "c"], "rating": "overall",
                    "score_scale": "likert5", "rating_scale": "stars10", "missing": [0, 99, "n/a"],
                    "recommend": "rec", "recommend_scale": "nps11", "id": "resp",
                    "ordered": False}  # said always for wide data: the notebook reads it the same way
    assert owndata._options(_args(["s.csv", "--format", "wide", "--ordered"]))["ordered"] is True
    assert owndata._report_name(args) == "s"
    assert owndata._report_name(_args(["x/My Survey (2024).xlsx"])) == "My-Survey-2024"
    assert _args(["t.csv"]).format == "tidy"
    with pytest.raises(SystemExit):
        _args(["t.csv", "--format", "long"])


def test_missing_codes_parsing():
    assert owndata._codes("0") == [0]
    assert owndata._codes("-1, 9.5") == [-1, 9.5]
    assert owndata._codes(99) == [99]
    assert owndata._codes(None) == []


# --- loading ------------------------------------------------------------------------------------

def test_load_tidy_csv(tidy_csv):
    raw = pd.read_csv(tidy_csv)
    data = owndata.load_data(tidy_csv)
    assert len(data) == len(raw) and data["journey_id"].nunique() == 40
    assert data["score"].tolist() == raw["score"].astype(float).tolist()


def test_load_semicolon_decimal_comma(dutch_csv):
    path, tidy = dutch_csv
    assert ";" in path.read_text().splitlines()[0] and "62,5" in path.read_text()
    data = owndata.load_data(path)
    assert data["score"].tolist() == pytest.approx(tidy["score"].astype(float).tolist())
    assert data["score"].dtype == "float64"


def test_load_wide_csv(wide_csv):
    path, survey = wide_csv
    with pytest.warns(UserWarning, match="coded as missing"):
        data = owndata.load_data(path, format="wide", touchpoints=",".join(TOUCHPOINTS),
                                 rating="overall", score_scale="likert5", rating_scale="stars10",
                                 missing="0", recommend="recommend", id="respondent")
    assert len(data) == len(survey) * len(TOUCHPOINTS)
    first = data[data["journey_id"] == "R0001"]
    row = survey.iloc[0]
    expected = [np.nan if row[c] == 0 else float(row[c]) for c in TOUCHPOINTS]
    np.testing.assert_array_equal(first["score"].to_numpy(), expected)
    assert first["rating"].iloc[0] == row["overall"] and first["recommend"].iloc[0] == row["recommend"]
    assert owndata.is_survey_style(data)
    assert not owndata.is_survey_style(jl.load_seed_cases())


def test_wide_needs_its_options(wide_csv):
    with pytest.raises(ValueError, match=r"needs touchpoints, rating_scale \(--touchpoints, --rating-scale"):
        owndata.load_data(wide_csv[0], format="wide", rating="overall", score_scale="likert5")


def test_shipped_example_survey_is_reproducible(repo_root):
    shipped = pd.read_csv(repo_root / "data" / "example_survey.csv")
    pd.testing.assert_frame_equal(shipped, owndata.example_survey(), check_dtype=False)


# --- the broken file: the problem list is what the user sees, no notebook runs ------------------

def test_broken_file_prints_the_problem_list(broken_csv, tmp_path, capsys):
    path, tidy = broken_csv
    out = tmp_path / "build"
    code = cli([str(path), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1
    assert "broken.csv cannot be used as journey data; no report was made." in err
    j2 = tidy.index[tidy["journey_id"] == 2][1]
    assert "row 4, column 'score': value 9" in err  # data row 2 is the file's line 4
    assert f"row {j2 + 2}, column 'rating'" in err and "differs between rows of journey 2" in err
    assert "column 'rating_scale': value 'stars_10': unknown scale (did you mean 'stars10'?)" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_the_journeylib_command_dispatches_report(broken_csv, tmp_path, capsys):
    from journeylib.__main__ import main

    assert main(["report", str(broken_csv[0]), "--out", str(tmp_path / "b")]) == 1
    assert "problems found in" in capsys.readouterr().err


def test_wide_option_error_is_a_message(wide_csv, tmp_path, capsys):
    code = cli([str(wide_csv[0]), "--format", "wide", "--touchpoints", "find,oder",
                "--rating", "overall", "--score-scale", "likert5", "--rating-scale", "stars10",
                "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and "'oder' (did you mean 'order'?)" in err  # an option the file does not match
    assert "Traceback" not in err
    assert not (tmp_path / "report-survey").exists()


# --- end to end (each executes notebooks/07-your-data.ipynb, ~15 s) -------------------------------

def _executed(out_dir):
    nb = nbformat.read(out_dir / "notebooks" / "07-your-data.ipynb", as_version=4)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    text = json.dumps([c.get("outputs", []) for c in nb.cells])
    return nb, errors, text


def _page(out_dir):
    return BeautifulSoup((out_dir / "07-your-data.html").read_text("utf-8"), "html.parser")


def _headline(page):
    """The text of the page's first rendered output: the headline block."""
    first = page.select('.jp-OutputArea-output[data-mime-type="text/markdown"]')[0]
    return " ".join(first.get_text().split())


def _valence(x, lo, hi):
    return (np.asarray(x, dtype=float) - (lo + hi) / 2) / ((hi - lo) / 2)


@pytest.mark.slow
def test_report_on_tidy_csv_with_code(tidy_csv, tmp_path):
    assert cli([str(tidy_csv), "--out", str(tmp_path), "--with-code"]) == 0
    out = tmp_path / "report-tidy-journeys"
    assert (out / "index.html").is_file() and (out / "07-your-data.html").is_file()
    assert sorted(p.name for p in (out / "figures").glob("07-*.png"))
    nb, errors, text = _executed(out)
    assert not errors
    assert nb.cells[2].metadata["tags"] == ["injected-parameters"]  # papermill's cell
    page = _page(out)
    assert "owndata.load_data(DATA" in page.get_text()  # --with-code keeps the inputs
    assert page.select(".jp-CodeCell .jp-InputArea")
    # the headline against numbers worked out here: likert5 and stars10 on valence, gap = rating - mean
    raw = pd.read_csv(tidy_csv)
    per = raw.assign(v=_valence(raw["score"], 1, 5)).groupby("journey_id").agg(
        mean=("v", "mean"), rating=("rating", "first"))
    gap = _valence(per["rating"], 1, 10) - per["mean"]
    said = _headline(page)
    assert said.startswith("In short")
    assert f"40 journeys with {len(raw)} scored touchpoint moments (7 distinct touchpoints)." in said
    side = "below" if gap.mean() < 0 else "above"
    assert f"lies {abs(gap.mean()):.2f} {side} the mean of its touchpoints" in said
    assert "No key drivers: Touchpoints repeat" not in said  # each touchpoint once per journey


@pytest.mark.slow
def test_report_on_dutch_csv(dutch_csv, tmp_path):
    path, tidy = dutch_csv
    assert cli([str(path), "--out", str(tmp_path), "--name", "nl"]) == 0
    nb, errors, text = _executed(tmp_path / "report-nl")
    assert not errors and "40 journeys" in text


@pytest.fixture(scope="module")
def wide_report(tmp_path_factory):
    base = tmp_path_factory.mktemp("wide")
    path = base / "survey.csv"
    survey = owndata.example_survey(60, seed=3)
    survey.to_csv(path, index=False)
    with pytest.MonkeyPatch.context() as mp:
        err = []
        mp.setattr(owndata, "_say", lambda message: err.append(message))
        code = cli([str(path), "--format", "wide", "--touchpoints", ",".join(TOUCHPOINTS),
                    "--rating", "overall", "--score-scale", "likert5", "--rating-scale", "stars10",
                    "--missing", "0", "--recommend", "recommend", "--id", "respondent", "--out", str(base)])
    return code, "\n".join(err), survey, base / "report-survey"


@pytest.mark.slow
def test_report_on_wide_csv(wide_report):
    code, err, survey, out = wide_report
    assert code == 0
    missing = {c: int((survey[c] == 0).sum()) for c in TOUCHPOINTS if (survey[c] == 0).any()}
    note = ", ".join(f"{c!r} {k}" for c, k in missing.items())
    assert f"note: {sum(missing.values())} answers coded as missing (0) set to NaN: {note}." in err
    nb, errors, text = _executed(out)
    assert not errors and "60 journeys" in text
    said = _headline(_page(out))
    rec = survey["recommend"].to_numpy()
    nps = 100 * (np.mean(rec >= 9) - np.mean(rec <= 6))  # by hand
    assert f"Net Promoter Score {nps:+.0f} (95% CI" in said
    names = {p.name for p in (out / "figures").glob("*.png")}
    assert any("driver" in n for n in names) and any("nps" in n for n in names)


@pytest.mark.slow
def test_report_page_is_for_a_reader_of_results(wide_report):
    code, err, survey, out = wide_report
    page = _page(out)
    text = page.get_text()
    assert not page.select(".jp-CodeCell .jp-InputArea") and "load_data" not in text and "In [" not in text
    # the headline block is the first output, before the first section, and opens the index too
    assert text.index("In short") < text.index("The data")
    assert not [c for c in page.select(".jp-CodeCell") if not c.select(".jp-OutputArea-output")]  # no gaps
    index = BeautifulSoup((out / "index.html").read_text("utf-8"), "html.parser")
    (block,) = index.select("div.headline")
    assert " ".join(block.get_text().split()).startswith("In short Data. 60 journeys with ")
    said = _headline(page)
    for opening in ("Data. 60 journeys", "Gap. On average the journey rating", "Best rule. The rule that",
                    "Strongest driver. The touchpoint that", "Recommendation. Net Promoter Score",
                    "Quality. "):
        assert opening in said, opening
    # warnings are notes: no stderr box, no temporary file of a cell, the data's note in words
    nb, _, _ = _executed(out)
    streams = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "stream"]
    assert [o for o in streams if o["name"] == "stderr"] == []
    assert "ipykernel_" not in text and "UserWarning" not in text
    assert "answers coded as missing (0) set to NaN" in text
    # a quality message is shown in full, as a sentence, not cut off in a table cell
    quality = jl.check_consistency(owndata.load_data(
        out.parent / "survey.csv", format="wide", touchpoints=TOUCHPOINTS, rating="overall",
        score_scale="likert5", rating_scale="stars10", missing=[0], id="respondent"))
    for message in quality["message"]:
        assert " ".join(str(message).split()) in " ".join(text.split())


STORED = ["Net Promoter Score -32", "240 journeys", "R0213", "0.774", "importance 0.36 (95% CI 0.29"]  # notebook 07 as shipped


@pytest.mark.slow
def test_failed_report_shows_the_failing_cell_and_no_number_from_other_data(tidy_csv, tmp_path, monkeypatch,
                                                                            repo_root, capsys):
    shipped = nbformat.read(repo_root / "notebooks" / "07-your-data.ipynb", as_version=4)
    stored = "\n".join(o.get("data", {}).get(kind, "") for c in shipped.cells for o in c.get("outputs", [])
                       for kind in ("text/markdown", "text/plain"))
    assert all(jl.report.escape_markdown(n) in stored or n in stored for n in STORED), stored[:300]
    # the copy keeps the stored outputs of the example survey; the gap figure's cell fails on any data
    where = next(i for i, c in enumerate(shipped.cells) if "07-gap" in c.source)
    shipped.cells[where].source = "raise RuntimeError('the gap figure failed')"
    broken = tmp_path / "nb" / "07-your-data.ipynb"
    broken.parent.mkdir()
    nbformat.write(shipped, broken)
    monkeypatch.setattr(owndata, "NOTEBOOK", broken)
    code = cli([str(tidy_csv), "--out", str(tmp_path / "build")])
    err = capsys.readouterr().err
    assert code == owndata.ANALYSIS_FAILED == 3
    assert f"the analysis stopped: cell {where + 1}: RuntimeError: the gap figure failed" in err
    out = tmp_path / "build" / "report-tidy-journeys"
    page = _page(out)
    text = " ".join(page.get_text().split())
    top = page.select('[data-mime-type="text/markdown"]')[0].get_text()  # the page opens with it
    assert f"The analysis stopped with an error in cell {where + 1} (RuntimeError: the gap figure failed)" in top
    assert "raise RuntimeError('the gap figure failed')" in text  # the failing cell's code, and only it
    assert "load_data(DATA" not in text
    assert page.find(id="papermill-error-cell") is not None
    for number in STORED:
        assert number not in text and number.replace("-", "\u2212") not in text, number
    assert "40 journeys" in text  # computed before the failure, from the analyst's data
    assert not list((out / "figures").glob("07-nps*")) and not list((out / "figures").glob("07-drivers*"))
    index = (out / "index.html").read_text("utf-8")
    assert f"failed: cell {where + 1}: RuntimeError" in index and "<img" not in index


def test_a_new_run_clears_what_an_earlier_one_left(tmp_path):
    out = tmp_path / "report-x"
    (out / "figures").mkdir(parents=True)
    (out / "figures" / "07-nps.png").write_bytes(b"old")
    (out / "07-your-data.html").write_text("NPS -32")
    (out / "keep.txt").write_text("the user's own file")
    owndata._clear_previous(out)
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]


# --- a report from a file whose names carry markup: shown as text, never run -----------------------

SCRIPT = "<script>alert(1)</script>"  # the strongest driver
LINK = "[x](javascript:alert(4))"
SVG = '"><svg onload=alert(3)>'
IMG = "`y` <img src=x onerror=alert(2)>"  # scored in 12 of 40 journeys: left out of the key drivers
FILE_NAME = "survey` <img src=x onerror=alert(2)> `.csv"  # broke out of the old `code span`
ACTOR = "<script>alert(5)</script> & co"
CHANNEL = "[c](javascript:alert(6))"


def _payload_frame(n=40, seed=5):
    """Survey-style tidy journeys: the rating follows SCRIPT's score, LINK and SVG are noise; IMG
    is met in 12 journeys only; LINK is missing in journeys 3 and 7 (dropped from key_drivers)."""
    rng = np.random.default_rng(seed)
    rows = []
    for j in range(1, n + 1):
        scores = {SCRIPT: rng.integers(1, 6), LINK: rng.integers(1, 6), SVG: rng.integers(1, 6)}
        if j <= 12:
            scores[IMG] = rng.integers(1, 6)
        rating = int(np.clip(2 * scores[SCRIPT] + rng.integers(-1, 1), 1, 10))
        for step, (touchpoint, score) in enumerate(scores.items(), start=1):
            missing = touchpoint == LINK and j in (3, 7)
            rows.append({"journey_id": j, "step": step, "touchpoint": touchpoint,
                         "score": np.nan if missing else int(score), "score_scale": "likert5",
                         "rating": rating, "rating_scale": "stars10", "actor": ACTOR, "channel": CHANNEL})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def payload_report(tmp_path_factory):
    base = tmp_path_factory.mktemp("payload")
    path = base / FILE_NAME
    _payload_frame().to_csv(path, index=False)
    code = cli([str(path), "--out", str(base / "build"), "--name", "payload"])
    return code, path, base / "build" / "report-payload"


def _markdown_outputs(nb):
    return [o["data"]["text/markdown"] for c in nb.cells for o in c.get("outputs", [])
            if "text/markdown" in o.get("data", {})]


def _active(soup):
    """on* attributes and javascript: URLs anywhere in the document."""
    found = []
    for tag in soup.find_all(True):
        for name, value in tag.attrs.items():
            text = " ".join(value) if isinstance(value, list) else str(value)
            if name.lower().startswith("on") or "javascript:" in "".join(text.split()).lower():
                found.append(f"<{tag.name} {name}={text[:50]}>")
    return found


def _scripts(soup):
    return sorted((sorted(s.attrs.items()), s.get_text()) for s in soup.find_all("script"))


def test_payload_data_has_the_strongest_driver_it_was_made_with():
    data = jl.validate(_payload_frame())
    drivers, notes = owndata.key_driver_table(data, n_boot=20, seed=1)
    assert drivers.sort_values("importance", ascending=False)["touchpoint"].iloc[0] == SCRIPT
    assert set(drivers["touchpoint"]) == {SCRIPT, LINK, SVG}
    assert notes[0] == f"Left out as scored in fewer than 80% of the journeys: {IMG} (30%)."
    assert notes[1].startswith("2 of 40 journeys dropped")


@pytest.mark.slow
def test_report_with_markup_in_names_escapes_every_sentence(payload_report):
    from nbconvert.filters.markdown import markdown2html

    code, path, out = payload_report
    assert code == 0
    nb, errors, _ = _executed(out)
    assert not errors
    md = jl.report.escape_markdown
    sentences = _markdown_outputs(nb)
    # each Markdown sentence that names a value carries it escaped (worked out: escape_markdown's tests)
    assert sentences[0].startswith("### In short")
    assert sentences[1].startswith(f"{md(FILE_NAME)}: **40 journeys**, 132 moments, 4 distinct touchpoints")
    assert md(FILE_NAME) == r"survey\` &lt;img src\=x onerror\=alert\(2\)&gt; \`\.csv"
    notes = next(s for s in sentences if "Left out" in s)
    assert f"{md(IMG)} \\(30\\%\\)" in notes
    summary = sentences[0]
    assert f"- **Strongest driver.** {md('The touchpoint that moves the journey rating most is ' + SCRIPT)}" in summary
    # escaping alone suffices: rendered without the page's second line of defence, no markup is live
    for sentence in sentences:
        soup = BeautifulSoup(markdown2html(sentence), "html.parser")
        for anchor in soup.select("a.anchor-link"):  # a heading's own link
            anchor.decompose()
        assert {t.name for t in soup.find_all(True)} <= {"p", "strong", "ul", "li", "h3"}, sentence
    rendered = BeautifulSoup(markdown2html(summary), "html.parser").get_text()
    assert f"Strongest driver. The touchpoint that moves the journey rating most is {SCRIPT}: importance" in rendered


@pytest.mark.slow
def test_report_with_markup_in_names_runs_no_script(payload_report, repo_root, tmp_path):
    code, path, out = payload_report
    page = BeautifulSoup((out / "07-your-data.html").read_text("utf-8"), "html.parser")
    # nbconvert's own scripts: those of the page made from the shipped notebook, clean data
    clean = tmp_path / "clean.html"
    jl.report.pages._write_html(nbformat.read(repo_root / "notebooks" / "07-your-data.ipynb", as_version=4), clean)
    reference = _scripts(BeautifulSoup(clean.read_text("utf-8"), "html.parser"))
    assert reference and _scripts(page) == reference
    assert [s.get("src") for s in page.find_all("script") if s.get("src")] == [
        "https://cdnjs.cloudflare.com/ajax/libs/require.js/2.1.10/require.min.js",
        "https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/latest.js?config=TeX-AMS_CHTML-full,Safe"]
    assert _active(page) == []
    assert page.find("svg") is None and page.find("iframe") is None
    assert not [img for img in page.find_all("img") if not img["src"].startswith("data:image/png;base64,")]
    text = page.get_text()
    for value in (SCRIPT, LINK, SVG, IMG, FILE_NAME):
        assert value in text, value  # shown, as text
    summary = [d for d in page.select('[data-mime-type="text/markdown"]') if "Strongest driver" in d.get_text()]
    assert len(summary) == 1
    assert f"The touchpoint that moves the journey rating most is {SCRIPT}: importance" in summary[0].get_text()
    # the index names the file in its title, as text
    index = BeautifulSoup((out / "index.html").read_text("utf-8"), "html.parser")
    assert index.find_all("script") == [] and _active(index) == []
    assert index.title.get_text() == f"journeylib report: {FILE_NAME}"
    # the figures (driver labels, the journey's touchpoints) as SVG: labels stay text
    svgs = sorted((out / "figures").glob("*.svg"))
    assert any("drivers" in p.name for p in svgs)
    for svg in svgs:
        for element in ET.parse(svg).getroot().iter():  # well-formed: no label broke out
            assert not str(element.tag).endswith("script"), svg.name
            assert not [a for a in element.attrib if a.lower().startswith("on")], svg.name
            assert not [v for v in element.attrib.values() if "javascript:" in v], svg.name
