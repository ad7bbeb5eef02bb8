"""How a command's outcome reaches the person: the console, confirmations, and failures as one
line with an exit status, never a traceback.

Every dlquiz command runs inside `reported`: the core's own errors (an unknown name, a bad bank,
a damaged store, an export that cannot be written) become `Error: ...` on stderr with exit
status 2 for a misuse and 1 otherwise; Ctrl-C exits 130. `run` wraps the whole process for what
no command can catch: a reader that left (`dlquiz list | head`) or stdout on a full device.
"""

import functools
import gc
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, NoReturn, ParamSpec

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from dlquiz.bank import Problem

P = ParamSpec("P")


def console() -> "Console":
    from rich.console import Console

    return Console(highlight=False, emoji=False)


def fail(message: str, code: int = 1) -> NoReturn:
    """End the command with `Error: message` on stderr; `code` 2 means it was misused."""
    from dlquiz.text import literal

    sys.stderr.write(f"Error: {literal(message)}\n")
    raise typer.Exit(code)


def lines(problems: "tuple[Problem, ...] | list[Problem]", noun: str, end: str = ".") -> None:
    """Problems or warnings on stderr, `path:line: field: message` one a line, then a count
    (`3 problems found.`)."""
    from dlquiz.text import counted, literal

    for problem in problems:
        typer.echo(literal(str(problem)), err=True)
    if problems:
        typer.echo(f"{counted(len(problems), noun)}{end}", err=True)


def confirm(question: str) -> bool:
    """Ask yes or no (no by default); Ctrl-C or no answer on stdin means no."""
    from dlquiz.text import literal

    try:
        return typer.confirm(literal(question), default=False)
    except typer.Abort:
        typer.echo()
        return False


def confirm_with(yes: bool) -> Callable[[str], bool]:
    """The question asker for a command with `--yes`: yes at once when given, else `confirm`."""
    return (lambda question: True) if yes else confirm


def reported(command: Callable[P, None]) -> Callable[P, None]:
    """Turn the core's errors, and Ctrl-C, into a one-line message and an exit status."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
        from dlquiz.bank import BankError
        from dlquiz.config import ConfigError
        from dlquiz.model import ExportError, FitError, UsageError
        from dlquiz.store import StoreError

        try:
            command(*args, **kwargs)
        except UsageError as e:
            fail(str(e), code=2)
        except (StoreError, ConfigError, ExportError, FitError) as e:
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


def run(app: Callable[[], object]) -> None:
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
            # The command is done and the process is about to exit. Python's exit-time garbage
            # collections walk every object still alive (each module, class and function),
            # for nothing: the memory goes back to the system anyway. Frozen objects are left
            # out of them, which takes about 7% off a short command such as `dlquiz stats`.
            # Files and the store are closed by the commands themselves, never by collection.
            gc.freeze()
    except BrokenPipeError:
        # `dlquiz list | head`: the reader left; say nothing more
        streams.silence_stdout()
        sys.exit(1)
    except OSError as e:  # stdout on a full device, or a write error nothing else caught
        streams.silence_stdout()
        what = f"{e.filename}" if e.filename is not None else "cannot write the output"
        from dlquiz.text import literal

        sys.stderr.write(f"Error: {literal(f'{what}: {e.strerror or e}')}\n")
        sys.exit(1)
