"""Calibration: does the memory model's predicted recall match what this learner recalls?

Each review of a card in the review state is a test of the model: just before it, the model
predicted a probability of recall from the card as it was (its stability and last review);
the rating says whether the learner recalled it (anything but Again). Grouped by predicted
recall, the mean prediction of each group should match the share passed. A model that
predicts 90% where the learner passes 75% overrates their memory: `dlquiz optimize` is the
remedy.

True retention (the share of those reviews passed) is set against the target, the desired
retention FSRS schedules for: well below it, reviews come too late for this learner; well
above it, too early.

Pure: review rows (`Store.recent_reviews_in_review`) and the model's forgetting curve
(`Scheduling.recall_after`) in, figures out.
The latest `WINDOW` reviews in the review state are used, so that the figures describe the
learner now and cost the same on any log.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable
from typing import Any

from dlquiz.model import AGAIN

WINDOW = 1000  # the latest reviews in the review state
# Bins of predicted recall: finer where a 0.9 target puts most predictions.
EDGES = (0.0, 0.7, 0.8, 0.9, 0.95, 1.0)

DAY_MS = 86_400_000

# recall (0 to 1) from a card's stability and the days since its last review
Curve = Callable[[float, float], float]
# (reviewed at in ms, rating, and the card's stability and last review in ms just before), as
# `Store.recent_reviews_in_review` returns them
Reviewed = tuple[int, int, float | None, int | None]


# Plain classes, not NamedTuples: `dlquiz stats` imports this module at every start, and each
# NamedTuple costs about 0.2 ms to create there (benchmarks/startup_bench.py).


class Bin:
    """Reviews whose predicted recall was in [low, high) (the last bin includes 1)."""

    __slots__ = ("actual", "high", "low", "predicted", "reviews")

    def __init__(
        self,
        low: float,
        high: float,
        reviews: int,
        predicted: float | None,  # mean predicted recall; None when the bin is empty
        actual: float | None,  # share passed (not Again); None when the bin is empty
    ) -> None:
        self.low, self.high, self.reviews = low, high, reviews
        self.predicted, self.actual = predicted, actual


class Calibration:
    """Predicted against actual recall, in bins and over all the reviews, with the target."""

    __slots__ = ("bins", "predicted", "reviews", "target", "true_retention")

    def __init__(
        self,
        reviews: int,
        target: float,
        predicted: float | None,  # mean predicted recall over all the reviews
        true_retention: float | None,  # share passed over all the reviews
        bins: tuple[Bin, ...],
    ) -> None:
        self.reviews, self.target, self.bins = reviews, target, bins
        self.predicted, self.true_retention = predicted, true_retention

    def to_json(self) -> dict[str, Any]:
        return {
            "reviews": self.reviews,
            "target": self.target,
            "mean_predicted": _round(self.predicted),
            "true_retention": _round(self.true_retention),
            "bins": [
                {
                    "from": b.low,
                    "to": b.high,
                    "reviews": b.reviews,
                    "predicted": _round(b.predicted),
                    "actual": _round(b.actual),
                }
                for b in self.bins
            ],
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def calibrate(rows: Iterable[Reviewed], curve: Curve, target: float) -> Calibration:
    """Predicted against actual recall over `rows`, reviews of cards in the review state;
    `curve` is the model's forgetting curve, `target` the desired retention."""
    size = len(EDGES) - 1
    counts, predicted, passed = [0] * size, [0.0] * size, [0] * size
    for reviewed_at, rating, stability, last_review in rows:
        if stability is None or last_review is None or stability <= 0:
            continue
        p = min(max(curve(stability, (reviewed_at - last_review) / DAY_MS), 0.0), 1.0)
        index = min(bisect_right(EDGES, p) - 1, size - 1)
        counts[index] += 1
        predicted[index] += p
        passed[index] += rating != AGAIN
    bins = tuple(
        Bin(
            low=EDGES[i],
            high=EDGES[i + 1],
            reviews=counts[i],
            predicted=predicted[i] / counts[i] if counts[i] else None,
            actual=passed[i] / counts[i] if counts[i] else None,
        )
        for i in range(size)
    )
    reviews = sum(counts)
    return Calibration(
        reviews=reviews,
        target=target,
        predicted=sum(predicted) / reviews if reviews else None,
        true_retention=sum(passed) / reviews if reviews else None,
        bins=bins,
    )
