"""A dlquiz home as a command sees it: its paths, its settings, the bank in use and the store.

Every command needs the same few things, resolved the same way: the settings file merged with the
command line, the bank named by `--bank`, `DLQUIZ_BANK` or the settings (else the shipped one),
the progress store, the study days in local time, and the scheduler. They are built here, on
demand and once each, so that `cli.py` only wires options to them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from dlquiz.paths import Paths

if TYPE_CHECKING:
    from dlquiz.bank import Bank
    from dlquiz.clock import StudyDays
    from dlquiz.config import Config
    from dlquiz.scheduler import Scheduling
    from dlquiz.store import Store


class Workspace:
    """The files of one dlquiz home, and the bank chosen on the command line (if any)."""

    def __init__(self, paths: Paths, bank_option: Path | None = None) -> None:
        self.paths = paths
        self.bank_option = bank_option
        self._config: Config | None = None
        self._bank: Bank | None = None

    @property
    def config(self) -> Config:
        """The settings file (defaults where it is missing); ConfigError if it is bad."""
        if self._config is None:
            from dlquiz.config import load

            self._config = load(self.paths.config)
        return self._config

    def bank_path(self, config: Config | None = None) -> Path:
        """The bank in use: `--bank`/`DLQUIZ_BANK`, else the settings' `bank`, else ours.

        `config` is given when the settings may be unreadable (doctor reports that itself)."""
        if self.bank_option is not None:
            return self.bank_option
        settings = config if config is not None else self.config
        if settings.bank:
            return Path(settings.bank).expanduser()
        from dlquiz.bank import default_bank_path

        return default_bank_path()

    def bank(self, config: Config | None = None) -> Bank:
        """The bank in use, from the cache when the file has not changed."""
        if self._bank is None:
            from dlquiz import bankcache

            self._bank = bankcache.load(self.bank_path(config), self.paths.cache)
        return self._bank

    def open_store(self) -> Store:
        """The progress store, created and migrated as needed; close it (or use `with`)."""
        from dlquiz.store import Store

        return Store.open(self.paths.store)

    def days(self, config: Config | None = None) -> StudyDays:
        """Study days in the system's local time, from the settings' rollover hour."""
        from dlquiz.clock import StudyDays

        return StudyDays(None, (config or self.config).rollover_hour)

    def scheduling(self, config: Config | None = None) -> Scheduling:
        """The scheduler with the desired retention of `config` (default: the settings)."""
        from dlquiz.scheduler import Scheduling

        settings = config or self.config
        return Scheduling(settings.desired_retention, days=self.days(settings))
