"""Rich text built safely from text a bank or a person wrote.

Kept apart from `ui` (which builds tables and panels) so that `dlquiz stats` can use it without
importing `rich.table`: start-up time matters for a command run many times a day.
"""

from __future__ import annotations

from rich.text import Text

from dlquiz.text import literal


def plain(text: str, style: str = "") -> Text:
    """A Text that shows `text` exactly as written, whatever brackets it contains."""
    return Text(literal(text), style=style)
