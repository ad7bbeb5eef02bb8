"""`dlquiz optimize`: a memory model fitted to the learner, kept only when it predicts them
better; every command then schedules and predicts with it. And calibration in `dlquiz stats`.

The learner is the seeded simulated one of benchmarks/learner.py, practising through the real
Session on a fake clock, with a memory that FSRS's default parameters misjudge.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from benchmarks.learner import LEARNER_PARAMETERS, big_bank, practise
from benchmarks.simulation import Month
from fsrs.scheduler import DEFAULT_PARAMETERS
from typer.testing import CliRunner, Result

from dlquiz import optimize
from dlquiz.bank import Bank
from dlquiz.calibration import EDGES, calibrate
from dlquiz.cli import app
from dlquiz.clock import StudyDays, from_ms, to_ms
from dlquiz.model import NEW, REVIEW, CardRow, ReviewRow
from dlquiz.paths import resolve
from dlquiz.scheduler import Scheduling
from dlquiz.store import MIGRATIONS, SCHEMA_VERSION, Store
from dlquiz.workspace import Workspace

from .conftest import START, process_env

UTC4 = StudyDays(UTC, 4)


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def home_store(home: Path) -> Store:
    return Store.open(home / "progress.db")


@pytest.fixture(scope="module")
def learner_log(tmp_path_factory: pytest.TempPathFactory, bank: Bank) -> Path:
    """A store holding 150 days of a simulated learner's daily practice (2,000+ reviews)."""
    path = tmp_path_factory.mktemp("learner") / "progress.db"
    with Store.open(path) as store:
        log = practise(store, big_bank(bank, 3), 150, seed=1)
    assert log.reviews >= 1000
    return path


@pytest.fixture
def learner_home(learner_log: Path, dlquiz_home: Path) -> Path:
    """The simulated learner's store as this test's dlquiz home (a copy: tests may change it)."""
    dlquiz_home.mkdir(parents=True, exist_ok=True)
    source, copy = sqlite3.connect(learner_log), sqlite3.connect(dlquiz_home / "progress.db")
    try:
        source.backup(copy)
    finally:
        source.close()
        copy.close()
    return dlquiz_home


def review(qid: str, when: datetime, rating: int, state_before: int = REVIEW) -> ReviewRow:
    return ReviewRow(0, "b", qid, rating, to_ms(when), None, state_before, None, REVIEW, 0)


# --- the histories fsrs-rs is given -----------------------------------------------------------


def test_targets_count_study_days_and_leave_same_day_steps_out() -> None:
    day0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    rows = [
        review("a", day0, 1, NEW),
        review("a", day0 + timedelta(minutes=1), 3),
        review("a", day0 + timedelta(minutes=11), 3),
        review("a", datetime(2026, 3, 4, 2, 0, tzinfo=UTC), 3),  # before 4 am: study day 3 Mar
        review("a", datetime(2026, 3, 8, 20, 0, tzinfo=UTC), 1),
        review("b", day0 + timedelta(hours=1), 3, NEW),
    ]
    count, found = optimize.targets(reversed(rows), UTC4)  # any order: sorted by time per card
    assert count == 6
    assert [t.history for t in found] == [
        ((1, 0), (3, 0), (3, 0), (3, 1)),
        ((1, 0), (3, 0), (3, 0), (3, 1), (1, 5)),
    ]
    assert [t.reviewed_at for t in found] == [rows[3].reviewed_at, rows[4].reviewed_at]


def test_the_split_holds_out_the_latest_fifth() -> None:
    found = [optimize.Target(i, ((3, 0), (3, 1))) for i in range(100)]
    earlier, later = optimize.split(found)
    assert len(later) == 20 and max(t.reviewed_at for t in earlier) < later[0].reviewed_at


def test_better_means_better_on_both_figures() -> None:
    before = optimize.Figures(0.40, 0.10)
    assert optimize.Figures(0.39, 0.09).beats(before)
    assert optimize.Figures(0.39, 0.10).beats(before)
    assert not optimize.Figures(0.39, 0.11).beats(before)  # log loss better, RMSE worse
    assert not optimize.Figures(0.41, 0.09).beats(before)
    assert not optimize.Figures(0.40, 0.10).beats(before)  # the same: nothing to gain


# --- the command ------------------------------------------------------------------------------


def test_twenty_reviews_are_refused_with_how_many_more_and_nothing_changes(
    dlquiz_home: Path, bank: Bank
) -> None:
    with home_store(dlquiz_home) as store:
        log = practise(store, bank, 5, new_per_day=4, max_reviews=20)
    assert log.reviews == 20
    result = run("optimize")
    assert result.exit_code == 1
    assert result.output.startswith("Error: too few reviews to fit a memory model yet:")
    assert f"needs {optimize.MIN_TARGETS} reviews of cards seen on an earlier day" in result.output
    assert "(of 20 reviews in all)" in result.output and "Nothing changed." in result.output
    as_json = run("optimize", "--json")
    assert as_json.exit_code == 1
    output = json.loads(as_json.stdout)
    assert output["reviews"] == 20 and output["kept"] is False
    assert output["before"] is None and output["after"] is None
    assert output["needed"] == optimize.MIN_TARGETS - output["targets"] > 0
    with home_store(dlquiz_home) as store:
        assert store.parameters(bank.id) is None
        assert store.counts(bank.id)[1] == 20


def test_the_simulated_learner_gets_fitted_parameters_that_beat_the_defaults(
    learner_home: Path, bank: Bank
) -> None:
    result = run("optimize", "--json")
    assert result.exit_code == 0, result.output
    output = json.loads(result.stdout)
    assert set(output) == {
        "reviews", "targets", "held_out", "needed", "before", "after", "kept"
    }  # fmt: skip
    assert output["reviews"] >= 1000 and output["needed"] == 0 and output["kept"] is True
    assert set(output["before"]) == set(output["after"]) == {"log_loss", "rmse"}
    assert output["after"]["log_loss"] < output["before"]["log_loss"]
    assert output["after"]["rmse"] < output["before"]["rmse"]
    assert output["held_out"] == round(output["targets"] * optimize.TEST_SHARE)
    with home_store(learner_home) as store:
        kept = store.parameters(bank.id)
        fitted = store.parameters_figures(bank.id)
    assert kept is not None and kept != tuple(DEFAULT_PARAMETERS) and len(kept) == 21
    assert fitted is not None and fitted[1] == output
    Scheduling(parameters=kept)  # within py-fsrs's bounds


def test_the_month_simulations_learner_gets_a_fit_that_is_kept(
    dlquiz_home: Path, bank: Bank
) -> None:
    with home_store(dlquiz_home) as store:
        Month(bank, store, UTC, date(2026, 1, 5), length=120, seed=1).run()
    output = json.loads(run("optimize", "--json").stdout)
    assert output["reviews"] >= 1000 and output["kept"] is True
    assert output["after"]["log_loss"] < output["before"]["log_loss"]
    assert output["after"]["rmse"] < output["before"]["rmse"]


def test_a_fit_no_better_than_the_parameters_in_use_is_not_kept(
    learner_home: Path, bank: Bank
) -> None:
    assert run("optimize").exit_code == 0
    with home_store(learner_home) as store:
        first = store.parameters_figures(bank.id)
    again = run("optimize")  # the same log: the same fit, no better than itself
    assert again.exit_code == 0
    assert "in use " in again.output and "fitted " in again.output
    assert "Not kept: not better on both figures (lower is better). Nothing changed." in (
        " ".join(again.output.split())
    )
    with home_store(learner_home) as store:
        assert store.parameters_figures(bank.id) == first


def test_the_screen_shows_both_figures_and_what_was_kept(learner_home: Path, bank: Bank) -> None:
    result = run("optimize")
    assert result.exit_code == 0
    with home_store(learner_home) as store:
        kept = store.parameters_figures(bank.id)
    assert kept is not None
    figures = kept[1]
    text = " ".join(result.output.split())
    assert f"Fitted to your {figures['reviews']:,} reviews, judged on the latest " in text
    assert f"{figures['held_out']:,} (left out of the fit)" in text
    for name, key in (("defaults", "before"), ("fitted", "after")):
        assert f"{name} {figures[key]['log_loss']:.4f} {figures[key]['rmse']:.4f}" in text
    assert "Kept: scheduling and predictions now use the fitted parameters." in text


def test_reset_goes_back_to_the_defaults(learner_home: Path, bank: Bank) -> None:
    assert run("optimize").exit_code == 0
    result = run("optimize", "--reset")
    assert result.exit_code == 0 and result.output == "Back to FSRS's default parameters.\n"
    with home_store(learner_home) as store:
        assert store.parameters(bank.id) is None
    again = run("optimize", "--reset")
    assert "Nothing to reset" in again.output


# --- every command uses the kept parameters ---------------------------------------------------


def test_scheduling_and_predictions_use_the_kept_parameters(dlquiz_home: Path, bank: Bank) -> None:
    card = CardRow(
        bank.id, "pooling", 1, REVIEW, None, 10.0, 5.0, to_ms(START), to_ms(START), 3, 0, 0
    )
    with home_store(dlquiz_home) as store:
        with store.transaction():
            store.put_card(card)
        workspace = Workspace(resolve(dlquiz_home))
        default = workspace.scheduling(store)
        store.save_parameters(bank.id, LEARNER_PARAMETERS, to_ms(START), {})
        mine = workspace.scheduling(store)
    later = START + timedelta(days=30)
    assert default.fsrs.parameters == tuple(DEFAULT_PARAMETERS)
    assert mine.fsrs.parameters == LEARNER_PARAMETERS
    assert mine.retrievability(card, later) != pytest.approx(default.retrievability(card, later))
    new_card = mine.preview("relu", None, START)
    assert new_card != default.preview("relu", None, START)  # the learner's first stabilities

    output = json.loads(run("stats", "--json").stdout)
    [hard] = output["hardest"]
    expected = mine.retrievability(card, datetime.fromisoformat(output["generated_at"]))
    assert hard["recall"] == pytest.approx(expected, abs=1e-3)


def test_unusable_kept_parameters_are_an_error_with_the_way_out(
    dlquiz_home: Path, bank: Bank
) -> None:
    with home_store(dlquiz_home) as store:
        store.save_parameters(bank.id, (1.0,) * 21, to_ms(START), {})  # out of FSRS's bounds
    result = run("stats")
    assert result.exit_code == 1
    assert result.output.startswith("Error: the memory model kept for 'dl-interview-50'")
    assert "`dlquiz optimize --reset`" in result.output
    assert "is unusable" in run("optimize").output
    with home_store(dlquiz_home) as store:
        store.db.execute("UPDATE parameters SET parameters = 'oops'")
    assert "is unreadable" in run("practice").output
    assert "is unreadable" in run("optimize").output  # says so, and how out, before fitting
    assert run("optimize", "--reset").exit_code == 0
    assert run("stats").exit_code == 0


def test_other_commands_never_import_fsrs_rs(dlquiz_home: Path) -> None:
    code = (
        "import sys\n"
        "from dlquiz.cli import main\n"
        "sys.argv = ['dlquiz', 'stats', '--json']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "assert 'fsrs_rs_python' not in sys.modules, 'imported'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=process_env(dlquiz_home),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


# --- the migration ----------------------------------------------------------------------------


def test_a_store_from_before_optimize_keeps_every_review(tmp_path: Path, bank: Bank) -> None:
    assert MIGRATIONS[-1].__name__.endswith("_parameters")  # the migration this adds
    old_version = SCHEMA_VERSION - 1
    path = tmp_path / "old.db"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("BEGIN")
    for migration in MIGRATIONS[:old_version]:
        migration(db)
    db.execute(f"PRAGMA user_version = {old_version}")
    db.execute("COMMIT")
    old = Store(db, path)  # written to as the dlquiz before optimize did
    log = practise(old, bank, 5, new_per_day=5)
    before = old.query("SELECT * FROM reviews ORDER BY id")
    cards = old.query("SELECT * FROM cards ORDER BY question_id")
    db.close()

    with Store.open(path) as store:
        assert store.query("PRAGMA user_version")[0][0] == SCHEMA_VERSION
        assert store.query("SELECT * FROM reviews ORDER BY id") == before
        assert store.query("SELECT * FROM cards ORDER BY question_id") == cards
        assert len(before) == log.reviews > 0
        assert store.parameters(bank.id) is None
        store.save_parameters(bank.id, LEARNER_PARAMETERS, to_ms(START), {"kept": True})
        assert store.parameters(bank.id) == LEARNER_PARAMETERS


# --- calibration ------------------------------------------------------------------------------


def test_calibration_bins_predictions_and_compares_with_what_was_recalled() -> None:
    # the curve is keyed by stability here: each card's prediction is chosen exactly
    predictions = {1.0: 0.95, 2.0: 0.97, 3.0: 0.85, 4.0: 0.5, 5.0: 1.0}
    elapsed: list[float] = []

    def curve(stability: float, days: float) -> float:
        elapsed.append(days)
        return predictions[stability]

    def reviewed(stability: float, rating: int) -> tuple[int, int, float | None, int | None]:
        return (to_ms(START), rating, stability, to_ms(START - timedelta(days=2.5)))

    rows = [
        reviewed(1.0, 3),
        reviewed(2.0, 1),
        reviewed(3.0, 3),
        reviewed(3.0, 1),
        reviewed(4.0, 2),  # Hard is a pass
        reviewed(5.0, 4),  # a prediction of 1 goes in the last bin
        (to_ms(START), 3, None, None),  # no card before: nothing to predict from
    ]
    result = calibrate(rows, curve, 0.9)
    assert elapsed == [2.5] * 6  # fractional days since the card's previous review
    assert result.reviews == 6 and result.target == 0.9
    assert [(b.low, b.high) for b in result.bins] == list(pairwise(EDGES))
    assert [b.reviews for b in result.bins] == [1, 0, 2, 0, 3]
    assert [b.actual for b in result.bins] == [1.0, None, 0.5, None, pytest.approx(2 / 3)]
    assert result.bins[4].predicted == pytest.approx((0.95 + 0.97 + 1.0) / 3)
    assert result.true_retention == pytest.approx(4 / 6)
    assert result.predicted == pytest.approx(sum([0.95, 0.97, 0.85, 0.85, 0.5, 1.0]) / 6)


def test_calibration_uses_the_model_at_the_time_of_each_review(store: Store, bank: Bank) -> None:
    log = practise(store, bank, 60, seed=3)
    scheduling = Scheduling(0.9, fuzz=False, parameters=LEARNER_PARAMETERS)
    rows = store.recent_reviews_in_review(bank.id, 1000)
    in_review = [r for r in store.reviews(bank.id) if r.state_before == REVIEW]
    assert 100 < len(rows) == len(in_review) <= 1000 and log.reviews > len(rows)
    result = calibrate(rows, scheduling.recall_after, 0.9)
    expected = [
        scheduling.retrievability(r.card_before, from_ms(r.reviewed_at))
        for r in in_review
        if r.card_before is not None
    ]
    assert len(expected) == result.reviews
    assert result.predicted == pytest.approx(sum(expected) / len(expected))
    passed = sum(r.rating > 1 for r in in_review) / len(in_review)
    assert result.true_retention == pytest.approx(passed)


def test_stats_shows_calibration_on_screen_and_in_json(learner_home: Path) -> None:
    output = json.loads(run("stats", "--json").stdout)
    calibration: dict[str, Any] = output["calibration"]
    assert calibration["reviews"] == 1000 and calibration["target"] == 0.9
    assert sum(b["reviews"] for b in calibration["bins"]) == 1000
    assert "Calibration" not in run("stats").output  # a section asked for, not in the first view
    text = run("stats", "--section", "calibration").output
    assert "Calibration · latest 1,000 reviews in review" in text
    bins = calibration["bins"]
    assert " ".join(["reviews", *(f"{b['reviews']:,}" for b in bins)]) in " ".join(text.split())
    assert "measured retention " in text and "target 90%" in text
    assert "dlquiz optimize fits it to you" in text


def test_calibration_before_any_review_in_review_is_unknown_not_zero(
    dlquiz_home: Path, bank: Bank
) -> None:
    with home_store(dlquiz_home) as store:
        practise(store, bank, 1, new_per_day=3)  # learning steps only
    output = json.loads(run("stats", "--json").stdout)
    assert output["calibration"]["reviews"] == 0
    assert output["calibration"]["true_retention"] is None
    assert all(b["predicted"] is None for b in output["calibration"]["bins"])
    text = run("stats", "--section", "calibration").output
    assert "None yet: no review of a card in review." in text
