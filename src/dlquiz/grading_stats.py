"""How far the learner trusts the grader, and which key points they miss: pure figures.

Every typed answer is graded (a flag per key point, and a suggested rating or none), and the
learner's rating is final; the store keeps both (`Store.graded_counts`). From those counts:

- *agreement*: of the graded reviews with a suggestion, the share the learner rated as
  suggested. Easy chosen over a Good suggestion counts as agreement: the grader never suggests
  Easy (it judges what was said, not how hard it was to recall), and Good is its way of saying
  "all there"; the learner choosing Easy confirms that and only adds what the grader cannot
  know. Any other difference is an override, *raised* (rated higher: the grader was too harsh)
  or *lowered* (rated lower: it gave credit the learner did not take);
- *worst questions*: the questions with at least `MIN_SUGGESTIONS` suggestions and at least one
  override, lowest agreement first;
- *weakest concepts*: the key points the grader found missing most often (then the highest
  share missed), over every typed answer, the abstained included (the flags are still its
  reading). A review counts for a question's points only if it has as many flags as the
  question has key points now: after the bank changes a question's points, its older reviews
  no longer say which point is which.

Only questions in the bank (or in the chosen topics) count; the figures cover the whole log.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from dlquiz.model import EASY, GOOD, Question

if TYPE_CHECKING:
    from dlquiz.store import GradedCount

MIN_SUGGESTIONS = 3
WORST = 5
WEAKEST = 5


class Agreement(NamedTuple):
    graded: int  # reviews with a typed answer
    suggested: int  # of those, reviews the grader suggested a rating for
    agreed: int  # of those, rated as suggested (Easy over Good included)
    raised: int  # rated higher than suggested
    lowered: int  # rated lower than suggested

    @property
    def abstained(self) -> int:
        return self.graded - self.suggested

    @property
    def rate(self) -> float | None:
        return self.agreed / self.suggested if self.suggested else None


class WeakPoint(NamedTuple):
    question_id: str
    number: str
    point_index: int  # the point's place among the question's key points, from 0
    point: str
    missed: int
    graded: int

    @property
    def rate(self) -> float:
        return self.missed / self.graded


class GradingFigures(NamedTuple):
    agreement: Agreement
    worst: tuple[tuple[Question, Agreement], ...]  # a question, and the agreement on it
    weakest: tuple[WeakPoint, ...]

    def to_json(self) -> dict[str, Any]:
        """The `grading` object of `dlquiz stats --json` (docs/stats-json.md)."""
        return {
            "agreement": _agreement_json(self.agreement),
            "worst_questions": [
                {"id": q.id, "number": q.number, "question": q.question} | _agreement_json(a)
                for q, a in self.worst
            ],
            "weakest_concepts": [
                {
                    "question_id": p.question_id,
                    "number": p.number,
                    "point_index": p.point_index,
                    "point": p.point,
                    "missed": p.missed,
                    "graded": p.graded,
                    "rate": round(p.rate, 4),
                }
                for p in self.weakest
            ],
        }


NO_GRADING = GradingFigures(Agreement(0, 0, 0, 0, 0), (), ())


def _agreement_json(a: Agreement) -> dict[str, Any]:
    return {
        "graded": a.graded,
        "suggested": a.suggested,
        "abstained": a.abstained,
        "agreed": a.agreed,
        "raised": a.raised,
        "lowered": a.lowered,
        "rate": None if a.rate is None else round(a.rate, 4),
    }


def agrees(suggested: int, rating: int) -> bool:
    """The learner rated as the grader suggested (Easy over Good counts: see above)."""
    return rating == suggested or (suggested == GOOD and rating == EASY)


def _tally(counts: Iterable[GradedCount]) -> Agreement:
    graded = suggested = agreed = raised = lowered = 0
    for _, grading, rating, n in counts:
        graded += n
        if grading.suggested is None:
            continue
        suggested += n
        if agrees(grading.suggested, rating):
            agreed += n
        elif rating > grading.suggested:
            raised += n
        else:
            lowered += n
    return Agreement(graded, suggested, agreed, raised, lowered)


def compute(counts: Iterable[GradedCount], questions: Sequence[Question]) -> GradingFigures:
    """The figures over `questions` (in bank order) from the store's graded counts."""
    order = {q.id: i for i, q in enumerate(questions)}
    by_question: dict[str, list[GradedCount]] = {}
    for count in counts:
        if count[0] in order:
            by_question.setdefault(count[0], []).append(count)
    if not by_question:
        return NO_GRADING
    # in bank order, so that questions that tie are listed as the bank lists them
    found = [q for q in questions if q.id in by_question]
    per_question = [(q, _tally(by_question[q.id])) for q in found]
    worst = sorted(
        (
            (q, a)
            for q, a in per_question
            if a.suggested >= MIN_SUGGESTIONS and a.agreed < a.suggested
        ),
        key=lambda pair: (pair[1].agreed / pair[1].suggested, -pair[1].suggested),
    )
    return GradingFigures(
        agreement=_tally(c for rows in by_question.values() for c in rows),
        worst=tuple(worst[:WORST]),
        weakest=_weakest(found, by_question),
    )


def _weakest(
    found: list[Question], by_question: dict[str, list[GradedCount]]
) -> tuple[WeakPoint, ...]:
    """The points missed most often, then the largest share missed; ties in bank order."""
    candidates: list[tuple[int, float, int, int, Question, int]] = []  # in the order sought
    for place, q in enumerate(found):
        size = len(q.key_points)
        current = [(g.covered, n) for _, g, _, n in by_question[q.id] if len(g.covered) == size]
        graded = sum(n for _, n in current)
        for i in range(size):
            missed = sum(n for covered, n in current if not covered[i])
            if missed:
                candidates.append((-missed, -missed / graded, place, i, q, graded))
    top = heapq.nsmallest(WEAKEST, candidates)  # (place, i) is unique: questions never compared
    return tuple(
        WeakPoint(q.id, q.number, i, q.key_points[i].point, -minus_missed, graded)
        for minus_missed, _, _, i, q, graded in top
    )
