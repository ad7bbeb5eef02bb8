"""The progress store: one SQLite file holding card state and an append-only review log.

Durability is the point of this module. The database runs in WAL mode, and each answer is one
`BEGIN IMMEDIATE ... COMMIT` transaction that writes the review log and the card together, so a
rating that the screen showed as saved survives Ctrl-C, a closed terminal or `kill -9`, and two
dlquiz processes can answer at once without losing either's reviews.

The schema version lives in `PRAGMA user_version`; migrations are named functions applied in
order when the store opens. A store from a newer dlquiz is refused, never migrated downward, and
a file that is not a dlquiz store is never overwritten.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from dlquiz.model import NEW, REVIEW, CardRow, Grading, InterviewRow, ReviewRow

# Plain tuples, as SQLite returns them: a class would cost `dlquiz stats` start-up.
# (question_id, graded, suggested, exact, easy_over_good, higher, lower): of the question's
# graded reviews, those with a suggestion; of those, the ones rated exactly as suggested, rated
# Easy over a Good suggestion, rated higher than suggested (Easy over Good included), lower.
AgreementCount = tuple[str, int, int, int, int, int, int]
# (question_id, flags, point_index, graded, missed): of the question's graded reviews with
# `flags` flags, `graded` in all, and `missed` that did not cover point `point_index` (from 0).
MissedCount = tuple[str, int, int, int, int]

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 10_000


class StoreError(Exception):
    """The store cannot be opened or written; the message says what to do. `detail` is
    SQLite's own words, when the failure came from SQLite (for `doctor`'s report)."""

    def __init__(self, message: str, detail: str | None = None) -> None:
        super().__init__(message)
        self.detail = detail


class UndoRefused(StoreError):
    """An undo that would throw away a review made since (in another session)."""


CARD_COLUMNS = (
    "bank_id, question_id, card_id, state, step, stability, difficulty, due, last_review, "
    "reps, lapses, introduced"
)
REVIEW_COLUMNS = (
    "id, bank_id, question_id, rating, reviewed_at, duration_ms, state_before, card_before, "
    "state_after, due_after, covered, suggested"
)


def _m001_initial(db: sqlite3.Connection) -> None:
    """Cards, the review log, and cards buried (skipped) until a given time."""
    _run_script(
        db,
        """
        CREATE TABLE cards (
            bank_id     TEXT    NOT NULL,
            question_id TEXT    NOT NULL,
            card_id     INTEGER NOT NULL,
            state       INTEGER NOT NULL,   -- fsrs.State: 1 learning, 2 review, 3 relearning
            step        INTEGER,
            stability   REAL,
            difficulty  REAL,
            due         INTEGER NOT NULL,   -- ms since the epoch, UTC
            last_review INTEGER,
            reps        INTEGER NOT NULL DEFAULT 0,
            lapses      INTEGER NOT NULL DEFAULT 0,
            introduced  INTEGER NOT NULL,   -- time of the first review
            PRIMARY KEY (bank_id, question_id)
        ) WITHOUT ROWID;
        CREATE INDEX cards_due ON cards (bank_id, due);
        CREATE TABLE reviews (
            id           INTEGER PRIMARY KEY,
            bank_id      TEXT    NOT NULL,
            question_id  TEXT    NOT NULL,
            rating       INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
            reviewed_at  INTEGER NOT NULL,  -- ms since the epoch, UTC
            duration_ms  INTEGER,
            state_before INTEGER NOT NULL,  -- 0 new, else fsrs.State
            card_before  TEXT,              -- JSON of the card row before, NULL when new
            state_after  INTEGER NOT NULL,
            due_after    INTEGER NOT NULL
        );
        CREATE INDEX reviews_card ON reviews (bank_id, question_id, reviewed_at);
        CREATE TABLE buried (
            bank_id     TEXT    NOT NULL,
            question_id TEXT    NOT NULL,
            until       INTEGER NOT NULL,
            PRIMARY KEY (bank_id, question_id)
        ) WITHOUT ROWID;
        """,
    )


def _run_script(db: sqlite3.Connection, script: str) -> None:
    """Run SQL statements inside the caller's transaction (executescript would commit it)."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement: {statement.strip()[:60]}")


def _m002_review_time_index(db: sqlite3.Connection) -> None:
    """A covering index so that statistics aggregate a million reviews without the table."""
    db.execute(
        "CREATE INDEX reviews_time ON reviews "
        "(bank_id, reviewed_at, rating, state_before, duration_ms, question_id)"
    )


BUCKET_MS = 15 * 60 * 1000  # every time zone's offset is a whole number of these


def _m003_review_buckets(db: sqlite3.Connection) -> None:
    """Review counts per bank and 15-minute slot, kept by triggers in the same transaction as
    each insert into or delete from the log, so that statistics read one row per slot studied
    instead of every review. Slots are UTC; as every time zone's offset is a multiple of 15
    minutes, each slot lies wholly inside one local study day, whatever the zone and the
    rollover hour."""
    _run_script(
        db,
        f"""
        CREATE TABLE review_buckets (
            bank_id     TEXT    NOT NULL,
            bucket      INTEGER NOT NULL,  -- reviewed_at / {BUCKET_MS}
            reviews     INTEGER NOT NULL,
            in_review   INTEGER NOT NULL,  -- reviews of cards in the review state
            passed      INTEGER NOT NULL,  -- of those, not rated Again
            duration_ms INTEGER NOT NULL,
            PRIMARY KEY (bank_id, bucket)
        ) WITHOUT ROWID;
        INSERT INTO review_buckets
            SELECT bank_id, reviewed_at / {BUCKET_MS}, count(*), sum(state_before = 2),
                   sum(state_before = 2 AND rating > 1), coalesce(sum(duration_ms), 0)
            FROM reviews GROUP BY 1, 2;
        CREATE TRIGGER reviews_count_insert AFTER INSERT ON reviews BEGIN
            INSERT INTO review_buckets VALUES (
                NEW.bank_id, NEW.reviewed_at / {BUCKET_MS}, 1, NEW.state_before = 2,
                NEW.state_before = 2 AND NEW.rating > 1, coalesce(NEW.duration_ms, 0))
            ON CONFLICT (bank_id, bucket) DO UPDATE SET
                reviews = reviews + 1,
                in_review = in_review + excluded.in_review,
                passed = passed + excluded.passed,
                duration_ms = duration_ms + excluded.duration_ms;
        END;
        CREATE TRIGGER reviews_count_delete AFTER DELETE ON reviews BEGIN
            UPDATE review_buckets SET
                reviews = reviews - 1,
                in_review = in_review - (OLD.state_before = 2),
                passed = passed - (OLD.state_before = 2 AND OLD.rating > 1),
                duration_ms = duration_ms - coalesce(OLD.duration_ms, 0)
            WHERE bank_id = OLD.bank_id AND bucket = OLD.reviewed_at / {BUCKET_MS};
            DELETE FROM review_buckets
            WHERE bank_id = OLD.bank_id AND bucket = OLD.reviewed_at / {BUCKET_MS}
              AND reviews = 0;
        END;
        """,
    )


def _m004_suspended(db: sqlite3.Connection) -> None:
    """Cards the learner has set aside (`dlquiz suspend`): never shown until unsuspended. A
    table of its own, so that the card rows and the review log stay exactly as they were."""
    db.execute(
        "CREATE TABLE suspended ("
        " bank_id TEXT NOT NULL, question_id TEXT NOT NULL,"
        " since INTEGER NOT NULL,"  # ms since the epoch, UTC
        " PRIMARY KEY (bank_id, question_id)) WITHOUT ROWID"
    )


def _m005_interview(db: sqlite3.Connection) -> None:
    """The interview date set for each bank (`dlquiz interview`): at most one per bank."""
    db.execute(
        """
        CREATE TABLE interviews (
            bank_id    TEXT    PRIMARY KEY,
            at         INTEGER NOT NULL,  -- the interview, ms since the epoch, UTC
            local_date TEXT    NOT NULL,  -- YYYY-MM-DD, as given, in local time
            local_time TEXT    NOT NULL,  -- HH:MM, local time
            target     REAL    NOT NULL,  -- the recall every card should have by then
            set_at     INTEGER NOT NULL   -- when the date was set, ms UTC
        ) WITHOUT ROWID
        """
    )


MAX_FLAGS = 32  # key points a grading may flag; a bank allows far fewer (bank.MAX_KEY_POINTS)


def _m006_review_grading(db: sqlite3.Connection) -> None:
    """What the grader made of each typed answer, kept with its review, and counted.

    Two columns on `reviews` rather than a side table: a grading belongs to exactly one review
    and is written in the same INSERT, so undo, `reset` and every other delete of a review take
    its grading with it, with no foreign key or cleanup to forget. `covered` is a string of
    `1`/`0`, one per key point in the bank's order (`"101"`: the first and third covered),
    NULL when nothing was typed: a byte a point, readable in `sqlite3`, and checked with no
    JSON support needed. `suggested` is the rating the grader suggested (1 Again, 2 Hard,
    3 Good), NULL when it abstained or nothing was typed. Existing reviews keep NULL in both:
    nothing was recorded about them, and nothing is made up.

    Two tables of counts are kept by triggers, in the same transaction as each insert into or
    delete from the log (as `review_buckets` is), so that `dlquiz stats` reads one row per
    question and one per key point missed instead of the log:
    - `grading_questions`: per question, its graded reviews; of those, the ones with a
      suggestion; of those, the ones rated exactly as suggested, rated Easy over a Good
      suggestion, rated higher (Easy over Good included), rated lower. Neutral counts: what
      counts as agreement is decided in Python (`grading_stats`), not here;
    - `grading_points`: per question, number of flags (the question's key points when it was
      graded) and key point, its graded reviews and how many of them missed the point."""
    numbers = ", ".join(f"({i})" for i in range(MAX_FLAGS))
    _run_script(
        db,
        f"""
        ALTER TABLE reviews ADD COLUMN covered TEXT CHECK (
            covered IS NULL
            OR (covered NOT GLOB '*[^01]*' AND length(covered) BETWEEN 1 AND {MAX_FLAGS}));
        ALTER TABLE reviews ADD COLUMN suggested INTEGER
            CHECK (suggested IS NULL OR (suggested BETWEEN 1 AND 3 AND covered IS NOT NULL));
        CREATE TABLE grading_questions (
            bank_id        TEXT    NOT NULL,
            question_id    TEXT    NOT NULL,
            graded         INTEGER NOT NULL,  -- reviews with a typed answer
            suggested      INTEGER NOT NULL,  -- of those, with a suggestion
            exact          INTEGER NOT NULL,  -- of those, rated as suggested
            easy_over_good INTEGER NOT NULL,  -- rated Easy over a Good suggestion
            higher         INTEGER NOT NULL,  -- rated higher (Easy over Good included)
            lower          INTEGER NOT NULL,  -- rated lower
            PRIMARY KEY (bank_id, question_id)
        ) WITHOUT ROWID;
        CREATE TABLE grading_points (
            bank_id     TEXT    NOT NULL,
            question_id TEXT    NOT NULL,
            flags       INTEGER NOT NULL,  -- length(reviews.covered)
            point       INTEGER NOT NULL,  -- from 0
            graded      INTEGER NOT NULL,
            missed      INTEGER NOT NULL,
            PRIMARY KEY (bank_id, question_id, flags, point)
        ) WITHOUT ROWID;
        CREATE TABLE grading_point_numbers (point INTEGER PRIMARY KEY);
        INSERT INTO grading_point_numbers VALUES {numbers};
        CREATE TRIGGER reviews_grading_insert AFTER INSERT ON reviews
        WHEN NEW.covered IS NOT NULL BEGIN
            INSERT INTO grading_questions VALUES (
                NEW.bank_id, NEW.question_id, 1, NEW.suggested IS NOT NULL,
                coalesce(NEW.rating = NEW.suggested, 0),
                coalesce(NEW.suggested = 3 AND NEW.rating = 4, 0),
                coalesce(NEW.rating > NEW.suggested, 0),
                coalesce(NEW.rating < NEW.suggested, 0))
            ON CONFLICT (bank_id, question_id) DO UPDATE SET
                graded = graded + 1,
                suggested = suggested + excluded.suggested,
                exact = exact + excluded.exact,
                easy_over_good = easy_over_good + excluded.easy_over_good,
                higher = higher + excluded.higher,
                lower = lower + excluded.lower;
            INSERT INTO grading_points
                SELECT NEW.bank_id, NEW.question_id, length(NEW.covered), point, 1,
                       substr(NEW.covered, point + 1, 1) = '0'
                FROM grading_point_numbers WHERE point < length(NEW.covered)
            ON CONFLICT (bank_id, question_id, flags, point) DO UPDATE SET
                graded = graded + 1,
                missed = missed + excluded.missed;
        END;
        CREATE TRIGGER reviews_grading_delete AFTER DELETE ON reviews
        WHEN OLD.covered IS NOT NULL BEGIN
            UPDATE grading_questions SET
                graded = graded - 1,
                suggested = suggested - (OLD.suggested IS NOT NULL),
                exact = exact - coalesce(OLD.rating = OLD.suggested, 0),
                easy_over_good = easy_over_good
                    - coalesce(OLD.suggested = 3 AND OLD.rating = 4, 0),
                higher = higher - coalesce(OLD.rating > OLD.suggested, 0),
                lower = lower - coalesce(OLD.rating < OLD.suggested, 0)
            WHERE bank_id = OLD.bank_id AND question_id = OLD.question_id;
            DELETE FROM grading_questions
            WHERE bank_id = OLD.bank_id AND question_id = OLD.question_id AND graded = 0;
            UPDATE grading_points SET
                graded = graded - 1,
                missed = missed - (substr(OLD.covered, point + 1, 1) = '0')
            WHERE bank_id = OLD.bank_id AND question_id = OLD.question_id
              AND flags = length(OLD.covered);
            DELETE FROM grading_points
            WHERE bank_id = OLD.bank_id AND question_id = OLD.question_id
              AND flags = length(OLD.covered) AND graded = 0;
        END;
        """,
    )


def _m007_parameters(db: sqlite3.Connection) -> None:
    """FSRS parameters fitted to the learner's log by `dlquiz optimize`, kept per bank, with
    the figures that justified keeping them. A bank without a row uses FSRS's defaults."""
    db.execute(
        """
        CREATE TABLE parameters (
            bank_id    TEXT    NOT NULL PRIMARY KEY,
            parameters TEXT    NOT NULL,  -- JSON array of FSRS's 21 weights
            fitted_at  INTEGER NOT NULL,  -- ms since the epoch, UTC
            figures    TEXT    NOT NULL   -- JSON: reviews, before and after (log loss, RMSE)
        ) WITHOUT ROWID
        """
    )


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _m001_initial,
    _m002_review_time_index,
    _m003_review_buckets,
    _m004_suspended,
    _m005_interview,
    _m006_review_grading,
    _m007_parameters,
)
SCHEMA_VERSION = len(MIGRATIONS)


def check_file(path: Path) -> None:
    """Refuse a file that is not a whole SQLite database, before SQLite can touch it."""
    import stat

    try:
        info = path.stat()
    except FileNotFoundError:
        return
    except OSError as e:
        raise StoreError(f"cannot read {path}: {e.strerror or e}") from None
    if stat.S_ISDIR(info.st_mode):
        raise StoreError(
            f"{path} is a directory, not a dlquiz store; move it aside (mv '{path}' "
            f"'{path}.dir') or use another home (--home DIR)"
        )
    if not stat.S_ISREG(info.st_mode):
        raise StoreError(f"{path} is not a regular file, so it cannot be a dlquiz store")
    size = info.st_size
    if size == 0:
        return  # created by a connect that never wrote; nothing to lose
    try:
        with path.open("rb") as f:
            header = f.read(100)
    except OSError as e:
        raise StoreError(f"cannot read {path}: {e.strerror or e}") from None
    if not header.startswith(SQLITE_HEADER) or len(header) < 100:
        raise StoreError(f"{path} is not a dlquiz store (not a SQLite database); {_aside(path)}")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    valid_for, change_counter = header[92:96], header[24:28]
    if valid_for == change_counter and pages and size < pages * page_size:
        # Another dlquiz checkpointing its log into the file writes the header first, then
        # the pages: look again for a moment before calling the file truncated.
        for pause in (0.05, 0.1, 0.2, 0.4):
            time.sleep(pause)
            if path.stat().st_size >= pages * page_size:
                return
        raise StoreError(
            f"{path} is truncated ({size:,} of {pages * page_size:,} bytes); {_aside(path)}"
        )


def _aside(path: Path) -> str:
    return (
        f"dlquiz will not overwrite it. Move it aside (mv '{path}' '{path}.broken') to start a "
        "new store, or run `dlquiz doctor` for details"
    )


def _lock_file(path: Path, exclusive: bool) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; restore trusts the person
        yield
        return
    lock = path.with_name(path.name + ".lock")
    try:
        lock.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        try:  # a read-only folder: lock what is there, else leave it to the store to explain
            fd = os.open(lock, os.O_RDONLY)
        except OSError:
            yield
            return
    try:
        try:
            fcntl.flock(fd, (fcntl.LOCK_EX | fcntl.LOCK_NB) if exclusive else fcntl.LOCK_SH)
        except BlockingIOError:
            raise StoreError(
                f"another dlquiz session has {path} open: finish it (q) first, then try again"
            ) from None
        yield
    finally:
        os.close(fd)  # releases the lock; so does the process ending, however it ends


@contextmanager
def in_session(path: Path) -> Iterator[None]:
    """Held by a study session for as long as it runs, so that a restore can tell it is open."""
    yield from _lock_file(path, exclusive=False)


@contextmanager
def exclusive_use(path: Path) -> Iterator[None]:
    """No study session has the store open, and none can start until this ends."""
    yield from _lock_file(path, exclusive=True)


def _code(error: sqlite3.Error) -> int | None:
    """The primary SQLite result code of an error (SQLITE_BUSY...), without extended bits."""
    code = getattr(error, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def _busy(error: sqlite3.Error) -> bool:
    return _code(error) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def describe(error: sqlite3.Error, path: Path) -> str:
    """A one-line explanation of an SQLite failure, with what to do about it."""
    code = _code(error)
    if code == sqlite3.SQLITE_READONLY:
        return f"cannot write to {path}: the file or its directory is read-only"
    if code == sqlite3.SQLITE_FULL:
        return f"cannot write to {path}: the disk is full"
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return f"{path} is busy: another dlquiz is writing to it; try again"
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return f"{path} is damaged ({error}); {_aside(path)}"
    if code == sqlite3.SQLITE_CANTOPEN:
        return f"cannot open {path}: check that its directory exists and is writable"
    if code == sqlite3.SQLITE_IOERR:
        return f"cannot read or write {path}: the device reported an error ({error})"
    return f"{path}: {error}"


def refuse_newer(path: Path, version: int) -> None:
    """StoreError when a store file was written by a newer dlquiz than this one."""
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path} was written by a newer dlquiz (schema {version}; this one knows "
            f"{SCHEMA_VERSION}). Upgrade dlquiz: `pip install --upgrade dlquiz`"
        )


def inspect(path: Path) -> tuple[int, bool, str]:
    """(schema version, whether it holds dlquiz's tables, SQLite's quick check) of a store file,
    read without writing anything; StoreError if it is not a whole SQLite database."""
    check_file(path)
    try:
        with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as db:
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
            check = str(db.execute("PRAGMA quick_check").fetchone()[0])
        db.close()
    except sqlite3.Error as e:
        raise StoreError(describe(e, path)) from None
    return version, version > 0 and {"cards", "reviews"} <= tables, check


class Store:
    """An open progress store. Use `Store.open(path)`; close it, or use it as a context."""

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self.db = db
        self.path = path

    @classmethod
    def open(cls, path: Path, *, create: bool = True) -> Store:
        """Open (and create, and migrate) the store at `path`."""
        check_file(path)
        if not path.exists():
            if not create:
                raise StoreError(f"no store at {path} yet")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise StoreError(f"cannot create {path.parent}: {e.strerror}") from None
        try:
            db = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        except sqlite3.Error as e:
            raise StoreError(describe(e, path), str(e)) from None
        store = cls(db, path)
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        try:
            while True:
                try:
                    store._prepare()
                    return store
                except sqlite3.OperationalError as e:
                    # Switching to WAL, or two first starts creating the schema at once, can
                    # be refused as busy without waiting: wait here instead.
                    if not _busy(e) or time.monotonic() > deadline:
                        raise
                    time.sleep(0.02)
        except StoreError:
            db.close()
            raise
        except sqlite3.Error as e:
            db.close()
            raise StoreError(describe(e, path), str(e)) from None

    @classmethod
    def open_read_only(cls, path: Path) -> Store:
        """Open an existing store to read it, changing nothing: no migration, no switch to WAL
        (for `doctor`). Its schema may be older than this dlquiz's: see `schema_version`."""
        check_file(path)
        if not path.exists():
            raise StoreError(f"no store at {path} yet")
        from urllib.parse import quote

        # Without a log to read, `immutable` opens the file as it is and creates nothing next to
        # it (a read-only connection to a WAL store would create its -wal and -shm files).
        wal = path.with_name(path.name + "-wal")
        mode = "mode=ro" if wal.exists() else "immutable=1"
        uri = f"file:{quote(str(path.resolve()))}?{mode}"
        try:
            db = sqlite3.connect(
                uri, uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000
            )
            db.execute("PRAGMA user_version").fetchone()
        except sqlite3.Error as e:
            raise StoreError(describe(e, path), str(e)) from None
        return cls(db, path)

    def schema_version(self) -> int:
        """The schema version the file was written with (`PRAGMA user_version`)."""
        return int(self.query("PRAGMA user_version")[0][0])

    def _prepare(self) -> None:
        """Check the schema version, switch to WAL, and migrate; SQLite errors pass through."""
        db = self.db
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        refuse_newer(self.path, version)
        if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        if version < SCHEMA_VERSION:
            self._migrate()

    def _migrate(self) -> None:
        """Apply the missing migrations in one transaction (all or none). SQLite errors pass
        through untranslated, so that `open` can tell a busy store and try again."""
        db = self.db
        with self._immediate():
            version = db.execute("PRAGMA user_version").fetchone()[0]  # another may have won
            if version == 0 and db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                raise StoreError(
                    f"{self.path} is an SQLite file but not a dlquiz store; " + _aside(self.path)
                )
            for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
                migration(db)
                db.execute(f"PRAGMA user_version = {number}")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _immediate(self) -> Iterator[None]:
        """BEGIN IMMEDIATE, COMMIT on exit, ROLLBACK on any exception; SQLite errors pass
        through as they are."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction, taken at once (BEGIN IMMEDIATE) and committed on exit."""
        try:
            with self._immediate():
                yield
        except sqlite3.Error as e:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise StoreError(describe(e, self.path), str(e)) from None

    @contextmanager
    def reading(self) -> Iterator[None]:
        """A read snapshot: several queries see the same state of the store."""
        try:
            self.db.execute("BEGIN")
            try:
                yield
            finally:
                self.db.execute("COMMIT")
        except sqlite3.Error as e:
            raise StoreError(describe(e, self.path), str(e)) from None

    def query(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> list[Any]:
        """Run a read query; SQLite failures become StoreError."""
        try:
            return self.db.execute(sql, params).fetchall()
        except sqlite3.Error as e:
            raise StoreError(describe(e, self.path), str(e)) from None

    # --- cards --------------------------------------------------------------------------------

    def cards(self, bank_id: str) -> dict[str, CardRow]:
        """Every card of a bank, by question id."""
        rows = self.query(f"SELECT {CARD_COLUMNS} FROM cards WHERE bank_id = ?", (bank_id,))
        return {r[1]: CardRow(*r) for r in rows}

    def card(self, bank_id: str, question_id: str) -> CardRow | None:
        rows = self.query(
            f"SELECT {CARD_COLUMNS} FROM cards WHERE bank_id = ? AND question_id = ?",
            (bank_id, question_id),
        )
        return CardRow(*rows[0]) if rows else None

    def put_card(self, row: CardRow) -> None:
        values = tuple(row)
        marks = ", ".join("?" * len(values))
        self.db.execute(
            f"INSERT OR REPLACE INTO cards ({CARD_COLUMNS}) VALUES ({marks})",
            values,
        )

    # --- the review log -----------------------------------------------------------------------

    def log_review(
        self,
        before: CardRow | None,
        after: CardRow,
        rating: int,
        reviewed_at: int,
        duration_ms: int | None,
        grading: Grading | None = None,
    ) -> int:
        """Append a review, with what the grader made of the typed answer (None: nothing was
        typed); call inside `transaction()` together with `put_card(after)`."""
        cursor = self.db.execute(
            f"INSERT INTO reviews ({REVIEW_COLUMNS}) "
            "VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                after.bank_id,
                after.question_id,
                rating,
                reviewed_at,
                duration_ms,
                before.state if before else NEW,
                json.dumps(before._asdict()) if before else None,
                after.state,
                after.due,
                None if grading is None else "".join("1" if c else "0" for c in grading.covered),
                None if grading is None else grading.suggested,
            ),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def review(self, review_id: int) -> ReviewRow | None:
        rows = self.query(f"SELECT {REVIEW_COLUMNS} FROM reviews WHERE id = ?", (review_id,))
        return _review_row(rows[0]) if rows else None

    def last_review_of(self, bank_id: str, question_id: str) -> int | None:
        rows = self.query(
            "SELECT max(id) FROM reviews WHERE bank_id = ? AND question_id = ?",
            (bank_id, question_id),
        )
        return rows[0][0] if rows else None

    def undo(self, review_id: int) -> ReviewRow:
        """Remove a review and put its card back exactly as it was before it.

        Only the latest review of a card can be undone: if another session has reviewed the
        card since, undoing would throw that review away, so it is refused.
        """
        with self.transaction():
            review = self.review(review_id)
            if review is None:
                raise UndoRefused("that review is no longer in the store (reset since?)")
            if self.last_review_of(review.bank_id, review.question_id) != review_id:
                raise UndoRefused("the card was reviewed again since (in another session)")
            self.db.execute("DELETE FROM reviews WHERE id = ?", (review_id,))
            if review.card_before is None:
                self.db.execute(
                    "DELETE FROM cards WHERE bank_id = ? AND question_id = ?",
                    (review.bank_id, review.question_id),
                )
            else:
                self.put_card(review.card_before)
        return review

    def reviews(self, bank_id: str | None = None) -> Iterator[ReviewRow]:
        """The whole log in order, streamed (for export)."""
        sql = f"SELECT {REVIEW_COLUMNS} FROM reviews"
        params: tuple[str, ...] = ()
        if bank_id is not None:
            sql += " WHERE bank_id = ?"
            params = (bank_id,)
        try:
            for row in self.db.execute(sql + " ORDER BY id", params):
                yield _review_row(row)
        except sqlite3.Error as e:
            raise StoreError(describe(e, self.path), str(e)) from None

    def new_introduced_since(self, bank_id: str, since_ms: int) -> set[str]:
        """Questions seen for the first time at or after `since_ms`."""
        rows = self.query(
            "SELECT DISTINCT question_id FROM reviews "
            "WHERE bank_id = ? AND reviewed_at >= ? AND state_before = 0",
            (bank_id, since_ms),
        )
        return {r[0] for r in rows}

    # --- maintenance --------------------------------------------------------------------------

    def backup(self, dest: Path) -> None:
        """A consistent copy of the whole store (SQLite's online backup), even mid-use."""
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            with sqlite3.connect(dest) as copy:
                self.db.backup(copy)
            copy.close()
        except sqlite3.Error as e:
            raise StoreError(describe(e, dest), str(e)) from None

    def copy_from(self, source: Path) -> None:
        """Replace this store's whole content with the database at `source`, through SQLite's
        backup API, so that this store's write-ahead log is superseded, never replayed over it."""
        try:
            with sqlite3.connect(source) as src:
                src.backup(self.db)
            src.close()
        except sqlite3.Error as e:
            raise StoreError(describe(e, self.path)) from None

    def forget(self, bank_id: str, question_ids: set[str] | None = None) -> tuple[int, int]:
        """Delete the progress of a bank (or of some of its questions): (cards, reviews)."""
        where, params = _scope(bank_id, question_ids)
        with self.transaction():
            cards = self.db.execute(f"DELETE FROM cards WHERE {where}", params).rowcount
            reviews = self.db.execute(f"DELETE FROM reviews WHERE {where}", params).rowcount
            self.db.execute(f"DELETE FROM buried WHERE {where}", params)
            self.db.execute(f"DELETE FROM suspended WHERE {where}", params)
        return cards, reviews

    def counts(self, bank_id: str, question_ids: set[str] | None = None) -> tuple[int, int]:
        """(cards, reviews) of a bank, or of some of its questions."""
        where, params = _scope(bank_id, question_ids)
        cards = self.query(f"SELECT count(*) FROM cards WHERE {where}", params)[0][0]
        reviews = self.query(f"SELECT count(*) FROM reviews WHERE {where}", params)[0][0]
        return int(cards), int(reviews)

    def integrity(self) -> list[str]:
        """SQLite's own check of every page and index: an empty list when all is well."""
        rows = self.query("PRAGMA integrity_check")
        return [] if [r[0] for r in rows] == ["ok"] else [str(r[0]) for r in rows]

    # --- burying (skip for today) -------------------------------------------------------------

    def bury(self, bank_id: str, question_id: str, until_ms: int) -> None:
        with self.transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO buried (bank_id, question_id, until) VALUES (?, ?, ?)",
                (bank_id, question_id, until_ms),
            )

    def buried(self, bank_id: str, now_ms: int) -> set[str]:
        rows = self.query(
            "SELECT question_id FROM buried WHERE bank_id = ? AND until > ?", (bank_id, now_ms)
        )
        return {r[0] for r in rows}

    # --- suspending (set aside until unsuspended) ---------------------------------------------

    def suspend(self, bank_id: str, question_id: str, now_ms: int) -> bool:
        """Set a card aside: practice and review never show it. False if it already was."""
        with self.transaction():
            cursor = self.db.execute(
                "INSERT OR IGNORE INTO suspended (bank_id, question_id, since) VALUES (?, ?, ?)",
                (bank_id, question_id, now_ms),
            )
        return cursor.rowcount == 1

    def unsuspend(self, bank_id: str, question_id: str) -> bool:
        """Bring a suspended card back, as it was. False if it was not suspended."""
        with self.transaction():
            cursor = self.db.execute(
                "DELETE FROM suspended WHERE bank_id = ? AND question_id = ?",
                (bank_id, question_id),
            )
        return cursor.rowcount == 1

    def suspended(self, bank_id: str) -> set[str]:
        """The question ids of a bank's suspended cards."""
        rows = self.query("SELECT question_id FROM suspended WHERE bank_id = ?", (bank_id,))
        return {r[0] for r in rows}

    # --- the interview date (dlquiz interview) ------------------------------------------------

    def interview(self, bank_id: str) -> InterviewRow | None:
        """The interview date set for a bank, if any."""
        rows = self.query(
            "SELECT bank_id, at, local_date, local_time, target, set_at FROM interviews "
            "WHERE bank_id = ?",
            (bank_id,),
        )
        return InterviewRow(*rows[0]) if rows else None

    def set_interview(self, row: InterviewRow) -> None:
        """Set (or replace) a bank's interview date."""
        with self.transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO interviews "
                "(bank_id, at, local_date, local_time, target, set_at) VALUES (?, ?, ?, ?, ?, ?)",
                tuple(row),
            )

    def clear_interview(self, bank_id: str) -> bool:
        """Remove a bank's interview date; False when none was set."""
        with self.transaction():
            cursor = self.db.execute("DELETE FROM interviews WHERE bank_id = ?", (bank_id,))
        return cursor.rowcount > 0

    def early_reviews_since(self, bank_id: str, since_ms: int) -> int:
        """Reviews since `since_ms` of cards in review that were not due yet (brought forward)."""
        rows = self.query(
            "SELECT count(*) FROM reviews WHERE bank_id = ? AND reviewed_at >= ? "
            "AND state_before = ? AND json_extract(card_before, '$.due') > reviewed_at",
            (bank_id, since_ms, REVIEW),
        )
        return int(rows[0][0])

    # --- grading ------------------------------------------------------------------------------

    def agreement_counts(self, bank_id: str) -> list[AgreementCount]:
        """Per question graded, how its ratings compare with the grader's suggestions (see
        `AgreementCount`), from the counts the triggers keep: a row per question."""
        return self.query(
            "SELECT question_id, graded, suggested, exact, easy_over_good, higher, lower "
            "FROM grading_questions WHERE bank_id = ?",
            (bank_id,),
        )

    def missed_counts(self, bank_id: str) -> list[MissedCount]:
        """Per question, number of flags and key point: its graded reviews, and of those the
        ones that missed the point (see `MissedCount`); only points missed at least once."""
        return self.query(
            "SELECT question_id, flags, point, graded, missed FROM grading_points "
            "WHERE bank_id = ? AND missed > 0",
            (bank_id,),
        )

    # --- statistics ---------------------------------------------------------------------------
    # Read-only queries for `stats.py`, which does the arithmetic; call them inside `reading()`
    # so that they all see one state of the store.

    def review_span(self, bank_id: str) -> tuple[int, int] | None:
        """The times (ms) of the first and the last review of a bank; None when it has none.
        Two queries, as SQLite answers a lone min() or max() with one seek in the index
        `reviews_time` but both at once by reading every review of the bank."""
        first = self.query("SELECT min(reviewed_at) FROM reviews WHERE bank_id = ?", (bank_id,))
        last = self.query("SELECT max(reviewed_at) FROM reviews WHERE bank_id = ?", (bank_id,))
        if first[0][0] is None:
            return None
        return int(first[0][0]), int(last[0][0])

    def review_tallies(
        self, bank_id: str, bounds: list[int], question_ids: set[str] | None = None
    ) -> dict[int, ReviewTally]:
        """The log's figures in each period i = [bounds[i], bounds[i + 1]) (times in ms), for a
        bank or for some of its questions; only periods with reviews are returned.

        One aggregate query: the periods go into a temporary table joined by time to the log.
        For a whole bank, and periods that start on the 15-minute slots of `review_buckets` (as
        study days do in every time zone), it reads the per-slot counts the triggers keep, one
        row per slot studied; otherwise the log itself, through the covering index
        `reviews_time`, each period's reviews in one range."""
        if len(bounds) < 2:
            return {}
        self._temp_table(
            "stats_periods",
            "period INTEGER PRIMARY KEY, starts INTEGER NOT NULL, ends INTEGER NOT NULL",
            ((i, bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)),
        )
        if question_ids is None and all(b % BUCKET_MS == 0 for b in bounds):
            rows = self.query(
                "SELECT p.period, sum(b.reviews), sum(b.in_review), sum(b.passed), "
                "sum(b.duration_ms) FROM temp.stats_periods AS p JOIN review_buckets AS b "
                f"ON b.bank_id = ? AND b.bucket >= p.starts / {BUCKET_MS} "
                f"AND b.bucket < p.ends / {BUCKET_MS} GROUP BY p.period",
                (bank_id,),
            )
        else:
            scope = ""
            if question_ids is not None:
                self._temp_table(
                    "stats_scope", "question_id TEXT PRIMARY KEY", ((q,) for q in question_ids)
                )
                # the unary + keeps SQLite off the per-question index, which would seek once
                # per question and period instead of reading each period in one range
                scope = "AND +r.question_id IN (SELECT question_id FROM temp.stats_scope)"
            rows = self.query(
                "SELECT p.period, count(*), "
                "count(*) FILTER (WHERE r.state_before = 2), "
                "count(*) FILTER (WHERE r.state_before = 2 AND r.rating > 1), "
                "coalesce(sum(r.duration_ms), 0) "
                "FROM temp.stats_periods AS p JOIN reviews AS r "
                "ON r.bank_id = ? AND r.reviewed_at >= p.starts "
                f"AND r.reviewed_at < p.ends {scope} GROUP BY p.period",
                (bank_id,),
            )
        return {int(row[0]): ReviewTally(*row[1:]) for row in rows}

    def review_counts(self, bank_id: str, question_ids: set[str]) -> dict[str, int]:
        """Reviews ever logged of each of these questions (those with none are left out)."""
        if not question_ids:
            return {}
        where, params = _scope(bank_id, question_ids)
        rows = self.query(
            f"SELECT question_id, count(*) FROM reviews WHERE {where} GROUP BY question_id",
            params,
        )
        return {qid: int(n) for qid, n in rows}

    def _temp_table(self, name: str, columns: str, rows: Iterable[tuple[Any, ...]]) -> None:
        """(Re)fill a temporary table of this connection (never written to the file)."""
        marks = ", ".join("?" * (columns.count(",") + 1))
        try:
            self.db.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} ({columns})")
            self.db.execute(f"DELETE FROM temp.{name}")
            self.db.executemany(f"INSERT INTO temp.{name} VALUES ({marks})", rows)
        except sqlite3.Error as e:
            raise StoreError(describe(e, self.path)) from None

    # --- fitted memory model (dlquiz optimize) ------------------------------------------------

    def parameters(self, bank_id: str) -> tuple[float, ...] | None:
        """The FSRS parameters kept for a bank, or None: FSRS's defaults."""
        rows = self.query("SELECT parameters FROM parameters WHERE bank_id = ?", (bank_id,))
        if not rows:
            return None
        try:
            values = json.loads(rows[0][0])
            if not isinstance(values, list) or not all(
                isinstance(v, int | float) and not isinstance(v, bool) for v in values
            ):
                raise ValueError("not a list of numbers")
        except ValueError:
            raise StoreError(
                f"{self.path}: the memory model kept for {bank_id!r} is unreadable; "
                "`dlquiz optimize --reset` goes back to FSRS's defaults"
            ) from None
        return tuple(float(v) for v in values)

    def parameters_figures(self, bank_id: str) -> tuple[int, dict[str, Any]] | None:
        """When the kept parameters were fitted (ms) and the figures that kept them."""
        rows = self.query("SELECT fitted_at, figures FROM parameters WHERE bank_id = ?", (bank_id,))
        return (int(rows[0][0]), json.loads(rows[0][1])) if rows else None

    def save_parameters(
        self,
        bank_id: str,
        parameters: tuple[float, ...],
        fitted_at: int,
        figures: dict[str, Any],
    ) -> None:
        """Keep `parameters` for a bank (replacing any kept before), in one transaction."""
        with self.transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO parameters (bank_id, parameters, fitted_at, figures) "
                "VALUES (?, ?, ?, ?)",
                (bank_id, json.dumps(list(parameters)), fitted_at, json.dumps(figures)),
            )

    def clear_parameters(self, bank_id: str) -> bool:
        """Go back to FSRS's defaults for a bank; False when none were kept."""
        with self.transaction():
            cursor = self.db.execute("DELETE FROM parameters WHERE bank_id = ?", (bank_id,))
        return cursor.rowcount > 0

    def recent_reviews_in_review(
        self, bank_id: str, limit: int, question_ids: set[str] | None = None
    ) -> list[tuple[int, int, float | None, int | None]]:
        """The latest `limit` reviews of cards that were in the review state (of some
        questions, or of all), newest first, as (reviewed at, rating, and the card's stability
        and last review just before): what calibration compares predictions with. Read
        through the index `reviews_time`, with the two card fields taken out of the stored
        JSON by SQLite, so that it costs the same on any log."""
        where, params = _scope(bank_id, question_ids)
        return self.query(
            "SELECT reviewed_at, rating, json_extract(card_before, '$.stability'), "
            f"json_extract(card_before, '$.last_review') FROM reviews WHERE {where} "
            "AND state_before = 2 ORDER BY reviewed_at DESC LIMIT ?",
            (*params, limit),
        )


class ReviewTally(NamedTuple):
    """What the review log holds for one period of time."""

    reviews: int
    in_review: int  # reviews of cards in the review state
    passed: int  # of those, not rated Again
    duration_ms: int


def _scope(bank_id: str, question_ids: set[str] | None) -> tuple[str, tuple[str, ...]]:
    """A WHERE clause for a bank's rows, or for some of its questions' rows."""
    if question_ids is None:
        return "bank_id = ?", (bank_id,)
    marks = ", ".join("?" * len(question_ids))
    return f"bank_id = ? AND question_id IN ({marks})", (bank_id, *sorted(question_ids))


def _review_row(row: tuple[Any, ...]) -> ReviewRow:
    values = list(row)
    values[7] = CardRow(**json.loads(values[7])) if values[7] is not None else None
    covered, suggested = values[10:]
    grading = None if covered is None else Grading(_flags(covered), suggested)
    return ReviewRow._make([*values[:10], grading])


def _flags(covered: str) -> tuple[bool, ...]:
    """`"101"` as stored: (True, False, True)."""
    return tuple(c == "1" for c in covered)
