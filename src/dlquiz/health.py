"""`dlquiz doctor`: check the store, the bank and the settings, and say what to do.

Every check is read-only: a damaged store is described, never repaired or overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dlquiz import bankcache
from dlquiz.bank import Bank, BankError
from dlquiz.config import Config, ConfigError
from dlquiz.config import load as load_config
from dlquiz.paths import Paths
from dlquiz.store import SCHEMA_VERSION, Store, StoreError, check_file
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
    checks.extend(_store(paths.store, bank))
    return checks


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
        bank = bankcache.load(bank_path, paths.cache)
    except BankError as e:
        return None, Check(
            "bank",
            False,
            f"{e.problems[0]} ({counted(len(e.problems), 'problem')}: "
            f"run `dlquiz validate {bank_path}`)",
        )
    return bank, Check("bank", True, f"{bank_path}: {counted(len(bank.questions), 'question')}")


def _store(path: Path, bank: Bank | None) -> list[Check]:
    if not path.exists():
        return [Check("progress", True, f"no store yet at {path}: `dlquiz practice` creates it")]
    try:
        check_file(path)
        store = Store.open(path, create=False)
    except StoreError as e:
        return [Check("progress", False, str(e))]
    with store:
        checks: list[Check] = []
        try:
            problems = store.integrity()
        except StoreError as e:
            problems = [str(e)]
        if problems:
            checks.append(
                Check(
                    "integrity",
                    False,
                    f"{path}: {problems[0]}. Keep a copy (cp '{path}' '{path}.bak'), then try "
                    f"`sqlite3 '{path}' .recover | sqlite3 recovered.db`",
                )
            )
        else:
            checks.append(Check("integrity", True, f"{path} (schema {SCHEMA_VERSION})"))
        if bank is not None:
            cards, reviews = store.counts(bank.id)
            ids = {q.id for q in bank.questions}
            orphans = sorted(set(store.cards(bank.id)) - ids)
            detail = f"{counted(cards, 'card')}, {counted(reviews, 'review')} for bank {bank.id!r}"
            if orphans:
                detail += f"; {len(orphans)} no longer in the bank (kept, not asked): " + ", ".join(
                    orphans[:5]
                )
            checks.append(Check("progress", True, detail))
    return checks
