"""Faults: each ends with a one-line error, a non-zero exit status, no traceback, and every
review recorded before it still in the store."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dlquiz.store import Store

from .conftest import dlquiz, one_line_error, process_env, reviews_in, without_root_powers
from .test_bank import MINI

pytestmark = pytest.mark.slow


def test_read_only_data_directory_when_saving(studied: Path) -> None:
    for path in studied.iterdir():
        if path.is_file():
            path.chmod(0o444)
    studied.chmod(0o555)
    try:
        result = dlquiz(studied, "practice", input="\n3\n", prefix=without_root_powers())
    finally:
        studied.chmod(0o755)
        for path in studied.iterdir():
            path.chmod(0o644)
    error = one_line_error(result)
    assert str(studied) in error and ("read-only" in error or "cannot open" in error), error
    assert reviews_in(studied) == 2


def test_disk_full_when_saving(tmp_path: Path) -> None:
    """A real full disk: a 1 MB tmpfs in a private mount namespace, filled up mid-session."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("needs root and unshare to mount a small private tmpfs")
    home = tmp_path / "small"
    home.mkdir()
    python = sys.executable
    script = textwrap.dedent(
        f"""\
        set -u
        mount -t tmpfs -o size=1m tmpfs '{home}' || exit 77
        export DLQUIZ_HOME='{home}' NO_COLOR=1 TZ=UTC
        printf '\\n4\\n\\n4\\nq\\n' | '{python}' -m dlquiz practice >/dev/null || exit 3
        # a session answers one card, then the disk fills up before the next answer
        {{ printf '\\n4\\n'; sleep 2; dd if=/dev/zero of='{home}/filler' bs=4k 2>/dev/null;
          printf '\\n4\\n'; }} |
            '{python}' -m dlquiz practice >'{tmp_path}/out' 2>'{tmp_path}/err'
        echo "status=$?"
        rm '{home}/filler'
        '{python}' -c "import sqlite3; print('reviews=%d' % sqlite3.connect('{home}/progress.db')
            .execute('SELECT count(*) FROM reviews').fetchone())"
        """
    )
    run = subprocess.run(
        ["unshare", "-m", "sh", "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if run.returncode == 77:
        pytest.skip("cannot mount tmpfs here")
    assert "status=1" in run.stdout, run.stdout + run.stderr
    assert "reviews=3" in run.stdout, run.stdout + run.stderr  # the one saved before it filled
    err = (tmp_path / "err").read_text()
    assert err.count("\n") == 1 and err.startswith("Error: "), err
    assert "disk is full" in err


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"not a database, just some text\n" * 20, "is not a dlquiz store (not a SQLite database)"),
        (b"", None),
    ],
)
def test_a_store_that_is_not_sqlite_is_refused_and_kept(
    dlquiz_home: Path, content: bytes, expected: str | None
) -> None:
    dlquiz_home.mkdir(parents=True)
    store = dlquiz_home / "progress.db"
    store.write_bytes(content)
    result = dlquiz(dlquiz_home, "practice", input="\n3\n")
    if expected is None:  # an empty file holds nothing to lose: it becomes a new store
        assert result.returncode == 0
        return
    error = one_line_error(result)
    assert expected in error and f"mv '{store}'" in error and "dlquiz doctor" in error
    assert store.read_bytes() == content


def test_a_truncated_store_is_refused_and_kept(studied: Path) -> None:
    store = studied / "progress.db"
    with sqlite3.connect(store) as db:  # fold the WAL into the file, then cut the file
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = store.read_bytes()
    store.write_bytes(data[: len(data) // 2])
    result = dlquiz(studied, "practice", input="\n3\n")
    error = one_line_error(result)
    assert "is truncated" in error and "will not overwrite it" in error
    assert store.read_bytes() == data[: len(data) // 2]
    doctor = dlquiz(studied, "doctor")
    assert doctor.returncode == 1 and "is truncated" in " ".join(doctor.stdout.split())


def test_a_store_from_a_newer_dlquiz_is_refused_not_downgraded(studied: Path) -> None:
    with sqlite3.connect(studied / "progress.db") as db:
        db.execute("PRAGMA user_version = 99")
    result = dlquiz(studied, "stats")
    error = one_line_error(result)
    assert "written by a newer dlquiz (schema 99" in error and "Upgrade dlquiz" in error
    with sqlite3.connect(studied / "progress.db") as db:
        assert db.execute("PRAGMA user_version").fetchone() == (99,)
    assert reviews_in(studied) == 2


def test_two_processes_answering_at_once_keep_both_sets(dlquiz_home: Path) -> None:
    env = process_env(dlquiz_home)
    script = "\n4\n" * 20 + "q\n"
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "dlquiz", "practice", "--new", "50"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(script, timeout=120) for p in procs]
    for p, (out, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err
        assert out.count("✓ saved") == 20
    assert reviews_in(dlquiz_home) == 40
    with Store.open(dlquiz_home / "progress.db") as store:
        assert store.integrity() == []


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (
            ("title: A small bank", "title: [broken"),
            ":4: yaml: did not find expected ',' or ']' (column 7), while parsing a flow sequence "
            "that starts on line 3",
        ),
        (('number: "2"', "number: [2]"), ":24: questions[1].number: expected text"),
        (("id: dropout", "id: pooling"), ":23: questions[1].id: duplicate id 'pooling'"),
        (("topics: [cnn]", "topics: [rnn]"), ":14: questions[0].topics: unknown topic 'rnn'"),
        (
            ("title: A small bank", "title: !!python/object/apply:os.system ['true']"),
            ":3: title: tag !!python/object/apply:os.system is not allowed",
        ),
        (("Dropout zeroes", "x" * 1_000_000), ":27: questions[1].answer: is 1,000,0"),
        (("What is dropout?", "What is dr\udcf6pout?"), ":26: file: not UTF-8: byte 0xf6"),
    ],
)
def test_a_bad_bank_is_one_line_and_records_nothing(
    studied: Path, tmp_path: Path, change: tuple[str, str], where: str
) -> None:
    bank = tmp_path / "bad.yaml"
    bank.write_bytes(MINI.replace(*change).encode("utf-8", "surrogateescape"))
    result = dlquiz(studied, "--bank", str(bank), "practice", input="\n3\n")
    error = one_line_error(result)
    assert error.startswith(f"Error: {bank}{where}"), error
    assert reviews_in(studied) == 2
