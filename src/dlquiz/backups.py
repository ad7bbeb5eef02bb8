"""Forgetting progress safely: a backup before every reset, and a restore that cannot lose it.

A reset copies the whole store (SQLite's online backup, consistent even mid-use) to a new file in
the backups folder before it deletes anything; two resets in the same second still get two files.
A restore goes through SQLite too: the backup's pages are copied *into* the open store, so the
store's write-ahead log is applied or superseded as SQLite intends. Copying a backup over
`progress.db` by hand instead lets a left-over `progress.db-wal` be replayed over the restored file.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from dlquiz.bank import Bank
from dlquiz.store import Store, StoreError, exclusive_use, inspect, refuse_newer
from dlquiz.text import counted, literal, noun

if TYPE_CHECKING:
    from collections.abc import Callable

    from dlquiz.workspace import Workspace


class Reset(NamedTuple):
    cards: int
    reviews: int
    backup: Path


class ResetPlan(NamedTuple):
    """What a reset would forget: the questions (None: the whole bank) and, in words, how much
    of what (`3 cards and 7 reviews of topic cnn`); `empty` when there is nothing to forget."""

    question_ids: set[str] | None
    scope: str
    described: str
    empty: bool


def plan_reset(store: Store, bank: Bank, topics: tuple[str, ...]) -> ResetPlan:
    """What `dlquiz reset` (narrowed to `topics`) would forget, before asking."""
    ids = {q.id for q in bank.with_topics(topics)} if topics else None
    scope = f"{noun(len(topics), 'topic')} {', '.join(topics)}" if topics else f"bank {bank.id!r}"
    cards, reviews = store.counts(bank.id, ids)
    described = f"{counted(cards, 'card')} and {counted(reviews, 'review')} of {scope}"
    return ResetPlan(ids, scope, described, cards == 0 and reviews == 0)


def new_backup_path(folder: Path, now: datetime) -> Path:
    """A backup file name that no other backup has: `progress-20261130-091502.db`, then `-2`...

    The name is reserved by creating the file exclusively, so two resets at once cannot pick the
    same one."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise StoreError(f"cannot keep a backup: {folder} is a file, not a folder") from None
    except OSError as e:
        raise StoreError(f"cannot create the backup folder {folder}: {e.strerror}") from None
    if not folder.is_dir():
        raise StoreError(f"cannot keep a backup: {folder} is a file, not a folder")
    stamp = now.astimezone().strftime("%Y%m%d-%H%M%S")
    for n in range(1, 1000):
        path = folder / (f"progress-{stamp}.db" if n == 1 else f"progress-{stamp}-{n}.db")
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            continue
        except OSError as e:
            raise StoreError(f"cannot write a backup in {folder}: {e.strerror}") from None
        return path
    raise StoreError(f"cannot name a new backup in {folder}: too many backups this second")


def backup(store: Store, folder: Path, now: datetime) -> Path:
    """A consistent copy of the whole store in a new file of `folder`."""
    path = new_backup_path(folder, now)
    try:
        store.backup(path)
    except StoreError:
        path.unlink(missing_ok=True)
        raise
    return path


def reset(
    store: Store, bank_id: str, question_ids: set[str] | None, folder: Path, now: datetime
) -> Reset:
    """Back up the store, then forget the progress of a bank (or of some of its questions)."""
    kept = backup(store, folder, now)
    cards, reviews = store.forget(bank_id, question_ids)
    return Reset(cards, reviews, kept)


def check_backup(path: Path) -> int:
    """The schema version of a backup file; StoreError if it is not a dlquiz store we can read."""
    if not path.is_file():
        raise StoreError(f"no backup file at {path}")
    version, is_store, check = inspect(path)
    if not is_store:
        raise StoreError(f"{path} is not a dlquiz backup (no cards or reviews in it)")
    refuse_newer(path, version)
    if check != "ok":
        raise StoreError(f"{path} is damaged ({check}); it cannot be restored")
    return version


def restore(source: Path, store_path: Path, folder: Path, now: datetime) -> Path:
    """Replace the store's content with a backup's; returns the backup of the store as it was.

    Refused while another dlquiz has the store open, since that session would go on writing
    over the restored progress."""
    check_backup(source)
    with exclusive_use(store_path):
        with Store.open(store_path) as store:
            before = backup(store, folder, now)
            store.copy_from(source)
        Store.open(store_path).close()  # an older backup is migrated now, not at the next use
    return before


def reset_progress(
    workspace: Workspace, topics: list[str] | None, ask: Callable[[str], bool], now: datetime
) -> tuple[str, bool]:
    """`dlquiz reset`: back up the store, then forget the bank's progress (or some topics'),
    once `ask` agrees. What happened, for the person, and False when the person said no."""
    bank = workspace.bank()
    with workspace.open_store() as store:
        plan = plan_reset(store, bank, bank.resolve_topics(topics))
        if plan.empty:
            return f"Nothing to reset: no progress recorded for {plan.scope}.", True
        if not ask(f"Forget {plan.described}?"):
            return "Nothing changed.", False
        done = reset(store, bank.id, plan.question_ids, workspace.paths.backups, now)
    kept = literal(str(done.backup))
    return f"Forgot {plan.described}.\nBackup: {kept}\nTo undo: dlquiz restore '{kept}'", True


def restore_progress(
    workspace: Workspace, source: Path, ask: Callable[[str], bool], now: datetime
) -> tuple[str, bool]:
    """`dlquiz restore`: put back a backup once `ask` agrees, keeping the progress it replaces.
    What happened, for the person, and False when the person said no."""
    check_backup(source)
    store_path = workspace.paths.store
    if not ask(f"Replace all progress in {store_path} with {source}?"):
        return "Nothing changed.", False
    before = restore(source, store_path, workspace.paths.backups, now)
    return (
        f"Restored {literal(str(source))}.\n"
        f"The progress it replaced is kept in {literal(str(before))}",
        True,
    )
