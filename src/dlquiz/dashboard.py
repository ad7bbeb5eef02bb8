"""Rich rendering of `dlquiz stats`: panels of aligned text lines from a `stats.Stats`.

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
from typing import Literal

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.panel import Panel
from rich.segment import Segment
from rich.text import Text

from dlquiz.stats import MASTERED_RECALL, MASTERED_STABILITY_DAYS, Stats
from dlquiz.text import counted, format_duration, noun, plain

SHADES = "·░▒▓█"
SHADE_STYLES = ("dim", "green", "green", "bold green", "bold green")
EIGHTHS = "▏▎▍▌▋▊▉"  # 1/8 to 7/8 of a block
WIDE = 110  # from this width on, panels are laid out in pairs
PANEL_EDGES = 4  # a panel's borders and padding, left and right
WEEKDAYS = ("Mon", "", "Wed", "", "Fri", "", "Sun")
WINDOW_NAMES = {"7d": "last 7 days", "30d": "last 30 days", "all": "all time"}

Cell = str | Text
Align = Literal["left", "right"]


def dashboard(stats: Stats) -> RenderableType:
    return Dashboard(stats)


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def count(n: int) -> str:
    return f"{n:,}"


class Dashboard:
    """The whole screen: a column of panels, or from 110 columns on two columns of them."""

    def __init__(self, stats: Stats) -> None:
        self.stats = stats

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        s = self.stats
        width = options.max_width
        yield title(s)
        if s.empty:
            yield overview(s)
            yield nothing_yet(s)
            return
        if width < WIDE:
            yield from (overview(s), today(s), retention(s), forecast(s), activity(s, width))
            yield per_topic(s)
        else:
            right = width - 1 - (width - 1) // 2
            yield from abreast(
                console, options, [overview(s), today(s), retention(s)], [forecast(s)]
            )
            yield from abreast(console, options, [per_topic(s)], [activity(s, right)])
        hard = hardest(s)
        if hard is not None:
            yield hard
        fit = calibration(s)
        if fit is not None:
            yield fit


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
        lines = columns(
            [
                [Text(name, style) for name, style, _ in states],
                [Text(count(n), "bold") for _, _, n in states],
            ],
            ">>>>",
        )
        lines.append(
            Text.assemble(
                (bar(o.mastered, o.questions, width - len(label) - 1), "green"), " ", label
            )
        )
        lines.append(
            Text(
                f"mastered = recall now ≥ {MASTERED_RECALL:.0%} and stability ≥ "
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


def today(stats: Stats) -> Panel:
    t = stats.today
    line = Text.assemble(
        (count(t.reviews), "bold"),
        f" {noun(t.reviews, 'review')} · ",
        (count(t.new), "bold"),
        " new · ",
        (format_duration(t.seconds), "bold"),
        " spent · ",
        (count(t.due), "bold yellow" if t.due else "bold"),
        " due now",
    )
    return _panel(line, f"Today · {t.date:%a %d %b}")


def retention(stats: Stats) -> Panel:
    rows: list[list[Cell]] = []
    for r in stats.retention:
        rate = r.rate
        style = "" if rate is None else ("green" if rate >= stats.desired_retention else "yellow")
        rows.append(
            [
                WINDOW_NAMES.get(r.window, r.window),
                count(r.reviews),
                Text(percent(rate), style=style),
                percent(stats.desired_retention),
            ]
        )
    lines = columns(rows, "<>>>", header=("window", "reviews", "retention", "target"))
    lines.append(Text("reviews of cards in review that were not rated Again", style="dim"))
    return _panel(Lines(lambda width: lines), "True retention")


def forecast(stats: Stats) -> Panel:
    days = stats.forecast
    peak = max((d.total for d in days), default=0)
    numbers = [count(d.total) for d in days]
    wide = max((len(n) for n in numbers), default=1)

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
        lines.append(Text("today includes overdue cards", style="dim"))
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
    lines = [_months(start, weeks, shown_from)]
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


def _months(start: date, weeks: int, shown_from: date) -> Text:
    """Month names above the first week column of each month."""
    labels: list[tuple[int, str]] = []
    previous = 0
    for week in range(weeks):
        day = max(start + timedelta(weeks=week), shown_from)
        if day.month != previous:
            labels.append((week, f"{day:%b}"))
            previous = day.month
    if len(labels) > 1 and labels[1][0] - labels[0][0] < 2:
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


def per_topic(stats: Stats) -> Panel:
    rows: list[list[Cell]] = []
    for t in stats.per_topic:
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
    header = ("topic", "seen", "recall", "lapses", "due")

    def build(width: int) -> list[Text]:
        lines = columns(rows, "<>>>>", header)
        if lines[0].cell_len > width:  # a long topic name gives up room, not the figures
            lines = columns(rows, "<>>>>", header, flexible=0, width=width)
        return lines

    parts: list[RenderableType] = [Lines(build)]
    weakest = next((t.topic for t in stats.per_topic if t.seen), None)
    if weakest is not None:
        parts.append(Text("recall: mean recall now of the cards seen", style="dim"))
        parts.append(
            Text.assemble(
                ("drill the weakest: ", "dim"), (f"dlquiz review --topic {weakest}", "bold cyan")
            )
        )
    return _panel(Group(*parts), "By topic · weakest first")


def hardest(stats: Stats) -> Panel | None:
    """The hardest questions with their ids: in columns when the question text has room,
    else each on two lines (the id, then its figures and the question)."""
    if not stats.hardest:
        return None
    hard = stats.hardest

    def build(width: int) -> list[Text]:
        rows: list[list[Cell]] = [
            [plain(h.id, "bold"), count(h.lapses), percent(h.recall), plain(h.question, "dim")]
            for h in hard
        ]
        laid_out = columns(rows, "<>><", ("id", "lapses", "recall", "question"), 3, width)
        if laid_out[0].cell_len <= width and max(len(h.id) for h in hard) + 40 <= width:
            return laid_out
        lines = []
        for h in hard:
            lines.append(plain(h.id, "bold"))
            lines.append(
                Text.assemble(
                    "  ",
                    (count(h.lapses), "bold"),
                    f" {noun(h.lapses, 'lapse')} · recall ",
                    (percent(h.recall), "bold"),
                    " · ",
                    plain(h.question, "dim"),
                )
            )
        return lines

    note = Text.assemble(("see one: ", "dim"), (f"dlquiz show {hard[0].id}", "bold cyan"))
    return _panel(Group(Lines(build), note), "Hardest questions")


def calibration(stats: Stats) -> Panel | None:
    """Predicted against actual recall, a column per bin of predicted recall, and true
    retention against the target; nothing before the first review of a card in review."""
    c = stats.calibration
    if not c.reviews:
        return None
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
        ["recalled", *(Text(percent(b.actual), style="bold") for b in c.bins)],
    ]
    lines = columns(rows, "<" + ">" * len(c.bins), header=("", *names))
    retained = c.true_retention
    style = "" if retained is None else ("green" if retained >= c.target else "yellow")
    lines.append(
        Text.assemble(
            "true retention ",
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


def _panel(body: RenderableType, heading: str) -> Panel:
    # a Text title: a str would be parsed as markup, which costs the emoji table's import
    return Panel(body, title=Text(heading), title_align="left", border_style="cyan")
