"""The study loop at the terminal: ask, reveal, take a rating, repeat, sum up.

Input comes through `Keys`: in a terminal, answers are typed with a line editor (readline) and
ratings are single key presses; when stdin is not a terminal, both are read a line at a time,
so that a session can be scripted (`printf '\\n3\\n' | dlquiz practice`).

However the session ends (done, `q`, Ctrl-C, Ctrl-D, a closed terminal), every rating already
confirmed on screen is in the store: each was committed before it was confirmed.
"""

from __future__ import annotations

import signal
import sys
import time
from dataclasses import dataclass
from enum import Enum
from types import FrameType
from typing import Protocol

from rich.console import Console
from rich.text import Text

from dlquiz import ui
from dlquiz.matching import grade
from dlquiz.model import RATING_BY_NAME
from dlquiz.scheduler import Rating
from dlquiz.session import Item, Session
from dlquiz.store import StoreError
from dlquiz.text import literal, plain


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

    @property
    def exit_code(self) -> int:
        return {Ending.INTERRUPTED: 130, Ending.HANGUP: 129, Ending.ERROR: 1}.get(self.ending, 0)


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

        import typer  # click.getchar, re-exported by typer

        self.console.print(prompt, end="", markup=False, highlight=False)
        self.console.file.flush()
        first = typer.getchar()  # up to 32 bytes: a key, an escape sequence or part of a paste
        if not first:
            raise EOFError  # the terminal is gone
        if len(first) == 1 and first in instant:
            self.console.print(first, markup=False, highlight=False)
            return first
        typed, enter, _ = first.replace("\n", "\r").partition("\r")
        if not typed.isprintable():
            typed = ""  # an arrow key or other control: start with an empty line
        if enter:
            self.console.print(typed, markup=False, highlight=False)
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
        self.console.print(literal(line.rstrip("\n")), markup=False, highlight=False)
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
        self._note: Text | None = None  # what happened to the last card, shown above the next

    def run(self) -> Outcome:
        previous = {s: signal.signal(s, _raise_hangup) for s in (signal.SIGHUP, signal.SIGTERM)}
        ending = Ending.FINISHED
        error: str | None = None
        try:
            ending = self._loop()
        except KeyboardInterrupt:
            ending = Ending.INTERRUPTED
        except EOFError:
            ending = Ending.EOF
        except Hangup:
            ending = Ending.HANGUP
        except StoreError as e:
            ending, error = Ending.ERROR, str(e)
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)
        if ending is not Ending.HANGUP:
            self._finish(ending)
        return Outcome(ending, error)

    def _finish(self, ending: Ending) -> None:
        session = self.session
        summary = session.summary()
        if summary.reviews == 0 and summary.skipped == 0:
            if ending is not Ending.FINISHED:  # left before rating anything: no table of zeros
                self.console.print()
                self.console.print(ui.nothing_rated(summary, session.clock()))
            return
        self.console.print()
        title = {
            Ending.FINISHED: "Session complete",
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
        if typed:
            result = grade(typed, item.question)
            console.print(ui.coverage_view(result))
            suggested = result.suggested
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
        rated = session.rate(item, rating, duration_ms)
        self._say(ui.saved_line(rated))
        return ""

    def _skip(self, item: Item) -> str:
        self.session.skip(item)
        self._say(Text("Skipped until tomorrow.", style="dim"))
        return ""

    def _undo(self) -> str:
        undone = self.session.undo()
        self._say(
            Text.assemble(("↶ undone: ", "yellow"), plain(undone.question.id), " is back as it was")
        )
        return ""

    def _say(self, note: Text) -> None:
        """Confirm an action now; in a terminal it is shown again above the next card."""
        self.console.print(note)
        if self.keys.interactive:
            self._note = note
        else:
            self.console.print()
