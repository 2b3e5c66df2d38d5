"""Survey-tool exports the project writes itself (issue 14, items 1, 2 and 6).

Each test writes a small synthetic file the way the tool writes it (Qualtrics, SurveyMonkey,
Google Forms, Typeform, LimeSurvey, SPSS .sav, a Dutch semicolon file with a decimal grade, an
xlsx with a title above the header) and reads it through the API: read_table -> from_wide ->
journey_summary, checked against values worked out here by hand.  Two of them also go through
``python -m journeylib report`` to a report page (each executes notebook 07, ~15 s).
"""

from __future__ import annotations

import csv
import json
import warnings

import numpy as np
import pandas as pd
import pytest

import journeylib as jl
from journeylib import owndata
from journeylib.__main__ import main as journeylib_main
from journeylib.io import column_labels, read_journeys, read_table
from journeylib.schema import JourneyDataError

from .test_owndata import _args

# Six respondents: check-in, boarding, seat (1-5), overall (1-10), recommend (0-10).
ANSWERS = [(5, 4, 4, 9, 10), (2, 3, 1, 3, 2), (4, 4, 5, 8, 9),
           (3, 2, 2, 5, 6), (1, 2, 3, 4, 7), (5, 5, 4, 10, 9)]
TRIP = "How satisfied were you with each part of your trip?"
OVERALL = "Overall, how would you rate your journey? (1-10)"
RECOMMEND = "How likely is it that you would recommend us to a friend or colleague?"


def by_hand():
    """Per journey: mean touchpoint valence, rating valence, gap; and the NPS, worked out here."""
    mean = [((a - 3) / 2 + (b - 3) / 2 + (c - 3) / 2) / 3 for a, b, c, *_ in ANSWERS]
    rating = [2 * (r - 1) / 9 - 1 for *_, r, _ in ANSWERS]
    gap = [r - m for r, m in zip(rating, mean, strict=True)]
    promoters = sum(x >= 9 for *_, x in ANSWERS)
    detractors = sum(x <= 6 for *_, x in ANSWERS)
    return mean, rating, gap, 100 * (promoters - detractors) / len(ANSWERS)


def check_summary(tidy, n=6):
    s = jl.journey_summary(tidy)
    mean, rating, gap, _ = by_hand()
    assert len(s) == n
    np.testing.assert_allclose(s["mean"], mean[:n])
    np.testing.assert_allclose(s["rating"], rating[:n])
    np.testing.assert_allclose(s["gap"], gap[:n])
    assert s["last"].isna().all()  # survey items: no order unless told
    return s


def write_csv(path, rows, *, encoding="utf-8", delimiter=",", quoting=csv.QUOTE_MINIMAL):
    with open(path, "w", newline="", encoding=encoding) as fh:
        csv.writer(fh, delimiter=delimiter, quoting=quoting).writerows(rows)
    return path


# --- the exports, as each tool writes them -----------------------------------------------------------

def qualtrics_csv(path, *, bad_boarding_in_third=False):
    """Three header rows; a preview before the third respondent, an unfinished one after the fourth."""
    meta = ["StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)",
            "Finished", "RecordedDate", "ResponseId", "DistributionChannel", "UserLanguage"]
    names = [*meta, "Q1_1", "Q1_2", "Q1_3", "Q2", "Q3"]
    texts = ["Start Date", "End Date", "Response Type", "IP Address", "Progress",
             "Duration (in seconds)", "Finished", "Recorded Date", "Response ID",
             "Distribution Channel", "User Language", f"{TRIP}\n- Check-in",
             f"{TRIP}\n- Boarding", f"{TRIP}\n- Your seat", OVERALL, RECOMMEND]
    imports = [json.dumps({"ImportId": n[0].lower() + n[1:]}) for n in meta] + \
        [json.dumps({"ImportId": f"QID{q}"}) for q in ("1_1", "1_2", "1_3", "2", "3")]

    def response(i, answers, *, status="IP Address", channel="anonymous", finished="True"):
        return ["2026-03-01 10:00:00", "2026-03-01 10:05:00", status, "10.0.0.1",
                "100" if finished == "True" else "40", "300", finished, "2026-03-01 10:05:01",
                f"R_{i:03d}abc", channel, "EN", *map(str, answers)]

    rows = [names, texts, imports]
    for i, (a, b, c, overall, rec) in enumerate(ANSWERS):
        if i == 2:
            rows.append(response(90, (3, 3, 3, 7, 8), status="Survey Preview", channel="preview"))
        if i == 4:
            rows.append(response(91, (4, "", "", "", ""), finished="False"))
        if i == 2 and bad_boarding_in_third:
            b = 7
        rows.append(response(i, (a, b, c, overall, rec)))
    return write_csv(path, rows, encoding="utf-8-sig", quoting=csv.QUOTE_ALL)


def surveymonkey_csv(path):
    meta = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address",
            "Email Address", "First Name", "Last Name", "Custom Data 1"]
    head = [*meta, TRIP, "", "", OVERALL, RECOMMEND]
    sub = [""] * len(meta) + ["Check-in", "Boarding", "Your seat", "Response", "Response"]
    rows = [head, sub]
    for i, answers in enumerate(ANSWERS):
        rows.append([str(11427782900 + i), "4012345", "03/01/2026 10:00:00 AM",
                     "03/01/2026 10:05:00 AM", "10.0.0.1", "", "", "", "", *map(str, answers)])
    return write_csv(path, rows)


def google_forms_csv(path):
    rows = [["Timestamp", "Email address", f"{TRIP} [Check-in]", f"{TRIP} [Boarding]",
             f"{TRIP} [Your seat]", OVERALL, "Would you recommend us?"]]
    for i, (a, b, c, overall, rec) in enumerate(ANSWERS):
        rows.append([f"2026/03/0{i + 1} 10:00:00 AM GMT+1", f"p{i}@example.org", a, b, c, overall,
                     "Yes" if rec >= 7 else "No"])
    return write_csv(path, rows)


def typeform_csv(path):
    rows = [["#", "How was check-in?", "How was boarding?", "How was your seat?",
             "Overall, out of 10?", "How likely are you to recommend us?", "Start Date (UTC)",
             "Submit Date (UTC)", "Network ID"]]
    for i, answers in enumerate(ANSWERS):
        rows.append([f"tf{i}x9k2", *answers, "2026-03-01 10:00:00", "2026-03-01 10:04:00",
                     f"net{i}"])
    return write_csv(path, rows)


def limesurvey_csv(path):
    rows = [["id", "submitdate", "lastpage", "startlanguage", "seed", "Q1[SQ001]", "Q1[SQ002]",
             "Q1[SQ003]", "Q2", "Q3"]]
    for i, answers in enumerate(ANSWERS):
        if i == 3:  # an incomplete response: no submit date
            rows.append([str(50 + i), "", "1", "en", "123", "2", "", "", "", ""])
        rows.append([str(i + 1), "2026-03-01 10:05:00", "3", "en", "456", *map(str, answers)])
    return write_csv(path, rows, delimiter=";")


def spss_sav(path):
    pyreadstat = pytest.importorskip("pyreadstat")
    frame = pd.DataFrame({
        "resp": [f"S{i}" for i in range(len(ANSWERS))],
        "checkin": [float(a[0]) for a in ANSWERS], "boarding": [float(a[1]) for a in ANSWERS],
        "seat": [float(a[2]) for a in ANSWERS],
        # satisfaction coded 1/2, what the codes mean in the value labels
        "satisfaction": [2.0 if a[3] >= 6 else 1.0 for a in ANSWERS],
        "recommend": [1.0 if a[4] >= 7 else 2.0 for a in ANSWERS],
    })
    likert = {1: "very dissatisfied", 2: "dissatisfied", 3: "neutral", 4: "satisfied",
              5: "very satisfied"}
    pyreadstat.write_sav(
        frame, str(path),
        column_labels={"checkin": f"{TRIP} - Check-in", "boarding": f"{TRIP} - Boarding",
                       "seat": f"{TRIP} - Your seat", "satisfaction": "Overall satisfaction",
                       "recommend": "Would you recommend us?"},
        variable_value_labels={"checkin": likert, "boarding": likert, "seat": likert,
                               "satisfaction": {1: "neutral or dissatisfied", 2: "satisfied"},
                               "recommend": {1: "Yes", 2: "No"}})
    return path


def dutch_csv(path):
    """Semicolons, Windows-1252, a 1-10 rapportcijfer with decimal commas."""
    rows = [["respondent", "inchecken", "instappen", "stoel", "rapportcijfer", "opmerking"]]
    grades = ["7,5", "3", "8,5", "5,5", "4", "9,5"]
    for i, ((a, b, c, *_), grade) in enumerate(zip(ANSWERS, grades, strict=True)):
        rows.append([f"r{i + 1}", a, b, c, grade, "prima, één keer" if i == 0 else ""])
    return write_csv(path, rows, encoding="cp1252", delimiter=";"), grades


def titled_xlsx(path, *, bad_seat_in_second=False):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Results"
    ws["A1"] = "Passenger survey, March 2026"
    ws.append([])
    ws.append(["respondent", "check-in", "boarding", "seat", "overall", "recommend"])
    for i, (a, b, c, overall, rec) in enumerate(ANSWERS):
        ws.append([f"x{i + 1}", a, b, 9 if (i == 1 and bad_seat_in_second) else c, overall, rec])
    wb.save(path)
    return path


WIDE = dict(score_scale="likert5", rating_scale="stars10")


# --- through the API ----------------------------------------------------------------------------

def test_qualtrics_three_header_rows_labels_and_dropped_responses(tmp_path):
    path = qualtrics_csv(tmp_path / "qualtrics.csv")
    with pytest.warns(UserWarning) as caught:
        raw = read_table(path)
    said = [str(w.message) for w in caught]
    assert any("Qualtrics export" in m and "dropped 2 of 8 responses: 1 not finished "
               "(Finished = False), 1 survey previews" in m for m in said), said
    assert len(raw) == 6 and raw["ResponseId"].tolist() == [f"R_{i:03d}abc" for i in range(6)]
    assert raw.attrs["labels"]["Q1_1"] == f"{TRIP}\n- Check-in"
    assert raw["Q1_1"].dtype == "float64"  # numbers once the text rows are gone
    labels = column_labels(raw)
    assert list(labels.columns) == ["column", "label", "values"]
    assert labels.set_index("column").loc["Q2", "label"] == OVERALL
    tidy = jl.from_wide(raw, touchpoints={"Q1_1": "Check-in", "Q1_2": "Boarding",
                                          "Q1_3": "Seat"},
                        rating="Q2", recommend="Q3", id="ResponseId", **WIDE)
    s = check_summary(tidy)
    assert jl.nps(s["recommend"])["nps"].iloc[0] == pytest.approx(by_hand()[3])


def test_qualtrics_errors_name_the_files_rows(tmp_path):
    """Three header rows and a dropped preview above: the third respondent is file row 7, not 6."""
    path = qualtrics_csv(tmp_path / "q.csv", bad_boarding_in_third=True)
    with pytest.warns(UserWarning, match="dropped 2"):
        raw = read_table(path)
    with pytest.raises(JourneyDataError) as err:
        jl.from_wide(raw, touchpoints=["Q1_1", "Q1_2", "Q1_3"], rating="Q2", **WIDE)
    assert "row 7, column 'Q1_2': value 7.0" in str(err.value)
    # the question text names its column
    with pytest.raises(ValueError, match=r"'Overall, how would.*' \(did you mean 'Q2'\?\)"):
        jl.from_wide(raw, touchpoints=["Q1_1"], rating=OVERALL, **WIDE)


def test_surveymonkey_two_header_rows_become_one_name(tmp_path):
    raw = read_table(surveymonkey_csv(tmp_path / "monkey.csv"))
    assert list(raw.columns)[-5:] == ["Check-in", "Boarding", "Your seat", OVERALL, RECOMMEND]
    assert raw.attrs["labels"]["Check-in"] == f"{TRIP} [Check-in]"
    assert raw["Respondent ID"].dtype == "int64" and len(raw) == 6
    tidy = jl.from_wide(raw, touchpoints=["Check-in", "Boarding", "Your seat"], rating=OVERALL,
                        recommend=RECOMMEND, id="Respondent ID", **WIDE)
    check_summary(tidy)
    assert tidy["journey_id"].iloc[0] == 11427782900


def test_surveymonkey_repeated_row_texts_keep_their_question(tmp_path):
    path = tmp_path / "m.csv"
    write_csv(path, [["Respondent ID", "Collector ID", "Q outbound", "", "Q return", ""],
                     ["", "", "Seat", "Food", "Seat", "Food"], ["1", "9", "4", "3", "2", "5"]])
    raw = read_table(path)
    assert list(raw.columns) == ["Respondent ID", "Collector ID", "Q outbound [Seat]",
                                 "Q outbound [Food]", "Q return [Seat]", "Q return [Food]"]


def test_google_forms_grid_columns_named_by_their_row(tmp_path):
    raw = read_table(google_forms_csv(tmp_path / "form.csv"))
    assert raw.attrs["journeylib.export"] == "google_forms"
    assert list(raw.columns)[2:5] == ["Check-in", "Boarding", "Your seat"]
    assert raw.attrs["labels"]["Boarding"] == f"{TRIP} [Boarding]"
    tidy = jl.from_wide(raw, touchpoints=["Check-in", "Boarding", "Your seat"], rating=OVERALL,
                        recommend="Would you recommend us?", recommend_scale="binary", **WIDE)
    s = check_summary(tidy)
    assert s["recommend"].tolist() == [1.0 if r >= 7 else 0.0 for *_, r in ANSWERS]


def test_typeform(tmp_path):
    raw = read_table(typeform_csv(tmp_path / "typeform.csv"))
    assert raw.attrs["journeylib.export"] == "typeform"
    tidy = jl.from_wide(raw, touchpoints=["How was check-in?", "How was boarding?",
                                          "How was your seat?"],
                        rating="Overall, out of 10?", id="#", **WIDE)
    check_summary(tidy)
    assert tidy["journey_id"].iloc[0] == "tf0x9k2"


def test_limesurvey_codes_and_incomplete_responses(tmp_path):
    path = limesurvey_csv(tmp_path / "lime.csv")
    with pytest.warns(UserWarning, match=r"LimeSurvey export .*dropped 1 of 7 responses: 1 "
                                         r"incomplete \(no submit date\)"):
        raw = read_table(path)
    assert len(raw) == 6 and raw["id"].tolist() == [1, 2, 3, 4, 5, 6]
    tidy = jl.from_wide(raw, touchpoints=["Q1[SQ001]", "Q1[SQ002]", "Q1[SQ003]"], rating="Q2",
                        recommend="Q3", id="id", **WIDE)
    check_summary(tidy)
    # the dropped response sat on file row 5: the fifth respondent is file row 7
    bad = raw.copy()
    bad.loc[bad["id"] == 5, "Q2"] = 11
    with pytest.raises(JourneyDataError, match=r"row 7, column 'Q2': value 11"):
        jl.from_wide(bad, touchpoints=["Q1[SQ001]"], rating="Q2", **WIDE)


def test_spss_value_labels_kept_and_usable_as_the_map(tmp_path):
    raw = read_table(spss_sav(tmp_path / "survey.sav"))
    assert raw.attrs["labels"]["seat"] == f"{TRIP} - Your seat"
    assert raw.attrs["value_labels"]["satisfaction"] == {1.0: "neutral or dissatisfied",
                                                         2.0: "satisfied"}
    labels = column_labels(raw).set_index("column")
    assert labels.loc["satisfaction", "values"] == "1 = neutral or dissatisfied; 2 = satisfied"
    tidy = jl.from_wide(raw, touchpoints=["checkin", "boarding", "seat"], rating="satisfaction",
                        rating_scale="binary", score_scale="likert5", id="resp",
                        rating_map={"satisfied": 1, "neutral or dissatisfied": 0},
                        recommend="recommend", recommend_scale="binary")  # Yes/No labels: no map
    s = jl.journey_summary(tidy)
    mean = by_hand()[0]
    np.testing.assert_allclose(s["mean"], mean)
    assert s["rating"].tolist() == [1.0 if a[3] >= 6 else -1.0 for a in ANSWERS]  # valence
    assert s["recommend"].tolist() == [1.0 if a[4] >= 7 else 0.0 for a in ANSWERS]
    with pytest.raises(JourneyDataError, match=r"row 1, column 'satisfaction': value 2.0: not an "
                                               "answer `rating_map` names"):
        jl.from_wide(raw, touchpoints=["checkin"], rating="satisfaction", rating_scale="binary",
                     score_scale="likert5", rating_map={"neutral or dissatisfied": 0})


def test_dutch_semicolon_file_with_a_decimal_grade(tmp_path):
    path, grades = dutch_csv(tmp_path / "nl.csv")
    raw = read_table(path)
    assert raw["rapportcijfer"].tolist() == [float(g.replace(",", ".")) for g in grades]
    assert raw["opmerking"].iloc[0] == "prima, één keer"
    tidy = jl.from_wide(raw, touchpoints=["inchecken", "instappen", "stoel"], rating="rapportcijfer",
                        score_scale="likert5", rating_scale="grade10", id="respondent")
    s = jl.journey_summary(tidy)
    np.testing.assert_allclose(s["mean"], by_hand()[0])
    np.testing.assert_allclose(s["rating"], [2 * (float(g.replace(",", ".")) - 1) / 9 - 1
                                             for g in grades])


def test_xlsx_with_a_title_row_is_named_and_read_with_header(tmp_path):
    path = titled_xlsx(tmp_path / "titled.xlsx")
    with pytest.raises(JourneyDataError) as err:
        read_table(path)
    assert ("sheet 'Results': row 1 looks like a title, not a header; the header seems to be on "
            "row 3") in str(err.value)
    assert "read_table(path, header=2)" in str(err.value) and "--header 3" in str(err.value)
    raw = read_table(path, header=2)
    assert list(raw.columns) == ["respondent", "check-in", "boarding", "seat", "overall",
                                 "recommend"]
    check_summary(jl.from_wide(raw, touchpoints=["check-in", "boarding", "seat"],
                               rating="overall", id="respondent", **WIDE))
    # later errors name the sheet's own rows: the second respondent is on row 5
    bad = read_table(titled_xlsx(tmp_path / "bad.xlsx", bad_seat_in_second=True), header=2)
    with pytest.raises(JourneyDataError, match=r"row 5, column 'seat': value 9"):
        jl.from_wide(bad, touchpoints=["seat"], rating="overall", **WIDE)


def test_csv_with_a_title_and_skiprows(tmp_path):
    path = write_csv(tmp_path / "t.csv", [["Survey 2026"], [], ["resp", "web", "overall"],
                                          ["text of the web question", "", ""],
                                          ["r1", "4", "8"], ["r2", "9", "6"]])
    with pytest.raises(JourneyDataError, match="header seems to be on row 3"):
        read_table(path)
    raw = read_table(path, header=2, skiprows=[3])  # pandas: skiprows first, header counts the rest
    assert raw.columns.tolist() == ["resp", "web", "overall"] and raw["web"].tolist() == [4, 9]
    with pytest.raises(JourneyDataError, match=r"row 6, column 'web': value 9"):
        jl.from_wide(raw, touchpoints=["web"], rating="overall", **WIDE)
    with pytest.raises(ValueError, match="`header` must be a whole number"):
        read_table(path, header=-1)
    with pytest.raises(ValueError, match="apply to CSV and Excel files only"):
        read_table(spss_sav(tmp_path / "s.sav"), header=1)


def test_tidy_read_of_a_wide_file_shows_the_wide_call(tmp_path):
    path, _ = dutch_csv(tmp_path / "nl.csv")
    with pytest.raises(JourneyDataError) as err:
        read_journeys(path)
    msg = str(err.value)
    assert "looks like a wide file, one row per respondent" in msg
    assert ("touchpoints=['inchecken', 'instappen', 'stoel'], rating='rapportcijfer', "
            "score_scale='likert5', rating_scale='grade10', id='respondent'") in msg
    assert "--format wide --touchpoints inchecken,instappen,stoel --rating rapportcijfer" in msg
    # an export: the response's own numbers (Progress, Duration) are no touchpoints, and the
    # question texts say which column is the overall rating and which the recommendation
    with pytest.warns(UserWarning, match="dropped 2"), pytest.raises(JourneyDataError) as err:
        read_journeys(qualtrics_csv(tmp_path / "q.csv"))
    assert "this looks like a Qualtrics export, a wide file" in str(err.value)
    assert ("touchpoints=['Q1_1', 'Q1_2', 'Q1_3'], rating='Q2', score_scale='likert5', "
            "rating_scale='stars10', recommend='Q3', id='ResponseId'") in str(err.value)


def test_wide_options_refused_for_tidy_data(tmp_path, capsys):
    path = tmp_path / "tidy.csv"
    jl.load_seed_cases().to_csv(path, index=False)
    assert owndata.main([str(path), "--ordered", "--rating-map", "yes=1,no=0"]) == 2
    assert "--ordered, --rating-map: only with --format wide" in capsys.readouterr().err


# --- through the command line's reading (load_data, as the report notebook reads) ------------------

def test_load_data_reads_every_export(tmp_path):
    cases = [
        (qualtrics_csv(tmp_path / "q.csv"), dict(touchpoints="Q1_1,Q1_2,Q1_3", rating="Q2",
                                                 recommend="Q3", id="ResponseId")),
        (surveymonkey_csv(tmp_path / "m.csv"), dict(touchpoints="Check-in,Boarding,Your seat",
                                                    rating=OVERALL, id="Respondent ID")),
        (google_forms_csv(tmp_path / "g.csv"), dict(touchpoints="Check-in,Boarding,Your seat",
                                                    rating=OVERALL)),
        (typeform_csv(tmp_path / "t.csv"), dict(touchpoints="How was check-in?,How was "
                                                "boarding?,How was your seat?",
                                                rating="Overall, out of 10?", id="#")),
        (limesurvey_csv(tmp_path / "l.csv"), dict(touchpoints="Q1[SQ001],Q1[SQ002],Q1[SQ003]",
                                                  rating="Q2", id="id")),
        (titled_xlsx(tmp_path / "x.xlsx"), dict(touchpoints="check-in,boarding,seat",
                                                rating="overall", header=2)),
    ]
    for path, options in cases:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            tidy = owndata.load_data(path, format="wide", **WIDE, **options)
        check_summary(tidy)
        dropped = [str(w.message) for w in caught if "dropped" in str(w.message)]
        assert len(dropped) == (path.stem in ("q", "l")), (path, dropped)


def test_command_line_options_for_exports():
    args = _args(["s.xlsx", "--format", "wide", "--touchpoints", "a,b", "--rating", "sat",
                  "--score-scale", "likert5", "--rating-scale", "binary", "--ordered",
                  "--rating-map", "satisfied=1,neutral or dissatisfied=0", "--header", "3",
                  "--skiprows", "5,7-8", "--sheet", "Results", "--missing", "overall=0,wifi=99",
                  "--scale", "grade10x=1:10:decimal"])
    opts = owndata._options(args)
    assert opts["ordered"] is True and opts["header"] == 2 and opts["skiprows"] == [4, 6, 7]
    assert opts["rating_map"] == {"satisfied": 1, "neutral or dissatisfied": 0}
    assert opts["missing"] == {"overall": [0], "wifi": [99]} and opts["sheet"] == "Results"
    assert opts["scales"] == ["grade10x=1:10:decimal"] and not jl.get_scale("grade10x").integer
    plain = owndata._options(_args(["s.csv"]))
    assert "ordered" not in plain and "header" not in plain  # the notebook keeps its defaults
    for bad in (["--header", "0"], ["--skiprows", "x"], ["--rating-map", "satisfied"],
                ["--missing", "0,wifi=99"], ["--scale", "g=1:ten"]):
        with pytest.raises(SystemExit):
            _args(["s.csv", *bad])




def test_load_data_missing_codes_never_wipe_the_rating(tmp_path):
    """The airline file: satisfaction 0 = neutral or dissatisfied, wifi 0 = not rated."""
    path = tmp_path / "airline.csv"
    pd.DataFrame({"id": [1, 2, 3, 4], "wifi": [0, 3, 4, 5], "seat": [3, 4, 1, 5],
                  "satisfaction": [0, 1, 0, 1]}).to_csv(path, index=False)
    options = dict(format="wide", touchpoints="wifi,seat", rating="satisfaction",
                   score_scale="likert5", rating_scale="binary", id="id")
    with pytest.warns(UserWarning, match=r"1 answer coded as missing \(0\) set to NaN: 'wifi' 1"):
        tidy = owndata.load_data(path, missing="0", **options)
    assert tidy.groupby("journey_id")["rating"].first().tolist() == [0.0, 1.0, 0.0, 1.0]
    with pytest.warns(UserWarning, match=r"'satisfaction' 2 \(0\)"):
        tidy = owndata.load_data(path, missing="satisfaction=0,wifi=0", **options)
    assert tidy.groupby("journey_id")["rating"].first().isna().sum() == 2


def test_load_data_recommend_only(tmp_path):
    """British Airways reviews: a recommend flag (yes/no) and no overall rating."""
    path = tmp_path / "ba.csv"
    rng = np.random.default_rng(4)
    seat, staff, food = (rng.integers(1, 6, 40) for _ in range(3))
    rec = np.where((seat + staff + food) / 3 + rng.normal(0, 0.5, 40) > 3, "yes", "no")
    pd.DataFrame({"seat": seat, "staff": staff, "food": food, "recommended": rec}).to_csv(
        path, index=False)
    tidy = owndata.load_data(path, format="wide", touchpoints="seat,staff,food",
                             score_scale="likert5", recommend="recommended",
                             recommend_scale="binary")
    assert tidy["rating"].isna().all()
    res = jl.compare_rules(tidy, rules=["mean", "min", "max", "last"], outcome="recommend",
                           n_boot=50, seed=1)
    assert set(res["score_name"]) == {"auc"}
    assert res.set_index("rule").loc["last", "note"].startswith("left out")
    with pytest.raises(ValueError, match="needs an outcome"):
        owndata.load_data(path, format="wide", touchpoints="seat", score_scale="likert5")


# --- end to end: python -m journeylib report (each runs notebook 07, ~15 s) ---------------------------

@pytest.mark.slow
def test_report_on_a_qualtrics_export(tmp_path, capsys):
    path = qualtrics_csv(tmp_path / "qualtrics.csv")
    code = journeylib_main(["report", str(path), "--format", "wide", "--touchpoints",
                            "Q1_1,Q1_2,Q1_3", "--rating", "Q2", "--recommend", "Q3", "--id",
                            "ResponseId", "--score-scale", "likert5", "--rating-scale", "stars10",
                            "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "dropped 2 of 8 responses" in err  # the warning became a note
    page = (tmp_path / "report-qualtrics" / "07-your-data.html").read_text("utf-8")
    text = " ".join(page.split())
    assert "6 journeys" in text
    assert f"Net Promoter Score {by_hand()[3]:+.0f}" in text


@pytest.mark.slow
def test_report_on_an_spss_file_with_a_decimal_grade_scale_defined(tmp_path, capsys):
    pyreadstat = pytest.importorskip("pyreadstat")
    path = tmp_path / "grades.sav"
    grades = [7.5, 3.0, 8.5, 5.5, 4.0, 9.5]
    pyreadstat.write_sav(pd.DataFrame({"r": [float(i) for i in range(6)],
                                       "a": [float(x[0]) for x in ANSWERS],
                                       "b": [float(x[1]) for x in ANSWERS],
                                       "c": [float(x[2]) for x in ANSWERS], "grade": grades}),
                         str(path))
    code = journeylib_main(["report", str(path), "--format", "wide", "--touchpoints", "a,b,c",
                            "--rating", "grade", "--score-scale", "likert5", "--rating-scale",
                            "grade10", "--id", "r", "--out", str(tmp_path)])
    assert code == 0, capsys.readouterr().err
    text = " ".join((tmp_path / "report-grades" / "07-your-data.html").read_text("utf-8").split())
    gap = np.mean([2 * (g - 1) / 9 - 1 - m for g, m in zip(grades, by_hand()[0], strict=True)])
    side = "below" if gap < 0 else "above"
    assert "6 journeys" in text and f"lies {abs(gap):.2f} {side} the mean" in text
