"""Words for people: bank and typed text made safe to show, counts with their nouns, and human
times. Plain strings only, so the core and `dlquiz doctor` can use it without importing Rich;
`markup.plain` turns such text into a Rich `Text` for the screens.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

# Control characters, and the bidirectional controls that reorder how a line is displayed
# (U+200E/F, U+202A-202E, U+2066-2069), which could make text read otherwise than it is.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def literal(text: str) -> str:
    """`text` with control characters shown as escapes (`\\x1b`, `\\u202e`), never sent to the
    terminal."""
    return _CONTROL.sub(_escape, text)


def noun(n: int, word: str) -> str:
    """`word` in the number that `n` asks for: `card` for 1, `cards` for 0 or 2."""
    return word if n == 1 else word + "s"


def counted(n: int, word: str) -> str:
    """`1 card`, `2 cards`, `1,204 reviews`: a count with its noun in the right number."""
    return f"{n:,} {noun(n, word)}"


def format_interval(interval: timedelta) -> str:
    """A short interval as Anki writes them: `<1m`, `10m`, `3h`, `4d`, `2.5mo`, `1.2y`."""
    seconds = interval.total_seconds()
    if seconds < 60:
        return "<1m"
    if seconds < 3600:
        return f"{round(seconds / 60)}m"
    if seconds < 86_400:
        return f"{round(seconds / 3600)}h"
    days = seconds / 86_400
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}".removesuffix(".0") + "mo"
    return f"{days / 365:.1f}".removesuffix(".0") + "y"


def format_when(moment: datetime, now: datetime) -> str:
    """`now`, `in 9m (14:32)`, `in 3d (Fri 28 Nov)`: a due time, in local time."""
    delta = moment - now
    if delta.total_seconds() <= 0:
        return "now"
    local = moment.astimezone()
    clock = local.strftime("%H:%M") if delta < timedelta(hours=20) else local.strftime("%a %d %b")
    return f"in {format_interval(delta)} ({clock})"


def format_duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m {secs:02d}s"
