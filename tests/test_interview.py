"""Ready on the day (`dlquiz interview`): the date, the plan, practice taking its share, the
readiness figures, and a short simulated run with and without a date."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from benchmarks.simulation import interview_runs
from rich.console import Console
from typer.testing import CliRunner

from dlquiz.bank import Bank
from dlquiz.cli import app
from dlquiz.clock import StudyDays, from_ms, to_ms
from dlquiz.dashboard import interview as interview_panel
from dlquiz.interview import (
    DEFAULT_TARGET,
    NEW_LEAD_DAYS,
    InterviewError,
    Plan,
    make_plan,
    parse_setting,
    spread,
)
from dlquiz.model import REVIEW, CardRow, InterviewRow
from dlquiz.scheduler import Rating, Scheduling
from dlquiz.session import Session
from dlquiz.store import SCHEMA_VERSION, Store, _m005_interview

from .conftest import START, FakeClock, store_before

UTC4 = StudyDays(UTC, 4)
AT = datetime(2026, 3, 23, 10, 0, tzinfo=UTC)  # three weeks after START, a Monday
runner = CliRunner()


def setting(bank: Bank, at: datetime = AT, target: float = DEFAULT_TARGET) -> InterviewRow:
    return InterviewRow(bank.id, to_ms(at), f"{at:%Y-%m-%d}", f"{at:%H:%M}", target, to_ms(START))


def reviewed(
    bank: Bank, qid: str, stability: float, last: datetime, due: datetime | None = None
) -> CardRow:
    """A card in review, last reviewed at `last`, due after `stability` days unless told."""
    return CardRow(
        bank_id=bank.id,
        question_id=qid,
        card_id=1,
        state=REVIEW,
        step=None,
        stability=stability,
        difficulty=5.0,
        due=to_ms(due if due is not None else last + timedelta(days=stability)),
        last_review=to_ms(last),
        reps=3,
        lapses=0,
        introduced=to_ms(last - timedelta(days=10)),
    )


def plan_for(
    bank: Bank, cards: dict[str, CardRow], now: datetime = START, **kwargs: object
) -> Plan:
    plan = make_plan(
        setting(bank),
        bank,
        cards,
        now=now,
        days=UTC4,
        scheduling=Scheduling(0.9, fuzz=False, days=UTC4),
        new_per_day=10,
        **kwargs,  # type: ignore[arg-type]
    )
    assert plan is not None
    return plan


# --- the date ------------------------------------------------------------------------------------


def test_a_date_is_stored_as_its_utc_instant_and_as_given() -> None:
    paris = ZoneInfo("Europe/Paris")
    row = parse_setting("b", "2026-03-23", "14:30", None, now=START, zone=paris)
    assert from_ms(row.at) == datetime(2026, 3, 23, 13, 30, tzinfo=UTC)  # CET is UTC+1
    assert (row.local_date, row.local_time, row.target) == ("2026-03-23", "14:30", 0.95)
    assert row.set_at == to_ms(START)
    default = parse_setting("b", "2026-03-23", None, 0.9, now=START, zone=UTC)
    assert (default.local_time, default.target) == ("09:00", 0.9)


@pytest.mark.parametrize(
    ("day", "at", "message"),
    [
        ("2026-03-01", None, "2026-03-01 09:00 is in the past"),
        ("2026-03-02", "11:59", "2026-03-02 11:59 is in the past"),  # today, the time gone
        ("23/03/2026", None, "'23/03/2026' is not a date: give it as YYYY-MM-DD"),
        ("2026-02-30", None, "is not a date"),
        ("2026-03-23", "25:00", "is not a time of day"),
        ("2026-03-23", "9h", "is not a time of day"),
    ],
)
def test_a_date_that_cannot_be_planned_for_is_refused_in_one_line(
    day: str, at: str | None, message: str
) -> None:
    with pytest.raises(InterviewError) as caught:
        parse_setting("b", day, at, None, now=START, zone=UTC)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_later_today_is_still_to_come() -> None:
    row = parse_setting("b", "2026-03-02", "12:30", None, now=START, zone=UTC)
    assert from_ms(row.at) == START + timedelta(minutes=30)


# --- spreading -----------------------------------------------------------------------------------


def test_cards_open_from_today_are_spread_evenly_over_the_days_left() -> None:
    days = spread([0] * 20, 10)
    counts = [days.count(k) for k in range(10)]
    assert counts == [2] * 10


def test_cards_whose_window_opens_late_are_not_piled_onto_the_last_day() -> None:
    opens = [0] * 6 + [7] * 12  # twelve cards may only be reviewed in the last three days
    days = spread(opens, 10)
    assert all(d >= o for d, o in zip(days, opens, strict=True))
    counts = [days.count(k) for k in range(10)]
    assert counts[7:] == [4, 4, 4], counts  # the least daily load that fits them
    assert max(counts) <= 4 and sum(counts) == 18


def test_cards_already_brought_forward_today_count_against_today() -> None:
    assert spread([0] * 9, 3).count(0) == 3
    assert spread([0] * 6, 3, done_today=3).count(0) == 0  # a second session the same day


def test_the_last_day_takes_whatever_is_left() -> None:
    assert spread([4, 4, 4], 5) == [4, 4, 4]


# --- the plan ------------------------------------------------------------------------------------


def test_a_card_below_the_target_on_the_day_is_brought_forward_late_enough(bank: Bank) -> None:
    scheduling = Scheduling(0.9, fuzz=False, days=UTC4)
    card = reviewed(bank, "pooling", 30.0, START - timedelta(days=1))
    assert scheduling.retrievability(card, AT) < 0.95  # above 0.9, not above 0.95
    plan = plan_for(bank, {"pooling": card})
    [risk] = plan.at_risk
    assert risk.brought_forward and risk.reachable and risk.opens is not None
    assert risk.opens <= risk.day <= date(2026, 3, 23)
    assert risk.recall_planned >= 0.95
    # the window is as wide as it can be: a review the day before it opens is not enough
    before = UTC4.start(risk.opens - timedelta(days=1))
    again = scheduling.review(bank.id, "pooling", card, Rating.Good, before).row
    assert scheduling.retrievability(again, AT) < 0.95
    assert plan.expected_correct > plan.expected_idle


def test_cards_safe_on_the_day_or_due_in_time_are_not_brought_forward(bank: Bank) -> None:
    cards = {
        "relu": reviewed(bank, "relu", 500.0, START - timedelta(days=1)),  # safe
        "lstm": reviewed(bank, "lstm", 6.0, START - timedelta(days=3)),  # due in 3 days
    }
    plan = plan_for(bank, cards)
    assert [c.question_id for c in plan.at_risk] == ["lstm"]
    assert not plan.at_risk[0].brought_forward and plan.at_risk[0].opens is None
    assert plan.today_cards == ()
    assert plan.loads[3].due == 1 and sum(d.brought_forward for d in plan.loads) == 0


def test_the_reviews_brought_forward_are_spread_over_the_days_left(bank: Bank) -> None:
    ids = [q.id for q in bank.questions[:30]]
    last = START - timedelta(days=2)
    cards = {qid: reviewed(bank, qid, 25.0 + i, last) for i, qid in enumerate(ids)}
    plan = plan_for(bank, cards)
    forward = [d.brought_forward for d in plan.loads]
    assert sum(forward) == 30
    first = min(c.opens for c in plan.at_risk if c.opens is not None)
    opened = [n for n, d in zip(forward, plan.loads, strict=True) if d.date >= first]
    mean = sum(opened) / len(opened)
    assert max(forward) <= 2 * mean, forward
    assert forward[-1] <= 2 * mean  # not piled onto the morning of the day


def test_no_plan_once_the_interview_has_begun(bank: Bank) -> None:
    cards = {"pooling": reviewed(bank, "pooling", 30.0, START)}
    after = make_plan(
        setting(bank),
        bank,
        cards,
        now=AT,
        days=UTC4,
        scheduling=Scheduling(0.9, fuzz=False, days=UTC4),
        new_per_day=10,
    )
    assert after is None


def test_too_many_new_questions_for_the_daily_limit_are_reported_with_a_remedy(
    bank: Bank,
) -> None:
    soon = START + timedelta(days=5)  # new questions can be learned on 3 days: 30 of 50
    plan = make_plan(
        setting(bank, at=soon),
        bank,
        {},
        now=START,
        days=UTC4,
        scheduling=Scheduling(0.9, fuzz=False, days=UTC4),
        new_per_day=10,
    )
    assert plan is not None
    new = plan.new
    assert (new.unseen, new.days, new.capacity, new.feasible) == (50, 3, 30, False)
    assert new.last_day == soon.date() - timedelta(days=NEW_LEAD_DAYS)
    problem = new.problem()
    assert problem is not None
    assert "50 questions never seen, but at 10 new a day only 30 can be introduced" in problem
    assert "`dlquiz practice --new 17` every day" in problem
    left = sum(n for _, n in new.leave)
    assert 50 - left <= 30 and "leave topics fundamentals (14)" in problem
    three_weeks = plan_for(bank, {})
    assert three_weeks.new.feasible and three_weeks.new.problem() is None


# --- the store -----------------------------------------------------------------------------------


def test_the_interview_is_kept_per_bank_and_can_be_cleared(store: Store, bank: Bank) -> None:
    assert store.interview(bank.id) is None
    store.set_interview(setting(bank))
    store.set_interview(setting(bank)._replace(bank_id="other", target=0.9))
    assert store.interview(bank.id) == setting(bank)
    assert store.clear_interview(bank.id) and not store.clear_interview(bank.id)
    assert store.interview(bank.id) is None and store.interview("other") is not None


def test_a_store_from_before_interviews_is_migrated(tmp_path: Path, bank: Bank) -> None:
    path = tmp_path / "old.db"
    store_before(path, _m005_interview).close()
    with Store.open(path) as store:
        store.set_interview(setting(bank))
        assert store.interview(bank.id) == setting(bank)
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)


# --- practice ------------------------------------------------------------------------------------


def test_practice_brings_forward_todays_share_after_the_due_cards(
    store: Store, bank: Bank, clock: FakeClock, days: StudyDays
) -> None:
    ids = [q.id for q in bank.questions[:23]]
    later = AT + timedelta(days=3)  # given a long interval: due only after the interview
    with store.transaction():
        for qid in ids[:22]:  # recall 0.86 now: a review today lasts until the interview
            store.put_card(reviewed(bank, qid, 30.0, START - timedelta(days=30), later))
        store.put_card(reviewed(bank, ids[22], 2.0, START - timedelta(days=2)))  # due today
    scheduling = Scheduling(0.9, fuzz=False, days=days)

    def shown() -> list[str]:
        session = Session(bank, store, scheduling, days, clock)
        order = []
        while (item := session.next()) is not None and item.row is not None:
            order.append(item.question.id)
            session.rate(item, Rating.Good)
        return order  # the cards studied before, up to the first new card

    store.set_interview(setting(bank))
    today = plan_for(bank, store.cards(bank.id)).today_cards
    assert len(today) == 1 and today[0] in ids[:22]  # 22 cards over 22 days: one a day
    assert shown() == [ids[22], *today]  # the due card first, then the share, then new cards
    since = to_ms(days.today_start(START))
    assert store.early_reviews_since(bank.id, since) == 1
    assert shown() == []  # a second session the same day: today's share is done
    clock.advance(days=1)
    assert len(shown()) == 1  # tomorrow's share
    store.clear_interview(bank.id)
    clock.advance(days=1)
    assert shown() == []  # without the date: nothing due, as before


# --- readiness in stats --------------------------------------------------------------------------


def test_the_readiness_panel_names_the_day_and_the_figures(bank: Bank) -> None:
    cards = {"pooling": reviewed(bank, "pooling", 30.0, START - timedelta(days=1))}
    plan = plan_for(bank, cards)
    console = Console(width=60, record=True, color_system=None)
    console.print(interview_panel(plan))
    text = console.export_text()
    assert "Interview in 21 days · Mon 23 Mar 10:00" in text
    assert "expected on the day 1.0 of 50 questions" in text
    assert "with no more study 0.9 · 1 card below 95%" in text
    assert "1 brought forward" in text
    assert re.search(r"pooling +92% +Sun 22 +\d+%", text), text  # the day before
    assert max(len(line) for line in text.splitlines()) <= 60


def _future(days: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


def test_interview_command_sets_shows_and_clears(dlquiz_home: Path) -> None:
    day = _future(21)
    result = runner.invoke(app, ["interview", day, "--time", "14:30"])
    assert result.exit_code == 0, result.output
    assert f"Interview set: {day} at 14:30" in result.output
    assert "Interview in 21 days" in result.output
    shown = runner.invoke(app, ["interview"])
    assert shown.exit_code == 0 and "Interview in 21 days" in shown.output
    cleared = runner.invoke(app, ["interview", "--clear"])
    assert cleared.output == "Interview date removed.\n"
    assert "No interview date set" in runner.invoke(app, ["interview"]).output


def test_interview_command_refuses_a_past_date_in_one_line(dlquiz_home: Path) -> None:
    result = runner.invoke(app, ["interview", _future(-1)])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and result.output.startswith("Error: ")
    assert "is in the past" in result.output
    assert runner.invoke(app, ["interview", "--target", "0.9"]).exit_code == 2


def test_interview_command_says_at_once_when_new_questions_cannot_be_learned(
    dlquiz_home: Path,
) -> None:
    result = runner.invoke(app, ["interview", _future(4)])
    assert result.exit_code == 0
    flat = " ".join(result.output.replace("│", " ").split())
    assert "50 questions never seen, but at 10 new a day only" in flat
    assert "dlquiz practice --new" in flat


def test_stats_json_carries_the_interview(dlquiz_home: Path, bank: Bank) -> None:
    assert json.loads(runner.invoke(app, ["stats", "--json"]).output)["interview"] is None
    now = datetime.now(UTC)
    with Store.open(dlquiz_home / "progress.db") as store, store.transaction():
        store.put_card(reviewed(bank, "pooling", 30.0, now - timedelta(days=1)))
    assert runner.invoke(app, ["interview", _future(21)]).exit_code == 0
    output = json.loads(runner.invoke(app, ["stats", "--json"]).output)
    figures = output["interview"]
    assert figures["date"] == _future(21) and figures["days_left"] == 21
    assert figures["questions"] == 50 and figures["studied"] == 1
    assert 0.95 <= figures["expected_correct"] <= 1.0
    assert [c["id"] for c in figures["at_risk"]] == ["pooling"]
    assert len(figures["daily_load"]) == 22 and len(figures["topics"]) == len(bank.topics)
    narrowed = json.loads(runner.invoke(app, ["stats", "--json", "--topic", "rnn"]).output)
    assert narrowed["interview"]["questions"] == 1
    screen = runner.invoke(app, ["stats"], env={"COLUMNS": "80"}).output
    assert re.search(r"interview +\w{3} \d\d \w{3} \(in 21 days\) · expect ", screen)
    assert "→ dlquiz interview" in screen  # the Today panel's line; the panel on request:
    screen = runner.invoke(app, ["stats", "-s", "interview"], env={"COLUMNS": "80"}).output
    assert "Interview in 21 days" in screen


# --- a simulated learner -------------------------------------------------------------------------


def test_with_a_date_every_card_is_ready_on_the_day(bank: Bank, tmp_path: Path) -> None:
    """Ten study days of daily practice, and a session in the half hour before: with the
    date, no card studied is below the target (but for any relearned that morning), the
    learner recalls more than without, and the last week is no heavier than twice the mean."""
    without, with_date = interview_runs(bank, tmp_path, UTC, date(2026, 3, 2), 10, seed=5)
    assert without.below >= without.studied / 5  # what the date is there to change
    assert with_date.below - with_date.relearned_below == 0
    assert with_date.relearned_below <= 2
    assert with_date.learner > without.learner
    assert with_date.expected > without.expected
    assert with_date.final_week_peak <= 2 * with_date.mean_load
    assert without.violations == with_date.violations == 0  # the month's own promises hold
