"""Progress figures from the rows the store returns: pure data for `dlquiz stats` to render or
print. There is no SQL here: the store answers every question of the log with one aggregate
(`Store.review_tallies`: figures per study day, one row a day), and the cards (at most one per
question) are counted in Python.

Definitions, also shown on screen and in docs/stats-json.md:
- *new*: a question never reviewed; *learning*: a card in (re)learning steps; *review*: a card
  in review that is not mastered; *mastered*: a card in review whose predicted recall now is
  at least 0.9 and whose stability (the interval at which recall falls to 90%) is at least
  21 days. Each question is exactly one of these;
- *predicted recall*: FSRS's probability that a card would be recalled now (the `recall`
  function passed in, the scheduler's, for every recall shown or used to order);
- *measured (true) retention*: the share of reviews of cards in the review state that were not
  rated Again (reviews of new and (re)learning cards do not count);
- *study day*: from the rollover hour (4 am) in local time to the same hour the next day; the
  7- and 30-day windows are today and the 6 (29) study days before it;
- *streak*: consecutive study days with at least one review; the current streak still counts
  when today has no review yet but yesterday had;
- *due now*: cards whose due time has passed, not counting cards skipped until tomorrow;
- *agreement with the grader* and *weakest concepts*: see `grading_stats`.
- *due now*: cards whose due time (the scheduler's `due_at`: a review card from the start of
  its due study day, a learning step at its minute) has passed, not counting cards skipped
  until tomorrow nor suspended cards; *due later today*: the same, falling due before the
  next study day starts. The forecast counts exactly these: today's figure is due now plus
  due later today, a skipped card counts from tomorrow and a suspended card never;
- *leech*: a card with at least `model.LEECH_LAPSES` (8) lapses, as in Anki.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections.abc import Callable, Collection, Iterable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from dlquiz.bank import Bank
from dlquiz.clock import StudyDays, as_utc, from_ms, to_ms
from dlquiz.model import LEECH_LAPSES, REVIEW, CardRow, Question, is_leech
from dlquiz.store import ReviewTally, Store

if TYPE_CHECKING:
    from dlquiz.calibration import Calibration, Curve
    from dlquiz.grading_stats import GradingFigures
    from dlquiz.interview import Plan
    from dlquiz.workspace import Workspace

MASTERED_RECALL = 0.9
MASTERED_STABILITY_DAYS = 21.0
FORECAST_DAYS = 14
HARDEST = 5
RETENTION_WINDOWS = (("7d", 7), ("30d", 30), ("all", None))
SCHEMA = "dlquiz-stats/1"

Recall = Callable[[CardRow, datetime], float]
DueAt = Callable[[CardRow], int]

# The figures are NamedTuples, not dataclasses: each dataclass costs most of a millisecond to
# create at import, and `dlquiz stats` must start within 1.3x of its bare imports.


class Overview(NamedTuple):
    """Each question of the scope is exactly one of new, learning, review or mastered."""

    questions: int
    new: int
    learning: int
    review: int
    mastered: int


class Today(NamedTuple):
    date: date
    reviews: int
    new: int  # questions seen for the first time today
    seconds: float
    due: int  # due now
    due_later: int  # falling due later today
    new_left: int  # new cards a practice session would still introduce today


class Retention(NamedTuple):
    window: str  # "7d", "30d", "all"
    since: date | None  # first study day of the window; None for "all"
    reviews: int  # reviews of cards in the review state
    passed: int  # of those, not rated Again

    @property
    def rate(self) -> float | None:
        return self.passed / self.reviews if self.reviews else None


class DayCount(NamedTuple):
    date: date
    total: int


class TopicFigures(NamedTuple):
    topic: str
    title: str
    questions: int
    seen: int
    mean_recall: float | None  # predicted: FSRS's mean recall now of the cards seen
    lapses: int
    due: int


class HardQuestion(NamedTuple):
    id: str
    number: str
    question: str
    lapses: int
    recall: float
    reviews: int


class CardFigures(NamedTuple):
    """A leech or a suspended card."""

    id: str
    number: str
    question: str
    lapses: int
    recall: float | None  # None: never reviewed (a suspended card may never have been)
    suspended: bool


class Stats(NamedTuple):
    bank_id: str
    bank_title: str
    topics: tuple[str, ...]
    now: datetime
    time_zone: str
    desired_retention: float
    rollover_hour: int
    new_per_day: int
    overview: Overview
    today: Today
    retention: tuple[Retention, ...]
    forecast: tuple[DayCount, ...]
    activity: tuple[DayCount, ...]
    current_streak: int
    longest_streak: int
    study_days: int
    total_reviews: int
    per_topic: tuple[TopicFigures, ...]
    hardest: tuple[HardQuestion, ...]
    leeches: tuple[CardFigures, ...]  # most lapses first, suspended ones included
    suspended: tuple[CardFigures, ...]  # in bank order
    # The figures a screen shows only when asked (`--section`, `--all`, `--json`): None when
    # `compute` was told to leave them out, so that the default screen starts faster.
    calibration: Calibration | None = None
    grading: GradingFigures | None = None
    interview: Plan | None = None  # while an interview date is set (`dlquiz interview`)

    @property
    def empty(self) -> bool:
        """Nothing studied yet (in these topics)."""
        return self.total_reviews == 0 and self.overview.new == self.overview.questions

    def to_json(self) -> dict[str, Any]:
        """Every figure, in the stable schema documented in docs/stats-json.md."""
        return {
            "schema": SCHEMA,
            "generated_at": self.now.replace(microsecond=0).isoformat().replace("+00:00", "Z"),
            "bank": {"id": self.bank_id, "title": self.bank_title},
            "topics_filter": list(self.topics),
            "settings": {
                "desired_retention": self.desired_retention,
                "rollover_hour": self.rollover_hour,
                "time_zone": self.time_zone,
                "new_per_day": self.new_per_day,
                "leech_lapses": LEECH_LAPSES,
                "mastered": {
                    "min_recall": MASTERED_RECALL,
                    "min_stability_days": MASTERED_STABILITY_DAYS,
                },
            },
            "overview": {
                "questions": self.overview.questions,
                "new": self.overview.new,
                "learning": self.overview.learning,
                "review": self.overview.review,
                "mastered": self.overview.mastered,
            },
            "today": {
                "date": self.today.date.isoformat(),
                "reviews": self.today.reviews,
                "new": self.today.new,
                "seconds": round(self.today.seconds, 1),
                "due": self.today.due,
                "due_later": self.today.due_later,
                "new_left": self.today.new_left,
            },
            "retention": {
                r.window: {
                    "since": None if r.since is None else r.since.isoformat(),
                    "reviews": r.reviews,
                    "passed": r.passed,
                    "rate": _round(r.rate),
                }
                for r in self.retention
            },
            "forecast": [{"date": d.date.isoformat(), "due": d.total} for d in self.forecast],
            "activity": {
                "days": [{"date": d.date.isoformat(), "reviews": d.total} for d in self.activity],
                "current_streak": self.current_streak,
                "longest_streak": self.longest_streak,
                "study_days": self.study_days,
                "total_reviews": self.total_reviews,
            },
            "topics": [
                {
                    "topic": t.topic,
                    "title": t.title,
                    "questions": t.questions,
                    "seen": t.seen,
                    "mean_recall": _round(t.mean_recall),
                    "lapses": t.lapses,
                    "due": t.due,
                }
                for t in self.per_topic
            ],
            "hardest": [
                {
                    "id": h.id,
                    "number": h.number,
                    "question": h.question,
                    "lapses": h.lapses,
                    "recall": round(h.recall, 4),
                    "reviews": h.reviews,
                }
                for h in self.hardest
            ],
            "leeches": [_card_json(c) for c in self.leeches],
            "suspended": [_card_json(c) for c in self.suspended],
            "interview": None if self.interview is None else self.interview.to_json(),
            "grading": None if self.grading is None else self.grading.to_json(),
            "calibration": None if self.calibration is None else self.calibration.to_json(),
        }


def _card_json(c: CardFigures) -> dict[str, Any]:
    return {
        "id": c.id,
        "number": c.number,
        "question": c.question,
        "lapses": c.lapses,
        "recall": _round(c.recall),
        "suspended": c.suspended,
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


NO_REVIEWS = ReviewTally(0, 0, 0, 0)


def compute(
    store: Store,
    bank: Bank,
    *,
    now: datetime,
    days: StudyDays,
    recall: Recall,
    curve: Curve,
    due_at: DueAt,
    desired_retention: float,
    new_per_day: int,
    suspended: Collection[str],
    topics: tuple[str, ...] = (),
    activity_days: int = 182,
    extras: bool = True,
) -> Stats:
    """All figures for `bank` (narrowed to `topics`) as of `now`; without `extras`, the
    calibration and the grading figures are left out (None).

    The scheduler's own answers are passed in, so that stats never disagrees with a session:
    `recall`, a card's predicted recall now; `curve`, recall from a stability and the days
    since a review (for calibration); `due_at`, when a card falls due (ms); and
    `suspended`, the questions the learner suspended (never shown, so never due)."""
    now = as_utc(now)
    now_ms = to_ms(now)
    suspended = frozenset(suspended)
    today = days.day_of(now)
    tomorrow_ms = to_ms(days.start(today + timedelta(days=1)))
    questions = bank.with_topics(topics)
    in_scope = {q.id for q in questions}
    with store.reading():
        cards = {qid: c for qid, c in store.cards(bank.id).items() if qid in in_scope}
        buried = store.buried(bank.id, now_ms)
        per_day = _per_day(store, bank.id, in_scope if topics else None, days, today)
        # the daily limit counts new cards of the whole bank, whatever the topics
        introduced = store.new_introduced_since(bank.id, to_ms(days.start(today)))
        recalls = {qid: recall(card, now) for qid, card in cards.items()}
        hardest = _hardest(questions, cards, recalls, suspended)
        review_counts = store.review_counts(bank.id, {q.id for q in hardest})
        if extras:
            extra = _extras(store, bank.id, in_scope if topics else None, questions, curve,
                            desired_retention)  # fmt: skip
    # when each card that may be shown falls due; a card skipped until tomorrow, from then
    dues = {
        qid: max(due_at(c), tomorrow_ms) if qid in buried else due_at(c)
        for qid, c in cards.items()
        if qid not in suspended
    }
    due_now = {qid for qid, due in dues.items() if due <= now_ms}
    due_later = sum(1 for due in dues.values() if now_ms < due < tomorrow_ms)
    studied = sorted(day for day, figures in per_day.items() if figures.reviews)
    current, longest = _streaks(studied, today)
    first_shown = today - timedelta(days=activity_days - 1)
    today_figures = per_day.get(today, NO_REVIEWS)
    # the new cards a practice session could still show today
    unseen = sum(
        1 for qid in in_scope if qid not in cards and qid not in buried and qid not in suspended
    )
    return Stats(
        bank_id=bank.id,
        bank_title=bank.title,
        topics=topics,
        now=now,
        time_zone=days.zone_name,
        desired_retention=desired_retention,
        rollover_hour=days.rollover_hour,
        new_per_day=new_per_day,
        overview=_overview(len(questions), cards, recalls),
        today=Today(
            date=today,
            reviews=today_figures.reviews,
            new=len(introduced & in_scope),
            seconds=today_figures.duration_ms / 1000,
            due=len(due_now),
            due_later=due_later,
            new_left=min(unseen, max(0, new_per_day - len(introduced))),
        ),
        retention=_retention(per_day, today),
        forecast=_forecast(dues.values(), days, today),
        activity=tuple(
            DayCount(day, per_day[day].reviews if day in per_day else 0)
            for day in (first_shown + timedelta(days=i) for i in range(activity_days))
        ),
        current_streak=current,
        longest_streak=longest,
        study_days=len(studied),
        total_reviews=sum(figures.reviews for figures in per_day.values()),
        per_topic=_per_topic(bank, questions, cards, recalls, due_now, topics),
        hardest=tuple(
            HardQuestion(
                id=q.id,
                number=q.number,
                question=q.question,
                lapses=cards[q.id].lapses,
                recall=recalls[q.id],
                reviews=review_counts.get(q.id, 0),
            )
            for q in hardest
        ),
        leeches=_leeches(questions, cards, recalls, suspended),
        suspended=tuple(
            _card_figures(q, cards.get(q.id), recalls.get(q.id), True)
            for q in questions
            if q.id in suspended
        ),
        calibration=extra[0] if extras else None,
        grading=extra[1] if extras else None,
    )


def _extras(
    store: Store,
    bank_id: str,
    scope: set[str] | None,
    questions: list[Question],
    curve: Curve,
    desired_retention: float,
) -> tuple[Calibration, GradingFigures]:
    """The calibration of the recall model and the grading figures: modules of their own,
    imported only when the figures are wanted."""
    from dlquiz import calibration, grading_stats

    recent = store.recent_reviews_in_review(bank_id, calibration.WINDOW, scope)
    graded = grading_stats.compute(
        store.agreement_counts(bank_id), store.missed_counts(bank_id), questions
    )
    return calibration.calibrate(recent, curve, desired_retention), graded


def _per_day(
    store: Store, bank_id: str, question_ids: set[str] | None, days: StudyDays, today: date
) -> dict[date, ReviewTally]:
    """The log's figures per study day (only days with reviews), from the first study day with
    a review of the bank to today (or to the last day with one, if later)."""
    span = store.review_span(bank_id)
    if span is None:
        return {}
    first = days.day_of(from_ms(span[0]))
    last = max(today, days.day_of(from_ms(span[1])))
    bounds = [to_ms(days.start(first + timedelta(days=i))) for i in range((last - first).days + 2)]
    tallies = store.review_tallies(bank_id, bounds, question_ids)
    return {first + timedelta(days=i): tally for i, tally in tallies.items()}


def _retention(per_day: dict[date, ReviewTally], today: date) -> tuple[Retention, ...]:
    result = []
    for window, length in RETENTION_WINDOWS:
        since = None if length is None else today - timedelta(days=length - 1)
        chosen = [f for day, f in per_day.items() if since is None or since <= day <= today]
        result.append(
            Retention(
                window=window,
                since=since,
                reviews=sum(f.in_review for f in chosen),
                passed=sum(f.passed for f in chosen),
            )
        )
    return tuple(result)


def _streaks(studied: list[date], today: date) -> tuple[int, int]:
    """(current, longest) runs of consecutive study days among `studied` (sorted)."""
    longest = run = 0
    previous: date | None = None
    for day in studied:
        run = run + 1 if previous is not None and (day - previous).days == 1 else 1
        longest = max(longest, run)
        previous = day
    present = set(studied)
    current = 0
    day = today if today in present else today - timedelta(days=1)
    while day in present:
        current += 1
        day -= timedelta(days=1)
    return current, longest


def is_mastered(card: CardRow, recall: float) -> bool:
    """In review, recall now at least 90% and stability at least 21 days."""
    return (
        card.state == REVIEW
        and recall >= MASTERED_RECALL
        and card.stability is not None
        and card.stability >= MASTERED_STABILITY_DAYS
    )


def _overview(total: int, cards: dict[str, CardRow], recalls: dict[str, float]) -> Overview:
    in_review = [qid for qid, c in cards.items() if c.state == REVIEW]
    mastered = sum(1 for qid in in_review if is_mastered(cards[qid], recalls[qid]))
    return Overview(
        questions=total,
        new=total - len(cards),
        learning=len(cards) - len(in_review),
        review=len(in_review) - mastered,
        mastered=mastered,
    )


def _forecast(dues: Iterable[int], days: StudyDays, today: date) -> tuple[DayCount, ...]:
    """Cards due on each of the next 14 study days, from their due times (ms); overdue cards
    count today."""
    ends = [to_ms(days.start(today + timedelta(days=i + 1))) for i in range(FORECAST_DAYS)]
    counts = [0] * FORECAST_DAYS
    for due in dues:
        index = bisect_right(ends, due)  # a card due at a day's start is due that day
        if index < FORECAST_DAYS:
            counts[index] += 1
    return tuple(DayCount(today + timedelta(days=i), n) for i, n in enumerate(counts))


def _per_topic(
    bank: Bank,
    questions: list[Question],
    cards: dict[str, CardRow],
    recalls: dict[str, float],
    due_now: set[str],
    topics: tuple[str, ...],
) -> tuple[TopicFigures, ...]:
    """One row per topic (the chosen ones, or all), weakest first: lowest mean predicted recall
    of the cards seen, then most lapses; topics with nothing seen last."""
    members: dict[str, list[str]] = {t: [] for t in (topics or tuple(bank.topics))}
    for q in questions:
        for t in q.topics:
            if t in members:
                members[t].append(q.id)
    rows = []
    for topic, ids in members.items():
        seen = [qid for qid in ids if qid in cards]
        rows.append(
            TopicFigures(
                topic=topic,
                title=bank.topics[topic],
                questions=len(ids),
                seen=len(seen),
                mean_recall=sum(recalls[q] for q in seen) / len(seen) if seen else None,
                lapses=sum(cards[q].lapses for q in seen),
                due=sum(1 for q in seen if q in due_now),
            )
        )
    rows.sort(
        key=lambda r: (
            r.mean_recall is None,
            r.mean_recall if r.mean_recall is not None else 0.0,
            -r.lapses,
            r.topic,
        )
    )
    return tuple(rows)


def _hardest(
    questions: list[Question],
    cards: dict[str, CardRow],
    recalls: dict[str, float],
    suspended: Collection[str],
) -> list[Question]:
    """The questions seen (and not suspended) with the most lapses, then the lowest recall
    now; only those with a lapse or a recall below 90%."""
    hard = (
        q
        for q in questions
        if q.id in cards
        and q.id not in suspended
        and (cards[q.id].lapses > 0 or recalls[q.id] < MASTERED_RECALL)
    )
    return heapq.nsmallest(HARDEST, hard, key=lambda q: (-cards[q.id].lapses, recalls[q.id], q.id))


def _leeches(
    questions: list[Question],
    cards: dict[str, CardRow],
    recalls: dict[str, float],
    suspended: Collection[str],
) -> tuple[CardFigures, ...]:
    """Every leech of the scope, most lapses first, then lowest recall now."""
    found = [
        _card_figures(q, cards[q.id], recalls[q.id], q.id in suspended)
        for q in questions
        if q.id in cards and is_leech(cards[q.id].lapses)
    ]
    found.sort(key=lambda c: (-c.lapses, recalls[c.id], c.id))
    return tuple(found)


def _card_figures(
    q: Question, card: CardRow | None, recall: float | None, suspended: bool
) -> CardFigures:
    return CardFigures(
        id=q.id,
        number=q.number,
        question=q.question,
        lapses=card.lapses if card is not None else 0,
        recall=recall,
        suspended=suspended,
    )


EXTRA_SECTIONS = frozenset({"calibration", "grading"})  # the screens of the extras


def needs_extras(sections: Iterable[str]) -> bool:
    """Whether showing these sections of `dlquiz stats` needs the extra figures."""
    return not EXTRA_SECTIONS.isdisjoint(sections)


def gather(
    workspace: Workspace,
    store: Store,
    topics: tuple[str, ...],
    activity_days: int,
    now: datetime,
    extras: bool = True,
) -> Stats:
    """Every figure of `dlquiz stats` for the workspace's bank, with its scheduler and settings
    (so that stats never disagrees with a session), and the interview plan if a date is set;
    `extras` as for `compute`."""
    bank, config = workspace.bank(), workspace.config
    scheduling = workspace.scheduling(store)
    result = compute(
        store,
        bank,
        now=now,
        days=scheduling.days,
        recall=scheduling.retrievability,
        curve=scheduling.recall_after,
        due_at=scheduling.due_ms,
        desired_retention=config.desired_retention,
        new_per_day=config.new_per_day,
        suspended=store.suspended(bank.id),
        topics=topics,
        activity_days=activity_days,
        extras=extras,
    )
    if store.interview(bank.id) is None:
        return result
    from dlquiz.interview import plan_from_store  # only when a date is set: start-up

    plan = plan_from_store(
        store, bank, scheduling, scheduling.days, now, config.new_per_day, topics
    )
    return result._replace(interview=plan)
