"""Build a big, realistic dlquiz home for benchmarks: a bank of N questions, a store of M reviews.

    python benchmarks/make_store.py                      # 10,000 questions, 1,000,000 reviews
    python benchmarks/make_store.py --questions 500 --reviews 20000 --out /tmp/small
    DLQUIZ_HOME=benchmarks/out dlquiz --bank benchmarks/out/bank.yaml stats

The folder given by `--out` (default benchmarks/out, which git ignores) receives `bank.yaml` and
`progress.db`; both are replaced. The store is created by dlquiz itself (`Store.open`, so the
schema and its indexes are the real ones) and filled with one `executemany` in one transaction.

The history is simulated, not scheduled by FSRS (a million py-fsrs calls would take minutes),
but it has the shape of a real one: a few questions a day are introduced over ~3 years, so the
oldest cards have the most reviews; people study in the evening (some after midnight, which
counts for the evening before) with breaks of a few days to a few weeks; about one review in
ten is rated Again; cards move new → learning → review → relearning as in dlquiz; and the log
ends a few minutes before now, so today has reviews and some cards are due. Three answers in
four were typed and carry a grading (key points covered, the grader's suggestion or none).
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import time
from bisect import bisect_left
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from dlquiz.model import LEARNING, NEW, RELEARNING, REVIEW, CardRow
from dlquiz.store import CARD_COLUMNS, Store

DEFAULT_OUT = Path(__file__).resolve().parent / "out"
DAY_MS = 86_400_000
MINUTE_MS = 60_000
TOPICS = {
    "fundamentals": "Deep learning fundamentals",
    "training": "Training and optimisation",
    "activations": "Activation functions",
    "cnn": "Convolutional networks",
    "rnn": "Recurrent networks",
    "generative": "Generative models and autoencoders",
    "frameworks": "Frameworks and tools",
    "classical-ml": "Classical machine learning",
    "data-structures": "Data structures",
    "attention": "Attention and transformers",
    "probability": "Probability and statistics",
    "linear-algebra": "Linear algebra",
}
# fmt: off
WORDS = (
    "gradient", "layer", "weight", "bias", "kernel", "stride", "pooling", "dropout", "batch",
    "norm", "loss", "optimiser", "momentum", "tensor", "embedding", "attention", "encoder",
    "decoder", "residual", "softmax", "entropy", "margin", "variance", "prior", "posterior",
    "sample", "epoch", "feature", "channel", "filter",
)
# fmt: on
# local study hours: mostly evenings, some after midnight (before the 4 am rollover)
HOURS = (7, 8, 12, 13, 17, 18, 19, 19, 20, 20, 20, 21, 21, 21, 22, 22, 23, 0, 1, 2)


@dataclass(frozen=True)
class Built:
    bank: Path
    store: Path
    questions: int
    reviews: int
    seconds: float


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--questions", type=int, default=10_000, help="questions in the bank")
    parser.add_argument("--reviews", type=int, default=1_000_000, help="reviews in the log")
    parser.add_argument("--years", type=float, default=3.0, help="how far back the log goes")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder to write into")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.questions < 1 or args.reviews < 0:
        parser.error("--questions must be at least 1 and --reviews at least 0")
    built = build(
        args.out,
        questions=args.questions,
        reviews=args.reviews,
        years=args.years,
        seed=args.seed,
        now=datetime.now(UTC),
    )
    print(
        f"{built.questions:,} questions in {built.bank}\n"
        f"{built.reviews:,} reviews in {built.store} "
        f"({built.store.stat().st_size / 1e6:,.0f} MB)\n"
        f"built in {built.seconds:.1f} s; try:\n"
        f"  DLQUIZ_HOME={args.out} dlquiz --bank {built.bank} stats"
    )
    return 0


def build(
    out: Path, *, questions: int, reviews: int, years: float, seed: int, now: datetime
) -> Built:
    """Write `out/bank.yaml` and `out/progress.db` (replacing them) and say what was built."""
    started = time.perf_counter()
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    bank_id = f"bench-{questions}"
    topic_of = [_topics(rng, i) for i in range(questions)]
    bank_path = out / "bank.yaml"
    bank_path.write_text(_bank_yaml(bank_id, topic_of), encoding="utf-8")
    store_path = out / "progress.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{store_path}{suffix}").unlink(missing_ok=True)
    log, cards = _history(rng, bank_id, questions, reviews, years, now)
    Store.open(store_path).close()  # the real schema, by the real migrations
    db = sqlite3.connect(store_path, isolation_level=None)
    try:
        _fill(db, log, cards)
    finally:
        db.close()
    return Built(bank_path, store_path, questions, len(log), time.perf_counter() - started)


def _fill(db: sqlite3.Connection, log: list[tuple[object, ...]], cards: list[CardRow]) -> None:
    """Insert everything in one transaction, as fast as SQLite allows, and leave the file as
    dlquiz leaves it (WAL mode, the same indexes, no ANALYZE statistics)."""
    db.execute("PRAGMA journal_mode = DELETE")
    db.execute("PRAGMA synchronous = OFF")
    db.execute("PRAGMA cache_size = -262144")  # 256 MB
    indexes = db.execute(
        "SELECT name, sql FROM sqlite_master "
        "WHERE type = 'index' AND tbl_name = 'reviews' AND sql IS NOT NULL"
    ).fetchall()
    db.execute("BEGIN")
    for name, _sql in indexes:  # building an index once is faster than a million inserts into it
        db.execute(f"DROP INDEX {name}")
    db.executemany(
        "INSERT INTO reviews (bank_id, question_id, rating, reviewed_at, duration_ms, "
        "state_before, card_before, state_after, due_after, covered, suggested) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        log,
    )
    marks = ", ".join("?" * len(CardRow._fields))
    db.executemany(f"INSERT INTO cards ({CARD_COLUMNS}) VALUES ({marks})", cards)
    for _name, sql in indexes:
        db.execute(sql)
    db.execute("COMMIT")
    db.execute("PRAGMA journal_mode = WAL")


def _topics(rng: random.Random, index: int) -> list[str]:
    names = list(TOPICS)
    first = names[index % len(names)]
    if rng.random() < 0.3:
        second = rng.choice(names)
        if second != first:
            return [first, second]
    return [first]


def _bank_yaml(bank_id: str, topic_of: list[list[str]]) -> str:
    """A valid bank: every key point is said in its own answer."""
    lines = [
        "format_version: 1",
        f"id: {bank_id}",
        f"title: Benchmark bank ({len(topic_of):,} questions)",
        "source:",
        "  title: Generated by benchmarks/make_store.py",
        "  publisher: dlquiz",
        "  date: 2026-01-01",
        "topics:",
        *(f"  {slug}: {title}" for slug, title in TOPICS.items()),
        "questions:",
    ]
    for i, topics in enumerate(topic_of):
        a, b, c = (
            WORDS[i % len(WORDS)],
            WORDS[(i * 7 + 3) % len(WORDS)],
            WORDS[(i * 13) % len(WORDS)],
        )
        lines += [
            f"  - id: q{i + 1:05d}",
            f'    number: "{i + 1}"',
            f"    topics: [{', '.join(topics)}]",
            f"    question: How do {a} and {b} interact in question {i + 1}?",
            "    answer: |",
            f"      The {a} changes the {b}, and the {c} decides by how much.",
            f"      This is the reference answer of question {i + 1}.",
            "    key_points:",
            f"      - point: {a} changes {b}",
            f"        alternatives: [{b} depends on {a}]",
            f"      - {c} decides",
            f"    hint: Think about the {c}.",
            "    corrections: []",
        ]
    return "\n".join(lines) + "\n"


def _history(
    rng: random.Random, bank_id: str, questions: int, reviews: int, years: float, now: datetime
) -> tuple[list[tuple[object, ...]], list[CardRow]]:
    """The review log (rows for `reviews`, in time order) and the cards it leaves behind."""
    now_ms = int(now.timestamp() * 1000)
    end = now_ms - 5 * MINUTE_MS
    span_days = max(1, int(years * 365))
    start = (end // DAY_MS - span_days) * DAY_MS  # a midnight (UTC), span_days before today
    study_days = _study_days(rng, span_days)
    # 95% of the questions were introduced, at a steady pace; the rest are still new
    introduced = min(max(1, round(questions * 0.95)), reviews)
    intro_day = [span_days * k // max(introduced, 1) for k in range(introduced)]
    # one review each, then the rest in proportion to age: older cards have more reviews
    ages = [span_days - d + 5 for d in intro_day]
    total_age = sum(ages)
    extra = reviews - introduced
    counts = [1 + extra * a // total_age for a in ages]
    for _ in range(reviews - sum(counts)):
        counts[rng.randrange(introduced)] += 1
    log: list[tuple[object, ...]] = []
    cards: list[CardRow] = []
    for k in range(introduced):
        qid = f"q{k + 1:05d}"
        first_day = _next_study_day(study_days, intro_day[k])
        times = _times(rng, study_days, first_day, counts[k], start, end)
        cards.append(_simulate(rng, bank_id, qid, times, log))
    log.sort(key=lambda row: row[3])  # type: ignore[arg-type, return-value]
    return log, cards


def _study_days(rng: random.Random, span_days: int) -> list[int]:
    """Days (from the start) with study: most of them, with breaks of 2 to 20 days."""
    days: list[int] = []
    day = 0
    while day <= span_days:
        if rng.random() < 0.02 and span_days - day > 30:
            day += rng.randint(2, 20)
            continue
        days.append(day)
        day += 1
    if days[-1] != span_days:
        days.append(span_days)  # studied today
    return days


def _next_study_day(study_days: list[int], day: int) -> int:
    return study_days[min(bisect_left(study_days, day), len(study_days) - 1)]


def _times(
    rng: random.Random, study_days: list[int], first_day: int, count: int, start: int, end: int
) -> list[int]:
    """`count` review times from `first_day` on, on study days, at evening hours, sorted."""
    first = bisect_left(study_days, first_day)
    available = study_days[first:]
    n, hours = len(available), len(HOURS)
    # the first review on its first day, at 8 pm; the rest spread over the study days after it
    times = [start + first_day * DAY_MS + 20 * 3_600_000]
    for _ in range(count - 1):
        day = available[int(rng.random() * n)]
        hour = HOURS[int(rng.random() * hours)]
        offset = (hour + (24 if hour < 4 else 0)) * 3_600_000 + int(rng.random() * 3_600_000)
        times.append(start + day * DAY_MS + offset)
    # today's reviews happened before now
    times = [t if t <= end else end - int(rng.random() * 6 * 3_600_000) for t in times]
    times.sort()
    return times


def _simulate(
    rng: random.Random, bank_id: str, qid: str, times: list[int], log: list[tuple[object, ...]]
) -> CardRow:
    """Rate a card at `times`, appending its reviews to `log`; the card as it ends up.

    `card_before` is written as `Store.log_review` writes it (the JSON of the card row), built
    with an f-string because a million `json.dumps` calls would take most of the build."""
    state = NEW
    before: str | None = None
    streak = lapses = 0
    stability = 0.0
    due = 0
    difficulty = round(3.0 + 5.0 * rng.random(), 4)
    introduced = times[0]
    head = f'{{"bank_id": "{bank_id}", "question_id": "{qid}", "card_id": {introduced}, "state": '
    for reps, at in enumerate(times, start=1):
        roll = rng.random()
        rating = 1 if roll < 0.1 else 2 if roll < 0.22 else 4 if roll > 0.92 else 3
        if state == REVIEW and rating == 1:
            lapses += 1
            streak = 0
            state_after = RELEARNING
        elif state != REVIEW and rating <= 2:
            state_after = RELEARNING if state == RELEARNING else LEARNING
        else:
            streak += 1
            state_after = REVIEW
        if state_after == REVIEW:
            stability = round(min(365.0, 0.5 * 2.2**streak), 4)
            due = at + int(stability * DAY_MS)
        else:
            stability = 0.3
            due = at + 10 * MINUTE_MS
        log.append(
            (bank_id, qid, rating, at, 4_000 + int(rng.random() * 56_000), state, before,
             state_after, due, *_grading(rating, at))
        )  # fmt: skip
        state = state_after
        step = "null" if state == REVIEW else "0"
        before = (
            f'{head}{state}, "step": {step}, "stability": {stability!r}, '
            f'"difficulty": {difficulty!r}, "due": {due}, "last_review": {at}, "reps": {reps}, '
            f'"lapses": {lapses}, "introduced": {introduced}}}'
        )
    return CardRow(
        bank_id=bank_id,
        question_id=qid,
        card_id=introduced,
        state=state,
        step=None if state == REVIEW else 0,
        stability=stability,
        difficulty=difficulty,
        due=due,
        last_review=times[-1],
        reps=len(times),
        lapses=lapses,
        introduced=introduced,
    )


def _grading(rating: int, at: int) -> tuple[str | None, int | None]:
    """(covered, suggested) as `Store.log_review` writes them: three answers in four typed,
    the grader mostly agreeing with the rating, abstaining on one in ten. Drawn from the time
    of the review, not from `rng`, so that the rest of the history is as before."""
    if at % 4 == 0:
        return None, None  # nothing typed
    covered = "11" if rating >= 3 else "10" if rating == 2 else "00"
    if at % 7 == 0:
        covered = "01" if covered != "01" else "11"
    if at % 10 == 0:
        return covered, None
    return covered, {"11": 3, "10": 2, "01": 2, "00": 1}[covered]


if __name__ == "__main__":
    sys.exit(main())
