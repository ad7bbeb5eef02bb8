"""A month of simulated use: a seeded learner, a fake clock, the real store and the real Session.

The learner sits one to three times a study day at varied local hours (some after midnight,
which still count for the evening before), skips a day, practises and drills topics, types
nothing but rates as a person would: it answers by sampling its own recall, which follows the
FSRS-6 forgetting curve with a memory of its own (stabilities scaled per learner and per
question, so it forgets faster or slower than FSRS's defaults expect). Now and then it takes a
rating back, skips a card, leaves a session early, or suspends a card it was told is a leech.

`Month.run()` drives all this through `dlquiz.session.Session` on a real `Store` and returns
`Figures`: what happened, and how often what a learner must be able to rely on did not hold:

- a session ended "complete" while a card was due;
- a review slipped to a later study day although the learner finished a practice session on
  the day it was due, after it was due;
- a new card was shown while a due card waited (a card whose rating was just taken back is
  asked again at once, as `u` promises, and is not counted);
- a fuzzed interval fell outside py-fsrs's documented range;
- a card's state, stability or difficulty differs from a py-fsrs replay of its review log.

The checks read the store and the log, not the session's own reasoning. `benchmarks/
month_bench.py` runs two 30-day months (UTC, and America/New_York across the end of daylight
saving time); tests/test_simulation.py runs a few days of each. Subclass `Month` and override
`sittings` (or `options`) to simulate other habits, such as studying towards an interview date.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path

from fsrs import Card, Scheduler, State

from dlquiz.bank import Bank
from dlquiz.clock import StudyDays, from_ms, to_ms
from dlquiz.model import NEW, RELEARNING, REVIEW, CardRow, ReviewRow
from dlquiz.scheduler import Rating, Scheduling
from dlquiz.session import Item, Mode, Options, Session
from dlquiz.store import Store

DAY = timedelta(days=1)


class SimClock:
    """The clock the session reads: it moves only when the simulation moves it."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=round(seconds))  # whole seconds, as the store keeps ms

    def move_to(self, moment: datetime) -> None:
        self.now = max(self.now, moment)


# --- the learner ---------------------------------------------------------------------------------


class Learner:
    """A person with a memory of their own.

    Its memory of each question is a py-fsrs card run with FSRS's default parameters, but the
    stability it actually has is that card's stability times `stability_factor` (the learner's)
    times a factor per question (some questions are much harder for it than others). Recall is
    sampled from the FSRS-6 forgetting curve with that stability and the time elapsed.
    """

    def __init__(
        self,
        seed: int,
        stability_factor: float = 0.7,
        first_recall: float = 0.35,
        hard_questions: float = 0.1,
    ) -> None:
        self.rng = random.Random(seed)
        self.stability_factor = stability_factor
        self.first_recall = first_recall  # chance of knowing a question never studied
        self.hard_questions = hard_questions  # share of questions it keeps forgetting
        self.memory = Scheduler(enable_fuzzing=False)
        self.decay = -float(self.memory.parameters[20])
        self.factor = 0.9 ** (1 / self.decay) - 1
        self.cards: dict[str, Card] = {}
        self._question_factor: dict[str, float] = {}
        self._undo: list[tuple[str, Card | None]] = []

    def question_factor(self, qid: str) -> float:
        if qid not in self._question_factor:
            hard = self.rng.random() < self.hard_questions
            self._question_factor[qid] = 0.04 if hard else self.rng.lognormvariate(0, 0.4)
        return self._question_factor[qid]

    def recall(self, qid: str, now: datetime) -> float:
        """The probability that the learner recalls the answer now."""
        card = self.cards.get(qid)
        if card is None or card.last_review is None or card.stability is None:
            return self.first_recall
        elapsed = max(0.0, (now - card.last_review).total_seconds() / 86_400)
        stability = card.stability * self.stability_factor * self.question_factor(qid)
        return float((1 + self.factor * elapsed / stability) ** self.decay)

    def answer(self, qid: str, now: datetime) -> Rating:
        """The rating the learner gives after seeing the answer."""
        if self.rng.random() >= self.recall(qid, now):
            return Rating.Again
        roll = self.rng.random()
        return Rating.Hard if roll < 0.15 else Rating.Easy if roll > 0.9 else Rating.Good

    def studied(self, qid: str, rating: Rating, now: datetime) -> None:
        """Seeing the answer and rating it is itself a review of the learner's memory."""
        before = self.cards.get(qid)
        self._undo.append((qid, before))
        card = before or Card(card_id=len(self.cards) + 1, due=now)
        self.cards[qid] = self.memory.review_card(card, rating, now)[0]

    def took_back(self) -> None:
        """The last rating was undone: the learner will be asked again, as it was."""
        qid, before = self._undo.pop()
        if before is None:
            self.cards.pop(qid, None)
        else:
            self.cards[qid] = before

    def chance(self, p: float) -> bool:
        return self.rng.random() < p


# --- the driver ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sitting:
    """One session the learner means to have: when it starts, practice or drill, which topics."""

    at: datetime
    mode: Mode = Mode.PRACTICE
    topics: tuple[str, ...] = ()


@dataclass
class Figures:
    """What a simulated month did, and every time something a learner relies on failed."""

    zone: str
    days: int
    sessions: int = 0
    drills: int = 0
    completed: int = 0
    left_early: int = 0
    reviews: int = 0
    new_cards: int = 0
    undos: int = 0
    skips: int = 0
    after_midnight: int = 0
    leeches: int = 0
    suspended: int = 0
    complete_while_due: int = 0
    slipped: int = 0
    new_while_due: int = 0
    fuzzed: int = 0
    fuzz_outside: int = 0
    cards_replayed: int = 0
    replay_mismatches: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def violations(self) -> int:
        return (
            self.complete_while_due
            + self.slipped
            + self.new_while_due
            + self.fuzz_outside
            + self.replay_mismatches
        )

    def lines(self) -> list[str]:
        return [
            f"{self.zone}, {self.days} days: {self.sessions} sessions ({self.drills} drills, "
            f"{self.after_midnight} after midnight, {self.completed} complete, "
            f"{self.left_early} left early), {self.reviews} reviews, {self.new_cards} new cards, "
            f"{self.undos} undos, {self.skips} skips, {self.leeches} leech notes, "
            f"{self.suspended} suspended",
            f"  sessions complete while a card was due:           {self.complete_while_due}",
            f"  reviews slipped to a later day despite practice:  {self.slipped}",
            f"  new cards shown while a due card waited:          {self.new_while_due}",
            f"  fuzzed intervals outside their range:             {self.fuzz_outside} "
            f"of {self.fuzzed}",
            f"  cards equal to a py-fsrs replay of the log:       "
            f"{self.cards_replayed - self.replay_mismatches} of {self.cards_replayed}",
        ]


class Month:
    """Simulated use of one bank and store over `length` study days from `first_day`."""

    def __init__(
        self,
        bank: Bank,
        store: Store,
        zone: tzinfo,
        first_day: date,
        length: int = 30,
        seed: int = 1,
        learner: Learner | None = None,
        rollover_hour: int = 4,
        new_per_day: int = 10,
        desired_retention: float = 0.9,
        days_off: tuple[int, ...] = (9,),
    ) -> None:
        self.bank, self.store, self.zone = bank, store, zone
        self.first_day, self.length = first_day, length
        self.rng = random.Random(seed * 7919 + 17)
        self.learner = learner if learner is not None else Learner(seed)
        self.days = StudyDays(zone, rollover_hour)
        self.scheduling = Scheduling(desired_retention, fuzz=True, days=self.days)
        self.new_per_day = new_per_day
        self.days_off = days_off
        self.clock = SimClock(self.days.start(first_day))
        self.figures = Figures(zone=str(zone), days=length)
        self.completed_at: list[datetime] = []  # ends of practice sessions that ran out of cards
        self.skipped_on: set[tuple[str, date]] = set()  # (question, study day) skipped
        self.suspended_at: dict[str, datetime] = {}

    # --- habits: override these to simulate another learner --------------------------------

    def local(self, day: date, hours: float) -> datetime:
        """The UTC instant `hours` after local midnight starting `day` (26.5: 2:30 am the day
        after), in the learner's time zone."""
        whole = int(hours)
        moment = datetime.combine(day + timedelta(days=whole // 24), time(whole % 24), self.zone)
        return moment.astimezone(UTC) + timedelta(minutes=round((hours - whole) * 60))

    def sittings(self, index: int, day: date) -> list[Sitting]:
        """The sessions of study day number `index` (0-based): one to three at varied hours,
        some after midnight; now and then a drill of one topic; none on a day off."""
        if index in self.days_off:
            return []
        windows = [(6.5, 9.0), (12.0, 14.0), (17.5, 20.0), (21.0, 23.5), (24.25, 27.5)]
        count = self.rng.choice((1, 2, 2, 3))
        chosen = sorted(self.rng.sample(windows, count))
        topics = sorted(self.bank.topics)
        plan = []
        for low, high in chosen:
            at = self.local(day, self.rng.uniform(low, high))
            if self.rng.random() < 0.2 and index > 0:
                plan.append(Sitting(at, Mode.DRILL, (self.rng.choice(topics),)))
            else:
                plan.append(Sitting(at))
        return plan

    def options(self, sitting: Sitting) -> Options:
        return Options(mode=sitting.mode, topics=sitting.topics, new_per_day=self.new_per_day)

    # --- running ----------------------------------------------------------------------------

    def run(self) -> Figures:
        for index in range(self.length):
            day = self.first_day + timedelta(days=index)
            for sitting in self.sittings(index, day):
                self.clock.move_to(sitting.at)
                self.sit(sitting)
        self.clock.move_to(self.days.start(self.first_day + timedelta(days=self.length)))
        self.check_log()
        return self.figures

    def session(self, sitting: Sitting) -> Session:
        return Session(
            self.bank, self.store, self.scheduling, self.days, self.clock, self.options(sitting)
        )

    def sit(self, sitting: Sitting) -> None:
        """One session, card by card, as the learner goes through it."""
        figures, learner, clock = self.figures, self.learner, self.clock
        session = self.session(sitting)
        figures.sessions += 1
        figures.drills += sitting.mode is Mode.DRILL
        started = clock()
        if self.days.day_of(started) != started.astimezone(self.zone).date():
            figures.after_midnight += 1
        drill_length = self.rng.randint(4, 12)
        shown = 0
        undone: str | None = None  # a card taken back is asked again at once, even if new
        while (item := session.next()) is not None:
            if item.row is None and item.question.id != undone:
                self.check_no_due_waits(session, sitting, "a new card")
            undone = None
            shown += 1
            if sitting.mode is Mode.DRILL and shown > drill_length:
                figures.left_early += 1
                return
            if learner.chance(0.01):
                figures.left_early += 1
                return
            clock.advance(self.rng.uniform(15, 90))  # reading, answering, revealing
            if learner.chance(0.03):
                session.skip(item)
                figures.skips += 1
                self.skipped_on.add((item.question.id, self.days.day_of(clock())))
                continue
            self.rate(session, item)
            if learner.chance(0.03):
                clock.advance(self.rng.uniform(2, 8))
                undone = session.undo().question.id
                learner.took_back()
                figures.undos += 1
        figures.completed += 1
        self.check_no_due_waits(session, sitting, "the end of a session")
        if sitting.mode is Mode.PRACTICE:
            self.completed_at.append(clock())

    def rate(self, session: Session, item: Item) -> None:
        qid, now = item.question.id, self.clock()
        rating = self.learner.answer(qid, now)
        self.learner.studied(qid, rating, now)
        rated = session.rate(item, rating, duration_ms=30_000)
        self.clock.advance(self.rng.uniform(2, 10))
        if rated.leech:
            self.figures.leeches += 1
            if self.learner.chance(0.5):
                self.store.suspend(self.bank.id, qid, to_ms(self.clock()))
                self.suspended_at[qid] = self.clock()
                self.figures.suspended += 1

    # --- the checks ---------------------------------------------------------------------------

    def due_moment(self, state: int, due_ms: int) -> datetime:
        """When a card is due by the rules a learner is told: a review card from the start of
        the study day its due instant falls in, a learning step at its minute."""
        due = from_ms(due_ms)
        return self.days.start(self.days.day_of(due)) if state == REVIEW else due

    def due_now(self, topics: tuple[str, ...]) -> list[str]:
        """Cards due now that a session of these topics must show, read from the store."""
        now = self.clock()
        eligible = {q.id for q in self.bank.with_topics(topics)}
        eligible -= self.store.suspended(self.bank.id)
        eligible -= self.store.buried(self.bank.id, to_ms(now))
        return sorted(
            qid
            for qid, row in self.store.cards(self.bank.id).items()
            if qid in eligible and self.due_moment(row.state, row.due) <= now
        )

    def check_no_due_waits(self, session: Session, sitting: Sitting, when: str) -> None:
        waiting = self.due_now(sitting.topics)
        if not waiting:
            return
        if when == "a new card":
            self.figures.new_while_due += 1
        else:
            self.figures.complete_while_due += 1
        self.figures.problems.append(
            f"{self.clock().isoformat()}: {when} with {len(waiting)} due ({', '.join(waiting[:3])})"
        )

    def check_log(self) -> None:
        """Replay each card's log through py-fsrs; check fuzz ranges and slipped reviews."""
        retention = self.scheduling.desired_retention
        replay = Scheduler(desired_retention=retention, enable_fuzzing=False)
        by_card: dict[str, list[ReviewRow]] = {}
        for review in self.store.reviews(self.bank.id):
            by_card.setdefault(review.question_id, []).append(review)
            self.figures.reviews += 1
            self.figures.new_cards += review.state_before == NEW
        cards = self.store.cards(self.bank.id)
        for qid, log in by_card.items():
            card = Card(card_id=1, due=from_ms(log[0].reviewed_at))
            for review in log:
                at = from_ms(review.reviewed_at)
                card = replay.review_card(card, Rating(review.rating), at)[0]
                if card.state == State.Review:
                    self.check_fuzz(qid, (card.due - at).days, at, review)
            self.figures.cards_replayed += 1
            self.check_replay(qid, card, cards.get(qid))
            self.check_slips(qid, log)

    def check_replay(self, qid: str, card: Card, row: CardRow | None) -> None:
        if row is not None and (
            row.state == int(card.state)
            and row.stability == card.stability
            and row.difficulty == card.difficulty
        ):
            return
        self.figures.replay_mismatches += 1
        self.figures.problems.append(f"{qid}: stored {row} differs from the py-fsrs replay {card}")

    def check_fuzz(self, qid: str, unfuzzed: int, at: datetime, review: ReviewRow) -> None:
        low, high = self.scheduling.fuzz_range(unfuzzed)
        given = (self.days.day_of(from_ms(review.due_after)) - self.days.day_of(at)).days
        self.figures.fuzzed += low != high
        if not low <= given <= high:
            self.figures.fuzz_outside += 1
            self.figures.problems.append(
                f"{qid} at {at.isoformat()}: interval {given} d outside [{low}, {high}]"
            )

    def check_slips(self, qid: str, log: list[ReviewRow]) -> None:
        """A review slipped if the learner finished a practice session on the study day it was
        due, after it was due, and it was not reviewed that day (nor skipped or suspended)."""
        end = self.clock()
        for review, following in zip(log, [*log[1:], None], strict=True):
            due = self.due_moment(review.state_after, review.due_after)
            due_day = self.days.day_of(due)
            done = from_ms(following.reviewed_at) if following is not None else end
            if self.days.day_of(done) <= due_day or (qid, due_day) in self.skipped_on:
                continue
            if qid in self.suspended_at and self.suspended_at[qid] < done:
                continue
            missed = [
                t for t in self.completed_at if due <= t < done and self.days.day_of(t) == due_day
            ]
            if missed:
                self.figures.slipped += 1
                self.figures.problems.append(
                    f"{qid}: due {due.isoformat()}, reviewed {done.isoformat()}, though a "
                    f"practice session ended at {missed[0].isoformat()}"
                )


def simulate(
    bank: Bank, store_path: Path, zone: tzinfo, first_day: date, length: int, seed: int
) -> Figures:
    """One simulated stretch of use on a fresh store at `store_path`."""
    with Store.open(store_path) as store:
        return Month(bank, store, zone, first_day, length, seed).run()


# --- studying towards an interview date (issue 12) ---------------------------------------------


@dataclass
class Readiness:
    """How ready a simulated learner is at the interview: the figures issue 12 asks for."""

    with_date: bool
    target: float
    studied: int = 0  # cards studied and not suspended
    below: int = 0  # studied cards whose predicted recall at the interview is below the target
    relearned_below: int = 0  # of those, cards relearned in the session on the morning of the day
    expected: float = 0.0  # sum of the predicted recall at the interview of the cards studied
    learner: float = 0.0  # sum of the learner's own recall at the interview, every question
    per_day: list[int] = field(default_factory=list)  # reviews per study day, date set to day
    violations: int = 0  # failures of the month simulation's own checks (`Figures.violations`)

    @property
    def mean_load(self) -> float:
        """Reviews per study day, from the day the date was set to the interview day."""
        return sum(self.per_day) / len(self.per_day) if self.per_day else 0.0

    @property
    def final_week_peak(self) -> int:
        return max(self.per_day[-7:], default=0)

    def lines(self) -> list[str]:
        return [
            f"{'with the date set' if self.with_date else 'without a date':<18} "
            f"{self.below:>3} of {self.studied} cards below {self.target:.0%} at the interview "
            f"({self.relearned_below} relearned that morning) · expected recall "
            f"{self.expected:.1f} · the learner's own, all questions {self.learner:.1f}",
            f"{'':<18} reviews a day {self.per_day} · mean {self.mean_load:.1f} · "
            f"final week at most {self.final_week_peak}",
        ]


class FocusedLearner(Learner):
    """The same learner, with the same memory, on a morning when nothing distracts it: it
    skips no card, takes no rating back and leaves no session early."""

    @classmethod
    def like(cls, learner: Learner) -> FocusedLearner:
        focused = cls.__new__(cls)
        focused.__dict__.update(learner.__dict__)
        return focused

    def chance(self, p: float) -> bool:
        return False


class InterviewMonth(Month):
    """Daily practice, one evening session a study day, towards an interview `days_until`
    study days after the first session, and a short session on the morning of the day, in the
    half hour before it, as the plan asks; with `with_date=False`, the same habits, no date."""

    def __init__(
        self,
        bank: Bank,
        store: Store,
        zone: tzinfo,
        first_day: date,
        days_until: int = 21,
        seed: int = 1,
        with_date: bool = True,
        at_hour: float = 10.0,
        target: float | None = None,
        learner: Learner | None = None,
    ) -> None:
        super().__init__(
            bank,
            store,
            zone,
            first_day,
            length=days_until + 1,
            seed=seed,
            learner=learner,
            days_off=(),
        )
        from dlquiz.interview import DEFAULT_TARGET, parse_setting

        self.days_until, self.at_hour, self.with_date = days_until, at_hour, with_date
        self.interview_day = first_day + timedelta(days=days_until)
        self.at = self.local(self.interview_day, at_hour)
        self.target = target if target is not None else DEFAULT_TARGET
        if with_date:
            first_session = self.sittings(0, first_day)[0].at
            when = f"{int(at_hour):02d}:{round(at_hour % 1 * 60):02d}"
            setting = parse_setting(
                bank.id,
                self.interview_day.isoformat(),
                when,
                self.target,
                now=first_session,
                zone=zone,
            )
            store.set_interview(setting)

    def sittings(self, index: int, day: date) -> list[Sitting]:
        if index < self.days_until:
            # the same evening hour for both runs of a seed: no draw from the shared generator
            hour = 18.0 + random.Random(index * 31 + 7).uniform(0, 3)
            return [Sitting(self.local(day, hour))]
        if index == self.days_until:
            return [Sitting(self.local(day, self.at_hour - 0.5))]
        return []

    def sit(self, sitting: Sitting) -> None:
        """A learner who leaves a session early comes back a few minutes later to finish it
        (up to three times): practising every day means getting through the day's cards. On
        the morning of the interview it goes through every card, skipping none."""
        if self.days.day_of(sitting.at) == self.interview_day:
            self.learner = FocusedLearner.like(self.learner)
        for _ in range(4):
            completed = self.figures.completed
            super().sit(sitting)
            if self.figures.completed > completed:
                return
            self.clock.advance(self.rng.uniform(120, 600))
            sitting = Sitting(self.clock(), sitting.mode, sitting.topics)

    def readiness(self) -> Readiness:
        """The figures at the interview, from the store and the learner's memory."""
        figures = Readiness(self.with_date, self.target)
        morning = to_ms(self.days.start(self.interview_day))
        relearned = {
            r.question_id
            for r in self.store.reviews(self.bank.id)
            if r.reviewed_at >= morning
            and (r.rating == Rating.Again or r.state_before == RELEARNING)
        }
        suspended = self.store.suspended(self.bank.id)  # set aside: no longer studied
        for qid, row in self.store.cards(self.bank.id).items():
            if qid in suspended:
                continue
            recall = self.scheduling.retrievability(row, self.at)
            figures.studied += 1
            figures.expected += recall
            if recall < self.target:
                figures.below += 1
                figures.relearned_below += qid in relearned
        figures.learner = sum(self.learner.recall(q.id, self.at) for q in self.bank.questions)
        counts: dict[date, int] = {}
        for review in self.store.reviews(self.bank.id):
            day = self.days.day_of(from_ms(review.reviewed_at))
            counts[day] = counts.get(day, 0) + 1
        figures.per_day = [
            counts.get(self.first_day + timedelta(days=i), 0) for i in range(self.days_until + 1)
        ]
        return figures


def interview_runs(
    bank: Bank, folder: Path, zone: tzinfo, first_day: date, days_until: int, seed: int
) -> tuple[Readiness, Readiness]:
    """The same learner (same seed, same habits) without a date and with one: fresh stores in
    `folder`.

    The learner's memory is 0.7 times FSRS's default stability, spread per question
    (log-normal, sigma 0.4), but without the month learner's near-unlearnable questions (a
    stability of 4%: leeches it forgets within hours and suspends at random), which would make
    the comparison a matter of which leeches each run happened to suspend."""
    results = []
    for with_date in (False, True):
        path = folder / f"interview-{'date' if with_date else 'none'}-{seed}.db"
        with Store.open(path) as store:
            learner = Learner(seed, hard_questions=0.0)
            month = InterviewMonth(
                bank, store, zone, first_day, days_until, seed, with_date, learner=learner
            )
            figures = month.run()
            readiness = month.readiness()
            readiness.violations = figures.violations
            results.append(readiness)
    return results[0], results[1]
