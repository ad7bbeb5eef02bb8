"""The standard streams made safe to use, whatever the shell gave dlquiz.

A closed stdin, stdout or stderr (`dlquiz practice <&-`) reads as empty or writes nowhere; an
output encoding that cannot show `✓` or `·` (PYTHONIOENCODING=ascii) gets their ASCII
look-alikes; input that stdin's encoding cannot decode reads with `�`. Never a traceback.
"""

from __future__ import annotations

import codecs
import os
import sys

# What each character dlquiz draws becomes on a terminal that cannot show it (an ASCII or
# Latin-1 output encoding): one character for one where columns must stay aligned.
ASCII_FALLBACK = {
    "✓": "+", "✗": "x", "•": "*", "·": ".", "–": "-", "—": "-", "…": "...", "“": '"', "”": '"',
    "‘": "'", "’": "'", "⏎": "Enter", "↶": "<-", "→": "->", "≥": ">=", "≤": "<=", "×": "x",
    "░": ":", "▒": "+", "▓": "#", "█": "#", "▏": "", "▎": "", "▍": "", "▌": "|", "▋": "|",
    "▊": "|", "▉": "|", "─": "-", "━": "-", "│": "|", "┃": "|",
}  # fmt: skip


def ascii_fallback(error: UnicodeError) -> tuple[str, int]:
    """A codec error handler (`codecs.register_error`): the characters dlquiz draws become
    their ASCII look-alikes, anything else `?`, so that output never fails to encode."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    bad = error.object[error.start : error.end]
    return "".join(ASCII_FALLBACK.get(ch, "?") for ch in bad), error.end


def make_usable() -> None:
    """Give each closed standard stream /dev/null, and make output and input unable to fail
    on an encoding."""
    for fd, name in ((0, "stdin"), (1, "stdout"), (2, "stderr")):
        if getattr(sys, name) is None:
            try:
                os.fstat(fd)
            except OSError:
                _devnull_onto(fd)
            mode = "r" if fd == 0 else "w"
            setattr(sys, name, open(fd, mode, encoding="utf-8", closefd=False))  # noqa: SIM115
    codecs.register_error("dlquiz-ascii", ascii_fallback)
    if getattr(sys.stdin, "errors", None) == "strict" and hasattr(sys.stdin, "reconfigure"):
        sys.stdin.reconfigure(errors="replace")
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding not in ("utf8", "utf16", "utf32") and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="dlquiz-ascii")


def silence_stdout() -> None:
    """Point stdout at /dev/null, so that Python's final flush cannot fail again."""
    _devnull_onto(sys.stdout.fileno())


def _devnull_onto(fd: int) -> None:
    null = os.open(os.devnull, os.O_RDWR)
    if null != fd:
        os.dup2(null, fd)
        os.close(null)
