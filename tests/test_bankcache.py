"""The bank cache: a second start reads JSON, never stale, never trusted blindly."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dlquiz import bankcache
from dlquiz.bank import BankError, load_bank

from .test_bank import MINI


def entries(cache: Path) -> list[Path]:
    return sorted((cache / "banks").glob("*.json"))


def test_a_second_load_comes_from_the_cache_and_equals_the_parsed_bank(tmp_path: Path) -> None:
    bank_file = tmp_path / "bank.yaml"
    bank_file.write_text(MINI)
    cache = tmp_path / "cache"
    first = bankcache.load(bank_file, cache)
    assert len(entries(cache)) == 1
    parsed = load_bank(bank_file)
    second = bankcache.load(bank_file, cache)
    assert second.questions == parsed.questions == first.questions
    assert (second.id, second.title, second.source, second.topics) == (
        parsed.id,
        parsed.title,
        parsed.source,
        parsed.topics,
    )
    assert second.find("2") == parsed.find("2")


def test_a_cache_hit_does_not_parse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bank_file = tmp_path / "bank.yaml"
    bank_file.write_text(MINI)
    cache = tmp_path / "cache"
    bankcache.load(bank_file, cache)

    def refuse(*args: object) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr(bankcache, "parse_bank", refuse)
    assert bankcache.load(bank_file, cache).id == "mini"


def test_an_edit_that_keeps_size_and_time_is_still_seen(tmp_path: Path) -> None:
    bank_file = tmp_path / "bank.yaml"
    bank_file.write_text(MINI)
    cache = tmp_path / "cache"
    bankcache.load(bank_file, cache)
    stat = bank_file.stat()
    bank_file.write_text(MINI.replace("What is dropout?", "What is Dropout?"))
    os.utime(bank_file, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert bank_file.stat().st_size == stat.st_size
    assert bankcache.load(bank_file, cache).questions[1].question == "What is Dropout?"


def test_a_broken_bank_is_reported_even_after_a_good_one_was_cached(tmp_path: Path) -> None:
    bank_file = tmp_path / "bank.yaml"
    bank_file.write_text(MINI)
    cache = tmp_path / "cache"
    bankcache.load(bank_file, cache)
    bank_file.write_text(MINI.replace("format_version: 1", "format_version: 7"))
    with pytest.raises(BankError, match="unsupported version 7"):
        bankcache.load(bank_file, cache)


@pytest.mark.parametrize("junk", [b"", b"{not json", b'{"key": 1}', b'{"key": {}, "bank": []}'])
def test_a_damaged_cache_entry_is_ignored_and_rewritten(tmp_path: Path, junk: bytes) -> None:
    bank_file = tmp_path / "bank.yaml"
    bank_file.write_text(MINI)
    cache = tmp_path / "cache"
    bankcache.load(bank_file, cache)
    (entry,) = entries(cache)
    entry.write_bytes(junk)
    assert [q.id for q in bankcache.load(bank_file, cache).questions] == ["pooling", "dropout"]
    assert entry.read_bytes() != junk


def test_an_unwritable_cache_only_costs_speed(tmp_path: Path) -> None:
    bank_file = tmp_path / "bank.yaml"
    bank_file.write_text(MINI)
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache directory should be")
    assert bankcache.load(bank_file, blocker).id == "mini"
