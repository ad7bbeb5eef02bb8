"""Rich renderables for everything dlquiz shows. Rendering only: no input, no store, no clock.

Text from a bank or typed by a person is never parsed as Rich markup: it goes into `Text`
objects (or Markdown, for answers), and control characters such as ESC are made visible with
`literal()`, so `[bold red]` or a terminal escape sequence is shown as written.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from dlquiz.markup import plain
from dlquiz.model import RATING_NAMES, is_leech
from dlquiz.text import (
    counted,
    format_duration,
    format_interval,
    format_when,
    literal,
)

if TYPE_CHECKING:
    from dlquiz.bank import Bank
    from dlquiz.health import Check
    from dlquiz.matching import Coverage
    from dlquiz.model import Question
    from dlquiz.optimize import Fit
    from dlquiz.scheduler import Rating
    from dlquiz.session import Idle, Item, Rated, Summary

RATING_STYLE = {1: "bold red", 2: "bold yellow", 3: "bold green", 4: "bold cyan"}
STATE_STYLE = {"new": "cyan", "learning": "yellow", "relearning": "red", "review": "green"}


def markdown(text: str) -> RenderableType:
    """An answer as Markdown. Raw HTML is shown as written: Rich drops HTML, so `List<int>`
    would show as `List` and `if a<b and c>d` as `if ad`."""
    from markdown_it import MarkdownIt  # slow to import; only answers need it
    from rich.markdown import Markdown

    class LiteralMarkdown(Markdown):
        def __init__(self, markup: str) -> None:
            super().__init__("")
            parser = MarkdownIt("commonmark", {"html": False})
            self.markup = markup
            self.parsed = parser.enable("strikethrough").enable("table").parse(markup)

    return LiteralMarkdown(literal(text))


# --- one card ---------------------------------------------------------------------------------


def card_header(item: Item, position: int, total: int, mode: str) -> Flow:
    q = item.question
    parts = [
        Text(f"{position}/{total}", style="bold"),
        plain(", ".join(q.topics), "magenta"),
        plain(f"#{q.number}", "dim"),
        Text(item.state, style=STATE_STYLE.get(item.state, "")),
        Text(mode, style="dim"),
    ]
    if item.row is not None and is_leech(item.row.lapses):
        parts.insert(4, Text(f"leech · {counted(item.row.lapses, 'lapse')}", style="bold red"))
    return Flow(parts, "  ·  ")


def leech_note(question_id: str, lapses: int) -> Group:
    """Said after the rating that made a card a leech: forgotten again and again, it needs
    another look at its answer more than another review."""
    return Group(
        Text.assemble(
            ("⚠ leech: ", "bold red"),
            plain(question_id, "bold"),
            f" has been forgotten {counted(lapses, 'time')} since you learned it.",
        ),
        suggestion("Read it again, answer and key points:", f"dlquiz show {question_id}"),
        suggestion("or set it aside for now:", f"dlquiz suspend {question_id}"),
    )


def question_panel(question: Question) -> Panel:
    return Panel(
        plain(question.question, "bold"),
        title="Question",
        title_align="left",
        subtitle=plain(question.id, "dim"),
        subtitle_align="right",
        border_style="blue",
        padding=(1, 2),
    )


def hint_panel(question: Question) -> Panel:
    return Panel(
        plain(question.hint, "italic"), title="Hint", title_align="left", border_style="yellow"
    )


def answer_panel(question: Question) -> Panel:
    return Panel(
        markdown(question.answer),
        title="Answer",
        title_align="left",
        border_style="green",
        padding=(0, 1),
    )


def _marked(rows: list[tuple[Text, Text]]) -> Table:
    """A list with a one-character mark before each line: ✓, ✗ or •."""
    table = Table(box=None, show_header=False, padding=(0, 1), pad_edge=False)
    table.add_column(width=1)
    table.add_column()
    for mark, line in rows:
        table.add_row(mark, line)
    return table


def coverage_view(coverage: Coverage) -> Group:
    """Which key points a typed answer covered and why: for a covered point the words of the
    answer that said it, for a missed one what was looked for, for a contradicted one the wrong
    claim. Then the suggested rating, or "can't tell" when the grader abstains."""
    heading = Text.assemble(
        ("Key points: ", "bold"), f"{coverage.covered}/{len(coverage.points)} covered · "
    )
    if coverage.suggested is None:
        heading.append("can't tell: rate it yourself", style="bold magenta")
        if coverage.reason:
            heading.append_text(plain(f" ({coverage.reason})", "dim"))
    else:
        suggested = int(coverage.suggested)
        heading.append("suggests ")
        heading.append(RATING_NAMES[suggested], style=RATING_STYLE[suggested])
        if coverage.reason:  # a suggestion above the points covered says why
            heading.append_text(plain(f" ({coverage.reason})", "dim"))
    rows = []
    for result in coverage.points:
        if result.covered:
            line = plain(result.key_point.point)
            if result.evidence is not None:
                line.append_text(plain(f"  (said: “{result.evidence}”)", "dim"))
            rows.append((Text("✓", style="bold green"), line))
        elif result.contradicted is not None:
            line = plain(result.key_point.point, "dim")
            line.append_text(plain(f"  (wrong: “{result.contradiction}”)", "red"))
            rows.append((Text("✗", style="bold red"), line))
        else:
            line = plain(result.key_point.point, "dim")
            others = [p for p in result.looked_for if p != result.key_point.point][:2]
            if others:
                quoted = ", ".join(f"“{p}”" for p in others)
                line.append_text(plain(f"  (looked for: {quoted}…)", "dim"))
            rows.append((Text("✗", style="bold red"), line))
    return Group(heading, _marked(rows))


def key_points_view(question: Question) -> Table:
    return _marked([(Text("•", style="cyan"), plain(kp.point)) for kp in question.key_points])


def rating_bar(preview: dict[Rating, timedelta], suggested: Rating | None, can_undo: bool) -> Group:
    """The four ratings with their intervals (`Good · 4d`), then the other keys. With no
    suggestion, Enter chooses nothing: the learner presses 1 to 4."""
    choices = []
    for rating, interval in preview.items():
        value = int(rating)
        style = RATING_STYLE[value]
        choices.append(
            Text.assemble(
                (f" {value} ", f"reverse {style}" if rating == suggested else style),
                f" {RATING_NAMES[value]} · {format_interval(interval)}",
            )
        )
    extras = ["s skip", "q quit"]
    if can_undo:
        extras.insert(0, "u undo")
    enter = " 1-4 rate" if suggested is None else f" ⏎ {RATING_NAMES[int(suggested)]}"
    keys = Text.assemble((enter, "bold"), ("  ·  " + "  ·  ".join(extras), "dim"))
    return Group(Flow(choices, "   "), keys)


def answer_prompt(can_hint: bool, can_undo: bool) -> Flow:
    """What may be typed at the answer prompt."""
    keys = ["Your answer (Enter reveals"]
    keys += ["? hint"] if can_hint else []
    keys += ["u undo"] if can_undo else []
    keys += ["s skip", "q quit)"]
    return Flow([Text(k, style="dim") for k in keys], Text(" · ", style="dim"))


class Flow:
    """Items on a line, separated by `gap`; a narrow terminal wraps between items, never
    inside one, so that `Easy · 8d` or `q quit` stays whole."""

    def __init__(self, items: list[Text], gap: str | Text) -> None:
        self.items = items
        self.gap = gap if isinstance(gap, Text) else Text(gap)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        line = Text()
        for item in self.items:
            if line and line.cell_len + self.gap.cell_len + item.cell_len > options.max_width:
                yield line
                line = Text()
            if line:
                line.append_text(self.gap)
            line.append_text(item)
        yield line


def saved_line(rated: Rated) -> Text:
    value = int(rated.rating)
    return Text.assemble(
        ("✓ saved ", "green"),
        (RATING_NAMES[value], RATING_STYLE[value]),
        f" · next in {format_interval(rated.interval)}",
    )


def summary_panel(summary: Summary, now: datetime, title: str = "Session over") -> Panel:
    table = Table(box=None, show_header=False, padding=(0, 2), pad_edge=False)
    table.add_column(style="dim")
    table.add_column()
    table.add_row("cards", str(summary.cards))
    ratings = Text()
    for rating, count in summary.ratings.items():
        value = int(rating)
        ratings.append(
            f"{RATING_NAMES[value]} {count}", style=RATING_STYLE[value] if count else "dim"
        )
        ratings.append("   ")
    table.add_row("ratings", ratings)
    if summary.skipped:
        table.add_row("skipped", f"{summary.skipped} (until tomorrow)")
    table.add_row("time", format_duration(summary.seconds))
    next_due = format_when(summary.next_due, now) if summary.next_due else "nothing scheduled"
    table.add_row("next card", next_due)
    return Panel(table, title=title, title_align="left", border_style="cyan", expand=False)


def nothing_rated(summary: Summary, now: datetime) -> Text:
    """The end of a session left before any card was rated or skipped."""
    line = Text("Nothing rated this time.", style="dim")
    if summary.next_due is not None:
        line.append(" Next card: ", style="dim")
        line.append(format_when(summary.next_due, now), style="bold")
    return line


def nothing_due(
    next_due: datetime | None,
    now: datetime,
    topics: tuple[str, ...],
    new_waiting: int,
    new_per_day: int,
) -> Group:
    """What to say when a practice session has nothing to ask; `new_per_day` is the session's
    daily limit of new cards (0: new cards are off, which is not "done")."""
    when = format_when(next_due, now) if next_due else "not scheduled yet"
    options = "".join(f" --topic {t}" for t in topics)
    lines: list[RenderableType] = [
        Text.assemble(("Nothing is due right now. ", "bold green"), "Next card: ", (when, "bold"))
    ]
    if new_waiting and new_per_day == 0:
        lines.append(
            suggestion(
                f"New cards are off (a daily limit of 0; {new_waiting} still new). For some now:",
                f"dlquiz practice{options} --new 10",
            )
        )
    elif new_waiting:
        lines.append(
            suggestion(
                f"Today's new cards are done ({new_waiting} still new). For more now:",
                f"dlquiz practice{options} --new 20",
            )
        )
    lines.append(suggestion("To drill anyway, weakest first:", f"dlquiz review{options}"))
    return Group(*lines)


def idle_view(idle: Idle, now: datetime) -> RenderableType:
    """What to say when a session has nothing to ask."""
    if idle.mode.value == "practice":
        return nothing_due(idle.next_due, now, idle.topics, idle.new_waiting, idle.new_per_day)
    if idle.topics:
        return Text("No questions in these topics.")
    return nothing_studied(idle.suggest_topic)


def nothing_studied(topic: str | None) -> Group:
    """What `dlquiz review` says before anything has been studied; `topic` is one to suggest."""
    lines: list[RenderableType] = [suggestion("Nothing studied yet: start with", "dlquiz practice")]
    if topic is not None:
        lines.append(suggestion("or drill a topic now with", f"dlquiz review --topic {topic}"))
    return Group(*lines)


def suggestion(lead: str, command: str) -> Flow:
    """A sentence ending in a command to run; the command is never split across lines."""
    return Flow([Text(lead), Text(command, style="bold cyan")], " ")


# --- browsing the bank ------------------------------------------------------------------------


def topics_table(bank: Bank) -> Table:
    table = Table(title=plain(bank.title), box=box.SIMPLE_HEAVY, title_justify="left")
    table.add_column("topic", style="bold magenta", no_wrap=True)
    table.add_column("title")
    table.add_column("questions", justify="right")
    for slug, count in bank.topic_counts().items():
        table.add_row(plain(slug), plain(bank.topics[slug]), str(count))
    return table


def questions_table(questions: list[Question], title: str) -> Table:
    table = Table(title=plain(title), box=box.SIMPLE_HEAVY, title_justify="left")
    table.add_column("#", justify="right", style="dim", no_wrap=True)
    table.add_column("id", style="bold", no_wrap=True)
    table.add_column("topics", style="magenta")
    table.add_column("question", ratio=1)
    for q in questions:
        table.add_row(plain(q.number), plain(q.id), plain(", ".join(q.topics)), plain(q.question))
    return table


def question_view(bank: Bank, q: Question) -> Group:
    header = Text.assemble(
        (f"#{q.number}", "bold"),
        "  ",
        (q.id, "dim"),
        "  ·  ",
        (", ".join(q.topics), "magenta"),
    )
    parts: list[RenderableType] = [
        plain(header.plain),
        question_panel(q),
        answer_panel(q),
        Text("Key points", style="bold"),
        key_points_view(q),
        Text.assemble(("Hint: ", "bold"), plain(q.hint, "italic")),
    ]
    if q.corrections:
        corrections = _marked([(Text("–", style="dim"), plain(c, "dim")) for c in q.corrections])
        parts += [
            Text(f"Corrected from the source ({bank.source.publisher})", style="bold"),
            corrections,
        ]
    return Group(*parts)


def validation_ok(bank: Bank) -> Group:
    table = topics_table(bank)
    return Group(
        Text.assemble(
            ("✓ ", "bold green"),
            "Valid bank: ",
            (counted(len(bank.questions), "question"), "bold"),
            f" in {counted(len(bank.topics), 'topic')}",
        ),
        Text.assemble("  ", plain(str(bank.path), "dim")),
        table,
    )


def checks_view(checks: list[Check]) -> Table:
    rows = [
        (
            Text("✓", style="bold green") if c.ok else Text("✗", style="bold red"),
            Text.assemble((f"{c.name}: ", "bold"), plain(c.detail)),
        )
        for c in checks
    ]
    return _marked(rows)


# --- dlquiz optimize ------------------------------------------------------------------------


def fit_view(fit: Fit, in_use: str) -> Group:
    """What `dlquiz optimize` found: both parameter sets' figures on the held-out reviews, and
    whether the fitted ones were kept. `in_use` names the parameters judged against."""
    assert fit.before is not None and fit.after is not None
    lines: list[RenderableType] = [
        Text(
            f"Fitted to your {counted(fit.reviews, 'review')}, judged on the latest "
            f"{fit.held_out:,} (left out of the fit):"
        )
    ]
    table = Table(box=None, padding=(0, 2), show_edge=False)
    table.add_column("parameters")
    table.add_column("log loss", justify="right")
    table.add_column("RMSE", justify="right")
    for name, figures in ((in_use, fit.before), ("fitted", fit.after)):
        table.add_row(name, f"{figures.log_loss:.4f}", f"{figures.rmse:.4f}")
    lines.append(table)
    if fit.kept:
        lines.append(
            Text("Kept: scheduling and predictions now use the fitted parameters.", "green")
        )
    else:
        lines.append(
            Text("Not kept: not better on both figures (lower is better). Nothing changed.")
        )
    return Group(*lines)
