"""The `dlquiz` command: thin Typer commands that wire the core to the terminal.

Each command loads what it needs, calls the core, and renders the result. Failures the user can
act on (a bad bank, a damaged store, an unknown topic) end as one line, `Error: ...`, with exit
status 1 (2 for a misused option); never as a traceback.

No `from __future__ import annotations` here: Typer reads every command's signature at each
start, and string annotations would make it `eval` them all (about 4 ms of `dlquiz stats`).
Names imported only for type checking are quoted instead.
"""

import functools
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from difflib import get_close_matches
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NamedTuple, NoReturn, ParamSpec, TextIO

import typer

from dlquiz import __version__
from dlquiz.paths import BANK_ENV, HOME_ENV, Paths, resolve

if TYPE_CHECKING:
    from rich.console import Console

    from dlquiz.bank import Bank, Problem
    from dlquiz.clock import StudyDays
    from dlquiz.config import Config
    from dlquiz.store import Store

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


class State(NamedTuple):
    """What the global options chose; commands read it from the context."""

    paths: Paths
    bank_option: Path | None


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
        from dlquiz.store import StoreError

        try:
            command(*args, **kwargs)
        except (StoreError, ConfigError) as e:
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
    ctx.obj = State(paths=resolve(home), bank_option=bank)


# --- wiring ------------------------------------------------------------------------------------


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    assert isinstance(obj, State)
    return obj


def load_config(ctx: typer.Context) -> "Config":
    from dlquiz.config import load

    return load(state(ctx).paths.config)


def bank_path(ctx: typer.Context, config: "Config | None" = None) -> Path:
    from dlquiz.bank import default_bank_path

    st = state(ctx)
    if st.bank_option is not None:
        return st.bank_option
    if config is not None and config.bank:
        return Path(config.bank).expanduser()
    return default_bank_path()


def load_bank(ctx: typer.Context, config: "Config | None" = None) -> "Bank":
    from dlquiz import bankcache

    return bankcache.load(bank_path(ctx, config), state(ctx).paths.cache)


def open_store(ctx: typer.Context) -> "Store":
    from dlquiz.store import Store

    return Store.open(state(ctx).paths.store)


def study_days(config: "Config") -> "StudyDays":
    from dlquiz.clock import StudyDays

    return StudyDays(None, config.rollover_hour)  # the system's local time


def parse_topics(bank: "Bank", values: list[str] | None) -> tuple[str, ...]:
    """`--topic cnn --topic rnn` or `--topic cnn,rnn`; unknown topics are a usage error."""
    chosen: list[str] = []
    for value in values or []:
        for part in value.split(","):
            topic = part.strip().lower()
            if not topic:
                continue
            if topic not in bank.topics:
                near = get_close_matches(topic, list(bank.topics), n=1, cutoff=0.5)
                suggestion = f"; did you mean {near[0]!r}?" if near else ""
                fail(
                    f"unknown topic {topic!r}{suggestion} Topics: {', '.join(bank.topics)}",
                    code=2,
                )
            if topic not in chosen:
                chosen.append(topic)
    return tuple(chosen)


TopicOption = Annotated[
    list[str] | None,
    typer.Option(
        "--topic", "-t", help="Only these topics (repeat, or comma-separate).", show_default=False
    ),
]
RetentionOption = Annotated[
    float | None,
    typer.Option(
        "--retention",
        min=0.7,
        max=0.99,
        help="Desired probability of recall at review time [default: 0.9].",
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


# --- studying ----------------------------------------------------------------------------------


def _study(
    ctx: typer.Context,
    mode_name: str,
    topics_arg: list[str] | None,
    new: int | None,
    limit: int | None,
    retention: float | None,
) -> None:
    from dlquiz.clock import system_clock
    from dlquiz.scheduler import Scheduling
    from dlquiz.session import Mode, Options, Session
    from dlquiz.study import LineKeys, StudyLoop, TerminalKeys
    from dlquiz.ui import nothing_due, nothing_studied

    config = load_config(ctx)
    bank = load_bank(ctx, config)
    topics = parse_topics(bank, topics_arg)
    mode = Mode(mode_name)
    out = console()
    with open_store(ctx) as store:
        session = Session(
            bank=bank,
            store=store,
            scheduling=Scheduling(retention if retention is not None else config.desired_retention),
            days=study_days(config),
            clock=system_clock,
            options=Options(
                mode=mode,
                topics=topics,
                new_per_day=new if new is not None else config.new_per_day,
                limit=limit,
            ),
        )
        if session.next() is None:
            if mode is Mode.PRACTICE:
                waiting = session.new_waiting()
                out.print(nothing_due(session.next_due(), system_clock(), topics, waiting))
            elif topics:
                out.print("No questions in these topics.")
            else:
                counts = bank.topic_counts()
                out.print(nothing_studied(next((t for t, n in counts.items() if n), None)))
            return
        keys = TerminalKeys(out) if sys.stdin.isatty() else LineKeys(out)
        outcome = StudyLoop(session, out, keys, mode.value).run()
    if outcome.error:
        fail(outcome.error)
    if outcome.exit_code:
        raise typer.Exit(outcome.exit_code)


@app.command(short_help="Today's session: due cards, then new ones.")
@reported
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


@app.command(short_help="Drill topics now: due, then weakest, then new.")
@reported
def review(
    ctx: typer.Context,
    topic: TopicOption = None,
    limit: LimitOption = None,
    retention: RetentionOption = None,
) -> None:
    """Drill topics now, whatever is due: due first, then weakest, then unseen.

    Example: dlquiz review --topic cnn --limit 10
    """
    _study(ctx, "review", topic, None, limit, retention)


# --- the bank ----------------------------------------------------------------------------------


@app.command(short_help="Check a bank file; list every problem.")
@reported
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
    from dlquiz.ui import validation_ok

    target = path if path is not None else bank_path(ctx, load_config(ctx))
    try:
        bank = load_bank(target)
    except BankError as e:
        from dlquiz.text import counted, literal

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


@app.command(short_help="List the topics and their question counts.")
@reported
def topics(ctx: typer.Context) -> None:
    """List the topics with their question counts.

    Example: dlquiz topics
    """
    from dlquiz.ui import topics_table

    console().print(topics_table(load_bank(ctx, load_config(ctx))))


@app.command("list", short_help="List the questions, by topic if asked.")
@reported
def list_questions(ctx: typer.Context, topic: TopicOption = None) -> None:
    """List the questions, optionally of some topics.

    Example: dlquiz list --topic cnn
    """
    from dlquiz.ui import questions_table

    bank = load_bank(ctx, load_config(ctx))
    chosen = parse_topics(bank, topic)
    title = bank.title + (f" · {', '.join(chosen)}" if chosen else "")
    console().print(questions_table(bank.with_topics(chosen), title))


@app.command(short_help="Show a question, its answer and key points.")
@reported
def show(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="A question id or number, e.g. pooling or 43.")],
) -> None:
    """Show a question with its answer, key points and the corrections made to the source.

    Example: dlquiz show pooling
    """
    from dlquiz.ui import question_view

    bank = load_bank(ctx, load_config(ctx))
    found = bank.find(question)
    if found is None:
        keys = [q.id for q in bank.questions]
        near = get_close_matches(question.lower(), keys, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(near)}?" if near else "; `dlquiz list` shows them all"
        fail(f"no question {question!r} in {bank.path.name}{hint}", code=2)
    console().print(question_view(bank, found))


@app.command("grade", short_help="Grade an answer by its key points.")
@reported
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

    bank = load_bank(ctx, load_config(ctx))
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
    found = bank.find(question)
    if found is None:
        fail(f"no question {question!r} in {bank.path.name}; `dlquiz list` shows them", code=2)
    result = matching.grade(sys.stdin.read() if answer is None else answer, found)
    if as_json:
        typer.echo(json.dumps(matching.as_record(found, result, detail=True), ensure_ascii=False))
    else:
        from dlquiz.ui import coverage_view

        console().print(coverage_view(result))


# --- progress ----------------------------------------------------------------------------------


@app.command(short_help="Your progress: mastery, retention, forecast.")
@reported
def stats(
    ctx: typer.Context,
    topic: TopicOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print every figure as JSON.")] = False,
    days: Annotated[
        int, typer.Option("--days", min=7, max=3660, help="Days of activity to show.")
    ] = 182,
) -> None:
    """Your progress: mastery, retention, forecast, activity and weakest topics.

    Example: dlquiz stats --topic cnn
    """
    from dlquiz import stats as figures
    from dlquiz.clock import system_clock

    config = load_config(ctx)
    bank = load_bank(ctx, config)
    chosen = parse_topics(bank, topic)
    with open_store(ctx) as store:
        from dlquiz.scheduler import Scheduling

        scheduling = Scheduling(config.desired_retention)
        result = figures.compute(
            store,
            bank,
            now=system_clock(),
            days=study_days(config),
            recall=scheduling.retrievability,
            desired_retention=config.desired_retention,
            topics=chosen,
            activity_days=days,
        )
    if as_json:
        typer.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
        return
    from dlquiz.dashboard import dashboard

    console().print(dashboard(result))


# --- ways in and out ---------------------------------------------------------------------------


class ExportKind(StrEnum):
    reviews = "reviews"
    cards = "cards"
    deck = "deck"


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"


@app.command(short_help="Export reviews or cards, or an Anki deck.")
@reported
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
) -> None:
    """Export your review log or card states (CSV, JSON), or the bank as an Anki deck.

    Example: dlquiz export reviews --format json -o reviews.json
    """
    from dlquiz import export as out

    bank = load_bank(ctx, load_config(ctx))
    if what is ExportKind.deck:
        target = output or Path(f"{bank.id}.apkg")
        count = out.write_apkg(bank, target)
        typer.echo(f"Wrote {count} notes to {target} (import it in Anki: File > Import).")
        return
    with open_store(ctx) as store, _opened(output) as stream:
        records = out.reviews(store, bank) if what is ExportKind.reviews else out.cards(store, bank)
        if fmt is ExportFormat.json:
            count = out.write_json(records, what.value, bank, stream)
        else:
            fields = out.REVIEW_FIELDS if what is ExportKind.reviews else out.CARD_FIELDS
            count = out.write_csv(records, fields, stream)
    if output is not None:
        typer.echo(f"Wrote {count} {what.value} to {output}.")


@contextmanager
def _opened(output: Path | None) -> Iterator[TextIO]:
    if output is None:
        yield sys.stdout
        return
    try:
        with output.open("w", encoding="utf-8", newline="") as f:
            yield f
    except OSError as e:
        fail(f"cannot write {output}: {e.strerror}")


@app.command(short_help="Forget progress, keeping a backup.")
@reported
def reset(
    ctx: typer.Context,
    topic: TopicOption = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Forget your progress (all of it, or some topics'), keeping a backup of the store.

    Example: dlquiz reset --topic cnn
    """
    from datetime import datetime

    from dlquiz.text import counted, noun

    bank = load_bank(ctx, load_config(ctx))
    chosen = parse_topics(bank, topic)
    ids = {q.id for q in bank.with_topics(chosen)} if chosen else None
    scope = f"{noun(len(chosen), 'topic')} {', '.join(chosen)}" if chosen else f"bank {bank.id!r}"
    with open_store(ctx) as store:
        cards, reviews = store.counts(bank.id, ids)
        if cards == 0 and reviews == 0:
            typer.echo(f"Nothing to reset: no progress recorded for {scope}.")
            return
        forgotten = f"{counted(cards, 'card')} and {counted(reviews, 'review')} of {scope}"
        if not yes and not _confirm(f"Forget {forgotten}?"):
            typer.echo("Nothing changed.")
            raise typer.Exit(1)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        backup = state(ctx).paths.backups / f"progress-{stamp}.db"
        store.backup(backup)
        store.forget(bank.id, ids)
    typer.echo(f"Forgot {forgotten}.")
    typer.echo(f"Backup: {backup} (to undo: copy it over {state(ctx).paths.store})")


def _confirm(question: str) -> bool:
    try:
        return typer.confirm(question, default=False)
    except typer.Abort:  # Ctrl-C, or no answer on stdin
        typer.echo()
        return False


@app.command(short_help="Check the store, bank and settings.")
@reported
def doctor(ctx: typer.Context) -> None:
    """Check your progress store, bank and settings, and say what to do about problems.

    Example: dlquiz doctor
    """
    from dlquiz import health
    from dlquiz.config import ConfigError
    from dlquiz.ui import checks_view

    try:
        config: Config | None = load_config(ctx)
    except ConfigError:
        config = None  # the settings check reports it
    checks = health.run(state(ctx).paths, bank_path(ctx, config))
    console().print(checks_view(checks))
    if not all(c.ok for c in checks):
        raise typer.Exit(1)


@app.command(short_help="Where your progress and settings live.")
@reported
def path(ctx: typer.Context) -> None:
    """Print where dlquiz keeps your progress, settings and cache.

    Example: dlquiz path
    """
    paths = state(ctx).paths
    typer.echo(f"home:     {paths.home}")
    typer.echo(f"progress: {paths.store}")
    typer.echo(f"settings: {paths.config}")
    typer.echo(f"cache:    {paths.cache}")
    typer.echo(f"bank:     {bank_path(ctx, load_config(ctx))}")


def main() -> None:
    """The console script."""
    try:
        app()
    except BrokenPipeError:
        # `dlquiz list | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
