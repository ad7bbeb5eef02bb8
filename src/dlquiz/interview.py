"""Ready on the day: plan practice so that every card is recalled at an interview date.

Everyday scheduling aims at the desired retention (0.9) at each review, for an open-ended
future: on a given day, a card not yet due is above 0.9 but often well below 0.95. When an
interview date is set, this module works out, from the cards' FSRS state, which cards would be
below the target recall at the interview if left alone, and brings each one forward so that its
last review comes late enough:

- a card's *window* opens on the first study day on which a review rated Good would leave its
  predicted recall at the interview at or above the target (py-fsrs says what the review does
  and what the forgetting curve gives: nothing here is FSRS arithmetic), and closes on the
  interview day itself, whose session in the half hour before the interview (`MORNING`) counts:
  a card forgotten again and again has a stability of hours, and only that late a review
  brings it to the target;
- a card that falls due as usual inside its window needs nothing; one that falls due only
  after the interview is brought forward;
- the cards brought forward are spread over the days left: each day takes the daily rate
  that still lets every card fit in its window (`spread`), so that they are not piled onto
  the last days;
- new questions must be introduced `NEW_LEAD_DAYS` before the day, to be learned in time; when
  the daily new-card limit cannot do that, `NewCards.problem` says so with the numbers and what
  would make it possible.

The plan is worked out afresh at each session from the store, so a lapse, a skipped day or a
card reviewed early is taken into account the next time. After the interview it is empty and
scheduling is as before. Pure: no SQL, no terminal; time is passed in.
"""

from __future__ import annotations

import re
import time as clock_time
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from math import ceil, floor
from typing import TYPE_CHECKING, Any, NamedTuple

from dlquiz.bank import Bank
from dlquiz.clock import StudyDays, as_utc, from_ms, to_ms
from dlquiz.model import LEARNING, RELEARNING, CardRow, InterviewRow, Question, UsageError
from dlquiz.scheduler import Rating, Scheduling

if TYPE_CHECKING:
    from dlquiz.store import Store
    from dlquiz.workspace import Workspace

DEFAULT_TARGET = 0.95
DEFAULT_TIME = "09:00"
NEW_LEAD_DAYS = 3  # a new question is introduced at least this many study days before the day
MORNING = timedelta(minutes=30)  # the session on the day: in the half hour before it


class InterviewError(UsageError):
    """A date, time or target that cannot be used; the message is one line."""


# --- setting the date ---------------------------------------------------------------------------


def local_instant(day: date, at: time, zone: tzinfo | None) -> datetime:
    """The UTC instant of `day` at `at` in `zone` (None: the system's local time)."""
    if zone is None:
        fields = (day.year, day.month, day.day, at.hour, at.minute, 0, 0, 0, -1)
        return datetime.fromtimestamp(clock_time.mktime(fields), UTC)
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def parse_setting(
    bank_id: str,
    day_text: str,
    time_text: str | None,
    target: float | None,
    *,
    now: datetime,
    zone: tzinfo | None,
) -> InterviewRow:
    """An interview date from the command line: `2026-12-21`, `--time 14:30`, `--target 0.95`.

    A date in the past, or today at a time already gone, is refused: there is nothing left to
    plan for."""
    try:
        day = date.fromisoformat(day_text.strip())
    except ValueError:
        raise InterviewError(
            f"{day_text!r} is not a date: give it as YYYY-MM-DD, e.g. 2026-12-21"
        ) from None
    hhmm = (time_text if time_text is not None else DEFAULT_TIME).strip()
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", hhmm)
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise InterviewError(f"--time {hhmm!r} is not a time of day: give it as HH:MM, e.g. 14:30")
    at = time(int(match[1]), int(match[2]))
    chosen = DEFAULT_TARGET if target is None else target
    if not 0.5 <= chosen < 1:
        raise InterviewError(f"--target {chosen} must be at least 0.5 and below 1, e.g. 0.95")
    instant = local_instant(day, at, zone)
    if instant <= as_utc(now):
        raise InterviewError(
            f"{day.isoformat()} {at:%H:%M} is in the past: give a date and time still to come"
        )
    return InterviewRow(
        bank_id=bank_id,
        at=to_ms(instant),
        local_date=day.isoformat(),
        local_time=f"{at:%H:%M}",
        target=chosen,
        set_at=to_ms(now),
    )


def set_and_plan(
    workspace: Workspace,
    day_text: str | None,
    time_text: str | None,
    target: float | None,
    clear: bool,
    now: datetime,
) -> tuple[str, Plan | None]:
    """`dlquiz interview`: change the setting as asked (`change_setting`), then the plan until
    the date (None when cleared, not set, or past)."""
    bank = workspace.bank()
    with workspace.open_store() as store:
        said = change_setting(store, bank.id, day_text, time_text, target, clear, now)
        if clear:
            return said, None
        scheduling = workspace.scheduling(store)
        new_per_day = workspace.config.new_per_day
        return said, plan_from_store(store, bank, scheduling, scheduling.days, now, new_per_day)


def change_setting(
    store: Store,
    bank_id: str,
    day_text: str | None,
    time_text: str | None,
    target: float | None,
    clear: bool,
    now: datetime,
) -> str:
    """What `dlquiz interview` does to the setting (set, clear, or leave it), in one sentence
    for the person; InterviewError when the options cannot be used."""
    if clear:
        removed = store.clear_interview(bank_id)
        return "Interview date removed." if removed else "No interview date was set."
    if day_text is None:
        if time_text is not None or target is not None:
            raise InterviewError("--time and --target go with a date: dlquiz interview YYYY-MM-DD")
        current = store.interview(bank_id)
        if current is None:
            return "No interview date set. Set one: dlquiz interview YYYY-MM-DD"
        if current.at <= to_ms(now):
            return (
                f"The interview was on {current.local_date} {current.local_time}; scheduling "
                "is as usual. Set another: dlquiz interview YYYY-MM-DD"
            )
        return ""
    setting = parse_setting(bank_id, day_text, time_text, target, now=now, zone=None)
    store.set_interview(setting)
    return (
        f"Interview set: {setting.local_date} at {setting.local_time} (local time), "
        f"every card at {setting.target:.0%} recall or more by then."
    )


# --- the plan -----------------------------------------------------------------------------------


def plan_from_store(
    store: Store,
    bank: Bank,
    scheduling: Scheduling,
    days: StudyDays,
    now: datetime,
    new_per_day: int,
    topics: tuple[str, ...] = (),
) -> Plan | None:
    """The plan until the bank's interview date, from the store (suspended cards left out);
    None when no date is set or the interview has begun."""
    setting = store.interview(bank.id)
    if setting is None or setting.at <= to_ms(now):
        return None
    since = to_ms(days.today_start(now))
    suspended = store.suspended(bank.id)
    return make_plan(
        setting,
        bank,
        {qid: row for qid, row in store.cards(bank.id).items() if qid not in suspended},
        now=now,
        days=days,
        scheduling=scheduling,
        new_per_day=new_per_day,
        new_today=len(store.new_introduced_since(bank.id, since)),
        early_today=store.early_reviews_since(bank.id, since),
        topics=topics,
    )


class CardPlan(NamedTuple):
    """One studied card below the target at the interview if it were left alone."""

    question_id: str
    recall_idle: float  # predicted recall at the interview with no more reviews
    opens: date | None  # brought forward: the first study day a Good review brings it to the
    # target (else the day itself); None for a card due before the interview
    reachable: bool  # a Good review on `day` brings it to the target
    day: date  # the study day its next review is expected: as usual, or brought forward
    brought_forward: bool  # the plan asks for it (it would fall due only after the interview)
    recall_planned: float  # predicted recall at the interview after a Good review on `day`;
    # when that is too early, the plan will ask for another later: counted at the target


class DayLoad(NamedTuple):
    """Reviews expected on one study day until the interview."""

    date: date
    due: int  # cards falling due as usual (today: with the overdue ones)
    brought_forward: int  # cards the plan brings forward

    @property
    def total(self) -> int:
        return self.due + self.brought_forward


class NewCards(NamedTuple):
    """Questions never seen, and whether the daily limit introduces them in time."""

    unseen: int
    per_day: int  # the daily new-card limit
    last_day: date  # the last study day on which a new question is learned in time
    days: int  # study days left to introduce them, today included
    capacity: int  # questions the limit introduces by `last_day`
    needed_per_day: int  # the limit that would introduce them all by `last_day`
    leave: tuple[tuple[str, int], ...]  # topics to leave instead (slug, questions never seen)

    @property
    def feasible(self) -> bool:
        return self.unseen <= self.capacity

    def problem(self) -> str | None:
        """One line saying why the new questions cannot all be learned in time, with the
        numbers and what would make it possible; None when they can."""
        if self.feasible:
            return None
        questions = f"{self.unseen} question{'s' if self.unseen != 1 else ''} never seen"
        if self.days <= 0:
            head = (
                f"{questions} cannot be learned in time: a new question needs "
                f"{NEW_LEAD_DAYS} study days before the interview"
            )
        else:
            head = (
                f"{questions}, but at {self.per_day} new a day only {self.capacity} can be "
                f"introduced by {self.last_day.isoformat()} ({NEW_LEAD_DAYS} days before the "
                f"interview, to be learned in time)"
            )
        remedies = []
        if self.days > 0:
            remedies.append(f"`dlquiz practice --new {self.needed_per_day}` every day")
        if self.leave:
            names = ", ".join(f"{slug} ({n})" for slug, n in self.leave)
            remedies.append(f"leave topic{'s' if len(self.leave) > 1 else ''} {names}")
        return head + ("; to make it: " + ", or ".join(remedies) if remedies else "")


class TopicReadiness(NamedTuple):
    topic: str
    title: str
    questions: int
    seen: int
    expected_correct: float
    at_risk: int


class Plan(NamedTuple):
    """The plan until an interview, and how ready the learner will be on the day."""

    interview: InterviewRow
    now: datetime
    today: date
    day: date  # the study day of the interview
    questions: int  # questions in scope
    studied: int  # of those, reviewed at least once
    expected_correct: float  # sum of predicted recall at the interview, the plan followed
    expected_idle: float  # the same with no more reviews at all
    at_risk: tuple[CardPlan, ...]  # lowest recall first
    loads: tuple[DayLoad, ...]  # today to the interview day
    new: NewCards
    topics: tuple[TopicReadiness, ...]

    @property
    def days_left(self) -> int:
        return (self.day - self.today).days

    @property
    def today_cards(self) -> tuple[str, ...]:
        """The cards to bring forward in today's practice, most urgent first."""
        return tuple(
            c.question_id for c in self.at_risk if c.brought_forward and c.day == self.today
        )

    @property
    def morning(self) -> int:
        """Reviews the plan expects on the interview day, before the interview."""
        return self.loads[-1].total if self.loads else 0

    def to_json(self) -> dict[str, Any]:
        """The `interview` object of `dlquiz stats --json` (docs/stats-json.md)."""
        return {
            "date": self.interview.local_date,
            "time": self.interview.local_time,
            "at": from_ms(self.interview.at).isoformat().replace("+00:00", "Z"),
            "target": self.interview.target,
            "days_left": self.days_left,
            "questions": self.questions,
            "studied": self.studied,
            "expected_correct": round(self.expected_correct, 2),
            "expected_correct_idle": round(self.expected_idle, 2),
            "morning_reviews": self.morning,
            "at_risk": [
                {
                    "id": c.question_id,
                    "recall_idle": round(c.recall_idle, 4),
                    "review_on": c.day.isoformat(),
                    "brought_forward": c.brought_forward,
                    "recall_planned": round(c.recall_planned, 4),
                }
                for c in self.at_risk
            ],
            "daily_load": [
                {"date": d.date.isoformat(), "due": d.due, "brought_forward": d.brought_forward}
                for d in self.loads
            ],
            "new_cards": {
                "unseen": self.new.unseen,
                "per_day": self.new.per_day,
                "last_day": self.new.last_day.isoformat(),
                "feasible": self.new.feasible,
                "needed_per_day": self.new.needed_per_day,
            },
            "topics": [
                {
                    "topic": t.topic,
                    "title": t.title,
                    "questions": t.questions,
                    "seen": t.seen,
                    "expected_correct": round(t.expected_correct, 2),
                    "at_risk": t.at_risk,
                }
                for t in self.topics
            ],
        }


def make_plan(
    setting: InterviewRow,
    bank: Bank,
    cards: Mapping[str, CardRow],
    *,
    now: datetime,
    days: StudyDays,
    scheduling: Scheduling,
    new_per_day: int,
    new_today: int = 0,
    early_today: int = 0,
    topics: tuple[str, ...] = (),
) -> Plan | None:
    """The plan from `now` to the interview (None once it has begun).

    `new_today` counts the questions introduced earlier today, `early_today` the cards already
    brought forward today (`Store.early_reviews_since`), so that a second session on the same
    day does not ask for a second day's share."""
    now = as_utc(now)
    at = from_ms(setting.at)
    if now >= at:
        return None
    today, day = days.day_of(now), days.day_of(at)
    span = (day - today).days + 1  # study days from today to the interview day, both counted
    # the moment a review on each study day is assumed to happen: now, then each day's start,
    # and on the day itself the half hour before the interview, when the plan asks for one
    moments = [now] + [days.start(today + timedelta(days=k)) for k in range(1, span)]
    moments[-1] = max(moments[-1], at - MORNING)
    questions = bank.with_topics(topics)
    studied = {q.id: cards[q.id] for q in questions if q.id in cards}
    idle = {qid: scheduling.retrievability(row, at) for qid, row in studied.items()}

    # the cards below the target if left alone
    usual: list[tuple[str, int]] = []  # due before the interview: (qid, its day)
    forward: list[tuple[str, int, bool]] = []  # due after it: (qid, window opens, reachable)
    for qid, row in studied.items():
        if idle[qid] >= setting.target:
            continue
        if row.due >= setting.at and row.state not in (LEARNING, RELEARNING):
            opens, reachable = _window(scheduling, row, moments, at, setting.target)
            forward.append((qid, opens, reachable))
        else:
            natural = (days.day_of(from_ms(row.due)) - today).days
            usual.append((qid, min(max(0, natural), span - 1)))
    # most urgent first: earliest window, then lowest recall at the interview
    forward.sort(key=lambda r: (r[1], idle[r[0]], r[0]))
    assigned = spread([opens for _, opens, _ in forward], span, early_today)
    day_of_review = {r[0]: k for r, k in zip(forward, assigned, strict=True)}
    plans = []
    for qid, opens, reachable in forward:
        k = day_of_review[qid]
        plans.append(
            CardPlan(
                question_id=qid,
                recall_idle=idle[qid],
                opens=today + timedelta(days=opens),
                reachable=reachable,
                day=today + timedelta(days=k),
                brought_forward=True,
                recall_planned=_after_good(scheduling, studied[qid], moments[k], at),
            )
        )
    for qid, k in usual:
        # reviewed on its day as usual; when that is too early for the interview, the plan
        # brings it back once more later, inside its window: counted at the target (at most)
        after = _after_good(scheduling, studied[qid], moments[k], at)
        if after < setting.target and k < span - 1:
            again = _good(scheduling, studied[qid], moments[k])
            after = min(setting.target, _after_good(scheduling, again, moments[-1], at))
        plans.append(
            CardPlan(
                question_id=qid,
                recall_idle=idle[qid],
                opens=None,
                reachable=after >= setting.target,
                day=today + timedelta(days=k),
                brought_forward=False,
                recall_planned=after,
            )
        )
    plans.sort(key=lambda p: (p.day, p.recall_idle, p.question_id))
    planned = {p.question_id: p.recall_planned for p in plans}
    expected = {qid: planned.get(qid, r) for qid, r in idle.items()}

    due = [0] * span
    for row in studied.values():
        if row.due < setting.at:
            due[max(0, (days.day_of(from_ms(row.due)) - today).days)] += 1
    ahead = [0] * span
    for k in day_of_review.values():
        ahead[k] += 1
    loads = tuple(DayLoad(today + timedelta(days=k), due[k], ahead[k]) for k in range(span))
    return Plan(
        interview=setting,
        now=now,
        today=today,
        day=day,
        questions=len(questions),
        studied=len(studied),
        expected_correct=sum(expected.values()),
        expected_idle=sum(idle.values()),
        at_risk=tuple(plans),
        loads=loads,
        new=new_cards(bank, questions, studied, today, day, new_per_day, new_today, topics),
        topics=_topics(bank, questions, studied, expected, idle, setting.target, topics),
    )


def _good(scheduling: Scheduling, row: CardRow, moment: datetime) -> CardRow:
    """The card after a review rated Good at `moment`, as py-fsrs makes it."""
    return scheduling.review(row.bank_id, row.question_id, row, Rating.Good, moment).row


def _after_good(scheduling: Scheduling, row: CardRow, moment: datetime, at: datetime) -> float:
    """Predicted recall at `at` after a review rated Good at `moment` (py-fsrs does both)."""
    return scheduling.retrievability(_good(scheduling, row, moment), at)


def _window(
    scheduling: Scheduling, row: CardRow, moments: Sequence[datetime], at: datetime, target: float
) -> tuple[int, bool]:
    """(the first day index whose Good review reaches `target` at `at`, whether any does).

    The later the review, the higher the recall at the interview (the gap is shorter and, as
    recall at review time is lower, the new stability is larger): a binary search finds it."""
    last = len(moments) - 1
    if _after_good(scheduling, row, moments[last], at) < target:
        return last, False
    low, high = 0, last
    while low < high:
        middle = (low + high) // 2
        if _after_good(scheduling, row, moments[middle], at) >= target:
            high = middle
        else:
            low = middle + 1
    return low, True


def spread(opens: Sequence[int], span: int, done_today: int = 0) -> list[int]:
    """Assign each card a day index in [its window's first day, span - 1], spreading the load.

    Day by day, the day takes the daily rate that still lets every card left fit in its window:
    the largest, over every day j from this one on, of the cards whose window opens on j or
    later divided by the days from j on; rounded to the nearest whole card, so that 10 cards
    over 19 days come every other day, not all in the first 10. `done_today` cards already done
    today count against today's share; the last day takes whatever is left. Returns the day of
    each card, in the order given (ties in window go to the earlier card)."""
    order = sorted(range(len(opens)), key=lambda i: (max(opens[i], 0), i))
    assigned = [span - 1] * len(opens)
    position = 0
    for k in range(span):
        left = order[position:]
        if not left:
            break
        extra = done_today if k == 0 else 0
        rate, index = 0.0, 0
        for j in range(k, span):
            while index < len(left) and max(opens[left[index]], k) < j:
                index += 1
            waiting = len(left) - index + (extra if j == k else 0)
            rate = max(rate, waiting / (span - j))
        open_now = sum(1 for i in left if opens[i] <= k)
        share = floor(rate + 0.5) - extra
        take = open_now if k == span - 1 else min(max(0, share), open_now)
        for i in left[:take]:
            assigned[i] = k
        position += take
    return assigned


def new_cards(
    bank: Bank,
    questions: Sequence[Question],
    studied: Mapping[str, CardRow],
    today: date,
    day: date,
    per_day: int,
    new_today: int = 0,
    topics: tuple[str, ...] = (),
) -> NewCards:
    """Whether the questions never seen can be introduced `NEW_LEAD_DAYS` before the day."""
    unseen = [q for q in questions if q.id not in studied]
    last_day = day - timedelta(days=NEW_LEAD_DAYS)
    days_left = max(0, (last_day - today).days + 1)
    capacity = max(0, per_day * days_left - new_today)
    needed = ceil((len(unseen) + new_today) / days_left) if days_left else 0
    leave: list[tuple[str, int]] = []
    if len(unseen) > capacity:
        counts: dict[str, int] = {t: 0 for t in (topics or tuple(bank.topics))}
        for q in unseen:
            for t in q.topics:
                if t in counts:
                    counts[t] += 1
        remaining = {q.id: q for q in unseen}
        for topic, _ in sorted(counts.items(), key=lambda c: (-c[1], c[0])):
            if len(remaining) <= capacity:
                break
            dropped = [qid for qid, q in remaining.items() if topic in q.topics]
            if dropped:
                leave.append((topic, len(dropped)))
                for qid in dropped:
                    del remaining[qid]
    return NewCards(
        unseen=len(unseen),
        per_day=per_day,
        last_day=last_day,
        days=days_left,
        capacity=capacity,
        needed_per_day=max(needed, per_day) if len(unseen) > capacity else per_day,
        leave=tuple(leave),
    )


def _topics(
    bank: Bank,
    questions: Sequence[Question],
    studied: Mapping[str, CardRow],
    expected: Mapping[str, float],
    idle: Mapping[str, float],
    target: float,
    topics: tuple[str, ...],
) -> tuple[TopicReadiness, ...]:
    """Readiness per topic (the chosen ones, or all), least ready first."""
    rows = []
    for topic in topics or tuple(bank.topics):
        ids = [q.id for q in questions if topic in q.topics]
        seen = [qid for qid in ids if qid in studied]
        rows.append(
            TopicReadiness(
                topic=topic,
                title=bank.topics[topic],
                questions=len(ids),
                seen=len(seen),
                expected_correct=sum(expected[qid] for qid in seen),
                at_risk=sum(1 for qid in seen if idle[qid] < target),
            )
        )
    rows.sort(key=lambda t: (t.expected_correct / t.questions if t.questions else 1.0, t.topic))
    return tuple(rows)
