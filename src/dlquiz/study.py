"""The study loop at the terminal: ask, reveal, take a rating, repeat, sum up.

Input comes through `Keys`: in a terminal, answers are typed with a line editor (readline) and
ratings are single key presses; when stdin is not a terminal, both are read a line at a time,
so that a session can be scripted (`printf '\\n3\\n' | dlquiz practice`).

However the session ends (done, `q`, Ctrl-C, Ctrl-D, a closed terminal), every rating already
confirmed on screen is in the store: each was committed before it was confirmed.
"""

from __future__ import annotations

import codecs
import os
import select
import signal
import sys
import time
from dataclasses import dataclass
from enum import Enum
from types import FrameType
from typing import TYPE_CHECKING, Protocol

from rich.console import Console, Group, RenderableType
from rich.text import Text

from dlquiz import ui
from dlquiz.markup import plain
from dlquiz.matching import Coverage, grade
from dlquiz.model import RATING_BY_NAME, Grading
from dlquiz.scheduler import Rating
from dlquiz.session import Item, Session
from dlquiz.store import StoreError, UndoRefused
from dlquiz.text import literal

if TYPE_CHECKING:
    from dlquiz.config import Config
    from dlquiz.session import Options
    from dlquiz.workspace import Workspace


class Hangup(BaseException):
    """The terminal went away (SIGHUP) or the process was asked to stop (SIGTERM)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class Ending(Enum):
    FINISHED = "finished"
    QUIT = "quit"
    INTERRUPTED = "interrupted"  # Ctrl-C
    EOF = "eof"  # Ctrl-D or the end of piped input
    HANGUP = "hangup"
    ERROR = "error"


@dataclass(frozen=True)
class Outcome:
    ending: Ending
    error: str | None = None
    signum: int = int(signal.SIGHUP)  # for HANGUP: which signal ended the session

    @property
    def exit_code(self) -> int:
        """The shell's convention: 128 + the signal (130 Ctrl-C, 129 SIGHUP, 143 SIGTERM)."""
        if self.ending is Ending.HANGUP:
            return 128 + int(self.signum)
        return {Ending.INTERRUPTED: 130, Ending.ERROR: 1}.get(self.ending, 0)


class Keys(Protocol):
    interactive: bool

    def answer(self, prompt: str, instant: str) -> str:
        """A typed line; raises EOFError at the end of input. In a terminal, a first key in
        `instant` is taken alone, at once, with no Enter."""

    def key(self, prompt: str, allowed: str) -> str:
        """One of the characters in `allowed`, or "\\r" for Enter."""


class TerminalKeys:
    """A real terminal: readline for answers, single key presses for choices."""

    interactive = True

    def __init__(self, console: Console) -> None:
        import readline  # noqa: F401  (gives input() line editing and history)

        self.console = console

    def answer(self, prompt: str, instant: str) -> str:
        import readline

        self.console.print(prompt, end="", markup=False, highlight=False)
        self.console.file.flush()
        first = read_keys(sys.stdin.fileno(), _encoding())  # a key, an escape sequence or a paste
        if not first:
            raise EOFError  # the terminal is gone
        if len(first) == 1 and first in instant:
            self.console.print(first, markup=False, highlight=False)
            return first
        typed, enter = first_line(first)
        if enter:  # the terminal wraps the echo after the prompt, as it would the typing
            self.console.print(literal(typed), markup=False, highlight=False, soft_wrap=True)
            return typed
        # Any other key starts the line editor with that key already typed. The prompt is
        # drawn again by input() itself, over the first one: readline must know it is there,
        # or Enter on an empty line leaves the cursor on the prompt's line.
        readline.set_startup_hook(lambda: readline.insert_text(typed))
        try:
            self.console.file.write("\r")
            self.console.file.flush()
            return input(prompt)
        finally:
            readline.set_startup_hook(None)

    def key(self, prompt: str, allowed: str) -> str:
        import typer  # click.getchar, re-exported by typer

        self.console.print(prompt, end="", markup=False, highlight=False)
        while True:
            ch = typer.getchar()
            if ch in ("\r", "\n"):
                self.console.print()
                return "\r"
            if len(ch) == 1 and ch.lower() in allowed:
                self.console.print(ch)
                return ch.lower()


PASTE_LIMIT = 64 * 1024  # more pending input than this is left for the line editor


def _encoding() -> str:
    return getattr(sys.stdin, "encoding", None) or "utf-8"


def read_keys(fd: int, encoding: str) -> str:
    """What the terminal sends for one key press, or for a whole paste, decoded.

    In raw mode, a key is one read; a paste arrives as many bytes at once, more than one read
    returns (click.getchar reads 32 bytes, which cut pastes and split characters). So this
    reads everything already pending, and finishes a character cut between two reads.
    Ctrl-C raises KeyboardInterrupt; Ctrl-D first raises EOFError; "" means end of input.
    """
    import termios
    import tty

    try:
        saved = termios.tcgetattr(fd)
    except termios.error:
        saved = None
    try:
        if saved is not None:
            tty.setraw(fd)
        text = drain(fd, encoding)
    finally:
        if saved is not None:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)
    if text.startswith("\x03"):
        raise KeyboardInterrupt
    if text.startswith("\x04"):
        raise EOFError
    return text


def drain(fd: int, encoding: str, wait: float = 0.02) -> str:
    """One read of `fd`, then whatever else is pending, decoded without cutting a character
    in two (a character split between reads waits up to `wait` seconds for its rest)."""
    decoder = codecs.getincrementaldecoder(encoding)("replace")
    data = os.read(fd, 4096)
    if not data:
        return ""
    text = decoder.decode(data)
    size = len(data)
    while size < PASTE_LIMIT:
        pending_bytes = decoder.getstate()[0]
        ready, _, _ = select.select([fd], [], [], wait if pending_bytes else 0)
        if not ready:
            break
        data = os.read(fd, 4096)
        if not data:
            break
        size += len(data)
        text += decoder.decode(data)
    return text + decoder.decode(b"", final=True)


def first_line(keys: str) -> tuple[str, bool]:
    """The text to start an answer with, from what the first read of the terminal gave, and
    whether it ended with Enter. An escape sequence (an arrow key) gives ""; tabs in a paste
    count as spaces, the lines of a pasted paragraph are joined, and other control characters
    are dropped, so that a paste reaches the answer whole."""
    if keys.startswith("\x1b"):
        return "", False
    keys = keys.replace("\r\n", "\n").replace("\r", "\n")
    enter = keys.endswith("\n")
    lines = [line.replace("\t", " ") for line in keys.split("\n")]
    text = " ".join(line.strip() for line in lines if line.strip())
    text = "".join(ch for ch in text if ch.isprintable())
    return text, enter


class LineKeys:
    """Piped input: every answer and every choice is one line."""

    interactive = False

    def __init__(self, console: Console) -> None:
        self.console = console

    def _read(self, prompt: str) -> str:
        self.console.print(prompt, end="", markup=False, highlight=False)
        line = sys.stdin.readline()
        if not line:
            self.console.print()
            raise EOFError
        echo = literal(line.rstrip("\n"))
        self.console.print(echo, markup=False, highlight=False, soft_wrap=True)
        return line.rstrip("\r\n")

    def answer(self, prompt: str, instant: str) -> str:
        return self._read(prompt)

    def key(self, prompt: str, allowed: str) -> str:
        while True:
            text = self._read(prompt).strip().lower()
            if not text:
                return "\r"
            if text in RATING_BY_NAME:
                return str(RATING_BY_NAME[text])
            if len(text) == 1 and text in allowed:
                return text


def _raise_hangup(signum: int, frame: FrameType | None) -> None:
    raise Hangup(signum)


class StudyLoop:
    """Drives one session at the terminal."""

    def __init__(self, session: Session, console: Console, keys: Keys, mode: str) -> None:
        self.session = session
        self.console = console
        self.keys = keys
        self.mode = mode
        self._note: RenderableType | None = None  # the last card's outcome, shown above the next

    def run(self) -> Outcome:
        previous = {s: signal.signal(s, _raise_hangup) for s in (signal.SIGHUP, signal.SIGTERM)}
        ending = Ending.FINISHED
        error: str | None = None
        signum = int(signal.SIGHUP)
        try:
            ending = self._loop()
        except KeyboardInterrupt:
            ending = Ending.INTERRUPTED
        except EOFError:
            ending = Ending.EOF
        except Hangup as e:
            ending, signum = Ending.HANGUP, e.signum
        except StoreError as e:
            ending, error = Ending.ERROR, str(e)
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)
        if ending is not Ending.HANGUP:
            self._finish(ending)
        return Outcome(ending, error, signum)

    def _finish(self, ending: Ending) -> None:
        session = self.session
        summary = session.summary()
        if summary.reviews == 0 and summary.skipped == 0:
            if ending is not Ending.FINISHED:  # left before rating anything: no table of zeros
                self.console.print()
                self.console.print(ui.nothing_rated(summary, session.clock()))
            return
        self.console.print()
        finished = "Session complete" if session.due_left() == 0 else "Limit reached"
        title = {
            Ending.FINISHED: finished,
            Ending.QUIT: "Session ended",
            Ending.INTERRUPTED: "Interrupted",
            Ending.EOF: "Session ended",
            Ending.ERROR: "Stopped",
        }[ending]
        self.console.print(ui.summary_panel(summary, session.clock(), title))
        if ending in (Ending.INTERRUPTED, Ending.EOF, Ending.ERROR) and summary.reviews:
            n = summary.reviews
            saved = "Your rating is" if n == 1 else f"All {n:,} ratings are"
            self.console.print(f"{saved} saved.", style="dim")

    def _loop(self) -> Ending:
        session = self.session
        while (item := session.next()) is not None:
            action = self._card(item)
            if action == "q":
                return Ending.QUIT
        return Ending.FINISHED

    def _card(self, item: Item) -> str:
        """Ask one card; returns "q" to end the session, else ""."""
        session, console = self.session, self.console
        position, total = session.progress()
        if self.keys.interactive:
            console.clear()
            if self._note is not None:
                console.print(self._note)
        self._note = None
        console.print(ui.card_header(item, position, total, self.mode))
        console.print(ui.question_panel(item.question))
        started = time.monotonic()
        typed = ""
        hinted = False
        while True:
            console.print(ui.answer_prompt(not hinted, session.can_undo()))
            typed = self.keys.answer("> ", instant="" if hinted else "?").strip()
            command = typed.lower()
            if command in ("?", "h") and not hinted:
                console.print(ui.hint_panel(item.question))
                hinted = True
                continue
            if command == "q":
                return "q"
            if command == "s":
                return self._skip(item)
            if command == "u" and session.can_undo():
                return self._undo()
            break
        console.print(ui.answer_panel(item.question))
        suggested: Rating | None = Rating.Good
        grading = None
        if typed:
            result = grade(typed, item.question)
            console.print(ui.coverage_view(result))
            suggested = result.suggested
            grading = grading_of(result)
        console.print(ui.rating_bar(session.preview(item), suggested, session.can_undo()))
        allowed = "1234usq" if session.can_undo() else "1234sq"
        choice = self.keys.key("Rate: ", allowed)
        while choice == "\r" and suggested is None:  # no suggestion: Enter chooses nothing
            choice = self.keys.key("Rate 1-4: ", allowed)
        if choice == "q":
            return "q"
        if choice == "s":
            return self._skip(item)
        if choice == "u":
            return self._undo()
        rating = suggested if choice == "\r" and suggested is not None else Rating(int(choice))
        duration_ms = int((time.monotonic() - started) * 1000)
        rated = session.rate(item, rating, duration_ms, grading)
        saved: RenderableType = ui.saved_line(rated)
        if rated.leech:  # this rating made it a leech: say so, and what to do about it
            saved = Group(saved, ui.leech_note(item.question.id, rated.row.lapses))
        self._say(saved)
        return ""

    def _skip(self, item: Item) -> str:
        self.session.skip(item)
        self._say(Text("Skipped until tomorrow.", style="dim"))
        return ""

    def _undo(self) -> str:
        try:
            undone = self.session.undo()
        except UndoRefused as e:
            self._say(Text(f"Cannot undo: {e}. Your rating stays.", style="yellow"))
            return ""
        self._say(
            Text.assemble(("↶ undone: ", "yellow"), plain(undone.question.id), " is back as it was")
        )
        return ""

    def _say(self, note: RenderableType) -> None:
        """Confirm an action now; in a terminal it is shown again above the next card."""
        self.console.print(note)
        if self.keys.interactive:
            self._note = note
        else:
            self.console.print()


def grading_of(result: Coverage) -> Grading:
    """What is kept of a grading with the review: a flag per key point and the suggestion
    (None when the grader abstained)."""
    suggested: int | None = result.suggested
    return Grading(
        tuple(p.covered for p in result.points), None if suggested is None else int(suggested)
    )


def run_session(
    workspace: Workspace,
    mode: str,
    topics: list[str] | None,
    new: int | None,
    limit: int | None,
    retention: float | None,
    *,
    console: Console,
) -> Outcome:
    """`dlquiz practice` or `dlquiz review` with the command line's choices over the settings."""
    from dlquiz.session import Mode, Options

    config = workspace.config.with_options(desired_retention=retention, new_per_day=new)
    topics_chosen = workspace.bank(config).resolve_topics(topics)
    options = Options(Mode(mode), topics_chosen, config.new_per_day, limit)
    return study(workspace, config, options, console)


def study(workspace: Workspace, config: Config, options: Options, console: Console) -> Outcome:
    """Run a practice or drill session at this terminal (or over piped input) to its end.

    The store is held as "in a session" throughout, so that `dlquiz restore` waits for it."""
    from dlquiz.clock import system_clock
    from dlquiz.store import in_session

    bank = workspace.bank(config)
    with in_session(workspace.paths.store), workspace.open_store() as store:
        session = Session(
            bank=bank,
            store=store,
            scheduling=workspace.scheduling(store, config),
            days=workspace.days(config),
            clock=system_clock,
            options=options,
        )
        idle = session.idle()
        if idle is not None:
            console.print(ui.idle_view(idle, session.clock()))
            return Outcome(Ending.FINISHED)
        interactive = sys.stdin is not None and sys.stdin.isatty()
        keys = TerminalKeys(console) if interactive else LineKeys(console)
        return StudyLoop(session, console, keys, options.mode.value).run()
