"""The command line's options and arguments: their names, help texts and limits, declared once.

Typer reads a command's options from its signature; each type here is one option, so that
`cli.py` holds only the commands and a parameter reads as `topic: Topics = None`. The names
and texts are what `dlquiz COMMAND --help` shows.
"""

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from dlquiz.model import STATS_SECTIONS


class ExportKind(StrEnum):
    reviews = "reviews"
    cards = "cards"
    deck = "deck"


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"


Home = Annotated[
    Path | None,
    typer.Option("--home", envvar="DLQUIZ_HOME", help="Folder for progress and settings."),
]
BankFile = Annotated[
    Path | None, typer.Option("--bank", envvar="DLQUIZ_BANK", help="Use your own bank (YAML).")
]


def _show_version(value: bool) -> None:
    if value:
        from dlquiz import __version__

        typer.echo(f"dlquiz {__version__}")
        raise typer.Exit()


Version = Annotated[
    bool,
    typer.Option("--version", callback=_show_version, is_eager=True, help="Show the version."),
]

Topics = Annotated[
    list[str] | None,
    typer.Option("--topic", "-t", help="Only these topics (repeat, or comma-separate)."),
]
NewPerDay = Annotated[
    int | None, typer.Option("--new", min=0, help="New cards per day [default: 10].")
]
Limit = Annotated[
    int | None,
    typer.Option(
        "--limit",
        min=1,
        help="At most this many different cards (one in learning may come back for its next step).",
    ),
]
Retention = Annotated[
    float | None,
    typer.Option(
        "--retention",
        help="Desired probability of recall at review time, 0.7 to 0.99 [default: 0.9].",
    ),
]
QuestionId = Annotated[
    str, typer.Argument(help="A question id or number, e.g. pooling or 43.", show_default=False)
]
BankPath = Annotated[
    Path | None, typer.Argument(help="Bank file [default: the bank in use].", show_default=False)
]
Json = Annotated[bool, typer.Option("--json", help="Print every figure as JSON.")]
OneJson = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
GradedQuestion = Annotated[
    str | None, typer.Argument(help="A question id or number.", show_default=False)
]
Answer = Annotated[
    str | None, typer.Argument(help="The answer [default: read stdin].", show_default=False)
]
JsonLines = Annotated[
    bool,
    typer.Option(
        "--jsonl",
        help='Read {"id": ..., "answer": ...} lines on stdin, write one result line each. '
        'A bad line gives {"line": n, "error": ...}; the rest are graded; exit 1 at the end.',
    ),
]
Force = Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]

ActivityDays = Annotated[
    int, typer.Option("--days", min=7, max=3660, help="Days of activity to show.")
]


def _known_sections(values: list[str] | None) -> list[str] | None:
    for value in values or ():
        if value not in STATS_SECTIONS:
            raise typer.BadParameter(f"no section {value!r}; names: {', '.join(STATS_SECTIONS)}")
    return values


Sections = Annotated[
    list[str] | None,
    typer.Option(
        "--section",
        "-s",
        metavar="NAME",
        callback=_known_sections,
        help="Show these sections after the Today panel (repeat) "
        "[default: overview, retention and the 5 weakest topics]. Names: "
        + ", ".join(STATS_SECTIONS),
    ),
]
AllSections = Annotated[
    bool, typer.Option("--all", "-a", help="Show every section (whatever --section says).")
]

InterviewDate = Annotated[
    str | None,
    typer.Argument(metavar="[DATE]", help="The interview's date, YYYY-MM-DD.", show_default=False),
]
InterviewTime = Annotated[
    str | None, typer.Option("--time", metavar="HH:MM", help="Its local time [default: 09:00].")
]
Target = Annotated[
    float | None,
    typer.Option(
        "--target", metavar="R", help="Recall every card should have then [default: 0.95]."
    ),
]
Clear = Annotated[bool, typer.Option("--clear", help="Remove the interview date.")]
ResetModel = Annotated[bool, typer.Option("--reset", help="Go back to FSRS's default parameters.")]

What = Annotated[
    ExportKind,
    typer.Argument(
        metavar="[WHAT]", help="reviews (the log), cards (their state) or deck (.apkg)."
    ),
]
Format = Annotated[ExportFormat, typer.Option("--format", "-f", help="For reviews and cards.")]
Output = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="File to write [default: stdout; deck: BANK.apkg]."),
]
Backup = Annotated[Path, typer.Argument(help="A backup file, as `dlquiz reset` names it.")]
