"""Where dlquiz keeps a person's files: one root for all user state.

The root is, in order of precedence: the `--home` option, the `DLQUIZ_HOME` environment
variable, or the platform's user data directory (via platformdirs). Everything else derives
from it, so `DLQUIZ_HOME=/tmp/x dlquiz ...` touches nothing outside /tmp/x.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import NamedTuple

APP_NAME = "dlquiz"
HOME_ENV = "DLQUIZ_HOME"
BANK_ENV = "DLQUIZ_BANK"


class Paths(NamedTuple):
    """The files of one dlquiz home."""

    home: Path
    cache: Path

    @property
    def store(self) -> Path:
        return self.home / "progress.db"

    @property
    def config(self) -> Path:
        return self.home / "config.toml"

    @property
    def backups(self) -> Path:
        return self.home / "backups"

    def named(self) -> tuple[tuple[str, Path], ...]:
        """What `dlquiz path` lists, in order."""
        return (
            ("home", self.home),
            ("progress", self.store),
            ("settings", self.config),
            ("cache", self.cache),
        )

    def own_files(self) -> tuple[Path, ...]:
        """Files and folders dlquiz writes itself, which no export may overwrite."""
        store = self.store
        sidecars = (store.with_name(store.name + end) for end in ("-wal", "-shm", "-journal"))
        return (store, *sidecars, store.with_name(store.name + ".lock"), self.config,
                self.backups, self.cache)  # fmt: skip


def resolve(home: Path | str | None = None) -> Paths:
    """The paths for an explicit home, else `DLQUIZ_HOME`, else the platform directories."""
    chosen = home if home is not None else os.environ.get(HOME_ENV) or None
    if chosen is not None:
        root = Path(chosen).expanduser()
        return Paths(home=root, cache=root / "cache")
    import platformdirs

    return Paths(
        home=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        cache=Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
    )


class TooLarge(OSError):
    """A file is larger than dlquiz reads for its kind."""


def read_limited(path: Path, limit: int, kind: str) -> bytes:
    """The bytes of `path`, raising TooLarge past `limit` bytes without reading more than
    `limit + 1` of them (the size is checked first, then the read is bounded, for files whose
    size `stat` does not tell)."""
    shown = f"{limit >> 20} MB" if limit >= 1 << 20 else f"{limit >> 10} KB"
    too_large = TooLarge(f"is larger than {shown}, the limit for a {kind}")
    with path.open("rb") as f:
        info = os.fstat(f.fileno())
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(21, "Is a directory")
        if info.st_size > limit:
            raise too_large
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = f.read(min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise too_large
    return b"".join(chunks)
