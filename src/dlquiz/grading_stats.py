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


class QuestionAgreement(NamedTuple):
    id: str
    number: str
    question: str
    agreement: Agreement


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
    worst: tuple[QuestionAgreement, ...]
    weakest: tuple[WeakPoint, ...]

    def to_json(self) -> dict[str, Any]:
        """The `grading` object of `dlquiz stats --json` (docs/stats-json.md)."""
        return {
            "agreement": _agreement_json(self.agreement),
            "worst_questions": [
                {"id": q.id, "number": q.number, "question": q.question}
                | _agreement_json(q.agreement)
                for q in self.worst
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
    for c in counts:
        graded += c.reviews
        s = c.grading.suggested
        if s is None:
            continue
        suggested += c.reviews
        if agrees(s, c.rating):
            agreed += c.reviews
        elif c.rating > s:
            raised += c.reviews
        else:
            lowered += c.reviews
    return Agreement(graded, suggested, agreed, raised, lowered)


def compute(counts: Iterable[GradedCount], questions: Sequence[Question]) -> GradingFigures:
    """The figures over `questions` (in bank order) from the store's graded counts."""
    order = {q.id: i for i, q in enumerate(questions)}
    by_question: dict[str, list[GradedCount]] = {}
    for c in counts:
        if c.question_id in order:
            by_question.setdefault(c.question_id, []).append(c)
    if not by_question:
        return NO_GRADING
    found = {q.id: q for q in questions if q.id in by_question}
    # in bank order, so that questions that tie are listed as the bank lists them
    in_order = sorted(by_question, key=order.__getitem__)
    per_question = {qid: _tally(by_question[qid]) for qid in in_order}
    worst = sorted(
        (
            QuestionAgreement(qid, found[qid].number, found[qid].question, a)
            for qid, a in per_question.items()
            if a.suggested >= MIN_SUGGESTIONS and a.agreed < a.suggested
        ),
        key=lambda q: (q.agreement.agreed / q.agreement.suggested, -q.agreement.suggested),
    )
    return GradingFigures(
        agreement=_tally(c for rows in by_question.values() for c in rows),
        worst=tuple(worst[:WORST]),
        weakest=_weakest(found, by_question, order),
    )


def _weakest(
    found: dict[str, Question], by_question: dict[str, list[GradedCount]], order: dict[str, int]
) -> tuple[WeakPoint, ...]:
    points: list[WeakPoint] = []
    for qid, rows in by_question.items():
        q = found[qid]
        size = len(q.key_points)
        current = [c for c in rows if len(c.grading.covered) == size]
        graded = sum(c.reviews for c in current)
        for i, kp in enumerate(q.key_points):
            missed = sum(c.reviews for c in current if not c.grading.covered[i])
            if missed:
                points.append(WeakPoint(qid, q.number, i, kp.point, missed, graded))
    points.sort(key=lambda p: (-p.missed, -p.rate, order[p.question_id], p.point_index))
    return tuple(points[:WEAKEST])
