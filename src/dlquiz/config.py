"""Settings from `config.toml` in the dlquiz home; command-line options override them.

# ~/.local/share/dlquiz/config.toml
desired_retention = 0.9   # probability of recall FSRS aims for at each review
new_per_day = 10          # new questions introduced per day
rollover_hour = 4         # the study day starts at this local hour, as in Anki
bank = "/path/to/my-bank.yaml"
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, NamedTuple, cast

from dlquiz.model import UsageError
from dlquiz.paths import TooLarge, read_limited

MAX_CONFIG_BYTES = 1024 * 1024  # a settings file is a few lines; this catches a wrong file


class ConfigError(Exception):
    """The config file is unreadable or holds a bad value."""


class Config(NamedTuple):
    desired_retention: float = 0.9
    new_per_day: int = 10
    rollover_hour: int = 4
    bank: str | None = None

    def with_options(
        self, *, desired_retention: float | None = None, new_per_day: int | None = None
    ) -> Config:
        """These settings with the command line's options on top (None: not given)."""
        if desired_retention is not None and not 0.7 <= desired_retention <= 0.99:
            raise UsageError("--retention: must be a number from 0.7 to 0.99")
        merged = self._replace(
            desired_retention=self.desired_retention
            if desired_retention is None
            else desired_retention,
            new_per_day=self.new_per_day if new_per_day is None else new_per_day,
        )
        return validate(merged, "options")


_TYPES: dict[str, tuple[type, ...]] = {
    "desired_retention": (float, int),
    "new_per_day": (int,),
    "rollover_hour": (int,),
    "bank": (str,),
}


def validate(config: Config, where: str) -> Config:
    """Return `config` if its values are usable, else raise ConfigError naming the field."""
    if math.isnan(config.desired_retention) or not 0.7 <= config.desired_retention <= 0.99:
        raise ConfigError(f"{where}: desired_retention: must be between 0.7 and 0.99")
    if not 0 <= config.new_per_day <= 9999:
        raise ConfigError(f"{where}: new_per_day: must be between 0 and 9999")
    if not 0 <= config.rollover_hour <= 23:
        raise ConfigError(f"{where}: rollover_hour: must be an hour from 0 to 23")
    return config


def load(path: Path) -> Config:
    """Read `path` if it exists; a missing file means the defaults."""
    try:
        raw = read_limited(path, MAX_CONFIG_BYTES, "settings file")
    except FileNotFoundError:
        return Config()
    except TooLarge as e:
        raise ConfigError(f"{path}: {e}") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, not a settings file") from None
    except OSError as e:
        raise ConfigError(f"{path}: cannot read: {e.strerror or e}") from None
    text = _decode(raw, path)
    import tomllib  # only when there is a file to read

    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: {e}") from None
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in _TYPES:
            raise ConfigError(f"{path}: {key}: unknown setting (known: {', '.join(_TYPES)})")
        expected = _TYPES[key]
        if isinstance(value, bool) or not isinstance(value, expected):
            raise ConfigError(f"{path}: {key}: expected {expected[0].__name__}, got {value!r}")
        values[key] = float(cast(float, value)) if key == "desired_retention" else value
    return validate(Config(**values), str(path))


def _decode(raw: bytes, path: Path) -> str:
    """The text of a settings file, which TOML requires to be UTF-8 without a byte-order mark."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raise ConfigError(
            f"{path}: starts with a UTF-8 byte-order mark (BOM), which TOML does not allow; "
            "save it as UTF-8 without BOM"
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ConfigError(f"{path}: is UTF-16 (it starts with a byte-order mark); save it as UTF-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise ConfigError(
            f"{path}: line {line}: not UTF-8 (byte 0x{raw[e.start]:02x}); save it as UTF-8"
        ) from None
