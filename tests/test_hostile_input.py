"""Hostile and unlucky input, in the core: every problem named where it is, a cache never
trusted, text that reaches the screen as it was written, and a paste that reaches the answer."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest
from rich.console import Console

from dlquiz import bankcache
from dlquiz.bank import BankError, load_bank, parse_bank
from dlquiz.config import Config, ConfigError, validate
from dlquiz.config import load as load_config
from dlquiz.model import Question
from dlquiz.paths import TooLarge, read_limited
from dlquiz.scheduler import Rating, Scheduling
from dlquiz.session import Options, Session
from dlquiz.store import Store
from dlquiz.streams import ascii_fallback
from dlquiz.study import Ending, LineKeys, Outcome, StudyLoop, drain, first_line
from dlquiz.text import literal
from dlquiz.ui import answer_panel

from .conftest import FakeClock
from .test_bank import MINI


def problems(text: str | bytes) -> list[str]:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    with pytest.raises(BankError) as caught:
        parse_bank(raw, Path("bank.yaml"))
    return [str(p) for p in caught.value.problems]


# --- the bank ---------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["0x1", "0b1", "1:0", "1_", "!!int abc", "+1", "01.0"])
def test_a_format_version_that_is_not_plain_digits_is_a_problem(version: str) -> None:
    found = problems(MINI.replace("format_version: 1", f"format_version: {version}"))
    assert len(found) == 1 and found[0].startswith("bank.yaml:1: format_version: expected")


def test_an_impossible_date_is_a_problem() -> None:
    found = problems(MINI.replace("date: 2026-01-31", "date: 2026-13-45"))
    assert found == ["bank.yaml:7: source.date: 2026-13-45 is not a date in the calendar"]


def test_every_problem_is_reported_at_once() -> None:
    bad = (
        MINI.replace("format_version: 1", "format_version: 0x1")
        .replace("date: 2026-01-31", "date: 2026-02-30")
        .replace("topics: [cnn]", "topics: [rnn, cnx]")
        .replace("hint: Height and width.", "hint: ''")
        .replace("id: dropout", "id: pooling")
        .replace('number: "2"', 'number: "1"')
        .replace('corrections: ["The source said it was for testing."]', 'corrections: ["", 3]')
    )
    found = problems(bad)
    fields = [p.split(": ")[1] for p in found]
    assert fields == [
        "format_version",
        "source.date",
        "questions[0].topics",
        "questions[0].topics",
        "questions[0].hint",
        "questions[1].id",
        "questions[1].number",
        "questions[1].corrections",
        "questions[1].corrections",
    ], found
    lines = [int(p.split(":")[1]) for p in found]
    assert lines == sorted(lines)


def test_an_id_that_is_another_questions_number_is_refused() -> None:
    found = problems(MINI.replace("id: dropout", 'id: "1"'))
    assert found == [
        "bank.yaml:23: questions[1].id: '1' is the number of the question on line 12: "
        "`dlquiz show` could not tell them apart"
    ]


@pytest.mark.parametrize(("encoding", "name"), [("utf-16", "UTF-16"), ("utf-32", "UTF-32")])
def test_a_utf16_or_utf32_bank_is_named_as_such(encoding: str, name: str) -> None:
    found = problems(MINI.encode(encoding))
    assert found == [
        f"bank.yaml: file: is {name} (it starts with a {name} byte-order mark); save it as UTF-8"
    ]
    without_bom = problems(MINI.encode(encoding + "-le"))
    assert "looks like UTF-16 or UTF-32" in without_bom[0]


def test_a_utf8_byte_order_mark_is_accepted() -> None:
    bank = parse_bank(b"\xef\xbb\xbf" + MINI.encode(), Path("bank.yaml"))
    assert bank.id == "mini"


def test_a_tab_used_for_indentation_is_named_with_line_and_column() -> None:
    found = problems(MINI.replace("  publisher: Me", "\tpublisher: Me"))
    assert found == [
        "bank.yaml:6: yaml: a tab is used for indentation; YAML indents with spaces only (column 1)"
    ]


def test_bidirectional_controls_in_bank_text_are_refused() -> None:
    found = problems(MINI.replace("What is dropout?", "What is \u202edropout?"))
    assert (
        len(found) == 1
        and "questions[1].question: holds the bidirectional control U+202E" in (found[0])
    )


def test_html_in_an_answer_is_valid_and_shows_as_written() -> None:
    answer = "if a<b and c>d then List<int> is fine"
    bank = parse_bank(
        MINI.replace(
            "answer: Dropout zeroes random units during training.",
            f"answer: |\n      Dropout zeroes random units: {answer}.\n\n      <div>kept</div>\n",
        ).encode(),
        Path("bank.yaml"),
    )
    console = Console(width=100, record=True, color_system=None)
    console.print(answer_panel(bank.questions[1]))
    shown = console.export_text()
    assert answer in shown and "<div>kept</div>" in shown


def test_a_bank_past_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as f:
        f.truncate(1 << 30)  # 1 GB, sparse: reading it whole would take 1 GB of memory
    with pytest.raises(BankError) as caught:
        load_bank(big)
    assert str(caught.value) == f"{big}: file: is larger than 50 MB, the limit for a bank"


def test_a_device_of_unknown_size_is_read_no_further_than_the_limit() -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    with pytest.raises(TooLarge):
        read_limited(Path("/dev/zero"), 1 << 20, "test")
    assert read_limited(Path(os.devnull), 10, "test") == b""


# --- the bank cache ---------------------------------------------------------------------------


def _cached(tmp_path: Path) -> tuple[Path, Path, Path]:
    bank_file = tmp_path / "bank.yaml"
    bank_file.write_text(MINI)
    cache = tmp_path / "cache"
    bankcache.load(bank_file, cache)
    (entry,) = (cache / "banks").glob("*.json")
    return bank_file, cache, entry


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b.update(questions=[]),
        lambda b: b.update(questions={}),
        lambda b: b.update(questions=[[1] * 9]),
        lambda b: b.update(topics=[]),
        lambda b: b.update(id=7),
        lambda b: b.update(source={"title": "x"}),
        lambda b: b["questions"][0].__setitem__(5, []),
        lambda b: b["questions"][0].__setitem__(8, "12"),
        lambda b: b["questions"][0].__setitem__(2, ["nowhere"]),
        lambda b: b.clear(),
    ],
)
def test_a_cache_entry_of_the_wrong_shape_is_rebuilt(tmp_path: Path, damage: object) -> None:
    bank_file, cache, entry = _cached(tmp_path)
    data = json.loads(entry.read_text())
    damage(data["bank"])  # type: ignore[operator]
    entry.write_text(json.dumps(data))
    bank = bankcache.load(bank_file, cache)
    assert [q.id for q in bank.questions] == ["pooling", "dropout"]
    assert json.loads(entry.read_text())["bank"]["questions"][0][0] == "pooling"  # rewritten


@pytest.mark.parametrize("content", ["[]", "7", '{"key": 1}', "[" * 100_000, ""])
def test_a_cache_entry_that_is_not_a_cache_is_rebuilt(tmp_path: Path, content: str) -> None:
    bank_file, cache, entry = _cached(tmp_path)
    entry.write_text(content)
    assert bankcache.load(bank_file, cache).title == "A small bank"


def test_a_slow_first_parse_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bank_file = tmp_path / "bank.yaml"
    bank_file.write_text(MINI)
    said: list[str] = []
    monkeypatch.setattr(bankcache, "SLOW_PARSE_SECONDS", 0.0)
    real_parse = parse_bank

    def slow_parse(raw: bytes, path: Path) -> object:
        import time

        time.sleep(0.2)
        return real_parse(raw, path)

    monkeypatch.setattr(bankcache, "parse_bank", slow_parse)
    bankcache.load(bank_file, tmp_path / "cache", notice=said.append)
    size = f"{len(MINI.encode()):,} bytes"
    assert said == [f"Reading {bank_file} ({size}) for the first time...", " done.\n"]
    said.clear()
    bankcache.load(bank_file, tmp_path / "cache", notice=said.append)  # from the cache
    assert said == []


def test_a_quick_parse_says_nothing(tmp_path: Path) -> None:
    bank_file = tmp_path / "bank.yaml"
    bank_file.write_text(MINI)
    said: list[str] = []
    bankcache.load(bank_file, None, notice=said.append)
    assert said == []


def test_two_files_with_one_id_are_found(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text(MINI)
    second.write_text(MINI.replace("title: A small bank", "title: Another"))
    bank = bankcache.load(first, cache)
    assert bankcache.same_id_elsewhere(cache, bank) == []
    copy = tmp_path / "copy.yaml"
    copy.write_text(MINI)  # the same bank twice (two installs): nothing to warn about
    bankcache.load(copy, cache)
    assert bankcache.same_id_elsewhere(cache, bank) == []
    bankcache.load(second, cache)
    assert bankcache.same_id_elsewhere(cache, bank) == [second.resolve()]
    second.write_text(MINI.replace("id: mini", "id: other"))
    bankcache.load(second, cache)
    assert bankcache.same_id_elsewhere(cache, bank) == []


def test_doctor_reads_the_cache_but_never_writes_it(tmp_path: Path) -> None:
    bank_file = tmp_path / "bank.yaml"
    bank_file.write_text(MINI)
    bankcache.load(bank_file, tmp_path / "cache", write=False)
    assert not (tmp_path / "cache").exists()


# --- settings ---------------------------------------------------------------------------------


def test_a_byte_order_mark_in_the_config_is_named(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b"\xef\xbb\xbfnew_per_day = 3\n")
    with pytest.raises(ConfigError, match="starts with a UTF-8 byte-order mark"):
        load_config(path)


def test_a_config_past_the_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b"#" * (1024 * 1024 + 1))
    with pytest.raises(ConfigError, match="is larger than 1 MB"):
        load_config(path)


def test_nan_retention_is_refused() -> None:
    with pytest.raises(ConfigError, match="desired_retention"):
        validate(Config(desired_retention=math.nan), "config.toml")


# --- the screen -------------------------------------------------------------------------------


def test_bidi_controls_are_escaped_for_the_terminal() -> None:
    assert literal("a\u202eb\u2066c\u200fd\x1b") == "a\\u202eb\\u2066c\\u200fd\\x1b"


def test_the_ascii_fallback_keeps_the_marks_readable() -> None:
    assert "✓ saved · next ⏎ Good".encode("ascii", "dlquiz-ascii") == b"+ saved . next Enter Good"


@pytest.fixture(autouse=True)
def _fallback_registered() -> None:
    import codecs

    codecs.register_error("dlquiz-ascii", ascii_fallback)


# --- a paste at the answer prompt ---------------------------------------------------------------


def test_a_paste_is_read_whole_and_a_split_character_is_joined() -> None:
    read_fd, write_fd = os.pipe()
    try:
        paste = ("\t" + "x" * 30 + "é" + "y" * 5000).encode()
        os.write(write_fd, paste[:32])  # é cut after its first byte, as click.getchar did
        os.write(write_fd, paste[32:])
        assert drain(read_fd, "utf-8") == paste.decode()
    finally:
        os.close(read_fd)
        os.close(write_fd)


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ("\tuses layers\r", ("uses layers", True)),
        ("a\tb", ("a b", False)),
        ("first line\rsecond line\r", ("first line second line", True)),
        ("\x1b[A", ("", False)),
        ("résumé\r", ("résumé", True)),
    ],
)
def test_the_first_read_becomes_the_start_of_the_answer(
    keys: str, expected: tuple[str, bool]
) -> None:
    assert first_line(keys) == expected


# --- signals and undo -------------------------------------------------------------------------


def test_sigterm_exits_143_and_sighup_129() -> None:
    assert Outcome(Ending.HANGUP, signum=15).exit_code == 143
    assert Outcome(Ending.HANGUP, signum=1).exit_code == 129
    assert Outcome(Ending.INTERRUPTED).exit_code == 130


def test_undo_after_another_session_reviewed_the_card_keeps_the_session(
    tmp_path: Path, clock: FakeClock
) -> None:
    from datetime import UTC

    from dlquiz.bank import default_bank_path
    from dlquiz.clock import StudyDays

    bank = load_bank(default_bank_path())
    path = tmp_path / "progress.db"

    def session(store: Store) -> Session:
        return Session(
            bank=bank,
            store=store,
            scheduling=Scheduling(0.9, fuzz=False),
            days=StudyDays(UTC, 4),
            clock=clock,
            options=Options(new_per_day=1),
        )

    import io

    with Store.open(path) as mine, Store.open(path) as theirs:
        ours = session(mine)
        # the answer prompt: Enter; rate Good; then other keys are fed after the other session
        script = io.StringIO("\n3\nu\nq\n")
        out = Console(file=io.StringIO(), width=100, color_system=None)

        class Scripted(LineKeys):
            calls = 0

            def _read(self, prompt: str) -> str:
                Scripted.calls += 1
                if Scripted.calls == 3:  # after our rating: another session rates the card
                    other = session(theirs)
                    item = other.next()
                    assert item is not None
                    other.rate(item, Rating.Easy)
                line = script.readline()
                if not line:
                    raise EOFError
                return line.rstrip("\n")

        outcome = StudyLoop(ours, out, Scripted(out), "practice").run()
        assert outcome.ending is Ending.QUIT and outcome.exit_code == 0
        shown = out.file.getvalue()  # type: ignore[attr-defined]
        assert "Cannot undo: the card was reviewed again since (in another session)" in shown
        assert [r.rating for r in mine.reviews()] == [3, 4]  # both reviews kept
        assert not ours.can_undo()


def test_cached_question_fields_are_what_the_cache_checks() -> None:
    assert len(Question._fields) == 9  # _question in bankcache unpacks exactly these
