"""journeylib.headlines: the sentences a report on own data opens with, checked against numbers worked out
here independently; the true reason when key drivers are skipped; the largest-gap journey; warnings as notes."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

import journeylib as jl
from journeylib import headlines as hl


def _survey(n=300, k=5, seed=0, rating_from=0, binary=False, recommend=True):
    """Survey-style tidy data: k touchpoints on likert5 (1-5); the rating (stars10, or yes/no) follows
    touchpoint `rating_from` closely and the others a little; recommend on 0-10."""
    rng = np.random.default_rng(seed)
    quality = rng.normal(0, 0.8, (n, 1))
    scores = np.clip(np.round(3 + quality + rng.normal(0, 0.9, (n, k))), 1, 5)
    latent = 1.6 * (scores[:, rating_from] - 3) + 0.3 * (scores.mean(axis=1) - 3) + rng.normal(0, 0.7, n)
    names = [f"tp{i}" for i in range(k)]
    frame = pd.DataFrame({"journey_id": np.repeat(np.arange(1, n + 1), k), "step": np.tile(np.arange(1, k + 1), n),
                          "touchpoint": np.tile(names, n), "score": scores.ravel(), "score_scale": "likert5"})
    if binary:
        rating, scale = (latent > 0.3).astype(float), "binary"
    else:
        rating, scale = np.clip(np.round(5.5 + 1.3 * latent), 1, 10), "stars10"
    frame["rating"] = np.repeat(rating, k)
    frame["rating_scale"] = scale
    if recommend:
        frame["recommend"] = np.repeat(np.clip(np.round(5 + 1.5 * latent), 0, 10), k)
        frame["recommend_scale"] = "nps11"
    return jl.validate(frame), scores, rating


@pytest.fixture(scope="module")
def survey():
    data, scores, rating = _survey()
    return data, scores, rating, hl.analyse(data, seed=1, n_boot=300)


def test_headline_rows_in_reading_order(survey):
    *_, res = survey
    h = res.headline
    assert list(h.columns) == hl.HEADLINE_COLUMNS
    assert h["topic"].tolist() == ["journeys", "gap", "best_rule", "driver", "recommend", "quality"]
    assert hl.headline(res) is h  # an Analysis already made is not computed again


def test_number_of_journeys_and_the_mean_gap(survey):
    data, scores, rating, res = survey
    h = res.headline.set_index("topic")
    assert h.loc["journeys", "value"] == 300
    assert h.loc["journeys", "sentence"] == ("300 journeys with 1,500 scored touchpoint moments "
                                              "(5 distinct touchpoints).")
    # the gap worked out by hand: likert5 1..5 -> -1..+1, stars10 1..10 -> -1..+1
    gap = (rating - 5.5) / 4.5 - ((scores - 3) / 2).mean(axis=1)
    assert h.loc["gap", "value"] == pytest.approx(gap.mean())
    low, high = sps.t.interval(0.95, len(gap) - 1, loc=gap.mean(), scale=sps.sem(gap))
    # the bootstrap interval of gap_test agrees with the t interval to a few thousandths here
    assert h.loc["gap", "ci_low"] == pytest.approx(low, abs=0.01)
    assert h.loc["gap", "ci_high"] == pytest.approx(high, abs=0.01)
    side = "below" if gap.mean() < 0 else "above"
    assert f"lies {abs(gap.mean()):.2f} {side} the mean of its touchpoints" in h.loc["gap", "sentence"]
    tell = "cannot tell this from no gap" if low < 0 < high else "than their touchpoints"
    assert tell in h.loc["gap", "sentence"]


def test_best_rule_and_its_lead_over_the_runner_up(survey):
    *_, res = survey
    row = res.headline.set_index("topic").loc["best_rule"]
    rules = res.rules[res.rules["score"].notna()]
    best, runner = rules.iloc[0], rules.iloc[1]
    assert "all" not in set(res.rules["rule"])
    assert row["value"] == pytest.approx(best["score"] - runner["score"])
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((-runner["diff_ci_high"], -runner["diff_ci_low"]))
    assert f"is {best['rule']} (R² {best['score']:.2f} out of sample)" in row["sentence"]
    assert f"the runner-up, {runner['rule']}, scores {runner['score']:.2f}" in row["sentence"]


def test_a_rule_that_generated_the_ratings_wins_and_the_data_tell():
    df = jl.simulate_journeys(800, rule="min", noise=0.05, seed=4)
    row = hl.headline(df, seed=0, n_boot=300).set_index("topic").loc["best_rule"]
    assert row["sentence"].startswith("The rule that best predicts the journey rating is min ")
    assert row["ci_low"] > 0 and row["sentence"].endswith("the data tell them apart.")


def test_strongest_driver_is_the_touchpoint_the_rating_follows(survey):
    data, scores, rating, res = survey
    row = res.headline.set_index("topic").loc["driver"]
    # independently: the touchpoint most correlated with the rating, and its share of R2 under Shapley,
    # here approximated from below by its squared correlation's share of the full model's R2 ordering
    r = [np.corrcoef(scores[:, i], rating)[0, 1] for i in range(scores.shape[1])]
    assert int(np.argmax(r)) == 0
    assert row["sentence"].startswith("The touchpoint that moves the journey rating most is tp0: importance ")
    A = np.column_stack([np.ones(len(rating)), scores])
    fit = A @ np.linalg.lstsq(A, rating, rcond=None)[0]
    r2 = np.corrcoef(fit, rating)[0, 1] ** 2
    assert f"of the R² of {r2:.2f} the 5 touchpoints explain together" in row["sentence"]
    assert row["ci_low"] <= row["value"] <= row["ci_high"] and "Shapley decomposition" in row["sentence"]


def test_net_promoter_score_by_hand(survey):
    data, *_, res = survey
    rec = data.drop_duplicates("journey_id")["recommend"].to_numpy()
    nps = 100 * (np.mean(rec >= 9) - np.mean(rec <= 6))
    row = res.headline.set_index("topic").loc["recommend"]
    assert row["value"] == pytest.approx(nps)
    assert row["sentence"].startswith(f"Net Promoter Score {nps:+.0f} (95% CI ")


def test_yes_no_rating_gets_the_paypal_share_not_a_mean_gap():
    data, scores, rating, = _survey(n=200, binary=True, recommend=False)
    res = hl.analyse(data, seed=0, n_boot=100)
    h = res.headline.set_index("topic")
    assert res.gap is None and "gap" not in h.index
    fine = ((scores - 3) / 2).mean(axis=1) > 0
    share = np.mean(rating[fine] == 0)
    assert h.loc["paypal_share", "value"] == pytest.approx(share)
    assert f"of the {fine.sum():,} journeys whose touchpoints were positive on average, {share:.0%} were " \
           "still rated negative" in h.loc["paypal_share", "sentence"]
    assert h.loc["best_rule", "sentence"].startswith("The rule that best predicts the journey rating is ")
    assert "(AUC " in h.loc["best_rule", "sentence"] and "of the rule's own ranking)" in h.loc["best_rule", "sentence"]
    assert res.reasons["recommend"] == "The data has no recommend answers."


def test_every_quality_flag_is_a_sentence_of_its_own():
    # a rating computed as the rounded mean of the touchpoints: flagged as derived
    data, scores, _ = _survey(n=120, recommend=False)
    derived = np.floor(((scores - 3) / 2).mean(axis=1) * 4.5 + 5.5 + 0.5)
    data = data.assign(rating=np.repeat(derived, 5))
    res = hl.analyse(data, seed=0, n_boot=50)
    flags = res.quality[res.quality["flagged"]]
    rows = res.headline[res.headline["topic"] == "quality"]
    assert len(flags) >= 1 and len(rows) == len(flags)
    for (_, flag), sentence in zip(flags.iterrows(), rows["sentence"], strict=True):
        assert sentence.startswith(f"Quality check {flag['check']} raised a flag: ")
        assert " ".join(str(flag["message"]).split()) in sentence and sentence.endswith(".")
    assert "derived_rating" in set(flags["check"])


def test_no_flag_says_so(survey):
    *_, res = survey
    row = res.headline.set_index("topic").loc["quality"]
    assert row["sentence"] == f"None of the {len(res.quality)} data-quality checks raised a flag."


# --- why key drivers are skipped ------------------------------------------------------------------

def test_fourteen_items_get_drivers_by_relative_weights():
    data, *_ = _survey(n=150, k=14, recommend=False)
    assert hl.drivers_skipped_reason(data) is None
    assert jl.owndata.is_survey_style(data)
    res = hl.analyse(data, seed=0, n_boot=50)
    assert set(res.drivers["method"]) == {"relative_weights"}
    assert "Johnson's relative weights" in res.headline.set_index("topic").loc["driver", "sentence"]


def test_reason_when_drivers_are_skipped():
    assert hl.drivers_skipped_reason(jl.load_seed_cases()) == \
        "There are 5 journeys; key drivers need at least 10."
    data, *_ = _survey(n=30, k=3, recommend=False)
    again = data[data["journey_id"] == 4].assign(step=[4, 5, 6])
    logged = jl.validate(pd.concat([data, again]))
    reason = hl.drivers_skipped_reason(logged)
    assert reason.startswith("Touchpoints repeat within journeys ('tp0' comes back in journey 4; no other "
                             "journey has one), so this is a log of journeys")
    sparse = data[~((data["touchpoint"] != "tp0") & (data["journey_id"] % 3 != 0))]
    reason = hl.drivers_skipped_reason(sparse)
    assert reason.startswith("Only 1 touchpoint is scored in at least 80% of the journeys (most scored: "
                             "tp0 (100%), ")
    res = hl.analyse(sparse, seed=0, n_boot=20)
    assert res.drivers is None and res.headline.set_index("topic").loc["driver", "sentence"] == \
        f"No key drivers: {reason}"


def test_a_part_the_data_cannot_support_is_a_sentence_not_an_error():
    data, *_ = _survey(n=40, k=3, recommend=False)
    flat = data.assign(rating=7.0)  # every journey rated the same: nothing to predict
    res = hl.analyse(flat, seed=0, n_boot=20)
    h = res.headline.set_index("topic")
    assert res.rules is None and h.loc["best_rule", "statistic"] == "missing"
    assert h.loc["best_rule", "sentence"].startswith("No rule comparison: Every journey has the same")


# --- the largest gap ------------------------------------------------------------------------------

def test_largest_gap_among_mostly_scored_journeys():
    s = pd.DataFrame({"journey_id": [1, 2, 3, 4], "gap": [-1.6, 0.7, -0.9, np.nan],
                      "n_touchpoints": [7, 7, 4, 7], "n_missing": [6, 3, 2, 0]})
    # 1 has 1 of 7 scored; 2 has 4 of 7 (0.57); 3 has 2 of 4 (exactly half): by absolute gap, 3
    assert hl.largest_gap_journey(s)["journey_id"] == 3
    assert hl.largest_gap_journey(s, min_scored=0.0)["journey_id"] == 1
    assert hl.largest_gap_journey(s, min_scored=0.9) is None
    with pytest.raises(ValueError, match="min_scored"):
        hl.largest_gap_journey(s, min_scored=50)


def test_largest_gap_on_skytrax(data_mirror, monkeypatch):
    monkeypatch.setenv("JOURNEYLIB_DATA_MIRROR", str(data_mirror))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = jl.journey_summary(jl.fetch_skytrax("airline"))
    row = hl.largest_gap_journey(s)
    scored = (s["n_touchpoints"] - s["n_missing"]) / s["n_touchpoints"]
    ok = scored >= 0.5
    assert abs(row["gap"]) == pytest.approx(s.loc[ok, "gap"].abs().max())
    assert (row["n_touchpoints"] - row["n_missing"]) / row["n_touchpoints"] >= 0.5


# --- Markdown and notes ---------------------------------------------------------------------------

def test_headline_markdown_escapes_every_sentence():
    from bs4 import BeautifulSoup
    from nbconvert.filters.markdown import markdown2html

    frame = pd.DataFrame({"topic": ["driver", "quality"],
                          "sentence": ["The strongest is <script>alert(1)</script>.", "Costs $5 *now*."]})
    text = hl.headline_markdown(frame)
    soup = BeautifulSoup(markdown2html(text), "html.parser")
    for anchor in soup.select("a.anchor-link"):  # the heading's own link, as nbconvert adds to every heading
        anchor.decompose()
    assert {t.name for t in soup.find_all(True)} <= {"h3", "ul", "li", "strong", "span", "p"}
    assert soup.find("h3").get_text() == "In short"
    items = [li.get_text() for li in soup.find_all("li")]
    assert items == ["Strongest driver. The strongest is <script>alert(1)</script>.",
                     "Quality. Costs $5 *now*."]


def test_warnings_become_notes_without_paths(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    restore = hl.show_warnings_as_notes(hide_paths=["/tmp/xyz/my data.csv"])
    try:
        warnings.warn("/tmp/xyz/my data.csv: 3 rows <dropped>", UserWarning, stacklevel=1)
    finally:
        restore()
    assert [m.data for m in shown] == [r"*Note:* my data\.csv\: 3 rows &lt;dropped&gt;"]
    assert warnings.showwarning is not None and "note" not in warnings.showwarning.__name__


def test_recommend_only_data_runs_on_the_recommend_answer():
    """A review file with a recommend flag and no overall (British Airways style) (issue 14)."""
    rng = np.random.default_rng(4)
    n = 200
    items = rng.integers(1, 6, size=(n, 4)).astype(float)
    flag = ((items.mean(axis=1) + rng.normal(0, 0.6, n)) > 3).astype(int)
    wide = pd.DataFrame(items, columns=["seat", "staff", "food", "value"]).assign(
        recommended=np.where(flag == 1, "yes", "no"), id=np.arange(n))
    tidy = jl.from_wide(wide, touchpoints=["seat", "staff", "food", "value"], rating=None,
                        score_scale="likert5", rating_scale="stars10", recommend="recommended",
                        recommend_scale="binary", id="id")
    res = hl.analyse(tidy, seed=1, n_boot=100)
    assert res.outcome_column == "recommend" and res.outcome == "binary"
    mean_v = (items.mean(axis=1) - 3) / 2
    fine = mean_v > 0
    share = ((flag == 0) & fine).sum() / fine.sum()
    row = res.headline.set_index("topic").loc["paypal_share"]
    assert row["value"] == pytest.approx(share)
    assert "still said no" in row["sentence"] and "recommend answer" in row["sentence"]
    assert res.rules["score_name"].iloc[0] == "auc"
    assert "predicts the recommend answer" in res.headline.set_index("topic").loc["best_rule",
                                                                                   "sentence"]
