"""Ways out that must never lose progress: exports, resets and restores.

Each case runs a real `dlquiz` process on a home with recorded reviews and checks both what the
person is told (one line, the right exit status) and that the reviews are still there.
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dlquiz.backups import new_backup_path, restore
from dlquiz.store import Store, StoreError, in_session

from .conftest import dlquiz, one_line_error, reviews_in, without_root_powers

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("name", ["progress.db", "progress.db-wal", "config.toml", "backups"])
def test_no_export_overwrites_dlquiz_s_own_files(studied: Path, name: str) -> None:
    (studied / "config.toml").write_text("new_per_day = 10\n", encoding="utf-8")
    (studied / "backups").mkdir(exist_ok=True)
    target = studied / name
    before = target.read_bytes() if target.is_file() else None
    error = one_line_error(dlquiz(studied, "export", "reviews", "-o", str(target), "--force"))
    assert "dlquiz's own file" in error
    assert reviews_in(studied) == 2
    if before is not None:
        assert target.read_bytes() == before


def test_an_export_never_replaces_the_bank(studied: Path, tmp_path: Path) -> None:
    bank = tmp_path / "bank.yaml"
    shutil.copy(Path(__file__).resolve().parent.parent / "data" / "questions.yaml", bank)
    before = bank.read_bytes()
    result = dlquiz(studied, "--bank", str(bank), "export", "cards", "-o", str(bank), "--force")
    assert "dlquiz's own file" in one_line_error(result)
    assert bank.read_bytes() == before


def test_an_export_asks_for_force_before_replacing_a_file(studied: Path, tmp_path: Path) -> None:
    target = tmp_path / "reviews.csv"
    target.write_text("my notes\n", encoding="utf-8")
    error = one_line_error(dlquiz(studied, "export", "reviews", "-o", str(target)))
    assert "already exists; add --force" in error
    assert target.read_text(encoding="utf-8") == "my notes\n"
    forced = dlquiz(studied, "export", "reviews", "-o", str(target), "--force")
    assert forced.returncode == 0, forced.stderr
    assert target.read_text(encoding="utf-8").startswith("id,bank_id,question_id")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # no temporary left


def test_deck_export_to_a_folder_or_a_missing_folder(studied: Path, tmp_path: Path) -> None:
    assert "is a folder" in one_line_error(dlquiz(studied, "export", "deck", "-o", str(tmp_path)))
    missing = tmp_path / "nowhere" / "dl.apkg"
    assert "no folder" in one_line_error(dlquiz(studied, "export", "deck", "-o", str(missing)))
    done = dlquiz(studied, "export", "deck", "-o", str(tmp_path / "dl.apkg"))
    assert done.returncode == 0 and (tmp_path / "dl.apkg").stat().st_size > 0


def test_a_failed_export_leaves_the_old_file_whole(studied: Path, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    old = folder / "reviews.csv"
    old.write_text("kept\n", encoding="utf-8")
    folder.chmod(0o555)  # no temporary file can be made beside it
    try:
        result = dlquiz(
            studied, "export", "reviews", "-o", str(old), "--force", prefix=without_root_powers()
        )
    finally:
        folder.chmod(0o755)
    assert "cannot write" in one_line_error(result)
    assert old.read_text(encoding="utf-8") == "kept\n"


def test_two_resets_in_the_same_second_keep_two_backups(tmp_path: Path) -> None:
    now = datetime(2026, 11, 30, 9, 15, 2, tzinfo=UTC)
    first, second = new_backup_path(tmp_path, now), new_backup_path(tmp_path, now)
    assert first != second and first.exists() and second.exists()


def test_reset_says_how_to_restore_and_restore_brings_everything_back(studied: Path) -> None:
    reset = dlquiz(studied, "reset", "--yes")
    assert reset.returncode == 0, reset.stderr
    assert reviews_in(studied) == 0
    command = next(line for line in reset.stdout.splitlines() if "dlquiz restore" in line)
    backup = command.split("dlquiz restore ", 1)[1].strip("'")
    restored = dlquiz(studied, "restore", backup, "--yes")
    assert restored.returncode == 0, restored.stderr
    assert reviews_in(studied) == 2
    assert "replaced is kept in" in restored.stdout


def test_a_stale_write_ahead_log_cannot_undo_a_restore(studied: Path, tmp_path: Path) -> None:
    """The case that loses progress when a backup is copied over progress.db by hand."""
    backup = tmp_path / "kept.db"
    with Store.open(studied / "progress.db") as store:
        store.backup(backup)
    live = sqlite3.connect(studied / "progress.db")  # left open: its log stays behind
    live.execute("PRAGMA wal_autocheckpoint = 0")
    live.execute("DELETE FROM reviews")
    live.commit()
    assert (studied / "progress.db-wal").stat().st_size > 0
    restore(backup, studied / "progress.db", studied / "backups", datetime.now(UTC))
    live.close()
    assert reviews_in(studied) == 2


def test_restore_is_refused_while_a_session_is_open(studied: Path, tmp_path: Path) -> None:
    backup = tmp_path / "kept.db"
    with Store.open(studied / "progress.db") as store:
        store.backup(backup)
    with in_session(studied / "progress.db"), pytest.raises(StoreError, match="another dlquiz"):
        restore(backup, studied / "progress.db", studied / "backups", datetime.now(UTC))
    assert reviews_in(studied) == 2


def test_restore_refuses_a_file_that_is_not_a_backup(studied: Path, tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("hello\n", encoding="utf-8")
    assert "not a dlquiz store" in one_line_error(dlquiz(studied, "restore", str(junk), "--yes"))
    assert reviews_in(studied) == 2


def test_reset_when_backups_is_a_file(studied: Path) -> None:
    (studied / "backups").write_text("not a folder\n", encoding="utf-8")
    error = one_line_error(dlquiz(studied, "reset", "--yes"))
    assert "is a file, not a folder" in error
    assert reviews_in(studied) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("practice", "--topic", ""), "--topic: empty topic name"),
        (("practice", "--retention", "nan"), "--retention: must be a number"),
        (("review", "--topic", "cnn,"), "--topic: empty topic name"),
    ],
)
def test_misused_options_are_named(dlquiz_home: Path, args: tuple[str, ...], message: str) -> None:
    result = dlquiz(dlquiz_home, *args)
    assert result.returncode == 2
    assert message in one_line_error(result)
