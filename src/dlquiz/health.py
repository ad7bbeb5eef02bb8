"""`dlquiz doctor`: check the store, the bank and the settings, and say what to do.

Every check is read-only: the store is opened read-only (never migrated, never switched to WAL),
the bank cache is read but not written, and a damaged store is described, never repaired or
overwritten. Each check runs even when an earlier one fails, so the report is always whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dlquiz import bankcache
from dlquiz.bank import Bank, BankError
from dlquiz.config import Config, ConfigError
from dlquiz.config import load as load_config
from dlquiz.paths import Paths
from dlquiz.store import SCHEMA_VERSION, Store, StoreError
from dlquiz.text import counted
from dlquiz.workspace import Workspace


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def run(workspace: Workspace) -> list[Check]:
    """Every check, in order: settings, bank, store."""
    paths = workspace.paths
    try:
        bank_path = workspace.bank_path()
    except ConfigError:
        bank_path = workspace.bank_path(Config())  # the settings check reports it
    checks = [_config(paths)]
    bank, bank_check = _bank(paths, bank_path)
    checks.append(bank_check)
    if bank is not None:
        checks.extend(_shared_id(paths, bank))
    checks.extend(_store(paths.store, bank))
    return checks


def _shared_id(paths: Paths, bank: Bank) -> list[Check]:
    """Two different bank files with the same id share one progress: say so."""
    others = bankcache.same_id_elsewhere(paths.cache, bank)
    if not others:
        return []
    names = ", ".join(str(p) for p in others[:3])
    return [
        Check(
            "bank id",
            False,
            f"{bank.id!r} is also the id of {names}: the files share one progress (and a reset "
            "of one forgets the other's). Give one of them another id",
        )
    ]


def _config(paths: Paths) -> Check:
    if not paths.config.exists():
        return Check("settings", True, f"defaults ({paths.config} does not exist)")
    try:
        load_config(paths.config)
    except ConfigError as e:
        return Check("settings", False, str(e))
    return Check("settings", True, str(paths.config))


def _bank(paths: Paths, bank_path: Path) -> tuple[Bank | None, Check]:
    try:
        bank = bankcache.load(bank_path, paths.cache, write=False)
    except BankError as e:
        return None, Check(
            "bank",
            False,
            f"{e.problems[0]} ({counted(len(e.problems), 'problem')}: "
            f"run `dlquiz validate {bank_path}`)",
        )
    return bank, Check("bank", True, f"{bank_path}: {counted(len(bank.questions), 'question')}")


def _store(path: Path, bank: Bank | None) -> list[Check]:
    if not path.exists() and not path.is_symlink():
        return [Check("progress", True, f"no store yet at {path}: `dlquiz practice` creates it")]
    keep = f"Keep a copy first (cp '{path}' '{path}.bak')"
    try:
        store = Store.open_read_only(path)
    except StoreError as e:
        return [
            Check("progress", False, str(e).replace(", or run `dlquiz doctor` for details", ""))
        ]
    with store:
        checks: list[Check] = []
        try:
            version = store.schema_version()
            problems = store.integrity()
        except StoreError as e:
            version, problems = None, [_plain(e, path)]
        if problems:
            checks.append(
                Check(
                    "integrity",
                    False,
                    f"{path}: {problems[0]}. {keep}, then try "
                    f"`sqlite3 '{path}' .recover | sqlite3 recovered.db` and move the recovered "
                    f"file to {path.name}",
                )
            )
        elif version is not None and version > SCHEMA_VERSION:
            checks.append(
                Check(
                    "integrity",
                    False,
                    f"{path}: written by a newer dlquiz (schema {version}; this one knows "
                    f"{SCHEMA_VERSION}): upgrade dlquiz",
                )
            )
        else:
            later = (
                f"; upgraded to {SCHEMA_VERSION} at the next `dlquiz practice`"
                if version is not None and version < SCHEMA_VERSION
                else ""
            )
            checks.append(Check("integrity", True, f"{path} (schema {version}{later})"))
        if bank is not None and (version is None or version >= 1):
            checks.append(_progress(store, bank, path, keep))
    return checks


def _progress(store: Store, bank: Bank, path: Path, keep: str) -> Check:
    try:
        cards, reviews = store.counts(bank.id)
        orphans = sorted(set(store.cards(bank.id)) - {q.id for q in bank.questions})
    except StoreError as e:
        return Check(
            "progress",
            False,
            f"cannot read the progress of bank {bank.id!r}: {_plain(e, path)}. {keep}; "
            "`dlquiz export reviews -o reviews.csv` may still save the review log",
        )
    detail = f"{counted(cards, 'card')}, {counted(reviews, 'review')} for bank {bank.id!r}"
    if orphans:
        detail += f"; {len(orphans)} no longer in the bank (kept, not asked): " + ", ".join(
            orphans[:5]
        )
    return Check("progress", True, detail)


def _plain(error: StoreError, path: Path) -> str:
    """What SQLite said, without the advice to run doctor (this is doctor)."""
    return error.detail or str(error).replace(", or run `dlquiz doctor` for details", "")
