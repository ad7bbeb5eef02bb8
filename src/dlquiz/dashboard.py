"""Rich rendering of `dlquiz stats`: panels, tables and bars from a `stats.Stats`.

Everything here reads at 60 columns and without colour (`NO_COLOR`): bars are drawn with block
characters, the activity heatmap with shades (· ░ ▒ ▓ █), and every figure is also a number.
"""

from __future__ import annotations

from datetime import timedelta

from rich import box
from rich.bar import Bar
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from dlquiz.stats import MASTERED_RECALL, MASTERED_STABILITY_DAYS, DayCount, Stats
from dlquiz.ui import format_duration, plain

SHADES = "·░▒▓█"
SHADE_STYLES = ("dim", "green", "green", "bold green", "bold green")


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def dashboard(stats: Stats) -> RenderableType:
    title = Text.assemble(("dlquiz stats", "bold"), " · ", plain(stats.bank_title))
    if stats.topics:
        title.append(f" · {', '.join(stats.topics)}", style="magenta")
    parts: list[RenderableType] = [title, overview(stats)]
    if stats.empty:
        parts.append(
            Text.assemble(
                "Nothing studied yet. Start with ",
                ("dlquiz practice", "bold cyan"),
                f": {stats.overview.questions} questions are waiting.",
            )
        )
        return Group(*parts)
    parts += [
        today(stats),
        retention(stats),
        forecast(stats.forecast),
        Heatmap(stats),
        per_topic(stats),
    ]
    if stats.hardest:
        parts.append(hardest(stats))
    return Group(*parts)


def overview(stats: Stats) -> Panel:
    o = stats.overview
    counts = Text.assemble(
        (f"{o.questions}", "bold"),
        " questions: ",
        (f"{o.new} new", "cyan"),
        " · ",
        (f"{o.learning} learning", "yellow"),
        " · ",
        (f"{o.review} in review", "green"),
        " · ",
        (f"{o.mastered} mastered", "bold green"),
    )
    bar = Table.grid(padding=(0, 1), expand=True)
    bar.add_column(ratio=1)
    bar.add_column(no_wrap=True, justify="right")
    share = o.mastered / o.questions if o.questions else 0.0
    bar.add_row(
        Bar(size=max(o.questions, 1), begin=0, end=o.mastered, color="green"),
        f"{o.mastered}/{o.questions} mastered ({share:.0%})",
    )
    note = Text(
        f"mastered = recall now ≥ {MASTERED_RECALL:.0%} and stability ≥ "
        f"{MASTERED_STABILITY_DAYS:.0f} days",
        style="dim",
    )
    return Panel(
        Group(counts, bar, note), title="Overview", title_align="left", border_style="cyan"
    )


def today(stats: Stats) -> Panel:
    t = stats.today
    line = Text.assemble(
        (f"{t.reviews}", "bold"),
        " reviews · ",
        (f"{t.new}", "bold"),
        " new · ",
        (format_duration(t.seconds), "bold"),
        " spent · ",
        (f"{t.due}", "bold yellow" if t.due else "bold"),
        " due now",
    )
    return Panel(line, title=f"Today · {t.date:%a %d %b}", title_align="left", border_style="cyan")


def retention(stats: Stats) -> Panel:
    table = Table(box=box.SIMPLE, pad_edge=False, expand=False)
    table.add_column("window")
    table.add_column("reviews", justify="right")
    table.add_column("retention", justify="right")
    table.add_column("target", justify="right")
    names = {"7d": "last 7 days", "30d": "last 30 days", "all": "all time"}
    for r in stats.retention:
        rate = r.rate
        style = "" if rate is None else ("green" if rate >= stats.desired_retention else "yellow")
        table.add_row(
            names[r.window],
            str(r.reviews),
            Text(percent(rate), style=style),
            percent(stats.desired_retention),
        )
    note = Text("share of reviews of cards in review not rated Again", style="dim")
    return Panel(
        Group(table, note), title="True retention", title_align="left", border_style="cyan"
    )


def forecast(days: tuple[DayCount, ...]) -> Panel:
    peak = max((d.count for d in days), default=0)
    table = Table.grid(padding=(0, 1), expand=True)
    table.add_column(no_wrap=True, style="dim")
    table.add_column(ratio=1)
    table.add_column(justify="right", no_wrap=True)
    for i, d in enumerate(days):
        label = "today" if i == 0 else f"{d.date:%a %d}"
        table.add_row(
            label, Bar(size=max(peak, 1), begin=0, end=d.count, color="cyan"), str(d.count)
        )
    return Panel(table, title="Due in the next 14 days", title_align="left", border_style="cyan")


class Heatmap:
    """Reviews per study day: weeks as columns, Monday to Sunday as rows, newest at the right.
    Only as many weeks as fit the width are drawn."""

    def __init__(self, stats: Stats) -> None:
        self.stats = stats

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        s = self.stats
        counts = {d.date: d.count for d in s.activity}
        last = s.activity[-1].date if s.activity else s.today.date
        first = s.activity[0].date if s.activity else last
        start = first - timedelta(days=first.weekday())
        weeks = (last - start).days // 7 + 1
        fits = max(1, (options.max_width - 4 - 4) // 2)  # panel borders, row labels
        if weeks > fits:
            start += timedelta(weeks=weeks - fits)
            weeks = fits
        peak = max(counts.values(), default=0)
        lines = []
        for weekday in range(7):
            line = Text(("Mon", "", "Wed", "", "Fri", "", "Sun")[weekday].ljust(4), style="dim")
            for week in range(weeks):
                day = start + timedelta(weeks=week, days=weekday)
                if day < first or day > last:
                    line.append("  ")
                    continue
                level = _level(counts.get(day, 0), peak)
                line.append(SHADES[level] + " ", style=SHADE_STYLES[level])
            lines.append(line)
        shown = min(len(s.activity), weeks * 7)
        lines.append(
            Text.assemble(
                ("streak ", "dim"),
                (f"{s.current_streak} days", "bold"),
                ("  ·  longest ", "dim"),
                (f"{s.longest_streak} days", "bold"),
                ("  ·  ", "dim"),
                f"{s.study_days} study days, {s.total_reviews} reviews",
            )
        )
        legend = Text("less ", style="dim")
        for level, shade in enumerate(SHADES):
            legend.append(shade + " ", style=SHADE_STYLES[level])
        legend.append("more", style="dim")
        lines.append(legend)
        yield Panel(
            Group(*lines),
            title=f"Activity · last {shown} days",
            title_align="left",
            border_style="cyan",
        )


def _level(count: int, peak: int) -> int:
    if count <= 0 or peak <= 0:
        return 0
    return min(4, 1 + (count * 4 - 1) // peak)


def per_topic(stats: Stats) -> Panel:
    table = Table(box=box.SIMPLE, pad_edge=False, expand=True)
    table.add_column("topic", style="magenta", no_wrap=True)
    table.add_column("qs", justify="right")
    table.add_column("seen", justify="right")
    table.add_column("recall", justify="right")
    table.add_column("lapses", justify="right")
    table.add_column("due", justify="right")
    for t in stats.per_topic:
        recall = t.mean_recall
        style = "" if recall is None else ("green" if recall >= MASTERED_RECALL else "yellow")
        table.add_row(
            plain(t.topic),
            str(t.questions),
            str(t.seen),
            Text(percent(recall), style=style),
            str(t.lapses),
            str(t.due),
        )
    weakest = next((t.topic for t in stats.per_topic if t.seen), None)
    parts: list[RenderableType] = [table]
    if weakest is not None:
        parts.append(
            Text.assemble(
                ("weakest first · drill one: ", "dim"),
                (f"dlquiz review --topic {weakest}", "bold cyan"),
            )
        )
    return Panel(Group(*parts), title="By topic", title_align="left", border_style="cyan")


def hardest(stats: Stats) -> Panel:
    table = Table(box=box.SIMPLE, pad_edge=False, expand=True)
    table.add_column("id", style="bold", no_wrap=True)
    table.add_column("lapses", justify="right")
    table.add_column("recall", justify="right")
    table.add_column("question", ratio=1, no_wrap=True, overflow="ellipsis")
    for h in stats.hardest:
        table.add_row(plain(h.id), str(h.lapses), percent(h.recall), plain(h.question, "dim"))
    example = stats.hardest[0].id
    note = Text.assemble(("see one: ", "dim"), (f"dlquiz show {example}", "bold cyan"))
    return Panel(
        Group(table, note), title="Hardest questions", title_align="left", border_style="cyan"
    )
