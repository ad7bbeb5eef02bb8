"""The `dlquiz` command: thin Typer commands that wire the core to the terminal.

Each command reads its options, asks the core (`Workspace` for the home, the bank and the store;
the modules named in each command for the work), and hands the result to `ui` or prints JSON.
Failures the user can act on end as one line, `Error: ...`, with exit status 1 (2 for a misused
option or an unknown name); never as a traceback.

No `from __future__ import annotations` here: Typer reads every command's signature at each
start, and string annotations would make it `eval` them all (about 4 ms of `dlquiz stats`).
Names imported only for type checking are quoted instead.
"""

import functools
import json
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, ParamSpec

import typer

from dlquiz import __version__
from dlquiz.paths import BANK_ENV, HOME_ENV, resolve
from dlquiz.workspace import Workspace

if TYPE_CHECKING:
    from rich.console import Console

    from dlquiz.bank import Problem

P = ParamSpec("P")

app = typer.Typer(
    name="dlquiz",
    help="Drill the 50 classic deep-learning interview questions with spaced repetition.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def fail(message: str, code: int = 1) -> NoReturn:
    """End the command with `Error: message` on stderr; `code` 2 means it was misused."""
    from dlquiz.text import literal

    sys.stderr.write(f"Error: {literal(message)}\n")
    raise typer.Exit(code)


def reported(command: Callable[P, None]) -> Callable[P, None]:
    """Turn the core's errors, and Ctrl-C, into a one-line message and an exit status."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
        from dlquiz.bank import BankError
        from dlquiz.config import ConfigError
        from dlquiz.model import ExportError, UsageError
        from dlquiz.store import StoreError

        try:
            command(*args, **kwargs)
        except UsageError as e:
            fail(str(e), code=2)
        except (StoreError, ConfigError, ExportError) as e:
            fail(str(e))
        except BankError as e:
            more = len(e.problems) - 1
            fail(
                str(e.problems[0]) + (f" (and {more} more: run `dlquiz validate`)" if more else "")
            )
        except KeyboardInterrupt:
            sys.stderr.write("\n")
            raise typer.Exit(130) from None

    return wrapper


def command(
    short_help: str, name: str | None = None
) -> Callable[[Callable[P, None]], Callable[P, None]]:
    """Register a command with its one-line summary; its errors end as one line (`reported`)."""

    def register(function: Callable[P, None]) -> Callable[P, None]:
        return app.command(name, short_help=short_help)(reported(function))

    return register


def console(stderr: bool = False) -> "Console":
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, emoji=False)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dlquiz {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    home: Annotated[
        Path | None,
        typer.Option(
            "--home", envvar=HOME_ENV, help="Folder for progress and settings.", show_default=False
        ),
    ] = None,
    bank: Annotated[
        Path | None,
        typer.Option(
            "--bank", envvar=BANK_ENV, help="Use your own bank file (YAML).", show_default=False
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Drill the 50 classic deep-learning interview questions with spaced repetition.

    Start with `dlquiz practice`; see progress with `dlquiz stats`.
    """
    ctx.obj = Workspace(resolve(home), bank)


# --- wiring: each command's way to the workspace ------------------------------------------------


def workspace(ctx: typer.Context) -> Workspace:
    obj = ctx.find_root().obj
    assert isinstance(obj, Workspace)
    return obj


TopicOption = Annotated[
    list[str] | None,
    typer.Option(
        "--topic",
        "-t",
        help="Only these topics (repeat, or comma-separate).",
        show_default=False,
    ),
]
RetentionOption = Annotated[
    float | None,
    typer.Option(
        "--retention",
        help="Desired probability of recall at review time, 0.7 to 0.99 [default: 0.9].",
        show_default=False,
    ),
]
LimitOption = Annotated[
    int | None,
    typer.Option(
        "--limit",
        min=1,
        help="At most this many different cards (one in learning may come back for its next step).",
        show_default=False,
    ),
]
ForceOption = Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print every figure as JSON.")]


# --- studying ----------------------------------------------------------------------------------


def _study(
    ctx: typer.Context,
    mode: str,
    topics: list[str] | None,
    new: int | None,
    limit: int | None,
    retention: float | None,
) -> None:
    from dlquiz.session import Mode, Options
    from dlquiz.study import study

    ws = workspace(ctx)
    config = ws.config.with_options(desired_retention=retention, new_per_day=new)
    bank = ws.bank(config)
    options = Options(Mode(mode), bank.resolve_topics(topics), config.new_per_day, limit)
    outcome = study(ws, config, options, console())
    if outcome.error:
        fail(outcome.error)
    if outcome.exit_code:
        raise typer.Exit(outcome.exit_code)


@command("Today's session: due cards, then new ones.")
def practice(
    ctx: typer.Context,
    topic: TopicOption = None,
    new: Annotated[
        int | None,
        typer.Option("--new", min=0, help="New cards per day [default: 10].", show_default=False),
    ] = None,
    limit: LimitOption = None,
    retention: RetentionOption = None,
) -> None:
    """Today's spaced-repetition session: due cards, then new ones.

    Example: dlquiz practice --new 5 --limit 20
    """
    _study(ctx, "practice", topic, new, limit, retention)


@command("Drill topics now: due, then weakest, then new.")
def review(
    ctx: typer.Context,
    topic: TopicOption = None,
    limit: LimitOption = None,
    retention: RetentionOption = None,
) -> None:
    """Drill topics now, whatever is due: due cards first, then the weakest, then unseen.

    Example: dlquiz review --topic cnn --limit 10
    """
    _study(ctx, "review", topic, None, limit, retention)


# --- the bank ----------------------------------------------------------------------------------


@command("Check a bank file; list every problem.")
def validate(
    ctx: typer.Context,
    path: Annotated[
        Path | None,
        typer.Argument(help="Bank file [default: the bank in use].", show_default=False),
    ] = None,
) -> None:
    """Check a bank file and list every problem in it.

    Example: dlquiz validate my-bank.yaml
    """
    from dlquiz.bank import BankError, load_bank
    from dlquiz.text import counted, literal
    from dlquiz.ui import validation_ok

    try:
        bank = load_bank(path if path is not None else workspace(ctx).bank_path())
    except BankError as e:
        for problem in e.problems:
            typer.echo(literal(str(problem)), err=True)
        typer.echo(f"{counted(len(e.problems), 'problem')} found.", err=True)
        raise typer.Exit(1) from None
    console().print(validation_ok(bank))
    _print_warnings(bank.warnings)


def _print_warnings(warnings: "tuple[Problem, ...]") -> None:
    """Warnings do not fail validation: `path:line: field: warning: ...`, one a line."""
    from dlquiz.text import counted, literal

    for warning in warnings:
        typer.echo(literal(str(warning)), err=True)
    if warnings:
        typer.echo(f"{counted(len(warnings), 'warning')}.", err=True)


@command("List the topics and their question counts.")
def topics(ctx: typer.Context) -> None:
    """List the topics with their question counts.

    Example: dlquiz topics
    """
    from dlquiz.ui import topics_table

    console().print(topics_table(workspace(ctx).bank()))


@command("List the questions, by topic if asked.", name="list")
def list_questions(ctx: typer.Context, topic: TopicOption = None) -> None:
    """List the questions, optionally of some topics.

    Example: dlquiz list --topic cnn
    """
    from dlquiz.ui import questions_table

    bank = workspace(ctx).bank()
    chosen = bank.resolve_topics(topic)
    title = bank.title + (f" · {', '.join(chosen)}" if chosen else "")
    console().print(questions_table(bank.with_topics(chosen), title))


@command("Show a question, its answer and key points.")
def show(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="A question id or number, e.g. pooling or 43.")],
) -> None:
    """Show a question with its answer, key points and the corrections made to the source.

    Example: dlquiz show pooling
    """
    from dlquiz.ui import question_view

    bank = workspace(ctx).bank()
    console().print(question_view(bank, bank.lookup(question)))


QuestionArgument = Annotated[
    str, typer.Argument(help="A question id or number, e.g. pooling or 43.", show_default=False)
]


@command("Set a card aside: practice and review skip it.")
def suspend(ctx: typer.Context, question: QuestionArgument) -> None:
    """Set a card aside (a leech, or a question you do not need): practice and review never
    show it until you unsuspend it. Its progress is kept.

    Example: dlquiz suspend pooling
    """
    from dlquiz.clock import system_clock, to_ms

    ws = workspace(ctx)
    found = ws.bank().lookup(question)
    with ws.open_store() as store:
        done = store.suspend(ws.bank().id, found.id, to_ms(system_clock()))
    typer.echo(
        f"Suspended {found.id}: practice and review will not show it."
        if done
        else f"{found.id} is already suspended."
    )
    typer.echo(f"To bring it back: dlquiz unsuspend {found.id}")


@command("Bring a suspended card back.")
def unsuspend(ctx: typer.Context, question: QuestionArgument) -> None:
    """Bring a suspended card back into practice and review, with its progress as it was.

    Example: dlquiz unsuspend pooling
    """
    ws = workspace(ctx)
    found = ws.bank().lookup(question)
    with ws.open_store() as store:
        done = store.unsuspend(ws.bank().id, found.id)
    typer.echo(
        f"{found.id} is back in practice and review." if done else f"{found.id} is not suspended."
    )


@command("Grade an answer by its key points.", name="grade")
def grade_answer(
    ctx: typer.Context,
    question: Annotated[
        str | None, typer.Argument(help="A question id or number.", show_default=False)
    ] = None,
    answer: Annotated[
        str | None, typer.Argument(help="The answer [default: read stdin].", show_default=False)
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    jsonl: Annotated[
        bool,
        typer.Option(
            "--jsonl",
            help='Read {"id": ..., "answer": ...} lines on stdin, write one result line each. '
            'A bad line gives {"line": n, "error": ...}; the rest are graded; exit 1 at the end.',
        ),
    ] = False,
) -> None:
    """Grade an answer: which key points it covers and the rating it suggests (none when the
    grader can't tell).

    Example: dlquiz grade pooling "halves height and width, max or average, no weights"
    """
    import json

    from dlquiz import matching

    bank = workspace(ctx).bank()
    if jsonl:
        if question is not None:
            fail("--jsonl reads the question ids from stdin: give no QUESTION", code=2)
        bad = False
        for record in matching.grade_lines(sys.stdin, bank.find):
            bad = bad or "error" in record
            typer.echo(json.dumps(record, ensure_ascii=False))
        raise typer.Exit(1 if bad else 0)
    if question is None:
        fail("give a QUESTION id (or --jsonl)", code=2)
    found = bank.lookup(question)
    result = matching.grade(sys.stdin.read() if answer is None else answer, found)
    if as_json:
        typer.echo(json.dumps(matching.as_record(found, result, detail=True), ensure_ascii=False))
    else:
        from dlquiz.ui import coverage_view

        console().print(coverage_view(result))


# --- progress ----------------------------------------------------------------------------------


class StatsSection(StrEnum):
    """The sections of `dlquiz stats` after its Today panel (dashboard.SECTIONS)."""

    overview = "overview"
    retention = "retention"
    forecast = "forecast"
    topics = "topics"
    activity = "activity"
    hardest = "hardest"
    leeches = "leeches"
    suspended = "suspended"
    interview = "interview"
    grading = "grading"


@command("Your progress, and what to study now.")
def stats(
    ctx: typer.Context,
    topic: TopicOption = None,
    as_json: JsonOption = False,
    days: Annotated[
        int, typer.Option("--days", min=7, max=3660, help="Days of activity to show.")
    ] = 182,
    section: Annotated[
        list[StatsSection] | None,
        typer.Option(
            "--section",
            "-s",
            help="Show these sections after the Today panel (repeat) "
            "[default: overview, retention and the 5 weakest topics].",
            show_default=False,
        ),
    ] = None,
    show_all: Annotated[
        bool, typer.Option("--all", "-a", help="Show every section (whatever --section says).")
    ] = False,
) -> None:
    """Your progress: what to do now (due, new cards left, streak, retention against the
    target, the weakest topic), then overview, retention and topics; more with --section or --all.

    Example: dlquiz stats --section forecast --section activity
    """
    from dlquiz import stats as figures
    from dlquiz.clock import system_clock

    ws = workspace(ctx)
    bank = ws.bank()
    chosen = bank.resolve_topics(topic)
    now = system_clock()
    with ws.open_store() as store:
        scheduling = ws.scheduling()
        result = figures.compute(
            store,
            bank,
            now=now,
            days=scheduling.days,
            recall=scheduling.retrievability,
            due_at=scheduling.due_ms,
            desired_retention=ws.config.desired_retention,
            new_per_day=ws.config.new_per_day,
            suspended=store.suspended(bank.id),
            topics=chosen,
            activity_days=days,
        )
        if store.interview(bank.id) is not None:  # the planner is imported only when needed
            from dlquiz.interview import plan_from_store

            plan = plan_from_store(
                store, bank, scheduling, scheduling.days, now, ws.config.new_per_day, chosen
            )
            result = result._replace(interview=plan)
    if as_json:
        typer.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
        return
    from dlquiz.dashboard import SECTIONS, dashboard

    sections = SECTIONS if show_all else ([s.value for s in section] if section else None)
    console().print(dashboard(result, sections))


@command("Set an interview date and get ready for it.")
def interview(
    ctx: typer.Context,
    day: Annotated[
        str | None, typer.Argument(metavar="[DATE]", help="The interview's date, YYYY-MM-DD.")
    ] = None,
    at: Annotated[
        str | None, typer.Option("--time", metavar="HH:MM", help="Its local time [default: 09:00].")
    ] = None,
    target: Annotated[
        float | None,
        typer.Option(
            "--target", metavar="R", help="Recall every card should have then [default: 0.95]."
        ),
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove the interview date.")] = False,
) -> None:
    """Set an interview date: until then, practice brings cards forward so that each is
    recalled on the day. Without a date, show the one set and the plan.

    Example: dlquiz interview 2026-12-21 --time 14:30
    """
    from dlquiz.clock import system_clock
    from dlquiz.interview import change_setting, plan_from_store

    ws = workspace(ctx)
    bank, now = ws.bank(), system_clock()
    with ws.open_store() as store:
        said = change_setting(store, bank.id, day, at, target, clear, now)
        plan = (
            None
            if clear
            else plan_from_store(
                store, bank, ws.scheduling(), ws.days(), now, ws.config.new_per_day
            )
        )
    if said:
        typer.echo(said)
    if plan is not None:
        from dlquiz.dashboard import interview as readiness

        console().print(readiness(plan))


# --- ways in and out ---------------------------------------------------------------------------


class ExportKind(StrEnum):
    reviews = "reviews"
    cards = "cards"
    deck = "deck"


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"


@command("Export reviews or cards, or an Anki deck.")
def export(
    ctx: typer.Context,
    what: Annotated[
        ExportKind,
        typer.Argument(
            metavar="[WHAT]", help="reviews (the log), cards (their state) or deck (.apkg)."
        ),
    ] = ExportKind.reviews,
    fmt: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="For reviews and cards.")
    ] = ExportFormat.csv,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="File to write [default: stdout; deck: BANK.apkg].",
            show_default=False,
        ),
    ] = None,
    force: ForceOption = False,
) -> None:
    """Export your review log or card states (CSV, JSON), or the bank as an Anki deck.

    Example: dlquiz export reviews --format json -o reviews.json
    """
    from dlquiz import export as out
    from dlquiz.text import literal

    ws = workspace(ctx)
    bank = ws.bank()
    protected = (*ws.paths.own_files(), ws.bank_path())
    if what is ExportKind.deck:
        target = output or Path(f"{bank.id}.apkg")
        count = out.write_deck(bank, target, protected, force)
        typer.echo(f"Wrote {count} notes to {literal(str(target))} (in Anki: File > Import).")
        return
    with ws.open_store() as store:
        write = out.writer(store, bank, what.value, fmt.value)
        count = out.write_log(output, write, protected, force)
    if output is not None:
        typer.echo(f"Wrote {count} {what.value} to {literal(str(output))}.")


@command("Forget progress, keeping a backup.")
def reset(ctx: typer.Context, topic: TopicOption = None, yes: YesOption = False) -> None:
    """Forget your progress (all of it, or some topics'), keeping a backup of the store.

    Example: dlquiz reset --topic cnn
    """
    from dlquiz import backups
    from dlquiz.clock import system_clock
    from dlquiz.text import counted, literal, noun

    ws = workspace(ctx)
    bank = ws.bank()
    chosen = bank.resolve_topics(topic)
    ids = {q.id for q in bank.with_topics(chosen)} if chosen else None
    scope = f"{noun(len(chosen), 'topic')} {', '.join(chosen)}" if chosen else f"bank {bank.id!r}"
    with ws.open_store() as store:
        cards, reviews = store.counts(bank.id, ids)
        if cards == 0 and reviews == 0:
            typer.echo(f"Nothing to reset: no progress recorded for {scope}.")
            return
        forgotten = f"{counted(cards, 'card')} and {counted(reviews, 'review')} of {scope}"
        if not yes and not _confirm(f"Forget {forgotten}?"):
            typer.echo("Nothing changed.")
            raise typer.Exit(1)
        done = backups.reset(store, bank.id, ids, ws.paths.backups, system_clock())
    typer.echo(f"Forgot {forgotten}.")
    typer.echo(f"Backup: {literal(str(done.backup))}")
    typer.echo(f"To undo: dlquiz restore '{literal(str(done.backup))}'")


@command("Put back progress from a backup.")
def restore(
    ctx: typer.Context,
    backup: Annotated[Path, typer.Argument(help="A backup file, as `dlquiz reset` names it.")],
    yes: YesOption = False,
) -> None:
    """Put back the progress kept in a backup; the progress it replaces is backed up first.

    Example: dlquiz restore ~/.local/share/dlquiz/backups/progress-20261130-091502.db
    """
    from dlquiz import backups
    from dlquiz.clock import system_clock
    from dlquiz.text import literal

    ws = workspace(ctx)
    backups.check_backup(backup)
    if not yes and not _confirm(f"Replace all progress in {ws.paths.store} with {backup}?"):
        typer.echo("Nothing changed.")
        raise typer.Exit(1)
    before = backups.restore(backup, ws.paths.store, ws.paths.backups, system_clock())
    typer.echo(f"Restored {literal(str(backup))}.")
    typer.echo(f"The progress it replaced is kept in {literal(str(before))}")


def _confirm(question: str) -> bool:
    from dlquiz.text import literal

    try:
        return typer.confirm(literal(question), default=False)
    except typer.Abort:  # Ctrl-C, or no answer on stdin
        typer.echo()
        return False


@command("Check the store, bank and settings.")
def doctor(ctx: typer.Context) -> None:
    """Check your progress store, bank and settings, and say what to do about problems.

    Example: dlquiz doctor
    """
    from dlquiz import health
    from dlquiz.ui import checks_view

    checks = health.run(workspace(ctx))
    console().print(checks_view(checks))
    if not all(c.ok for c in checks):
        raise typer.Exit(1)


@command("Where your progress and settings live.")
def path(ctx: typer.Context) -> None:
    """Print where dlquiz keeps your progress, settings and cache.

    Example: dlquiz path
    """
    from dlquiz.text import literal

    ws = workspace(ctx)
    for name, value in (*ws.paths.named(), ("bank", ws.bank_path())):
        typer.echo(f"{name + ':':<10}{literal(str(value))}")


def main() -> None:
    """The console script: whatever the terminal or the output, one line and a status, never
    a traceback."""
    from dlquiz import streams

    streams.make_usable()
    try:
        try:
            app()
        finally:
            if sys.stdout is not None:
                sys.stdout.flush()  # so that a full device fails here, where it is reported
    except BrokenPipeError:
        # `dlquiz list | head`: the reader left; say nothing more
        streams.silence_stdout()
        sys.exit(1)
    except OSError as e:  # stdout on a full device, or a write error nothing else caught
        streams.silence_stdout()
        what = f"{e.filename}" if e.filename is not None else "cannot write the output"
        fail_line = f"{what}: {e.strerror or e}"
        from dlquiz.text import literal

        sys.stderr.write(f"Error: {literal(fail_line)}\n")
        sys.exit(1)
