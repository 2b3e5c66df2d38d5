"""Smiley diaries (issue 5): seed 001, the example diary, repair, round trip, errors, CLI."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeylib.__main__ import main
from journeylib.datasets._diary import load_example_diary
from journeylib.diary import COLUMNS, read_diary, to_diary
from journeylib.encoding import DROPPED_BYTES, corrupt_text, repair_text
from journeylib.scales import CANONICAL_FACES, FACES
from journeylib.schema import JourneyDataError, validate

SEED_FACES = ["😃", "🙂", "🙁", "😐", "🙂", "😐", "🙂", "😕", "😖", "😃"]
SEED_SCORES = [2, 1, -1, 0, 1, 0, 1, -1, -2, 2]
SEED_STOPS = [1, 2, 3, 4, 5, 6, 7, 7, 8, 9]


def _thai(s: str) -> bool:
    return any("\u0e00" <= c <= "\u0e7f" for c in s)


def _loses_a_byte(ch: str) -> bool:
    return any(b in DROPPED_BYTES for b in ch.encode("utf-8"))


@pytest.fixture(scope="module")
def seed001(seeds_dir):
    (path,) = sorted(seeds_dir.glob("001_*.txt"))
    return path


# --- seed 001 ------------------------------------------------------------------------------------

def test_seed001_reads_as_specified(seed001):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # every face resolves: no warning
        df = read_diary(seed001)
    assert list(df.columns) == COLUMNS
    assert df["step"].tolist() == list(range(1, 11))
    assert df["stop"].tolist() == SEED_STOPS
    assert df["face"].tolist() == SEED_FACES
    assert df["score"].tolist() == SEED_SCORES
    assert df["touchpoint"].tolist()[:4] == ["webshop", "email-updates", "live tracking",
                                             "FAQ webshop"]
    # the extra moment in stop 7 keeps the stop's touchpoint
    assert df["touchpoint"].iloc[7] == df["touchpoint"].iloc[6]
    assert "hét eerste-hulp" in df["text"].iloc[3]
    assert "geïnformeerd" in df["text"].iloc[8]
    assert not df["text"].map(_thai).any() and not _thai(df.attrs["intro"])
    assert df["repaired"].all() and not df["ambiguous"].any()
    assert df["rating"].isna().all() and (df["rating_scale"] == "smiley5").all()
    assert df.attrs["label"] == "Halte" and df.attrs["intro"].startswith("March 24, 2024")
    assert df.attrs["conclusion"] == ""
    pd.testing.assert_frame_equal(df, validate(df))


def test_seed001_repair_report(seed001):
    raw = seed001.read_text(encoding="utf-8")
    fixed, report = repair_text(raw, report=True)
    # the correct curly quotes of the seed stay as they are
    for quote in "‘’”":
        assert fixed.count(quote) == raw.count(quote) > 0
    assert fixed.count("\n") == raw.count("\n") and not _thai(fixed)
    # one change per face plus é and ï; truncated exactly where a face's UTF-8 has a lost byte
    assert len(report) == len(SEED_FACES) + 2
    truncated = report[report["method"] == "cp874-truncated"]
    assert truncated["after"].tolist() == [f for f in SEED_FACES if _loses_a_byte(f)]
    assert set(report.loc[report["method"] == "cp874", "after"]) == {
        f for f in SEED_FACES if not _loses_a_byte(f)} | {"é", "ï"}
    assert not report["ambiguous"].any()


# --- repair ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("broken", "expected"), [
    ("ðŸ˜ƒ hÃ©t", "😃 hét"),  # classic cp1252 (ftfy)
    ("ðŸ™‚ ‘okÃ©’", "🙂 ‘oké’"),  # ftfy would uncurl the ‚ of 🙂 by default
    ("ðŸ™ Halte", "🙁 Halte"),  # classic and truncated: the space is not a lost 0xA0
    ("๐Ÿ˜ Halte", "😐 Halte"),
    ("โ˜น๏ธ x", "☹️ x"),  # lost 0x8F of U+FE0F after an emoji: the variation selector
    ("รฉรฉn coรถrdinatie", "één coördinatie"),
])
def test_repair_text_examples(broken, expected):
    assert repair_text(broken) == expected


def test_repair_leaves_correct_text_alone():
    text = "😃 ‘Hé’, zei ze – “één” € 5… naïve coördinatie café–bar ☹️ :-)\n\n🙁 ok"
    fixed, report = repair_text(text, report=True)
    assert fixed == text and report.empty


def test_truncated_without_canonical_face_is_ambiguous():
    # U+1F910 (F0 9F A4 90) loses 0x90; none of the candidates is a canonical face
    broken = corrupt_text("\U0001f910 x")
    with pytest.warns(UserWarning, match="could not be resolved"):
        fixed, report = repair_text(broken, report=True)
    assert fixed == "\ufffd x"
    assert report["ambiguous"].tolist() == [True]
    assert "\U0001f910" in report["candidates"].iloc[0].split()


text_chars = st.sampled_from(list("abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ0123456789.,!?;:-()'\"")
                             + list("éëïöüèàçĳ‘’“–—€…") + list(CANONICAL_FACES))
# classic mojibake is repaired by ftfy, whose heuristics want words, not character soup
text_words = st.lists(st.one_of(
    st.text(st.sampled_from(list("abcdefghijklmnopqrstuvwxyzéëïöüèàçĳ")), min_size=2, max_size=9),
    st.sampled_from(["‘zo’", "“ja“,", "–", "€ 5", "…", ",", "."]), st.sampled_from(list(CANONICAL_FACES)),
), max_size=12).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(text=st.text(text_chars, max_size=60))
def test_repair_property_cp874(text):
    """Correct text is left alone; text broken like seed 001 comes back exactly."""
    assert repair_text(text) == text
    assert repair_text(corrupt_text(text)) == text


@settings(max_examples=100, deadline=None)
@given(text=text_words)
def test_repair_property_cp1252(text):
    """The same for classic Windows-1252 mojibake, on text made of words."""
    assert repair_text(text) == text
    assert repair_text(corrupt_text(text, codepage="cp1252")) == text


def test_corrupt_text_codepage_option():
    with pytest.raises(ValueError, match="`codepage` must be one of"):
        corrupt_text("x", codepage="latin-9")


# --- the example diary -----------------------------------------------------------------------------

def test_example_diary_files(repo_root):
    clean = (repo_root / "data" / "example_diary.txt").read_bytes()
    broken = (repo_root / "data" / "example_diary_broken.txt").read_bytes()
    # the broken copy is exactly the clean one damaged the way seed 001 was
    assert broken.decode("utf-8") == corrupt_text(clean.decode("utf-8"))
    assert "๐Ÿ™ Halte" in broken.decode("utf-8")  # a face that lost its last byte
    assert clean.decode("utf-8").isascii() is False and b"\r" not in clean


def test_example_diary_reads_the_same_clean_and_broken(repo_root):
    clean, broken = load_example_diary(), load_example_diary(broken=True)
    assert len(clean) == 9 and clean["stop"].nunique() == 8
    assert clean["stop"].tolist() == [1, 2, 3, 4, 5, 5, 6, 7, 8]
    assert clean["face"].tolist() == ["🙂", "😕", "😃", "😖", "🙁", "🙂", "😃", "😐", "🙂"]
    assert clean["score"].tolist() == [FACES[f] for f in clean["face"]]
    assert (clean["rating"] == 1).all() and (clean["journey_id"] == "washing-machine").all()
    assert not clean["repaired"].any() and broken["repaired"].all()
    pd.testing.assert_frame_equal(clean.drop(columns="repaired"), broken.drop(columns="repaired"))
    assert {k: clean.attrs[k] for k in ("intro", "conclusion")} == {
        k: broken.attrs[k] for k in ("intro", "conclusion")}
    assert clean.attrs["conclusion"].startswith("Alles bij elkaar")
    # the packaged file is the one in data/
    direct = read_diary(repo_root / "data" / "example_diary.txt", journey_id="washing-machine")
    pd.testing.assert_frame_equal(direct, clean)


# --- format ------------------------------------------------------------------------------------------

def test_format_variants():
    text = ("\ufeffIntro.\r\n\r\n:) Stop 1: bol.com. Snel.\r\n\r\n"
            "😃Step 2: balie\nNog een regel.\r\n\r\nTweede alinea.\r\n\r\n"
            ":-( TOUCHPOINT 3: app.\r\n\r\nRating: :D\r\n\r\nDaarna.")
    df = read_diary(text.encode("utf-8"), journey_id="x")
    assert df["touchpoint"].tolist() == ["bol.com", "balie", "app"]
    assert df["face"].tolist() == [":)", "😃", ":-("]
    assert df["score"].tolist() == [1, 2, -1]
    assert df["text"].tolist() == ["Snel.", "Nog een regel.\n\nTweede alinea.", ""]
    assert (df["rating"] == 2).all() and df.attrs["conclusion"] == "Daarna."
    assert df.attrs["intro"] == "Intro." and df.attrs["label"] == "Stop"


def test_conclusion_marker_ends_the_moments():
    df = read_diary("🙂 Halte 1: a.\n\nmeer over a\n\nTot slot: klaar.\n\nEinde.")
    assert df["text"].tolist() == ["meer over a"]
    assert df.attrs["conclusion"] == "klaar.\n\nEinde."
    assert df["rating"].isna().all()


# --- bad input ------------------------------------------------------------------------------------------

def test_empty_diary(tmp_path):
    path = tmp_path / "leeg.txt"
    path.write_text("  \n\n", encoding="utf-8")
    with pytest.raises(JourneyDataError, match="empty") as info:
        read_diary(path)
    assert "leeg.txt" in str(info.value)


def test_no_stop_quotes_the_first_line():
    with pytest.raises(JourneyDataError, match='no "Halte N:" stop was found') as info:
        read_diary("\nMijn verhaal over de bank.\n\nHet ging mis.")
    assert "'Mijn verhaal over de bank.'" in str(info.value)


def test_unknown_faces_name_line_and_face():
    text = "Intro.\n\n🦄 Halte 1: a.\n\n🙂 Halte 2: b.\n\n:P en verder"
    with pytest.raises(JourneyDataError) as info:
        read_diary(text)
    problems = info.value.problems
    assert [(p["line"], p["value"]) for p in problems] == [(3, "🦄"), (7, ":P")]
    assert "line 3: value '🦄': the face '🦄' is not in the lexicon" in str(info.value)


def test_other_problems_are_collected():
    text = "Halte 1: zonder gezicht.\n\n🙂 Halte 2: .\n\nOordeel: 🙂\n\nOordeel: 😃"
    with pytest.raises(JourneyDataError) as info:
        read_diary(text)
    msg = str(info.value)
    assert info.value.total == 3
    assert "line 1: value 'Halte 1: zonder gezicht.': stop 1 has no face" in msg
    assert "line 3: stop 2 has no touchpoint" in msg
    assert "line 7: value '😃': a second overall rating; the first is on line 5" in msg
    assert msg.count("line 1") == 1  # the line is named once, not again inside the message


def test_ambiguous_face_gives_nan_and_warning():
    text = corrupt_text("🙂 Halte 1: a.\n\n\U0001f910 Halte 2: b. Tekst met een ” erin.")
    with pytest.warns(UserWarning, match=r"1 face could not be read.*line 3 \(stop 2\): lost a byte") as rec:
        df = read_diary(text)
    assert "1 other character" in str(rec[0].message)
    last_byte = " ".join((b"\xf0\x9f\xa4" + bytes([d])).decode() for d in DROPPED_BYTES)
    assert f"could be {last_byte}" in str(rec[0].message)  # the face's candidates, not the quote's
    assert df["ambiguous"].tolist() == [False, True]
    assert np.isnan(df["score"].iloc[1]) and df["face"].iloc[1] == "\ufffd"
    assert df["text"].iloc[1] == "Tekst met een \ufffd erin."
    # the ambiguous row survives writing and reading again
    with pytest.warns(UserWarning):
        again = read_diary(to_diary(df))
    pd.testing.assert_frame_equal(again.drop(columns="repaired"), df.drop(columns="repaired"))


# --- writing and the round trip --------------------------------------------------------------------

def test_to_diary_other_scales_and_no_mutation():
    df = pd.DataFrame({"journey_id": [7, 7, 7, 8], "step": [1, 2, 3, 1],
                       "touchpoint": ["web", "mail", "bel", "x"], "score": [1, 3, 5, 2],
                       "score_scale": "likert5", "rating": [4, 4, 4, 1],
                       "rating_scale": "likert5"})
    before = df.copy()
    out = to_diary(df, 7)
    pd.testing.assert_frame_equal(df, before)
    assert out == ("😖 Halte 1: web.\n\n😐 Halte 2: mail.\n\n😃 Halte 3: bel.\n\n"
                   "Oordeel: 🙂\n")
    back = read_diary(out)
    assert back["score"].tolist() == [-2, 0, 2] and back["rating"].iloc[0] == 1
    with pytest.raises(ValueError, match="holds 2 journeys"):
        to_diary(df)
    with pytest.raises(ValueError, match="no journey 9"):
        to_diary(df, 9)
    with pytest.raises(ValueError, match="touchpoint"):
        to_diary(df.assign(touchpoint="web. shop"), 8)


def test_to_diary_writes_utf8_file(tmp_path, seed001):
    df = read_diary(seed001)
    path = tmp_path / "uit.txt"
    text = to_diary(df, path=path)
    assert path.read_bytes() == text.encode("utf-8")
    again = read_diary(path)
    assert not again["repaired"].any()
    pd.testing.assert_frame_equal(again.drop(columns="repaired"), df.drop(columns="repaired"))
    assert again.attrs["intro"] == df.attrs["intro"]


letters = list("abcdefghijklmnopqrstuvwxyz") + list("éëïöüèàç")
word = st.text(st.sampled_from(letters), min_size=1, max_size=8)
phrase = st.lists(word, min_size=1, max_size=4).map(" ".join)
sentence = st.tuples(phrase, st.sampled_from(["", ".", "!", "?", " – ok.", " ‘zo’.", " € 5…"])).map(
    "".join)
paragraphs = st.lists(sentence, max_size=2).map("\n\n".join)
# faces that survive the broken encoding: no lost byte, or resolved as a canonical face
round_trip_faces = [f for f in FACES if not _loses_a_byte(f) or f in CANONICAL_FACES]


@st.composite
def diaries(draw):
    n_stops = draw(st.integers(1, 6))
    stop_numbers = sorted(draw(st.sets(st.integers(1, 30), min_size=n_stops, max_size=n_stops)))
    rows = []
    for stop in stop_numbers:
        touchpoint = draw(phrase)
        for _ in range(draw(st.integers(1, 2))):
            rows.append({"stop": stop, "touchpoint": touchpoint,
                         "face": draw(st.sampled_from(round_trip_faces)), "text": draw(paragraphs)})
    df = pd.DataFrame(rows)
    rating = draw(st.one_of(st.just(np.nan), st.integers(-2, 2).map(float)))
    df = df.assign(journey_id=draw(st.integers(1, 99)), step=np.arange(1, len(df) + 1),
                   score=[float(FACES[f]) for f in df["face"]], score_scale="smiley5",
                   rating=rating, rating_scale="smiley5", repaired=False, ambiguous=False)
    df = validate(df[COLUMNS])
    df.attrs = {"intro": draw(paragraphs), "conclusion": draw(paragraphs)}
    return df


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(df=diaries(), broken=st.booleans())
def test_round_trip_property(df, broken):
    """read(write(table)) == table, also when the written diary is broken like seed 001."""
    text = to_diary(df)
    if broken:
        text = corrupt_text(text)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        back = read_diary(text, journey_id=int(df["journey_id"].iloc[0]))
    expected = df.copy()
    if broken:  # a moment is repaired when its written lines held anything but ASCII
        first = ~expected["stop"].duplicated()
        written = expected["face"] + expected["text"] + expected["touchpoint"].where(first, "")
        expected["repaired"] = ~written.map(str.isascii)
    pd.testing.assert_frame_equal(back, expected)
    assert back.attrs["intro"] == df.attrs["intro"]
    assert back.attrs["conclusion"] == df.attrs["conclusion"]


# --- command line ----------------------------------------------------------------------------------

def test_cli_prints_the_seed001_table(seed001, capsys):
    assert main(["diary", str(seed001)]) == 0
    out, err = capsys.readouterr()
    lines = out.strip().split("\n")
    assert lines[0].split() == ["step", "stop", "face", "score", "touchpoint", "repaired",
                                "ambiguous"]
    assert len(lines) == 11 and err == ""
    assert [ln.split()[2] for ln in lines[1:]] == SEED_FACES
    assert [int(ln.split()[3]) for ln in lines[1:]] == SEED_SCORES
    assert "live tracking" in lines[3]


def test_cli_csv(seed001, capsys):
    assert main(["diary", str(seed001), "--csv"]) == 0
    df = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert list(df.columns) == COLUMNS and df["face"].tolist() == SEED_FACES
    assert df["text"].str.contains("geïnformeerd").sum() == 1


@pytest.mark.parametrize(("content", "message"), [
    ("", "the diary is empty"),
    ("Alleen tekst.\n", 'no "Halte N:" stop was found'),
    ("🦄 Halte 1: a.\n", "line 1: value '🦄': the face '🦄' is not in the lexicon"),
    (None, "no such file"),
])
def test_cli_errors(tmp_path, capsys, content, message):
    path = tmp_path / "d.txt"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    assert main(["diary", str(path)]) == 1
    out, err = capsys.readouterr()
    assert message in err and "Traceback" not in err and out == ""


# --- reading files and bytes (issue 12, items 4 and 6) ----------------------------------------------

SHORT = "🙂 Halte 1: webshop. Snel.\n\n🙁 Halte 2: bezorging. Te laat.\n\nOordeel: 😐\n"


@pytest.mark.parametrize("name", ["nope.txt", "verhaal", "data/verhaal", "C:\\diaries\\x.md"])
def test_missing_file_is_said_not_parsed_as_text(tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError) as info:
        read_diary(name)
    assert repr(name) in str(info.value) and "text=" in str(info.value)


def test_text_keyword_reads_a_one_line_diary():
    df = read_diary(text="🙂 Halte 1: webshop. Snel.")
    assert df["touchpoint"].tolist() == ["webshop"] and df["score"].tolist() == [1]
    with pytest.raises(ValueError, match="not both"):
        read_diary("x.txt", text="🙂 Halte 1: webshop.")


def test_documented_forms_still_work(tmp_path):
    path = tmp_path / "d.txt"
    path.write_text(SHORT, encoding="utf-8")
    expected = read_diary(SHORT)  # a str with a line break is the diary itself
    for source in (path, str(path), SHORT.encode("utf-8"), io.BytesIO(SHORT.encode("utf-8"))):
        pd.testing.assert_frame_equal(read_diary(source).drop(columns="repaired"),
                                      expected.drop(columns="repaired"))


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_diary_with_or_without_bom(tmp_path, codec):
    path = tmp_path / "d.txt"
    path.write_bytes(SHORT.encode(codec))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = read_diary(path)
    assert df["face"].tolist() == ["🙂", "🙁"] and df["touchpoint"].tolist() == ["webshop", "bezorging"]
    messages = [str(w.message) for w in caught]
    if codec == "utf-16":  # a byte-order mark says it all
        assert messages == []
    else:
        assert len(messages) == 1 and f"encoding='{codec}'" in messages[0] and "d.txt" in messages[0]
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            pd.testing.assert_frame_equal(read_diary(path, encoding=codec), df)


def test_diary_with_a_stray_windows_byte_names_the_line(tmp_path):
    raw = SHORT.encode("utf-8").replace(b"Te laat", b"Te la\xe0t")
    path = tmp_path / "d.txt"
    path.write_bytes(raw)
    with pytest.warns(UserWarning, match=r"line 3: b'\\xe0' read as 'à'"):
        df = read_diary(path)
    assert df["text"].iloc[1] == "Te laàt." and df["face"].tolist() == ["🙂", "🙁"]


def test_diary_in_another_code_page_with_encoding(tmp_path):
    path = tmp_path / "d.txt"
    path.write_bytes(":) Halte 1: sklep w Łodzi. Dobrze.\n".encode("cp1250"))
    assert read_diary(path, encoding="cp1250")["touchpoint"].tolist() == ["sklep w Łodzi"]
    with pytest.raises(JourneyDataError, match=r"d\.txt(.|\n)*line 1(.|\n)*b'\\xa3'"):
        read_diary(path, encoding="utf-8")


def test_stop_number_too_large_is_a_data_error():
    with pytest.raises(JourneyDataError) as info:
        read_diary(text="🙂 Halte 99999999999999999999: web.\n\n🙁 Halte 2: mail.")
    assert "line 1" in str(info.value) and "stop number is too large (20 digits)" in str(info.value)
    assert info.value.total == 1


def test_cli_reads_standard_input_as_the_diary(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO("🙂 Halte 1: web.".encode())))
    assert main(["diary", "-"]) == 0
    assert "web" in capsys.readouterr().out
