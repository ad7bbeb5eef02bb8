"""The `dlquiz` command: thin Typer commands that wire the core to the terminal.

Each command reads its options (declared in `options`), asks the core (`Workspace` for the
home, the bank and the store), and hands the result to `ui` or prints JSON; `reporting` turns
failures into one line and an exit status. No `from __future__ import annotations`: Typer
would `eval` every signature's strings at each start (about 4 ms of `dlquiz stats`).
"""

import json
import sys
from collections.abc import Callable
from typing import ParamSpec

import typer

from dlquiz import options as opt
from dlquiz.paths import resolve
from dlquiz.reporting import confirm_with, console, fail, lines, reported, run
from dlquiz.workspace import Workspace

P = ParamSpec("P")
Context = typer.Context

app = typer.Typer(
    name="dlquiz",
    help="Drill the 50 classic deep-learning interview questions with spaced repetition.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def command(
    short_help: str, name: str | None = None
) -> Callable[[Callable[P, None]], Callable[P, None]]:
    """Register a command with its one-line summary; its errors end as one line (`reported`)."""

    def register(function: Callable[P, None]) -> Callable[P, None]:
        return app.command(name, short_help=short_help)(reported(function))

    return register


def workspace(ctx: Context) -> Workspace:
    obj = ctx.find_root().obj
    assert isinstance(obj, Workspace)
    return obj


@app.callback()
def main_options(
    ctx: Context,
    home: opt.Home = None,
    bank: opt.BankFile = None,
    version: opt.Version = False,
) -> None:
    """Drill the 50 classic deep-learning interview questions with spaced repetition.

    Start with `dlquiz practice`; see progress with `dlquiz stats`.
    """
    ctx.obj = Workspace(resolve(home), bank)


# --- studying ----------------------------------------------------------------------------------


def _study(
    ctx: Context, mode: str, topics: list[str] | None, new: int | None, limit: int | None,
    retention: float | None,
) -> None:  # fmt: skip
    from dlquiz.study import run_session

    outcome = run_session(workspace(ctx), mode, topics, new, limit, retention, console=console())
    if outcome.error:
        fail(outcome.error)
    if outcome.exit_code:
        raise typer.Exit(outcome.exit_code)


@command("Today's session: due cards, then new ones.")
def practice(
    ctx: Context,
    topic: opt.Topics = None,
    new: opt.NewPerDay = None,
    limit: opt.Limit = None,
    retention: opt.Retention = None,
) -> None:
    """Today's spaced-repetition session: due cards, then new ones.

    Example: dlquiz practice --new 5 --limit 20
    """
    _study(ctx, "practice", topic, new, limit, retention)


@command("Drill topics now: due, then weakest, then new.")
def review(
    ctx: Context, topic: opt.Topics = None, limit: opt.Limit = None, retention: opt.Retention = None
) -> None:
    """Drill topics now, whatever is due: due cards first, then the weakest, then unseen.

    Example: dlquiz review --topic cnn --limit 10
    """
    _study(ctx, "review", topic, None, limit, retention)


# --- the bank ----------------------------------------------------------------------------------


@command("Check a bank file; list every problem.")
def validate(ctx: Context, path: opt.BankPath = None) -> None:
    """Check a bank file and list every problem in it.

    Example: dlquiz validate my-bank.yaml
    """
    from dlquiz.bank import BankError, load_bank
    from dlquiz.ui import validation_ok

    try:
        bank = load_bank(path if path is not None else workspace(ctx).bank_path())
    except BankError as e:
        lines(e.problems, "problem", " found.")
        raise typer.Exit(1) from None
    console().print(validation_ok(bank))
    lines(bank.warnings, "warning")


@command("List the topics and their question counts.")
def topics(ctx: Context) -> None:
    """List the topics with their question counts.

    Example: dlquiz topics
    """
    from dlquiz.ui import topics_table

    console().print(topics_table(workspace(ctx).bank()))


@command("List the questions, by topic if asked.", name="list")
def list_questions(ctx: Context, topic: opt.Topics = None) -> None:
    """List the questions, optionally of some topics.

    Example: dlquiz list --topic cnn
    """
    from dlquiz.ui import questions_table

    bank = workspace(ctx).bank()
    chosen = bank.resolve_topics(topic)
    title = bank.title + (f" · {', '.join(chosen)}" if chosen else "")
    console().print(questions_table(bank.with_topics(chosen), title))


@command("Show a question, its answer and key points.")
def show(ctx: Context, question: opt.QuestionId) -> None:
    """Show a question with its answer, key points and the corrections made to the source.

    Example: dlquiz show pooling
    """
    from dlquiz.ui import question_view

    bank = workspace(ctx).bank()
    console().print(question_view(bank, bank.lookup(question)))


def _suspension(ctx: Context, question: str, suspend: bool) -> None:
    from dlquiz.clock import system_clock
    from dlquiz.session import set_suspended

    ws = workspace(ctx)
    qid = ws.bank().lookup(question).id
    with ws.open_store() as store:
        typer.echo(set_suspended(store, ws.bank().id, qid, suspend, system_clock()))


@command("Set a card aside: practice and review skip it.")
def suspend(ctx: Context, question: opt.QuestionId) -> None:
    """Set a card aside (a leech, or a question you do not need): practice and review never
    show it until you unsuspend it. Its progress is kept.

    Example: dlquiz suspend pooling
    """
    _suspension(ctx, question, suspend=True)


@command("Bring a suspended card back.")
def unsuspend(ctx: Context, question: opt.QuestionId) -> None:
    """Bring a suspended card back into practice and review, with its progress as it was.

    Example: dlquiz unsuspend pooling
    """
    _suspension(ctx, question, suspend=False)


@command("Grade an answer by its key points.", name="grade")
def grade_answer(
    ctx: Context,
    question: opt.GradedQuestion = None,
    answer: opt.Answer = None,
    as_json: opt.OneJson = False,
    jsonl: opt.JsonLines = False,
) -> None:
    """Grade an answer: which key points it covers and the rating it suggests (none when the
    grader can't tell).

    Example: dlquiz grade pooling "halves height and width, max or average, no weights"
    """
    from dlquiz import matching

    bank = workspace(ctx).bank()
    if jsonl == (question is not None):
        fail("give a QUESTION id, or --jsonl (which reads the ids from stdin)", code=2)
    if question is None:
        raise typer.Exit(0 if matching.grade_jsonl(sys.stdin, bank.find, typer.echo) else 1)
    found = bank.lookup(question)
    result = matching.grade(answer if answer is not None else sys.stdin.read(), found)
    if as_json:
        typer.echo(json.dumps(matching.as_record(found, result, detail=True), ensure_ascii=False))
    else:
        from dlquiz.ui import coverage_view

        console().print(coverage_view(result))


# --- progress ----------------------------------------------------------------------------------


@command("Your progress, and what to study now.")
def stats(
    ctx: Context,
    topic: opt.Topics = None,
    as_json: opt.Json = False,
    days: opt.ActivityDays = 182,
    section: opt.Sections = None,
    show_all: opt.AllSections = False,
) -> None:
    """Your progress: what to do now (due, new cards left, streak, retention against the
    target, the weakest topic), then overview, retention and topics; more with --section or --all.

    Example: dlquiz stats --section forecast --section activity
    """
    from dlquiz import stats as figures
    from dlquiz.clock import system_clock
    from dlquiz.model import STATS_SECTIONS

    ws = workspace(ctx)
    chosen = list(STATS_SECTIONS if show_all else section or ())
    extras = as_json or figures.needs_extras(chosen)
    with ws.open_store() as store:
        topics = ws.bank().resolve_topics(topic)
        result = figures.gather(ws, store, topics, days, system_clock(), extras)
    if as_json:
        typer.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
        return
    from dlquiz.dashboard import dashboard

    console().print(dashboard(result, chosen or None))


@command("Set an interview date and get ready for it.")
def interview(
    ctx: Context,
    day: opt.InterviewDate = None,
    at: opt.InterviewTime = None,
    target: opt.Target = None,
    clear: opt.Clear = False,
) -> None:
    """Set an interview date: until then, practice brings cards forward so that each is
    recalled on the day. Without a date, show the one set and the plan.

    Example: dlquiz interview 2026-12-21 --time 14:30
    """
    from dlquiz.clock import system_clock
    from dlquiz.interview import set_and_plan

    said, plan = set_and_plan(workspace(ctx), day, at, target, clear, system_clock())
    if said:
        typer.echo(said)
    if plan is not None:
        from dlquiz.dashboard import interview as readiness

        console().print(readiness(plan))


@command("Fit the memory model to your own reviews.")
def optimize(ctx: Context, as_json: opt.Json = False, reset: opt.ResetModel = False) -> None:
    """Fit FSRS's memory model to your review log; keep it only if it predicts you better.

    Exit status 1, with nothing changed, when there are too few reviews yet.

    Example: dlquiz optimize --json
    """
    from dlquiz import optimize as fitting
    from dlquiz.clock import system_clock

    fit, current, said = fitting.run(workspace(ctx), reset, system_clock())
    if fit is None or as_json:
        typer.echo(said if fit is None else json.dumps(fit.to_json(), indent=2))
    elif fit.needed:
        fail(fitting.too_few(fit))
    else:
        from dlquiz.ui import fit_view

        console().print(fit_view(fit, "defaults" if current is None else "in use"))
    if fit is not None and fit.needed:
        raise typer.Exit(1)


# --- ways in and out ---------------------------------------------------------------------------


@command("Export reviews or cards, or an Anki deck.")
def export(
    ctx: Context,
    what: opt.What = opt.ExportKind.reviews,
    fmt: opt.Format = opt.ExportFormat.csv,
    output: opt.Output = None,
    force: opt.Force = False,
) -> None:
    """Export your review log or card states (CSV, JSON), or the bank as an Anki deck.

    Example: dlquiz export reviews --format json -o reviews.json
    """
    from dlquiz.export import export as write

    said = write(workspace(ctx), what.value, fmt.value, output, force)
    if said:
        typer.echo(said)


@command("Forget progress, keeping a backup.")
def reset(ctx: Context, topic: opt.Topics = None, yes: opt.Yes = False) -> None:
    """Forget your progress (all of it, or some topics'), keeping a backup of the store.

    Example: dlquiz reset --topic cnn
    """
    from dlquiz.backups import reset_progress
    from dlquiz.clock import system_clock

    said, ok = reset_progress(workspace(ctx), topic, confirm_with(yes), system_clock())
    typer.echo(said)
    if not ok:
        raise typer.Exit(1)


@command("Put back progress from a backup.")
def restore(ctx: Context, backup: opt.Backup, yes: opt.Yes = False) -> None:
    """Put back the progress kept in a backup; the progress it replaces is backed up first.

    Example: dlquiz restore ~/.local/share/dlquiz/backups/progress-20261130-091502.db
    """
    from dlquiz.backups import restore_progress
    from dlquiz.clock import system_clock

    said, ok = restore_progress(workspace(ctx), backup, confirm_with(yes), system_clock())
    typer.echo(said)
    if not ok:
        raise typer.Exit(1)


@command("Check the store, bank and settings.")
def doctor(ctx: Context) -> None:
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
def path(ctx: Context) -> None:
    """Print where dlquiz keeps your progress, settings and cache.

    Example: dlquiz path
    """
    from dlquiz.text import literal

    ws = workspace(ctx)
    for name, value in (*ws.paths.named(), ("bank", ws.bank_path())):
        typer.echo(f"{name + ':':<10}{literal(str(value))}")


def main() -> None:
    """The console script."""
    run(app)
