"""A memory model fitted to the learner: FSRS parameters from their own review log.

FSRS predicts recall with 21 parameters fitted to millions of reviews of other people. This
module fits them to one learner's log with fsrs-rs (through fsrs-rs-python), and keeps the fit
only when it predicts that learner better than the parameters in use.

The log becomes the histories fsrs-rs expects, as Anki builds them: per card, every review in
order, each with its rating and the number of study days since the card's previous review (0
for the first review and for same-day learning steps). Each review on a later study day than
the one before it is a prediction target, with the card's whole history before it; same-day
steps stay in the histories (FSRS models them with its short-term parameters) but are never
targets. Targets are ordered by time.

Judging the fit: a time-series split. The earlier 80% of the targets train the new parameters;
the later 20% are held out, and both the parameters in use and the new ones predict them. Two
figures say how well: log loss (the mean surprise at each outcome; lower is better) and RMSE
over bins of similar reviews, fsrs-rs's `rmse_bins` (how far predicted recall is from the pass
rate of reviews like it). The new parameters are kept only when both figures are better, and
the parameters kept are exactly the ones judged: fitted on the earlier reviews, not refitted
on all, so that the figures shown are the figures of what is kept.

fsrs-rs-python is imported inside `evaluate_fit` only: every other command starts without it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from dlquiz.clock import StudyDays, from_ms, to_ms
from dlquiz.model import FitError, ReviewRow
from dlquiz.text import counted

if TYPE_CHECKING:
    from datetime import datetime

    from dlquiz.scheduler import Scheduling
    from dlquiz.store import Store
    from dlquiz.workspace import Workspace

MIN_TARGETS = 300  # reviews on a later study day than the card's previous one
TEST_SHARE = 0.2  # the latest share of those, held out to judge the fit
DECIMALS = 4  # kept parameters are rounded, as Anki shows them
FIGURE_DECIMALS = 4  # log loss and RMSE, as shown and compared


class Target(NamedTuple):
    """One review to predict: when it happened, and the card's history up to and including it,
    as (rating, study days since the previous review) pairs."""

    reviewed_at: int
    history: tuple[tuple[int, int], ...]


class Figures(NamedTuple):
    """How well a set of parameters predicts held-out reviews; lower is better for both."""

    log_loss: float
    rmse: float

    def beats(self, other: Figures) -> bool:
        """Better on both figures (and not merely equal)."""
        return self.log_loss <= other.log_loss and self.rmse <= other.rmse and self != other

    def to_json(self) -> dict[str, float]:
        return {"log_loss": self.log_loss, "rmse": self.rmse}


class Fit(NamedTuple):
    """What `dlquiz optimize` found. `before`/`after` are None when there were too few
    reviews to fit (`needed` > 0 says how many more targets it takes)."""

    reviews: int  # reviews in the log
    targets: int  # of those, reviews on a later study day than the card's previous one
    held_out: int  # of those, the latest, left out of the fit to judge it
    needed: int  # more targets needed before a fit is tried; 0 when it was
    before: Figures | None
    after: Figures | None
    parameters: tuple[float, ...] | None  # the fitted parameters (kept or not)

    @property
    def kept(self) -> bool:
        return self.before is not None and self.after is not None and self.after.beats(self.before)

    def to_json(self) -> dict[str, Any]:
        return {
            "reviews": self.reviews,
            "targets": self.targets,
            "held_out": self.held_out,
            "needed": self.needed,
            "before": None if self.before is None else self.before.to_json(),
            "after": None if self.after is None else self.after.to_json(),
            "kept": self.kept,
        }


def targets(rows: Iterable[ReviewRow], days: StudyDays) -> tuple[int, list[Target]]:
    """(reviews read, the prediction targets in time order) from a bank's review log."""
    cards: dict[str, list[tuple[int, int]]] = {}
    count = 0
    for row in rows:
        cards.setdefault(row.question_id, []).append((row.reviewed_at, row.rating))
        count += 1
    found: list[Target] = []
    for reviews in cards.values():
        reviews.sort()
        history: list[tuple[int, int]] = []
        previous = None
        for reviewed_at, rating in reviews:
            day = days.day_of(from_ms(reviewed_at))
            delta = 0 if previous is None else max(0, (day - previous).days)
            previous = day
            history.append((rating, delta))
            if delta > 0:
                found.append(Target(reviewed_at, tuple(history)))
    found.sort(key=lambda t: t.reviewed_at)
    return count, found


def split(found: Sequence[Target]) -> tuple[Sequence[Target], Sequence[Target]]:
    """(earlier, later): the time-series split; the later TEST_SHARE is held out."""
    cut = len(found) - max(1, round(len(found) * TEST_SHARE))
    return found[:cut], found[cut:]


def evaluate_fit(reviews: int, found: Sequence[Target], current: Sequence[float] | None) -> Fit:
    """Fit parameters on the earlier targets and judge them and `current` (None: FSRS's
    defaults) on the later ones. Too few targets: no fit, and `needed` says how many more."""
    if len(found) < MIN_TARGETS:
        return Fit(reviews, len(found), 0, MIN_TARGETS - len(found), None, None, None)
    import fsrs_rs_python as rs
    from fsrs.scheduler import (
        DEFAULT_PARAMETERS,
        LOWER_BOUNDS_PARAMETERS,
        UPPER_BOUNDS_PARAMETERS,
    )

    def items(chosen: Sequence[Target]) -> list[rs.FSRSItem]:
        return [
            rs.FSRSItem([rs.FSRSReview(rating, delta) for rating, delta in t.history])
            for t in chosen
        ]

    def figures(parameters: Sequence[float], test: list[rs.FSRSItem]) -> Figures:
        # Rounded as shown: fsrs-rs sums the RMSE's bins in no fixed order, in single
        # precision, so the same parameters can differ in the 8th decimal from run to run;
        # "better" must be better in the figures people see.
        evaluation = rs.FSRS(list(parameters)).evaluate(test)
        return Figures(
            round(float(evaluation.log_loss), FIGURE_DECIMALS),
            round(float(evaluation.rmse_bins), FIGURE_DECIMALS),
        )

    earlier, later = split(found)
    train, test = items(earlier), items(later)
    raw = rs.FSRS(list(DEFAULT_PARAMETERS)).compute_parameters(train, num_relearning_steps=1)
    # py-fsrs checks its bounds exactly; fsrs-rs clips in single precision, so 0.8 may come
    # back as 0.80000001: round, then clamp into py-fsrs's bounds.
    fitted = tuple(
        min(max(round(value, DECIMALS), low), high)
        for value, low, high in zip(
            raw, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS, strict=True
        )
    )
    before = figures(current if current is not None else DEFAULT_PARAMETERS, test)
    after = figures(fitted, test)
    return Fit(reviews, len(found), len(later), 0, before, after, fitted)


def optimize(
    store: Store, bank_id: str, scheduling: Scheduling, now: datetime
) -> tuple[Fit, Sequence[float] | None]:
    """Fit the bank's log and keep the fit when it predicts better: `dlquiz optimize`.
    Returns the fit and the parameters it was judged against (None: FSRS's defaults)."""
    current = store.parameters(bank_id)
    reviews, found = targets(store.reviews(bank_id), scheduling.days)
    try:
        fit = evaluate_fit(reviews, found, current)
    except ValueError as e:  # fsrs-rs refused the data; nothing was written
        raise FitError(
            f"fsrs-rs could not fit a memory model to this log ({e}). Nothing changed."
        ) from None
    if fit.kept and fit.parameters is not None:
        store.save_parameters(bank_id, fit.parameters, to_ms(now), fit.to_json())
    return fit, current


def run(
    workspace: Workspace, reset_only: bool, now: datetime
) -> tuple[Fit | None, Sequence[float] | None, str]:
    """`dlquiz optimize`: fit and keep if better, or with `reset_only` go back to the defaults.
    Returns the fit (None after a reset), the parameters it was judged against, and what a reset
    did, in one line."""
    bank_id = workspace.bank().id
    with workspace.open_store() as store:
        if reset_only:
            return None, None, reset(store, bank_id)
        fit, current = optimize(store, bank_id, workspace.scheduling(store), now)
    return fit, current, ""


def reset(store: Store, bank_id: str) -> str:
    """Go back to FSRS's default parameters: `dlquiz optimize --reset`, said in one line."""
    if store.clear_parameters(bank_id):
        return "Back to FSRS's default parameters."
    return "Nothing to reset: dlquiz already uses FSRS's default parameters."


def too_few(fit: Fit) -> str:
    """Why a fit was refused, and how many more reviews it needs."""
    return (
        f"too few reviews to fit a memory model yet: it needs {MIN_TARGETS} reviews of cards "
        f"seen on an earlier day, and has {fit.targets} (of {counted(fit.reviews, 'review')} "
        f"in all): {fit.needed} more. Nothing changed."
    )
