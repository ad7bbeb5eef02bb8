"""The names and value types every part of dlquiz shares, with no dependency of their own.

Ratings, card states, a card as stored, a review as logged, a question and its key points: each
is defined once, here, so that the store, the scheduler, the bank, the matcher and the screens
agree on them without importing one another. This module imports only the standard library.

The value types are NamedTuples rather than dataclasses: creating a dataclass costs most of a
millisecond at import, and commands such as `dlquiz stats` must start almost as fast as their
imports (benchmarks/startup_bench.py). Building tuples for a bank of 10,000 questions, or for
every card of a store, is several times faster too.
"""

from __future__ import annotations

from collections.abc import Iterable
from difflib import get_close_matches
from typing import NamedTuple

# --- ratings: the values of fsrs.Rating, named as Anki names them -------------------------------

AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4
RATING_NAMES = {AGAIN: "Again", HARD: "Hard", GOOD: "Good", EASY: "Easy"}
RATING_BY_NAME = {name.lower(): value for value, name in RATING_NAMES.items()}

# --- the sections of `dlquiz stats` after its Today panel, in the order they are shown ------------

STATS_SECTIONS = (
    "overview", "retention", "forecast", "topics", "activity", "hardest", "leeches",
    "suspended", "interview", "grading", "calibration",
)  # fmt: skip

# --- card states: fsrs.State, and 0 for a question never seen ---------------------------------

NEW, LEARNING, REVIEW, RELEARNING = 0, 1, 2, 3
STATE_NAMES = {NEW: "new", LEARNING: "learning", REVIEW: "review", RELEARNING: "relearning"}


# --- leeches: cards that keep being forgotten, as Anki counts them -----------------------------

LEECH_LAPSES = 8  # lapses (a review card rated Again) that make a card a leech, Anki's default
LEECH_AGAIN_EVERY = 4  # after that, the learner is told again every this many more lapses


def is_leech(lapses: int) -> bool:
    """A card forgotten `LEECH_LAPSES` times or more after it was learned."""
    return lapses >= LEECH_LAPSES


def leech_news(lapses_before: int, lapses_after: int) -> bool:
    """Whether a rating that took a card from `lapses_before` to `lapses_after` lapses should
    say it is a leech: at the threshold, then every `LEECH_AGAIN_EVERY` lapses more (as Anki)."""
    return (
        lapses_after > lapses_before
        and is_leech(lapses_after)
        and (lapses_after - LEECH_LAPSES) % LEECH_AGAIN_EVERY == 0
    )


class CardRow(NamedTuple):
    """A card as stored: FSRS state plus the counts statistics need. Times in ms (UTC)."""

    bank_id: str
    question_id: str
    card_id: int
    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: int
    last_review: int | None
    reps: int
    lapses: int
    introduced: int


def state_name(row: CardRow | None) -> str:
    """`new`, `learning`, `review` or `relearning`."""
    return STATE_NAMES[NEW if row is None else row.state]


class Grading(NamedTuple):
    """What the grader made of a typed answer: a flag per key point, and its suggestion."""

    covered: tuple[bool, ...]  # one per key point, in the bank's order
    suggested: int | None  # 1 Again, 2 Hard, 3 Good; None: it abstained


class ReviewRow(NamedTuple):
    """One entry of the review log; `grading` is None when no answer was typed."""

    id: int
    bank_id: str
    question_id: str
    rating: int
    reviewed_at: int
    duration_ms: int | None
    state_before: int
    card_before: CardRow | None
    state_after: int
    due_after: int
    grading: Grading | None = None


# --- questions -----------------------------------------------------------------------------------


class KeyPoint(NamedTuple):
    """A fact a good answer contains, with other ways of saying it, and the known wrong claims
    about it (`contradicts`), which mark an answer that makes them."""

    point: str
    alternatives: tuple[str, ...] = ()
    contradicts: tuple[str, ...] = ()

    @property
    def phrasings(self) -> tuple[str, ...]:
        return (self.point, *self.alternatives)


class Question(NamedTuple):
    """One question of a bank. `id` is stable: progress is keyed on it."""

    id: str
    number: str
    topics: tuple[str, ...]
    question: str
    answer: str
    key_points: tuple[KeyPoint, ...]
    hint: str
    corrections: tuple[str, ...]
    line: int = 0


# --- errors and messages -----------------------------------------------------------------------


class UsageError(Exception):
    """The person asked for something that is not there (an unknown topic, question or file);
    the command line reports it with exit status 2, as a misused option."""


class FitError(Exception):
    """The memory model could not be fitted to the log; nothing was changed."""


class ExportError(Exception):
    """An export cannot be written where it was asked; nothing was changed."""


def did_you_mean(word: str, choices: Iterable[str], n: int = 1) -> str:
    """`; did you mean 'cnn'?` when `word` is close to one of `choices`, else ``."""
    near = get_close_matches(word, list(choices), n=n, cutoff=0.5)
    return f"; did you mean {', '.join(repr(c) for c in near)}?" if near else ""


# --- an interview date ---------------------------------------------------------------------------


class InterviewRow(NamedTuple):
    """An interview date set for a bank: the instant (ms, UTC), the local date and time as the
    person gave them, the recall to reach by then, and when it was set (ms, UTC)."""

    bank_id: str
    at: int
    local_date: str  # YYYY-MM-DD
    local_time: str  # HH:MM
    target: float
    set_at: int
