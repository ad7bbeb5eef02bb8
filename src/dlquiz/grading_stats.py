"""How far the learner trusts the grader, and which key points they miss: pure figures.

Every typed answer is graded (a flag per key point, and a suggested rating or none), and the
learner's rating is final; the store keeps both, and counts them per question
(`Store.agreement_counts`, `Store.missed_counts`). From those counts:

- *agreement*: of the graded reviews with a suggestion, the share the learner rated as
  suggested. Easy chosen over a Good suggestion counts as agreement: the grader never suggests
  Easy (it judges what was said, not how hard it was to recall), and Good is its way of saying
  "all there"; the learner choosing Easy confirms that and only adds what the grader cannot
  know. Any other difference is an override, *raised* (rated higher: the grader was too harsh)
  or *lowered* (rated lower: it gave credit the learner did not take);
- *worst questions*: the questions with at least `MIN_SUGGESTIONS` suggestions and at least one
  override, lowest agreement first (then most suggestions, then the bank's order);
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

from dlquiz.model import Question

if TYPE_CHECKING:
    from dlquiz.store import AgreementCount, MissedCount

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


def agreement(row: AgreementCount) -> Agreement:
    """A question's agreement from the store's neutral counts: Easy over a Good suggestion
    moves from "rated higher" to "agreed" (see above)."""
    _, graded, suggested, exact, easy_over_good, higher, lower = row
    return Agreement(graded, suggested, exact + easy_over_good, higher - easy_over_good, lower)


def compute(
    agreements: Iterable[AgreementCount],
    misses: Iterable[MissedCount],
    questions: Sequence[Question],
) -> GradingFigures:
    """The figures over `questions` (in bank order) from the store's counts."""
    place = {q.id: i for i, q in enumerate(questions)}
    per_question = sorted(
        ((place[row[0]], agreement(row)) for row in agreements if row[0] in place),
        key=lambda pair: pair[0],
    )
    if not per_question:
        return NO_GRADING
    total = Agreement(*(sum(column) for column in zip(*(a for _, a in per_question), strict=True)))
    worst = heapq.nsmallest(  # ties: most suggestions first, then the bank's order
        WORST,
        (
            (a.agreed / a.suggested, -a.suggested, i, a)
            for i, a in per_question
            if a.suggested >= MIN_SUGGESTIONS and a.agreed < a.suggested
        ),
        key=lambda w: w[:3],
    )
    return GradingFigures(
        agreement=total,
        worst=tuple((questions[i], a) for _, _, i, a in worst),
        weakest=_weakest(misses, questions, place),
    )


def _weakest(
    misses: Iterable[MissedCount], questions: Sequence[Question], place: dict[str, int]
) -> tuple[WeakPoint, ...]:
    """The points missed most often, then the largest share missed; ties in bank order. Only
    reviews with as many flags as the question has key points now count."""
    candidates = (
        (-missed, -missed / graded, place[qid], i, graded)
        for qid, flags, i, graded, missed in misses
        if qid in place and flags == len(questions[place[qid]].key_points)
    )
    weakest = []
    for minus_missed, _, p, i, graded in heapq.nsmallest(WEAKEST, candidates):
        q = questions[p]
        weakest.append(WeakPoint(q.id, q.number, i, q.key_points[i].point, -minus_missed, graded))
    return tuple(weakest)
