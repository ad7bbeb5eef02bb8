"""Real `dlquiz` processes in a pseudo-terminal: keys, Ctrl-C, Ctrl-D, a closed terminal,
and `kill -9`. Whatever happens, every rating confirmed on screen is in the store."""

from __future__ import annotations

import os
import signal
import sqlite3
import sys
from pathlib import Path

import pexpect
import pytest

from dlquiz.store import Store

from .conftest import process_env

pytestmark = pytest.mark.slow
TIMEOUT = 15


def spawn(home: Path, *args: str, term: str = "dumb", colour: bool = False) -> pexpect.spawn:
    env = process_env(home, colour, TERM=term)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "dlquiz", *args],
        env=env,
        encoding="utf-8",
        timeout=TIMEOUT,
        dimensions=(40, 100),
    )
    return child


def ratings(home: Path) -> list[tuple[str, int]]:
    with Store.open(home / "progress.db") as store:
        assert store.integrity() == []
        return [(r.question_id, r.rating) for r in store.reviews()]


def rate_one(child: pexpect.spawn, key: str, answer: str = "", saved: str = "✓ saved") -> None:
    """Answer at the prompt, rate with one key, and wait for the confirmation."""
    child.expect_exact("> ")
    child.sendline(answer)
    child.expect_exact("Rate: ")
    child.send(key)
    child.expect_exact(saved)


def quit_at_rating(child: pexpect.spawn) -> str:
    """Press `q` at the rating prompt; the process must end with status 0. Returns its output."""
    child.expect_exact("Rate: ")
    return _quit(child, "q")


def quit_at_prompt(child: pexpect.spawn) -> str:
    """Type `q` at the answer prompt; the process must end with status 0. Returns its output."""
    child.expect_exact("> ")
    return _quit(child, "q\r")


def _quit(child: pexpect.spawn, keys: str) -> str:
    child.send(keys)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    return str(child.before)


def test_a_session_answer_reveal_rate_undo_quit_and_reopen(dlquiz_home: Path) -> None:
    child = spawn(dlquiz_home, "practice", "--limit", "3")
    child.expect_exact("1/3")
    child.expect_exact("> ")
    child.sendline("a subfield of machine learning")
    child.expect_exact("Key points: 1/4 covered · suggests Again")
    child.expect_exact("1  Again · 1m")
    child.expect_exact("3  Good · 10m")
    child.expect_exact("Rate: ")
    child.send("3")  # one key, no Enter
    child.expect_exact("✓ saved Good · next in 10m")
    child.expect_exact("deep-vs-machine-learning")
    child.expect_exact("> ")
    child.sendline("")  # Enter on an empty line reveals, and the answer starts on a new line
    child.expect_exact("╭─ Answer")
    assert "\n" in child.before, repr(child.before)
    child.expect_exact("Rate: ")
    child.send("u")
    child.expect_exact("↶ undone: what-is-deep-learning is back as it was")
    child.expect_exact("what-is-deep-learning")
    rate_one(child, "4", saved="✓ saved Easy")
    assert "Session ended" in quit_at_prompt(child)
    assert ratings(dlquiz_home) == [("what-is-deep-learning", 4)]
    # reopened: the Easy card is not due, so the next new card comes first
    again = spawn(dlquiz_home, "practice", "--limit", "1")
    again.expect_exact("deep-vs-machine-learning")
    quit_at_prompt(again)


def test_question_mark_shows_the_hint_at_once_and_other_first_keys_begin_the_answer(
    dlquiz_home: Path,
) -> None:
    child = spawn(dlquiz_home, "practice", "--limit", "1")
    child.expect_exact("> ")
    child.send("?")  # one key, no Enter
    child.expect_exact("╭─ Hint")
    child.expect_exact("Your answer (Enter reveals · s skip · q quit)")
    child.expect_exact("> ")
    child.send("s")  # alone, the first letter of an answer: not "skip"
    child.expect_exact("> s")
    child.sendline("ubfield of machine learning")
    child.expect_exact("Key points: 1/4 covered")
    quit_at_rating(child)
    assert ratings(dlquiz_home) == []


def test_ctrl_c_exits_130_keeps_ratings_and_leaves_the_terminal_sane(dlquiz_home: Path) -> None:
    env = process_env(dlquiz_home, TERM="dumb")
    script = f"'{sys.executable}' -m dlquiz practice; echo STATUS=$?; stty -a"
    child = pexpect.spawn(
        "/bin/sh", ["-c", script], env=env, encoding="utf-8", timeout=TIMEOUT, dimensions=(40, 100)
    )
    rate_one(child, "3")
    child.expect_exact("> ")
    child.sendline("")
    child.expect_exact("Rate: ")  # waiting for a single key, terminal in raw mode
    child.sendintr()
    child.expect_exact("Interrupted")
    child.expect_exact("Your rating is saved.")
    child.expect_exact("STATUS=130")
    child.expect(pexpect.EOF)
    settings = child.before
    assert " icanon" in settings and " echo " in settings  # cooked mode, echo back on
    assert ratings(dlquiz_home) == [("what-is-deep-learning", 3)]


def test_ctrl_d_ends_the_session_with_a_summary(dlquiz_home: Path) -> None:
    child = spawn(dlquiz_home, "practice")
    rate_one(child, "4")
    child.expect_exact("> ")
    child.sendeof()
    child.expect_exact("Session ended")
    child.expect_exact("Easy 1")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert ratings(dlquiz_home) == [("what-is-deep-learning", 4)]


def test_kill_9_loses_no_confirmed_rating(dlquiz_home: Path) -> None:
    child = spawn(dlquiz_home, "practice")
    for key in "3", "1", "4":
        rate_one(child, key)
    child.expect_exact("> ")
    os.kill(child.pid, signal.SIGKILL)
    child.expect(pexpect.EOF)
    child.close()
    assert child.signalstatus == signal.SIGKILL
    assert ratings(dlquiz_home) == [
        ("what-is-deep-learning", 3),
        ("deep-vs-machine-learning", 1),
        ("supervised-vs-unsupervised", 4),
    ]
    with sqlite3.connect(dlquiz_home / "progress.db") as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_closing_the_terminal_loses_nothing(dlquiz_home: Path) -> None:
    child = spawn(dlquiz_home, "practice")
    rate_one(child, "2")
    child.expect_exact("> ")
    child.close(force=False)  # hang up the pseudo-terminal: SIGHUP
    assert not child.isalive()
    assert ratings(dlquiz_home) == [("what-is-deep-learning", 2)]


def test_rendering_in_a_colour_terminal(dlquiz_home: Path) -> None:
    child = spawn(dlquiz_home, "practice", term="xterm-256color", colour=True)
    child.expect_exact("Question")
    child.expect_exact("> ")
    assert "\x1b[" in child.before  # styled
    child.sendline("")
    quit_at_rating(child)
