"""What the rendering functions show, at the widths people's terminals have."""

from __future__ import annotations

import io
from datetime import timedelta

from rich.console import Console

from dlquiz.scheduler import Rating
from dlquiz.ui import answer_prompt, rating_bar

PREVIEW = {
    Rating.Again: timedelta(minutes=1),
    Rating.Hard: timedelta(minutes=6),
    Rating.Good: timedelta(minutes=10),
    Rating.Easy: timedelta(days=8),
}
CHOICES = ["1  Again · 1m", "2  Hard · 6m", "3  Good · 10m", "4  Easy · 8d"]


def rendered(width: int) -> list[str]:
    console = Console(file=io.StringIO(), width=width, no_color=True, record=True)
    console.print(rating_bar(PREVIEW, Rating.Good, can_undo=True))
    return console.export_text().splitlines()


def test_the_rating_choices_share_a_line_when_they_fit() -> None:
    lines = rendered(100)
    assert all(choice in lines[0] for choice in CHOICES)
    assert lines[1].strip() == "⏎ Good  ·  u undo  ·  s skip  ·  q quit"


def test_a_narrow_terminal_wraps_between_choices_never_inside_one() -> None:
    for width in (60, 40, 30):
        lines = rendered(width)
        assert all(len(line) <= width for line in lines)
        for choice in CHOICES:
            assert any(choice in line for line in lines), (width, choice, lines)


def test_the_answer_prompt_wraps_between_keys() -> None:
    console = Console(file=io.StringIO(), width=40, no_color=True, record=True)
    console.print(answer_prompt(can_hint=True, can_undo=True))
    lines = console.export_text().splitlines()
    assert len(lines) == 2 and all(len(line) <= 40 for line in lines)
    assert " · ".join(lines) == "Your answer (Enter reveals · ? hint · u undo · s skip · q quit)"
