"""Hostile and unlucky input, tried on a real `dlquiz` process: each case ends in one clear line
(or a whole report) and the right exit status, never a traceback, and loses nothing recorded."""

from __future__ import annotations

import hashlib
import json
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

from .conftest import dlquiz, one_line_error, process_env, reviews_in
from .test_bank import MINI

pytestmark = pytest.mark.slow


def run(
    home: Path, *args: str, shell_redirect: str = "", input: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    """`python -m dlquiz ARGS` through the shell, so that a redirection such as `<&-` or
    `>/dev/full` applies to the process itself."""
    command = " ".join([sys.executable, "-m", "dlquiz", *(f"'{a}'" for a in args)])
    return subprocess.run(
        ["sh", "-c", f"{command} {shell_redirect}"],
        input=input,
        capture_output=True,
        text=True,
        env={**process_env(home, COLUMNS="100"), **env},
        timeout=60,
        check=False,
    )


def no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    assert "Error" not in result.stderr or result.stderr.count("\n") == 1, result.stderr


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- size limits ------------------------------------------------------------------------------


def test_a_bank_of_unknown_size_or_1_gb_is_refused_before_it_is_read(
    studied: Path, tmp_path: Path
) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as f:
        f.truncate(1 << 30)
    for bank in ("/dev/zero", str(big)):
        error = one_line_error(dlquiz(studied, "--bank", bank, "practice", input="\n3\n"))
        assert error == f"Error: {bank}: file: is larger than 50 MB, the limit for a bank"
    assert reviews_in(studied) == 2


def test_a_huge_config_is_refused_before_it_is_read(studied: Path) -> None:
    config = studied / "config.toml"
    with config.open("wb") as f:
        f.truncate(1 << 30)
    error = one_line_error(dlquiz(studied, "practice", input="\n3\n"))
    assert error == f"Error: {config}: is larger than 1 MB, the limit for a settings file"
    assert reviews_in(studied) == 2


# --- encodings, tabs, versions, dates ---------------------------------------------------------


def test_a_utf16_bank_and_a_config_with_a_bom_are_named(studied: Path, tmp_path: Path) -> None:
    bank = tmp_path / "bank.yaml"
    bank.write_bytes(MINI.encode("utf-16"))
    error = one_line_error(dlquiz(studied, "--bank", str(bank), "list"))
    assert "is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8" in error
    (studied / "config.toml").write_bytes(b"\xef\xbb\xbfnew_per_day = 3\n")
    error = one_line_error(dlquiz(studied, "list"))
    assert "starts with a UTF-8 byte-order mark (BOM)" in error


@pytest.mark.parametrize("version", ["0x1", "0b1", "1:0", "1_", "!!int abc"])
def test_odd_format_versions_are_a_validation_problem(tmp_path: Path, version: str) -> None:
    bank = tmp_path / "bank.yaml"
    bank.write_text(MINI.replace("format_version: 1", f"format_version: {version}"))
    result = dlquiz(tmp_path / "home", "validate", str(bank))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"{bank}:1: format_version: expected a plain integer such as 1, got "
        f"{version.removeprefix('!!int ')!r}",
        "1 problem found.",
    ]


def test_validate_reports_every_problem_at_once(tmp_path: Path) -> None:
    bank = tmp_path / "bank.yaml"
    bank.write_text(
        MINI.replace("date: 2026-01-31", "date: 2026-13-45")
        .replace("  publisher: Me", "  publisher: ''")
        .replace("topics: [cnn]", "topics: [rnn, cnx]")
        .replace("hint: Height and width.", "hint: ''")
        .replace("id: dropout", "id: pooling")
        .replace('number: "2"', 'number: "1"')
    )
    result = dlquiz(tmp_path / "home", "validate", str(bank))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[-1] == "7 problems found.", result.stderr
    assert [line.split(": ")[1] for line in lines[:-1]] == [
        "source.publisher",
        "source.date",
        "questions[0].topics",
        "questions[0].topics",
        "questions[0].hint",
        "questions[1].id",
        "questions[1].number",
    ]


def test_a_tab_used_for_indentation_is_named(tmp_path: Path) -> None:
    bank = tmp_path / "bank.yaml"
    bank.write_text(MINI.replace("  publisher: Me", "\tpublisher: Me"))
    error = one_line_error(dlquiz(tmp_path / "home", "--bank", str(bank), "list"))
    assert error == (
        f"Error: {bank}:6: yaml: a tab is used for indentation; YAML indents with spaces only "
        "(column 1)"
    )


# --- what the screen shows --------------------------------------------------------------------


def test_an_answer_that_looks_like_html_shows_as_written(tmp_path: Path) -> None:
    bank = tmp_path / "bank.yaml"
    bank.write_text(
        MINI.replace(
            "answer: Dropout zeroes random units during training.",
            "answer: |\n      Dropout zeroes random units: if a<b and c>d, List<int>.\n\n"
            "      <div>\n      kept\n      </div>\n",
        )
    )
    result = dlquiz(tmp_path / "home", "--bank", str(bank), "show", "dropout")
    assert result.returncode == 0, result.stderr
    assert "if a<b and c>d, List<int>." in result.stdout
    assert "<div>" in result.stdout and "</div>" in result.stdout


def test_bidi_controls_in_a_bank_are_refused(tmp_path: Path) -> None:
    bank = tmp_path / "bank.yaml"
    bank.write_text(MINI.replace("What is dropout?", "What is \u202edropout?"))
    error = one_line_error(dlquiz(tmp_path / "home", "--bank", str(bank), "list"))
    assert "holds the bidirectional control U+202E" in error and "\u202e" not in error


def test_path_shows_control_characters_escaped(tmp_path: Path) -> None:
    home = tmp_path / "home\x1b[31mred"
    result = dlquiz(home, "path")
    assert result.returncode == 0
    assert "\x1b" not in result.stdout and "home\\x1b[31mred" in result.stdout


def test_an_id_that_is_another_questions_number_is_refused(tmp_path: Path) -> None:
    bank = tmp_path / "bank.yaml"
    bank.write_text(MINI.replace("id: dropout", 'id: "1"'))
    error = one_line_error(dlquiz(tmp_path / "home", "--bank", str(bank), "show", "1"))
    assert "questions[1].id: '1' is the number of the question on line 12" in error


# --- options ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("practice", "--retention", "nan"), "--retention: must be a number from 0.7 to 0.99"),
        (("practice", "--retention", "0.5"), "--retention: must be a number from 0.7 to 0.99"),
        (("practice", "--topic", ""), "--topic: empty topic name"),
        (("list", "--topic", " , "), "--topic: empty topic name"),
    ],
)
def test_misused_options_exit_2_and_record_nothing(
    studied: Path, args: tuple[str, ...], message: str
) -> None:
    result = dlquiz(studied, *args, input="\n3\n")
    assert result.returncode == 2 and message in result.stderr
    assert "Traceback" not in result.stderr
    assert reviews_in(studied) == 2


# --- the store --------------------------------------------------------------------------------


def test_a_store_path_that_is_a_directory_is_one_line(dlquiz_home: Path) -> None:
    (dlquiz_home / "progress.db").mkdir(parents=True)
    error = one_line_error(dlquiz(dlquiz_home, "practice", input="\n3\n"))
    assert "progress.db is a directory, not a dlquiz store" in error


def test_doctor_on_a_damaged_page_reports_every_check_and_changes_nothing(studied: Path) -> None:
    store = studied / "progress.db"
    with sqlite3.connect(store) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'cards'").fetchone()[0]
    data = bytearray(store.read_bytes())
    start = (root - 1) * page_size
    data[start : start + 200] = b"\xff" * 200  # the cards table's page
    store.write_bytes(bytes(data))
    before = sorted(p.name for p in studied.iterdir())
    result = dlquiz(studied, "doctor")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    report = " ".join(result.stdout.split())
    assert "✓ settings" in report and "✓ bank" in report
    assert "✗ integrity" in report and "malformed" in report and ".recover" in report
    assert "✗ progress: cannot read the progress" in report
    assert "run `dlquiz doctor`" not in report
    assert store.read_bytes() == bytes(data)
    assert sorted(p.name for p in studied.iterdir()) == before


def test_doctor_is_read_only(studied: Path) -> None:
    store = studied / "progress.db"
    db = sqlite3.connect(store, isolation_level=None)
    db.execute("DROP INDEX reviews_time")
    db.execute("PRAGMA user_version = 1")  # as an older dlquiz left it
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    for extra in studied.glob("progress.db[-.]*"):  # its log, and the lock sessions hold
        extra.unlink()
    shutil_rmtree(studied / "cache")
    before = digest(store)
    result = dlquiz(studied, "doctor")
    assert result.returncode == 0, result.stdout
    assert "schema 1; upgraded to" in " ".join(result.stdout.split())
    assert digest(store) == before
    assert sorted(p.name for p in studied.iterdir()) == ["progress.db"]  # no cache, no WAL


def shutil_rmtree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def test_doctor_names_another_bank_file_with_the_same_id(studied: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text(MINI)
    second.write_text(MINI.replace("title: A small bank", "title: A copy"))
    assert dlquiz(studied, "--bank", str(second), "list").returncode == 0
    result = dlquiz(studied, "--bank", str(first), "doctor")
    report = " ".join(result.stdout.split())
    assert result.returncode == 1
    assert f"✗ bank id: 'mini' is also the id of {second}: the files share one progress" in report


def test_a_cache_of_the_wrong_shape_is_rebuilt_not_served(dlquiz_home: Path) -> None:
    assert dlquiz(dlquiz_home, "list").returncode == 0
    (entry,) = (dlquiz_home / "cache" / "banks").glob("*.json")
    data = json.loads(entry.read_text())
    for bad in ([], {"x": 1}, [[None] * 9]):
        data["bank"]["questions"] = bad
        entry.write_text(json.dumps(data))
        result = dlquiz(dlquiz_home, "list")
        assert result.returncode == 0 and "what-is-deep-learning" in result.stdout, result.stderr
    entry.write_text('{"key": [], "bank": 3}')
    assert dlquiz(dlquiz_home, "topics").returncode == 0


# --- the standard streams ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [("path",), ("list",), ("topics",), ("stats",), ("show", "1"), ("doctor",), ("validate",)],
)
def test_stdout_on_a_full_device_is_one_line(studied: Path, args: tuple[str, ...]) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    result = run(studied, *args, shell_redirect=">/dev/full")
    assert result.returncode == 1
    assert result.stderr == "Error: cannot write the output: No space left on device\n"
    assert reviews_in(studied) == 2


def test_practice_with_stdout_on_a_full_device_loses_nothing(studied: Path) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    result = run(studied, "practice", shell_redirect=">/dev/full", input="\n3\n")
    assert result.returncode == 1 and result.stderr.startswith("Error: cannot write the output")
    assert reviews_in(studied) == 2


@pytest.mark.parametrize("args", [("practice",), ("reset",), ("review", "--limit", "1")])
def test_a_closed_stdin_is_no_traceback(studied: Path, args: tuple[str, ...]) -> None:
    result = run(studied, *args, shell_redirect="<&-")
    no_traceback(result)
    assert result.returncode in (0, 1)
    assert reviews_in(studied) == 2


@pytest.mark.parametrize(
    "args",
    [("list",), ("topics",), ("stats",), ("show", "1"), ("doctor",), ("validate",), ("practice",)],
)
def test_an_ascii_output_encoding_falls_back_to_ascii(studied: Path, args: tuple[str, ...]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dlquiz", *args],
        input="résumé\n3\nq\n".encode(),  # typed in UTF-8, read as ASCII
        capture_output=True,
        env=process_env(studied, COLUMNS="100", PYTHONIOENCODING="ascii", LANG="C"),
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert b"Traceback" not in result.stderr
    result.stdout.decode("ascii")  # every byte is ASCII
    if args == ("practice",):
        assert b"+ saved Good" in result.stdout


# --- the terminal -----------------------------------------------------------------------------


def spawn(home: Path) -> pexpect.spawn:
    return pexpect.spawn(
        sys.executable,
        ["-m", "dlquiz", "practice"],
        env=process_env(home, TERM="dumb"),
        encoding="utf-8",
        timeout=15,
        dimensions=(40, 100),
    )


def test_a_pasted_answer_reaches_the_grader_whole(dlquiz_home: Path) -> None:
    child = spawn(dlquiz_home)
    child.expect_exact("> ")
    # one paste: a tab first, and the two bytes of é on both sides of byte 32
    start = "\tsubfield of machine learning xé"
    assert start.encode().index("é".encode()) == 31
    child.send(start + " neural networks with many layers\r")
    child.expect_exact("subfield of machine learning xé neural networks")  # the answer, echoed
    child.expect_exact("Key points: 2/4 covered")  # both points: the first 32 bytes count
    child.expect_exact("Rate: ")
    child.send("3")
    child.expect_exact("✓ saved")
    child.expect_exact("> ")
    child.send("q\r")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert reviews_in(dlquiz_home) == 1


def test_sigterm_ends_a_session_with_143_and_keeps_its_ratings(dlquiz_home: Path) -> None:
    child = spawn(dlquiz_home)
    child.expect_exact("> ")
    child.sendline("")
    child.expect_exact("Rate: ")
    child.send("3")
    child.expect_exact("✓ saved")
    child.expect_exact("> ")
    child.kill(signal.SIGTERM)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 143 or child.signalstatus == signal.SIGTERM
    assert child.exitstatus == 143
    assert reviews_in(dlquiz_home) == 1
