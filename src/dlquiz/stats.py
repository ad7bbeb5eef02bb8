"""Progress figures, computed from the store: pure data for `dlquiz stats` to render or print.

Figures over the review log come from SQL aggregates (a covering index on the log's time makes
them scans of an index, not of the table), so a million reviews take well under a second.
Figures over cards (at most one per question) are computed in Python.

Definitions, also shown on screen:
- *mastered*: a card whose recall probability now is at least 0.9 and whose stability (the
  interval at which recall falls to 90%) is at least 21 days;
- *true retention*: the share of reviews of cards in the review state that were not rated Again;
- *study day*: from the rollover hour (4 am) in local time to the same hour the next day;
- *streak*: consecutive study days with at least one review; the current streak still counts
  when today has no review yet but yesterday had.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from dlquiz.bank import Bank
from dlquiz.clock import StudyDays, to_ms
from dlquiz.store import LEARNING, RELEARNING, CardRow, Store

MASTERED_RECALL = 0.9
MASTERED_STABILITY_DAYS = 21.0
FORECAST_DAYS = 14
HARDEST = 5
BUCKET_MS = 15 * 60 * 1000  # every time zone offset is a multiple of 15 minutes
SCHEMA = "dlquiz-stats/1"

Recall = Callable[[CardRow, datetime], float]


@dataclass(frozen=True)
class Overview:
    questions: int
    new: int
    learning: int
    review: int
    mastered: int


@dataclass(frozen=True)
class Today:
    date: date
    reviews: int
    new: int
    seconds: float
    due: int


@dataclass(frozen=True)
class Retention:
    window: str  # "7d", "30d", "all"
    reviews: int
    passed: int

    @property
    def rate(self) -> float | None:
        return self.passed / self.reviews if self.reviews else None


@dataclass(frozen=True)
class DayCount:
    date: date
    count: int


@dataclass(frozen=True)
class TopicFigures:
    topic: str
    title: str
    questions: int
    seen: int
    mean_recall: float | None
    lapses: int
    due: int


@dataclass(frozen=True)
class HardQuestion:
    id: str
    number: str
    question: str
    lapses: int
    recall: float
    reviews: int


@dataclass(frozen=True)
class Stats:
    bank_id: str
    bank_title: str
    topics: tuple[str, ...]
    now: datetime
    desired_retention: float
    rollover_hour: int
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

    @property
    def empty(self) -> bool:
        return self.total_reviews == 0 and self.overview.new == self.overview.questions

    def to_json(self) -> dict[str, Any]:
        """Every figure, in the stable schema documented in docs/stats-json.md."""
        return {
            "schema": SCHEMA,
            "generated_at": self.now.isoformat().replace("+00:00", "Z"),
            "bank": {"id": self.bank_id, "title": self.bank_title},
            "topics_filter": list(self.topics),
            "settings": {
                "desired_retention": self.desired_retention,
                "rollover_hour": self.rollover_hour,
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
            },
            "retention": {
                r.window: {
                    "reviews": r.reviews,
                    "passed": r.passed,
                    "rate": None if r.rate is None else round(r.rate, 4),
                }
                for r in self.retention
            },
            "forecast": [{"date": d.date.isoformat(), "due": d.count} for d in self.forecast],
            "activity": {
                "days": [{"date": d.date.isoformat(), "reviews": d.count} for d in self.activity],
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
                    "mean_recall": None if t.mean_recall is None else round(t.mean_recall, 4),
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
        }


def compute(
    store: Store,
    bank: Bank,
    *,
    now: datetime,
    days: StudyDays,
    recall: Recall,
    desired_retention: float,
    topics: tuple[str, ...] = (),
    activity_days: int = 182,
) -> Stats:
    """All figures for `bank` (narrowed to `topics`) as of `now`."""
    questions = bank.with_topics(topics)
    in_scope = {q.id for q in questions}
    now_ms = to_ms(now)
    today = days.day_of(now)
    with store.reading():
        cards = {qid: c for qid, c in store.cards(bank.id).items() if qid in in_scope}
        scope = _scope_sql(store, in_scope if topics else None)
        today_row = _today(store, bank.id, to_ms(days.start(today)), scope)
        retention = _retention(store, bank.id, now, scope)
        buckets = store.query(
            f"SELECT reviewed_at / {BUCKET_MS}, count(*) FROM reviews "
            f"WHERE bank_id = ? {scope} GROUP BY 1 ORDER BY 1",
            (bank.id,),
        )
        review_counts = dict(
            store.query(
                f"SELECT question_id, count(*) FROM reviews WHERE bank_id = ? {scope} "
                "GROUP BY question_id",
                (bank.id,),
            )
        )
    recalls = {qid: recall(card, now) for qid, card in cards.items()}
    by_day = _per_day(buckets, days, today)
    study_days = sorted(by_day)
    current, longest = _streaks(study_days, today)
    first_shown = today - timedelta(days=activity_days - 1)
    due_now = {qid for qid, c in cards.items() if c.due <= now_ms}
    return Stats(
        bank_id=bank.id,
        bank_title=bank.title,
        topics=topics,
        now=now,
        desired_retention=desired_retention,
        rollover_hour=days.rollover_hour,
        overview=_overview(len(questions), cards, recalls),
        today=Today(today, today_row[0], today_row[1], today_row[2] / 1000, len(due_now)),
        retention=retention,
        forecast=_forecast(cards, days, today),
        activity=tuple(
            DayCount(
                first_shown + timedelta(days=i), by_day.get(first_shown + timedelta(days=i), 0)
            )
            for i in range(activity_days)
        ),
        current_streak=current,
        longest_streak=longest,
        study_days=len(study_days),
        total_reviews=sum(by_day.values()),
        per_topic=_per_topic(bank, questions, cards, recalls, due_now, topics),
        hardest=_hardest(questions, cards, recalls, review_counts),
    )


def _scope_sql(store: Store, question_ids: set[str] | None) -> str:
    """A SQL condition limiting reviews to the questions of the chosen topics."""
    if question_ids is None:
        return ""
    store.db.execute("CREATE TEMP TABLE IF NOT EXISTS scope (question_id TEXT PRIMARY KEY)")
    store.db.execute("DELETE FROM scope")
    store.db.executemany("INSERT INTO scope VALUES (?)", ((q,) for q in question_ids))
    return "AND question_id IN (SELECT question_id FROM scope)"


def _today(store: Store, bank_id: str, start_ms: int, scope: str) -> tuple[int, int, int]:
    row = store.query(
        "SELECT count(*), count(DISTINCT CASE WHEN state_before = 0 THEN question_id END), "
        "coalesce(sum(duration_ms), 0) FROM reviews "
        f"WHERE bank_id = ? AND reviewed_at >= ? {scope}",
        (bank_id, start_ms),
    )[0]
    return int(row[0]), int(row[1]), int(row[2])


def _retention(store: Store, bank_id: str, now: datetime, scope: str) -> tuple[Retention, ...]:
    d7 = to_ms(now - timedelta(days=7))
    d30 = to_ms(now - timedelta(days=30))
    row = store.query(
        "SELECT count(*), coalesce(sum(rating > 1), 0), "
        "coalesce(sum(reviewed_at >= :d30), 0), "
        "coalesce(sum(reviewed_at >= :d30 AND rating > 1), 0), "
        "coalesce(sum(reviewed_at >= :d7), 0), "
        "coalesce(sum(reviewed_at >= :d7 AND rating > 1), 0) "
        f"FROM reviews WHERE bank_id = :bank AND state_before = 2 {scope}",
        {"bank": bank_id, "d7": d7, "d30": d30},
    )[0]
    return (
        Retention("7d", row[4], row[5]),
        Retention("30d", row[2], row[3]),
        Retention("all", row[0], row[1]),
    )


def _per_day(buckets: list[tuple[int, int]], days: StudyDays, today: date) -> dict[date, int]:
    """Review counts per study day, from counts per 15-minute bucket."""
    if not buckets:
        return {}
    first = days.day_of(_bucket_time(buckets[0][0]))
    last = max(today, days.day_of(_bucket_time(buckets[-1][0])))
    span = (last - first).days + 1
    starts = [to_ms(days.start(first + timedelta(days=i))) for i in range(span + 1)]
    counts: dict[date, int] = defaultdict(int)
    for bucket, count in buckets:
        index = bisect_right(starts, bucket * BUCKET_MS) - 1
        counts[first + timedelta(days=max(index, 0))] += count
    return dict(counts)


def _bucket_time(bucket: int) -> datetime:
    from dlquiz.clock import from_ms

    return from_ms(bucket * BUCKET_MS)


def _streaks(study_days: list[date], today: date) -> tuple[int, int]:
    longest = run = 0
    previous: date | None = None
    for day in study_days:
        run = run + 1 if previous is not None and (day - previous).days == 1 else 1
        longest = max(longest, run)
        previous = day
    present = set(study_days)
    current = 0
    day = today if today in present else today - timedelta(days=1)
    while day in present:
        current += 1
        day -= timedelta(days=1)
    return current, longest


def _is_mastered(card: CardRow, recall: float) -> bool:
    return (
        card.state not in (LEARNING, RELEARNING)
        and recall >= MASTERED_RECALL
        and (card.stability or 0.0) >= MASTERED_STABILITY_DAYS
    )


def _overview(total: int, cards: dict[str, CardRow], recalls: dict[str, float]) -> Overview:
    learning = sum(1 for c in cards.values() if c.state in (LEARNING, RELEARNING))
    mastered = sum(1 for qid, c in cards.items() if _is_mastered(c, recalls[qid]))
    return Overview(
        questions=total,
        new=total - len(cards),
        learning=learning,
        review=len(cards) - learning - mastered,
        mastered=mastered,
    )


def _forecast(cards: dict[str, CardRow], days: StudyDays, today: date) -> tuple[DayCount, ...]:
    """Cards due on each of the next 14 study days; overdue cards count today."""
    ends = [to_ms(days.start(today + timedelta(days=i + 1))) for i in range(FORECAST_DAYS)]
    counts = [0] * FORECAST_DAYS
    for card in cards.values():
        index = bisect_right(ends, card.due)
        if index < FORECAST_DAYS:
            counts[index] += 1
    return tuple(DayCount(today + timedelta(days=i), n) for i, n in enumerate(counts))


def _per_topic(
    bank: Bank,
    questions: list[Any],
    cards: dict[str, CardRow],
    recalls: dict[str, float],
    due_now: set[str],
    topics: tuple[str, ...],
) -> tuple[TopicFigures, ...]:
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
    rows.sort(key=lambda r: (r.mean_recall is None, r.mean_recall or 0.0, -r.lapses, r.topic))
    return tuple(rows)


def _hardest(
    questions: list[Any],
    cards: dict[str, CardRow],
    recalls: dict[str, float],
    review_counts: dict[str, int],
) -> tuple[HardQuestion, ...]:
    seen = [q for q in questions if q.id in cards]
    seen.sort(key=lambda q: (-cards[q.id].lapses, recalls[q.id], q.id))
    hard = [q for q in seen if cards[q.id].lapses > 0 or recalls[q.id] < MASTERED_RECALL]
    return tuple(
        HardQuestion(
            q.id,
            q.number,
            q.question,
            cards[q.id].lapses,
            recalls[q.id],
            review_counts.get(q.id, 0),
        )
        for q in hard[:HARDEST]
    )
