"""The commands as a person runs them: output, errors and exit codes (through CliRunner)."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from dlquiz.cli import app

from .test_bank import MINI

runner = CliRunner()


def run(*args: str, input: str | None = None) -> Result:
    return runner.invoke(app, list(args), input=input)


def make_bank(tmp_path: Path, text: str = MINI) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_command_has_help_with_an_example() -> None:
    command = typer.main.get_command(app)
    assert isinstance(command, typer.core.TyperGroup)
    names = sorted(command.commands)
    assert {
        "practice",
        "review",
        "stats",
        "validate",
        "topics",
        "list",
        "show",
        "export",
        "reset",
        "doctor",
        "path",
        "interview",
    } <= set(names)
    for name in names:
        result = run(name, "--help")
        assert result.exit_code == 0, name
        assert "Example: dlquiz " + name in result.output, f"{name} --help has no example"


def test_the_command_list_is_whole_in_a_narrow_terminal() -> None:
    result = runner.invoke(app, ["--help"], env={"COLUMNS": "60"})
    commands = result.output.split("Commands:", 1)[1].strip().splitlines()
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    assert len(commands) == len(group.commands)  # one line each: none wrapped
    for line in commands:
        assert len(line) <= 60 and not line.endswith("..."), line


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.output.startswith("dlquiz 0.")


def test_validate_the_shipped_bank_lists_counts_per_topic() -> None:
    result = run("validate")
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "✓ Valid bank: 50 questions in 9 topics"
    assert "cnn" in result.output and "Convolutional networks" in result.output


def test_validate_keeps_the_verdict_whole_when_the_path_is_long(tmp_path: Path) -> None:
    deep = tmp_path.joinpath(*["a-rather-long-directory-name"] * 6)
    deep.mkdir(parents=True)
    path = make_bank(deep, MINI)
    result = run("validate", str(path))
    assert result.exit_code == 0
    first, second = result.output.splitlines()[:2]
    assert first == "✓ Valid bank: 2 questions in 2 topics"
    assert second.strip() == str(path)[: len(second.strip())]


def test_validate_a_bad_bank_lists_every_problem(tmp_path: Path) -> None:
    bad = MINI.replace("topics: [cnn]", "topics: [cnns]").replace('number: "2"', "number: 2")
    path = make_bank(tmp_path, bad)
    result = run("validate", str(path))
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith(f"{path}:14: questions[0].topics: unknown topic 'cnns'")
    assert lines[1] == f'{path}:24: questions[1].number: expected text: quote it, "2"'
    assert lines[2] == "2 problems found."
    assert "Traceback" not in result.output


def test_a_bad_bank_never_starts_a_session(tmp_path: Path) -> None:
    path = make_bank(tmp_path, MINI.replace("format_version: 1", "format_version: 9"))
    result = run("--bank", str(path), "practice", input="\n3\n")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {path}:1: format_version: unsupported version 9 (this dlquiz reads version 1)\n"
    )


def test_topics_table() -> None:
    result = run("topics")
    assert result.exit_code == 0
    assert "classical-ml" in result.output and "Classical machine learning" in result.output


def test_list_by_topic_and_show_by_id_or_number() -> None:
    listed = run("list", "--topic", "cnn")
    assert listed.exit_code == 0
    assert "pooling" in listed.output and "perceptron" not in listed.output
    by_number = run("show", "13(a)")
    assert by_number.exit_code == 0
    assert "activation-functions" in by_number.output
    assert "Corrected from the source" in by_number.output
    assert run("show", "pooling").output == run("show", "43").output


def test_unknown_question_suggests_the_nearest() -> None:
    result = run("show", "poolng")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: no question 'poolng'")
    assert "did you mean 'pooling'" in result.stderr


@pytest.mark.parametrize("command", ["practice", "review", "stats", "list"])
def test_unknown_topic_names_the_nearest_and_lists_them_all(command: str) -> None:
    result = run(command, "--topic", "cnns")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: unknown topic 'cnns'; did you mean 'cnn'?")
    assert "Topics: fundamentals, training, activations, cnn, rnn" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_practice_from_piped_input_saves_each_rating(dlquiz_home: Path) -> None:
    # card 1: type an answer, Enter takes the suggestion; card 2: reveal, rate Easy; then quit
    result = run("practice", "--limit", "5", input="subfield of machine learning\n\n\n4\nq\n")
    assert result.exit_code == 0, result.output
    assert "1/5" in result.output
    assert "Key points: 1/4 covered · suggests Again" in result.output
    assert "✓ saved Again · next in 1m" in result.output
    assert "✓ saved Easy" in result.output
    assert "Session ended" in result.output
    with sqlite3.connect(dlquiz_home / "progress.db") as db:
        ratings = db.execute("SELECT question_id, rating FROM reviews ORDER BY id").fetchall()
    assert ratings == [("what-is-deep-learning", 1), ("deep-vs-machine-learning", 4)]


def test_practice_rating_words_hint_skip_and_undo(dlquiz_home: Path) -> None:
    script = "?\n\ngood\nu\n\n2\ns\n\nq\n"
    result = run("practice", input=script)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Hint" in out
    assert "↶ undone: what-is-deep-learning is back as it was" in out
    assert "Skipped until tomorrow." in out
    with sqlite3.connect(dlquiz_home / "progress.db") as db:
        ratings = db.execute("SELECT question_id, rating FROM reviews ORDER BY id").fetchall()
        buried = db.execute("SELECT question_id FROM buried").fetchall()
    assert ratings == [("what-is-deep-learning", 2)]
    assert buried == [("deep-vs-machine-learning",)]


def test_end_of_input_ends_the_session_with_a_summary(dlquiz_home: Path) -> None:
    result = run("practice", input="\n3\n")
    assert result.exit_code == 0
    assert "Session ended" in result.output
    assert "Your rating is saved." in result.output


def test_nothing_due_says_when_and_suggests_review(dlquiz_home: Path) -> None:
    first = run("practice", "--new", "1", input="\n4\n")
    assert first.exit_code == 0
    again = run("practice", "--new", "1")
    assert again.exit_code == 0
    assert "Nothing is due right now." in again.output
    assert "Next card: in " in again.output
    assert "Today's new cards are done (49 still new)." in again.output
    assert "dlquiz practice --new 20" in again.output
    assert "dlquiz review" in again.output


def test_review_without_history_explains_what_to_do() -> None:
    result = run("review")
    assert result.exit_code == 0
    assert "Nothing studied yet: start with dlquiz practice" in result.output
    assert "dlquiz review --topic fundamentals" in result.output


def test_a_suggested_command_is_never_split_across_lines() -> None:
    run("practice", "--new", "1", input="\n4\n")
    for width in ("80", "60", "44"):
        result = runner.invoke(app, ["practice", "--new", "1"], env={"COLUMNS": width})
        lines = result.output.splitlines()
        assert any(line.strip() == "dlquiz practice --new 20" for line in lines) or any(
            line.endswith(" dlquiz practice --new 20") for line in lines
        ), (width, lines)


def test_quitting_before_any_rating_says_so_in_one_line() -> None:
    result = run("practice", input="q\n")
    assert result.exit_code == 0
    assert "Nothing rated this time." in result.output
    assert "Session ended" not in result.output


def test_review_topic_drills_that_topic(dlquiz_home: Path) -> None:
    result = run("review", "--topic", "cnn", "--limit", "2", input="\n4\n\n4\n")
    assert result.exit_code == 0, result.output
    assert "cnn" in result.output and "review" in result.output
    assert "Session complete" in result.output


def test_bank_text_with_markup_and_escapes_is_shown_literally(tmp_path: Path) -> None:
    hostile = MINI.replace(
        "question: What does pooling do?",
        'question: "What does [bold red]pooling[/bold red] do? [link=http://x]x[/link] \\e[31m"',
    )
    path = make_bank(tmp_path, hostile)
    result = run("--bank", str(path), "practice", input="[blink]typed[/blink]\n\nq\n")
    assert result.exit_code == 0, result.output
    assert "[bold red]pooling[/bold red]" in result.output
    assert "[link=http://x]x[/link]" in result.output
    assert "\\x1b[31m" in result.output and "\x1b" not in result.output
    assert "[blink]typed[/blink]" in result.output


def test_stats_on_an_empty_store_shows_the_bank_and_how_to_start() -> None:
    result = run("stats")
    assert result.exit_code == 0
    assert "50 questions" in result.output
    assert "dlquiz practice" in result.output


def test_export_reviews_and_cards(dlquiz_home: Path, tmp_path: Path) -> None:
    run("practice", input="\n3\n\n1\nq\n")
    as_csv = run("export", "reviews")
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [(r["question_id"], r["rating_name"]) for r in rows] == [
        ("what-is-deep-learning", "good"),
        ("deep-vs-machine-learning", "again"),
    ]
    assert rows[0]["state_before"] == "new" and rows[0]["reviewed_at"].endswith("Z")
    as_json = json.loads(run("export", "cards", "--format", "json").stdout)
    assert as_json["schema"] == "dlquiz-export/1"
    assert {c["question_id"] for c in as_json["cards"]} == {
        "what-is-deep-learning",
        "deep-vs-machine-learning",
    }
    target = tmp_path / "log.json"
    written = run("export", "reviews", "-f", "json", "-o", str(target))
    assert written.exit_code == 0 and "Wrote 2 reviews" in written.output
    assert len(json.loads(target.read_text())["reviews"]) == 2


def test_export_deck_is_an_anki_package(tmp_path: Path) -> None:
    target = tmp_path / "deck.apkg"
    result = run("export", "deck", "-o", str(target))
    assert result.exit_code == 0
    with zipfile.ZipFile(target) as z:
        assert "collection.anki2" in z.namelist()
        z.extract("collection.anki2", tmp_path)
    with sqlite3.connect(tmp_path / "collection.anki2") as db:
        notes = db.execute("SELECT flds, tags FROM notes").fetchall()
    assert len(notes) == 50
    pooling = next(f for f, _ in notes if "pooling" in f.lower() and "<table>" not in f)
    assert "<p>" in pooling  # Markdown rendered to HTML for Anki
    assert any("cnn" in tags for _, tags in notes)


def test_reset_asks_keeps_a_backup_and_forgets(dlquiz_home: Path) -> None:
    run("practice", input="\n3\n\n3\nq\n")
    declined = run("reset", input="n\n")
    assert declined.exit_code == 1 and "Nothing changed." in declined.output
    done = run("reset", "--topic", "classical-ml", "--yes")
    assert done.exit_code == 0
    assert "Forgot 1 card and 1 review of topic classical-ml." in done.output
    backups = list((dlquiz_home / "backups").glob("progress-*.db"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as db:
        assert db.execute("SELECT count(*) FROM reviews").fetchone() == (2,)
    with sqlite3.connect(dlquiz_home / "progress.db") as db:
        assert db.execute("SELECT question_id FROM reviews").fetchall() == [
            ("what-is-deep-learning",)
        ]


def test_doctor_reports_a_healthy_setup_and_a_broken_store(dlquiz_home: Path) -> None:
    run("practice", input="\n3\nq\n")
    healthy = run("doctor")
    assert healthy.exit_code == 0, healthy.output
    assert "1 card, 1 review for bank" in " ".join(healthy.output.split())
    (dlquiz_home / "progress.db").write_bytes(b"this is not a database at all" * 10)
    broken = run("doctor")
    assert broken.exit_code == 1
    assert "is not a dlquiz store" in " ".join(broken.output.split())


def test_a_bad_config_is_one_line(dlquiz_home: Path) -> None:
    dlquiz_home.mkdir(parents=True)
    (dlquiz_home / "config.toml").write_text("new_per_day = 'ten'\n")
    result = run("practice")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {dlquiz_home / 'config.toml'}: new_per_day: expected int, got 'ten'\n"
    )


def test_config_and_options_set_the_session(dlquiz_home: Path) -> None:
    dlquiz_home.mkdir(parents=True)
    (dlquiz_home / "config.toml").write_text("new_per_day = 1\n")
    first = run("practice", input="\n4\n\n")
    assert first.output.count("✓ saved") == 1
    more = run("practice", "--new", "2", input="\n4\n\n")
    assert more.output.count("✓ saved") == 1  # one more new card: 2 a day, 1 done


def test_home_option_and_path(tmp_path: Path) -> None:
    result = run("--home", str(tmp_path / "elsewhere"), "path")
    assert result.exit_code == 0
    assert f"progress: {tmp_path / 'elsewhere' / 'progress.db'}" in result.output


def test_bank_from_environment_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DLQUIZ_BANK", str(make_bank(tmp_path)))
    result = run("list")
    assert result.exit_code == 0
    assert "A small bank" in result.output and "dropout" in result.output


def test_the_card_in_the_readme_is_what_dlquiz_shows() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    card = readme.split("A card, as `dlquiz review --topic cnn` shows it", 1)[1]
    card = card.split("```\n", 2)[1]
    typed = next(line[2:] for line in card.splitlines() if line.startswith("> "))
    shown = [line for line in card.splitlines() if line.startswith(("Key points:", "✓", "✗"))]
    result = run("review", "--topic", "cnn", input=f"{typed}\nq\n")
    assert result.exit_code == 0, result.output
    assert card.splitlines()[0] in result.output  # the header
    for line in shown:
        assert line in result.output, line
