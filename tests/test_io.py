"""Readers: CSV dialects and encodings, Parquet, Excel, wide surveys."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import journeylib as jl
from journeylib.io import from_wide, read_journeys, read_table
from journeylib.io.columns import _integer_ids
from journeylib.schema import MESSAGES, JourneyDataError, validate

HEADER = ["journey_id", "step", "touchpoint", "score", "score_scale", "rating", "rating_scale"]

# The same little table in the two conventions, written out by hand.
COMMA_CSV = """journey_id,step,touchpoint,score,score_scale,rating,rating_scale,amount,note
1,1,webshop,72.5,percent,6,stars10,1234.5,"late, but ok"
1,2,café,10.25,percent,6,stars10,2,"1,5 hours"
2,1,phone,50,percent,8,stars10,3.25,
2,2,email,99.5,percent,8,stars10,1000,x;y
"""
SEMICOLON_CSV = """journey_id;step;touchpoint;score;score_scale;rating;rating_scale;amount;note
1;1;webshop;72,5;percent;6;stars10;1.234,5;late, but ok
1;2;café;10,25;percent;6;stars10;2;1,5 hours
2;1;phone;50;percent;8;stars10;3,25;
2;2;email;99,5;percent;8;stars10;1.000;"x;y"
"""


def expected_table():
    return pd.DataFrame({
        "journey_id": [1, 1, 2, 2],
        "step": [1, 2, 1, 2],
        "touchpoint": ["webshop", "café", "phone", "email"],
        "score": [72.5, 10.25, 50.0, 99.5],
        "score_scale": "percent",
        "rating": [6.0, 6.0, 8.0, 8.0],
        "rating_scale": "stars10",
        "amount": [1234.5, 2.0, 3.25, 1000.0],
        "note": ["late, but ok", "1,5 hours", np.nan, "x;y"],
    })


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def test_semicolon_decimal_comma_reads_like_its_comma_twin(tmp_path):
    a = read_journeys(write(tmp_path / "comma.csv", COMMA_CSV))
    b = read_journeys(write(tmp_path / "dutch.csv", SEMICOLON_CSV))
    pd.testing.assert_frame_equal(a, b)
    want = expected_table()
    assert a["score"].tolist() == want["score"].tolist()
    assert a["amount"].tolist() == want["amount"].tolist()  # 1.234,5 -> 1234.5 (thousands dot)
    assert a["touchpoint"].tolist() == want["touchpoint"].tolist()
    # text with commas and separators inside stays text, untouched
    assert a["note"].tolist()[:2] == ["late, but ok", "1,5 hours"]
    assert a["note"].iloc[3] == "x;y"
    assert a["journey_id"].dtype == "int64"


def test_semicolon_file_with_decimal_points(tmp_path):
    # what pandas.to_csv(sep=";") writes: no decimal comma anywhere, so "." is the decimal mark
    df = expected_table()[HEADER]
    df.to_csv(tmp_path / "dots.csv", sep=";", index=False)
    out = read_journeys(tmp_path / "dots.csv")
    assert out["score"].tolist() == [72.5, 10.25, 50.0, 99.5]


def test_ids_are_not_numbers_when_they_are_codes(tmp_path):
    text = SEMICOLON_CSV.replace("\n1;", "\n007;").replace("\n2;", "\n1.200;")
    out = read_journeys(write(tmp_path / "ids.csv", text))
    assert out["journey_id"].tolist() == ["007", "007", "1.200", "1.200"]


def test_bom_is_not_part_of_the_first_column_name(tmp_path):
    path = write(tmp_path / "bom.csv", COMMA_CSV, encoding="utf-8-sig")
    assert path.read_bytes()[:3] == b"\xef\xbb\xbf"
    out = read_journeys(path)
    assert list(out.columns)[0] == "journey_id"
    pd.testing.assert_frame_equal(out, read_journeys(write(tmp_path / "plain.csv", COMMA_CSV)))


def test_windows_1252_fallback(tmp_path):
    path = write(tmp_path / "excel.csv", SEMICOLON_CSV.replace("\n", "\r\n"), encoding="cp1252")
    raw = path.read_bytes()
    assert b"caf\xe9" in raw  # é as one cp1252 byte: not valid UTF-8
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    out = read_journeys(path)
    assert out["touchpoint"].iloc[1] == "café"
    assert out["score"].tolist() == [72.5, 10.25, 50.0, 99.5]


def test_tab_separated(tmp_path):
    out = read_journeys(write(tmp_path / "t.tsv", SEMICOLON_CSV.replace(";", "\t")
                              .replace('"x\ty"', "x;y")))
    assert out["score"].tolist() == [72.5, 10.25, 50.0, 99.5]
    assert out["note"].iloc[3] == "x;y"


def test_dutch_dates_are_day_first(tmp_path):
    text = ("journey_id;step;touchpoint;score;score_scale;rating;rating_scale;timestamp\n"
            "1;1;web;4;likert5;3;likert5;02-01-2024 10:15\n"
            "1;2;mail;2;likert5;3;likert5;13-01-2024 09:00\n")
    out = read_journeys(write(tmp_path / "d.csv", text))
    assert out["timestamp"].tolist() == [pd.Timestamp("2024-01-02 10:15"),
                                         pd.Timestamp("2024-01-13 09:00")]
    iso = text.replace("02-01-2024", "2024-01-02").replace("13-01-2024", "2024-01-13")
    out = read_journeys(write(tmp_path / "iso.csv", iso))
    assert out["timestamp"].iloc[0] == pd.Timestamp("2024-01-02 10:15")


def test_trailing_empty_rows_from_excel_are_ignored(tmp_path):
    out = read_journeys(write(tmp_path / "x.csv", SEMICOLON_CSV + ";;;;;;;;\n;;;;;;;;\n"))
    assert len(out) == 4


def test_bad_file_is_named_with_the_line_number(tmp_path):
    lines = SEMICOLON_CSV.splitlines()
    lines[3] = lines[3].replace(";50;", ";150;")  # line 4 of the file
    path = write(tmp_path / "bad.csv", "\n".join(lines) + "\n")
    with pytest.raises(JourneyDataError) as err:
        read_journeys(path)
    msg = str(err.value)
    assert str(path) in msg
    assert "row 4, column 'score': value 150.0" in msg


def test_text_in_a_number_column_is_reported_not_hidden(tmp_path):
    lines = SEMICOLON_CSV.splitlines()
    lines[2] = lines[2].replace(";10,25;", ";n.v.t.;")
    path = write(tmp_path / "text.csv", "\n".join(lines) + "\n")
    with pytest.raises(JourneyDataError) as err:
        read_journeys(path)
    assert "row 3, column 'score': value 'n.v.t.': score is not a number" in str(err.value)
    assert err.value.total == 1  # the decimal commas on the other rows were read fine


def test_blank_line_inside_the_data_is_pointed_at(tmp_path):
    lines = COMMA_CSV.splitlines()
    path = write(tmp_path / "gap.csv", "\n".join([*lines[:3], "", *lines[3:]]) + "\n")
    with pytest.raises(JourneyDataError) as err:
        read_journeys(path)
    assert "row 4, column 'journey_id'" in str(err.value)


def test_missing_column_in_file(tmp_path):
    path = write(tmp_path / "m.csv", COMMA_CSV.replace("score_scale", "scale"))
    with pytest.raises(JourneyDataError, match=r"m\.csv.*\n.*column 'score_scale'.*did you mean 'scale'"):
        read_journeys(path)


def test_file_that_does_not_exist(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.csv"):
        read_journeys(tmp_path / "nope.csv")


@pytest.mark.parametrize("name", ["data.json", "data.xls", "data"])
def test_unknown_extension(tmp_path, name):
    path = write(tmp_path / name, "{}")
    with pytest.raises(ValueError, match="unknown file type") as err:
        read_journeys(path)
    assert name in str(err.value)
    assert ".csv" in str(err.value) and ".parquet" in str(err.value) and ".xlsx" in str(err.value)
    if name.endswith(".xls"):
        assert "save it as .xlsx" in str(err.value)


def test_sheet_only_for_excel(tmp_path):
    with pytest.raises(ValueError, match="Excel"):
        read_journeys(write(tmp_path / "a.csv", COMMA_CSV), sheet="x")


def test_parquet_round_trip(tmp_path):
    df = validate(expected_table().assign(timestamp=pd.Timestamp("2024-03-01")))
    df.to_parquet(tmp_path / "j.parquet")
    out = read_journeys(tmp_path / "j.parquet")
    pd.testing.assert_frame_equal(out, df)


def test_xlsx_round_trip_and_sheets(tmp_path):
    df = validate(expected_table())
    path = tmp_path / "j.xlsx"
    other = df.assign(rating=lambda d: d["rating"] - 1)
    with pd.ExcelWriter(path) as xl:
        df.to_excel(xl, sheet_name="first", index=False)
        other.to_excel(xl, sheet_name="second", index=False)
    pd.testing.assert_frame_equal(read_journeys(path), df)
    assert read_journeys(path, sheet="second")["rating"].tolist() == [5.0, 5.0, 7.0, 7.0]
    assert read_journeys(path, sheet=1)["rating"].tolist() == [5.0, 5.0, 7.0, 7.0]
    with pytest.raises(ValueError, match="third"):
        read_journeys(path, sheet="third")


def test_xlsx_with_dutch_numbers_typed_as_text(tmp_path):
    df = expected_table()[HEADER].astype({"score": object})
    df["score"] = ["72,5", "10,25", "50", "99,5"]
    df.to_excel(tmp_path / "t.xlsx", index=False)
    assert read_journeys(tmp_path / "t.xlsx")["score"].tolist() == [72.5, 10.25, 50.0, 99.5]


def test_public_names():
    assert jl.read_journeys is read_journeys
    assert jl.from_wide is from_wide


# --- from_wide -------------------------------------------------------------------------------------


@pytest.fixture
def survey():
    return pd.DataFrame({
        "resp": ["r1", "r2", "r3"],
        "web": [5, 0, 3],
        "phone": [1, 2, 0],
        "mail": [0, 4, 99],
        "overall": [6.0, np.nan, 9.0],
        "nps": [0, 7, 10],
        "segment": ["a", "b", "a"],
    })


def melt(survey, **kwargs):
    options = dict(touchpoints=["web", "phone", "mail"], rating="overall", score_scale="likert5",
                   rating_scale="stars10", id="resp", missing=(0, 99))
    options.update(kwargs)
    return from_wide(survey, **options)


def test_from_wide_melts_in_touchpoint_order(survey):
    before = survey.copy()
    with pytest.warns(UserWarning):
        out = melt(survey, recommend="nps", keep=["segment"])
    pd.testing.assert_frame_equal(survey, before)  # input untouched
    assert out["journey_id"].tolist() == ["r1"] * 3 + ["r2"] * 3 + ["r3"] * 3
    assert out["step"].tolist() == [1, 2, 3] * 3
    assert out["touchpoint"].tolist() == ["web", "phone", "mail"] * 3
    np.testing.assert_array_equal(out["score"], [5, 1, np.nan, np.nan, 2, 4, 3, np.nan, np.nan])
    np.testing.assert_array_equal(out["rating"], np.repeat([6.0, np.nan, 9.0], 3))
    # the missing codes do not touch the recommend answer, where 0 is a real answer
    assert out["recommend"].tolist() == [0.0] * 3 + [7.0] * 3 + [10.0] * 3
    assert out["segment"].tolist() == ["a"] * 3 + ["b"] * 3 + ["a"] * 3
    assert (out["score_scale"] == "likert5").all() and (out["rating_scale"] == "stars10").all()
    pd.testing.assert_frame_equal(out, validate(out))  # already in the contract


def test_from_wide_one_warning_counting_codes_per_column(survey):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        melt(survey)
    assert len(caught) == 1
    w = caught[0]
    assert issubclass(w.category, UserWarning)
    assert str(w.message) == (
        "4 answers coded as missing (0, 99) set to NaN: 'web' 1, 'phone' 1, 'mail' 2."
    )
    assert w.filename == __file__  # stacklevel points at the caller


def test_from_wide_no_codes_no_warning(survey):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = melt(survey.assign(web=[5, 1, 3], phone=[1, 2, 3], mail=[2, 4, 3]))
    assert out["score"].notna().all()


def test_from_wide_default_ids_and_renamed_touchpoints(survey):
    with pytest.warns(UserWarning):
        out = melt(survey, id=None, touchpoints={"mail": "e-mail", "web": "website"},
                   score_scale={"mail": "likert5", "web": "stars10"})
    assert out["journey_id"].tolist() == [1, 1, 2, 2, 3, 3]
    assert out["journey_id"].dtype == "int64"
    assert out["touchpoint"].tolist() == ["e-mail", "website"] * 3
    assert out["score_scale"].astype(str).tolist() == ["likert5", "stars10"] * 3
    np.testing.assert_array_equal(out["score"], [np.nan, 5, 4, np.nan, np.nan, 3])


def test_from_wide_off_scale_names_wide_row_and_column(survey):
    bad = survey.assign(phone=[1, 7, 2], overall=[6.0, 11.0, 9.0])
    with pytest.raises(JourneyDataError) as err:
        melt(bad)
    msg = str(err.value)
    assert "row 3, column 'phone': value 7" in msg
    assert "row 3, column 'overall': value 11.0" in msg
    assert err.value.total == 2  # the rating is reported once, not once per touchpoint


def test_from_wide_off_scale_message_is_the_schema_one(survey):
    bad = survey.assign(phone=[1, 7, 2])
    with pytest.raises(JourneyDataError) as err:
        melt(bad)
    assert ("row 3, column 'phone': value 7: not a valid answer on scale 'likert5' "
            "(expected a whole number from 1 to 5)") in str(err.value)


def test_from_wide_rating_scale_per_respondent(survey):
    # r1 rated on 1-5, r2 and r3 on 1-10: each journey keeps its own scale
    mixed = survey.assign(overall=[4.0, np.nan, 9.0], scale=["likert5", "stars10", "stars10"])
    with pytest.warns(UserWarning):
        out = melt(mixed, rating_scale="scale")
    assert out["rating_scale"].astype(str).tolist() == ["likert5"] * 3 + ["stars10"] * 6
    np.testing.assert_array_equal(out["rating"], np.repeat([4.0, np.nan, 9.0], 3))
    assert "scale" not in out.columns
    pd.testing.assert_frame_equal(out, validate(out))
    # a categorical scale column keeps its categories (so loaders get one dtype)
    cat = mixed.assign(scale=pd.Categorical(["stars10"] * 3, categories=["likert5", "stars10"]))
    with pytest.warns(UserWarning):
        out = melt(cat, rating_scale="scale")
    assert out["rating_scale"].cat.categories.tolist() == ["likert5", "stars10"]


def test_from_wide_rating_scale_column_checked_row_by_row(survey):
    # 9 is fine on stars10 (row 2) but not on likert5 (row 4); row 3 has no scale name
    bad = survey.assign(overall=[9.0, 3.0, 9.0], scale=["stars10", None, "likert5"])
    with pytest.raises(JourneyDataError) as err:
        melt(bad, rating_scale="scale")
    msg = str(err.value)
    assert ("row 4, column 'overall': value 9.0: not a valid answer on scale 'likert5' "
            "(expected a whole number from 1 to 5, per column 'scale')") in msg
    assert "row 3, column 'scale'" in msg and "scale name is missing" in msg
    assert "row 2" not in msg
    assert err.value.total == 2
    with pytest.raises(JourneyDataError, match=r"row 2, column 'scale': value 'stars11': "
                                               r"unknown scale \(did you mean 'stars10'\?\)"):
        melt(bad.assign(scale=["stars11", "stars10", "stars10"]), rating_scale="scale")


def test_from_wide_rating_scale_name_wins_over_a_column_of_that_name(survey):
    with pytest.warns(UserWarning):
        out = melt(survey.assign(stars10="likert5"), rating_scale="stars10")
    assert (out["rating_scale"] == "stars10").all()
    with pytest.raises(ValueError, match="Unknown scale 'no_such_column'"):
        melt(survey, rating_scale="no_such_column")


def test_from_wide_non_number_and_repeated_id(survey):
    bad = survey.assign(web=["5", "good", 3], resp=["r1", "r2", "r1"])
    with pytest.raises(JourneyDataError) as err:
        melt(bad)
    msg = str(err.value)
    assert "row 3, column 'web': value 'good': web is not a number" in msg
    assert "row 4, column 'resp': value 'r1': respondent id repeated (already on row 2)" in msg


def test_from_wide_unknown_column_suggests(survey):
    with pytest.raises(ValueError, match=r"'phnoe' \(did you mean 'phone'\?\)"):
        melt(survey, touchpoints=["web", "phnoe"])
    with pytest.raises(ValueError, match="`rating`"):
        melt(survey, rating="overal")
    with pytest.raises(ValueError, match="Unknown scale 'likert6'"):
        melt(survey, score_scale="likert6")
    with pytest.raises(ValueError, match="contract"):
        melt(survey, keep=["score"])


def test_from_wide_is_vectorised_on_a_big_table():
    rng = np.random.default_rng(1)
    n = 200_000
    wide = pd.DataFrame({f"tp{i}": rng.integers(0, 6, n) for i in range(6)})
    wide["overall"] = rng.integers(1, 11, n)
    with pytest.warns(UserWarning, match="coded as missing"):
        out = from_wide(wide, touchpoints=[f"tp{i}" for i in range(6)], rating="overall",
                        score_scale="likert5", rating_scale="stars10", missing=0)
    assert len(out) == 6 * n
    assert out["score"].isna().sum() == int((wide.filter(like="tp") == 0).to_numpy().sum())
    assert out["score"].iloc[6 * 123 + 4] == (np.nan if wide["tp4"].iat[123] == 0
                                              else wide["tp4"].iat[123])


def test_read_table_then_from_wide_on_a_dutch_export(tmp_path):
    text = "Respondent;Website;Telefoon;Totaal\nr1;4;0;7,5\nr2;2;5;6\n"
    raw = read_table(write(tmp_path / "wide.csv", text, encoding="cp1252"))
    assert raw["Totaal"].tolist() == [7.5, 6.0]
    with pytest.warns(UserWarning, match="1 answer coded as missing"):
        out = from_wide(raw, touchpoints=["Website", "Telefoon"], rating="Totaal",
                        score_scale="likert5", rating_scale="percent", id="Respondent", missing={0})
    np.testing.assert_array_equal(out["score"], [4, np.nan, 2, 5])
    np.testing.assert_array_equal(out["rating"], [7.5, 7.5, 6.0, 6.0])


def test_read_table_does_not_validate(tmp_path):
    raw = read_table(write(tmp_path / "any.csv", "a;b\n1;x\n"))
    assert raw.columns.tolist() == ["a", "b"]
    assert raw["a"].tolist() == [1]


@pytest.mark.parametrize("dtype", [object, "str"])
def test_integer_ids_only_for_plain_whole_numbers(dtype):
    def ids(values):
        return _integer_ids(pd.Series(values, dtype=dtype))

    assert ids(["1", "22", "-3"]).tolist() == [1, 22, -3]
    assert ids(["1", "22", "-3"]).dtype == "int64"
    for codes in (["1", "007"], ["1", "+2"], ["1", " 2"], ["1", "2.0"], ["1", "A"],
                  ["1", "99999999999999999999"]):
        assert ids(codes) is None, codes


def test_excel_unicode_text_export_utf16_tabs(tmp_path):
    path = write(tmp_path / "unicode.txt", SEMICOLON_CSV.replace(";", "\t").replace('"x\ty"', "x;y"),
                 encoding="utf-16")
    assert path.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    out = read_journeys(path)
    assert out["touchpoint"].iloc[1] == "café"
    assert out["score"].tolist() == [72.5, 10.25, 50.0, 99.5]


def test_excel_separator_line(tmp_path):
    # Excel's separator line is not the header, and the hint wins over sniffing
    text = "sep=;\n" + SEMICOLON_CSV
    out = read_journeys(write(tmp_path / "hint.csv", text))
    pd.testing.assert_frame_equal(out, read_journeys(write(tmp_path / "plain.csv", COMMA_CSV)))
    header = "journey_id,step;touchpoint,x,y,z;score;score_scale;rating;rating_scale\n"
    raw = read_table(write(tmp_path / "h.csv", "sep=;\n" + header + "1,5;web,a,b,c;4;likert5;3;likert5\n"))
    assert raw.columns.tolist() == ["journey_id,step", "touchpoint,x,y,z", "score", "score_scale",
                                    "rating", "rating_scale"]
    assert raw.iloc[0, 0] == 1.5


# --- decoding (issue 12, item 4) ---------------------------------------------------------------

HEADER_LINE = ",".join(HEADER) + "\n"


def test_stray_windows_byte_in_a_utf8_file_stays_one_touchpoint(tmp_path):
    # line 3 holds café with é as the single Windows-1252 byte 0xE9; lines 2 and 4 are UTF-8
    raw = ((HEADER_LINE + "1,1,café,4,likert5,3,likert5\n").encode("utf-8")
           + b"1,2,caf\xe9,2,likert5,3,likert5\n"
           + "1,3,web,5,likert5,3,likert5\n2,1,café,3,likert5,4,likert5\n".encode())
    path = tmp_path / "stray.csv"
    path.write_bytes(raw)
    with pytest.warns(UserWarning) as rec:
        out = read_journeys(path)
    assert out["touchpoint"].tolist() == ["café", "café", "web", "café"]  # not 'cafÃ©'
    assert out["touchpoint"].nunique() == 2
    message = str(rec[0].message)
    assert "stray.csv" in message and "line 3" in message and r"b'\xe9'" in message
    assert len(rec) == 1 and rec[0].filename == __file__
    # journey 1: three contacts with two distinct touchpoints -> one repeat (by hand)
    summary = jl.journey_summary(out, metrics=["n_repeats"])
    assert summary.set_index("journey_id")["n_repeats"].to_dict() == {1: 1, 2: 0}


def test_stray_byte_refused_with_encoding_utf8(tmp_path):
    path = tmp_path / "stray.csv"
    path.write_bytes((HEADER_LINE + "1,1,web,4,likert5,3,likert5\n").encode() +
                     b"1,2,caf\xe9,2,likert5,3,likert5\n")
    with pytest.raises(JourneyDataError) as err:
        read_table(path, encoding="utf-8")
    msg = str(err.value)
    assert "stray.csv" in msg and "line 3" in msg and r"b'\xe9'" in msg


def test_whole_windows_1252_file_reads_silently(tmp_path):
    path = write(tmp_path / "nl.csv", SEMICOLON_CSV, encoding="cp1252")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an ordinary western export: no warning
        out = read_journeys(path)
    assert out["touchpoint"].tolist() == ["webshop", "café", "phone", "email"]
    assert out["amount"].tolist() == [1234.5, 2.0, 3.25, 1000.0]


def test_other_code_page_is_named_not_guessed(tmp_path):
    text = "resp;plaats;web\nr1;Łódź;4\nr2;Kraków;5\nr3;Gdańsk;3\n"
    path = write(tmp_path / "pl.csv", text, encoding="cp1250")
    with pytest.warns(UserWarning) as rec:
        wrong = read_table(path)
    assert wrong["plaats"].iloc[0] == "£ódŸ"  # what Windows-1252 makes of it, said aloud
    message = str(rec[0].message)
    assert "pl.csv" in message and "line 2" in message and "£ódŸ" in message
    assert "encoding='cp1250'" in message and "'Łódź'" in message
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        right = read_table(path, encoding="cp1250")
    assert right["plaats"].tolist() == ["Łódź", "Kraków", "Gdańsk"]
    assert right["web"].tolist() == [4, 5, 3]


def test_encoding_given_is_the_only_one(tmp_path):
    path = write(tmp_path / "x.csv", "a;b\nŁódź;1\n", encoding="utf-8")
    with pytest.raises(JourneyDataError, match=r"x\.csv(.|\n)*line 2"):
        read_table(path, encoding="ascii")
    with pytest.raises(ValueError, match="Unknown encoding 'klingon'"):
        read_table(path, encoding="klingon")
    with pytest.raises(ValueError, match="text files"):
        validate(expected_table()).to_parquet(tmp_path / "x.parquet")
        read_table(tmp_path / "x.parquet", encoding="cp1252")


def test_utf16_without_bom_is_read_and_said(tmp_path):
    path = write(tmp_path / "u.csv", COMMA_CSV, encoding="utf-16-le")
    assert path.read_bytes()[:2] == b"j\x00"  # no byte-order mark
    with pytest.warns(UserWarning, match=r"UTF-16 \(utf-16-le\).*encoding='utf-16-le'"):
        out = read_journeys(path)
    pd.testing.assert_frame_equal(out, read_journeys(write(tmp_path / "plain.csv", COMMA_CSV)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again = read_journeys(path, encoding="utf-16-le")
    assert again["touchpoint"].iloc[1] == "café"


# --- missing tokens, spreadsheet errors, dates, ids (item 5) -------------------------------------


def test_missing_tokens_mean_missing_in_every_format(tmp_path):
    wide = pd.DataFrame({"resp": ["r1", "r2", "r3", "r4"], "web": ["4", "n/a", "NULL", " NA "],
                         "overall": ["7", "8", "9", "none"]})
    wide.to_csv(tmp_path / "w.csv", index=False)
    wide.to_excel(tmp_path / "w.xlsx", index=False)
    wide.to_parquet(tmp_path / "w.parquet")
    options = dict(touchpoints=["web"], rating="overall", score_scale="likert5",
                   rating_scale="stars10", id="resp")
    results = [from_wide(wide, **options)]
    for name in ("w.csv", "w.xlsx", "w.parquet"):
        results.append(from_wide(read_table(tmp_path / name), **options))
    for out in results:
        np.testing.assert_array_equal(out["score"], [4, np.nan, np.nan, np.nan])
        np.testing.assert_array_equal(out["rating"], [7, 8, 9, np.nan])
    # in a text column the same word is text: a touchpoint may be called "NA"
    raw = read_table(write(tmp_path / "t.csv", "name,x\nNA,1\nnull,2\n"))
    assert raw["name"].tolist() == ["NA", "null"]


def test_spreadsheet_errors_in_a_csv_are_reported_not_missing(tmp_path):
    lines = COMMA_CSV.splitlines()
    lines[2] = lines[2].replace(",10.25,", ",#DIV/0!,")
    path = write(tmp_path / "e.csv", "\n".join(lines) + "\n")
    assert read_table(path)["score"].tolist()[1] == "#DIV/0!"
    with pytest.raises(JourneyDataError, match=r"e\.csv(.|\n)*row 3, column 'score'.*#DIV/0!"):
        read_journeys(path)


def _workbook(path, rows, title="Data"):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_excel_error_cell_is_reported_with_row_and_column(tmp_path):
    rows = [HEADER, [1, 1, "web", 4, "likert5", 3, "likert5"],
            [1, 2, "mail", "#N/A", "likert5", 3, "likert5"]]
    path = _workbook(tmp_path / "e.xlsx", rows)
    assert read_table(path)["score"].tolist() == [4, "#N/A"]  # kept, not NaN
    with pytest.raises(JourneyDataError) as err:
        read_journeys(path)
    assert "row 3, column 'score': value '#N/A'" in str(err.value)
    assert "spreadsheet error" in str(err.value)


def test_excel_formula_without_saved_result_names_sheet_and_cell(tmp_path):
    rows = [HEADER, [1, 1, "web", 4, "likert5", 3, "likert5"],
            [1, 2, "mail", "=D2-1", "likert5", 3, "likert5"]]
    path = _workbook(tmp_path / "f.xlsx", rows, title="Reizen")  # openpyxl saves no results
    with pytest.raises(JourneyDataError) as err:
        read_table(path)
    msg = str(err.value)
    assert "f.xlsx" in msg and "sheet 'Reizen', cell D3" in msg and "'=D2-1'" in msg
    assert "saved result" in msg


def test_excel_formula_with_saved_result_is_read(tmp_path):
    import zipfile

    rows = [HEADER, [1, 1, "web", 4, "likert5", 3, "likert5"],
            [1, 2, "mail", "=D2-1", "likert5", 3, "likert5"]]
    path = _workbook(tmp_path / "f.xlsx", rows)
    # store a result for D3 the way Excel does (<v>3</v> after the formula)
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    assert "<f>D2-1</f><v />" in sheet
    parts["xl/worksheets/sheet1.xml"] = sheet.replace("<f>D2-1</f><v />", "<f>D2-1</f><v>3</v>").encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    assert read_journeys(path)["score"].tolist() == [4.0, 3.0]


def test_comma_file_with_ambiguous_dates_warns_and_dayfirst_decides(tmp_path):
    text = (HEADER_LINE.strip() + ",timestamp\n"
            "1,1,web,4,likert5,3,likert5,03/04/2026 10:00\n"
            "1,2,mail,2,likert5,3,likert5,05/04/2026 09:00\n")
    path = write(tmp_path / "d.csv", text)
    with pytest.warns(UserWarning, match="dayfirst=True") as rec:
        out = read_journeys(path)
    assert rec[0].filename == __file__
    assert out["timestamp"].dt.month.tolist() == [3, 5]  # month first, and said so
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        day = read_journeys(path, dayfirst=True)
        month = read_table(path, dayfirst=False)
    assert day["timestamp"].tolist() == [pd.Timestamp("2026-04-03 10:00"),
                                         pd.Timestamp("2026-04-05 09:00")]
    assert month["timestamp"].dt.month.tolist() == [3, 5]
    # a date with a day above 12 decides for the whole column, without a warning
    decided = text.replace("05/04/2026", "25/04/2026")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = read_journeys(write(tmp_path / "d2.csv", decided))
    assert out["timestamp"].dt.day.tolist() == [3, 25]


def test_semicolon_file_with_ambiguous_dates_reads_day_first_and_says_so(tmp_path):
    text = ("journey_id;step;touchpoint;score;score_scale;rating;rating_scale;timestamp\n"
            "1;1;web;4;likert5;3;likert5;03-04-2026\n")
    with pytest.warns(UserWarning, match="day first.*';'.*dayfirst=False"):
        out = read_journeys(write(tmp_path / "nl.csv", text))
    assert out["timestamp"].iloc[0] == pd.Timestamp("2026-04-03")


def test_journey_ids_beyond_int64_stay_exact(tmp_path):
    big = [2**63, 2**64 + 1]
    text = HEADER_LINE + "".join(f"{i},1,web,4,likert5,3,likert5\n" for i in big)
    out = read_journeys(write(tmp_path / "ids.csv", text))
    assert out["journey_id"].tolist() == [str(i) for i in big]  # text, never wrapped negative
    assert out["journey_id"].nunique() == 2


# --- from_wide reads cells like every path ------------------------------------------------------


def test_from_wide_reports_true_error_values_and_words_each_in_its_own_words(survey):
    bad = survey.assign(web=pd.Series([True, "#N/A", "zes"], dtype=object))
    with pytest.raises(JourneyDataError) as err:
        melt(bad)
    msg = str(err.value)
    assert err.value.total == 3
    assert f"row 2, column 'web': value True: {MESSAGES['bool'].format(column='web')}" in msg
    assert (f"row 3, column 'web': value '#N/A': "
            f"{MESSAGES['error_value'].format(column='web', value='#N/A')}") in msg
    assert f"row 4, column 'web': value 'zes': {MESSAGES['not_number'].format(column='web')}" in msg


def test_from_wide_true_false_on_a_binary_scale(survey):
    ok = survey.assign(rec=[True, False, True])
    with pytest.warns(UserWarning):
        out = melt(ok, recommend="rec", recommend_scale="binary")
    assert out["recommend"].tolist() == [1.0] * 3 + [0.0] * 3 + [1.0] * 3


def test_from_wide_refuses_a_repeated_column_name(survey):
    twin = pd.concat([survey, survey[["web"]]], axis=1)
    assert list(twin.columns).count("web") == 2
    with pytest.raises(JourneyDataError, match=r"column 'web'.*2 columns named 'web'"):
        melt(twin)
    spaced = survey.assign(**{"web ": 1})
    with pytest.raises(JourneyDataError, match="spaces ignored"):
        melt(spaced)


def test_from_wide_missing_codes_per_column(survey):
    # a dict applies to the columns it names only: 0 is missing for web, 99 for mail
    answers = survey.assign(phone=[1, 2, 3], mail=[1, 4, 99])
    with pytest.warns(UserWarning) as rec:
        out = melt(answers, missing={"web": 0, "mail": [99]})
    assert str(rec[0].message) == ("2 answers coded as missing set to NaN: 'web' 1 (0), "
                                   "'mail' 1 (99).")
    np.testing.assert_array_equal(out["score"].to_numpy().reshape(3, 3),
                                  [[5, 1, 1], [np.nan, 2, 4], [3, 3, np.nan]])
    # web is not named: its 0 is an answer, and off the 1-5 scale
    with pytest.raises(JourneyDataError, match=r"row 3, column 'web': value 0"):
        melt(answers, missing={"mail": [99]})
    with pytest.raises(ValueError, match=r"`missing` gives codes for \['wifi'\]"):
        melt(survey, missing={"wifi": 0})


def test_from_wide_wrong_argument_types(survey):
    with pytest.raises(TypeError, match="`touchpoints` must be a list"):
        melt(survey, touchpoints=5)
    with pytest.raises(TypeError, match="`touchpoints` must name columns"):
        melt(survey, touchpoints=[["web"]])
    with pytest.raises(JourneyDataError, match=r"row 2, column 'resp': value \['r1'\]: a respondent "
                                               "id must be one value"):
        melt(survey.assign(resp=[["r1"], "r2", "r3"]))


@pytest.mark.parametrize("chunk", [4, 5, 7, 1 << 24])
def test_code_page_marks_are_found_across_chunk_edges(monkeypatch, chunk):
    from journeylib.io import decode as dec

    monkeypatch.setattr(dec, "_CHUNK", chunk)
    for word, codec, mark in (("Łódź", "cp1250", "Ÿ"), ("może", "cp1250", "¿"),
                              ("Привет", "cp1251", "Ï")):
        raw = ("abc;def\n" + "x;" + word + "\n").encode(codec)
        at = dec._first_odd(raw)
        assert at is not None and raw.decode("cp1252")[at] == mark, (word, chunk, at)
    assert dec._first_odd("naïve coöperatie één; Øresund «oui» 20°C m³\n".encode("cp1252")) is None
    assert dec._has_utf8("x;café\n".encode()) and not dec._has_utf8("x;café\n".encode("cp1252"))
    assert dec._has_utf8(b"abc\xe2\x82\xac")  # a 3-byte sequence at the very end


def test_text_dates_in_a_workbook_are_not_assumed_day_first(tmp_path):
    rows = [[*HEADER, "timestamp"], [1, 1, "web", 4, "likert5", 3, "likert5", "03/04/2026"],
            [1, 2, "mail", 2, "likert5", 3, "likert5", "05/04/2026"]]
    path = _workbook(tmp_path / "d.xlsx", rows)
    with pytest.warns(UserWarning, match="month first"):
        out = read_journeys(path)
    assert out["timestamp"].dt.month.tolist() == [3, 5]
    assert read_journeys(path, dayfirst=True)["timestamp"].dt.month.tolist() == [4, 4]


def test_excel_rows_above_the_header_count_in_messages(tmp_path):
    """Blank rows above the header are skipped; the error still names the sheet's own row."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append([])
    ws.append([])
    ws["A1"] = None
    ws.append(["journey_id", "step", "touchpoint", "score", "score_scale", "rating", "rating_scale"])
    ws.append([1, 1, "web", 4, "likert5", 3, "likert5"])
    ws.append([1, 2, "mail", 9, "likert5", 3, "likert5"])  # sheet row 5
    path = tmp_path / "titled.xlsx"
    wb.save(path)
    with pytest.raises(JourneyDataError) as err:
        read_journeys(path)
    assert err.value.problems[0]["row"] == 5 and err.value.problems[0]["column"] == "score"


# --- from_wide: order, outcomes as they come (issues 13 item 1, 14 item 2) -------------------------


def test_from_wide_items_have_no_order_unless_told(survey, tmp_path):
    answers = survey.assign(web=[5, 1, 3], phone=[1, 2, 3], mail=[2, 4, 3])
    items = melt(answers)
    assert items["ordered"].dtype == bool and not items["ordered"].any()
    s = jl.journey_summary(items)
    for metric in ("first", "last", "peak_end", "trend"):
        assert s[metric].isna().all(), metric
    np.testing.assert_allclose(s["mean"], jl.valence([[5, 1, 2], [1, 2, 4], [3, 3, 3]],
                                                     "likert5").mean(axis=1))
    journey = melt(answers, ordered=True)
    assert journey["ordered"].all()
    t = jl.journey_summary(journey)
    # peak-end by hand: the most extreme moment (the later on a tie) and the last, on valence
    np.testing.assert_allclose(t["last"], jl.valence([2, 4, 3], "likert5"))
    # [5, 1, 2] -> [1, -1, -0.5]: peak -1 (the later of a tie), end -0.5; [1, 2, 4]: peak -1, end 0.5
    np.testing.assert_allclose(t["peak_end"], [(-1 - 0.5) / 2, (-1 + 0.5) / 2, (0 + 0) / 2])
    # the flag is a column: it survives a CSV round trip and pd.concat
    items.to_csv(tmp_path / "items.csv", index=False)
    back = read_journeys(tmp_path / "items.csv")
    assert back["ordered"].dtype == bool and not back["ordered"].any()
    both = pd.concat([items, journey.assign(journey_id=journey["journey_id"] + "x")])
    s2 = jl.journey_summary(both)
    assert s2["last"].isna().sum() == 3 and s2["last"].notna().sum() == 3
    with pytest.raises(ValueError, match="`ordered` must be one of"):
        melt(answers, ordered="yes")


def test_from_wide_scalar_missing_codes_touch_touchpoints_only(survey):
    # "0 = dissatisfied" is an answer on a binary rating: a scalar code never wipes it
    answers = survey.assign(overall=[0, 1, 0])
    with pytest.warns(UserWarning, match=r"'web' 1, 'phone' 1, 'mail' 2\.$"):
        out = melt(answers, rating_scale="binary")
    assert out.groupby("journey_id")["rating"].first().tolist() == [0.0, 1.0, 0.0]
    # named in a dict, the rating's code applies
    with pytest.warns(UserWarning, match=r"'overall' 2 \(0\)"):
        out = melt(answers.assign(overall=[0, 7, 0], phone=[1, 2, 3], mail=[1, 4, 3]),
                   missing={"overall": 0, "web": 0})
    assert out.groupby("journey_id")["rating"].first().isna().tolist() == [True, False, True]


def test_from_wide_label_map_for_the_rating(survey):
    words = survey.assign(overall=["Satisfied", "neutral or dissatisfied ", None])
    with pytest.warns(UserWarning):
        out = melt(words, rating_scale="binary",
                   rating_map={"satisfied": 1, "neutral or dissatisfied": 0})
    rating = out.groupby("journey_id")["rating"].first()
    assert rating.iloc[:2].tolist() == [1.0, 0.0] and np.isnan(rating.iloc[2])
    with pytest.raises(JourneyDataError) as err:
        melt(words.assign(overall=["satisfied", "happy", "neutral"]), rating_scale="binary",
             rating_map={"satisfied": 1, "neutral or dissatisfied": 0})
    msg = str(err.value)
    assert "row 3, column 'overall': value 'happy': not an answer `rating_map` names" in msg
    assert "row 4, column 'overall': value 'neutral'" in msg and err.value.total == 2
    with pytest.raises(ValueError, match="every answer must map to a number"):
        melt(words, rating_map={"satisfied": "1"})
    with pytest.raises(ValueError, match="`recommend_map` is given but `recommend` is not"):
        melt(words, recommend_map={"yes": 1})


@pytest.mark.parametrize("yes, no", [("yes", "no"), ("JA", "Nee"), ("True", "false"),
                                     (True, False)])
def test_from_wide_yes_no_words_on_a_binary_scale(survey, yes, no):
    with pytest.warns(UserWarning):
        out = melt(survey.assign(rec=[yes, no, yes]), recommend="rec", recommend_scale="binary")
    assert out.groupby("journey_id")["recommend"].first().tolist() == [1.0, 0.0, 1.0]


def test_from_wide_yes_no_words_only_on_a_binary_scale(survey):
    with pytest.raises(JourneyDataError, match=r"row 2, column 'rec': value 'yes'"):
        melt(survey.assign(rec=["yes", "no", "yes"]), recommend="rec")


def test_from_wide_recommend_without_a_rating(survey):
    reviews = survey.assign(web=[5, 1, 3], phone=[1, 2, 3], mail=[2, 4, 3],
                            rec=["yes", "no", "yes"]).drop(columns="overall")
    out = melt(reviews, rating=None, rating_scale=None, recommend="rec", recommend_scale="binary")
    assert out["rating"].isna().all() and out["rating_scale"].iloc[0] == "binary"
    s = jl.journey_summary(out)
    assert s["recommend"].tolist() == [1.0, 0.0, 1.0]
    with pytest.raises(ValueError, match="needs an outcome"):
        melt(reviews, rating=None, rating_scale=None)
    with pytest.raises(ValueError, match="`rating_scale` is needed with `rating`"):
        melt(survey, rating_scale=None)


def test_from_wide_names_the_files_rows(tmp_path):
    """A table read from a file with rows above its header: from_wide names the file's rows."""
    path = tmp_path / "s.csv"
    path.write_text("resp,web,overall\nr1,4,7\nr2,9,8\n", encoding="utf-8")
    table = read_table(path)
    table.attrs["journeylib.row_offset"] = 3
    with pytest.raises(JourneyDataError, match=r"row 6, column 'web': value 9"):
        from_wide(table, touchpoints=["web"], rating="overall", score_scale="likert5",
                  rating_scale="stars10", id="resp")
