"""Rich rendering of `dlquiz stats`: panels of aligned text lines from a `stats.Stats`.

The screen leads with what to do now (the "Today" panel: due now, new cards left, streak,
measured retention against the target, the weakest topic and the command to drill it, leeches
and suspended cards), then the sections asked for: by default `overview`, `retention` and the
five weakest `topics`, so that it fits 40 lines at 100 columns however long it has been used;
`--section NAME` (repeatable) or `--all` shows others (`SECTIONS`).

Everything here reads at 60 columns and without colour (`NO_COLOR`): bars are drawn with block
characters, the activity heatmap with shades (· ░ ▒ ▓ █), colour only repeats what the text
says, and every figure is also a number. From 110 columns on, panels go two abreast.

Tables and bars are laid out here, line by line, for the width each panel is given, rather than
with `rich.table`: `dlquiz stats` is run often, and this way it imports less and renders in a
fraction of the time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal, NamedTuple

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.panel import Panel
from rich.segment import Segment
from rich.text import Text

from dlquiz.markup import plain
from dlquiz.model import LEECH_LAPSES, STATS_SECTIONS
from dlquiz.stats import MASTERED_RECALL, MASTERED_STABILITY_DAYS, Stats
from dlquiz.text import counted, format_duration, noun

if TYPE_CHECKING:
    from dlquiz.interview import Plan

SHADES = "·░▒▓█"
SHADE_STYLES = ("dim", "green", "green", "bold green", "bold green")
EIGHTHS = "▏▎▍▌▋▊▉"  # 1/8 to 7/8 of a block
WIDE = 110  # from this width on, panels are laid out in pairs
PANEL_EDGES = 4  # a panel's borders and padding, left and right
WEEKDAYS = ("Mon", "", "Wed", "", "Fri", "", "Sun")
WINDOW_NAMES = {"7d": "last 7 days", "30d": "last 30 days", "all": "all time"}
SECTIONS = STATS_SECTIONS  # in the order they are shown
DEFAULT_SECTIONS = ("overview", "retention", "topics")
DEFAULT_TOPICS = 5  # rows of the topic table in the default view (a bank may have many topics)
# From WIDE columns on, these sections go side by side when both sides are shown.
SIDE_BY_SIDE = (
    (("overview", "retention"), ("forecast",)),
    (("topics",), ("activity",)),
    (("hardest",), ()),
    (("leeches",), ()),
    (("suspended",), ()),
    (("interview",), ()),
    (("grading",), ()),
    (("calibration",), ()),
)

Cell = str | Text
Align = Literal["left", "right"]


def dashboard(stats: Stats, sections: Sequence[str] | None = None) -> RenderableType:
    """The screen for `stats`: the Today panel, then `sections` (names from `SECTIONS`, shown
    in that order), or by default `DEFAULT_SECTIONS` with the topic table cut to the weakest
    five and a line saying how to see the rest."""
    return Dashboard(stats, sections)


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def count(n: int) -> str:
    return f"{n:,}"


class Dashboard:
    """The whole screen: a column of panels; from 110 columns on, some of them two abreast."""

    def __init__(self, stats: Stats, sections: Sequence[str] | None = None) -> None:
        unknown = set(sections or ()) - set(SECTIONS)
        if unknown:
            raise ValueError(f"unknown sections: {', '.join(sorted(unknown))}")
        self.stats = stats
        self.sections = sections

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        s = self.stats
        width = options.max_width
        yield title(s)
        if s.empty:
            yield overview(s)
            yield nothing_yet(s)
            return
        yield now(s)
        chosen = set(DEFAULT_SECTIONS if self.sections is None else self.sections)
        right = width - 1 - (width - 1) // 2

        def panel(name: str, width: int) -> Panel:
            if name == "activity":
                return activity(s, width)
            if name == "topics":
                return per_topic(s, DEFAULT_TOPICS if self.sections is None else None)
            if name == "interview":
                return no_interview(s) if s.interview is None else interview(s.interview)
            if name == "grading":
                return grading(s) or _panel(Text("No typed answer graded yet."), GRADING_TITLE)
            return PANELS[name](s)

        for left_names, right_names in SIDE_BY_SIDE:
            left = [n for n in left_names if n in chosen]
            beside = [n for n in right_names if n in chosen]
            if width >= WIDE and left and beside:
                yield from abreast(
                    console,
                    options,
                    [panel(n, width - right - 1) for n in left],
                    [panel(n, right) for n in beside],
                )
            else:
                yield from (panel(n, width) for n in left + beside)
        if self.sections is None:
            yield more(s)


def more(stats: Stats) -> Text:
    """The last line of the default view: the options that show the sections it leaves out
    (one line at 100 columns, whatever is set)."""
    hidden = "|".join(
        n
        for n in SECTIONS
        if n not in DEFAULT_SECTIONS and (n != "interview" or stats.interview is not None)
    )
    return Text.assemble(("more: ", "dim"), ("--all", "bold cyan"), (f" · -s {hidden}", "dim"))


def _topic_options(stats: Stats) -> str:
    return "".join(f" --topic {t}" for t in stats.topics)


def abreast(
    console: Console, options: ConsoleOptions, left: list[Panel], right: list[Panel]
) -> RenderResult:
    """Two stacks of panels side by side, one column apart; the last panel of the shorter
    stack is drawn taller so that both stacks end on the same line."""
    widths = ((options.max_width - 1) // 2, options.max_width - 1 - (options.max_width - 1) // 2)

    def lines(panel: Panel, width: int) -> list[list[Segment]]:
        return console.render_lines(panel, options.update(width=width, height=None), pad=True)

    stacks = [
        [lines(p, w) for p in panels] for panels, w in zip((left, right), widths, strict=True)
    ]
    heights = [sum(len(block) for block in stack) for stack in stacks]
    if heights[0] != heights[1]:
        short = 0 if heights[0] < heights[1] else 1
        panel = (left, right)[short][-1]
        panel.height = len(stacks[short][-1]) + abs(heights[0] - heights[1])
        stacks[short][-1] = lines(panel, widths[short])
    gap = Segment(" ")
    flat = [[line for block in stack for line in block] for stack in stacks]
    for one, other in zip(*flat, strict=True):
        yield from one
        yield gap
        yield from other
        yield Segment.line()


class Lines:
    """A renderable made of lines that are laid out for the width they get."""

    def __init__(self, build: Callable[[int], list[Text]]) -> None:
        self.build = build

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.build(options.max_width):
            line.no_wrap = True
            line.overflow = "ellipsis"
            yield line


def columns(
    rows: Sequence[Sequence[Cell]],
    align: str,
    header: Sequence[str] | None = None,
    flexible: int | None = None,
    width: int = 0,
) -> list[Text]:
    """`rows` as aligned columns, two spaces apart: `align` has one letter a column, `<` or `>`;
    the `flexible` column, if any, takes (or gives up, with an ellipsis) the room left in
    `width`. A header comes with a rule under it."""
    table: list[list[Text]] = [[Text(c) if isinstance(c, str) else c for c in r] for r in rows]
    if header is not None:
        table.insert(0, [Text(h, style="bold") for h in header])
    widths = [max(cell.cell_len for cell in column) for column in zip(*table, strict=True)]
    if flexible is not None:
        others = sum(w for i, w in enumerate(widths) if i != flexible) + 2 * (len(widths) - 1)
        widths[flexible] = max(1, width - others)
    aligns: list[Align] = ["left" if a == "<" else "right" for a in align]
    lines = []
    for row in table:
        line = Text()
        for i, (cell, w) in enumerate(zip(row, widths, strict=True)):
            cell = cell.copy()
            cell.truncate(w, overflow="ellipsis")
            cell.align(aligns[i], w)
            line.append_text(cell)
            if i < len(row) - 1:
                line.append("  ")
        lines.append(line)
    if header is not None:
        lines.insert(1, Text("─" * (sum(widths) + 2 * (len(widths) - 1)), style="dim"))
    return lines


def bar(value: int, peak: int, width: int) -> str:
    """A bar of `width` cells at most, in eighths of a cell; a value above 0 always shows."""
    if peak <= 0 or width <= 0 or value <= 0:
        return " " * max(width, 0)
    eighths = max(1, round(min(value / peak, 1.0) * width * 8))
    full, part = divmod(eighths, 8)
    return ("█" * full + (EIGHTHS[part - 1] if part else "")).ljust(width)


def title(stats: Stats) -> Text:
    line = Text("dlquiz stats", style="bold", no_wrap=True, overflow="ellipsis")
    if stats.topics:
        line.append(f" · {', '.join(stats.topics)}", style="magenta")
    line.append(" · ")
    line.append_text(plain(stats.bank_title))
    return line


def overview(stats: Stats) -> Panel:
    o = stats.overview
    states = (
        ("new", "cyan", o.new),
        ("learning", "yellow", o.learning),
        ("in review", "green", o.review),
        ("mastered", "bold green", o.mastered),
    )
    share = o.mastered / o.questions if o.questions else 0.0
    label = f"{count(o.mastered)}/{count(o.questions)} mastered ({share:.0%})"

    def build(width: int) -> list[Text]:
        figures = Text()
        for i, (name, style, n) in enumerate(states):
            figures.append(" · " if i else "")
            figures.append(count(n), "bold")
            figures.append(f" {name}", style)
        lines = [figures]
        lines.append(
            Text.assemble(
                (bar(o.mastered, o.questions, width - len(label) - 1), "green"), " ", label
            )
        )
        lines.append(
            Text(
                f"mastered: predicted recall ≥ {MASTERED_RECALL:.0%}, stability ≥ "
                f"{MASTERED_STABILITY_DAYS:.0f} days",
                style="dim",
            )
        )
        return lines

    return _panel(Lines(build), f"Overview · {counted(o.questions, 'question')}")


def nothing_yet(stats: Stats) -> Group:
    start = "dlquiz practice" + "".join(f" --topic {t}" for t in stats.topics)
    where = f" in {', '.join(stats.topics)}" if stats.topics else ""
    questions = stats.overview.questions
    return Group(
        Text(f"Nothing studied yet{where}: {counted(questions, 'question')} waiting. Start with"),
        Text(f"  {start}", style="bold cyan"),
    )


class NowRow(NamedTuple):
    """A line of the Today panel: a label, pieces of text (shown " · " apart, wrapped between
    pieces when the width asks), then `ids` (as many as fit the line, and how many more), and
    the command that acts on it, if any."""

    label: str
    pieces: list[Text]
    command: str | None = None
    ids: tuple[str, ...] = ()


def now(stats: Stats) -> Panel:
    """What to do now, first: due cards, new cards left, today's work, the streak, measured
    retention against the target, the weakest topic, leeches and suspended cards; each with
    the command that acts on it."""
    rows = now_rows(stats)
    indent = max(len(row.label) for row in rows) + 2

    def build(width: int) -> list[Text]:
        lines = []
        for row in rows:
            line = Text(row.label.ljust(indent), style="dim")
            for i, piece in enumerate(row.pieces):
                sep = " · " if i else ""
                if i and line.cell_len + len(sep) + piece.cell_len > width:
                    lines.append(line.append(sep.rstrip()))
                    line = Text(" " * indent)
                else:
                    line.append(sep)
                line.append_text(piece)
            arrow = Text.assemble(("→ ", "dim"), plain(row.command or "", "bold cyan"))
            if row.ids:
                room = width - line.cell_len - (2 + arrow.cell_len if row.command else 0)
                line.append_text(_ids_within(row.ids, room, required=row.command is None))
            if row.command is not None:
                if line.cell_len + 2 + arrow.cell_len > width:
                    lines.append(line)
                    line = Text(" " * indent)
                else:
                    line.append("  ")
                line.append_text(arrow)
            lines.append(line)
        return lines

    return _panel(Lines(build), f"Today · {stats.today.date:%a %d %b}")


def now_rows(stats: Stats) -> list[NowRow]:
    t = stats.today
    practice = f"dlquiz practice{_topic_options(stats)}"
    rows: list[NowRow] = []

    if t.due:
        due = [Text.assemble((count(t.due), "bold yellow"), " due now")]
        if t.due_later:
            due.append(Text(f"{count(t.due_later)} more later today"))
    elif t.due_later:
        due = [Text("none now"), Text.assemble((count(t.due_later), "bold"), " later today")]
    else:
        due = [Text("nothing more today")]
        coming = next((d for d in stats.forecast[1:] if d.total), None)
        if coming is not None:
            due.append(Text(f"next: {count(coming.total)} on {coming.date:%a %d %b}"))
    rows.append(NowRow("due", due, practice if t.due else None))

    unseen, limit = stats.overview.new, stats.new_per_day
    if unseen == 0:
        new = [Text("every question seen")]
    else:
        if limit == 0:
            new = [Text("off (daily limit 0)")]
        elif t.new_left:
            new = [Text.assemble((count(t.new_left), "bold"), f" of {count(limit)} left today")]
        elif t.new >= limit:
            new = [Text(f"none left today (daily limit of {count(limit)} reached)")]
        else:
            new = [Text("none left today (the rest skipped until tomorrow)")]
        new.append(Text(f"{count(unseen)} never seen"))
    rows.append(NowRow("new cards", new, practice if t.new_left and not t.due else None))

    studied = [
        Text.assemble("today ", (count(t.reviews), "bold"), f" {noun(t.reviews, 'review')}"),
        Text.assemble((count(t.new), "bold"), " new"),
        Text.assemble((format_duration(t.seconds), "bold"), " spent"),
        Text.assemble(
            "streak ",
            (counted(stats.current_streak, "day"), "bold"),
            f" (longest {count(stats.longest_streak)})",
        ),
    ]
    rows.append(NowRow("studied", studied))

    month = next(r for r in stats.retention if r.window == "30d")
    rate, target = month.rate, stats.desired_retention
    if rate is None:
        kept = [
            Text("— (no review of a card in review in 30 days)"),
            Text(f"target {percent(target)}"),
        ]
    else:
        on = on_target(rate, target)
        kept = [
            Text.assemble(
                (percent(rate), "bold green" if on else "bold yellow"),
                " measured over the last 30 days",
            ),
            Text(f"target {percent(target)}"),
            Text("on target", "green") if on else Text("below target", "yellow"),
        ]
    rows.append(NowRow("retention", kept))

    weakest = next((topic for topic in stats.per_topic if topic.seen), None)
    if weakest is not None:
        pieces = [
            plain(weakest.topic, "magenta"),
            Text(f"predicted recall {percent(weakest.mean_recall)}"),
            Text(counted(weakest.lapses, "lapse")),
        ]
        rows.append(NowRow("weakest topic", pieces, f"dlquiz review --topic {weakest.topic}"))
    if stats.interview is not None:
        rows.append(_interview_row(stats.interview))
    leeches = [c for c in stats.leeches if not c.suspended]
    if leeches:
        head = Text.assemble(
            (count(len(leeches)), "bold red"),
            f" {noun(len(leeches), 'card')} with {LEECH_LAPSES}+ lapses",
        )
        ids = tuple(c.id for c in leeches)
        rows.append(NowRow("leeches", [head], f"dlquiz show {leeches[0].id}", ids))
    if stats.suspended:
        head = Text.assemble((count(len(stats.suspended)), "bold"), " never shown")
        rows.append(NowRow("suspended", [head], None, tuple(c.id for c in stats.suspended)))
    return rows


def _interview_row(plan: Plan) -> NowRow:
    """The interview date and how ready the learner will be; the rest in its section."""
    left = plan.days_left
    at_risk = len(plan.at_risk)
    pieces = [
        Text.assemble(
            (f"{plan.day:%a %d %b}", "bold"),
            " (today)" if left == 0 else f" (in {counted(left, 'day')})",
        ),
        Text.assemble(
            "expect ", (f"{plan.expected_correct:.1f}", "bold"), f" of {count(plan.questions)}"
        ),
        Text.assemble(
            (count(at_risk), "bold yellow" if at_risk else "bold"),
            f" {noun(at_risk, 'card')} below {percent(plan.interview.target)}",
        ),
    ]
    return NowRow("interview", pieces, "dlquiz interview")


def no_interview(stats: Stats) -> Panel:
    line = Text.assemble(
        "No interview date set. To plan for one: ",
        ("dlquiz interview YYYY-MM-DD", "bold cyan"),
    )
    return _panel(line, "Interview")


def _ids_within(ids: tuple[str, ...], room: int, required: bool) -> Text:
    """`: a, b and 3 more`: as many ids as fit in `room` columns, with the count of the rest
    (the sections list them all). None at all if even the first does not fit, unless
    `required` (then the first, cut short by the line's ellipsis if need be)."""
    shown: list[str] = []
    for i, qid in enumerate(ids):
        rest = len(ids) - i - 1
        tail = f" and {rest:,} more" if rest else ""
        if (shown or not required) and len(": " + ", ".join([*shown, qid]) + tail) > room:
            break
        shown.append(qid)
    if not shown:
        return Text()
    text = plain(": " + ", ".join(shown))
    if len(shown) < len(ids):
        text.append(f" and {len(ids) - len(shown):,} more", style="dim")
    return text


def on_target(rate: float, target: float) -> bool:
    """Whether a measured retention meets the target, as the two read on screen (in whole
    percents): 89.96% shows as 90% and is not called "below" a target of 90%."""
    return round(rate * 100) >= round(target * 100)


def retention(stats: Stats) -> Panel:
    target = stats.desired_retention
    rows: list[list[Cell]] = []
    for r in stats.retention:
        rate = r.rate
        style = "" if rate is None else ("green" if on_target(rate, target) else "yellow")
        rows.append(
            [
                WINDOW_NAMES.get(r.window, r.window),
                count(r.reviews),
                Text(percent(rate), style=style),
                percent(stats.desired_retention),
            ]
        )
    lines = columns(rows, "<>>>", header=("window", "reviews", "measured", "target"))
    lines.append(Text("measured: reviews of cards in review not rated Again", style="dim"))
    return _panel(Lines(lambda width: lines), "Measured retention")


def forecast(stats: Stats) -> Panel:
    days = stats.forecast
    peak = max((d.total for d in days), default=0)
    numbers = [count(d.total) for d in days]
    wide = max((len(n) for n in numbers), default=1)
    t = stats.today
    note = Text(
        f"today: {count(t.due)} due now (overdue included) + {count(t.due_later)} later today",
        style="dim",
    )

    def build(width: int) -> list[Text]:
        room = width - 6 - 1 - 1 - wide  # label, space, bar, space, number
        lines = [
            Text.assemble(
                ("today" if i == 0 else f"{d.date:%a %d}", "dim"),
                " " if i else "  ",
                (bar(d.total, peak, room), "cyan"),
                " ",
                numbers[i].rjust(wide),
            )
            for i, d in enumerate(days)
        ]
        lines.append(note)
        return lines

    return _panel(Lines(build), f"Due in the next {len(days)} days")


def activity(stats: Stats, width: int) -> Panel:
    """Reviews per study day as a calendar: weeks as columns (newest at the right), Monday to
    Sunday as rows; only as many weeks as fit `width` are drawn (27, a whole default window of
    182 days, at 60 columns), and the title says how many days that is."""
    counts = {d.date: d.total for d in stats.activity}
    last = stats.activity[-1].date if stats.activity else stats.today.date
    first = stats.activity[0].date if stats.activity else last
    start = first - timedelta(days=first.weekday())
    weeks = (last - start).days // 7 + 1
    # border and padding (3: no padding on the right), weekday labels (4), 2 columns a week
    # but the last, which needs no space after it
    fits = max(1, (width - 3 - 4 + 1) // 2)
    if weeks > fits:
        start += timedelta(weeks=weeks - fits)
        weeks = fits
    shown_from = max(first, start)
    peak = max(counts.values(), default=0)
    lines = [_months(start, weeks, shown_from, last)]
    for weekday in range(7):
        # cells of one style are appended as one run: a span per cell is slow to render
        runs: list[tuple[str, str]] = [(WEEKDAYS[weekday].ljust(4), "dim")]
        for week in range(weeks):
            day = start + timedelta(weeks=week, days=weekday)
            gap = " " if week < weeks - 1 else ""
            if day < shown_from or day > last:
                cell, style = " " + gap, ""
            else:
                level = _level(counts.get(day, 0), peak)
                cell, style = SHADES[level] + gap, SHADE_STYLES[level]
            if runs[-1][1] == style:
                runs[-1] = (runs[-1][0] + cell, style)
            else:
                runs.append((cell, style))
        lines.append(Text.assemble(*runs))
    legend = Text("less ", style="dim")
    for level, shade in enumerate(SHADES):
        legend.append(shade + " ", style=SHADE_STYLES[level])
    legend.append(f"more (busiest day: {count(peak)})", style="dim")
    lines += [
        legend,
        Text.assemble(
            ("streak ", "dim"),
            (counted(stats.current_streak, "day"), "bold"),
            (" · longest ", "dim"),
            (counted(stats.longest_streak, "day"), "bold"),
        ),
        Text.assemble(
            (count(stats.study_days), "bold"),
            (f" {noun(stats.study_days, 'study day')} · ", "dim"),
            (count(stats.total_reviews), "bold"),
            (f" {noun(stats.total_reviews, 'review')} in all", "dim"),
        ),
    ]
    shown = (last - shown_from).days + 1
    return Panel(
        Group(*lines),
        title=Text(f"Activity · last {shown} days"),
        title_align="left",
        border_style="cyan",
        padding=(0, 0, 0, 1),
    )


def _months(start: date, weeks: int, shown_from: date, last: date) -> Text:
    """Month names above the week column where each month starts: the week holding its 1st
    (so early December is never filed under November); the first column, if no month starts
    in it, is named after its first day shown."""
    labels: list[tuple[int, str]] = []
    for week in range(weeks):
        monday = start + timedelta(weeks=week)
        shown = [
            day
            for day in (monday + timedelta(days=i) for i in range(7))
            if shown_from <= day <= last
        ]
        first = next((day for day in shown if day.day == 1), None)
        if first is None and week == 0 and shown:
            first = shown[0]
        if first is not None:
            labels.append((week, f"{first:%b}"))
    if len(labels) > 1 and labels[0][0] == 0 and labels[1][0] < 2:
        labels.pop(0)  # no room for the first, partial month's name
    line = Text("    ", style="dim")
    free, end = 4, 4 + 2 * weeks - 1
    for week, name in labels:
        column = min(4 + 2 * week, end - len(name))  # the last name may end at the edge
        if column >= free:
            line.append(" " * (column - len(line)) + name)
            free = column + len(name) + 1
    return line


def _level(n: int, peak: int) -> int:
    """0 for no review, else 1 to 4 in quarters of the busiest day."""
    if n <= 0 or peak <= 0:
        return 0
    return min(4, 1 + (n * 4 - 1) // peak)


def per_topic(stats: Stats, limit: int | None = None) -> Panel:
    """The topics, weakest first; only the first `limit` of them if given, and a line saying
    how to see the rest."""
    rows: list[list[Cell]] = []
    shown = stats.per_topic if limit is None else stats.per_topic[:limit]
    for t in shown:
        recall = t.mean_recall
        style = "" if recall is None else ("green" if recall >= MASTERED_RECALL else "yellow")
        rows.append(
            [
                plain(t.topic, "magenta"),
                f"{count(t.seen)}/{count(t.questions)}",
                Text(percent(recall), style=style),
                count(t.lapses),
                count(t.due),
            ]
        )
    header = ("topic", "seen", "predicted recall", "lapses", "due now")

    def build(width: int) -> list[Text]:
        lines = columns(rows, "<>>>>", header)
        if lines[0].cell_len > width:  # a long topic name gives up room, not the figures
            lines = columns(rows, "<>>>>", header, flexible=0, width=width)
        return lines

    parts: list[RenderableType] = [Lines(build)]
    hidden = len(stats.per_topic) - len(shown)
    if hidden:
        parts.append(
            Text.assemble(
                (f"… {counted(hidden, 'more topic')}: ", "dim"),
                (f"dlquiz stats{_topic_options(stats)} --section topics", "bold cyan"),
            )
        )
    parts.append(Text("predicted recall: FSRS's estimate now, cards seen", style="dim"))
    return _panel(Group(*parts), "By topic · weakest first")


def hardest(stats: Stats) -> Panel:
    """The hardest questions with their ids: in columns when the question text has room,
    else each on two lines (the id, then its figures and the question)."""
    if not stats.hardest:
        return _panel(
            Text("None: no card seen has a lapse or a predicted recall below 90%."),
            "Hardest questions",
        )
    hard = stats.hardest

    def build(width: int) -> list[Text]:
        rows: list[list[Cell]] = [
            [plain(h.id, "bold"), count(h.lapses), percent(h.recall), plain(h.question, "dim")]
            for h in hard
        ]
        laid_out = columns(rows, "<>><", ("id", "lapses", "predicted", "question"), 3, width)
        if laid_out[0].cell_len <= width and max(len(h.id) for h in hard) + 40 <= width:
            return laid_out
        lines = []
        for h in hard:
            lines.append(plain(h.id, "bold"))
            lines.append(
                Text.assemble(
                    "  ",
                    (count(h.lapses), "bold"),
                    f" {noun(h.lapses, 'lapse')} · predicted recall ",
                    (percent(h.recall), "bold"),
                    " · ",
                    plain(h.question, "dim"),
                )
            )
        return lines

    note = Text.assemble(("see one: ", "dim"), (f"dlquiz show {hard[0].id}", "bold cyan"))
    return _panel(Group(Lines(build), note), "Hardest questions")


GRADING_TITLE = "Your ratings vs the grader"


def grading(stats: Stats, shown: int = 3) -> Panel | None:
    """How often the learner took the grader's suggestion, where least, and the key points
    missed most: at most 3 + `shown` lines; None when no answer has been typed yet."""
    g = stats.grading
    if g is None or g.agreement.graded == 0:
        return None
    a = g.agreement
    head = Text()
    if a.suggested:
        head.append("agreed ")
        head.append(percent(a.rate), style="bold")
        head.append(f" · {count(a.agreed)} of {counted(a.suggested, 'suggestion')}")
    else:
        head.append("no suggestion yet")
    if a.abstained:
        head.append(f" · {count(a.abstained)} abstained", style="dim")
    lines = [head]
    if a.raised or a.lowered:
        lines.append(
            Text(f"overrode: {count(a.raised)} rated higher, {count(a.lowered)} lower", "dim")
        )
    if g.worst:
        least = Text("least agreed  ", style="dim")
        for i, (q, agreement) in enumerate(g.worst[:shown]):
            least.append(" · " if i else "")
            least.append_text(plain(q.id, "bold"))
            least.append(f" {percent(agreement.rate)}")
        lines.append(least)
    rows: list[list[Cell]] = [
        [f"{p.missed}/{p.graded}", plain(p.point), plain(p.question_id, "dim")]
        for p in g.weakest[:shown]
    ]
    label = "missed  "

    def build(width: int) -> list[Text]:
        missed = columns(rows, "><<") if rows else []
        if missed and missed[0].cell_len + len(label) > width:  # the point gives up room
            missed = columns(rows, "><<", flexible=1, width=width - len(label))
        prefixes = [Text(label, style="dim")] + [Text(" " * len(label))] * len(missed)
        return lines + [prefix + line for prefix, line in zip(prefixes, missed, strict=False)]

    return _panel(Lines(build), GRADING_TITLE)


def leeches(stats: Stats) -> Panel:
    """Cards with LEECH_LAPSES lapses or more, most lapses first; suspended ones say so."""
    heading = f"Leeches · {LEECH_LAPSES}+ lapses"
    if not stats.leeches:
        return _panel(Text(f"None: no card has {LEECH_LAPSES} lapses or more."), heading)
    rows: list[list[Cell]] = [
        [
            plain(c.id, "bold"),
            count(c.lapses),
            percent(c.recall),
            plain(("suspended · " if c.suspended else "") + c.question, "dim"),
        ]
        for c in stats.leeches
    ]
    header = ("id", "lapses", "predicted", "question")
    active = [c for c in stats.leeches if not c.suspended]
    note = Text.assemble(
        ("rewrite or split the card, or suspend it; " if active else "", "dim"),
        ("see one: ", "dim"),
        plain(f"dlquiz show {(active or stats.leeches)[0].id}", "bold cyan"),
    )
    return _panel(Group(Lines(lambda w: columns(rows, "<>><", header, 3, w)), note), heading)


def suspended(stats: Stats) -> Panel:
    """Cards the learner suspended: never shown until unsuspended."""
    heading = "Suspended · never shown"
    if not stats.suspended:
        return _panel(Text("None."), heading)
    rows: list[list[Cell]] = [
        [plain(c.id, "bold"), count(c.lapses), plain(c.question, "dim")] for c in stats.suspended
    ]
    header = ("id", "lapses", "question")
    return _panel(Lines(lambda w: columns(rows, "<><", header, 2, w)), heading)


def calibration(stats: Stats) -> Panel:
    """How well the memory model fits the learner: predicted recall against the share
    recalled, a column per bin of predicted recall, and measured retention against the
    target, over the latest reviews of cards in review."""
    c = stats.calibration
    if c is None or not c.reviews:
        return _panel(Text("None yet: no review of a card in review."), "Calibration")
    names = [
        f"<{b.high:.0%}"
        if i == 0
        else f"{b.low:.0%}+"
        if i == len(c.bins) - 1
        else f"{b.low * 100:.0f}–{b.high:.0%}"
        for i, b in enumerate(c.bins)
    ]
    rows: list[list[Cell]] = [
        ["reviews", *(count(b.reviews) for b in c.bins)],
        ["predicted", *(percent(b.predicted) for b in c.bins)],
        ["measured", *(Text(percent(b.actual), style="bold") for b in c.bins)],
    ]
    lines = columns(rows, "<" + ">" * len(c.bins), header=("", *names))
    retained = c.true_retention
    style = "" if retained is None else ("green" if retained >= c.target else "yellow")
    lines.append(
        Text.assemble(
            "measured retention ",
            (percent(retained), f"bold {style}".strip()),
            f" · predicted {percent(c.predicted)} · target {percent(c.target)}",
        )
    )
    lines.append(
        Text.assemble(
            ("far apart: ", "dim"), ("dlquiz optimize", "bold cyan"), (" fits it to you", "dim")
        )
    )
    heading = f"Calibration · latest {counted(c.reviews, 'review')} in review"
    return _panel(Lines(lambda width: lines), heading)


PANELS: dict[str, Callable[[Stats], Panel]] = {
    "overview": overview,
    "retention": retention,
    "forecast": forecast,
    "hardest": hardest,
    "leeches": leeches,
    "suspended": suspended,
    "calibration": calibration,
}


def _panel(body: RenderableType, heading: str) -> Panel:
    # a Text title: a str would be parsed as markup, which costs the emoji table's import
    return Panel(body, title=Text(heading), title_align="left", border_style="cyan")


SPARKS = "▁▂▃▄▅▆▇█"


def interview(plan: Plan) -> Panel:
    """Readiness for the interview date: the questions expected to be recalled on the day (the
    sum of predicted recall, if the plan is followed), per topic, the cards at risk, and the
    reviews expected on each day until then."""
    from dlquiz.clock import from_ms
    from dlquiz.interview import MORNING

    target = plan.interview.target
    share = plan.expected_correct / plan.questions if plan.questions else 0.0
    at_risk = plan.at_risk
    forward = sum(1 for c in at_risk if c.brought_forward)
    lines: list[RenderableType] = [
        Text.assemble(
            ("expected on the day ", "dim"),
            (f"{plan.expected_correct:.1f}", "bold"),
            f" of {counted(plan.questions, 'question')} ({share:.0%})",
        ),
        Text.assemble(
            ("with no more study ", "dim"),
            f"{plan.expected_idle:.1f} · ",
            (count(len(at_risk)), "bold yellow" if at_risk else "bold"),
            f" {noun(len(at_risk), 'card')} below {percent(target)}",
        ),
    ]
    loads = [d.total for d in plan.loads]
    busiest = max(plan.loads, key=lambda d: d.total)
    unit = "day" if len(loads) <= 35 else "week"  # a long wait is drawn a week a cell
    cells = loads if unit == "day" else [sum(loads[i : i + 7]) for i in range(0, len(loads), 7)]
    peak = max(cells, default=0)
    spark = "".join(SPARKS[min(7, (n * 8 - 1) // peak)] if n and peak else " " for n in cells)
    lines.append(
        Text.assemble(
            (count(forward), "bold"),
            f" brought forward · reviews a {unit} ",
            (spark, "cyan"),
        )
    )
    lines.append(
        Text(
            f"today {loads[0]} · busiest day {busiest.total} ({busiest.date:%a %d}) · "
            f"mean {sum(loads) / len(loads):.1f}",
            style="dim",
        )
    )
    ahead = [c for c in at_risk if c.brought_forward]
    if ahead:
        rows: list[list[Cell]] = [
            [
                plain(c.question_id, "bold"),
                percent(c.recall_idle),
                "today" if c.day == plan.today else f"{c.day:%a %d}",
                percent(c.recall_planned),
            ]
            for c in ahead[:5]
        ]
        header = ("brought forward", "left alone", "on", "then")

        def build(width: int) -> list[Text]:
            laid_out = columns(rows, "<>>>", header)
            if laid_out[0].cell_len > width:  # a long id gives up room, not the figures
                laid_out = columns(rows, "<>>>", header, flexible=0, width=width)
            if len(ahead) > 5:
                laid_out.append(Text(f"and {len(ahead) - 5} more", style="dim"))
            return laid_out

        lines.append(Lines(build))
    topic_rows: list[list[Cell]] = [
        [
            plain(t.topic, "magenta"),
            f"{count(t.seen)}/{count(t.questions)}",
            f"{t.expected_correct:.1f}",
            count(t.at_risk),
        ]
        for t in plan.topics
    ]
    lines += columns(topic_rows, "<>>>", ("topic", "seen", "expected", "at risk"))
    problem = plan.new.problem()
    if problem is not None:
        lines.append(plain(problem, "yellow"))
    if plan.morning:
        start = from_ms(plan.interview.at) - MORNING
        lines.append(
            Text.assemble(
                ("on the day: ", "dim"),
                ("dlquiz practice", "bold cyan"),
                f", {counted(plan.morning, 'card')}, from {start.astimezone():%H:%M}",
            )
        )
    when = f"{date.fromisoformat(plan.interview.local_date):%a %d %b} {plan.interview.local_time}"
    days = plan.days_left
    heading = (
        "Interview today"
        if days == 0
        else "Interview tomorrow"
        if days == 1
        else f"Interview in {days} days"
    )
    return _panel(Group(*lines), f"{heading} · {when}")
