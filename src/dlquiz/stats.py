"""Progress figures, computed from the store: pure data for `dlquiz stats` to render or print.

Figures over the review log come from one SQL aggregate per study day: the days are put in a
temporary table of (start, end) instants, and the log is joined to it by time through the
covering index `reviews_time`, so that a million reviews are counted by SQLite, in one pass over
an index, and Python only sees one row per day. Figures over cards (at most one per question)
are computed in Python.

Definitions, also shown on screen and in docs/stats-json.md:
- *new*: a question never reviewed; *learning*: a card in (re)learning steps; *review*: a card
  in review that is not mastered; *mastered*: a card in review whose recall probability now is
  at least 0.9 and whose stability (the interval at which recall falls to 90%) is at least
  21 days. Each question is exactly one of these;
- *true retention*: the share of reviews of cards in the review state that were not rated
  Again (reviews of new and (re)learning cards do not count);
- *study day*: from the rollover hour (4 am) in local time to the same hour the next day; the
  7- and 30-day windows are today and the 6 (29) study days before it;
- *streak*: consecutive study days with at least one review; the current streak still counts
  when today has no review yet but yesterday had;
- *due now*: cards whose due time has passed, not counting cards skipped until tomorrow.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from dlquiz import calibration
from dlquiz.bank import Bank
from dlquiz.calibration import Calibration
from dlquiz.clock import StudyDays, as_utc, from_ms, to_ms
from dlquiz.model import REVIEW, CardRow, Question
from dlquiz.store import BUCKET_MS, Store

MASTERED_RECALL = 0.9
MASTERED_STABILITY_DAYS = 21.0
FORECAST_DAYS = 14
HARDEST = 5
RETENTION_WINDOWS = (("7d", 7), ("30d", 30), ("all", None))
SCHEMA = "dlquiz-stats/1"

Recall = Callable[[CardRow, datetime], float]

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
    new: int
    seconds: float
    due: int


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
    mean_recall: float | None
    lapses: int
    due: int


class HardQuestion(NamedTuple):
    id: str
    number: str
    question: str
    lapses: int
    recall: float
    reviews: int


class Stats(NamedTuple):
    bank_id: str
    bank_title: str
    topics: tuple[str, ...]
    now: datetime
    time_zone: str
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
    calibration: Calibration

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
            "calibration": self.calibration.to_json(),
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


class _Day(NamedTuple):
    """What the log holds for one study day."""

    reviews: int = 0
    in_review: int = 0  # reviews of cards in the review state
    passed: int = 0  # of those, not rated Again
    duration_ms: int = 0


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
    now = as_utc(now)
    now_ms = to_ms(now)
    today = days.day_of(now)
    questions = bank.with_topics(topics)
    in_scope = {q.id for q in questions}
    with store.reading():
        cards = {qid: c for qid, c in store.cards(bank.id).items() if qid in in_scope}
        buried = store.buried(bank.id, now_ms)
        scope = _scope_sql(store, in_scope if topics else None)
        per_day = _per_day(store, bank.id, scope, days, today)
        today_ms = to_ms(days.start(today))
        new_today = store.new_introduced_since(bank.id, today_ms) & in_scope
        recalls = {qid: recall(card, now) for qid, card in cards.items()}
        hardest = _hardest(questions, cards, recalls)
        review_counts = _review_counts(store, bank.id, [q.id for q in hardest])
        recent = store.recent_reviews_in_review(
            bank.id, calibration.WINDOW, in_scope if topics else None
        )
    due_now = {qid for qid, c in cards.items() if c.due <= now_ms and qid not in buried}
    studied = sorted(day for day, figures in per_day.items() if figures.reviews)
    current, longest = _streaks(studied, today)
    first_shown = today - timedelta(days=activity_days - 1)
    today_figures = per_day.get(today, _Day())
    return Stats(
        bank_id=bank.id,
        bank_title=bank.title,
        topics=topics,
        now=now,
        time_zone=days.zone_name,
        desired_retention=desired_retention,
        rollover_hour=days.rollover_hour,
        overview=_overview(len(questions), cards, recalls),
        today=Today(
            date=today,
            reviews=today_figures.reviews,
            new=len(new_today),
            seconds=today_figures.duration_ms / 1000,
            due=len(due_now),
        ),
        retention=_retention(per_day, today),
        forecast=_forecast(cards.values(), days, today),
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
        calibration=calibration.calibrate(bank.id, recent, recall, desired_retention),
    )


def _scope_sql(store: Store, question_ids: set[str] | None) -> str:
    """A condition on `r.question_id` limiting reviews to the chosen topics ("" for all).

    The unary `+` keeps SQLite from answering the query through the per-question index, which
    would seek once per question and day instead of reading the day's reviews in one range."""
    if question_ids is None:
        return ""
    store.db.execute("CREATE TEMP TABLE IF NOT EXISTS stats_scope (question_id TEXT PRIMARY KEY)")
    store.db.execute("DELETE FROM temp.stats_scope")
    store.db.executemany(
        "INSERT INTO temp.stats_scope VALUES (?)", ((q,) for q in sorted(question_ids))
    )
    return "AND +r.question_id IN (SELECT question_id FROM temp.stats_scope)"


def _per_day(
    store: Store, bank_id: str, scope: str, days: StudyDays, today: date
) -> dict[date, _Day]:
    """The log's figures per study day (only days with reviews).

    For the whole bank they come from the per-slot counts the store keeps (`review_buckets`),
    a row per 15 minutes studied; narrowed to some topics, from one aggregate query over the
    log itself, joined by time to a temporary table of the study days."""
    if not scope:
        slots = store.query(
            "SELECT bucket, reviews, in_review, passed, duration_ms FROM review_buckets "
            "WHERE bank_id = ? ORDER BY bucket",
            (bank_id,),
        )
        if not slots:
            return {}
        first, starts = _day_starts(days, slots[0][0] * BUCKET_MS, slots[-1][0] * BUCKET_MS, today)
        sums: dict[int, list[int]] = {}
        for bucket, *figures in slots:
            index = bisect_right(starts, bucket * BUCKET_MS) - 1
            total = sums.setdefault(index, [0, 0, 0, 0])
            for k, value in enumerate(figures):
                total[k] += value
        return {first + timedelta(days=i): _Day(*total) for i, total in sums.items()}
    bounds = store.query(
        "SELECT min(reviewed_at), max(reviewed_at) FROM reviews WHERE bank_id = ?", (bank_id,)
    )[0]
    if bounds[0] is None:
        return {}
    first, starts = _day_starts(days, bounds[0], bounds[1], today)
    store.db.execute(
        "CREATE TEMP TABLE IF NOT EXISTS stats_days "
        "(day INTEGER PRIMARY KEY, day_start INTEGER NOT NULL, day_end INTEGER NOT NULL)"
    )
    store.db.execute("DELETE FROM temp.stats_days")
    store.db.executemany(
        "INSERT INTO temp.stats_days VALUES (?, ?, ?)",
        ((i, starts[i], starts[i + 1]) for i in range(len(starts) - 1)),
    )
    rows = store.query(
        "SELECT d.day, count(*), "
        "count(*) FILTER (WHERE r.state_before = 2), "
        "count(*) FILTER (WHERE r.state_before = 2 AND r.rating > 1), "
        "coalesce(sum(r.duration_ms), 0) "
        "FROM temp.stats_days AS d JOIN reviews AS r "
        "ON r.bank_id = ? AND r.reviewed_at >= d.day_start AND r.reviewed_at < d.day_end "
        f"{scope} GROUP BY d.day",
        (bank_id,),
    )
    return {first + timedelta(days=row[0]): _Day(*row[1:]) for row in rows}


def _day_starts(
    days: StudyDays, first_ms: int, last_ms: int, today: date
) -> tuple[date, list[int]]:
    """The first study day with reviews, and the start (ms) of every day from it to the day
    after the last one (or after today, if later)."""
    first = days.day_of(from_ms(first_ms))
    last = max(today, days.day_of(from_ms(last_ms)))
    span = (last - first).days + 1
    return first, [to_ms(days.start(first + timedelta(days=i))) for i in range(span + 1)]


def _retention(per_day: dict[date, _Day], today: date) -> tuple[Retention, ...]:
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


def _review_counts(store: Store, bank_id: str, question_ids: list[str]) -> dict[str, int]:
    if not question_ids:
        return {}
    marks = ", ".join("?" * len(question_ids))
    rows = store.query(
        "SELECT question_id, count(*) FROM reviews "
        f"WHERE bank_id = ? AND question_id IN ({marks}) GROUP BY question_id",
        (bank_id, *question_ids),
    )
    return {qid: int(count) for qid, count in rows}


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


def _forecast(cards: Iterable[CardRow], days: StudyDays, today: date) -> tuple[DayCount, ...]:
    """Cards due on each of the next 14 study days; overdue cards count today."""
    ends = [to_ms(days.start(today + timedelta(days=i + 1))) for i in range(FORECAST_DAYS)]
    counts = [0] * FORECAST_DAYS
    for card in cards:
        index = bisect_right(ends, card.due)  # a card due at a day's start is due that day
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
    """One row per topic (the chosen ones, or all), weakest first: lowest mean recall of the
    cards seen, then most lapses; topics with nothing seen last."""
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
    questions: list[Question], cards: dict[str, CardRow], recalls: dict[str, float]
) -> list[Question]:
    """The questions seen with the most lapses, then the lowest recall now; only those with a
    lapse or a recall below 90%."""
    hard = (
        q
        for q in questions
        if q.id in cards and (cards[q.id].lapses > 0 or recalls[q.id] < MASTERED_RECALL)
    )
    return heapq.nsmallest(HARDEST, hard, key=lambda q: (-cards[q.id].lapses, recalls[q.id], q.id))
